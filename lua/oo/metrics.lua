-- oo.metrics: the one list of OptionOmega's result metrics. Everything that names, reads,
-- formats, ranks or exports a metric asks this module: the results page reader (oo.results),
-- the CLI tables, the dashboard (GET /api/metrics serves M.list), the exports, optimize_by.
-- The store's schema names the same columns once (engine/store/schema.c); nothing else in C does.
--
-- Each entry:
--   key      the metric's key in results ({metrics = {pl = ..., cagr = ...}}) and in JSON
--   label    short label for tables and charts
--   page     the label OptionOmega's results page shows in its dt (nil: not on the page)
--   column   the results table's column in the store
--   format   money | pct (stored as a fraction: 0.142 shows as 14.2%) | ratio | int | minutes
--   sense    how a better value looks: "max" (higher is better), "min_abs" (closest to zero is
--            better: drawdowns are negative fractions), nil (not something to optimize)
--   table    shown in the default results table (CLI, dashboard, exports)
local M = {}

M.list = {
  { key = "pl", label = "P/L", page = "P/L", column = "pl", format = "money", sense = "max", table = true },
  { key = "cagr", label = "CAGR", page = "CAGR", column = "cagr", format = "pct", sense = "max", table = true },
  { key = "max_drawdown", label = "Max DD", page = "Max Drawdown", column = "max_drawdown", format = "pct",
    sense = "min_abs", table = true },
  { key = "mar", label = "MAR", page = "MAR Ratio", column = "mar", format = "ratio", sense = "max", table = true },
  { key = "win_percentage", label = "Win %", page = "Win Percentage", column = "win_percentage", format = "pct",
    sense = "max", table = true },
  { key = "capture_rate", label = "Capture", page = "Capture Rate", column = "capture_rate", format = "pct",
    sense = "max", table = true },
  { key = "trades", label = "Trades", page = "Trades", column = "trades_count", format = "int", table = true },
  { key = "winners", label = "Winners", page = "Winners", column = "winners", format = "int" },
  { key = "total_premium", label = "Premium", page = "Total Premium", column = "total_premium", format = "money" },
  { key = "starting_capital", label = "Start capital", page = "Starting Capital", column = "starting_capital",
    format = "money" },
  { key = "ending_capital", label = "End capital", page = "Ending Capital", column = "ending_capital",
    format = "money" },
  { key = "avg_per_trade", label = "Avg/trade", page = "Avg Per Trade", column = "avg_per_trade", format = "money",
    sense = "max" },
  { key = "avg_winner", label = "Avg winner", page = "Avg Winner", column = "avg_winner", format = "money" },
  { key = "avg_loser", label = "Avg loser", page = "Avg Loser", column = "avg_loser", format = "money" },
  { key = "max_winner", label = "Max winner", page = "Max Winner", column = "max_winner", format = "money" },
  { key = "max_loser", label = "Max loser", page = "Max Loser", column = "max_loser", format = "money" },
  { key = "avg_minutes_in_trade", label = "Avg minutes", page = "Avg Minutes In Trade",
    column = "avg_minutes_in_trade", format = "minutes" },
}

M.by_key = {}
for i, m in ipairs(M.list) do
  m.order = i
  M.by_key[m.key] = m
end

-- The default when nothing says how to choose the best configuration.
M.default_optimize_by = "mar"

-- The metric keys a run can be optimized by, in list order.
function M.optimizable()
  local out = {}
  for _, m in ipairs(M.list) do if m.sense then out[#out + 1] = m.key end end
  return out
end

-- The metrics of the default results table, in order.
function M.table_columns()
  local out = {}
  for _, m in ipairs(M.list) do if m.table then out[#out + 1] = m end end
  return out
end

-- A metric's score, higher is better; nil when the value is missing or the metric is not
-- something to optimize.
function M.score(key, metrics)
  local m = M.by_key[key]
  local v = metrics and metrics[key]
  if not m or not m.sense or type(v) ~= "number" or v ~= v then return nil end
  if m.sense == "min_abs" then return -math.abs(v) end
  return v
end

local function thousands(n)
  local s = string.format("%.0f", math.abs(n)):reverse():gsub("(%d%d%d)", "%1,"):reverse():gsub("^,", "")
  return s
end

-- One formatting of a value by its metric's format (CLI tables, exports; the dashboard renders
-- the same formats from GET /api/metrics). Missing values are "-".
function M.format_value(format, v)
  if type(v) ~= "number" or v ~= v then return "-" end
  if format == "money" then
    return (v < 0 and "-$" or "$") .. thousands(v)
  elseif format == "pct" then
    return string.format("%.1f%%", v * 100)
  elseif format == "ratio" then
    return string.format("%.2f", v)
  elseif format == "minutes" then
    return string.format("%.0f min", v)
  end
  return string.format("%d", math.floor(v + 0.5))
end

function M.format(key, v)
  local m = M.by_key[key]
  return M.format_value(m and m.format or "ratio", v)
end

-- The page's dt label -> metric key.
function M.page_labels()
  local out = {}
  for _, m in ipairs(M.list) do if m.page then out[m.page] = m.key end end
  return out
end

-- Keys whose page text is a percentage stored as a fraction.
function M.percent_keys()
  local out = {}
  for _, m in ipairs(M.list) do if m.format == "pct" then out[m.key] = true end end
  return out
end

-- What GET /api/metrics serves: the list without functions.
function M.public()
  local out = {}
  for _, m in ipairs(M.list) do
    out[#out + 1] = { key = m.key, label = m.label, page = m.page, column = m.column, format = m.format,
                      sense = m.sense, table = m.table == true, order = m.order }
  end
  return out
end

return M
