-- oo.modes: finds a test mode (lua/modes/<name>.lua, or a user's module on OO_LUA_PATH) and
-- the pieces every mode shares: resolving a parameter and its values from a spec entry.
--
-- A mode module returns a table:
--   name, description
--   check(spec, registry)      -> normalised spec, or a typed error (oo.errors, code "input":
--                                 "what is wrong, where"). spec is the user's spec as prepared
--                                 (oo.spec.prepare); the normalised spec may hold closures: it is
--                                 never stored (the prepared spec is).
--   count(spec)                -> number of tasks the run will have (known up front, without
--                                 building them: a float when it is too large for an integer;
--                                 a search's budget, or its expected count)
--   plan(spec, done_stages)    -> the next stage {index, label, parameter, tasks = {{values=..}}}
--                                 or nil when the run is complete. done_stages is the list of
--                                 finished stages (oo.runner.stages_done), each with its results
--                                 ({task_id, values, metrics, cached}: cached = served by the
--                                 result cache, no backtest run) and its tasks ({task_id, values,
--                                 status}: failed ones too), in stored order. plan must be a pure
--                                 function of the spec and done_stages (a seed in the spec, no
--                                 clock, no state kept between calls): resume depends on it.
--                                 A mode may set done[i].best (the result it kept) and
--                                 done[i].best_score, which the runner reports (a "stage_best"
--                                 event the dashboard shows).
-- The runner plans the next stage when the last one has drained, so every browser is free then:
-- a search that proposes one candidate per browser (batched = true) gets the run's browsers as
-- spec.batch, written into the stored spec when the run is made (oo.cli.browsers).
-- Optional: batched; describe(spec, count) -> the one-line summary before a run;
-- summary(spec, done_stages) -> {best, spent, ...} (a search: the CLI then prints one table and
-- the search's cost); cost(spec, results, counts) -> that line; per_stage (a search whose
-- stages are judged apart, e.g. halving's rungs: a table per stage, the last stage's best).
-- Optional: form, what the wizard (oo.wizard) and the dashboard's New Run ask for this mode,
-- one description for both front ends (oo.forms says what a field is):
--   form = { order = 30, label = "staged - one line for a menu", fields = { field, ... } }
-- A mode without a form is run from scripts, configs and the API only.
-- `registry` maps parameter names to parameter modules (parameters/*.lua). The engine checks
-- count() against its limits (over 1,000 needs --yes, over 100,000 is refused) before plan()
-- builds any task. "Best" is oo.objective's, never a mode's own.
local errors = require("oo.errors")
local fs = require("fs")
local values = require("oo.values")
local M = {}

-- The folders a mode is found in: modes/ beside every folder of package.path (lua/ of the
-- installation, the folders of OO_LUA_PATH), the order require searches them.
local function mode_dirs()
  local dirs, seen = {}, {}
  for pattern in package.path:gmatch("[^;]+") do
    local dir = pattern:match("^(.*)/%?%.lua$")
    if dir and not seen[dir] then
      seen[dir] = true
      dirs[#dirs + 1] = dir .. "/modes"
    end
  end
  return dirs
end

-- Every mode there is, derived from the modes themselves: each modes/<name>.lua that loads
-- as a mode (check, count and plan), in the order of its form (then by name). Computed once
-- per Lua state. Returns the list of modules; a file that fails to load is left out here
-- (M.get(name) says why).
local listed
function M.list()
  if listed then return listed end
  local out, seen = {}, {}
  for _, dir in ipairs(mode_dirs()) do
    for _, file in ipairs(fs.list(dir) or {}) do
      local name = file:match("^([%w_]+)%.lua$")
      if name and not seen[name] then
        seen[name] = true
        local ok, mod = pcall(require, "modes." .. name)
        if ok and type(mod) == "table" and type(mod.check) == "function" and type(mod.count) == "function"
            and type(mod.plan) == "function" then
          out[#out + 1] = mod
        end
      end
    end
  end
  local function order(m) return type(m.form) == "table" and tonumber(m.form.order) or math.huge end
  table.sort(out, function(a, b)
    if order(a) ~= order(b) then return order(a) < order(b) end
    return tostring(a.name) < tostring(b.name)
  end)
  listed = out
  return out
end

-- The modes' names, in the order of M.list().
function M.names()
  local out = {}
  for _, m in ipairs(M.list()) do out[#out + 1] = m.name end
  return out
end

function M.get(name)
  if type(name) ~= "string" then errors.raise("input", "mode: expected a name such as \"sweep\"") end
  local ok, mod = pcall(require, "modes." .. name)
  if not ok then
    if tostring(mod):find("module 'modes." .. name .. "' not found", 1, true) then
      errors.raise("input", "unknown mode %q (known: %s)", name, table.concat(M.names(), ", "))
    end
    error(mod, 0)
  end
  return mod
end

-- Resolves {parameter = name, config = {...}} against the registry: returns the parameter
-- module, its completed config and its values (each checked against the field bounds).
function M.resolve_parameter(registry, name, config, where)
  where = where or name
  if type(name) ~= "string" then errors.raise("input", "%s", where .. ": parameter name missing") end
  local p = registry[name]
  if not p then
    local names = {}
    for k in pairs(registry) do names[#names + 1] = k end
    table.sort(names)
    errors.raise("input", "%s: unknown parameter %q (known: %s)", where, name, table.concat(names, ", "))
  end
  local cfg = values.apply_fields(name, p.fields, config)
  local n = values.count_range(cfg)
  if n and n > values.max_values then
    errors.raise("input", "%s: %s gives %.0f values, over the %d a run may have: check start, stop and step", where,
      name, n, values.max_values)
  end
  local ok, vals = pcall(p.generate, cfg)
  if not ok then error(errors.wrap(vals, where), 0) end
  if type(vals) ~= "table" or #vals == 0 then
    errors.raise("input", "%s: the configuration gives no value to test", where)
  end
  if p.check_value then
    for _, v in ipairs(vals) do
      local okv, why = p.check_value(v, cfg)
      if not okv then errors.raise("input", "%s: value %s: %s", where, tostring(v), why or "out of bounds") end
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
  if type(fixed) ~= "table" then errors.raise("input", "%s: expected a table of parameter = value", where) end
  for name, v in pairs(fixed) do
    local p = registry[name]
    if not p then errors.raise("input", "%s: unknown parameter %q", where, tostring(name)) end
    if p.check_value then
      local ok, why = p.check_value(v, values.apply_fields(name, p.fields, {}))
      if not ok then errors.raise("input", "%s.%s: %s: %s", where, name, tostring(v), why or "out of bounds") end
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

-- Whether a mode is a search (it has summary: it spends fewer backtests than its full grid,
-- and its answer is the best of its stages' stage_best): what the CLI's report and the
-- dashboard's Run Detail (GET /api/modes: `search`) both go by.
function M.is_search(mod)
  return type(mod) == "table" and type(mod.summary) == "function"
end

return M
