-- oo.param: builds the common shape of a parameter script — a number swept over
-- start/stop/step and written into one labelled input of the dialog, perhaps behind a toggle.
-- A parameter file may use this or write its fields/generate/set/verify by hand (delta does).
local values = require("oo.values")
local ui = require("oo.ui")
local M = {}

-- def: name, display_name, description, label (the input's label), section (h3 heading, when
-- the label is ambiguous), toggle (label of the switch that reveals the input), min, max,
-- start, stop, step (defaults), integer (whole numbers only), unit (shown in forms).
function M.numeric(def)
  local kind = def.integer and "int" or "number"
  local p = {
    name = def.name,
    display_name = def.display_name,
    description = def.description,
    unit = def.unit,
    requires_toggle = def.toggle,
    fields = {
      { name = "start", type = kind, label = "Start", default = def.start, min = def.min, max = def.max },
      { name = "stop", type = kind, label = "Stop", default = def.stop, min = def.min, max = def.max },
      { name = "step", type = kind, label = "Step", default = def.step, min = def.min_step or (def.integer and 1 or 0.01) },
    },
  }
  function p.generate(config) return values.range(config.start, config.stop, config.step) end
  function p.check_value(v)
    if def.min and v < def.min then return false, "below the minimum " .. def.min end
    if def.max and v > def.max then return false, "above the maximum " .. def.max end
    return true
  end
  local opts = { section = def.section }
  function p.set(page, value)
    if def.toggle then ui.set_toggle(page, def.toggle, true, { section = def.toggle_section or def.section }) end
    ui.fill(page, def.label, ui.num(value), opts)
  end
  function p.verify(page, value)
    if def.toggle and not ui.toggle_state(page, def.toggle, { section = def.toggle_section or def.section }) then
      return false, string.format("toggle %q is off", def.toggle)
    end
    local got = ui.value(page, def.label, opts)
    if ui.same(got, value) then return true end
    return false, string.format("%s holds %q, expected %s", def.label, tostring(got), ui.num(value))
  end
  return p
end

-- A time of day "HH:MM" swept from start to stop every step minutes.
function M.time(def)
  local p = {
    name = def.name, display_name = def.display_name, description = def.description,
    requires_toggle = def.toggle,
    fields = {
      { name = "start", type = "time", label = "Start", default = def.start },
      { name = "stop", type = "time", label = "Stop", default = def.stop },
      { name = "step", type = "int", label = "Step (minutes)", default = def.step or 15, min = 1, max = 390 },
    },
  }
  function p.generate(config) return values.time_range(config.start, config.stop, config.step) end
  function p.check_value(v)
    local m = values.parse_time(v)
    if not m then return false, "not a time HH:MM" end
    if def.earliest and m < values.parse_time(def.earliest) then return false, "before " .. def.earliest end
    if def.latest and m > values.parse_time(def.latest) then return false, "after " .. def.latest end
    return true
  end
  local opts = { section = def.section }
  function p.set(page, value)
    if def.toggle then ui.set_toggle(page, def.toggle, true, opts) end
    ui.fill(page, def.label, value, opts)
  end
  function p.verify(page, value)
    local got = ui.value(page, def.label, opts)
    if got and got:sub(1, 5) == value then return true end
    return false, string.format("%s holds %q, expected %s", def.label, tostring(got), value)
  end
  return p
end

return M
