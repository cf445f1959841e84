-- oo.parameters: finds every parameter script — parameters/*.lua of the installation, then
-- the folders of OO_PARAMETERS_PATH (a user's file of the same name wins). A script that fails
-- to load or lacks what a parameter needs is reported with file:line and left out; the others
-- still load.
local fs = require("fs")
local M = {}

local required = { "name", "display_name", "fields", "generate", "set", "verify" }

local function check(p, file)
  if type(p) ~= "table" then return file .. ": a parameter script must return a table" end
  for _, k in ipairs(required) do
    if p[k] == nil then return string.format("%s: the parameter has no %s", file, k) end
  end
  if type(p.generate) ~= "function" or type(p.set) ~= "function" or type(p.verify) ~= "function" then
    return file .. ": generate, set and verify must be functions"
  end
  if type(p.fields) ~= "table" then return file .. ": fields must be a list" end
  for i, f in ipairs(p.fields) do
    if type(f.name) ~= "string" or type(f.type) ~= "string" then
      return string.format("%s: fields[%d] needs a name and a type", file, i)
    end
  end
  return nil
end

-- The folders searched, in order (later folders override earlier ones).
function M.dirs()
  local dirs = { fs.resource("parameters") }
  local extra = require("config").get("parameters_path")
  if extra then for d in extra:gmatch("[^:]+") do dirs[#dirs + 1] = d end end
  return dirs
end

-- Lua shortens a long file name in its messages to "...<its end>:line:": the whole path back.
local function whole_path(msg, file)
  local shown = msg:match("^%.%.%.([^:]*):%d+:")
  if shown and file:sub(-#shown) == shown then return file .. msg:sub(4 + #shown) end
  return msg
end

-- Returns registry (name -> parameter) and a list of error messages ("file:line: ...").
function M.discover(dirs)
  local registry, errors = {}, {}
  for _, dir in ipairs(dirs or M.dirs()) do
    local names = fs.list(dir) or {}
    for _, name in ipairs(names) do
      if name:match("%.lua$") then
        local file = dir .. "/" .. name
        local chunk, lerr = loadfile(file, "t")
        local ok, p = false, lerr
        if chunk then ok, p = pcall(chunk) end
        local why = (not ok) and tostring(p) or check(p, file)
        if why then
          errors[#errors + 1] = whole_path(why, file)
        else
          p.file = file
          registry[p.name] = p
        end
      end
    end
  end
  return registry, errors
end

-- The registry of this Lua state (one command): discovered once; the load errors are printed
-- once on stderr as warnings.
local cached
function M.registry()
  if not cached then
    local registry, errors = M.discover()
    for _, e in ipairs(errors) do io.stderr:write("warning: parameter script left out: ", e, "\n") end
    cached = { registry = registry, errors = errors }
  end
  return cached.registry, cached.errors
end

-- Names in display order.
function M.names(registry)
  local out = {}
  for k in pairs(registry) do out[#out + 1] = k end
  table.sort(out)
  return out
end

-- The parameters as data, for forms (the CLI wizard, the dashboard's New Run): a list in name
-- order of {name, display_name, description, unit, requires_toggle, fields} where fields are
-- the scripts' own field schemas ({name, type, label, default, min, max, choices}).
function M.schemas(registry)
  local json = require("json")
  local out = {}
  for _, name in ipairs(M.names(registry)) do
    local p = registry[name]
    local fields = {}
    for i, f in ipairs(p.fields) do
      local c = {}
      for k, v in pairs(f) do
        if type(v) ~= "function" then c[k] = v end
      end
      if type(c.choices) == "table" then c.choices = json.array(c.choices) end
      fields[i] = c
    end
    out[#out + 1] = { name = p.name, display_name = p.display_name, description = p.description,
                      unit = p.unit, requires_toggle = p.requires_toggle, fields = json.array(fields) }
  end
  return json.array(out)
end

-- What the dashboard's New Run form is made from: {parameters = schemas, errors = {...}}.
function M.for_forms()
  local json = require("json")
  local registry, errors = M.registry()
  return { parameters = M.schemas(registry), errors = json.array(errors) }
end

return M
