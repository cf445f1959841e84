-- The searches (refine, optimize) and their pieces: a seeded generator, the discrete space, the
-- Gaussian process checked against closed forms, and the modes driven as oo.runner drives them
-- (plan a stage, complete its tasks, hand back what the store would hold, plan the next) on
-- objective functions whose best is known.
local check = require("check")
local json = require("json")
local modes = require("oo.modes")
local rng = require("oo.search.rng")
local space = require("oo.search.space")
local gp = require("oo.search.gp")
local history = require("oo.search.history")
local objective = require("oo.objective")
local reg = require("oo.parameters").discover()

-- ---- rng: a pure function of (seed, stream) ------------------------------------------------
do
  local a, b, c = rng.new(7, 1), rng.new(7, 1), rng.new(7, 2)
  local same, differs, in_range = true, false, true
  for _ = 1, 200 do
    local x, y, z = a:float(), b:float(), c:float()
    if x ~= y then same = false end
    if x ~= z then differs = true end
    if x < 0 or x >= 1 then in_range = false end
  end
  check.ok(same, "same seed and stream, same numbers")
  check.ok(differs, "another stream, other numbers")
  check.ok(in_range, "floats in [0, 1)")
  -- splitmix64's first output for state 0 + golden gamma is 0xe220a8397b1dcdaf (Vigna's
  -- reference implementation, splitmix64.c, seeded with 0): our mix of the same state
  local r = setmetatable({ s = 0 }, getmetatable(rng.new(0)))
  check.eq(string.format("%016x", r:next()), "e220a8397b1dcdaf", "splitmix64 reference value")
  local counts = { 0, 0, 0 }
  local g = rng.new(1, 0)
  for _ = 1, 3000 do local i = g:int(3); counts[i] = counts[i] + 1 end
  check.ok(counts[1] > 900 and counts[2] > 900 and counts[3] > 900, "int(3) draws each value about a third of the time")
end

-- ---- space ---------------------------------------------------------------------------------
do
  local S = space.new({ { name = "delta", values = { 5, 10, 15 } },
                        { name = "entry_time", values = { "09:32", "10:02" } } }, { stop_loss = 200 })
  check.eq(S.size, 6)
  check.eq(#S.all(), 6)
  check.eq(S.key(S.all()[2]), "1,2", "last axis fastest")
  local v = S.values({ 2, 1 })
  check.eq(v.delta, 10); check.eq(v.entry_time, "09:32"); check.eq(v.stop_loss, 200)
  check.eq(S.key(S.locate({ delta = 15.0, entry_time = "10:02" })), "3,2", "a float from JSON is the same value")
  check.eq(S.locate({ delta = 12, entry_time = "10:02" }), nil, "a value off the grid")
  check.eq(S.coords({ 3, 1 })[1], 1); check.eq(S.coords({ 2, 1 })[1], 0.5)
  check.eq(#S.neighbours({ 2, 1 }, 1), 5, "3 x 2 around the middle, itself left out")
end

-- ---- the Gaussian process against closed forms ---------------------------------------------
do
  -- Matern 5/2 at r = 0.5 with length 1: (1 + sqrt5/2 + 5/12) exp(-sqrt5/2) = 0.8286491
  -- (by hand: sqrt(5)/2 = 1.118034, 1 + 1.118034 + 0.416667 = 2.534701, exp(-1.118034) = 0.326922)
  check.near(gp.corr({ 0 }, { 0.5 }, { 1 }, 1), 0.8286491, 1e-6)
  -- Two points y = (1, -1) at x = 0 and 1, length 1, nugget 0: the GLS mean is 0 by symmetry
  -- and the posterior mean at x is k(x)' R^-1 y with R = [[1, c],[c, 1]], c = corr(1):
  -- R^-1 y = (1, -1) / (1 - c), so mu(x) = (k(x,0) - k(x,1)) / (1 - c).
  local m = gp.fit({ { 0 }, { 1 } }, { 1, -1 }, { ls = { 1 }, g = 0 })
  local c1 = gp.corr({ 0 }, { 1 }, { 1 }, 1)
  local k0, k1 = gp.corr({ 0.25 }, { 0 }, { 1 }, 1), gp.corr({ 0.25 }, { 1 }, { 1 }, 1)
  check.near(m:mean_at({ 0.25 }), (k0 - k1) / (1 - c1), 1e-9, "posterior mean at 0.25")
  check.near(m:mean_at({ 0.5 }), 0, 1e-12, "posterior mean at the middle")
  check.near(m:mean_at({ 0 }), 1, 1e-9, "interpolates without a nugget")
  -- variance at x: s2 (1 - k' R^-1 k); s2 = y' R^-1 y / n = 2 / (1 - c) / 2
  local s2 = 1 / (1 - c1)
  local quad = (k0 * k0 + k1 * k1 - 2 * c1 * k0 * k1) / (1 - c1 * c1)
  check.near(m:candidate({ 0.25 }).var, s2 * (1 - quad), 1e-9, "posterior variance at 0.25")
  check.ok(m:candidate({ 0 }).var < 1e-6 * s2, "no variance left at an observed point")
  -- conditioning on a fantasy at 0.5 leaves its own variance at the nugget's floor and lowers
  -- its neighbours'
  local c = m:candidate({ 0.5 })
  local near_before = m:candidate({ 0.45 }).var
  m:condition(c)
  local after = m:candidate({ 0.45 })
  check.ok(after.var < 0.2 * near_before, "a fantasy at 0.5 takes most of 0.45's variance")
  -- EI: at mu = best it is sd * phi(0) = 0.3989423 sd; far below it vanishes; far above it is
  -- the difference
  check.near(gp.ei(0, 1, 0), 0.3989423, 1e-6)
  check.near(gp.ei(5, 1, 0), 5, 1e-5)
  check.ok(gp.ei(-6, 1, 0) < 1e-8)
  check.near(gp.cdf(1.959964), 0.975, 1e-6)
  -- the hyper-parameters come from the data alone: fitted twice, the same model
  local X, y = {}, {}
  local r = rng.new(3, 0)
  for i = 1, 40 do X[i] = { r:float(), r:float() }; y[i] = math.sin(6 * X[i][1]) + X[i][2] end
  local a, b = gp.fit(X, y), gp.fit(X, y)
  check.eq(a.hyper.ls[1], b.hyper.ls[1]); check.eq(a.hyper.ls[2], b.hyper.ls[2]); check.eq(a.hyper.g, b.hyper.g)
  check.ok(a.hyper.ls[1] < a.hyper.ls[2], "the wiggly axis gets the shorter length scale")
end

-- ---- driving a mode as the runner does --------------------------------------------------------
-- f(values) -> metrics or nil (the task fails for good); cached(values) -> true when the result
-- cache would serve it. What the mode sees goes through JSON, as it would through the store.
local function drive(mode, norm, f, opts)
  opts = opts or {}
  local done, planned, id = {}, {}, 0
  while true do
    local stage = mode.plan(norm, json.decode(json.encode(done)))
    if not stage then break end
    check.eq(stage.index, #done + 1, "stages come in order")
    local d = { index = stage.index, results = {}, tasks = {} }
    for _, t in ipairs(stage.tasks) do
      id = id + 1
      planned[#planned + 1] = t.values
      local m = f(t.values)
      d.tasks[#d.tasks + 1] = { task_id = id, values = t.values, status = m and "completed" or "failed" }
      if m then
        d.results[#d.results + 1] = { task_id = id, values = t.values, metrics = m,
                                      cached = opts.cached and opts.cached(t.values) or false }
      end
    end
    if opts.results_only then d.tasks = nil end
    done[#done + 1] = d
    if opts.stop_after and #done == opts.stop_after then break end
    if #planned > 5000 then break end   -- a search that never ends: the checks below fail
  end
  return planned, done
end

local function best_of(done, obj)
  local rows = {}
  for _, d in ipairs(done) do for _, r in ipairs(d.results) do rows[#rows + 1] = r end end
  return obj.best(rows)
end

-- a smooth surface with one best at delta 23, profit target 45 (MAR 3), and a ridge elsewhere
local function surface(v)
  local d, pt = v.delta, v.profit_target
  return { mar = 3 - ((d - 23) / 10) ^ 2 - ((pt - 45) / 30) ^ 2 + 0.3 * math.exp(-((d - 8) / 3) ^ 2), cagr = 0.1 }
end
local grid_spec = { parameters = { delta = { start = 5, stop = 40, step = 1 },          -- 36
                                   profit_target = { start = 10, stop = 100, step = 5 } } } -- 19

local function spec(t, extra)
  local s = { parameters = t.parameters }
  for k, v in pairs(extra) do s[k] = v end
  return s
end

local function no_repeats(planned)
  local seen, ok = {}, true
  for _, v in ipairs(planned) do
    local k = json.encode(v)
    if seen[k] then ok = false end
    seen[k] = true
  end
  return ok
end

-- ---- optimize ------------------------------------------------------------------------------------
local optimize = modes.get("optimize")
do
  local norm = optimize.check(spec(grid_spec, { mode = "optimize", max_backtests = 60, seed = 11, batch = 2 }), reg)
  check.eq(optimize.count(norm), 60, "count is the budget")
  local planned, done = drive(optimize, norm, surface)
  check.eq(#planned, 60, "spends exactly its budget")
  check.ok(no_repeats(planned), "never plans a configuration twice")
  for i = 2, #done do check.ok(#done[i].tasks <= 2, "one candidate per browser after the design") end
  local best = best_of(done, objective.get("mar"))
  check.eq(best.values.delta, 23); check.eq(best.values.profit_target, 45)
  -- the same seed plans the same search; another seed another one (with the same answer)
  local again = drive(optimize, optimize.check(spec(grid_spec, { mode = "optimize", max_backtests = 60, seed = 11, batch = 2 }), reg), surface)
  check.eq(json.encode(again), json.encode(planned), "same spec and seed, same tasks in the same order")
  local other = drive(optimize, optimize.check(spec(grid_spec, { mode = "optimize", max_backtests = 60, seed = 12, batch = 2 }), reg), surface)
  check.ok(json.encode(other) ~= json.encode(planned), "another seed, another path")
  -- interrupted after stage 9 and planned again from the stored stages: the same stage 10
  local _, part = drive(optimize, norm, surface, { stop_after = 9 })
  local fresh = optimize.check(json.decode(json.encode(spec(grid_spec, { mode = "optimize", max_backtests = 60, seed = 11, batch = 2 }))), reg)
  local s10 = optimize.plan(fresh, json.decode(json.encode(part)))
  local _, full = drive(optimize, norm, surface, { stop_after = 10 })
  check.eq(json.encode(s10.tasks[1].values), json.encode(full[10].tasks[1].values), "a resumed search plans what it would have")
end
do
  -- results from the cache are free: the budget counts backtests actually run
  local norm = optimize.check(spec(grid_spec, { mode = "optimize", max_backtests = 20, seed = 3, batch = 1 }), reg)
  local planned = drive(optimize, norm, surface, { cached = function(v) return v.delta % 2 == 0 end })
  local free = 0
  for _, v in ipairs(planned) do if v.delta % 2 == 0 then free = free + 1 end end
  check.ok(free > 0, "some results came from the cache")
  check.eq(#planned - free, 20, "20 backtests run, the cached ones on top")
  -- a failed task costs its place in the budget and is never planned again
  local failing = function(v) if v.delta == 23 and v.profit_target == 45 then return nil end return surface(v) end
  local p2 = drive(optimize, optimize.check(spec(grid_spec, { mode = "optimize", max_backtests = 40, seed = 3, batch = 2 }), reg), failing)
  check.eq(#p2, 40)
  check.ok(no_repeats(p2), "a failed configuration is not tried again")
  -- three parameters, one of them a time, on a small space: the budget covers it all and stops
  local small = optimize.check({ mode = "optimize", max_backtests = 500, seed = 1, parameters = {
    { name = "delta", config = { start = 10, stop = 12 } },
    { name = "profit_target", config = { start = 10, stop = 20, step = 10 } },
    { name = "entry_time", config = { start = "09:32", stop = "10:32", step = 30 } } } }, reg)
  check.eq(optimize.count(small), 18, "a budget over the grid is the grid")
  local p3 = drive(optimize, small, function(v) return { mar = v.delta + (v.entry_time == "10:02" and 1 or 0) } end)
  check.eq(#p3, 18, "the whole space, once")
  check.ok(no_repeats(p3))
end
-- a goal of the analysis as optimize_by: scores relative to the results so far, planned alike
do
  local ok, goals = pcall(require, "oo.analysis.goals")
  if ok and goals.goals and goals.goals.balanced then
    local norm = optimize.check(spec(grid_spec, { mode = "optimize", max_backtests = 12, seed = 4, optimize_by = "balanced" }), reg)
    local p = drive(optimize, norm, function(v)
      local m = surface(v)
      return { mar = m.mar, cagr = 0.1 + m.mar / 100, max_drawdown = -0.1, pl = 1000 * m.mar, trades = 100, win_percentage = 0.6 }
    end)
    check.eq(#p, 12, "a goal drives the search to its budget")
    check.ok(no_repeats(p))
  end
end

-- bad input is refused with what and where
check.err(function() optimize.check(spec(grid_spec, { mode = "optimize" }), reg) end, "optimize.max_backtests", "missing", "684 points")
check.err(function() optimize.check(spec(grid_spec, { mode = "optimize", max_backtests = 1 }), reg) end, "optimize.max_backtests", "out of range")
check.err(function() optimize.check(spec(grid_spec, { mode = "optimize", max_backtests = 10, seed = 1.5 }), reg) end, "optimize.seed", "whole number")
check.err(function() optimize.check(spec(grid_spec, { mode = "optimize", max_backtests = 10, optimize_by = "sharpe" }), reg) end,
  "optimize.optimize_by", "unknown metric or goal \"sharpe\"")
check.err(function() optimize.check({ mode = "optimize", max_backtests = 10 }, reg) end, "optimize: parameters missing")
check.err(function() optimize.check({ mode = "optimize", max_backtests = 10, parameter = "delta", parameters = {} }, reg) end, "not both")
check.err(function() optimize.check(spec(grid_spec, { mode = "optimize", max_backtests = 10, fixed = { delta = 5 } }), reg) end,
  "optimize.fixed.delta", "searched")

-- ---- refine ------------------------------------------------------------------------------------
local refine = modes.get("refine")
do
  local norm = refine.check(spec(grid_spec, { mode = "refine" }), reg)
  local planned, done = drive(refine, norm, surface)
  local first = done[1].tasks
  check.eq(#first, 5 * 5, "coarse: 5 values per parameter")
  check.eq(first[1].values.delta, 5); check.eq(first[#first].values.delta, 40, "the ends are in the coarse pass")
  check.eq(first[#first].values.profit_target, 100)
  check.ok(no_repeats(planned), "never twice")
  check.ok(#planned < 0.25 * 36 * 19, "a fraction of the grid: " .. #planned)
  check.ok(#planned <= refine.count(norm), "within its estimate " .. refine.count(norm))
  local best = best_of(done, objective.get("mar"))
  check.eq(best.values.delta, 23); check.eq(best.values.profit_target, 45)
  -- it ends when every neighbour (one step) of the best few has been tried
  local S = space.new(norm.axes, {})
  local H = history.read(S, done, objective.get("mar"))
  for i = 1, 3 do
    for _, q in ipairs(S.neighbours(H.ranked[i].p, 1)) do check.ok(H.by_key[S.key(q)] ~= nil, "neighbour tried") end
  end
  -- deterministic
  check.eq(json.encode(drive(refine, refine.check(spec(grid_spec, { mode = "refine" }), reg), surface)), json.encode(planned))
  -- a sweep's spec works too; a minimum by max_drawdown (closest to zero)
  local sw = refine.check({ mode = "refine", parameter = "stop_loss", config = { start = 50, stop = 1000, step = 10 },
                           optimize_by = "max_drawdown" }, reg)
  local p, d2 = drive(refine, sw, function(v) return { max_drawdown = -0.05 - math.abs(v.stop_loss - 370) / 1000 } end)
  check.eq(best_of(d2, objective.get("max_drawdown")).values.stop_loss, 370)
  check.ok(#p < 30, "a 96-value sweep in " .. #p)
end
check.err(function() refine.check(spec(grid_spec, { mode = "refine", coarse = 1 }), reg) end, "refine.coarse", "out of range")
check.err(function() refine.check(spec(grid_spec, { mode = "refine", max_backtests = 5 }), reg) end, "refine.max_backtests", "optimize")
check.err(function() refine.plan(refine.check(spec(grid_spec, { mode = "refine" }), reg), { { index = 1, results = {},
  tasks = { { task_id = 1, values = { delta = 5, profit_target = 10 }, status = "failed" } } } }) end, "no successful result")

-- ---- a caller that passes results only (failed tasks unseen): the searches still end --------
do
  local failing = function(v) if v.delta >= 22 and v.delta <= 24 then return nil end return surface(v) end
  local p = drive(optimize, optimize.check(spec(grid_spec, { mode = "optimize", max_backtests = 30, seed = 2, batch = 2 }), reg),
    failing, { results_only = true })
  check.ok(#p < 200, "optimize ended after " .. #p .. " tasks")
  local r = drive(refine, refine.check(spec(grid_spec, { mode = "refine" }), reg), failing, { results_only = true })
  check.ok(#r <= 36 * 19, "refine ended after " .. #r .. " tasks")
end

-- ---- halving -----------------------------------------------------------------------------------
local halving = modes.get("halving")
do
  local sp = { mode = "halving", period = "2019-01-01..2024-12-31",
               parameters = { delta = { start = 10, stop = 20, step = 2 }, profit_target = { start = 25, stop = 75, step = 25 } } }
  local norm = halving.check(sp, reg)
  -- 2019-01-01..2024-12-31 is 2192 days (6 x 365 + 2 leap days); eta 3, 3 rungs: the first
  -- window is round(2192 / 9) = 244 days back from the end (2024-05-02), the second
  -- round(2192 / 3) = 731 days (2023-01-01), the last the whole period
  check.eq(norm.windows[1], "2024-05-02..2024-12-31")
  check.eq(norm.windows[2], "2023-01-01..2024-12-31")
  check.eq(norm.windows[3], "2019-01-01..2024-12-31")
  check.eq(halving.count(norm), 18 + 6 + 2, "18 configurations, then the best 6, then the best 2")
  -- the score depends on the window: its best delta is 14 on the first, 16 on the second, 18
  -- over the whole period (profit target 50 on all). By hand: rung 1 keeps 14/50 (5), 14/25 and
  -- 14/75 (4), 12/50 and 16/50 (3) and, of the ties at 2, the earliest task 12/25; rung 2
  -- scores them 16/50 = 5, 14/50 = 3, the rest lower: it keeps 16/50 and 14/50; over the whole
  -- period 16/50 (3) beats 14/50 (1). The grid's own best (18/50) was left on rung 1: the price
  -- of judging on short windows.
  local peaks = { [norm.windows[1]] = 14, [norm.windows[2]] = 16, [norm.windows[3]] = 18 }
  local function f(v)
    return { mar = 5 - math.abs(v.delta - peaks[v.dates]) - math.abs(v.profit_target - 50) / 25 }
  end
  local planned, done = drive(halving, norm, f)
  check.eq(#planned, 26)
  check.eq(#done, 3)
  check.eq(#done[2].tasks, 6); check.eq(#done[3].tasks, 2)
  for r = 1, 3 do
    for _, t in ipairs(done[r].tasks) do check.eq(t.values.dates, norm.windows[r], "rung " .. r .. " runs on its window") end
  end
  -- rung 2 holds the 6 best of rung 1 (delta 10..14 around 12 at profit target 50, then ...):
  -- every promoted configuration scored at least as well as every one left behind
  local function score(d, v) for _, r in ipairs(d.results) do if json.encode(r.values) == json.encode(v) then return r.metrics.mar end end end
  local promoted = {}
  for _, t in ipairs(done[2].tasks) do promoted[t.values.delta .. "/" .. t.values.profit_target] = score(done[1], t.values) end
  local lowest_in = math.huge
  for _, v in pairs(promoted) do lowest_in = math.min(lowest_in, v) end
  for _, r in ipairs(done[1].results) do
    if not promoted[r.values.delta .. "/" .. r.values.profit_target] then check.ok(r.metrics.mar <= lowest_in, "a better one left behind") end
  end
  local answer = halving.summary(norm, json.decode(json.encode(done))).best
  check.eq(answer.values.dates, norm.windows[3], "the answer is of the full period")
  check.eq(answer.values.delta, 16); check.eq(answer.values.profit_target, 50)
  local kept = {}
  for _, t in ipairs(done[2].tasks) do kept[#kept + 1] = t.values.delta .. "/" .. t.values.profit_target end
  table.sort(kept)
  check.eq(table.concat(kept, " "), "12/25 12/50 14/25 14/50 14/75 16/50", "rung 2: the 6 best of rung 1")
  check.eq(json.encode(drive(halving, halving.check(sp, reg), f)), json.encode(planned), "deterministic")
end
check.err(function() halving.check({ mode = "halving", parameter = "delta" }, reg) end, "halving.period", "missing")
check.err(function() halving.check({ mode = "halving", parameter = "delta", period = "2010-01-01..2012-12-31" }, reg) end,
  "halving.period", "before OptionOmega's data")
check.err(function() halving.check({ mode = "halving", parameter = "delta", period = "2024-01-01..2024-03-31", rungs = 4 }, reg) end,
  "halving.rungs", "shorter than 28 days")
check.err(function() halving.check({ mode = "halving", parameter = "delta", period = "2020-01-02..2024-12-31",
  fixed = { dates = "2020-01-02..2024-12-31" } }, reg) end, "halving.fixed.dates")
-- inside a walk-forward: the window's range, given as fixed dates, is the period
do
  local n = halving.check({ mode = "halving", parameter = "delta", config = { start = 5, stop = 7 },
                            fixed = { dates = "2020-01-02..2024-12-31", stop_loss = 200 } }, reg)
  check.eq(n.period, "2020-01-02..2024-12-31"); check.eq(n.windows[3], "2020-01-02..2024-12-31")
  check.eq(n.fixed.dates, nil); check.eq(n.fixed.stop_loss, 200)
  check.eq(halving.plan(n, {}).tasks[1].values.stop_loss, 200)
end

check.done()
