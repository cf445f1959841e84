-- oo.spec: a run's specification, from the command line, a JSON or YAML config, a run script or
-- the dashboard, to the checked form a mode plans from; and back from the store. The design's
-- JSON uses "end"; in Lua `end` is reserved, so a Lua spec says "stop" (both are accepted).
--
--   { test = "https://optionomega.com/test/abc", name = "delta sweep", mode = "sweep",
--     parameter = "delta", config = { start = 5, stop = 50, step = 1 }, browsers = 2 }
--
-- One command is one Lua state, and a spec is read and checked once in it:
--   * a run script is executed once per state (M.run_text caches what its text returned);
--   * M.check remembers what it checked (the same table is never checked twice);
--   * a run created in this state keeps its live spec (M.remember), so executing it and
--     printing its results use that very table, Lua functions (a custom optimize_by) included.
-- What is stored with a run is its normalized spec (JSON: functions become "custom") and the
-- text of its script; a later command (resume, the dashboard's engine) runs the stored spec,
-- and executes the stored text only to get the functions back (M.for_run): editing the script
-- file after a run started changes nothing of that run.
local errors = require("oo.errors")
local modes = require("oo.modes")
local site = require("oo.site")
local M = {}

M.max_without_yes = 1000      -- more backtests need --yes ("yes": true over the API)
M.max_backtests = 100000      -- more are refused outright
M.max_name = 200              -- characters (not bytes) of a run's name

local executed = {}                          -- script text -> {value = what it returned}
local checked = setmetatable({}, { __mode = "k" })   -- spec table -> {mode, norm, count}
local live = {}                              -- run id -> {spec, mode, norm, count}

-- end -> stop in every config table (the design's JSON spelling)
local function normalise_ends(t, seen)
  if type(t) ~= "table" or seen[t] then return end
  seen[t] = true
  if t["end"] ~= nil and t.stop == nil then t.stop, t["end"] = t["end"], nil end
  for _, v in pairs(t) do normalise_ends(v, seen) end
end

-- A spec from a run script's returned table or a decoded JSON config: "end" read as "stop",
-- the mode made explicit.
function M.prepare(spec, where)
  where = where or "spec"
  if type(spec) ~= "table" then errors.raise("input", "%s: expected a table (the run's spec)", where) end
  normalise_ends(spec, {})
  if spec.mode == nil then
    if spec.stages then spec.mode = "staged"
    elseif spec.parameters then spec.mode = "grid"
    elseif spec.parameter then spec.mode = "sweep" end
  end
  if type(spec.mode) ~= "string" then
    errors.raise("input", "%s: mode missing (one of %s)", where, table.concat(modes.builtin, ", "))
  end
  return spec
end

-- Checks a spec against the parameter registry; returns the mode, its checked spec and the
-- number of tasks (for a staged run, all stages). Errors name what is wrong and where; an
-- error without "where" in it gets it in front. A table already checked is not checked again.
function M.check(spec, registry, where)
  local done = checked[spec]
  if done then return done.mode, done.norm, done.count end
  spec = M.prepare(spec, where)
  local ok, mode, norm = pcall(function()
    local m = modes.get(spec.mode)
    return m, m.check(spec, registry)
  end)
  if not ok then
    local msg = errors.message(mode)
    if where and not msg:find(where, 1, true) then msg = where .. ": " .. msg end
    error(errors.new(errors.code(mode) == "script" and "input" or errors.code(mode), msg), 0)
  end
  local count = mode.count(norm)
  checked[spec] = { mode = mode, norm = norm, count = count }
  return mode, norm, count
end

-- The number of backtests a run may have: over M.max_backtests never, over M.max_without_yes
-- only when the user said yes. count may be a float (a grid's product is not an integer past
-- 2^63).
function M.check_count(count, yes, where, how)
  local shown = string.format("%.0f", count)
  if count > M.max_backtests then
    errors.raise("input", "%s: this run has %s backtests, over the %d one run may have: narrow the ranges or take a "
      .. "larger step", where, shown, M.max_backtests)
  end
  if count > M.max_without_yes and not yes then
    errors.raise("input", "%s: this run has %s backtests (over 1,000): check the ranges, or %s to run them all",
      where, shown, how or "add --yes")
  end
end

-- A run's name: at most M.max_name characters, no control characters (a name is printed in
-- terminals and pages). code: "usage" when it came from a flag.
function M.check_name(name, where, code)
  if name == nil then return nil end
  code = code or "input"
  if type(name) ~= "string" then errors.raise(code, "%s: the name must be text, found %s", where, type(name)) end
  local n = utf8.len(name)
  if not n then errors.raise(code, "%s: the name is not valid UTF-8", where) end
  if n > M.max_name then
    errors.raise(code, "%s: the name has %d characters, at most %d please", where, n, M.max_name)
  end
  local bad = name:find("[%c\127]")
  if bad then
    errors.raise(code, "%s: the name holds a control character (byte %d at %d): names are plain text", where,
      name:byte(bad), bad)
  end
  return name
end

-- The test URL of a spec, checked: an OptionOmega test page.
function M.test_url(url, where)
  if type(url) ~= "string" or url == "" then
    errors.raise("input", "%s: test missing: the URL of an OptionOmega test (https://optionomega.com/test/<id>)",
      where or "spec")
  end
  if not site.test_id(url) then
    errors.raise("input", "%s: %q is not an OptionOmega test URL (expected %s/test/<id>)", where or "spec", url,
      site.base_url())
  end
  return url
end

-- Executes a run script's text, once per Lua state whatever the number of calls: its first
-- result (the spec table, or nil for a script that drove its runs through require("oo")).
-- path names the chunk in messages (file:line).
function M.run_text(text, path)
  local done = executed[text]
  if done then return done.value end
  local chunk, err = load(text, "@" .. path, "t")
  if not chunk then errors.raise("input", "%s", err) end
  executed[text] = { value = nil }     -- a script that fails is not run again either
  local ok, v = pcall(chunk)
  if not ok then error(v, 0) end
  executed[text].value = v
  return v
end

-- Reads and executes a run script once: returns what it returned and its text.
function M.load_script(path)
  local text, err = require("fs").read(path)
  if not text then errors.raise("input", "%s", err) end
  return M.run_text(text, path), text
end

-- A copy that JSON can hold: functions become the string "custom". Second result: where they
-- were ({"stages[1].optimize_by", ...}), stored with the run so that a resume knows which
-- values to take from the stored script (a name that reads "custom" is just a name).
function M.storable(spec)
  local paths = {}
  local function copy(v, seen, path)
    if type(v) == "function" then paths[#paths + 1] = path; return "custom" end
    if type(v) ~= "table" then return v end
    if seen[v] then errors.raise("input", "spec: a table refers to itself") end
    seen[v] = true
    local c = {}
    for k, x in pairs(v) do
      c[k] = copy(x, seen, path .. (math.type(k) == "integer" and ("[" .. k .. "]") or ((path == "" and "" or ".") .. tostring(k))))
    end
    seen[v] = nil
    return c
  end
  local c = copy(spec, {}, "")
  table.sort(paths)
  return c, paths
end

-- The value at a path of M.storable ("stages[1].optimize_by") in t, and a setter.
local function at_path(t, path)
  local parent, key = nil, nil
  for name, index in path:gmatch("([^.%[%]]*)%[?(%d*)%]?") do
    if name ~= "" then
      parent, key = t, name
      t = type(t) == "table" and t[name] or nil
    end
    if index ~= "" then
      parent, key = t, tonumber(index)
      t = type(t) == "table" and t[tonumber(index)] or nil
    end
  end
  return t, parent, key
end
M.at_path = at_path

-- Puts the functions of `from` (the spec the stored script gives again) at the stored paths;
-- returns the paths where it gives none.
local function graft(stored, from, paths)
  local missing = {}
  for _, path in ipairs(paths) do
    local f = at_path(from, path)
    local _, parent, key = at_path(stored, path)
    if type(f) == "function" and type(parent) == "table" then parent[key] = f else missing[#missing + 1] = path end
  end
  return missing
end

-- The spec of a stored run: the normalized spec it was created with; its Lua functions come
-- from the stored script's text (executed here, once). config: the run's stored config
-- {spec, script (its path, for messages)}; text: the stored script's text, or nil.
function M.from_stored(config, text, run_id)
  if type(config) ~= "table" then errors.raise("input", "run %s has no stored spec", tostring(run_id)) end
  if type(config.spec) ~= "table" then
    -- a config that is a spec itself (a run written otherwise than by the engine)
    if config.mode == nil and config.stages == nil and config.parameters == nil and config.parameter == nil then
      errors.raise("input", "run %s has no stored spec", tostring(run_id))
    end
    config = { spec = config }
  end
  local spec = config.spec
  local paths = type(config.functions) == "table" and config.functions or {}
  if #paths > 0 then
    local where = config.script or "the run's script"
    local source
    if text then source = M.run_text(text, where)
    elseif config.script then source = M.load_script(config.script)   -- a run stored before scripts were
    end
    local missing = graft(spec, type(source) == "table" and source or {}, paths)
    if #missing > 0 then
      errors.raise("input", "run %s: %s was a Lua function, and %s gives none now: start a new run",
        tostring(run_id), table.concat(missing, ", "), text and "its stored script" or where)
    end
  end
  return M.prepare(spec, "run " .. tostring(run_id))
end

-- A run created in this state keeps its live spec; for_run returns it, or the stored one
-- (checked once).
function M.remember(run_id, entry) live[run_id] = entry end

function M.for_run(run_id, config, text, registry)
  local l = live[run_id]
  if l then return l end
  local spec = M.from_stored(config, text, run_id)
  local mode, norm, count = M.check(spec, registry, "run " .. tostring(run_id))
  l = { spec = spec, mode = mode, norm = norm, count = count }
  live[run_id] = l
  return l
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
