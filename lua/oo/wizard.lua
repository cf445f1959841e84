-- oo.wizard: `oo-automator run` with no arguments. Asks, in the terminal: the test (a recent
-- one by number, a URL, an id or part of its name; a new URL may be named), the mode (every mode
-- with a form, oo.forms.modes: the list comes from the modes themselves), then what that mode's
-- form describes (oo.forms: values, parameters and their fields with defaults, stages, an inner
-- search and its own form), the browsers. Each answer is read by its type and checked by the
-- field's check, then the whole spec by the mode's own check (the message `run` and POST
-- /api/runs give); a wrong answer is said and asked again. Shows how many backtests that
-- makes, offers to save the answers as a run script, and asks to continue. Reads answers line
-- by line from stdin (so it can be scripted), writes questions to stderr.
local errors_mod = require("oo.errors")
local forms = require("oo.forms")
local fs = require("fs")
local modes = require("oo.modes")
local parameters = require("oo.parameters")
local spec_mod = require("oo.spec")
local M = {}

local NONE = {}        -- an optional field left empty
local lua_literal
local LUA_WORDS = {}
for w in ("and break do else elseif end false for function goto if in local nil not or repeat return then true until while"):gmatch("%a+") do
  LUA_WORDS[w] = true
end

local function say(...) io.stderr:write(...) end

local function ask(question, default)
  say(question, default ~= nil and (" [" .. tostring(default) .. "]") or "", ": ")
  local line = io.read("l")
  if line == nil then error("run: the wizard needs answers on stdin (or give SCRIPT.lua / --url --param)", 0) end
  line = line:gsub("^%s+", ""):gsub("%s+$", "")
  if line == "" then return default end
  return line
end

local function ask_until(question, default, parse)
  for _ = 1, 5 do
    local answer = ask(question, default)
    local ok, v, why = pcall(parse, answer)
    if ok and v ~= nil then return v end
    say("  ", tostring(ok and why or v), "\n")
  end
  error("run: no valid answer after 5 tries", 0)
end

local function choose(question, options, default)
  for i, o in ipairs(options) do say(string.format("  %d) %s\n", i, o.label)) end
  return ask_until(question, default, function(a)
    local n = tonumber(a)
    if n and options[n] then return options[n].value end
    for _, o in ipairs(options) do
      if tostring(o.value) == a or o.label:lower() == tostring(a):lower() then return o.value end
    end
    return nil, string.format("choose 1 to %d", #options)
  end)
end

local function ask_parameter(registry, question, exclude)
  local options = {}
  for _, name in ipairs(parameters.names(registry)) do
    if not (exclude and exclude[name]) then
      options[#options + 1] = { value = name, label = string.format("%s - %s", registry[name].display_name, registry[name].description or "") }
    end
  end
  local name = choose(question, options, nil)
  local cfg = {}
  for _, f in ipairs(registry[name].fields) do
    local label = f.label .. (f.choices and (" (" .. table.concat(f.choices, "/") .. ")") or "")
    cfg[f.name] = ask_until("  " .. label, f.default, function(a) return forms.parse(f, a) end)
  end
  return name, cfg
end

-- ---- a mode's form (oo.forms): the same description New Run is drawn from ------------------

local ask_fields

local function yes(answer) return tostring(answer):lower():sub(1, 1) == "y" end

-- A value field (date, span, number, objective, ...); current: the answer given before, if any.
local function ask_value(f, current, spec)
  local default = current
  if default == nil then default = forms.default(f, spec) end
  local label = forms.label(f, spec)
  if f.type == "objective" then
    local options = forms.objectives()
    local pick = 1
    default = default or require("oo.metrics").default_optimize_by
    for i, o in ipairs(options) do if o.value == default then pick = i end end
    return choose("  " .. label, options, pick)
  end
  if f.type == "bool" and default ~= nil then default = default and "y" or "n" end
  local question = "  " .. label .. (f.choices and (" (" .. table.concat(f.choices, "/") .. ")") or "")
  if f.type == "bool" then question = question .. " (y/n)" end
  if f.help then question = question .. " - " .. f.help end
  return ask_until(question, default, function(a)
    if a == nil then
      if f.optional then return NONE end
      return nil, f.label .. ": an answer please"
    end
    return forms.parse(f, a)
  end)
end

-- The parameters a part may not search: those already used, and the form's `without`.
local function excluded(without)
  local t = {}
  for _, n in ipairs(without or {}) do t[n] = true end
  return t
end

local function ask_parameters(f, registry, without)
  local list, used = {}, excluded(without)
  repeat
    local name, cfg = ask_parameter(registry, string.format("%s %d", f.label, #list + 1), used)
    used[name] = true
    list[#list + 1] = { name = name, config = cfg }
    local more = #list < (f.max or 4) and ask("Another parameter? (y/n)", #list < (f.min or 1) and "y" or "n") or "n"
  until not yes(more) and #list >= (f.min or 1)
  return list
end

local function ask_stages(f, registry, without)
  local stages, used = {}, excluded(without)
  repeat
    local name, cfg = ask_parameter(registry, string.format("%s %d parameter", f.label, #stages + 1), used)
    local st = { parameter = name, config = cfg }
    if #stages > 0 then
      st.use_best_from = stages[#stages].parameter
      st.optimize_by = ask_value({ key = "optimize_by", type = "objective", label = "Best of the previous stage by" })
    end
    used[name] = true
    stages[#stages + 1] = st
    local more = #stages < (f.max or 5) and ask("Another stage? (y/n)", #stages < 2 and "y" or "n") or "n"
  until not yes(more)
  return stages
end

-- An inner search: its mode (any with a form, less f.exclude), then that mode's fields.
local function ask_search(f, registry)
  local options = {}
  for _, m in ipairs(forms.modes(f.exclude)) do options[#options + 1] = { value = m.name, label = m.form.label } end
  local name = choose(f.label .. ": mode", options, 1)
  local inner = { mode = name }
  local omit = {}
  for _, k in ipairs(f.omit or {}) do omit[k] = true end
  ask_fields(modes.get(name), inner, registry, omit, f.without)
  return inner
end

-- Asks one field and puts its answer in spec.
local function ask_field(f, spec, registry, without)
  if f.type == "parameter" then
    spec[f.key], spec[f.config or "config"] = ask_parameter(registry, f.label, excluded(without))
  elseif f.type == "parameters" then
    forms.set(spec, f.key, ask_parameters(f, registry, without))
  elseif f.type == "stages" then
    forms.set(spec, f.key, ask_stages(f, registry, without))
  elseif f.type == "search" then
    forms.set(spec, f.key, ask_search(f, registry))
  else
    local v = ask_value(f, forms.get(spec, f.key), spec)
    forms.set(spec, f.key, v ~= NONE and v or nil)
  end
end

-- The index of the field of fields an error message names (oo.forms.field_for), or nil.
local function named(mod, fields, msg)
  local f = forms.field_for(mod, fields, msg)
  if not f then return nil end
  for i, x in ipairs(fields) do if x == f then return i end end
end

-- Asks a mode's fields in order into spec (less the keys in omit; without: parameters its parts
-- may not search). After each answer the field's check runs on the spec so far; on an error
-- the wizard says it and asks again the field it names (else the same one).
function ask_fields(mod, spec, registry, omit, without)
  local fields = {}
  for _, f in ipairs(mod.form.fields) do
    if not (omit and omit[f.key]) then fields[#fields + 1] = f end
  end
  local i, tries = 1, 0
  while i <= #fields do
    local f = fields[i]
    ask_field(f, spec, registry, without)
    local why = forms.check(f, spec)
    if why then
      tries = tries + 1
      if tries > 5 * #fields then error("wizard: no valid answers after " .. tries .. " tries", 0) end
      say("  ", why, "\n")
      local j = named(mod, fields, why) or i
      -- asked again with its default, not the answer just refused (another field named keeps
      -- its answer as the default)
      if j == i and not forms.composite[f.type] then forms.set(spec, f.key, nil) end
      i = j
    else
      i = i + 1
    end
  end
  return fields
end

-- Asks the mode's fields until the whole spec passes the mode's own check (the same check and
-- message as `run` and POST /api/runs): a field the message names is asked again.
local function ask_mode(mod, spec, registry)
  local fields = ask_fields(mod, spec, registry)
  for _ = 1, 5 do
    -- a copy: the spec itself is checked once more when it is complete (browsers, batch)
    local copy = {}
    for k, v in pairs(spec) do copy[k] = v end
    local ok, e = pcall(spec_mod.check, copy, registry, "wizard")
    if ok then return end
    local msg = errors_mod.message(e)
    say("  ", msg, "\n")
    local i = named(mod, fields, msg)
    if not i then error(e, 0) end
    ask_field(fields[i], spec, registry)
  end
  error("wizard: no valid answers after 5 tries", 0)
end

-- ---- a run script from the answers ---------------------------------------------------------

local function lua_key(k)
  if type(k) == "string" and k:match("^[%a_][%w_]*$") and not LUA_WORDS[k] then return k end
  return "[" .. lua_literal(k) .. "]"
end

function lua_literal(v, indent)
  indent = indent or ""
  local t = type(v)
  if t == "string" then return string.format("%q", v) end
  if math.type(v) == "integer" then return tostring(v) end
  if t == "number" then return string.format("%.17g", v) end
  if t == "boolean" then return tostring(v) end
  if t ~= "table" then error("wizard: cannot write a " .. t .. " into a script", 0) end
  local inner, parts = indent .. "  ", {}
  if #v > 0 then
    for _, x in ipairs(v) do parts[#parts + 1] = inner .. lua_literal(x, inner) end
  else
    local keys = {}
    for k in pairs(v) do keys[#keys + 1] = k end
    table.sort(keys, function(a, b) return tostring(a) < tostring(b) end)
    for _, k in ipairs(keys) do parts[#parts + 1] = inner .. lua_key(k) .. " = " .. lua_literal(v[k], inner) end
  end
  if #parts == 0 then return "{}" end
  return "{\n" .. table.concat(parts, ",\n") .. ",\n" .. indent .. "}"
end

-- The run script of a spec: `oo-automator run FILE` runs it.
function M.script_text(spec)
  return "-- written by the oo-automator wizard; run it with `oo-automator run " .. "<this file>`\n"
    .. "return " .. lua_literal(spec) .. "\n"
end

-- Offers to save the spec as a run script; returns the path written, or nil.
local function offer_script(spec)
  local path = ask_until("Save as a run script? (a file name ending in .lua; empty: no)", nil, function(a)
    if a == nil then return NONE end
    if not a:match("%.lua$") then return nil, "a file name ending in .lua please" end
    if fs.exists(a) then return nil, a .. " exists already: another name please" end
    return a
  end)
  if path == NONE then return nil end
  local ok, err = fs.write(path, M.script_text(spec))
  if not ok then error("wizard: cannot write " .. path .. ": " .. tostring(err), 0) end
  say("wrote ", path, " (run it again with `oo-automator run ", path, "`)\n")
  return path
end

-- arg: {tests = recent tests [{id, url, name}], browsers = default}
-- Returns {spec = ..., test = key, test_name = name for a new URL (or nil), browsers = n}.
function M.run(arg)
  local registry, errors = parameters.discover()
  for _, e in ipairs(errors) do say("warning: parameter script left out: ", e, "\n") end
  say("New run\n\nRecent tests:\n")
  local tests = arg.tests or {}
  if #tests == 0 then say("  (none yet)\n") end
  for i, t in ipairs(tests) do
    -- a test without a name comes from the store as JSON null (json.null), not nil
    local name = type(t.name) == "string" and t.name ~= "" and t.name or "(unnamed)"
    say(string.format("  %d) %s  %s\n", i, name, tostring(t.url)))
  end
  local test, test_name
  local answer = ask("Test: a number above, an OptionOmega test URL, an id or part of a name", #tests > 0 and 1 or nil)
  if answer == nil then error("run: no test given", 0) end
  local n = tonumber(answer)
  if n and tests[n] then
    test = tests[n].url
  elseif tostring(answer):match("^%a[%w+.-]*://") then
    spec_mod.test_url(answer, "test")
    test = answer
    local known = false
    for _, t in ipairs(tests) do if t.url == answer then known = true end end
    if not known then
      test_name = ask("A name for this test (empty: none)", nil)
    end
  else
    test = tostring(answer)     -- an id or a name: the engine looks it up among saved tests
  end

  local options = {}
  for _, m in ipairs(forms.modes()) do options[#options + 1] = { value = m.name, label = m.form.label } end
  local mode = choose("Mode", options, 1)
  local spec = { test = test, mode = mode }
  ask_mode(modes.get(mode), spec, registry)
  local browsers = ask_until("Browsers", arg.browsers or 2, function(a)
    local b = math.tointeger(tonumber(a))
    if not b or b < 1 or b > 8 then return nil, "1 to 8" end
    return b
  end)
  spec.browsers = browsers
  local cli = require("oo.cli")
  cli.browsers(spec, browsers, "wizard")
  local _, norm, count = spec_mod.check(spec, registry, "wizard")
  say("\n", cli.summary(norm, count), " on ", tostring(browsers), " browser", browsers == 1 and "" or "s", "\n")
  say("estimate: ", cli.estimate(count, browsers), "\n")
  offer_script(spec)
  local go = ask(string.format("Ready to run %d tests. Continue? (y/n)", count), "y")
  if tostring(go):lower():sub(1, 1) ~= "y" then return { cancelled = true } end
  return { spec = spec, test = test, test_name = test_name, browsers = browsers }
end

return M
