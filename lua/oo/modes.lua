-- oo.modes: finds a test mode (lua/modes/<name>.lua, or a user's module on OO_LUA_PATH) and
-- the pieces every mode shares: resolving a parameter and its values from a spec entry.
--
-- A mode module returns a table:
--   name, description
--   check(spec, registry)      -> normalised spec, or error("what is wrong, where")
--   count(spec)                -> number of tasks the run will have (known up front; a search's
--                                 budget, or its expected count)
--   plan(spec, done_stages)    -> the next stage {index, label, parameter, tasks = {{values=..}}}
--                                 or nil when the run is complete. done_stages is the list of
--                                 finished stages (oo.runner.stages_done), each with its results
--                                 ({task_id, values, metrics, cached}: cached = served by the
--                                 result cache, no backtest run) and its tasks ({task_id, values,
--                                 status}: failed ones too), in stored order. plan must be a pure
--                                 function of the spec and done_stages (a seed in the spec, no
--                                 clock, no state kept between calls): resume depends on it.
-- The runner plans the next stage when the last one has drained, so every browser is free then:
-- a search that proposes one candidate per browser (batched = true) gets the run's browsers as
-- spec.batch, written into the stored spec when the run is made (oo.cli.browsers).
-- Optional: batched; describe(spec, count) -> the one-line summary before a run;
-- summary(spec, done_stages) -> {best, spent, ...} (a search: the CLI then prints one table and
-- the search's cost); cost(spec, results, counts) -> that line; per_stage (a search whose
-- stages are judged apart, e.g. halving's rungs: a table per stage, the last stage's best).
-- `registry` maps parameter names to parameter modules (parameters/*.lua).
local values = require("oo.values")
local M = {}

M.builtin = { "sweep", "grid", "staged", "refine", "optimize", "halving", "walkforward" }

function M.get(name)
  if type(name) ~= "string" then error("mode: expected a name such as \"sweep\"", 0) end
  local ok, mod = pcall(require, "modes." .. name)
  if not ok then
    if tostring(mod):find("module 'modes." .. name .. "' not found", 1, true) then
      error(string.format("unknown mode %q (known: %s)", name, table.concat(M.builtin, ", ")), 0)
    end
    error(mod, 0)
  end
  return mod
end

-- Resolves {parameter = name, config = {...}} against the registry: returns the parameter
-- module, its completed config and its values (each checked against the field bounds).
function M.resolve_parameter(registry, name, config, where)
  where = where or name
  if type(name) ~= "string" then error(where .. ": parameter name missing", 0) end
  local p = registry[name]
  if not p then
    local names = {}
    for k in pairs(registry) do names[#names + 1] = k end
    table.sort(names)
    error(string.format("%s: unknown parameter %q (known: %s)", where, name, table.concat(names, ", ")), 0)
  end
  local cfg = values.apply_fields(name, p.fields, config)
  local ok, vals = pcall(p.generate, cfg)
  if not ok then error(string.format("%s: %s", where, tostring(vals)), 0) end
  if type(vals) ~= "table" or #vals == 0 then
    error(string.format("%s: the configuration gives no value to test", where), 0)
  end
  if p.check_value then
    for _, v in ipairs(vals) do
      local okv, why = p.check_value(v, cfg)
      if not okv then error(string.format("%s: value %s: %s", where, tostring(v), why or "out of bounds"), 0) end
    end
  end
  return p, cfg, vals
end

-- Checks a spec's fixed values ({name = value, ...}, kept the same in every task): each names
-- a parameter and is a value it accepts (e.g. fixed = {dates = "2020-01-02..2024-12-31"}).
-- Returns fixed, or {} when there is none.
function M.check_fixed(registry, fixed, where)
  where = (where or "spec") .. ".fixed"
  if fixed == nil then return {} end
  if type(fixed) ~= "table" then error(where .. ": expected a table of parameter = value", 0) end
  for name, v in pairs(fixed) do
    local p = registry[name]
    if not p then error(string.format("%s: unknown parameter %q", where, tostring(name)), 0) end
    if p.check_value then
      local ok, why = p.check_value(v, values.apply_fields(name, p.fields, {}))
      if not ok then error(string.format("%s.%s: %s: %s", where, name, tostring(v), why or "out of bounds"), 0) end
    end
  end
  return fixed
end

-- A shallow copy of t with k = v set.
function M.with(t, k, v)
  local c = {}
  for a, b in pairs(t or {}) do c[a] = b end
  c[k] = v
  return c
end

return M
