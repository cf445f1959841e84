-- oo.forms: what a mode asks for, as data. Each mode describes its spec's fields once (its
-- `form`, lua/modes/*.lua); the CLI wizard (oo.wizard) asks them in the terminal and the
-- dashboard's New Run (web/js/pages/newrun.js, from GET /api/modes) draws them. Neither front
-- end knows a mode by name.
--
-- A field: { key, type, label, help, default, optional, min, max, choices, check, ... }
--   key       where the answer goes in the spec; dots walk into tables ("windows.from" is
--             spec.windows.from)
--   type      a value: "int", "number", "choice" (choices), "time" (HH:MM), "date"
--             (YYYY-MM-DD), "span" ("6m", "2y", "4w", "90d"), "period" ("YYYY-MM-DD..YYYY-MM-DD"),
--             "bool", "text", "objective" (a
--             metric or a goal of oo.objective: its choices are filled in here);
--             or a part made of parameters:
--             "parameter"  one parameter and its fields: spec[key] = name, spec[config] = {...}
--             "parameters" a list of {name, config} (min, max entries)
--             "stages"     a list of {parameter, config, use_best_from, optimize_by} (max)
--             "search"     an inner search: spec[key] = {mode = ..., that mode's fields};
--                          exclude = {mode names it may not be}, omit = {keys of the inner
--                          form left out, e.g. optimize_by when the outer mode sets it},
--                          without = {parameters it may not search, e.g. dates}
--   default   a value, or a function(spec so far) returning one (the dashboard's: called with nil)
--   label_for optional function(spec so far) -> the wizard's question (label: the dashboard's)
--   optional  true: an empty answer leaves the key out of the spec
--   check     function(spec): raises a typed error (oo.errors) when the spec so far is wrong,
--             with the message the mode's own check gives; the wizard shows it and asks again.
--             Never sent to the dashboard: there the mode's check answers (400) instead.
--   at        (filled in here) the prefix this field's errors carry in the mode's messages
--             ("walkforward.windows.from"), so a front end shows an error next to its field.
local dates = require("oo.dates")
local errors = require("oo.errors")
local values = require("oo.values")
local M = {}

M.composite = { parameter = true, parameters = true, stages = true, search = true }

-- The value at a dotted key of t, and a setter (tables made on the way).
function M.get(t, key)
  for part in tostring(key):gmatch("[^.]+") do
    if type(t) ~= "table" then return nil end
    t = t[part]
  end
  return t
end

function M.set(t, key, v)
  local parts = {}
  for part in tostring(key):gmatch("[^.]+") do parts[#parts + 1] = part end
  for i = 1, #parts - 1 do
    if type(t[parts[i]]) ~= "table" then t[parts[i]] = {} end
    t = t[parts[i]]
  end
  t[parts[#parts]] = v
end

-- A field's default (a function is called with the spec so far, nil for the dashboard).
function M.default(f, spec)
  if type(f.default) == "function" then return f.default(spec) end
  return f.default
end

-- A field's question: label_for(spec so far) when the field has one (e.g. a budget's question
-- that says the grid's size), else its label.
function M.label(f, spec)
  if type(f.label_for) == "function" and spec ~= nil then return f.label_for(spec) end
  return f.label
end

-- The objectives a field of type "objective" offers: {value, label}, metrics then goals.
function M.objectives()
  local metrics = require("oo.metrics")
  local out = {}
  for _, key in ipairs(require("oo.objective").names()) do
    local m = metrics.by_key[key]
    out[#out + 1] = { value = key, label = m and m.label or key }
  end
  return out
end

local function number(f, answer)
  local n = tonumber(answer)
  local label = f.label or f.key or f.name
  if not n then return nil, label .. ": a number please" end
  if f.type == "int" and n % 1 ~= 0 then return nil, label .. ": a whole number please" end
  if f.type == "int" then n = math.tointeger(n) end
  if f.min and n < f.min then return nil, string.format("%s: at least %s", label, tostring(f.min)) end
  if f.max and n > f.max then return nil, string.format("%s: at most %s", label, tostring(f.max)) end
  return n
end

-- A typed answer (text, as typed) as the field's value; nil and why when it is not one. The
-- value fields of parameter scripts (parameters/*.lua) are read the same way.
function M.parse(f, answer)
  local label = f.label or f.key or f.name
  if type(answer) ~= "string" then answer = tostring(answer) end
  if f.type == "int" or f.type == "number" then return number(f, answer) end
  if f.type == "choice" then
    for _, c in ipairs(f.choices or {}) do if tostring(c) == answer then return c end end
    return nil, string.format("%s: one of %s", label, table.concat(f.choices or {}, ", "))
  elseif f.type == "objective" then
    local names = {}
    for _, o in ipairs(M.objectives()) do
      if o.value == answer or o.label:lower() == answer:lower() then return o.value end
      names[#names + 1] = o.value
    end
    return nil, string.format("%s: one of %s", label, table.concat(names, ", "))
  elseif f.type == "time" then
    if not values.parse_time(answer) then return nil, label .. ": a time HH:MM please" end
  elseif f.type == "date" then
    if not dates.parse(answer) then return nil, label .. ": a date YYYY-MM-DD please" end
  elseif f.type == "span" then
    local s, why = dates.parse_span(answer)
    if not s then return nil, label .. ": " .. why end
  elseif f.type == "period" then
    local a, _, why = dates.split(answer)
    if not a then return nil, label .. ": " .. why end
  elseif f.type == "bool" then
    local a = answer:lower()
    if a == "y" or a == "yes" or a == "true" then return true end
    if a == "n" or a == "no" or a == "false" then return false end
    return nil, label .. ": yes or no"
  end
  return answer
end

-- Runs a field's check on the spec so far: nil, or the message of the error it raised.
function M.check(f, spec)
  if type(f.check) ~= "function" then return nil end
  local ok, e = pcall(f.check, spec)
  if ok then return nil end
  return errors.message(e)
end

-- The field of `fields` (a mode's) an error message names: the one whose `at` (else
-- "<mode>.<key>") it holds followed by ":", "." or "[", furthest right (the deepest part
-- named), the longest there; else the first field of a group it names ("walkforward.windows:
-- ..." names the windows' fields); else nil. The dashboard does the same (newrun.js).
local function at_of(mod, f) return f.at or (mod.name .. "." .. f.key) end

local function named_at(msg, at)
  local best, from = nil, 1
  while true do
    local i, j = msg:find(at, from, true)
    if not i then return best end
    local before, after = msg:sub(i - 1, i - 1), msg:sub(j + 1, j + 1)
    if (i == 1 or before:match("[%s:]")) and after:match("[:.%[]") then best = i end
    from = i + 1
  end
end

function M.field_for(mod, fields, msg)
  local pick, pos, len = nil, 0, 0
  for _, f in ipairs(fields) do
    local at = at_of(mod, f)
    local i = named_at(msg, at)
    if i and (i > pos or (i == pos and #at > len)) then pick, pos, len = f, i, #at end
  end
  if pick then return pick end
  for _, f in ipairs(fields) do
    local group = at_of(mod, f):match("^(.*)%.[^.]+$")
    if group and group:find("%.") and named_at(msg, group) then return f end
  end
  return nil
end

-- The modes that have a form, in order (oo.modes.list), less the names in exclude.
function M.modes(exclude)
  local out, skip = {}, {}
  for _, n in ipairs(exclude or {}) do skip[n] = true end
  for _, m in ipairs(require("oo.modes").list()) do
    if type(m.form) == "table" and not skip[m.name] then out[#out + 1] = m end
  end
  return out
end

-- One mode's form as JSON-safe data for the dashboard: defaults evaluated, checks left out,
-- objective choices filled in, each field's `at`; `search` says whether the mode is a search
-- (oo.modes.is_search: Run Detail shows its answer and its cost).
function M.describe(mod)
  local json = require("json")
  local fields = {}
  for i, f in ipairs(mod.form.fields or {}) do
    local c = {}
    for k, v in pairs(f) do
      if type(v) ~= "function" then c[k] = v end
    end
    c.default = M.default(f)
    c.at = f.at or (mod.name .. "." .. f.key)
    if f.type == "objective" then
      c.choices = json.array(M.objectives())
      if c.default == nil then c.default = require("oo.metrics").default_optimize_by end
    end
    for _, k in ipairs({ "choices", "exclude", "omit", "without" }) do
      if type(c[k]) == "table" then c[k] = json.array(c[k]) end
    end
    fields[i] = c
  end
  return { name = mod.name, label = mod.form.label or mod.name, description = mod.description,
           search = require("oo.modes").is_search(mod), fields = json.array(fields) }
end

-- Every mode's form: what GET /api/modes answers.
function M.for_forms()
  local json = require("json")
  local out = {}
  for _, m in ipairs(M.modes()) do out[#out + 1] = M.describe(m) end
  return json.array(out)
end

return M
