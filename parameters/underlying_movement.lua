-- Exit when the underlying moves by this % from the entry price (Exit Conditions, behind
-- "Use Underlying Price Movement"); direction picks the input.
local param = require("oo.param")
local ui = require("oo.ui")
local base = param.numeric {
  name = "underlying_movement",
  display_name = "Underlying Movement %",
  description = "Exit when the underlying price moves this % up or down from entry",
  label = "Exit When Underlying Price Moves Down", section = "Exit Conditions",
  toggle = "Use Underlying Price Movement", unit = "%",
  min = 0.1, max = 20, start = 0.5, stop = 3, step = 0.5,
}
table.insert(base.fields, { name = "direction", type = "choice", label = "Direction",
  choices = { "down", "up", "both" }, default = "both" })
local labels = { up = { "Exit When Underlying Price Moves Up" },
                 down = { "Exit When Underlying Price Moves Down" },
                 both = { "Exit When Underlying Price Moves Up", "Exit When Underlying Price Moves Down" } }
local opts = { section = "Exit Conditions" }
function base.set(page, value, config)
  ui.set_toggle(page, "Use Underlying Price Movement", true, opts)
  for _, label in ipairs(labels[config.direction]) do ui.fill(page, label, ui.num(value), opts) end
end
function base.verify(page, value, config)
  for _, label in ipairs(labels[config.direction]) do
    local got = ui.value(page, label, opts)
    if not ui.same(got, value) then
      return false, string.format("%s holds %q, expected %s", label, tostring(got), ui.num(value))
    end
  end
  return true
end
return base
