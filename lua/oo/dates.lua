-- oo.dates: calendar dates and spans of time, pure functions (no page, no engine). Dates are
-- "YYYY-MM-DD" strings in specs, task values and reports, and whole days since 1970-01-01 for
-- arithmetic (the proleptic Gregorian calendar, Howard Hinnant's civil-days algorithms).
--
-- A span is written "24m", "6m", "2y", "3w", "90d" (or sums such as "1y6m"): months and
-- years move by calendar months, so "1m" from 2016-01-31 ends on the last day of February.
local M = {}

local function days_from_civil(y, m, d)
  y = m <= 2 and y - 1 or y
  local era = (y >= 0 and y or y - 399) // 400
  local yoe = y - era * 400
  local mp = (m + 9) % 12
  local doy = (153 * mp + 2) // 5 + d - 1
  local doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
  return era * 146097 + doe - 719468
end

local function civil_from_days(z)
  z = z + 719468
  local era = (z >= 0 and z or z - 146096) // 146097
  local doe = z - era * 146097
  local yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
  local y = yoe + era * 400
  local doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
  local mp = (5 * doy + 2) // 153
  local d = doy - (153 * mp + 2) // 5 + 1
  local m = mp < 10 and mp + 3 or mp - 9
  return m <= 2 and y + 1 or y, m, d
end

function M.is_leap(y) return (y % 4 == 0 and y % 100 ~= 0) or y % 400 == 0 end

function M.month_days(y, m)
  if m == 2 then return M.is_leap(y) and 29 or 28 end
  return (m == 4 or m == 6 or m == 9 or m == 11) and 30 or 31
end

-- "YYYY-MM-DD" -> days since 1970-01-01, or nil when it is no date of the calendar.
function M.parse(s)
  if type(s) ~= "string" then return nil end
  local y, m, d = s:match("^(%d%d%d%d)%-(%d%d)%-(%d%d)$")
  y, m, d = tonumber(y), tonumber(m), tonumber(d)
  if not y or m < 1 or m > 12 or d < 1 or d > M.month_days(y, m) then return nil end
  return days_from_civil(y, m, d)
end

function M.format(days)
  local y, m, d = civil_from_days(days)
  return string.format("%04d-%02d-%02d", y, m, d)
end

-- US "MM/DD/YYYY" (OptionOmega's dialog) <-> "YYYY-MM-DD". from_us accepts 1-digit months and
-- days ("1/2/2013"); nil when it is no date.
function M.to_us(iso)
  local y, m, d = tostring(iso):match("^(%d%d%d%d)%-(%d%d)%-(%d%d)$")
  if not y then return nil end
  return string.format("%s/%s/%s", m, d, y)
end

function M.from_us(s)
  local m, d, y = tostring(s or ""):match("^%s*(%d%d?)/(%d%d?)/(%d%d%d%d)%s*$")
  if not m then return nil end
  local iso = string.format("%s-%02d-%02d", y, tonumber(m), tonumber(d))
  return M.parse(iso) and iso or nil
end

function M.add_days(days, n) return days + n end

-- Moves by n calendar months; a day past the end of the target month is clamped to its last
-- day (2016-01-31 + 1 month = 2016-02-29; 2015-01-31 + 1 month = 2015-02-28).
function M.add_months(days, n)
  local y, m, d = civil_from_days(days)
  local k = (m - 1) + n
  y, m = y + k // 12, k % 12 + 1
  return days_from_civil(y, m, math.min(d, M.month_days(y, m)))
end

-- "24m", "2y", "6w", "90d", "1y6m" -> {months = n, days = n, text = s}; nil and why otherwise.
function M.parse_span(s)
  if type(s) ~= "string" or s == "" then return nil, "expected a span such as \"6m\", \"2y\", \"4w\" or \"90d\"" end
  local months, days, rest = 0, 0, s:lower():gsub("%s+", "")
  local pos = 1
  while pos <= #rest do
    local n, unit, nxt = rest:match("^(%d+)([ymwd])()", pos)
    if not n then return nil, string.format("%q is not a span (write e.g. \"6m\", \"2y\", \"4w\", \"90d\")", s) end
    n = tonumber(n)
    if unit == "y" then months = months + 12 * n
    elseif unit == "m" then months = months + n
    elseif unit == "w" then days = days + 7 * n
    else days = days + n end
    pos = nxt
  end
  if months == 0 and days == 0 then return nil, string.format("%q is an empty span", s) end
  return { months = months, days = days, text = s }
end

-- The date a sum of whole spans after `days`: advance(d, span, k [, span2, k2 ...]) adds k
-- times span (k defaults to 1), and so on. Spans are added as one offset from `days` (all
-- months first, then all days), so month ends do not drift from one window to the next:
-- 2016-01-31 + 2 x 1m is 2016-03-31, not 2016-03-29.
function M.advance(days, ...)
  local args = table.pack(...)
  local months, ndays = 0, 0
  for i = 1, args.n, 2 do
    local span, k = args[i], args[i + 1] or 1
    months, ndays = months + span.months * k, ndays + span.days * k
  end
  return M.add_months(days, months) + ndays
end

-- Does a span cover at least a calendar month (1m, or 30 days and more)?
function M.at_least_a_month(span) return span.months >= 1 or span.days >= 30 end

-- Today's date on this machine, "YYYY-MM-DD".
function M.today() return os.date("%Y-%m-%d") end

-- A range value "YYYY-MM-DD..YYYY-MM-DD" <-> its two dates (strings). split returns nil and why.
function M.range(a, b) return a .. ".." .. b end

function M.split(v)
  if type(v) ~= "string" then return nil, nil, "expected \"YYYY-MM-DD..YYYY-MM-DD\"" end
  local a, b = v:match("^(%d%d%d%d%-%d%d%-%d%d)%.%.(%d%d%d%d%-%d%d%-%d%d)$")
  if not a then return nil, nil, string.format("%q is not \"YYYY-MM-DD..YYYY-MM-DD\"", v) end
  if not M.parse(a) then return nil, nil, string.format("%s is not a date of the calendar", a) end
  if not M.parse(b) then return nil, nil, string.format("%s is not a date of the calendar", b) end
  return a, b
end

-- Days from a to b inclusive (both "YYYY-MM-DD").
function M.span_days(a, b) return M.parse(b) - M.parse(a) + 1 end

return M
