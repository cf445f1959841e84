-- Delta of the legs' strikes (Strategy, leg builder, with the ± unit): sweeps the delta of the
-- put legs, the call legs or both, of the short legs by default or of one leg by its row.
local errors = require("oo.errors")
local values = require("oo.values")
local ui = require("oo.ui")

local p = {
  name = "delta",
  display_name = "Delta",
  description = "Options delta of the legs' strikes (put, call or both; short legs or one leg)",
  fields = {
    { name = "start", type = "int", label = "Start", default = 5, min = 1, max = 100 },
    { name = "stop", type = "int", label = "Stop", default = 50, min = 1, max = 100 },
    { name = "step", type = "int", label = "Step", default = 1, min = 1, max = 99 },
    { name = "apply_to", type = "choice", label = "Apply to", choices = { "both", "put", "call" }, default = "both" },
    { name = "legs", type = "choice", label = "Legs", choices = { "short", "long", "all" }, default = "short" },
    { name = "leg", type = "int", label = "Only leg # (0 = every matching leg)", default = 0, min = 0, max = 8 },
  },
}

function p.generate(config) return values.range(config.start, config.stop, config.step) end
function p.check_value(v) if v < 1 or v > 100 then return false, "delta is 1 to 100" end return true end

local function targets(page, config)
  if config.leg and config.leg > 0 then
    if config.leg > ui.leg_count(page) then
      errors.raise("input", "delta: the strategy has %d legs, no leg %d", ui.leg_count(page), config.leg)
    end
    return { config.leg }
  end
  local filter = {}
  if config.apply_to ~= "both" then filter.type = config.apply_to end
  if config.legs == "short" then filter.side = "sell" elseif config.legs == "long" then filter.side = "buy" end
  local rows = ui.find_legs(page, filter)
  if #rows == 0 then
    errors.raise("input", "delta: no %s %s leg in this strategy", config.legs,
      config.apply_to == "both" and "put or call" or config.apply_to)
  end
  return rows
end

function p.set(page, value, config)
  for _, i in ipairs(targets(page, config)) do
    page:fill(ui.leg_value_target(i), ui.num(value))
  end
end

function p.verify(page, value, config)
  for _, i in ipairs(targets(page, config)) do
    local got = page:input_value(ui.leg_value_target(i))
    if not (tonumber(got) and math.abs(math.abs(tonumber(got)) - value) < 1e-9) then
      return false, string.format("leg %d holds %q, expected %s", i, tostring(got), ui.num(value))
    end
  end
  return true
end

return p
