-- Test modes plan tasks from the real parameter scripts; bad specs are refused with a message
-- naming what and where.
local check = require("check")
local modes = require("oo.modes")
local values = require("oo.values")
local reg = require("oo.parameters").discover()

-- values
check.eq(table.concat(values.range(5, 50, 5), ","), "5,10,15,20,25,30,35,40,45,50")
check.eq(table.concat(values.range(0.1, 0.5, 0.1), ","), "0.1,0.2,0.3,0.4,0.5")
check.eq(table.concat(values.range(3, 1, -1), ","), "3,2,1")
check.err(function() values.range(1, 5, 0) end, "step must not be 0")
check.err(function() values.range(5, 1, 1) end, "past stop")
check.eq(table.concat(values.time_range("09:32", "10:32", 30), ","), "09:32,10:02,10:32")
check.err(function() values.time_range("9:99", "10:00", 5) end, "not a time")

-- sweep (the design's example: 46 tests)
local sweep = modes.get("sweep")
local s = sweep.check({ parameter = "delta", config = { start = 5, stop = 50, step = 1 } }, reg)
check.eq(sweep.count(s), 46)
local plan = sweep.plan(s, {})
check.eq(#plan.tasks, 46)
check.eq(plan.tasks[1].values.delta, 5)
check.eq(plan.tasks[46].values.delta, 50)
check.eq(sweep.plan(s, { plan }), nil)

-- grid (the design's example: 4 x 5 = 20)
local grid = modes.get("grid")
local g = grid.check({ parameters = { delta = { start = 5, stop = 20, step = 5 },
                                      profit_target = { start = 10, stop = 50, step = 10 } } }, reg)
check.eq(grid.count(g), 20)
local gp = grid.plan(g, {})
check.eq(#gp.tasks, 20)
check.eq(gp.tasks[1].values.delta, 5)
check.eq(gp.tasks[1].values.profit_target, 10)
check.eq(gp.tasks[2].values.profit_target, 20)
check.eq(gp.tasks[20].values.delta, 20)
local seen = {}
for _, t in ipairs(gp.tasks) do seen[t.values.delta .. "/" .. t.values.profit_target] = true end
local n = 0
for _ in pairs(seen) do n = n + 1 end
check.eq(n, 20, "every combination once")
-- ordered list form, three parameters
local g3 = grid.check({ parameters = { { name = "stop_loss", config = { start = 100, stop = 200, step = 100 } },
                                        { name = "delta", config = { start = 10, stop = 12 } },
                                        { name = "entry_time", config = { start = "09:32", stop = "10:32", step = 60 } } } }, reg)
check.eq(grid.count(g3), 12)
check.eq(grid.plan(g3, {}).tasks[1].values.entry_time, "09:32")

-- staged: the best of stage 1 by the metric is fixed in stage 2
local staged = modes.get("staged")
local st = staged.check({ stages = {
  { parameter = "delta", config = { start = 5, stop = 7 } },
  { parameter = "profit_target", use_best_from = "delta", optimize_by = "mar",
    config = { start = 10, stop = 30, step = 10 } } } }, reg)
check.eq(staged.count(st), 6)
local p1 = staged.plan(st, {})
check.eq(#p1.tasks, 3)
local mars = { 1.2, 1.9, 0.4 }
local results = {}
for i, t in ipairs(p1.tasks) do results[i] = { values = t.values, metrics = { mar = mars[i], cagr = 0.1 } } end
local p2 = staged.plan(st, { { results = results } })
check.eq(#p2.tasks, 3)
for _, t in ipairs(p2.tasks) do check.eq(t.values.delta, 6, "best delta by MAR carried") end
check.eq(staged.plan(st, { { results = results }, { results = {} } }), nil)
-- max_drawdown: closest to zero wins; a custom function works; failed tasks never win
local dd = staged.check({ optimize_by = "max_drawdown", stages = { { parameter = "delta", config = { start = 1, stop = 3 } },
  { parameter = "stop_loss", use_best_from = "delta" } } }, reg)
local r2 = { { values = { delta = 1 }, metrics = { max_drawdown = -0.2 } },
             { values = { delta = 2 }, metrics = { max_drawdown = -0.05 } },
             { values = { delta = 3 } } }
check.eq(staged.plan(dd, { { results = r2 } }).tasks[1].values.delta, 2)
local custom = staged.check({ stages = { { parameter = "delta", config = { start = 1, stop = 3 },
  optimize_by = function(m) return -m.cagr end }, { parameter = "stop_loss" } } }, reg)
local r3 = { { values = { delta = 1 }, metrics = { cagr = 0.3 } }, { values = { delta = 2 }, metrics = { cagr = 0.1 } },
             { values = { delta = 3 }, metrics = { cagr = 0.2 } } }
check.eq(staged.plan(custom, { { results = r3 } }).tasks[1].values.delta, 2)
check.err(function() staged.plan(st, { { results = { { values = { delta = 5 } } } } }) end, "no successful result")

-- bad input is refused before anything runs, naming what and where
check.err(function() modes.get("spiral") end, "unknown mode", "sweep, grid, staged")
check.err(function() sweep.check({ parameter = "vega", config = {} }, reg) end, "unknown parameter", "delta")
check.err(function() sweep.check({ parameter = "delta", config = { start = 0 } }, reg) end, "delta.start", "below the minimum 1")
check.err(function() sweep.check({ parameter = "delta", config = { start = 5, stop = 150 } }, reg) end, "delta.stop", "above the maximum")
check.err(function() sweep.check({ parameter = "delta", config = { step = 0 } }, reg) end, "delta.step")
check.err(function() sweep.check({ parameter = "delta", config = { start = 50, stop = 5 } }, reg) end, "past stop")
check.err(function() sweep.check({ parameter = "delta", config = { stat = 5 } }, reg) end, "delta.stat", "unknown field")
check.err(function() sweep.check({ parameter = "delta", config = { apply_to = "straddle" } }, reg) end, "apply_to", "both, put, call")
check.err(function() sweep.check({ parameter = "entry_time", config = { start = "08:00", stop = "09:40", step = 10 } }, reg) end, "before 09:32")
check.err(function() grid.check({ parameters = {} }, reg) end, "at least one parameter")
check.err(function() staged.check({ stages = { { parameter = "delta" }, { parameter = "rsi", use_best_from = "stop_loss" } } }, reg) end,
  "stages[2].use_best_from", "not an earlier stage")
check.err(function() staged.check({ stages = { { parameter = "delta", optimize_by = "sharpe" } } }, reg) end,
  "unknown metric or goal \"sharpe\"")

-- spec errors are typed input errors (oo.errors): what the CLI exits 1 and the API answers 400 for
local errors = require("oo.errors")
local ok, e = pcall(sweep.check, { parameter = "delta", config = { start = 0 } }, reg)
check.eq(ok, false)
check.eq(errors.code(e), "input")
ok, e = pcall(staged.check, { stages = { { parameter = "delta", optimize_by = "sharpe" } } }, reg)
check.eq(errors.code(e), "input")

-- a failing optimize_by function fails the stage with its own error and file:line, never a
-- "no successful result" (issue 12.14)
local failing = staged.check({ stages = { { parameter = "delta", config = { start = 1, stop = 2 },
  optimize_by = function(m) return m.cagr.nope end }, { parameter = "stop_loss" } } }, reg)
local r4 = { { values = { delta = 1 }, metrics = { cagr = 0.3 } }, { values = { delta = 2 }, metrics = { cagr = 0.1 } } }
ok, e = pcall(staged.plan, failing, { { results = r4 } })
check.eq(ok, false)
check.ok(errors.message(e):find("optimize_by function failed", 1, true), errors.message(e))
check.ok(errors.message(e):find("test_modes.lua:%d+:"), "the function's file:line: " .. errors.message(e))
check.ok(not errors.message(e):find("no successful result", 1, true), errors.message(e))

-- counting without building: a grid of 10^20 combinations is a number, not a wrapped integer or
-- a planner that runs out of memory; no parameter gives over 100,000 values (issue 12.6)
check.eq(values.count_range({ start = 5, stop = 50, step = 5 }), 10)
check.err(function() values.range(0, 1e10, 1) end, "over 100000")
check.err(function() sweep.check({ parameter = "stop_loss", config = { start = 0, stop = 2000, step = 0.01 } }, reg) end,
  "stop_loss gives 200001 values, over the 100000")
local huge = grid.check({ parameters = {
  { name = "stop_loss", config = { start = 0, stop = 999.99, step = 0.01 } },
  { name = "profit_target", config = { start = 0, stop = 999.99, step = 0.01 } },
  { name = "delta", config = { start = 1, stop = 100, step = 1 } },
  { name = "entry_sl_ratio", config = { start = 0.05, stop = 5, step = 0.05 } } } }, reg)
check.eq(grid.count(huge), 1e14, "a 10^14 grid is counted, never planned")
local spec_mod = require("oo.spec")
check.err(function() spec_mod.check_count(grid.count(huge), true, "grid") end, "100000000000000 backtests", "over the 100000")
check.err(function() spec_mod.check_count(1001, false, "grid") end, "1001 backtests", "--yes")
spec_mod.check_count(1001, true, "grid")

check.done()
