-- modes.grid: every combination of several parameters (the cartesian product).
--   { mode = "grid", parameters = { delta = {start=5, stop=20, step=5},
--                                   profit_target = {start=10, stop=50, step=10} } }
-- or, to fix the order of the loops, a list: parameters = { {name="delta", config={...}}, ... }.
-- Without a list the parameters are taken in name order; the last varies fastest.
local errors = require("oo.errors")
local modes = require("oo.modes")
local M = { name = "grid", description = "Grid search: every combination of several parameters" }

-- What the wizard and New Run ask (oo.forms).
M.form = { order = 20, label = "grid - every combination of several parameters",
  fields = { { key = "parameters", type = "parameters", label = "Parameter", min = 1, max = 4, at = "grid" } } }

-- The spec's parameters as a list {name, config} in loop order. `mode` names the mode in
-- messages (the searches read a grid's spec too).
function M.entries(spec, mode)
  mode = mode or "grid"
  local list = {}
  if type(spec.parameters) ~= "table" then errors.raise("input", "%s: parameters missing (a table of name = config)", mode) end
  if #spec.parameters > 0 then
    for i, e in ipairs(spec.parameters) do
      if type(e) ~= "table" then errors.raise("input", "%s: parameters[%d]: expected {name=..., config=...}", mode, i) end
      local name = e.name or e.parameter
      if type(name) ~= "string" then
        errors.raise("input", "%s: parameters[%d]: name missing (e.g. { name = \"delta\", config = {...} })", mode, i)
      end
      list[#list + 1] = { name = name, config = e.config or {} }
    end
  else
    for name, cfg in pairs(spec.parameters) do list[#list + 1] = { name = name, config = cfg } end
    table.sort(list, function(a, b) return a.name < b.name end)
  end
  if #list < 1 then errors.raise("input", "%s: at least one parameter is needed", mode) end
  return list
end

-- The checked axes {name, config, values} of a grid's spec, in loop order.
function M.axes(spec, registry, mode)
  mode = mode or "grid"
  local axes, seen = {}, {}
  for _, e in ipairs(M.entries(spec, mode)) do
    if seen[e.name] then errors.raise("input", "%s: parameter %q given twice", mode, tostring(e.name)) end
    seen[e.name] = true
    local _, cfg, vals = modes.resolve_parameter(registry, e.name, e.config, mode .. "." .. tostring(e.name))
    axes[#axes + 1] = { name = e.name, config = cfg, values = vals }
  end
  return axes
end

function M.check(spec, registry)
  return { mode = "grid", axes = M.axes(spec, registry), fixed = modes.check_fixed(registry, spec.fixed, "grid") }
end

-- The number of combinations, without building them; in floating point, so that a grid past
-- 2^63 combinations is a large number, never a wrapped-around integer (an integer when exact).
function M.count(spec)
  local n = 1.0
  for _, a in ipairs(spec.axes) do n = n * #a.values end
  return n < 2^53 and math.tointeger(n) or n
end

function M.plan(spec, done)
  if #done > 0 then return nil end
  local tasks = {}
  local function walk(i, acc)
    if i > #spec.axes then
      tasks[#tasks + 1] = { values = acc }
      return
    end
    local axis = spec.axes[i]
    for _, v in ipairs(axis.values) do walk(i + 1, modes.with(acc, axis.name, v)) end
  end
  walk(1, spec.fixed)
  local names = {}
  for _, a in ipairs(spec.axes) do names[#names + 1] = a.name end
  return { index = 1, label = table.concat(names, " x "), tasks = tasks }
end

return M
