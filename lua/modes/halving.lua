-- modes.halving: successive halving over date windows. A sweep's or a grid's spec with
-- mode = "halving" and the full period:
--   { mode = "halving", parameters = { delta = {...}, profit_target = {...} },
--     period = "2019-01-02..2024-12-31", eta = 3, rungs = 3, optimize_by = "mar" }
-- Rung 1 runs every configuration of the grid on a short recent window (the period's last
-- 1/eta^(rungs-1)); each next rung keeps the best 1/eta of the one before and runs it on a
-- window eta times longer; the last rung is the full period, and its best is the answer. Every
-- window ends where the period ends. It runs more backtests than the grid, but short ones: rung
-- r runs N/eta^(r-1) configurations on 1/eta^(rungs-r) of the period, about N/eta^(rungs-1)
-- full-period backtests of time each rung; with eta 3 and 3 rungs, a third of the grid's time.
-- Deterministic (no seed); each rung is a stage, planned from the stored results of the last.
-- Inside a walk-forward (fixed.dates = the window's range and no period) the range is the period.
local errors = require("oo.errors")
local common = require("oo.search.common")
local dates = require("oo.dates")
local M = { name = "halving", per_stage = true,
            description = "Successive halving: every configuration on a short recent window, the best on longer ones" }

M.min_days = 28   -- the shortest window a rung may have

function M.check(spec, registry)
  if spec.fixed and spec.fixed.dates ~= nil then
    -- a walk-forward hands its inner search the window's range as fixed dates: that is the period
    if spec.period ~= nil then
      errors.raise("input", "halving.fixed.dates: halving sets each backtest's dates itself; give the full period as period = \"YYYY-MM-DD..YYYY-MM-DD\" only")
    end
    local fixed = {}
    for k, v in pairs(spec.fixed) do fixed[k] = v end
    local copy = {}
    for k, v in pairs(spec) do copy[k] = v end
    copy.period, fixed.dates, copy.fixed = spec.fixed.dates, nil, fixed
    spec = copy
  end
  local norm = common.check(spec, registry, "halving")
  norm.mode = "halving"
  for _, a in ipairs(norm.axes) do
    if a.name == "dates" then errors.raise("input", "halving.dates: the dates are halving's own windows; search other parameters") end
  end
  local dp = registry.dates
  if not dp then errors.raise("input", "halving: the dates parameter (parameters/dates.lua) is missing") end
  if spec.period == nil then
    errors.raise("input", "halving.period: missing: the full period, e.g. period = \"2019-01-02..2024-12-31\"")
  end
  local ok, why = dp.check_value(spec.period)
  if not ok then errors.raise("input", "halving.period: %s: %s", tostring(spec.period), why or "not a period") end
  norm.period = spec.period
  norm.eta = common.int(spec, "eta", "halving", 3, 2, 10)
  local a, b = dates.split(spec.period)
  local days = dates.span_days(a, b)
  local most = 1
  while most < 8 and days / norm.eta ^ most >= M.min_days do most = most + 1 end
  norm.rungs = common.int(spec, "rungs", "halving", math.min(3, most), 2, 8)
  if norm.rungs > most then
    errors.raise("input", "halving.rungs: %d rungs of eta %d make the first window shorter than %d days; %s allows %d",
      norm.rungs, norm.eta, M.min_days, spec.period, most)
  end
  norm.windows = M.windows(a, b, norm.eta, norm.rungs)
  return norm
end

-- The rungs' windows, shortest first: each ends on the period's last day and is eta times
-- shorter than the next; the last is the whole period.
function M.windows(a, b, eta, rungs)
  local days, last = dates.span_days(a, b), dates.parse(b)
  local out = {}
  for r = 1, rungs do
    local len = math.floor(days / eta ^ (rungs - r) + 0.5)
    out[r] = r == rungs and dates.range(a, b) or dates.range(dates.format(last - len + 1), b)
  end
  return out
end

-- How many configurations run on rung r (at most; failures promote fewer).
local function keep(n, eta, r)
  for _ = 2, r do n = math.ceil(n / eta) end
  return n
end

function M.count(norm)
  local n = 0
  for r = 1, norm.rungs do n = n + keep(norm.grid_size, norm.eta, r) end
  return n
end

function M.describe(norm)
  local parts = {}
  for r, w in ipairs(norm.windows) do parts[r] = string.format("%d on %s", keep(norm.grid_size, norm.eta, r), w) end
  return string.format("halving %s: %s: %d backtests", common.axes_label(norm), table.concat(parts, ", "), M.count(norm))
end

function M.plan(norm, done)
  local S = common.space(norm)
  local k = #done + 1
  if k > norm.rungs then return nil end
  local points = {}
  if k == 1 then
    points = S.all()
  else
    local prev = done[k - 1].results or {}
    local tasks = done[k - 1].tasks
    local want = math.ceil(((tasks and #tasks > 0) and #tasks or #prev) / norm.eta)
    local ranked = norm.obj.rank(prev)
    if #ranked == 0 then
      errors.raise("input", "halving: rung %d (%s) has no successful result to promote", k - 1, norm.windows[k - 1])
    end
    for i = 1, math.min(want, #ranked) do
      local p = S.locate(ranked[i].row.values)
      if p then points[#points + 1] = p end
    end
  end
  local stage = common.stage(norm, k, points, string.format("rung %d, %s", k, norm.windows[k]))
  if stage then
    for _, t in ipairs(stage.tasks) do t.values.dates = norm.windows[k] end
  end
  return stage
end

-- The answer is the best of the last rung (the full period), never of a shorter window.
function M.summary(norm, done)
  local last = done[norm.rungs]
  local best = last and norm.obj.best(last.results or {})
  local spent = 0
  for _, d in ipairs(done) do spent = spent + (d.tasks and #d.tasks > 0 and #d.tasks or #(d.results or {})) end
  return { best = best, spent = spent, grid = norm.grid_size }
end

-- After a run: the backtests per window against a full grid on the full period.
function M.cost(norm, results)
  local per = {}
  for _, r in ipairs(results) do per[r.stage] = (per[r.stage] or 0) + 1 end
  local parts, full = {}, 0
  local a, b = dates.split(norm.period)
  local days = dates.span_days(a, b)
  for r, w in ipairs(norm.windows) do
    local wa, wb = dates.split(w)
    local n = per[r] or 0
    parts[#parts + 1] = string.format("%d on %s", n, w)
    full = full + n * dates.span_days(wa, wb) / days
  end
  return string.format("Search: %s; about %.0f full-period backtests of time, where a full grid is %d", table.concat(parts, ", "),
    full, norm.grid_size)
end

return M
