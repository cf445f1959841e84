-- The calendar (oo.dates) and the dates parameter: day numbers, leap years, month ends, spans,
-- the dialog's MM/DD/YYYY, the ranges a sweep gets, and the ranges OptionOmega refuses.
local check = require("check")
local dates = require("oo.dates")
local site = require("oo.site")
local modes = require("oo.modes")
local reg = require("oo.parameters").discover()

-- day numbers: expected values from GNU date (`date -u -d D +%s` / 86400)
local known = { ["1970-01-01"] = 0, ["2013-01-02"] = 15707, ["2016-02-29"] = 16860, ["2000-02-29"] = 11016,
                ["2100-03-01"] = 47541, ["2024-12-31"] = 20088 }
for s, n in pairs(known) do
  check.eq(dates.parse(s), n, s)
  check.eq(dates.format(n), s, s)
end
-- not dates of the calendar: 1900 and 2100 are no leap years, 2000 is
check.eq(dates.parse("2100-02-29"), nil)
check.eq(dates.parse("1900-02-29"), nil)
check.ok(dates.parse("2000-02-29") ~= nil)
check.eq(dates.parse("2023-02-29"), nil)
check.eq(dates.parse("2024-04-31"), nil)
check.eq(dates.parse("2024-13-01"), nil)
check.eq(dates.parse("2024-1-01"), nil)
check.eq(dates.parse(20240101), nil)

-- month arithmetic clamps to the month's last day
local function plus_months(s, n) return dates.format(dates.add_months(dates.parse(s), n)) end
check.eq(plus_months("2016-01-31", 1), "2016-02-29")
check.eq(plus_months("2015-01-31", 1), "2015-02-28")
check.eq(plus_months("2016-02-29", 12), "2017-02-28")
check.eq(plus_months("2016-02-29", 48), "2020-02-29")
check.eq(plus_months("2016-08-31", -6), "2016-02-29")
check.eq(plus_months("2016-11-30", 2), "2017-01-30")
check.eq(plus_months("2016-12-15", 1), "2017-01-15")

-- spans
local s = dates.parse_span("1y6m")
check.eq(s.months, 18)
check.eq(dates.parse_span("2w").days, 14)
check.eq(dates.parse_span("90d").days, 90)
check.eq(dates.parse_span("6x"), nil)
check.eq(dates.parse_span("0m"), nil)
check.ok(dates.at_least_a_month(dates.parse_span("1m")))
check.ok(dates.at_least_a_month(dates.parse_span("30d")))
check.ok(not dates.at_least_a_month(dates.parse_span("4w")))
-- adding whole spans from the same origin: month ends do not drift
local m1 = dates.parse_span("1m")
check.eq(dates.format(dates.advance(dates.parse("2016-01-31"), m1, 2)), "2016-03-31")
check.eq(dates.format(dates.advance(dates.parse("2016-01-31"), m1, 1, dates.parse_span("1y"), 1)), "2017-02-28")

-- the dialog's format
check.eq(dates.to_us("2013-01-02"), "01/02/2013")
check.eq(dates.from_us("01/02/2013"), "2013-01-02")
check.eq(dates.from_us("1/2/2013"), "2013-01-02")
check.eq(dates.from_us("02/30/2013"), nil)
check.eq(dates.from_us("2013-01-02"), nil)

-- the site's data: 2013-01-02 to yesterday
local lo, hi = site.data_range("2026-03-01")
check.eq(lo, "2013-01-02")
check.eq(hi, "2026-02-28")
check.eq(select(2, site.data_range("2024-03-01")), "2024-02-29")

-- the dates parameter
local p = reg.dates
check.ok(p ~= nil, "parameters/dates.lua is discovered")
local function values_of(config)
  local _, _, vals = modes.resolve_parameter(reg, "dates", config, "sweep")
  return table.concat(vals, " ")
end
check.eq(values_of({ from = "2016-01-01", to = "2018-12-31", length = "12m" }),
  "2016-01-01..2016-12-31 2017-01-01..2017-12-31 2018-01-01..2018-12-31")
check.eq(values_of({ from = "2016-01-01", to = "2018-06-30", length = "12m" }),
  "2016-01-01..2016-12-31 2017-01-01..2017-12-31", "a last range that does not fit is left out")
check.eq(values_of({ from = "2016-01-01", to = "2017-12-31", length = "12m", step = "6m" }),
  "2016-01-01..2016-12-31 2016-07-01..2017-06-30 2017-01-01..2017-12-31")
check.eq(values_of({ from = "2016-01-01", to = "2018-12-31", length = "12m", anchored = true }),
  "2016-01-01..2016-12-31 2016-01-01..2017-12-31 2016-01-01..2018-12-31")
check.eq(values_of({ from = "2016-01-31", to = "2016-04-30", length = "1m" }),
  "2016-01-31..2016-02-28 2016-02-29..2016-03-30 2016-03-31..2016-04-29", "month ends, leap year")
check.eq(values_of({ from = "2016-01-01", to = "2020-12-31" }), "2016-01-01..2020-12-31", "no length: one range")

check.err(function() values_of({ from = "2012-06-01", to = "2014-01-01" }) end, "before OptionOmega's data begins (2013-01-02)")
check.err(function() values_of({ from = "2020-01-01", to = "2019-01-01" }) end, "not before")
check.err(function() values_of({ from = "2020-01-01", to = "2020-01-01" }) end, "not before")
check.err(function() values_of({ from = "2020-02-30", to = "2021-01-01" }) end, "dates.from", "not a date")
check.err(function() values_of({ from = "2020-01-01", to = "2020-06-30", length = "12m" }) end, "shorter than one length")
check.err(function() values_of({ from = "2020-01-01", to = "2021-01-01", length = "12q" }) end, "dates.length", "not a span")
local tomorrow = dates.format(dates.parse(dates.today()) + 1)
check.err(function() values_of({ from = "2020-01-01", to = tomorrow }) end, "after OptionOmega's last day of data")

check.ok(p.check_value("2020-01-02..2020-12-31"))
check.eq(select(2, p.check_value("2020-12-31..2020-01-02")), "starts 2020-12-31, not before its end 2020-01-02")
check.ok(select(2, p.check_value("2020-01-02")):find("YYYY-MM-DD..YYYY-MM-DD", 1, true) ~= nil)

-- a fixed range for a whole run, checked like any value
local sweep = modes.get("sweep")
local sw = sweep.check({ parameter = "delta", config = { start = 5, stop = 10, step = 5 },
                         fixed = { dates = "2020-01-02..2020-12-31" } }, reg)
check.eq(sweep.plan(sw, {}).tasks[2].values.dates, "2020-01-02..2020-12-31")
check.err(function() sweep.check({ parameter = "delta", config = {}, fixed = { dates = "2020-12-31..2020-01-02" } }, reg) end,
  "sweep.fixed.dates", "not before its end")
check.err(function() modes.get("grid").check({ parameters = { delta = {} }, fixed = { colour = 1 } }, reg) end,
  "grid.fixed", "unknown parameter \"colour\"")

check.done()
