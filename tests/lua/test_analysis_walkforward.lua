-- The walk-forward report on small fixed data: every figure below was worked out by hand (and
-- the powers with Python 3, `1.011 ** (1 / (184 / 365.25)) - 1`), independently of the module.
local check = require("check")
local wfa = require("oo.analysis.walkforward")

-- 2 windows (in-sample 6m, out-of-sample 3m) over 2016 and the full period; a grid of delta 10/20
local spec = { mode = "walkforward", test = "https://optionomega.com/test/abc", optimize_by = "mar",
  windows = { from = "2016-01-01", to = "2016-12-31", in_sample = "6m", out_of_sample = "3m" },
  search = { mode = "grid", parameters = { { name = "delta", config = { start = 10, stop = 20, step = 10 } } } } }
local run = { id = 1, config = { spec = spec } }

local W1, W2, FULL = "2016-01-01..2016-06-30", "2016-04-01..2016-09-30", "2016-01-01..2016-12-31"
local function res(id, stage, dates, delta, m, cached_from)
  m.starting_capital = 100000
  return { task_id = id, result_id = 1000 + id, stage = stage, cached_from = cached_from,
           values = { dates = dates, delta = delta }, metrics = m }
end
-- in-sample: window 1's best by MAR is delta 10 (CAGR 20%), window 2's delta 20 (CAGR 40%),
-- the full period's delta 20
local results = {
  res(1, 1, W1, 10, { mar = 2, cagr = 0.20, pl = 9000 }), res(2, 1, W1, 20, { mar = 1, cagr = 0.30, pl = 12000 }),
  res(3, 1, W2, 10, { mar = 1, cagr = 0.10, pl = 5000 }), res(4, 1, W2, 20, { mar = 3, cagr = 0.40, pl = 16000 }),
  res(5, 1, FULL, 10, { mar = 1, cagr = 0.1 }), res(6, 1, FULL, 20, { mar = 2, cagr = 0.2 }),
  -- out-of-sample: window 1 made $1,500 (CAGR 15%), window 2 lost $400 (CAGR -4%; its result
  -- was reused from the cache: its trades are those of result 77)
  res(7, 2, "2016-07-01..2016-09-30", 10, { mar = 1.5, cagr = 0.15, pl = 1500 }),
  res(8, 2, "2016-10-01..2016-12-31", 20, { mar = -0.5, cagr = -0.04, pl = -400 }, 77),
  res(9, 2, "2016-07-01..2016-12-31", 20, { mar = 3, cagr = 0.10, pl = 2000 }),
}
local function trade(closed, pl) return { ["Date Closed"] = closed, ["Time Closed"] = "15:00:00", ["P/L"] = tostring(pl) } end
local trades = {
  [1007] = { trade("2016-07-15", 1000), trade("2016-08-20", -700), trade("2016-09-10", 1200) },
  [77] = { trade("2016-12-20", 200), trade("2016-10-10", -900), trade("2016-11-05", 300) },   -- not in time order
  [1009] = { trade("2016-08-01", 2500), trade("2016-11-01", -500) },
}

local need = wfa.needs_trades(run, results)
table.sort(need)
check.eq(table.concat(need, ","), "77,1007,1009", "the out-of-sample trades, a cached result's from its origin")

local r = wfa.analyze({ run = run, results = results, trades = trades })
check.ok(r.complete, "the run is complete")
check.eq(#r.windows, 2)
local w1, w2 = r.windows[1], r.windows[2]
check.eq(w1.best_values.delta, 10)
check.eq(w1.best_values.dates, nil, "the dates are the window's, not a chosen value")
check.eq(w2.best_values.delta, 20)
check.eq(w1.oos_from .. ".." .. w1.oos_to, "2016-07-01..2016-09-30")
check.near(w1.is_metrics.cagr, 0.20)
check.near(w1.oos_metrics.cagr, 0.15)
-- WFE = OOS CAGR / IS CAGR: 0.15 / 0.20 = 0.75; -0.04 / 0.40 = -0.1
check.near(w1.wfe, 0.75, 1e-12)
check.near(w2.wfe, -0.1, 1e-12)
-- overall = mean OOS CAGR / mean IS CAGR = ((0.15 - 0.04) / 2) / ((0.20 + 0.40) / 2) = 0.18333...
check.near(r.efficiency.overall, 0.1833333333333333, 1e-12)
check.eq(r.efficiency.windows_at_bar, 1)
-- delta 10 -> 20: one change, a move of the whole searched range (10 to 20)
check.eq(r.stability[1].name, "delta")
check.eq(r.stability[1].changes, 1)
check.near(r.stability[1].mean_move_of_range, 1.0)
-- stitched: equity on $100,000 after each close in time: 101000, 100300, 101500, 100600, 100900,
-- 101100; P/L $1,100; max drawdown 100600 / 101500 - 1; 184 days (2016-07-01 to 12-31) =
-- 0.50376 years; CAGR 1.011 ^ (1 / 0.50376) - 1
local st = r.stitched
check.eq(st.trades, 6)
check.near(st.pl, 1100, 1e-9)
check.near(st.max_drawdown, -0.00886699507389166, 1e-12)
check.near(st.cagr, 0.02195389223929567, 1e-12)
check.near(st.mar, 2.4759111803205576, 1e-9)
check.eq(st.equity[1][2], 100000)
check.eq(st.equity[5][1], "2016-10-10")
check.eq(st.equity[5][2], 100600)
-- the full-period best (delta 20) over the same span: +2500, -500 -> $2,000; drawdown
-- 102000 / 102500 - 1; CAGR 1.02 ^ (1 / 0.50376) - 1
local fp = r.full_period
check.eq(fp.best_values.delta, 20)
check.near(fp.oos_record.pl, 2000, 1e-9)
check.near(fp.oos_record.max_drawdown, -0.004878048780487809, 1e-12)
check.near(fp.oos_record.cagr, 0.040092125469851636, 1e-12)
check.near(fp.oos_record.mar, 8.218885721319579, 1e-9)
-- the verdict: P/L above zero, 1 of 2 windows profitable (meets 50%), WFE 18.3% misses 50%,
-- delta moves 100% of its range: doubtful, saying why and with its thresholds
check.eq(r.verdict.grade, "doubtful")
check.ok(r.verdict.text:find("Overall walk-forward efficiency 18.3% (misses the 50.0% bar)", 1, true), r.verdict.text)
check.ok(r.verdict.text:find("not stable", 1, true), r.verdict.text)
check.ok(r.verdict.thresholds:find("50.0% or more", 1, true), r.verdict.thresholds)

local text = wfa.render(r)
check.ok(text:find("WFE", 1, true) and text:find("75.0%", 1, true) and text:find("-10.0%", 1, true), text)
check.ok(text:find("Stitched out-of-sample 2016-07-01 to 2016-12-31: 6 trades, P/L $1,100", 1, true), text)
check.ok(text:find("delta: 10 -> 20 (1 changes", 1, true), text)

-- as a section of the run analysis: rows and a trades function (trades as oo.tradelog.read
-- gives them: snake_case keys, numbers), a cached result's trades looked up at its origin
local sec = wfa.section({ run = run, rows = results, trades = function(row)
  local out = {}
  for i, t in ipairs(trades[row.cached_from or row.result_id] or {}) do
    out[i] = { date_closed = t["Date Closed"], time_closed = t["Time Closed"], pl = tonumber(t["P/L"]) }
  end
  return out
end })
check.near(sec.stitched.pl, 1100, 1e-9)
check.near(sec.stitched.max_drawdown, -0.00886699507389166, 1e-12)
check.eq(type(wfa.text(sec)), "table", "text: the lines of the report")

-- a window that lost in sample has no efficiency; losses everywhere fail the verdict
local losing = {}
for i, x in ipairs(results) do
  local c = {}
  for k, v in pairs(x) do c[k] = v end
  c.metrics = {}
  for k, v in pairs(x.metrics) do c.metrics[k] = v end
  if c.stage == 2 then c.metrics.pl, c.metrics.cagr = -1000, -0.1 end
  if c.values.dates == W1 then c.metrics.cagr = -0.05 end
  losing[i] = c
end
local lt = { [1007] = { trade("2016-07-15", -1000) }, [77] = { trade("2016-10-10", -1000) }, [1009] = {} }
local l = wfa.analyze({ run = run, results = losing, trades = lt })
check.eq(l.windows[1].wfe, nil, "no efficiency when the in-sample best lost money")
check.eq(l.verdict.grade, "fails")
check.ok(l.verdict.text:find("does not hold up", 1, true), l.verdict.text)

-- an unfinished run: the report says so, and what it has
local prun = { id = 1, config = run.config, counts = { pending = 4, running = 0 } }
local partial = wfa.analyze({ run = prun, results = { results[1], results[2] }, trades = {} })
check.ok(not partial.complete)
check.eq(partial.windows[1].status, "in-sample search not finished")
-- in-sample done, out-of-sample under way
local mid = wfa.analyze({ run = { config = run.config, counts = { pending = 0, running = 2 } },
                          results = { results[1], results[2], results[3], results[4], results[5], results[6], results[7] },
                          trades = trades })
check.eq(mid.windows[1].status, "out-of-sample not run yet")
check.eq(mid.windows[2].best_values.delta, 20)
check.eq(partial.verdict.grade, "incomplete")
check.ok(wfa.render(partial):find("INCOMPLETE", 1, true))

-- as JSON (the dashboard's analysis, the CLI's --json), an unfinished run's lists stay lists:
-- no window has chosen values yet, so stability is empty, and the dashboard maps over it
local text = require("json").encode(require("oo.analysis.cli").shape({ walkforward = partial }))
check.ok(text:find('"stability":%s*%[%]'), "an empty stability is [] in JSON: " .. text:sub(1, 200))

-- not a walk-forward: nothing to say
check.eq(wfa.analyze({ run = { config = { spec = { mode = "sweep", parameter = "delta" } } }, results = {} }), nil)

-- the verdict's every grade and sentence, on reports made by hand: 3 windows judged, the
-- figures chosen so each bar is met or missed on purpose (WFE 60% against the 50% bar; 2 of 3
-- windows profitable = 66.7%; delta moving 20% of its range against 25%)
local function report(overall, pls, move, fp)
  local ws = {}
  for i, pl in ipairs(pls) do ws[i] = { status = "ok", oos_metrics = { pl = pl } } end
  ws[#ws + 1] = { status = "in-sample search failed" }   -- not judged
  return { efficiency = { overall = overall }, stitched = { pl = 1500, cagr = 0.1, max_drawdown = -0.05 },
           windows = ws, stability = { { name = "delta", mean_move_of_range = move } }, full_period = fp }
end
local v = wfa.verdict(report(0.6, { 100, -50, 200 }, 0.2))
check.eq(v.grade, "passes")
check.eq(v.text, "Verdict: robust: what the optimization finds in the past holds up on the unseen future. "
  .. "Overall walk-forward efficiency 60.0% (meets the 50.0% bar). 2 of 3 windows made money out of sample "
  .. "(66.7%; the bar is 50.0%). The stitched out-of-sample record made $1,500 (CAGR 10.0%, max drawdown -5.0%).")
-- every bar but the P/L missed, and the full period's best (P/L 3,000: walk-forward kept 1,500 / 3,000)
v = wfa.verdict(report(0.3, { 100, -50, -200 }, 0.5, { oos_record = { pl = 3000, cagr = 0.2 } }))
check.eq(v.grade, "doubtful")
check.eq(v.text, "Verdict: doubtful: the stitched out-of-sample record makes money, but it earns much less than "
  .. "the in-sample results promise, and most windows lose money out of sample, and the chosen values are not stable. "
  .. "Overall walk-forward efficiency 30.0% (misses the 50.0% bar). 1 of 3 windows made money out of sample "
  .. "(33.3%; the bar is 50.0%). The stitched out-of-sample record made $1,500 (CAGR 10.0%, max drawdown -5.0%). "
  .. "The chosen values move a lot between windows: delta (on average 50.0% of its searched range); the optimum is "
  .. "not stable. Trading the full-period best (chosen with hindsight) over the same span made $3,000 (CAGR 20.0%): "
  .. "walk-forward kept 50.0% of it.")
-- no efficiency (the in-sample best lost money): fails, whatever else
v = wfa.verdict(report(nil, { 100, 200 }, 0.1))
check.eq(v.grade, "fails")
check.ok(v.text:find("^Verdict: the optimization does not hold up out of sample%. Overall walk%-forward efficiency n/a "
  .. "%(misses the 50%.0%% bar%): the in%-sample best lost money on average"), v.text)
check.eq(wfa.verdict(report(0.9, {}, 0)).grade, "incomplete")

check.done()
