-- oo.analysis.calendar: dates of a trade log ("YYYY-MM-DD") as day numbers (days since
-- 1970-01-01), so that spans, weekdays and months are arithmetic. Proleptic Gregorian calendar
-- (Howard Hinnant's days_from_civil and civil_from_days).
local M = {}

M.weekday_names = { "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun" }
M.month_names = { "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" }

function M.from_civil(y, m, d)
  y = m <= 2 and y - 1 or y
  local era = y // 400
  local yoe = y - era * 400
  local doy = (153 * (m > 2 and m - 3 or m + 9) + 2) // 5 + d - 1
  local doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
  return era * 146097 + doe - 719468
end

function M.to_civil(z)
  z = z + 719468
  local era = z // 146097
  local doe = z - era * 146097
  local yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
  local doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
  local mp = (5 * doy + 2) // 153
  local d = doy - (153 * mp + 2) // 5 + 1
  local m = mp < 10 and mp + 3 or mp - 9
  local y = yoe + era * 400
  return m <= 2 and y + 1 or y, m, d
end

-- "2024-03-15" -> day number; nil when the text is not such a date.
function M.day(text)
  if type(text) ~= "string" then return nil end
  local y, m, d = text:match("^(%d%d%d%d)%-(%d%d)%-(%d%d)")
  if not y then return nil end
  y, m, d = tonumber(y), tonumber(m), tonumber(d)
  if m < 1 or m > 12 or d < 1 or d > 31 then return nil end
  return M.from_civil(y, m, d)
end

function M.date(day)
  local y, m, d = M.to_civil(day)
  return string.format("%04d-%02d-%02d", y, m, d)
end

-- 1 = Monday ... 7 = Sunday (1970-01-01 was a Thursday).
function M.weekday(day) return (day + 3) % 7 + 1 end

-- A month as one number (year * 12 + month - 1), so consecutive months differ by one.
function M.month_index(day)
  local y, m = M.to_civil(day)
  return y * 12 + m - 1
end

function M.month_of_index(i) return i // 12, i % 12 + 1 end

-- The same calendar day `months` months earlier (clamped to the month's end).
function M.months_before(day, months)
  local y, m, d = M.to_civil(day)
  local i = y * 12 + m - 1 - months
  local ny, nm = i // 12, i % 12 + 1
  local last = M.from_civil(nm == 12 and ny + 1 or ny, nm == 12 and 1 or nm + 1, 1) - 1
  local _, _, ld = M.to_civil(last)
  return M.from_civil(ny, nm, math.min(d, ld))
end

return M
