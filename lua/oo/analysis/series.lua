-- oo.analysis.series: a result's trades as the series the analysis measures.
--
-- Trades (oo.tradelog.read) are ordered by entry (date and time opened, then log order) for
-- streaks, and by exit for the equity curve.
--
-- The days: the result's own trading days when OptionOmega's answer has an equity curve
-- ([[date, value], ...] in raw_data.equity), else every weekday from the first entry to the
-- last exit; either way every day a trade closed is one of them. Each day's P/L is the sum of
-- the trades closed that day (0 on a day without one). Equity is the starting capital plus the
-- P/L so far; a day's return is its P/L over the equity at the end of the day before.
-- Drawdown is equity over its running peak, minus one (the peak starts at the starting
-- capital), as OptionOmega computes max drawdown.
local calendar = require("oo.analysis.calendar")
local M = {}

local function by_entry(a, b)
  if a.opened ~= b.opened then return a.opened < b.opened end
  if (a.time_opened or "") ~= (b.time_opened or "") then return (a.time_opened or "") < (b.time_opened or "") end
  return a.index < b.index
end

local function by_exit(a, b)
  if a.closed ~= b.closed then return a.closed < b.closed end
  if (a.time_closed or "") ~= (b.time_closed or "") then return (a.time_closed or "") < (b.time_closed or "") end
  return by_entry(a, b)
end

-- Typed trades (oo.tradelog.read) -> trades with day numbers, in entry order, and the same in
-- exit order. Trades without a P/L or a date are left out and counted in `skipped`.
function M.order(typed)
  local entry, skipped = {}, 0
  for i, t in ipairs(typed) do
    local opened, closed = calendar.day(t.date_opened), calendar.day(t.date_closed or t.date_opened)
    if type(t.pl) == "number" and opened and closed then
      entry[#entry + 1] = { index = i, opened = opened, closed = closed, time_opened = t.time_opened,
                            time_closed = t.time_closed, pl = t.pl, reason = t.reason, trade = t }
    else
      skipped = skipped + 1
    end
  end
  table.sort(entry, by_entry)
  local exit = {}
  for i, t in ipairs(entry) do exit[i] = t end
  table.sort(exit, by_exit)
  return entry, exit, skipped
end

-- The sorted list of trading days (day numbers): the equity curve's dates when given, else
-- the weekdays from the first entry to the last exit; plus every exit day.
function M.days(entry, equity_dates)
  local set = {}
  if equity_dates and #equity_dates > 0 then
    for _, d in ipairs(equity_dates) do
      local n = calendar.day(d)
      if n then set[n] = true end
    end
  elseif #entry > 0 then
    local first, last = entry[1].opened, entry[1].closed
    for _, t in ipairs(entry) do
      if t.opened < first then first = t.opened end
      if t.closed > last then last = t.closed end
    end
    for d = first, last do
      if calendar.weekday(d) <= 5 then set[d] = true end
    end
  end
  for _, t in ipairs(entry) do set[t.closed] = true end
  local days = {}
  for d in pairs(set) do days[#days + 1] = d end
  table.sort(days)
  return days
end

-- Daily P/L, equity, returns and drawdowns over the days.
function M.daily(days, exit, start)
  local pos = {}
  for i, d in ipairs(days) do pos[d] = i end
  local pl = {}
  for i = 1, #days do pl[i] = 0 end
  for _, t in ipairs(exit) do
    local i = pos[t.closed]
    pl[i] = pl[i] + t.pl
  end
  local equity, ret, dd, dd_dollars = {}, {}, {}, {}
  local level, peak = start, start
  for i = 1, #days do
    ret[i] = level ~= 0 and pl[i] / level or 0
    level = level + pl[i]
    if level > peak then peak = level end
    equity[i] = level
    dd[i] = peak > 0 and level / peak - 1 or 0
    dd_dollars[i] = level - peak
  end
  return { days = days, pl = pl, equity = equity, returns = ret, drawdown = dd, drawdown_dollars = dd_dollars }
end

-- The starting capital: OptionOmega's own figure, else what the first trade to close had
-- before it (its Funds at Close less its P/L).
function M.start_capital(metrics, exit)
  if metrics and type(metrics.starting_capital) == "number" and metrics.starting_capital > 0 then
    return metrics.starting_capital
  end
  local first = exit[1]
  local f = first and first.trade.funds_at_close
  if type(f) == "number" then return f - first.pl end
  return nil
end

-- The equity curve's dates in OptionOmega's answer (raw_data.equity = [[date, value], ...]).
function M.equity_dates(raw)
  if type(raw) ~= "table" or type(raw.equity) ~= "table" then return nil end
  local out = {}
  for _, p in ipairs(raw.equity) do
    if type(p) == "table" and type(p[1]) == "string" then out[#out + 1] = p[1] end
  end
  return #out > 0 and out or nil
end

return M
