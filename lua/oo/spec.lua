-- oo.spec: a run's specification, from the command line, a JSON config or a run script, to
-- the checked form a mode plans from. The design's JSON uses "end"; in Lua `end` is reserved,
-- so a Lua spec says "stop" (both are accepted everywhere).
--
--   { test = "https://optionomega.com/test/abc", name = "delta sweep", mode = "sweep",
--     parameter = "delta", config = { start = 5, stop = 50, step = 1 }, browsers = 2 }
--
-- What is stored with the run is {spec = <the spec, JSON>, script = <path or nil>}: a spec
-- holding Lua functions (a custom optimize_by) is read again from its script on resume.
local modes = require("oo.modes")
local site = require("oo.site")
local M = {}

M.max_without_yes = 1000

-- end -> stop in every config table (the design's JSON spelling)
local function normalise_ends(t, seen)
  if type(t) ~= "table" or seen[t] then return end
  seen[t] = true
  if t["end"] ~= nil and t.stop == nil then t.stop, t["end"] = t["end"], nil end
  for _, v in pairs(t) do normalise_ends(v, seen) end
end

-- A spec from a run script's returned table or a decoded JSON config.
function M.prepare(spec, where)
  where = where or "spec"
  if type(spec) ~= "table" then error(where .. ": expected a table (the run's spec)", 0) end
  normalise_ends(spec, {})
  if spec.mode == nil then
    if spec.stages then spec.mode = "staged"
    elseif spec.parameters then spec.mode = "grid"
    elseif spec.parameter then spec.mode = "sweep" end
  end
  if type(spec.mode) ~= "string" then
    error(where .. ": mode missing (sweep, grid or staged)", 0)
  end
  return spec
end

-- Checks a spec against the parameter registry; returns the mode, its checked spec and the
-- number of tasks (for a staged run, all stages). Errors name what is wrong and where.
function M.check(spec, registry, where)
  spec = M.prepare(spec, where)
  local mode = modes.get(spec.mode)
  local norm = mode.check(spec, registry)
  return mode, norm, mode.count(norm)
end

-- The test URL of a spec, checked: an OptionOmega test page.
function M.test_url(url, where)
  if type(url) ~= "string" or url == "" then
    error((where or "spec") .. ": test missing: the URL of an OptionOmega test (https://optionomega.com/test/<id>)", 0)
  end
  if not site.test_id(url) then
    error(string.format("%s: %q is not an OptionOmega test URL (expected %s/test/<id>)", where or "spec", url, site.base_url()), 0)
  end
  return url
end

-- Loads a run script: it returns a spec table (declarative). Returns the spec.
function M.from_script(path, imperative_ok)
  local chunk, err = loadfile(path, "t")
  if not chunk then error(err, 0) end
  local ok, spec = pcall(chunk)
  if not ok then error(spec, 0) end
  if spec == nil and imperative_ok and package.loaded["oo"] and package.loaded["oo"].run then
    return nil   -- the script drove its runs itself (require("oo").run)
  end
  if type(spec) ~= "table" then
    error(path .. ": a run script returns its spec table (see examples/)", 0)
  end
  return spec
end

-- The stored spec with its Lua functions back: where the stored copy says "custom" (a
-- function, see storable) and the script's spec holds a function at the same place.
local function with_functions(stored, live)
  if type(stored) ~= "table" or type(live) ~= "table" then
    if stored == "custom" and type(live) == "function" then return live end
    return stored
  end
  local out = {}
  for k, v in pairs(stored) do out[k] = with_functions(v, live[k]) end
  return out
end

-- The spec a stored run was created from. The stored spec is the truth (with the command
-- line's --mode, --max-backtests, --seed and a search's batch in it); a run script is read
-- again only for the Lua functions a spec cannot store.
function M.from_stored(stored)
  if type(stored) ~= "table" then error("the run has no spec", 0) end
  if stored.script then
    local ok, spec = pcall(M.from_script, stored.script)
    if ok and stored.spec then return M.prepare(with_functions(stored.spec, spec), stored.script) end
    if ok then return M.prepare(spec, stored.script) end
    if not stored.spec then error(spec, 0) end
  end
  return M.prepare(stored.spec, "the run's spec")
end

-- A copy that JSON can hold: functions become the string "custom".
function M.storable(spec)
  local function copy(v, seen)
    if type(v) == "function" then return "custom" end
    if type(v) ~= "table" then return v end
    if seen[v] then error("spec: a table refers to itself", 0) end
    seen[v] = true
    local c = {}
    for k, x in pairs(v) do c[k] = copy(x, seen) end
    seen[v] = nil
    return c
  end
  return copy(spec, {})
end

-- Each swept parameter's checked config (its fields: start, stop, step and the parameter's
-- own, e.g. delta's apply_to), from a mode's checked spec.
function M.param_configs(norm)
  local out = {}
  if norm.parameter then out[norm.parameter] = norm.config end
  for _, a in ipairs(norm.axes or {}) do out[a.name] = a.config end
  for _, s in ipairs(norm.stages or {}) do out[s.parameter] = s.config end
  -- a mode made of inner searches (walkforward): theirs
  for _, s in ipairs(norm.searches or {}) do
    for k, v in pairs(M.param_configs(s.spec)) do out[k] = v end
  end
  return out
end

return M
