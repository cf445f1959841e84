-- oo.search.common: what the searches (refine, optimize, halving) read from a spec alike: the
-- space (a sweep's or a grid's parameters), the objective (optimize_by), and whole-number
-- options with their bounds. Errors are typed input errors naming the mode and the field.
local errors = require("oo.errors")
local modes = require("oo.modes")
local objective = require("oo.objective")
local space = require("oo.search.space")
local M = {}

-- The axes {name, config, values} of a sweep's spec (parameter = , config = ) or a grid's
-- (parameters = ...), in loop order.
function M.axes(spec, registry, mode)
  local grid = require("modes.grid")
  if spec.parameters ~= nil then
    if spec.parameter ~= nil then
      errors.raise("input", "%s: give parameter (one) or parameters (several), not both", mode)
    end
    return grid.axes(spec, registry, mode)
  end
  if spec.parameter == nil then
    errors.raise("input", "%s: parameters missing: parameter = \"delta\", config = {...} or parameters = {delta = {...}, ...}", mode)
  end
  local _, cfg, vals = modes.resolve_parameter(registry, spec.parameter, spec.config, mode .. "." .. tostring(spec.parameter))
  return { { name = spec.parameter, config = cfg, values = vals } }
end

-- A whole number option of the spec: default when absent; min..max inclusive.
function M.int(spec, key, mode, default, min, max)
  local v = spec[key]
  if v == nil then return default end
  if math.type(v) == "float" and v % 1 == 0 and v > -2^53 and v < 2^53 then v = math.tointeger(v) end
  if math.type(v) ~= "integer" then
    errors.raise("input", "%s.%s: expected a whole number, found %s", mode, key, tostring(v))
  end
  if (min and v < min) or (max and v > max) then
    errors.raise("input", "%s.%s: %d is out of range (%s to %s)", mode, key, v, tostring(min or "-"), tostring(max or "-"))
  end
  return v
end

-- The checked parts every search has: axes, fixed values, the objective, the grid's size.
function M.check(spec, registry, mode)
  local axes = M.axes(spec, registry, mode)
  local fixed = modes.check_fixed(registry, spec.fixed, mode)
  for _, a in ipairs(axes) do
    if spec.fixed and spec.fixed[a.name] ~= nil then
      errors.raise("input", "%s.fixed.%s: the parameter is searched, it cannot also be fixed", mode, a.name)
    end
  end
  local obj = objective.get(spec.optimize_by, mode .. ".optimize_by")
  local size = 1
  for _, a in ipairs(axes) do size = size * #a.values end
  return { axes = axes, fixed = fixed, optimize_by = spec.optimize_by, obj = obj, grid_size = size }
end

-- The space of a checked spec (built once per spec table).
function M.space(norm)
  if not norm._space then norm._space = space.new(norm.axes, norm.fixed) end
  return norm._space
end

-- "delta (10) x profit_target (12)"
function M.axes_label(norm)
  local parts = {}
  for _, a in ipairs(norm.axes) do parts[#parts + 1] = string.format("%s (%d)", a.name, #a.values) end
  return table.concat(parts, " x ")
end

function M.names(norm)
  local parts = {}
  for _, a in ipairs(norm.axes) do parts[#parts + 1] = a.name end
  return table.concat(parts, " x ")
end

-- A stage of a search from its points (nil when there are none).
function M.stage(norm, k, points, what)
  if #points == 0 then return nil end
  local S = M.space(norm)
  local tasks = {}
  for i, p in ipairs(points) do tasks[i] = { values = S.values(p) } end
  return { index = k, label = M.names(norm) .. ": " .. what, tasks = tasks }
end

-- A search's answer from its stages done: the best result so far ({values, metrics, score}),
-- the backtests it spent, the configurations it tried, the size of the full grid.
function M.summary(norm, done)
  local S = M.space(norm)
  local H = require("oo.search.history").read(S, done, norm.obj)
  return { best = H.best, spent = H.spent, tried = #H.list, grid = S.size }
end

-- After a run: what the search spent against a full grid. results: the store's results
-- (cached_from set when the cache served one); counts: the run's task counts.
function M.cost(norm, results, counts)
  local run, cached = 0, 0
  for _, r in ipairs(results) do
    if type(r.cached_from) == "number" then cached = cached + 1 else run = run + 1 end
  end
  local failed = counts and tonumber(counts.failed) or 0
  local spent = run + failed
  local size = M.space(norm).size
  return string.format("Search: %d backtest%s spent%s%s; a full grid is %d (%.0f%% of it)", spent,
    spent == 1 and "" or "s", failed > 0 and string.format(" (%d failed)", failed) or "",
    cached > 0 and string.format(", %d more from the cache at no cost", cached) or "", size, 100 * spent / size)
end

return M
