-- modes.refine: coarse to fine, deterministic. A sweep's or a grid's spec with mode = "refine":
--   { mode = "refine", parameters = { delta = {start=5, stop=50, step=1},
--                                     profit_target = {start=10, stop=100, step=5} },
--     optimize_by = "mar", coarse = 5, keep = 3 }
-- Stage 1 tries `coarse` values per parameter, evenly spread (ends included). Each later stage
-- halves the stride and tries, around each of the `keep` best configurations so far, the points
-- one stride away on every axis (and their combinations). At the parameter's own step it goes
-- on around the best while that uncovers anything new: it ends when the `keep` best points have
-- every neighbour tried. Nothing is tried twice. No seed: the same results, the same search.
local errors = require("oo.errors")
local common = require("oo.search.common")
local history = require("oo.search.history")
local space = require("oo.search.space")
local M = { name = "refine", description = "Coarse to fine: a coarse grid, then finer steps around the best" }

function M.check(spec, registry)
  local norm = common.check(spec, registry, "refine")
  norm.mode = "refine"
  norm.coarse = common.int(spec, "coarse", "refine", 5, 2, 1000)
  norm.keep = common.int(spec, "keep", "refine", 3, 1, 100)
  norm.strides = {}
  for d, a in ipairs(norm.axes) do
    norm.strides[d] = math.max(1, math.ceil((#a.values - 1) / (norm.coarse - 1)))
  end
  if spec.max_backtests ~= nil then
    errors.raise("input", "refine.max_backtests: refine has no budget (it stops when the best is found at the parameters' own steps); use mode = \"optimize\" for a budget")
  end
  return norm
end

-- The stride of each axis at a level (1 = the coarse pass): halved each level, down to 1.
local function strides(norm, level)
  local out, all_one = {}, true
  for d, s in ipairs(norm.strides) do
    local v = s
    for _ = 2, level do v = math.max(1, math.ceil(v / 2)) end
    out[d] = v
    if v > 1 then all_one = false end
  end
  return out, all_one
end

local function coarse_points(S, st)
  local lists = {}
  for d, a in ipairs(S.axes) do
    local idx = {}
    for i = 1, #a.values, st[d] do idx[#idx + 1] = i end
    if idx[#idx] ~= #a.values then idx[#idx + 1] = #a.values end
    lists[d] = idx
  end
  return space.product(lists)
end

-- Around each of the keep best: every combination of {c - s, c, c + s} per axis, in range,
-- not tried, not already listed.
local function around(S, H, keep, st)
  local out, listed = {}, {}
  for r = 1, math.min(keep, #H.ranked) do
    local c, lists = H.ranked[r].p, {}
    for d, a in ipairs(S.axes) do
      local l = {}
      for _, i in ipairs({ c[d] - st[d], c[d], c[d] + st[d] }) do
        if i >= 1 and i <= #a.values then l[#l + 1] = i end
      end
      lists[d] = l
    end
    for _, p in ipairs(space.product(lists)) do
      local k = S.key(p)
      if not H.by_key[k] and not listed[k] then listed[k] = true; out[#out + 1] = p end
    end
  end
  return out
end

-- An estimate of the backtests (the coarse pass, the refining levels, two rounds at the
-- parameters' own steps), at most the grid: the run's planned count.
function M.count(norm)
  local n, per = 1, 1
  for d, a in ipairs(norm.axes) do
    n = n * (math.floor((#a.values - 1) / norm.strides[d]) + 1 + (((#a.values - 1) % norm.strides[d] > 0) and 1 or 0))
    per = per * 3
  end
  local level = 2
  while true do
    local _, one = strides(norm, level)
    n = n + norm.keep * (per - 1)
    if one then break end
    level = level + 1
  end
  n = n + 2 * norm.keep * (per - 1)
  return math.min(n, norm.grid_size)
end

function M.describe(norm)
  return string.format("refine %s: about %d backtests of a %d-point grid (coarse %d per parameter, keep %d)",
    common.axes_label(norm), M.count(norm), norm.grid_size, norm.coarse, norm.keep)
end

function M.plan(norm, done)
  local S = common.space(norm)
  local k = #done + 1
  local points
  if k == 1 then
    points = coarse_points(S, strides(norm, 1))
  else
    local H = history.read(S, done, norm.obj)
    -- results only (failed tasks unseen, e.g. inside a walk-forward): a stage that brought
    -- nothing new may be failures it would only plan again; it stops there
    if H.blind and H.last_new == 0 then return nil end
    if not H.best then
      errors.raise("input", "refine: stage %d has no successful result to refine around", k - 1)
    end
    local level = k
    while true do
      local st, one = strides(norm, level)
      points = around(S, H, norm.keep, st)
      if #points > 0 or one then break end
      level = level + 1
    end
  end
  return common.stage(norm, k, points, k == 1 and "coarse" or ("refine " .. (k - 1)))
end

M.summary = common.summary

return M
