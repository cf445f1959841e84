-- Entry short/long ratio filter (Misc, behind "Use Entry Short/Long Ratio"): only enter when
-- the short legs' premium over the long legs' premium is at least (or at most) the ratio.
local param = require("oo.param")
local ui = require("oo.ui")
local p = param.numeric {
  name = "entry_sl_ratio",
  display_name = "Entry S/L Ratio",
  description = "Only enter when the short/long premium ratio is above (or below) this value",
  label = "Min Entry S/L Ratio", section = "Misc", toggle = "Use Entry Short/Long Ratio",
  min = 0.05, max = 50, start = 1, stop = 4, step = 0.5,
}
table.insert(p.fields, { name = "bound", type = "choice", label = "Sweep",
  choices = { "min", "max" }, default = "min" })
local labels = { min = "Min Entry S/L Ratio", max = "Max Entry S/L Ratio" }
local opts = { section = "Misc" }
function p.set(page, value, config)
  ui.set_toggle(page, "Use Entry Short/Long Ratio", true, opts)
  ui.fill(page, labels[config.bound], ui.num(value), opts)
end
function p.verify(page, value, config)
  local got = ui.value(page, labels[config.bound], opts)
  if ui.same(got, value) then return true end
  return false, string.format("%s holds %q, expected %s", labels[config.bound], tostring(got), ui.num(value))
end
return p
