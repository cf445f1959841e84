-- One result's analysis (lua/oo/analysis/result.lua) on fixed trade logs: every metric, the
-- breakdowns, the reconciliation with OptionOmega's numbers and the seeded Monte Carlo.
--   small.csv   10 trades in January and February 2024, start $10,000: numbers worked out by
--               hand below (and by reference.py, which agrees)
--   medium.csv  286 trades from 2019 to mid-2023, start $50,000, with an equity curve whose
--               dates skip holidays: numbers from reference.py (expected.lua)
local check = require("check")
local fs = require("fs")
local json = require("json")
local tradelog = require("oo.tradelog")
local result = require("oo.analysis.result")
local measures = require("oo.analysis.measures")
local calendar = require("oo.analysis.calendar")
local expected = dofile("fixtures/analysis/expected.lua")

local function rows_of(path)
  local trades = tradelog.parse(assert(fs.read(path)))
  local rows = {}
  for i, t in ipairs(trades) do rows[i] = t.row end
  return rows
end

-- the calendar: day numbers round-trip; 1970-01-01 was a Thursday, 2024-01-02 a Tuesday
check.eq(calendar.day("1970-01-01"), 0)
check.eq(calendar.date(calendar.day("2024-02-29")), "2024-02-29")
check.eq(calendar.day("2024-03-01") - calendar.day("2024-02-28"), 2)
check.eq(calendar.weekday(0), 4)
check.eq(calendar.weekday(calendar.day("2024-01-02")), 2)
check.eq(calendar.date(calendar.months_before(calendar.day("2024-03-31"), 1)), "2024-02-29")
check.eq(calendar.date(calendar.months_before(calendar.day("2023-06-30"), 36)), "2020-06-30")
check.eq(calendar.day("2024-13-01"), nil)

-- ---- small.csv, by hand -----------------------------------------------------------------------
-- entry order: +100 +50 -200 -100 +150 0 +300 -50 +80 +20 (P/L $350; the 0 counts as a loss,
-- as in OptionOmega's Winners: 6 winners)
local small_rows = rows_of("fixtures/analysis/small.csv")
local om = { trades = 10, winners = 6, pl = 350, starting_capital = 10000 }
local a = result.analyze({ id = 7, values = { delta = 15 }, metrics = om }, small_rows, { mc_paths = 200, seed = 3 })
local m = a.metrics
check.ok(a.reconciliation.ok, a.reconciliation.message)
check.eq(a.reconciliation.trades.log, 10)
check.eq(a.reconciliation.winners.log, 6)
check.eq(a.reconciliation.pl.log, 350)
check.near(m.profit_factor, 2.0, 1e-12, "profit factor: gross 700 / 350")
check.near(m.expectancy, 35, 1e-12, "expectancy: 350 / 10")
check.near(m.avg_win, 700 / 6, 1e-12, "average win: 700 / 6")
check.near(m.avg_loss, -87.5, 1e-12, "average loss: -350 / 4")
check.near(m.payoff_ratio, (700 / 6) / 87.5, 1e-12, "payoff: 116.67 / 87.5")
check.near(m.kelly, 0.3, 1e-12, "Kelly: 0.6 - 0.4 / 1.3333")
check.eq(m.max_consecutive_wins, 2, "W W L L W L W L W W")
check.eq(m.max_consecutive_losses, 2)
check.eq(m.var95, -200, "VaR per trade: k = ceil(0.5) = 1, the worst trade")
check.eq(m.cvar95, -200)
-- the days: the 26 weekdays from 2024-01-02 to 2024-02-06; k = ceil(1.3) = 2 worst days
check.eq(a.period.days, 26)
check.eq(m.var95_day, -100, "VaR per day: the 2nd worst day (-200, -100, ...)")
check.eq(m.cvar95_day, -150, "CVaR per day: (-200 - 100) / 2")
-- equity 10100, 10150, 10150, 9950 (Jan 5), 9850 (Jan 8), 10000 ... 10300 (Jan 16) ...
check.near(m.max_drawdown_trades, 9850 / 10150 - 1, 1e-12, "max drawdown: 10150 -> 9850")
check.eq(m.max_drawdown_dollars, -300)
check.near(m.recovery_factor, 350 / 300, 1e-12)
check.eq(m.longest_underwater_days, 12, "under water from Jan 4 (last day at 10150) to Jan 16")
check.near(m.cagr_trades, (10350 / 10000) ^ (365.25 / 36) - 1, 1e-12, "CAGR over the 36 days Jan 2 .. Feb 6")
check.near(m.calmar, m.cagr_trades / -m.max_drawdown_trades, 1e-12, "Calmar: under 36 months, the whole span")
check.eq(m.best_month.month, 1); check.eq(m.best_month.pl, 300)
check.eq(m.worst_month.month, 2); check.eq(m.worst_month.pl, 50)
check.eq(m.profitable_months, 1)
-- Sharpe, Sortino and Ulcer on those 26 daily returns: reference.py
check.near(m.sharpe, expected.small.sharpe, 1e-9, "Sharpe")
check.near(m.sortino, expected.small.sortino, 1e-9, "Sortino")
check.near(m.ulcer_index, expected.small.ulcer_index, 1e-9, "Ulcer")
-- breakdowns, by hand: Tuesday entries (Jan 2, Jan 9, Feb 6) made 100 + 150 + 20
local wd = {}
for _, w in ipairs(a.weekday) do wd[w.name] = w end
check.eq(wd.Tue.trades, 3); check.eq(wd.Tue.pl, 270)
check.eq(wd.Mon.trades, 3); check.eq(wd.Mon.pl, 280)
check.eq(wd.Thu.trades, 2); check.eq(wd.Thu.pl, -250)
check.eq(wd.Fri.trades, 0)
local reasons = {}
for _, r in ipairs(a.reasons) do reasons[r.reason] = r end
check.eq(reasons["Profit Target"].trades, 4); check.eq(reasons["Profit Target"].pl, 530)
check.eq(reasons["Stop Loss"].pl, -350)
check.eq(reasons.Expired.pl, 170)
check.eq(#a.monthly, 2); check.eq(a.monthly[1].pl, 300); check.eq(a.monthly[2].trades, 3)
local in_bins = 0
for _, b in ipairs(a.histogram) do in_bins = in_bins + b.count end
check.eq(#a.histogram, 5, "ceil(sqrt(10)) = 4 bins, at least 5")
check.eq(in_bins, 10)
check.eq(a.histogram[1].count, 1, "[-200, -100): the -200 trade")
check.eq(#a.equity, 26); check.eq(a.equity[26].equity, 10350); check.eq(a.drawdown[5].drawdown, 9850 / 10150 - 1)
-- Monte Carlo: 200 paths of 10 trades, seed 3, against reference.py
local mc, emc = a.monte_carlo, expected.small.mc
for _, k in ipairs({ "max_drawdown", "final_pl", "cagr" }) do
  for _, p in ipairs({ "p5", "p50", "p95" }) do check.near(mc[k][p], emc[k][p], 1e-9, "small MC " .. k .. " " .. p) end
end
check.near(mc.prob_drawdown_beyond.threshold, emc.threshold, 1e-12)
check.near(mc.prob_drawdown_beyond.p, emc.p_beyond, 1e-12)
check.eq(mc.bands[1].p50, 10000)
check.eq(#mc.bands, 11, "start and after each trade (10 trades, fewer than 50 bands)")
-- same seed, same numbers; another seed, others
local again = result.analyze({ id = 7, metrics = om }, small_rows, { mc_paths = 200, seed = 3 }).monte_carlo
check.eq(again.final_pl.p50, mc.final_pl.p50)
check.eq(again.max_drawdown.p5, mc.max_drawdown.p5)
local other = result.analyze({ id = 7, metrics = om }, small_rows, { mc_paths = 200, seed = 4 }).monte_carlo
check.ok(other.final_pl.p5 ~= mc.final_pl.p5 or other.max_drawdown.p5 ~= mc.max_drawdown.p5, "seed 4 differs")

-- a threshold given: the share of the same paths (seed 3) whose drawdown goes beyond it
local stats = require("stats")
local exit_pls = { 100, 50, -200, -100, 150, 0, 300, -50, 80, 20 }   -- exit order = entry order here
local same = stats.bootstrap(exit_pls, { paths = 200, length = 10, seed = 3, start = 10000 })
local beyond = 0
for _, d in ipairs(same.drawdown) do if d < -0.03 then beyond = beyond + 1 end end
local given = result.analyze({ id = 7, metrics = om }, small_rows, { mc_paths = 200, seed = 3, mc_threshold = -0.03 }).monte_carlo
check.eq(given.prob_drawdown_beyond.threshold, -0.03)
check.eq(given.prob_drawdown_beyond.basis, "as asked")
check.near(given.prob_drawdown_beyond.p, beyond / 200, 1e-12)
check.eq(mc.prob_drawdown_beyond.basis, "1.5 times its own")
-- a risk-free rate lowers Sharpe: (mean - rf / 252) / sd * sqrt(252)
local rf = result.analyze({ id = 7, metrics = om }, small_rows, { mc_paths = 100, risk_free = 0.05 }).metrics
check.ok(rf.sharpe < m.sharpe and rf.sortino < m.sortino)

-- ---- reconciliation: said when it does not hold --------------------------------------------------
local off = result.analyze({ id = 8, metrics = { trades = 11, winners = 6, pl = 350.01, starting_capital = 10000 } },
  small_rows, { mc_paths = 100 })
check.eq(off.reconciliation.ok, false)
check.eq(off.reconciliation.trades.ok, false)
check.eq(off.reconciliation.winners.ok, true)
check.eq(off.reconciliation.pl.ok, false, "one cent off is off")
check.ok(off.reconciliation.message:find("does not reconcile", 1, true) and off.reconciliation.message:find("trades: the trade log says 10, OptionOmega 11", 1, true),
  off.reconciliation.message)
check.ok(off.warnings[1] == off.reconciliation.message)
local none = result.analyze({ id = 9, metrics = { starting_capital = 10000 } }, small_rows, { mc_paths = 100 })
check.eq(none.reconciliation.ok, false)
check.ok(none.reconciliation.message:find("not stored", 1, true), none.reconciliation.message)
-- no trades at all: said, nothing divides by zero
local empty = result.analyze({ id = 10, metrics = { trades = 0, winners = 0, pl = 0, starting_capital = 10000 } }, {}, {})
check.ok(empty.reconciliation.ok)
check.eq(empty.monte_carlo, nil)
check.ok(empty.warnings[1]:find("no trades", 1, true))
-- starting capital from the first trade to close when OptionOmega's is missing
local nostart = result.analyze({ id = 11, metrics = { trades = 10, winners = 6, pl = 350 } }, small_rows, { mc_paths = 100 })
check.eq(nostart.period.start_capital, 10000, "Funds at Close 10100 - P/L 100")

-- ---- the measures alone, on edge cases ------------------------------------------------------------
local t = measures.trades({ 10, 20 })
check.eq(t.profit_factor, nil, "no loss: no profit factor")
check.eq(t.kelly, nil)
check.eq(measures.sharpe({ 0.01, 0.01, 0.01 }), nil, "no variance: no Sharpe")
check.eq(measures.sortino({ 0.01, 0.02 }), nil, "no down day: no Sortino")
local v1, c1 = measures.tail({ 5, -1, 3, -7, 2, 0, 1, 4, -2, 6, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18 }, 0.05)
check.eq(v1, -2, "21 values: k = ceil(1.05) = 2, the 2nd worst")
check.eq(c1, -4.5)
check.eq(measures.underwater({ 1, 2, 3 }, { 90, 95, 96 }, 100), 2, "never recovered: to the last day")

-- ---- medium.csv against reference.py, on the equity curve's own dates ---------------------------------
local dates = json.decode(assert(fs.read("fixtures/analysis/medium_equity_dates.json")))
local equity = {}
for i, d in ipairs(dates) do equity[i] = { d, 0 } end
local med_rows = rows_of("fixtures/analysis/medium.csv")
local em = expected.medium
local b = result.analyze({ id = 12, metrics = { trades = 286, winners = 211, pl = 2901.32, starting_capital = 50000 },
                           raw_data = { equity = equity } }, med_rows, { mc_paths = 2000, seed = 11, risk_free = 0.02 })
check.ok(b.reconciliation.ok, b.reconciliation.message)
check.eq(b.period.days, em.days, "the equity curve's days (holidays missing)")
for _, k in ipairs({ "profit_factor", "expectancy", "avg_win", "avg_loss", "payoff_ratio", "kelly", "var95", "cvar95",
                     "sharpe", "sortino", "max_drawdown_trades", "max_drawdown_dollars", "cagr_trades", "recovery_factor",
                     "calmar", "ulcer_index", "var95_day", "cvar95_day", "profitable_months" }) do
  check.near(b.metrics[k], em[k], 1e-9 * math.max(1, math.abs(em[k])), "medium " .. k)
end
for _, k in ipairs({ "max_consecutive_wins", "max_consecutive_losses", "longest_underwater_days" }) do
  check.eq(b.metrics[k], em[k], "medium " .. k)
end
check.eq(b.metrics.best_month.year, em.best_month.year); check.eq(b.metrics.best_month.month, em.best_month.month)
check.near(b.metrics.worst_month.pl, em.worst_month.pl, 1e-9)
check.eq(#b.monthly, em.months)
for _, k in ipairs({ "max_drawdown", "final_pl", "cagr" }) do
  for _, p in ipairs({ "p5", "p50", "p95" }) do
    check.near(b.monte_carlo[k][p], em.mc[k][p], 1e-9 * math.max(1, math.abs(em.mc[k][p])), "medium MC " .. k .. " " .. p)
  end
end
check.near(b.monte_carlo.prob_drawdown_beyond.p, em.mc.p_beyond, 1e-12)
check.eq(#b.monte_carlo.bands, 51, "start and 50 checkpoints")

check.done()
