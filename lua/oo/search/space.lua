-- oo.search.space: the discrete space a search explores, the same as a grid's: every
-- combination of the axes' values (numbers or "HH:MM" times), each axis in its parameter's own
-- steps. A point is a list of indexes, one per axis (1-based); its key is "i,j,k". Coordinates
-- for a model put each axis on [0, 1] by index, so a time axis and a delta axis weigh alike.
--
--   local S = space.new(axes, fixed)  -- axes: {{name, values}, ...} as grid.check makes them
--   S.size, S.dims, S.axes
--   S.key(p)            "3,7"
--   S.point(key)        {3, 7}
--   S.values(p)         {delta = 12, profit_target = 40, <fixed...>}: a task's values
--   S.locate(values)    the point of a task's values, or nil when they are not in the space
--   S.coords(p)         {x1, x2, ...} in [0, 1]
--   S.all()             every point, in grid order (last axis fastest)
--   S.neighbours(p, r)  the points within r steps of p on every axis
--   space.product(lists)  every combination of one index per axis
local M = {}

-- A value's key that survives JSON: 5, 5.0 and "5" of a number axis are one value.
local function vkey(v)
  if type(v) == "number" then return string.format("n%.12g", v) end
  return "s" .. tostring(v)
end
M.vkey = vkey

function M.range(a, b)
  local out = {}
  for i = a, b do out[#out + 1] = i end
  return out
end

-- Every combination of one index from each list (the last list fastest).
function M.product(lists)
  local out, acc = {}, {}
  local function walk(d)
    if d > #lists then
      local p = {}
      for i = 1, #lists do p[i] = acc[i] end
      out[#out + 1] = p
      return
    end
    for _, i in ipairs(lists[d]) do
      acc[d] = i
      walk(d + 1)
    end
  end
  walk(1)
  return out
end

-- The size of the space and, per axis, each value's index by its key (the first of equals).
local function index_axes(axes)
  local size, lookup = 1, {}
  for d, a in ipairs(axes) do
    size = size * #a.values
    local m = {}
    for i, v in ipairs(a.values) do
      if m[vkey(v)] == nil then m[vkey(v)] = i end
    end
    lookup[d] = m
  end
  return size, lookup
end

-- S's conversions of a point: to and from its key, to a task's values (and back), to a model's
-- coordinates.
local function add_conversions(S, lookup)
  local axes = S.axes
  function S.key(p) return table.concat(p, ",") end

  function S.point(key)
    local p = {}
    for s in key:gmatch("[^,]+") do p[#p + 1] = math.tointeger(tonumber(s)) end
    return p
  end

  function S.values(p)
    local out = {}
    for k, v in pairs(S.fixed) do out[k] = v end
    for d, a in ipairs(axes) do out[a.name] = a.values[p[d]] end
    return out
  end

  function S.locate(values)
    if type(values) ~= "table" then return nil end
    local p = {}
    for d, a in ipairs(axes) do
      local v = values[a.name]
      local i = v ~= nil and lookup[d][vkey(v)] or nil
      if not i then return nil end
      p[d] = i
    end
    return p
  end

  function S.coords(p)
    local x = {}
    for d, a in ipairs(axes) do
      local n = #a.values
      x[d] = n > 1 and (p[d] - 1) / (n - 1) or 0.5
    end
    return x
  end
end

-- S's walks over its points: all of them, the neighbours of one.
local function add_walks(S)
  local axes = S.axes
  function S.all()
    local lists = {}
    for d, a in ipairs(axes) do lists[d] = M.range(1, #a.values) end
    return M.product(lists)
  end

  -- The points at most `r` steps (index units) away on every axis, the point itself excluded,
  -- in grid order.
  function S.neighbours(p, r)
    r = r or 1
    local lists = {}
    for d, a in ipairs(axes) do lists[d] = M.range(math.max(1, p[d] - r), math.min(#a.values, p[d] + r)) end
    local out, key = {}, S.key(p)
    for _, q in ipairs(M.product(lists)) do
      if S.key(q) ~= key then out[#out + 1] = q end
    end
    return out
  end
end

function M.new(axes, fixed)
  local S = { axes = axes, dims = #axes, fixed = fixed or {} }
  local lookup
  S.size, lookup = index_axes(axes)
  add_conversions(S, lookup)
  add_walks(S)
  return S
end

return M
