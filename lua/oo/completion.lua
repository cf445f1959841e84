-- oo.completion: the values shell completion offers that only Lua knows, as lists of
-- {value, description}: the parameters (parameters/ and OO_PARAMETERS_PATH, as oo.parameters
-- finds them; scripts that fail to load are left out) and the test modes (oo.modes.list: every
-- modes/*.lua of lua/ and OO_LUA_PATH).
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
  local out = {}
  for _, mod in ipairs(require("oo.modes").list()) do
    out[#out + 1] = { value = mod.name, description = mod.description }
  end
  return out
end

return M
