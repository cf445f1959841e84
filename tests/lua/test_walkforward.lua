-- Walk-forward: the window arithmetic (rolling and anchored, month ends, leap years), the bad
-- input refused before any browser starts, and the plan: in-sample rounds of every window's
-- inner search, then each window's best on its out-of-sample dates, replayed identically from
-- the stored results (what `resume` relies on).
local check = require("check")
local modes = require("oo.modes")
local wf = modes.get("walkforward")
local reg = require("oo.parameters").discover()

local function show(list)
  local out = {}
  for _, w in ipairs(list) do out[#out + 1] = w.is_from .. ".." .. w.is_to .. "|" .. w.oos_from .. ".." .. w.oos_to end
  return table.concat(out, " ")
end

-- Expected windows worked out by hand on a calendar: window k of a rolling walk-forward starts
-- k steps after from; in-sample = [start, start + in_sample - 1 day]; out-of-sample = the next
-- out_of_sample; windows stop when the out-of-sample would end after `to`.
local list, uncovered = wf.windows({ from = "2016-01-01", to = "2018-12-31", in_sample = "24m", out_of_sample = "6m" })
check.eq(show(list), "2016-01-01..2017-12-31|2018-01-01..2018-06-30 2016-07-01..2018-06-30|2018-07-01..2018-12-31")
check.eq(uncovered, nil)
check.eq(list[2].index, 2)
-- anchored: every in-sample starts at from and grows by a step
list = wf.windows({ from = "2016-01-01", to = "2018-12-31", in_sample = "12m", out_of_sample = "6m", anchored = true })
check.eq(show(list), "2016-01-01..2016-12-31|2017-01-01..2017-06-30 2016-01-01..2017-06-30|2017-07-01..2017-12-31 "
  .. "2016-01-01..2017-12-31|2018-01-01..2018-06-30 2016-01-01..2018-06-30|2018-07-01..2018-12-31")
-- month ends: from the 31st, windows follow the last day of each month (2016 is a leap year:
-- February has 29 days, so the first in-sample ends 2016-02-28 and the next starts on the 29th)
list, uncovered = wf.windows({ from = "2016-01-31", to = "2016-06-28", in_sample = "1m", out_of_sample = "1m" })
check.eq(show(list), "2016-01-31..2016-02-28|2016-02-29..2016-03-30 2016-02-29..2016-03-30|2016-03-31..2016-04-29 "
  .. "2016-03-31..2016-04-29|2016-04-30..2016-05-30")
check.eq(uncovered, "2016-05-31", "the next window's out-of-sample would end 2016-06-29")
-- the same in 2015 (no leap year): February ends on the 28th, the second window starts on it
list = wf.windows({ from = "2015-01-31", to = "2015-04-30", in_sample = "1m", out_of_sample = "1m" })
check.eq(show(list), "2015-01-31..2015-02-27|2015-02-28..2015-03-30 2015-02-28..2015-03-30|2015-03-31..2015-04-29")
-- a leap day as from: a year later is 2017-02-28, four years later 2020-02-29
list, uncovered = wf.windows({ from = "2016-02-29", to = "2020-03-31", in_sample = "36m", out_of_sample = "12m" })
check.eq(show(list), "2016-02-29..2019-02-27|2019-02-28..2020-02-28")
check.eq(uncovered, "2020-02-29", "what is left after the last out-of-sample window")
-- step longer than the out-of-sample, in days and weeks
list = wf.windows({ from = "2020-01-01", to = "2020-12-31", in_sample = "90d", out_of_sample = "30d", step = "10w" })
check.eq(show(list), "2020-01-01..2020-03-30|2020-03-31..2020-04-29 2020-03-11..2020-06-08|2020-06-09..2020-07-08 "
  .. "2020-05-20..2020-08-17|2020-08-18..2020-09-16 2020-07-29..2020-10-26|2020-10-27..2020-11-25")

-- bad windows: what is wrong and how to fix it
local W = function(t) return function() wf.windows(t) end end
check.err(W({ from = "2016-01-01", to = "2017-01-01", in_sample = "12m", out_of_sample = "6m" }),
  "walkforward.windows", "end 2017-06-30, after to 2017-01-01", "shorter windows")
check.err(W({ from = "2016-01-01", to = "2018-12-31", in_sample = "12m", out_of_sample = "3w" }),
  "windows.out_of_sample", "shorter than a month")
check.err(W({ from = "2016-01-01", to = "2018-12-31", in_sample = "12m", out_of_sample = "6m", step = "3m" }),
  "windows.step", "would overlap")
check.err(W({ from = "2012-01-01", to = "2018-12-31", in_sample = "12m", out_of_sample = "6m" }), "windows.from", "2013-01-02")
check.err(W({ from = "2016-01-01", to = "2099-12-31", in_sample = "12m", out_of_sample = "6m" }), "windows.to", "yesterday")
check.err(W({ from = "2018-01-01", to = "2016-12-31", in_sample = "12m", out_of_sample = "6m" }), "not before")
check.err(W({ from = "2016-01-01", to = "2018-12-31", in_sample = "12", out_of_sample = "6m" }), "windows.in_sample", "not a span")
check.err(W({ from = "2016-01-01", to = "2018-12-31", out_of_sample = "6m" }), "windows.in_sample: missing")
check.err(W({ from = "2016-01-01", to = "2018-12-31", in_sample = "12m", out_of_sample = "6m", size = 3 }), "windows.size: unknown field")
local okw, e = pcall(wf.windows, { from = "2016-01-01", to = "2016-02-01", in_sample = "12m", out_of_sample = "6m" })
check.ok(not okw and require("oo.errors").code(e) == "input", "a typed input error")

-- the spec
local grid = { mode = "grid", parameters = { { name = "delta", config = { start = 10, stop = 20, step = 10 } },
                                             { name = "profit_target", config = { start = 25, stop = 50, step = 25 } } } }
local base = { mode = "walkforward", optimize_by = "mar", search = grid,
               windows = { from = "2016-01-01", to = "2018-09-30", in_sample = "12m", out_of_sample = "6m" } }
local function with(t, k, v) local c = {}; for a, b in pairs(t) do c[a] = b end; c[k] = v; return c end
check.err(function() wf.check(with(base, "search", { mode = "sweep", parameter = "dates", config = {} }), reg) end,
  "walkforward.search", "over dates", "take dates out")
check.err(function() wf.check(with(base, "search", { mode = "grid", parameters = { dates = {}, delta = {} } }), reg) end, "over dates")
check.err(function() wf.check(with(base, "fixed", { dates = "2016-01-04..2016-12-30" }), reg) end, "fixed.dates")
check.err(function() wf.check(with(base, "search", { mode = "walkforward" }), reg) end, "inside a walk-forward")
check.err(function() wf.check(with(base, "search", nil), reg) end, "walkforward.search: missing")
check.err(function() wf.check(with(base, "search", { mode = "lucky" }), reg) end, "walkforward.search.mode", "unknown mode \"lucky\"")
check.err(function() wf.check(with(base, "search", { mode = "grid", parameters = { delta = { start = 500 } } }), reg) end,
  "walkforward.search", "delta.start")
check.err(function() wf.check(with(base, "optimize_by", "luck"), reg) end, "walkforward.optimize_by", "unknown metric or goal")

-- count and plan: 3 windows (in-sample 12m, out-of-sample 6m) + the full period, a 2 x 2 grid:
-- 4 searches x (4 + 1) = 20 backtests
local norm = wf.check(base, reg)
check.eq(#norm.windows, 3)
check.eq(wf.count(norm), 20)
check.eq(norm.oos_span, "2017-01-01..2018-06-30")
local p1 = wf.plan(norm, {})
check.eq(p1.index, 1)
check.eq(p1.kind, "is")
check.eq(#p1.tasks, 16)
check.eq(p1.tasks[1].values.dates, "2016-01-01..2016-12-31")
check.eq(p1.tasks[5].values.dates, "2016-07-01..2017-06-30")
check.eq(p1.tasks[13].values.dates, "2016-01-01..2018-09-30", "the full period")
check.eq(p1.tasks[4].values.delta, 20)
check.eq(p1.tasks[4].values.profit_target, 50)

-- results: MAR made up so that each window has a different best (written down here)
--   window 1 best: delta 20, pt 25 (mar 3); window 2: delta 10, pt 50 (mar 4);
--   window 3: delta 10, pt 25 (mar 2); full period: delta 20, pt 50 (mar 5)
local mar = {
  ["2016-01-01..2016-12-31"] = { ["10/25"] = 1, ["10/50"] = 2, ["20/25"] = 3, ["20/50"] = 0.5 },
  ["2016-07-01..2017-06-30"] = { ["10/25"] = 1, ["10/50"] = 4, ["20/25"] = 3, ["20/50"] = 0.5 },
  ["2017-01-01..2017-12-31"] = { ["10/25"] = 2, ["10/50"] = 1, ["20/25"] = 1, ["20/50"] = -1 },
  ["2016-01-01..2018-09-30"] = { ["10/25"] = 1, ["10/50"] = 2, ["20/25"] = 3, ["20/50"] = 5 },
}
local function results_of(plan, skip)
  local out = {}
  for i, t in ipairs(plan.tasks) do
    if not (skip and skip[i]) then
      local v = t.values
      local by = mar[v.dates]
      local m = by and by[v.delta .. "/" .. v.profit_target] or 0.7
      out[#out + 1] = { task_id = 100 + i, values = v, metrics = { mar = m, cagr = m / 10 } }
    end
  end
  return out
end
-- a task that failed for good (index 6: window 2, delta 10 pt 50, its best) has no result
local done = { { index = 1, results = results_of(p1, { [6] = true }) } }
local p2 = wf.plan(norm, done)
check.eq(p2.index, 2)
check.eq(p2.kind, "oos")
check.eq(#p2.tasks, 4)
local function vals(v) return string.format("%s d%s pt%s", v.dates, tostring(v.delta), tostring(v.profit_target)) end
check.eq(vals(p2.tasks[1].values), "2017-01-01..2017-06-30 d20 pt25", "window 1's best on its out-of-sample")
check.eq(vals(p2.tasks[2].values), "2017-07-01..2017-12-31 d20 pt25", "window 2's best without its failed task (mar 3)")
check.eq(vals(p2.tasks[3].values), "2018-01-01..2018-06-30 d10 pt25")
check.eq(vals(p2.tasks[4].values), "2017-01-01..2018-06-30 d20 pt50", "the full-period best on the out-of-sample span")
done[2] = { index = 2, results = results_of(p2) }
check.eq(wf.plan(norm, done), nil, "complete after the out-of-sample round")
local state = wf.state(norm, done)
check.eq(state.searches[1].best.values.delta, 20)
check.eq(state.searches[1].oos_result.task_id, 101)
check.eq(state.searches[4].oos_result.values.dates, "2017-01-01..2018-06-30")
check.eq(state.searches[2].candidates, 3)
-- replaying the same stored results gives the same plan (resume)
check.eq(vals(wf.plan(norm, { done[1] }).tasks[3].values), "2018-01-01..2018-06-30 d10 pt25")

-- a staged inner search: one in-sample round per stage, each window's stage 2 fixes its own best
local staged = with(base, "search", { mode = "staged", stages = {
  { parameter = "delta", config = { start = 10, stop = 20, step = 10 } },
  { parameter = "profit_target", use_best_from = "delta", config = { start = 25, stop = 50, step = 25 } } } })
staged.full_period = false
local sn = wf.check(staged, reg)
check.eq(wf.count(sn), 3 * (4 + 1))
local s1 = wf.plan(sn, {})
check.eq(#s1.tasks, 6)
check.eq(s1.tasks[1].values.profit_target, nil)
local function staged_results(plan)
  local out = {}
  for i, t in ipairs(plan.tasks) do
    local v = t.values
    -- window 1 prefers delta 10, the others delta 20; profit target 50 everywhere
    local m = ((v.dates:sub(1, 10) == "2016-01-01") == (v.delta == 10) and 2 or 1) + (v.profit_target == 50 and 1 or 0)
    out[#out + 1] = { task_id = i, values = v, metrics = { mar = m } }
  end
  return out
end
local sd = { { index = 1, results = staged_results(s1) } }
local s2 = wf.plan(sn, sd)
check.eq(s2.kind, "is")
check.eq(#s2.tasks, 6)
check.eq(vals(s2.tasks[1].values), "2016-01-01..2016-12-31 d10 pt25")
check.eq(vals(s2.tasks[4].values), "2016-07-01..2017-06-30 d20 pt50")
sd[2] = { index = 2, results = staged_results(s2) }
local s3 = wf.plan(sn, sd)
check.eq(s3.kind, "oos")
check.eq(vals(s3.tasks[1].values), "2017-01-01..2017-06-30 d10 pt50")
check.eq(vals(s3.tasks[3].values), "2018-01-01..2018-06-30 d20 pt50")

-- identical tasks planned twice in one stage (one window: its best is also the full period's,
-- and its out-of-sample is the whole out-of-sample span): each gets one of the two results
local one = wf.check(with(base, "windows", { from = "2016-01-01", to = "2017-06-30", in_sample = "12m", out_of_sample = "6m" }), reg)
local o1 = wf.plan(one, {})
local od = { { index = 1, results = {} } }
for i, t in ipairs(o1.tasks) do
  od[1].results[i] = { task_id = i, values = t.values, metrics = { mar = (t.values.delta == 20 and t.values.profit_target == 50) and 9 or 1 } }
end
local o2 = wf.plan(one, od)
check.eq(#o2.tasks, 2)
check.eq(wf.key_of(o2.tasks[1].values), wf.key_of(o2.tasks[2].values))
od[2] = { index = 2, results = { { task_id = 50, values = o2.tasks[1].values, metrics = { mar = 1 } },
                                 { task_id = 51, values = o2.tasks[2].values, metrics = { mar = 1 } } } }
local ost = wf.state(one, od)
check.eq(ost.searches[1].oos_result.task_id, 50)
check.eq(ost.searches[2].oos_result.task_id, 51)

-- a window with no successful in-sample result is reported, the others go on
local nd = { { index = 1, results = {} } }
for i, t in ipairs(p1.tasks) do
  if t.values.dates ~= "2016-07-01..2017-06-30" then nd[1].results[#nd[1].results + 1] = { task_id = i, values = t.values, metrics = { mar = 1 } } end
end
local np = wf.plan(norm, nd)
check.eq(#np.tasks, 3)
local nst = wf.state(norm, nd)
check.eq(nst.searches[2].error, "no successful in-sample result")

check.done()
