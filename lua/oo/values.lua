-- oo.values: turning a parameter's field config into the list of values to test, and checking
-- a config against a parameter's field schema. Pure functions; no page, no engine. Errors are
-- typed input errors (oo.errors).
local errors = require("oo.errors")
local M = {}

-- No parameter gives more values than one run may have backtests.
M.max_values = 100000

-- How many values start..stop by step gives, counted without building them (nil when the
-- config is not a numeric range).
function M.count_range(config)
  local a, b, s = config and config.start, config and config.stop, config and config.step
  if type(a) ~= "number" or type(b) ~= "number" or type(s) ~= "number" or s == 0 then return nil end
  if (b - a) * s < 0 then return nil end
  return math.floor((b - a) / s + 1e-9) + 1
end

local function decimals(x)
  local s = string.format("%.10g", x)
  local frac = s:match("%.(%d+)$")
  return frac and #frac or 0
end

-- A configuration's values as text, keys sorted: values.text({delta = 15, profit_target = 50},
-- ", ") is "delta=15, profit_target=50".
function M.text(values, sep)
  local keys = {}
  for k in pairs(values or {}) do keys[#keys + 1] = k end
  table.sort(keys)
  local parts = {}
  for _, k in ipairs(keys) do parts[#parts + 1] = k .. "=" .. tostring(values[k]) end
  return table.concat(parts, sep or " ")
end

-- Inclusive arithmetic range without float drift: 5, 10 .. stop; 0.5 steps stay exact.
function M.range(start, stop, step)
  if type(start) ~= "number" or type(stop) ~= "number" or type(step) ~= "number" then
    errors.raise("input", "range: start, stop and step must be numbers")
  end
  if step == 0 then errors.raise("input", "step must not be 0") end
  if (stop - start) * step < 0 then
    errors.raise("input", "start %s is past stop %s for step %s", start, stop, step)
  end
  local count = M.count_range({ start = start, stop = stop, step = step })
  if count > M.max_values then
    errors.raise("input", "start %s to stop %s by step %s gives %.0f values, over %d: check the step", start, stop, step,
      count, M.max_values)
  end
  local places = math.max(decimals(start), decimals(step))
  local scale = 10 ^ places
  local n = count - 1
  local out = {}
  for i = 0, n do
    local v = math.floor((start + i * step) * scale + 0.5) / scale
    if places == 0 then v = math.tointeger(v) or v end
    out[#out + 1] = v
  end
  return out
end

-- "HH:MM" <-> minutes since midnight, for time-valued parameters.
function M.parse_time(s)
  local h, m = tostring(s):match("^(%d%d?):(%d%d)$")
  h, m = tonumber(h), tonumber(m)
  if not h or h > 23 or m > 59 then return nil end
  return h * 60 + m
end

function M.format_time(minutes)
  return string.format("%02d:%02d", minutes // 60, minutes % 60)
end

-- Times from start to stop every step minutes ("09:32" .. "15:59", step 15).
function M.time_range(start, stop, step)
  local a, b = M.parse_time(start), M.parse_time(stop)
  if not a then errors.raise("input", "start %q is not a time HH:MM", tostring(start)) end
  if not b then errors.raise("input", "stop %q is not a time HH:MM", tostring(stop)) end
  if type(step) ~= "number" or step <= 0 or step % 1 ~= 0 then
    errors.raise("input", "step must be a whole number of minutes > 0")
  end
  if a > b then errors.raise("input", "start %s is past stop %s", start, stop) end
  local out = {}
  for t = a, b, math.tointeger(step) do out[#out + 1] = M.format_time(t) end
  return out
end

-- Checks config against a fields schema ({name, type, default, min, max, choices, required});
-- fills defaults; returns the completed config or raises "<param>.<field>: what is wrong".
function M.apply_fields(param_name, fields, config)
  config = config or {}
  if type(config) ~= "table" then
    errors.raise("input", "%s: expected a table of its fields (e.g. { start = 5, stop = 30, step = 5 }), found %s %s",
      param_name, type(config), type(config) == "string" and string.format("%q", config) or tostring(config))
  end
  local known, out = {}, {}
  for _, f in ipairs(fields or {}) do
    known[f.name] = f
    local v = config[f.name]
    if v == nil then v = f.default end
    local where = param_name .. "." .. f.name
    if v == nil then
      if f.required ~= false then errors.raise("input", "%s: missing (no default)", where) end
    elseif f.type == "int" or f.type == "number" then
      if type(v) ~= "number" then
        errors.raise("input", "%s: expected a number, found %s", where, type(v))
      end
      if f.type == "int" and math.type(v) ~= "integer" and v % 1 ~= 0 then
        errors.raise("input", "%s: expected a whole number, found %s", where, v)
      end
      if f.min and v < f.min then errors.raise("input", "%s: %s is below the minimum %s", where, v, f.min) end
      if f.max and v > f.max then errors.raise("input", "%s: %s is above the maximum %s", where, v, f.max) end
    elseif f.type == "choice" then
      local ok = false
      for _, c in ipairs(f.choices or {}) do if c == v then ok = true end end
      if not ok then
        errors.raise("input", "%s: %q is not one of %s", where, tostring(v), table.concat(f.choices or {}, ", "))
      end
    elseif f.type == "time" then
      if not M.parse_time(v) then errors.raise("input", "%s: %q is not a time HH:MM", where, tostring(v)) end
    elseif f.type == "date" then
      if not require("oo.dates").parse(v) then errors.raise("input", "%s: %q is not a date YYYY-MM-DD", where, tostring(v)) end
    elseif f.type == "bool" then
      if type(v) ~= "boolean" then errors.raise("input", "%s: expected true or false, found %s", where, type(v)) end
    elseif f.type == "string" then
      if type(v) ~= "string" then errors.raise("input", "%s: expected text, found %s", where, type(v)) end
    end
    out[f.name] = v
  end
  for k in pairs(config) do
    if not known[k] then
      local names = {}
      for _, f in ipairs(fields or {}) do names[#names + 1] = f.name end
      errors.raise("input", "%s.%s: unknown field (known: %s)", param_name, tostring(k), table.concat(names, ", "))
    end
  end
  return out
end

return M
