-- modes.optimize: model-based search over a grid's space with a budget of backtests.
--   { mode = "optimize", parameters = { delta = {start=5, stop=50, step=1},
--                                       profit_target = {start=10, stop=100, step=5} },
--     max_backtests = 60, seed = 7, optimize_by = "mar" }
-- (a sweep's `parameter = , config =` works too; any number of parameters, numbers and times.)
--
-- Stage 1 is a space-filling design (a Latin hypercube, the most spread of a few drawn from the
-- seed). Every later stage fits a Gaussian process (oo.search.gp) to the scores so far and
-- proposes `batch` new points, one per browser, by expected improvement; the points of one
-- batch are kept apart by conditioning the model on each pick ("kriging believer"). A point is
-- never proposed twice. The search ends when max_backtests are spent or the space is done.
--
-- Budget: a task served from the result cache costs nothing (the same configuration was
-- computed before), so the search goes on for free; a failed task counts.
-- Determinism: a stage's plan depends only on the spec (seed, batch included) and the stored
-- tasks of the stages before, in their stored order; `batch` is fixed when the run is created
-- (the run's browsers), so a resume with other browsers plans the same points.
local errors = require("oo.errors")
local common = require("oo.search.common")
local history = require("oo.search.history")
local gp = require("oo.search.gp")
local rng = require("oo.search.rng")
local M = { name = "optimize", batched = true,
            description = "Model-based search: a Gaussian process picks the next backtests, within a budget" }

M.max_candidates = 3000   -- points scored per stage when the space is larger (sampled + local)

function M.check(spec, registry)
  local norm = common.check(spec, registry, "optimize")
  norm.mode = "optimize"
  local size = norm.grid_size
  if spec.max_backtests == nil then
    errors.raise("input", "optimize.max_backtests: missing: the budget of backtests (the grid has %d points)", size)
  end
  norm.budget = math.min(common.int(spec, "max_backtests", "optimize", nil, 2, 100000), size)
  norm.seed = common.int(spec, "seed", "optimize", 1, -2^53, 2^53)
  norm.batch = common.int(spec, "batch", "optimize", 1, 1, 64)
  local d = #norm.axes
  norm.init = math.min(common.int(spec, "init", "optimize", M.default_init(d, norm.budget), 1, 100000), norm.budget)
  return norm
end

-- The size of the space-filling first stage: enough points to fit a first model (about two per
-- dimension and a few), at most a quarter of the budget.
function M.default_init(d, budget)
  return math.max(math.min(2 * d + 3, budget // 4), math.min(d + 1, budget))
end

function M.count(norm) return norm.budget end

function M.describe(norm)
  return string.format("optimize %s: up to %d backtests of a %d-point grid (seed %d)", common.axes_label(norm),
    norm.budget, norm.grid_size, norm.seed)
end

-- A Latin hypercube of n points on the grid's indexes: each axis cut in n strata, one point per
-- stratum, strata paired at random; of 8 such designs the one whose closest pair is
-- farthest apart. Points already known are skipped (replaced by the nearest free ones).
local function lhs(S, n, r, taken)
  local best, best_d
  for _ = 1, 8 do
    local perms = {}
    for d = 1, S.dims do
      local p = {}
      for i = 1, n do p[i] = i end
      perms[d] = r:shuffle(p)
    end
    local pts = {}
    for i = 1, n do
      local x = {}
      for d = 1, S.dims do x[d] = (perms[d][i] - 1 + r:float()) / n end
      pts[i] = x
    end
    local dmin = math.huge
    for i = 1, n do
      for j = i + 1, n do
        local s = 0
        for d = 1, S.dims do s = s + (pts[i][d] - pts[j][d]) ^ 2 end
        if s < dmin then dmin = s end
      end
    end
    if not best or dmin > best_d then best, best_d = pts, dmin end
  end
  local out, used = {}, {}
  for _, x in ipairs(best) do
    local p = {}
    for d, a in ipairs(S.axes) do p[d] = math.min(#a.values, math.floor(x[d] * #a.values) + 1) end
    local k = S.key(p)
    if taken[k] or used[k] then
      -- the nearest free point (ring by ring)
      for ring = 1, 64 do
        local found
        for _, q in ipairs(S.neighbours(p, ring)) do
          local kq = S.key(q)
          if not taken[kq] and not used[kq] then found = q; break end
        end
        if found then p, k = found, S.key(found); break end
      end
    end
    if not taken[k] and not used[k] then
      used[k] = true
      out[#out + 1] = p
    end
  end
  return out
end

-- The model's targets: scores standardised after the low tail is pulled in, so a few disastrous
-- configurations do not flatten the model where the good ones are. A task without a score
-- (failed, or no value for the metric) counts as the worst seen.
local function targets(H)
  local ys = {}
  for _, e in ipairs(H.scored) do ys[#ys + 1] = e.score end
  table.sort(ys)
  local n = #ys
  local med, top = ys[(n + 1) // 2], ys[n]
  local u = math.max(top - med, 1e-12)
  local floor = med - 2 * u
  local X, y, seen = {}, {}, {}
  for _, e in ipairs(H.list) do
    if not seen[e.key] then
      seen[e.key] = true
      local s = e.score or ys[1]
      if s < floor then s = floor - u * math.log(1 + (floor - s) / u) end
      X[#X + 1], y[#y + 1] = e.p, s
    end
  end
  local mean, var = 0, 0
  for _, v in ipairs(y) do mean = mean + v end
  mean = mean / #y
  for _, v in ipairs(y) do var = var + (v - mean) ^ 2 end
  local sd = math.sqrt(var / #y)
  if sd < 1e-12 then sd = 1 end
  for i = 1, #y do y[i] = (y[i] - mean) / sd end
  return X, y
end

-- The points the model scores this stage: every point not yet tried when the space is small;
-- else a sample drawn from the seed plus the neighbourhoods of the best points so far.
local function candidates(S, H, r)
  local out = {}
  if S.size <= M.max_candidates then
    for _, p in ipairs(S.all()) do
      if not H.by_key[S.key(p)] then out[#out + 1] = p end
    end
    return out
  end
  local seen = {}
  local function add(p)
    local k = S.key(p)
    if not H.by_key[k] and not seen[k] then seen[k] = true; out[#out + 1] = p end
  end
  for i = 1, math.min(5, #H.ranked) do
    for _, q in ipairs(S.neighbours(H.ranked[i].p, 2)) do add(q) end
  end
  local tries = 0
  while #out < M.max_candidates and tries < 4 * M.max_candidates do
    tries = tries + 1
    local p = {}
    for d, a in ipairs(S.axes) do p[d] = r:int(#a.values) end
    add(p)
  end
  return out
end

-- n points by expected improvement, each conditioned on the ones picked before it. Candidates
-- are visited best bound first: EI grows with the mean and the deviation, and a deviation is
-- never above the prior's, so once a bound falls below the best EI found the rest cannot win.
local function pick(S, model, y, cands, n)
  local best_y = -math.huge
  for _, v in ipairs(y) do if v > best_y then best_y = v end end
  local sd0 = math.sqrt(model.s2)
  local list = {}
  for i, p in ipairs(cands) do
    local x = S.coords(p)
    local mu = model:mean_at(x)
    list[i] = { p = p, x = x, mu = mu, bound = gp.ei(mu, sd0, best_y), i = i }
  end
  table.sort(list, function(a, b)
    if a.bound ~= b.bound then return a.bound > b.bound end
    return a.i < b.i
  end)
  local chosen, taken = {}, {}
  for _ = 1, n do
    local top, top_ei
    for _, c in ipairs(list) do
      if top_ei and c.bound <= top_ei then break end
      if not taken[c] then
        if not c.post then c.post = model:candidate(c.x, c.mu) else model:update(c.post) end
        local e = gp.ei(c.mu, math.sqrt(c.post.var), best_y)
        if not top_ei or e > top_ei or (e == top_ei and c.i < top.i) then top, top_ei = c, e end
      end
    end
    if not top then break end
    taken[top] = true
    chosen[#chosen + 1] = top.p
    model:condition(top.post)
  end
  return chosen
end

-- Points never tried, drawn from the seed (when no model can be fitted yet).
local function random_points(S, H, n, r, taken)
  local out = {}
  local free = {}
  for _, p in ipairs(S.size <= M.max_candidates and S.all() or {}) do
    local k = S.key(p)
    if not H.by_key[k] and not taken[k] then free[#free + 1] = p end
  end
  r:shuffle(free)
  for i = 1, math.min(n, #free) do out[i] = free[i] end
  local tries = 0
  while #out < n and tries < 100 * n do
    tries = tries + 1
    local p = {}
    for d, a in ipairs(S.axes) do p[d] = r:int(#a.values) end
    local k = S.key(p)
    if not H.by_key[k] and not taken[k] then taken[k] = true; out[#out + 1] = p end
  end
  return out
end

function M.propose(S, H, n, r)
  if #H.scored < 2 then return random_points(S, H, n, r, {}) end
  local X, y = targets(H)
  local coords = {}
  for i, p in ipairs(X) do coords[i] = S.coords(p) end
  local model = gp.fit(coords, y)
  if not model then return random_points(S, H, n, r, {}) end
  local cands = candidates(S, H, r)
  return pick(S, model, y, cands, n)
end

function M.plan(norm, done)
  local S = common.space(norm)
  local H = history.read(S, done, norm.obj)
  local k = #done + 1
  local tried = 0
  for _ in pairs(H.by_key) do tried = tried + 1 end
  local left, free = norm.budget - H.spent, S.size - tried
  if left <= 0 or free <= 0 then return nil end
  -- a caller that shows results only (failed tasks unseen, e.g. inside a walk-forward): a stage
  -- that brought nothing new may be failures it would only plan again; it stops there
  if H.blind and k > 1 and H.last_new == 0 then return nil end
  local r = rng.new(norm.seed, k)
  local points
  if k == 1 then
    points = lhs(S, math.min(norm.init, left, free), r, H.by_key)
  else
    points = M.propose(S, H, math.min(norm.batch, left, free), r)
  end
  return common.stage(norm, k, points, (k == 1 and "design " or "batch ") .. k)
end

M.summary = common.summary

return M
