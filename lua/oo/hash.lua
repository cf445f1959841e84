-- oo.hash: a 128-bit fingerprint of a string (two 64-bit FNV-1a passes with different offset
-- bases, as 32 hex digits). Keys the result cache by a backtest's full configuration; not for
-- security.
local M = {}

local PRIME = 0x100000001b3

local function fnv1a(s, basis)
  local h = basis
  for i = 1, #s do
    h = h ~ s:byte(i)
    h = h * PRIME          -- wraps modulo 2^64 (Lua integers)
  end
  return h
end

function M.hex(s)
  return string.format("%016x%016x", fnv1a(s, -3750763034362895579), fnv1a(s, 0x6c62272e07bb0142))
end

return M
