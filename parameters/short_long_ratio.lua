-- Short/long ratio exit (Exit Conditions, behind "Use Short/Long Ratio"): close when the
-- short legs' value over the long legs' value falls below (or rises above) the ratio.
local param = require("oo.param")
local ui = require("oo.ui")
local p = param.numeric {
  name = "short_long_ratio",
  display_name = "Short/Long Ratio (exit)",
  description = "Exit when the short/long premium ratio crosses this value",
  label = "Exit When S/L Ratio is Below", section = "Exit Conditions",
  toggle = "Use Short/Long Ratio",
  min = 0.05, max = 50, start = 0.5, stop = 3, step = 0.25,
}
table.insert(p.fields, { name = "bound", type = "choice", label = "Exit when ratio is",
  choices = { "below", "above" }, default = "below" })
local labels = { below = "Exit When S/L Ratio is Below", above = "Exit When S/L Ratio is Above" }
local opts = { section = "Exit Conditions" }
function p.set(page, value, config)
  ui.set_toggle(page, "Use Short/Long Ratio", true, opts)
  ui.fill(page, labels[config.bound], ui.num(value), opts)
end
function p.verify(page, value, config)
  local got = ui.value(page, labels[config.bound], opts)
  if ui.same(got, value) then return true end
  return false, string.format("%s holds %q, expected %s", labels[config.bound], tostring(got), ui.num(value))
end
return p
