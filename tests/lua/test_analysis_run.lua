-- A run's analysis (lua/oo/analysis/run.lua and goals, robustness, significance): each goal
-- picks what its definition says, robustness finds the spike, the Pareto front, the avoid list,
-- and the significance test against the independent implementation (reference.py).
local check = require("check")
local fs = require("fs")
local tradelog = require("oo.tradelog")
local objective = require("oo.objective")
local goals = require("oo.analysis.goals")
local robustness = require("oo.analysis.robustness")
local run = require("oo.analysis.run")
local report = require("oo.analysis.report")
local significance = require("oo.analysis.significance")
local expected = dofile("fixtures/analysis/expected.lua")

-- ---- a 3 x 3 grid (delta x profit_target) given by its metrics ------------------------------------
-- name  delta pt   CAGR   max DD  trades   P/L per trade
--  A     10   25   10%     -5%     200        20
--  B     10   50   12%     -6%     200        24
--  C     10   75   11%     -8%     200        22
--  D     20   25   18%    -15%     200        36
--  E     20   50   30%    -10%     200        60     a spike: its neighbours are far below
--  F     20   75   17%    -14%     200        34
--  G     30   25   25%    -35%     200        50     beyond the 30% drawdown limit
--  H     30   50   26%    -28%     200        52
--  I     30   75   -2%    -40%      20        -3     loses money, few trades, the deepest drawdown
-- MAR = CAGR / |max DD|.
local spec = {
  { "A", 10, 25, 0.10, -0.05, 200, 20 }, { "B", 10, 50, 0.12, -0.06, 200, 24 }, { "C", 10, 75, 0.11, -0.08, 200, 22 },
  { "D", 20, 25, 0.18, -0.15, 200, 36 }, { "E", 20, 50, 0.30, -0.10, 200, 60 }, { "F", 20, 75, 0.17, -0.14, 200, 34 },
  { "G", 30, 25, 0.25, -0.35, 200, 50 }, { "H", 30, 50, 0.26, -0.28, 200, 52 }, { "I", 30, 75, -0.02, -0.40, 20, -3 },
}
local rows, by = {}, {}
for i, s in ipairs(spec) do
  rows[i] = { result_id = 100 + i, name = s[1], values = { delta = s[2], profit_target = s[3] },
              metrics = { cagr = s[4], max_drawdown = s[5], mar = s[4] / -s[5], trades = s[6], avg_per_trade = s[7],
                          pl = s[6] * s[7] } }
  by[s[1]] = i
end
local mar = function(n) return rows[by[n]].metrics.mar end

-- returns: within the 30% limit (A..F, H), score = 100 (cagr - 10%) / (30% - 10%)
local r = goals.goals.returns.evaluate(rows, {})
check.near(r[by.E].score, 100, 1e-9)
check.near(r[by.B].score, 100 * (0.12 - 0.10) / 0.20, 1e-9)
check.near(r[by.H].score, 100 * (0.26 - 0.10) / 0.20, 1e-9)
check.near(r[by.A].score, 0, 1e-9)
check.eq(r[by.G], nil, "G: beyond the limit, no returns score")
check.eq(r[by.I], nil)
-- capital: positive expectancy (A..H), half the drawdown's place (5% best, 35% worst) and half
-- the MAR's place (E's 3.0 best, G's 0.714 worst)
local c = goals.goals.capital.evaluate(rows)
local function cap(n, dd) return 100 * (0.5 * (1 - (dd - 0.05) / 0.30) + 0.5 * (mar(n) - mar("G")) / (mar("E") - mar("G"))) end
check.near(c[by.E].score, cap("E", 0.10), 1e-9)
check.near(c[by.A].score, cap("A", 0.05), 1e-9)
check.near(c[by.H].score, cap("H", 0.28), 1e-9)
check.near(c[by.G].score, 0, 1e-9)
check.eq(c[by.I], nil, "I loses money: no capital score")
-- balanced: 50% returns + 50% capital (a missing one counts 0)
local bal = goals.goals.balanced.evaluate(rows, {})
check.near(bal[by.H].score, 0.5 * 100 * 0.16 / 0.20 + 0.5 * cap("H", 0.28), 1e-9)
check.near(bal[by.G].score, 0.5 * 0 + 0.5 * 0, 1e-9)
check.eq(bal[by.I], nil)
-- the goals through oo.objective (what optimize_by = "balanced" uses): E is each goal's best
for _, g in ipairs({ "returns", "capital", "balanced" }) do
  local best = objective.get(g).best(rows)
  check.eq(best and best.name, "E", g .. ": the best by its definition")
  check.eq(objective.get(g).kind, "goal")
end
check.eq(objective.get("mar").best(rows).name, "E")
local names = table.concat(objective.names(), ",")
check.ok(names:find("balanced", 1, true) and names:find("returns", 1, true) and names:find("capital", 1, true), names)
-- a goal always names a best when any row has metrics: nothing within the limit, no positive
-- expectancy: ranked regardless, and said
local bad = { { values = { delta = 1 }, metrics = { cagr = -0.1, max_drawdown = -0.5, mar = -0.2, avg_per_trade = -1 } },
              { values = { delta = 2 }, metrics = { cagr = -0.05, max_drawdown = -0.6, mar = -0.08, avg_per_trade = -2 } } }
check.eq(objective.get("returns").best(bad).values.delta, 2)
check.ok(goals.goals.returns.evaluate(bad, {})[1].reasons[2]:find("no configuration stays within", 1, true))
check.ok(goals.goals.capital.evaluate(bad)[1].relaxed)
check.eq(goals.goals.returns.scores({ { values = {}, metrics = nil } })[1], nil, "no metrics: no score")

-- robustness: neighbours at ±1 step; E's (B, D, F, H) keep a mean MAR of
-- (2.0 + 1.2 + 1.2143 + 0.9286) / 4 = 1.3357 of its 3.0: a loss of 55% -> fragile
local rob = robustness.analyze(rows, { metric = "mar" })
local nb_E = (mar("B") + mar("D") + mar("F") + mar("H")) / 4
check.eq(rob[by.E].neighbours, 4)
check.near(rob[by.E].loss, (3.0 - nb_E) / 3.0, 1e-9)
check.ok(rob[by.E].fragile, "E is a spike")
check.near(rob[by.E].score, 100 * nb_E / 3.0, 1e-9)
check.eq(rob[by.A].neighbours, 2, "a corner has two neighbours")
check.near(rob[by.A].loss, (2.0 - (mar("B") + mar("D")) / 2) / 2.0, 1e-9)
check.ok(not rob[by.A].fragile, "A keeps 80%")
check.eq(rob[by.H].score, 100, "H's neighbours do better on average")
-- on a drawdown (closest to zero is best) the loss is how much deeper the neighbours go
local rdd = robustness.analyze(rows, { metric = "max_drawdown" })
check.near(rdd[by.A].loss, ((0.06 + 0.15) / 2 - 0.05) / 0.05, 1e-9)
-- a lone configuration has no neighbours and no score
local lone = robustness.analyze({ rows[1] }, {})
check.eq(lone[1].score, nil); check.eq(lone[1].fragile, false)

-- the Pareto front over (CAGR, max drawdown): A, B, E (C is beaten by B, D F G H I by E)
local front = run.pareto(rows)
check.eq(#front, 3)
check.eq(rows[front[1].i].name, "A"); check.eq(rows[front[2].i].name, "B"); check.eq(rows[front[3].i].name, "E")

-- the whole run: E is each goal's best but fragile, so it is passed over and said
local input = { run = { id = 3, mode = "grid", status = "completed", config = { optimize_by = "mar" } }, rows = rows }
local a = run.analyze(input, { goal = "balanced" })
check.eq(a.goal, "balanced")
check.eq(a.goal_settings.weights.returns, 0.5)
check.eq(a.recommendations[1].values.delta, 30, "balanced: H (30, 50) after E, avoided")
check.eq(a.recommendations[1].values.profit_target, 50)
check.near(a.recommendations[1].score, math.floor((0.5 * 80 + 0.5 * cap("H", 0.28)) * 10 + 0.5) / 10, 1e-9)
check.eq(a.recommendations[1].rank, 1)
check.ok(#a.recommendations[1].reasons >= 3)
check.ok(a.notes[1]:find("passed over delta=20, profit_target=50", 1, true) and a.notes[1]:find("fragile", 1, true), a.notes[1])
check.eq(#a.recommendations, 5, "the top 5")
local avoid = {}
for _, v in ipairs(a.avoid) do avoid[v.values.delta .. "/" .. v.values.profit_target] = table.concat(v.reasons, " | ") end
check.ok(avoid["20/50"] and avoid["20/50"]:find("fragile", 1, true), tostring(avoid["20/50"]))
check.ok(avoid["30/75"] and avoid["30/75"]:find("only 20 trades", 1, true), tostring(avoid["30/75"]))
check.ok(avoid["30/75"]:find("deepest drawdowns", 1, true) and avoid["30/75"]:find("loses money", 1, true), avoid["30/75"])
check.eq(#a.avoid, 2)
check.eq(#a.pareto, 3)
check.eq(#a.points, 9)
check.eq(a.significance.method, "none", "no trades given: no significance")
check.eq(run.analyze(input, { goal = "returns" }).recommendations[1].values.delta, 30, "returns: H after E")
local capital_pick = run.analyze(input, { goal = "capital" }).recommendations[1]
check.eq(capital_pick.values.delta .. "/" .. capital_pick.values.profit_target, "10/25", "capital: A after E")
check.err(function() run.analyze(input, { goal = "yolo" }) end, "unknown goal", "balanced")
-- a tighter drawdown limit for returns (10%): E then B
check.eq(run.analyze(input, { goal = "returns", drawdown_limit = 0.10 }).recommendations[1].values.profit_target, 50)
local text = report.run_text(a)
check.ok(text:find("Recommendation:", 1, true) and text:find("Pareto front", 1, true) and text:find("Avoid (2)", 1, true), text)

-- ---- significance on real trade logs: 5 configurations (a delta sweep) over 2023 ---------------------
local deltas = { 10, 15, 20, 25, 30 }
local logs, srows = {}, {}
for i, d in ipairs(deltas) do
  local trades = tradelog.parse(assert(fs.read("fixtures/analysis/run/delta" .. d .. ".csv")))
  local typed, pl, wins = {}, 0, 0
  for j, t in ipairs(trades) do
    typed[j] = tradelog.read(t.row)
    pl = pl + typed[j].pl
    if typed[j].pl > 0 then wins = wins + 1 end
  end
  logs[i] = typed
  -- metrics: made up but for P/L and trades; delta 20 has the best balance
  srows[i] = { result_id = i, values = { delta = d }, metrics = { cagr = ({ 0.05, 0.08, 0.12, 0.13, 0.02 })[i],
    max_drawdown = ({ -0.03, -0.04, -0.05, -0.20, -0.06 })[i], mar = 1, trades = #trades, pl = pl, winners = wins } }
  srows[i].metrics.mar = srows[i].metrics.cagr / -srows[i].metrics.max_drawdown
  srows[i].metrics.avg_per_trade = pl / #trades
end
local sa = run.analyze({ run = { id = 4, mode = "sweep", status = "completed" }, rows = srows,
                         trades = function(row) return logs[row.result_id] end }, { goal = "balanced" })
local sig, es = sa.significance, expected.run_spa
check.eq(sig.days, es.days, "the union of the configurations' trading days")
check.eq(sig.block_length, es.block, "mean block length round(T^(1/3))")
check.eq(sig.resamples, 1000)
check.near(sig.p_value, es.p_consistent, 1e-12, "SPA p-value vs reference")
check.near(sig.spa.p_lower, es.p_lower, 1e-12)
check.near(sig.spa.p_upper, es.p_upper, 1e-12)
check.near(sig.reality_check_p_value, es.rc_p, 1e-12, "Reality Check vs reference")
local chosen = sa.recommendations[1].result_id
check.near(sig.permutation_p_value, expected.run_permutation[chosen], 1e-12, "permutation p of the recommendation")
check.eq(sig.chosen.result_id, chosen)
check.ok(sig.text:find("If none of the 5 configurations tried truly made money", 1, true), sig.text)
check.ok(sig.method:find("mean block length " .. es.block .. " days", 1, true), sig.method)
for i, m in ipairs(es.models) do
  local pt = sa.points[i]
  check.near(pt.p_single, m.p_single, 1e-12, "p alone, config " .. i)
  check.near(pt.p_adjusted, m.p_adjusted, 1e-12, "p adjusted, config " .. i)
  local gone = m.p_single < 0.05 and m.p_adjusted >= 0.05
  local listed = false
  for _, v in ipairs(sa.avoid) do
    if v.result_id == i then for _, why in ipairs(v.reasons) do listed = listed or why:find("significance gone", 1, true) ~= nil end end
  end
  check.eq(listed, gone, "significance gone for config " .. i)
end
-- same seed, same p-values
local sb = run.analyze({ run = { id = 4, mode = "sweep" }, rows = srows, trades = function(row) return logs[row.result_id] end }, {})
check.eq(sb.significance.p_value, sig.p_value)
check.eq(significance.gone(nil, 1), nil)

-- a trade log that does not reconcile with OptionOmega's numbers is said at the run level
for i = 1, 5 do check.eq(sa.points[i].reconciles, true, "config " .. i .. " reconciles") end
local off = {}
for i, r in ipairs(srows) do
  off[i] = { result_id = r.result_id, values = r.values, metrics = {} }
  for k, v in pairs(r.metrics) do off[i].metrics[k] = v end
end
off[2].metrics.trades = off[2].metrics.trades + 1
local oa = run.analyze({ run = { id = 4, mode = "sweep" }, rows = off, trades = function(row) return logs[row.result_id] end }, {})
check.eq(oa.points[2].reconciles, false)
local said = false
for _, n in ipairs(oa.notes) do said = said or (n:find("delta=15: the trade log does not reconcile", 1, true) ~= nil) end
check.ok(said, "the run's notes say delta=15 does not reconcile")
-- configurations over different dates are said to compare different periods
local dated = {}
for i, r in ipairs(srows) do
  dated[i] = { result_id = r.result_id, values = { delta = r.values.delta, dates = i <= 2 and "2023-01-02..2023-06-30" or "2023-07-03..2023-12-29" },
               metrics = r.metrics }
end
local da = run.analyze({ run = { id = 7, mode = "grid" }, rows = dated, trades = function(row) return logs[row.result_id] end }, {})
local periods_said = false
for _, n in ipairs(da.notes) do periods_said = periods_said or (n:find("cover different dates", 1, true) ~= nil) end
check.ok(periods_said, "different dates are said")
for _, n in ipairs(sa.notes) do check.ok(not n:find("cover different dates", 1, true), "one period: nothing said") end
-- a run without results says so
local empty = run.analyze({ run = { id = 6, mode = "sweep" }, rows = {} }, {})
check.eq(#empty.recommendations, 0)
check.eq(empty.significance.method, "none")

-- ---- a mode's own section (walk-forward adds its report this way) ---------------------------------------
package.path = "fixtures/analysis/lua/?.lua;" .. package.path
local ma = run.analyze({ run = { id = 5, mode = "testmode" }, rows = srows, trades = function(row) return logs[row.result_id] end }, {})
check.eq(ma.testmode and ma.testmode.configurations, 5)
check.eq(ma.testmode.first_trades, #logs[1])
check.ok(report.run_text(ma):find("Test mode: 5 configurations, goal balanced", 1, true))
check.eq(run.mode_module("sweep"), nil, "no section for a mode without a module")
check.eq(run.mode_module("../etc"), nil)

-- ---- one row per configuration: a staged run meets stage 1's best again in stage 2 ----------------
-- Stage 1 sweeps delta with profit_target at the test's own 50; stage 2 sweeps profit_target at
-- delta 10, and its "delta=10, profit_target=50" is the same dialog as stage 1's "delta=10" (one
-- config_hash; the cache answered it). Written out by hand: 6 results, 5 configurations; every
-- stage-1 row gets profit_target = 50; (10, 50)'s neighbours are (5, 50), (15, 50), (10, 25),
-- (10, 75): 4 of them.
local function st(id, stage, v, hash, m)
  return { result_id = id, stage = stage, values = v, config_hash = hash,
           metrics = { cagr = m, max_drawdown = -0.1, mar = m / 0.1, trades = 100, avg_per_trade = 1, pl = 100 } }
end
local staged_rows = {
  st(1, 1, { delta = 5 }, "h5", 0.05), st(2, 1, { delta = 10 }, "hA", 0.12), st(3, 1, { delta = 15 }, "h15", 0.08),
  st(4, 2, { delta = 10, profit_target = 25 }, "hB", 0.04), st(5, 2, { delta = 10, profit_target = 50 }, "hA", 0.12),
  st(6, 2, { delta = 10, profit_target = 75 }, "hC", 0.10),
}
local kept, folded = run.configurations(staged_rows)
check.eq(#kept, 5, "six results, five configurations")
check.eq(folded, 1)
check.eq(kept[2].result_id, 2, "the first of the twins stands for both")
check.eq(kept[2].values.profit_target, 50, "its values are filled in from its twin")
check.eq(kept[1].values.profit_target, 50, "so are the other stage-1 rows'")
check.eq(kept[3].values.profit_target, 50)
check.eq(kept[4].values.profit_target, 25, "what a row names is never overwritten")
check.eq(staged_rows[1].values.profit_target, nil, "the input rows are left as they were")
local sa = run.analyze({ run = { id = 7, mode = "staged" }, rows = staged_rows }, {})
check.eq(sa.configurations, 5)
local twin
for _, e in ipairs(sa.robustness) do if e.result_id == 2 then twin = e end end
check.eq(twin and twin.neighbours, 4, "(10, 50) has its stage-1 and its stage-2 neighbours")
local noted = false
for _, n in ipairs(sa.notes) do noted = noted or n:find("1 result ran a configuration already counted", 1, true) ~= nil end
check.ok(noted, "the folding is said")
-- twins that disagree on what a row leaves out: that parameter is filled in nowhere
local odd = run.configurations({ st(1, 1, { a = 1 }, "x", 0.1), st(2, 2, { a = 1, b = 2 }, "x", 0.1),
                                 st(3, 1, { c = 1 }, "y", 0.1), st(4, 2, { c = 1, b = 3 }, "y", 0.1) })
check.eq(#odd, 2)
check.eq(odd[1].values.b, nil, "b is 2 by one twin and 3 by the other: not filled in")
-- rows without a config_hash (an older store) are each their own configuration
check.eq(#(run.configurations({ st(1, 1, { a = 1 }, nil, 0.1), st(2, 1, { a = 1 }, nil, 0.1) })), 2)

check.done()
