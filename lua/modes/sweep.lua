-- modes.sweep: one parameter across a range of values.
--   { mode = "sweep", parameter = "delta", config = { start = 5, stop = 50, step = 1 } }
local modes = require("oo.modes")
local M = { name = "sweep", description = "Single parameter sweep: one parameter across a range" }

-- What the wizard and New Run ask (oo.forms).
M.form = { order = 10, label = "sweep - one parameter across a range",
  fields = { { key = "parameter", type = "parameter", config = "config", label = "Parameter", at = "sweep" } } }

function M.check(spec, registry)
  local _, cfg, vals = modes.resolve_parameter(registry, spec.parameter, spec.config, "sweep")
  return { mode = "sweep", parameter = spec.parameter, config = cfg, values = vals,
           fixed = modes.check_fixed(registry, spec.fixed, "sweep") }
end

function M.count(spec) return #spec.values end

function M.plan(spec, done)
  if #done > 0 then return nil end
  local tasks = {}
  for _, v in ipairs(spec.values) do
    tasks[#tasks + 1] = { values = modes.with(spec.fixed, spec.parameter, v) }
  end
  return { index = 1, label = spec.parameter, parameter = spec.parameter, tasks = tasks }
end

return M
