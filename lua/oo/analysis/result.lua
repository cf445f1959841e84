-- oo.analysis.result: one result, from its trade log and equity series: the metrics beyond
-- OptionOmega's, whether the trade log reconciles with OptionOmega's own numbers, breakdowns
-- (month, year, weekday of entry, reason for close, a P/L histogram), the equity and underwater
-- curves, and the Monte Carlo.
--
-- M.analyze(result, trades, opts) -> table (see M.list for the metrics, each defined in
-- oo.analysis.measures and oo.analysis.series; the answer carries the lists of both kinds of
-- metrics and the trade log's columns, so a client shows them without a copy of its own):
--   result   {id, run_id, values, metrics (OptionOmega's), raw_data}
--   trades   stored trade rows (header -> text), as oo.tradelog parses them
--   opts     {risk_free = annual rate (0), mc_paths = 10000, seed = 1, mc_threshold = a drawdown
--            fraction such as -0.2 (default 1.5 x the result's own)}
local tradelog = require("oo.tradelog")
local metrics = require("oo.metrics")
local calendar = require("oo.analysis.calendar")
local series = require("oo.analysis.series")
local measures = require("oo.analysis.measures")
local montecarlo = require("oo.analysis.montecarlo")
local M = {}

-- The metrics this module adds, in display order: key, label, format (oo.metrics formats, plus
-- days and month), and what it means in a sentence.
M.list = {
  { key = "profit_factor", label = "Profit factor", format = "ratio", help = "gross profit / gross loss" },
  { key = "expectancy", label = "Expectancy", format = "money", help = "mean P/L per trade" },
  { key = "avg_win", label = "Average win", format = "money", help = "mean P/L of the winning trades" },
  { key = "avg_loss", label = "Average loss", format = "money", help = "mean P/L of the other trades" },
  { key = "payoff_ratio", label = "Payoff ratio", format = "ratio", help = "average win / average loss" },
  { key = "max_consecutive_wins", label = "Most wins in a row", format = "int", help = "in order of entry" },
  { key = "max_consecutive_losses", label = "Most losses in a row", format = "int", help = "in order of entry" },
  { key = "sharpe", label = "Sharpe", format = "ratio", help = "daily returns by close date, annualized with sqrt(252)" },
  { key = "sortino", label = "Sortino", format = "ratio", help = "as Sharpe, over the downside deviation" },
  { key = "calmar", label = "Calmar", format = "ratio", help = "CAGR / max drawdown over the last 36 months" },
  { key = "recovery_factor", label = "Recovery factor", format = "ratio", help = "P/L / max drawdown in dollars" },
  { key = "kelly", label = "Kelly fraction", format = "pct", help = "W - (1 - W) / payoff ratio" },
  { key = "var95", label = "VaR 95% (trade)", format = "money", help = "the P/L 5% of trades do worse than" },
  { key = "cvar95", label = "CVaR 95% (trade)", format = "money", help = "the mean P/L of the worst 5% of trades" },
  { key = "var95_day", label = "VaR 95% (day)", format = "money", help = "the P/L 5% of days do worse than" },
  { key = "cvar95_day", label = "CVaR 95% (day)", format = "money", help = "the mean P/L of the worst 5% of days" },
  { key = "max_drawdown_dollars", label = "Max drawdown ($)", format = "money", help = "the deepest fall below a peak, in dollars" },
  { key = "longest_underwater_days", label = "Longest under water", format = "days", help = "calendar days from a peak back to it" },
  { key = "ulcer_index", label = "Ulcer index", format = "ratio", help = "root mean square of the daily drawdowns, in %" },
  { key = "best_month", label = "Best month", format = "month", help = "highest P/L of a calendar month" },
  { key = "worst_month", label = "Worst month", format = "month", help = "lowest P/L of a calendar month" },
  { key = "profitable_months", label = "Profitable months", format = "pct", help = "share of months with a P/L above zero" },
}

M.by_key = {}
for _, m in ipairs(M.list) do M.by_key[m.key] = m end

-- One value formatted for text (the CLI, the markdown report).
function M.format(key, v)
  local m = M.by_key[key] or metrics.by_key[key]
  local f = m and m.format or "ratio"
  if f == "month" then
    if type(v) ~= "table" then return "-" end
    return string.format("%s %d (%s)", calendar.month_names[v.month], v.year, metrics.format_value("money", v.pl))
  elseif f == "days" then
    return type(v) == "number" and string.format("%d days", v) or "-"
  end
  return metrics.format_value(f, v)
end

local function cents(x) return math.floor(x * 100 + 0.5) end

-- The trade log against OptionOmega's numbers: trade count, winners, and P/L to the cent.
function M.reconcile(om, entry, skipped)
  local n, wins, pl = #entry + skipped, 0, 0
  for _, t in ipairs(entry) do
    if t.pl > 0 then wins = wins + 1 end
    pl = pl + cents(t.pl)
  end
  local function check(log, site, same)
    if type(site) ~= "number" then return { log = log, optionomega = nil, ok = nil } end
    return { log = log, optionomega = site, ok = same(log, site) }
  end
  local out = {
    trades = check(n, om.trades, function(a, b) return a == b end),
    winners = check(wins, om.winners, function(a, b) return a == b end),
    pl = check(pl / 100, om.pl, function(a, b) return cents(a) == cents(b) end),
  }
  local bad, missing = {}, {}
  for _, k in ipairs({ "trades", "winners", "pl" }) do
    if out[k].ok == false then
      bad[#bad + 1] = string.format("%s: the trade log says %s, OptionOmega %s", k,
        k == "pl" and metrics.format_value("money", out[k].log) or tostring(out[k].log),
        k == "pl" and metrics.format_value("money", out[k].optionomega) or tostring(out[k].optionomega))
    elseif out[k].ok == nil then
      missing[#missing + 1] = k
    end
  end
  if skipped > 0 then bad[#bad + 1] = string.format("%d trades without a date or a P/L", skipped) end
  out.ok = #bad == 0 and #missing == 0
  if #bad > 0 then
    out.message = "the trade log does not reconcile with OptionOmega: " .. table.concat(bad, "; ")
  elseif #missing > 0 then
    out.message = "OptionOmega's " .. table.concat(missing, ", ") .. " not stored: nothing to reconcile with"
  else
    out.message = string.format("the trade log reconciles with OptionOmega: %d trades, %d winners, P/L %s",
      n, wins, metrics.format_value("money", pl / 100))
  end
  return out
end

local function breakdowns(entry)
  local wd, reasons, order = {}, {}, {}
  for _, t in ipairs(entry) do
    local w = calendar.weekday(t.opened)
    local b = wd[w] or { weekday = w, name = calendar.weekday_names[w], trades = 0, pl = 0, wins = 0 }
    b.trades, b.pl, b.wins = b.trades + 1, b.pl + t.pl, b.wins + (t.pl > 0 and 1 or 0)
    wd[w] = b
    local reason = t.reason or "(none)"
    if not reasons[reason] then reasons[reason] = { reason = reason, trades = 0, pl = 0, wins = 0 }; order[#order + 1] = reason end
    local r = reasons[reason]
    r.trades, r.pl, r.wins = r.trades + 1, r.pl + t.pl, r.wins + (t.pl > 0 and 1 or 0)
  end
  local weekday = {}
  for w = 1, 7 do
    local b = wd[w]
    if b or w <= 5 then
      b = b or { weekday = w, name = calendar.weekday_names[w], trades = 0, pl = 0, wins = 0 }
      b.win_rate = b.trades > 0 and b.wins / b.trades or nil
      weekday[#weekday + 1] = b
    end
  end
  local by_reason = {}
  for _, k in ipairs(order) do by_reason[#by_reason + 1] = reasons[k] end
  table.sort(by_reason, function(a, b)
    if a.trades ~= b.trades then return a.trades > b.trades end
    return a.reason < b.reason
  end)
  return weekday, by_reason
end

local function yearly(months)
  local out, by = {}, {}
  for _, m in ipairs(months) do
    if not by[m.year] then by[m.year] = { year = m.year, pl = 0 }; out[#out + 1] = by[m.year] end
    by[m.year].pl = by[m.year].pl + m.pl
  end
  return out
end

-- The per-day figures: Sharpe, Sortino, Calmar, drawdowns, under water, Ulcer, day VaR.
local function daily_metrics(out, d, start, rf)
  local m = out.metrics
  local rfd = (rf or 0) / 252
  m.sharpe = measures.sharpe(d.returns, rfd)
  m.sortino = measures.sortino(d.returns, rfd)
  local dd, dd_dollars = measures.drawdown(d.equity, start)
  m.max_drawdown_trades, m.max_drawdown_dollars = dd, dd_dollars
  m.calmar = measures.calmar(d.days, d.equity, start, 36)
  m.cagr_trades = measures.cagr(start, d.equity[#d.equity], d.days[1], d.days[#d.days])
  if dd_dollars < 0 then m.recovery_factor = (d.equity[#d.equity] - start) / -dd_dollars end
  m.longest_underwater_days = measures.underwater(d.days, d.equity, start)
  m.ulcer_index = measures.ulcer(d.drawdown)
  m.var95_day, m.cvar95_day = measures.tail(d.pl, 0.05)
end

local function curves(d)
  local equity, drawdown = {}, {}
  for i, day in ipairs(d.days) do
    local date = calendar.date(day)
    equity[i] = { date = date, equity = d.equity[i], pl = d.pl[i] }
    drawdown[i] = { date = date, drawdown = d.drawdown[i] }
  end
  return equity, drawdown
end

function M.analyze(result, rows, opts)
  opts = opts or {}
  local om = {}
  for k, v in pairs(result.metrics or {}) do if type(v) == "number" then om[k] = v end end
  local typed = {}
  for i, row in ipairs(rows or {}) do typed[i] = tradelog.read(row) end
  local entry, exit, skipped = series.order(typed)
  local out = { result_id = result.id, run_id = result.run_id, values = result.values, metrics = {},
                metric_list = M.list, optionomega_metrics = metrics.public(), trade_columns = tradelog.columns,
                warnings = {} }
  for k, v in pairs(om) do out.metrics[k] = v end
  out.reconciliation = M.reconcile(om, entry, skipped)
  if not out.reconciliation.ok then out.warnings[#out.warnings + 1] = out.reconciliation.message end
  local pls = {}
  for i, t in ipairs(entry) do pls[i] = t.pl end
  for k, v in pairs(measures.trades(pls)) do
    if M.by_key[k] then out.metrics[k] = v end
  end
  out.metrics.var95, out.metrics.cvar95 = measures.tail(pls, 0.05)
  out.weekday, out.reasons = breakdowns(entry)
  out.histogram = measures.histogram(pls)
  local start = series.start_capital(om, exit)
  local days = series.days(entry, series.equity_dates(result.raw_data))
  out.monthly = measures.months(days, exit)
  out.yearly = yearly(out.monthly)
  out.metrics.best_month, out.metrics.worst_month, out.metrics.profitable_months = measures.month_summary(out.monthly)
  if #entry == 0 then
    out.warnings[#out.warnings + 1] = "no trades: nothing to measure"
    return out
  end
  if not start then
    out.warnings[#out.warnings + 1] = "no starting capital: returns, drawdowns and the Monte Carlo need it"
    return out
  end
  local d = series.daily(days, exit, start)
  daily_metrics(out, d, start, opts.risk_free)
  out.equity, out.drawdown = curves(d)
  local years = (days[#days] - days[1] + 1) / 365.25
  out.period = { first = calendar.date(days[1]), last = calendar.date(days[#days]), days = #days, years = years,
                 start_capital = start }
  local exit_pls = {}
  for i, t in ipairs(exit) do exit_pls[i] = t.pl end
  out.monte_carlo = montecarlo.run(exit_pls, start, years, om.max_drawdown or out.metrics.max_drawdown_trades,
    { paths = opts.mc_paths, seed = opts.seed, threshold = opts.mc_threshold })
  return out
end

return M
