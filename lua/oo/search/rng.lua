-- oo.search.rng: a seeded random number generator for the searches (splitmix64 on Lua's 64-bit
-- integers). Each generator is its own value: nothing global, nothing from the clock, so a
-- search's plan is a pure function of its spec, its seed and the results so far, and the same
-- numbers come out on every run and every machine.
--
--   local r = rng.new(seed, stream)   -- stream: e.g. the stage index, so each stage draws anew
--   r:float()      -> [0, 1)
--   r:int(n)       -> 1..n
--   r:shuffle(t)   -> t, shuffled in place
local M = {}

local GOLDEN = 0x9e3779b97f4a7c15

local function mix(z)
  z = (z ~ (z >> 30)) * -4658895280553007687   -- 0xbf58476d1ce4e5b9
  z = (z ~ (z >> 27)) * -7723592293110705685   -- 0x94d049bb133111eb
  return z ~ (z >> 31)
end

local R = {}
R.__index = R

function R:next()
  self.s = self.s + GOLDEN
  return mix(self.s)
end

-- 53 random bits as a float in [0, 1)
function R:float()
  return (self:next() >> 11) * (1.0 / 9007199254740992.0)
end

function R:int(n)
  return math.floor(self:float() * n) + 1
end

function R:shuffle(t)
  for i = #t, 2, -1 do
    local j = self:int(i)
    t[i], t[j] = t[j], t[i]
  end
  return t
end

function M.new(seed, stream)
  seed = math.tointeger(seed) or 0
  local s = mix(seed + GOLDEN * ((math.tointeger(stream) or 0) + 1))
  return setmetatable({ s = s }, R)
end

return M
