-- analyze_check.lua DIR HEADER: the answers of `oo-automator analyze` and `export` for a sweep
-- run on oo-sim (files in DIR, written by analyze.sh) against what oo-sim itself computed.
-- It uses none of lua/oo/analysis: the goals, the Pareto front and the reconciliation are
-- worked out here from their definitions (README.md) on oo-sim's own numbers.
-- Prints the figures the dashboard's recording checks, as NAME=value lines, on stdout.
local json = require("json")
local fs = require("fs")
local dir, header_file = arg[1], arg[2]
local fails = 0
local function bad(...) fails = fails + 1; io.stderr:write("FAIL analyze: ", string.format(...), "\n") end
local function read_json(name) return json.decode(assert(fs.read(dir .. "/" .. name))) end
local function num(v) return type(v) == "number" and v or nil end

-- oo-sim's backtests (OptionOmega's own numbers), by the delta of their short legs
local sim = {}
for _, b in ipairs(read_json("sim.json")) do
  if b.status == "done" then
    local delta
    for _, leg in ipairs(b.config.legs) do if leg.side == "sell" then delta = leg.value end end
    sim[delta] = b
  end
end
-- the stored results of the run
local results = read_json("results.json")
local rows = {}
for _, r in ipairs(results) do
  local values = json.decode(r.parameter_values)
  local b = sim[values.delta]
  if not b then bad("result %d (delta %s): no oo-sim backtest with that delta", r.id, tostring(values.delta))
  else rows[#rows + 1] = { id = r.id, delta = values.delta, m = b.metrics, bt = b.id } end
end
if #rows < 5 then bad("only %d results", #rows) end

-- 1. every result's trade log reconciles with OptionOmega's numbers, as analyze says
for _, r in ipairs(rows) do
  local a = read_json("result_" .. r.id .. ".json")
  local rc = a.reconciliation
  if rc.ok ~= true then bad("result %d: does not reconcile: %s", r.id, tostring(rc.message)) end
  if rc.trades.log ~= r.m.trades or rc.trades.optionomega ~= r.m.trades then
    bad("result %d: %s trades in the log, %s reported, oo-sim says %s", r.id, tostring(rc.trades.log), tostring(rc.trades.optionomega), tostring(r.m.trades))
  end
  if rc.winners.log ~= r.m.winners then bad("result %d: %s winners, oo-sim says %s", r.id, tostring(rc.winners.log), tostring(r.m.winners)) end
  if math.abs(rc.pl.log - r.m.pl) > 0.005 then bad("result %d: P/L %.2f, oo-sim says %.2f", r.id, rc.pl.log, r.m.pl) end
  if not a.monte_carlo or a.monte_carlo.paths ~= 10000 then bad("result %d: no Monte Carlo of 10,000 paths", r.id) end
  if math.abs(a.metrics.max_drawdown_trades - r.m.maxDrawdown) > 1e-9 then
    bad("result %d: the trade log's max drawdown %.6f, oo-sim's %.6f", r.id, a.metrics.max_drawdown_trades, r.m.maxDrawdown)
  end
  if math.abs(a.metrics.cagr_trades - r.m.cagr) > 1e-9 then
    bad("result %d: the trade log's CAGR %.6f, oo-sim's %.6f", r.id, a.metrics.cagr_trades, r.m.cagr)
  end
end

-- 2. tradeblocks: one folder per result named by its values, its tradelog.csv byte for byte
-- the file oo-sim's Trade Log button downloads, with OptionOmega's header
local header = assert(fs.read(header_file))
for _, r in ipairs(rows) do
  local path = dir .. "/tb/delta=" .. r.delta .. "/tradelog.csv"
  local got = fs.read(path)
  if not got then bad("tradeblocks: %s is missing", path)
  else
    if got:sub(1, #header) ~= header then bad("tradeblocks: %s does not start with OptionOmega's header", path) end
    local want = assert(fs.read(dir .. "/simcsv/" .. r.bt .. ".csv"))
    if got ~= want then bad("tradeblocks: %s differs from oo-sim's own trade log (%d vs %d bytes)", path, #got, #want) end
  end
end

-- 3. each goal picks what its definition says (README.md), among the configurations not on
-- the avoid list: returns = the highest CAGR within a 30% drawdown; capital = half the place
-- of the smallest drawdown, half the place of the highest MAR, among positive expectancy;
-- balanced = 50/50 of the two scores
local function places(set, get, lower)
  local lo, hi
  for _, r in ipairs(set) do local v = get(r); lo = lo and math.min(lo, v) or v; hi = hi and math.max(hi, v) or v end
  local out = {}
  for _, r in ipairs(set) do
    local p = hi > lo and (get(r) - lo) / (hi - lo) or 1
    out[r.id] = lower and (hi > lo and 1 - p or 1) or p
  end
  return out
end
local within, positive = {}, {}
for _, r in ipairs(rows) do
  if math.abs(r.m.maxDrawdown) <= 0.30 then within[#within + 1] = r end
  if r.m.avgPerTrade > 0 then positive[#positive + 1] = r end
end
local ret = places(#within > 0 and within or rows, function(r) return r.m.cagr end)
local dd = places(#positive > 0 and positive or rows, function(r) return math.abs(r.m.maxDrawdown) end, true)
local mar = places(#positive > 0 and positive or rows, function(r) return r.m.mar end)
local score = { returns = {}, capital = {}, balanced = {} }
for _, r in ipairs(rows) do
  if ret[r.id] then score.returns[r.id] = 100 * ret[r.id] end
  if dd[r.id] then score.capital[r.id] = 100 * (0.5 * dd[r.id] + 0.5 * mar[r.id]) end
  if ret[r.id] or dd[r.id] then score.balanced[r.id] = 0.5 * (score.returns[r.id] or 0) + 0.5 * (score.capital[r.id] or 0) end
end
local out = {}
for _, goal in ipairs({ "returns", "capital", "balanced" }) do
  local a = read_json("run_" .. goal .. ".json")
  if a.goal ~= goal then bad("%s: the answer is for goal %s", goal, tostring(a.goal)) end
  local avoided = {}
  for _, v in ipairs(a.avoid) do avoided[v.result_id] = true end
  local best, best_score
  for _, r in ipairs(rows) do
    local s = score[goal][r.id]
    if s and not avoided[r.id] and (not best_score or s > best_score + 1e-12) then best, best_score = r, s end
  end
  local top = a.recommendations[1]
  if not top or not best then bad("%s: no recommendation", goal)
  else
    if top.result_id ~= best.id then bad("%s: recommends result %d (delta %s), its definition picks result %d (delta %s)",
      goal, top.result_id, tostring(top.values.delta), best.id, tostring(best.delta)) end
    if math.abs(top.score - best_score) > 0.051 then bad("%s: score %.1f, its definition gives %.3f", goal, top.score, best_score) end
    if #top.reasons < 3 then bad("%s: fewer than 3 reasons", goal) end
  end
  for i = 2, #a.recommendations do
    if a.recommendations[i].score > a.recommendations[i - 1].score then bad("%s: recommendations not ranked", goal) end
    if avoided[a.recommendations[i].result_id] then bad("%s: recommends an avoided configuration", goal) end
  end
  out[goal] = top and top.result_id or 0
  -- the Pareto front over (CAGR, max drawdown) from oo-sim's numbers
  local front = {}
  for _, r in ipairs(rows) do
    local dominated = false
    for _, o in ipairs(rows) do
      if o.m.cagr >= r.m.cagr and math.abs(o.m.maxDrawdown) <= math.abs(r.m.maxDrawdown)
        and (o.m.cagr > r.m.cagr or math.abs(o.m.maxDrawdown) < math.abs(r.m.maxDrawdown)) then dominated = true end
    end
    if not dominated then front[r.id] = true end
  end
  local n = 0
  for _, p in ipairs(a.pareto) do
    n = n + 1
    if not front[p.result_id] then bad("%s: result %d is on the answer's Pareto front but dominated", goal, p.result_id) end
  end
  local want = 0
  for _ in pairs(front) do want = want + 1 end
  if n ~= want then bad("%s: %d configurations on the Pareto front, %d expected", goal, n, want) end
  out.front = want
  local sig = a.significance
  if not (num(sig.p_value) and sig.p_value >= 0 and sig.p_value <= 1) then bad("%s: no SPA p-value", goal) end
  if not (num(sig.permutation_p_value) and sig.permutation_p_value > 0 and sig.permutation_p_value <= 1) then bad("%s: no permutation p-value", goal) end
  if not (sig.text or ""):find("luck", 1, true) or not (sig.method or ""):find("block length", 1, true) then bad("%s: significance not said in words", goal) end
  if #a.robustness ~= #rows or #a.points ~= #rows then bad("%s: robustness or points missing", goal) end
  local fragile = 0
  for _, r in ipairs(a.robustness) do if r.fragile then fragile = fragile + 1 end end
  out.fragile = fragile
  out.points = #a.points
end

-- 4. the markdown report: the spec, the results, every goal's pick with its reasons, the caveats
local md = assert(fs.read(dir .. "/report.md"))
for _, s in ipairs({ "## The run's spec", "## Results", "### Max returns (`returns`)", "### Protect capital (`capital`)",
                     "### Balanced (`balanced`)", "## Avoid", "## Is it better than luck?", "## Caveats" }) do
  if not md:find(s, 1, true) then bad("report.md: no %q", s) end
end

-- the figures the dashboard's recording checks
local r1, r2 = rows[2], rows[3]
local a1 = read_json("result_" .. r1.id .. ".json")
local stops = 0
for _, rr in ipairs(a1.reasons) do if rr.reason == "Stop Loss" then stops = rr.trades end end
print("TOP_BALANCED=" .. out.balanced)
print("TOP_RETURNS=" .. out.returns)
print("TOP_CAPITAL=" .. out.capital)
print("FRONT=" .. out.front)
print("POINTS=" .. out.points)
print("FRAGILE=" .. out.fragile)
print("R1=" .. r1.id)
print("R2=" .. r2.id)
print("DAYS=" .. #a1.equity)
print("TRADES=" .. r1.m.trades)
print("STOPS=" .. stops)
print("WINNERS=" .. r1.m.winners)
print("YEARS=" .. #a1.yearly)
if fails > 0 then io.stderr:write(string.format("analyze_check: %d failures\n", fails)) end
return fails == 0 and 0 or 1
