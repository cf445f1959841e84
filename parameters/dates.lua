-- The backtest's dates (Dates: Start Date and End Date, MM/DD/YYYY in the dialog). A value is
-- one date range "YYYY-MM-DD..YYYY-MM-DD", so a sweep or a grid never pairs a start with an
-- end before it: one backtest over the whole span, or one per `length` (e.g. a year each):
--   { parameter = "dates", config = { from = "2016-01-01", to = "2024-12-31", length = "12m" } }
-- step: how far the next range starts after the last one (default: length, back to back);
-- anchored: every range starts at `from` and ends one step later than the one before.
-- A fixed range for a whole run: fixed = { dates = "2020-01-02..2024-12-31" }.
-- Ranges must lie within the data OptionOmega has (oo.site.data_range: 2013-01-02 to
-- yesterday), and start before they end.
local dates = require("oo.dates")
local site = require("oo.site")
local ui = require("oo.ui")

local first, last = site.data_range()

local p = {
  name = "dates",
  display_name = "Dates",
  description = "Start and end date of the backtest: one range, or one range per length (e.g. a year each)",
  fields = {
    { name = "from", type = "date", label = "From", default = first },
    { name = "to", type = "date", label = "To", default = last },
    { name = "length", type = "string", label = "Each backtest spans (e.g. 12m; empty = from to to)", default = "" },
    { name = "step", type = "string", label = "Next one starts after (empty = its length)", default = "" },
    { name = "anchored", type = "bool", label = "Anchored (every range starts at from)", default = false },
  },
}

local function span(text, what)
  local s, why = dates.parse_span(text)
  if not s then error(string.format("dates.%s: %s", what, why), 0) end
  return s
end

-- The ranges: from + k * step, each `length` long, while it ends by `to`.
function p.generate(config)
  local a, b = dates.parse(config.from), dates.parse(config.to)
  if b <= a then error(string.format("dates: from %s is not before to %s", config.from, config.to), 0) end
  if config.length == "" then return { dates.range(config.from, config.to) } end
  local len = span(config.length, "length")
  local step = config.step == "" and len or span(config.step, "step")
  local out = {}
  for k = 0, 100000 do
    local s = config.anchored and a or dates.advance(a, step, k)
    local e = dates.advance(a, len, 1, step, k) - 1
    if e > b then break end
    out[#out + 1] = dates.range(dates.format(s), dates.format(e))
  end
  if #out == 0 then
    error(string.format("dates: %s to %s is shorter than one length of %s", config.from, config.to, config.length), 0)
  end
  return out
end

-- A range OptionOmega can run: real dates, start before end, within its data.
function p.check_value(v)
  local a, b, why = dates.split(v)
  if not a then return false, why end
  local lo, hi = site.data_range()
  if a < lo then return false, string.format("starts %s, before OptionOmega's data begins (%s)", a, lo) end
  if b > hi then return false, string.format("ends %s, after OptionOmega's last day of data (%s, yesterday)", b, hi) end
  if a >= b then return false, string.format("starts %s, not before its end %s", a, b) end
  return true
end

local START, END = "Start Date", "End Date"

function p.set(page, value)
  local a, b = dates.split(value)
  if not a then error("dates: " .. tostring(b), 0) end
  -- a date picker may refuse a start after the end it holds: then the end goes first
  local held_end = dates.from_us(ui.value(page, END))
  if held_end and a > held_end then
    ui.fill(page, END, dates.to_us(b))
    ui.fill(page, START, dates.to_us(a))
  else
    ui.fill(page, START, dates.to_us(a))
    ui.fill(page, END, dates.to_us(b))
  end
end

function p.verify(page, value)
  local a, b = dates.split(value)
  local got_a, got_b = ui.value(page, START), ui.value(page, END)
  if dates.from_us(got_a) ~= a then
    return false, string.format("%s holds %q, expected %s", START, tostring(got_a), dates.to_us(a))
  end
  if dates.from_us(got_b) ~= b then
    return false, string.format("%s holds %q, expected %s", END, tostring(got_b), dates.to_us(b))
  end
  return true
end

return p
