-- oo.analysis.robustness: does a configuration stand on a plateau or on a spike?
--
-- Each swept parameter's values, sorted, are its steps. A configuration's neighbours are the
-- configurations with the same parameters that differ from it in exactly one of them, by one
-- step (±1 step in each swept parameter). Their loss is how much of the configuration's metric
-- they give up on average:
--   a metric where higher is better:    (own - mean of neighbours) / |own|
--   a drawdown (closest to zero best):  (mean |neighbours| - |own|) / |own|
-- The robustness score is 100 x (1 - loss), kept within 0..100 (neighbours as good or better:
-- 100). A configuration is `fragile` when its neighbours lose more than a set share of the
-- metric (default 30%): a spike, a value a little drift in the market would not repeat.
-- Without neighbours (a single configuration, a lone stage value) there is no score.
local metrics = require("oo.metrics")
local M = {}

M.defaults = { metric = "mar", fragile_loss = 0.30 }

local function is_num(v) return type(v) == "number" and v == v end

-- The values of each parameter, sorted (numbers numerically, anything else as text), and
-- each value's position.
local function steps_of(rows)
  local seen = {}
  for _, r in ipairs(rows) do
    for k, v in pairs(r.values or {}) do
      seen[k] = seen[k] or {}
      seen[k][v] = true
    end
  end
  local pos = {}
  for k, set in pairs(seen) do
    local list = {}
    for v in pairs(set) do list[#list + 1] = v end
    table.sort(list, function(a, b)
      if type(a) == "number" and type(b) == "number" then return a < b end
      return tostring(a) < tostring(b)
    end)
    pos[k] = {}
    for i, v in ipairs(list) do pos[k][v] = i end
  end
  return pos
end

local function signature(values, pos)
  local keys = {}
  for k in pairs(values or {}) do keys[#keys + 1] = k end
  table.sort(keys)
  local parts = {}
  for _, k in ipairs(keys) do parts[#parts + 1] = k .. "=" .. pos[k][values[k]] end
  return table.concat(parts, ","), keys
end

-- For every row, the indices of its neighbours.
function M.neighbours(rows)
  local pos = steps_of(rows)
  local index = {}
  for i, r in ipairs(rows) do
    local sig = signature(r.values, pos)
    index[sig] = index[sig] or i      -- the first of duplicates stands for them
  end
  local out = {}
  for i, r in ipairs(rows) do
    local list = {}
    local _, keys = signature(r.values, pos)
    for _, k in ipairs(keys) do
      for _, dir in ipairs({ -1, 1 }) do
        local p = pos[k][r.values[k]] + dir
        local moved = {}
        for kk, vv in pairs(r.values) do moved[kk] = pos[kk][vv] end
        moved[k] = p
        local parts = {}
        for _, kk in ipairs(keys) do parts[#parts + 1] = kk .. "=" .. moved[kk] end
        local j = index[table.concat(parts, ",")]
        if j and j ~= i then list[#list + 1] = j end
      end
    end
    out[i] = list
  end
  return out
end

-- rows: {values, metrics}; opts: {metric = "mar", fragile_loss = 0.3}. One entry per row:
-- {score, fragile, loss, value, neighbour_mean, neighbours = count} (score nil without
-- neighbours or without the metric).
function M.analyze(rows, opts)
  opts = opts or {}
  local key = opts.metric or M.defaults.metric
  local limit = opts.fragile_loss or M.defaults.fragile_loss
  local m = metrics.by_key[key]
  local lower = m and m.sense == "min_abs"
  local nb = M.neighbours(rows)
  local out = {}
  for i, r in ipairs(rows) do
    local own = r.metrics and r.metrics[key]
    local e = { metric = key, value = is_num(own) and own or nil, neighbours = 0, fragile = false }
    local sum, n = 0, 0
    for _, j in ipairs(nb[i]) do
      local v = rows[j].metrics and rows[j].metrics[key]
      if is_num(v) then sum, n = sum + (lower and math.abs(v) or v), n + 1 end
    end
    e.neighbours = n
    if is_num(own) and own ~= 0 and n > 0 then
      local mean = sum / n
      local a = lower and math.abs(own) or own
      e.neighbour_mean = mean
      e.loss = lower and (mean - a) / math.abs(a) or (a - mean) / math.abs(a)
      e.score = 100 * math.max(0, math.min(1, 1 - e.loss))
      e.fragile = e.loss > limit
    end
    out[i] = e
  end
  return out
end

-- The plain words for one row's robustness ("its neighbour loses", "its 2 neighbours lose").
function M.reason(e)
  if not e.score then return nil end
  local label = (metrics.by_key[e.metric] or { label = e.metric }).label
  local keep, one = 1 - e.loss, e.neighbours == 1
  local who = string.format("its %d neighbour%s (±1 step)", e.neighbours, one and "" or "s")
  if e.fragile then
    return string.format("fragile: %s %s %.0f%% of its %s", who, one and "loses" or "lose", 100 * e.loss, label)
  elseif keep >= 1 then
    return string.format("robust: %s %s as well on %s", who, one and "does" or "do", label)
  end
  return string.format("robust: %s %s %.0f%% of its %s", who, one and "keeps" or "keep", 100 * keep, label)
end

return M
