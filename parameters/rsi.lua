-- RSI entry filter (Entry Conditions, behind "Use Technical Indicators"): sweeps the minimum or
-- the maximum RSI, the other bound held at `other`.
local values = require("oo.values")
local ui = require("oo.ui")
local opts = { section = "Entry Conditions" }
local labels = { min = "Min RSI", max = "Max RSI" }

local p = {
  name = "rsi",
  display_name = "RSI",
  description = "Only enter when RSI(14) on 1-minute bars is inside the band; sweeps one bound",
  requires_toggle = "Use Technical Indicators",
  fields = {
    { name = "bound", type = "choice", label = "Sweep", choices = { "min", "max" }, default = "min" },
    { name = "start", type = "int", label = "Start", default = 20, min = 0, max = 100 },
    { name = "stop", type = "int", label = "Stop", default = 50, min = 0, max = 100 },
    { name = "step", type = "int", label = "Step", default = 5, min = 1, max = 100 },
    { name = "other", type = "int", label = "Other bound", required = false, min = 0, max = 100 },
  },
}

function p.generate(config) return values.range(config.start, config.stop, config.step) end

local function other_of(config)
  if config.other then return config.other end
  return config.bound == "min" and 100 or 0
end

function p.check_value(v) if v < 0 or v > 100 then return false, "RSI is 0 to 100" end return true end

function p.set(page, value, config)
  ui.set_toggle(page, "Use Technical Indicators", true, opts)
  local other = config.bound == "min" and "max" or "min"
  ui.fill(page, labels[config.bound], ui.num(value), opts)
  ui.fill(page, labels[other], ui.num(other_of(config)), opts)
end

function p.verify(page, value, config)
  local other = config.bound == "min" and "max" or "min"
  for label, want in pairs({ [labels[config.bound]] = value, [labels[other]] = other_of(config) }) do
    local got = ui.value(page, label, opts)
    if not ui.same(got, want) then
      return false, string.format("%s holds %q, expected %s", label, tostring(got), ui.num(want))
    end
  end
  return true
end

return p
