-- oo.analysis.goals: what a trader may want of a configuration, in one place. oo.objective
-- offers these as optimize_by = "returns" | "capital" | "balanced" in every mode (staged stages,
-- searches, walk-forward's in-sample choice); the analysis ranks a run's configurations by them.
--
-- A goal scores every row of a set ({values, metrics, ...}) from 0 to 100, relative to the other
-- rows: 100 is the best of the set by the goal's own measure, 0 the worst among those that
-- qualify. Rows that do not qualify get no score (so they never win), unless no row qualifies:
-- then every row is scored without the condition, and the explanation says so.
--
--   returns   the highest CAGR within a drawdown limit (default 30%): among the rows whose max
--             drawdown is within the limit, score = 100 (cagr - min) / (max - min).
--   capital   protect capital: the smallest drawdown and the highest MAR, among the rows with a
--             positive expectancy (P/L per trade above zero): score = 100 (half the drawdown's
--             place + half the MAR's place), each place (x - min) / (max - min) with the
--             smallest drawdown and the highest MAR at 1.
--   balanced  a weighting of both: weights.returns x the returns score + weights.capital x the
--             capital score (a row without one of them counts 0 for it), default 50/50.
-- Where every qualifying row has the same value, each place is 1.
local metrics = require("oo.metrics")
local M = {}

M.defaults = { drawdown_limit = 0.30, weights = { returns = 0.5, capital = 0.5 } }

local function num(v) return type(v) == "number" and v == v and v or nil end

-- The figures a goal reads from a row's metrics.
local function figures(row)
  local m = row and row.metrics
  if type(m) ~= "table" then return nil end
  local f = { cagr = num(m.cagr), dd = num(m.max_drawdown), mar = num(m.mar) }
  f.dd = f.dd and math.abs(f.dd)
  local per = num(m.avg_per_trade)
  if per == nil and num(m.pl) and num(m.trades) and m.trades > 0 then per = m.pl / m.trades end
  if per == nil then per = num(m.pl) end
  f.expectancy = per
  return f
end

-- (x - lo) / (hi - lo) over the rows in `set` (indices), higher is better; nil for rows
-- outside it or without the value.
local function places(fs, set, key, lower_is_better)
  local lo, hi
  for _, i in ipairs(set) do
    local v = fs[i][key]
    if v ~= nil then
      if lo == nil or v < lo then lo = v end
      if hi == nil or v > hi then hi = v end
    end
  end
  local out = {}
  for _, i in ipairs(set) do
    local v = fs[i][key]
    if v ~= nil then
      local p = hi > lo and (v - lo) / (hi - lo) or 1
      out[i] = lower_is_better and (hi > lo and 1 - p or 1) or p
    end
  end
  return out
end

local function rank_of(fs, set, i, key, lower_is_better)
  local v, better, n = fs[i][key], 0, 0
  for _, j in ipairs(set) do
    local w = fs[j][key]
    if w ~= nil then
      n = n + 1
      if (lower_is_better and w < v) or (not lower_is_better and w > v) then better = better + 1 end
    end
  end
  return better + 1, n
end

local function ordinal(n)
  local s = (n % 100 >= 11 and n % 100 <= 13) and "th" or ({ "st", "nd", "rd" })[n % 10] or "th"
  return n .. s
end

-- "the highest of 40 configurations within ..." / "3rd highest of 40 configurations within ..."
local function place_text(rank, n, superlative, among)
  local who = n == 1 and "configuration" or "configurations"
  if rank == 1 then return string.format("the %s of %d %s%s", superlative, n, who, among) end
  return string.format("%s %s of %d %s%s", ordinal(rank), superlative, n, who, among)
end

local function pct(v) return metrics.format_value("pct", v) end

-- The rows that qualify (indices), and whether the condition had to be dropped.
local function qualifying(fs, ok)
  local set, all = {}, {}
  for i, f in pairs(fs) do
    all[#all + 1] = i
    if ok(f) then set[#set + 1] = i end
  end
  table.sort(set)
  table.sort(all)
  if #set == 0 then return all, true end
  return set, false
end

local function all_figures(rows)
  local fs = {}
  for i, r in ipairs(rows) do
    local f = figures(r)
    if f then fs[i] = f end
  end
  return fs
end

local function evaluate_returns(rows, opts)
  local limit = opts.drawdown_limit or M.defaults.drawdown_limit
  local fs = all_figures(rows)
  for i, f in pairs(fs) do if f.cagr == nil or f.dd == nil then fs[i] = nil end end
  local set, relaxed = qualifying(fs, function(f) return f.dd <= limit + 1e-12 end)
  local p = places(fs, set, "cagr")
  local out = {}
  for _, i in ipairs(set) do
    local f = fs[i]
    local rank, n = rank_of(fs, set, i, "cagr")
    local among = relaxed and "" or (" within the " .. pct(limit) .. " drawdown limit")
    local why = { string.format("CAGR %s: %s", pct(f.cagr), place_text(rank, n, "highest", among)) }
    if relaxed then why[#why + 1] = string.format("no configuration stays within the %s drawdown limit; ranked by CAGR alone", pct(limit)) end
    why[#why + 1] = string.format("max drawdown %s", pct(f.dd))
    out[i] = { score = 100 * p[i], reasons = why, relaxed = relaxed }
  end
  return out
end

local function evaluate_capital(rows)
  local fs = all_figures(rows)
  for i, f in pairs(fs) do if f.dd == nil or f.mar == nil then fs[i] = nil end end
  local set, relaxed = qualifying(fs, function(f) return f.expectancy ~= nil and f.expectancy > 0 end)
  local pd, pm = places(fs, set, "dd", true), places(fs, set, "mar")
  local out = {}
  for _, i in ipairs(set) do
    local f = fs[i]
    local rd, n = rank_of(fs, set, i, "dd", true)
    local rm = rank_of(fs, set, i, "mar")
    local among = relaxed and "" or " with a positive expectancy"
    local why = { string.format("max drawdown %s: %s", pct(f.dd), place_text(rd, n, "smallest", among)),
                  string.format("MAR %s: %s", metrics.format_value("ratio", f.mar), place_text(rm, n, "highest", among)) }
    if relaxed then why[#why + 1] = "no configuration has a positive expectancy: ranked regardless (none protects capital)" end
    out[i] = { score = 100 * (0.5 * pd[i] + 0.5 * pm[i]), reasons = why, relaxed = relaxed }
  end
  return out
end

local function evaluate_balanced(rows, opts)
  local w = opts.weights or M.defaults.weights
  local r, c = evaluate_returns(rows, opts), evaluate_capital(rows)
  local out = {}
  for i = 1, #rows do
    if r[i] or c[i] then
      local sr, sc = r[i] and r[i].score or 0, c[i] and c[i].score or 0
      local why = { string.format("returns score %.0f x %s + capital score %.0f x %s", sr, pct(w.returns), sc, pct(w.capital)) }
      if not r[i] then why[#why + 1] = "beyond the drawdown limit: no returns score" end
      if not c[i] then why[#why + 1] = "no positive expectancy: no capital score" end
      if r[i] then why[#why + 1] = r[i].reasons[1] end   -- its CAGR (the drawdown is the capital's)
      for _, x in ipairs(c[i] and c[i].reasons or {}) do why[#why + 1] = x end
      if not c[i] and r[i] then why[#why + 1] = r[i].reasons[#r[i].reasons] end
      out[i] = { score = w.returns * sr + w.capital * sc, reasons = why }
    end
  end
  return out
end

local function goal(name, label, definition, evaluate)
  local g = { name = name, label = label, definition = definition, evaluate = evaluate }
  -- what oo.objective calls: {score or nil per row}, with the default limit and weights
  function g.scores(rows)
    local e = evaluate(rows, {})
    local out = {}
    for i = 1, #rows do out[i] = e[i] and e[i].score or nil end
    return out
  end
  return g
end

M.goals = {
  returns = goal("returns", "Max returns",
    "the highest CAGR among configurations whose max drawdown stays within the limit", evaluate_returns),
  capital = goal("capital", "Protect capital",
    "the smallest max drawdown and the highest MAR (half each), among configurations with a positive expectancy",
    function(rows) return evaluate_capital(rows) end),
  balanced = goal("balanced", "Balanced",
    "a weighting of the returns and capital scores", evaluate_balanced),
}

M.names = { "returns", "capital", "balanced" }

-- What a goal's settings are, for the answer (limit and weights shown).
function M.settings(name, opts)
  opts = opts or {}
  local s = { drawdown_limit = opts.drawdown_limit or M.defaults.drawdown_limit }
  if name == "balanced" then s.weights = opts.weights or M.defaults.weights end
  return s
end

return M
