-- oo.completion: the values shell completion offers that only Lua knows, as lists of
-- {value, description}: the parameters (parameters/ and OO_PARAMETERS_PATH, as oo.parameters
-- finds them; scripts that fail to load are left out) and the test modes (the built-in ones
-- and every lua/modes/*.lua).
local fs = require("fs")
local M = {}

function M.parameters()
  local params = require("oo.parameters")
  local registry = params.discover()
  local out = {}
  for _, name in ipairs(params.names(registry)) do
    out[#out + 1] = { value = name, description = registry[name].display_name }
  end
  return out
end

function M.modes()
  local modes = require("oo.modes")
  local seen, names = {}, {}
  local function add(name)
    if not seen[name] then seen[name] = true; names[#names + 1] = name end
  end
  for _, name in ipairs(modes.builtin) do add(name) end
  for _, file in ipairs(fs.list(fs.resource("lua/modes")) or {}) do
    local name = file:match("^([%w_]+)%.lua$")
    if name then add(name) end
  end
  table.sort(names)
  local out = {}
  for _, name in ipairs(names) do
    local ok, mod = pcall(modes.get, name)
    out[#out + 1] = { value = name, description = ok and type(mod) == "table" and mod.description or nil }
  end
  return out
end

return M
