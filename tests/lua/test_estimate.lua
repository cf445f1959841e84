-- The estimate shown before a run: the account's time per backtest (the median of the recent
-- runs' medians), the pace (browsers or the rate limit, the slower), and how it reads.
local check = require("check")
local estimate = require("oo.estimate")

-- medians: odd and even counts
check.eq(estimate.median({ 3, 1, 2 }), 2)
check.eq(estimate.median({ 4, 1, 3, 2 }), 2.5)
check.eq(estimate.median({}), nil)

-- run 7: 10, 30, 20 s -> 20; run 6: 40, 60 -> 50; run 5: 35 -> 35; median of 20, 50, 35 = 35.
-- A row without seconds (a task with no timestamps) is left out.
local rows = { { run_id = 7, seconds = 10 }, { run_id = 7, seconds = 30 }, { run_id = 7, seconds = 20 },
               { run_id = 6, seconds = 40 }, { run_id = 6, seconds = 60 }, { run_id = 5, seconds = 35 },
               { run_id = 5 } }
local s, runs = estimate.per_backtest(rows)
check.eq(s, 35); check.eq(runs, 3)

-- 60 backtests at 35 s on 2 browsers: 2 x 60 / 35 = 3.43 a minute, under a limit of 10:
-- 60 / 3.4286 = 17.5 min
local e = estimate.compute { backtests = 60, browsers = 2, rate_limit = 10, history = rows }
check.near(e.per_minute, 120 / 35, 1e-12); check.eq(e.limited_by, "browsers")
check.near(e.minutes, 17.5, 1e-9)
check.eq(estimate.text(e), "about 18 min: 60 backtests, 35 s each (median of 3 recent runs), 2 browsers, at most 10 a minute")
-- 8 browsers would do 13.7 a minute: the limit of 10 sets the pace, 380 backtests = 38 min
e = estimate.compute { backtests = 380, browsers = 8, rate_limit = 10, history = rows }
check.eq(e.limited_by, "rate limit"); check.near(e.minutes, 38, 1e-9)
check.eq(estimate.duration(e.minutes), "about 38 min")
-- no history: the stated default; no limit
e = estimate.compute { backtests = 400, browsers = 2, rate_limit = 0, history = {} }
check.eq(e.runs, 0); check.eq(e.seconds, estimate.default_seconds)
check.eq(estimate.text(e), "about 2 h 30 min: 400 backtests, 45 s each (no history yet: assumed), 2 browsers, no rate limit")
-- durations
check.eq(estimate.duration(0.4), "under a minute")
check.eq(estimate.duration(89.4), "about 89 min")
check.eq(estimate.duration(120), "about 2 h")
check.eq(estimate.duration(60 * 11 + 7), "about 11 h 05 min")

check.done()
