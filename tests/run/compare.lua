-- compare.lua SIM_JSON DB_JSON NAME: every task of a run against the backtests oo-sim received.
-- A completed task matches a finished backtest with exactly its values and its metrics; a
-- skipped task matches exactly one backtest oo-sim refused for its configuration (an error
-- without a fault: it says so every time, so it was tried once).
-- The parameter -> oo-sim configuration mapping below is the test's knowledge of oo-sim's
-- canonical config (sim/CONFIG.md), independent of the engine's own parameter scripts.
local json = require("json")
local fs = require("fs")
local sim = json.decode(assert(fs.read(arg[1])))
local rows = json.decode(assert(fs.read(arg[2])))
local name = arg[3]
-- allow-reruns: backtests interrupted mid-flight ran again, so oo-sim may hold more backtests
-- than tasks (every task still has exactly one matching backtest and result)
local allow_reruns = arg[4] == "allow-reruns"
local fails = 0
local function bad(...) fails = fails + 1; print("FAIL " .. name .. ": " .. string.format(...)) end

-- what oo-sim received for each parameter
local read = {
  delta = function(c)
    local v
    for _, leg in ipairs(c.legs) do
      if leg.side == "sell" then
        if v ~= nil and v ~= leg.value then return "short legs differ" end
        v = leg.value
      end
    end
    return v
  end,
  profit_target = function(c) return c.pl.profitTarget end,
  stop_loss = function(c) return c.pl.stopLoss end,
  entry_time = function(c) return c.entry.time end,
  -- the rest as each parameter's defaults set them (rsi: the lower bound; short/long ratios:
  -- exit below, enter above; underlying movement: both ways); a switch left off reads nil
  rsi = function(c) return c.entry.useTechnicalIndicators and c.entry.minRsi or nil end,
  exit_time = function(c) return c.exit.useEarlyExit and c.exit.earlyExitTime or nil end,
  short_long_ratio = function(c) return c.exit.useShortLongRatio and c.exit.exitSlRatioBelow or nil end,
  entry_sl_ratio = function(c) return c.misc.useEntryShortLongRatio and c.misc.minEntrySlRatio or nil end,
  underlying_movement = function(c)
    if not c.exit.useUnderlyingMovement then return nil end
    if c.exit.exitMoveUp ~= c.exit.exitMoveDown then return "up and down differ" end
    return c.exit.exitMoveUp
  end,
  dates = function(c) return c.startDate .. ".." .. c.endDate end,
}

local function snake(k) return (k:gsub("(%l)(%u)", function(a, b) return a .. "_" .. b:lower() end)) end

local function key_of(values)
  local names = {}
  for k in pairs(values) do names[#names + 1] = k end
  table.sort(names)
  local parts = {}
  for _, k in ipairs(names) do parts[#parts + 1] = k .. "=" .. tostring(values[k]) end
  return table.concat(parts, ",")
end

local done, refused, used = 0, 0, {}
local function is_refusal(b) return b.status == "error" and not b.fault end
for _, b in ipairs(sim) do
  if b.status == "done" then done = done + 1
  elseif is_refusal(b) then refused = refused + 1
  elseif not (allow_reruns and b.fault) then bad("oo-sim backtest %s ended %s", tostring(b.id), tostring(b.status)) end
end
-- the first backtest not yet matched (finished, or refused: want) whose configuration holds
-- exactly the task's values
local function find(values, want)
  for i, b in ipairs(sim) do
    if not used[i] and (b.status == "done" and want == "done" or want == "refused" and is_refusal(b)) then
      local all = true
      for p, v in pairs(values) do
        if not read[p] then bad("no reader for parameter %s", p); return nil end
        if read[p](b.config) ~= v then all = false; break end
      end
      if all then used[i] = true; return b end
    end
  end
end

if #rows == 0 then bad("the run has no tasks") end
local nskipped = 0
for _, r in ipairs(rows) do if r.status == "skipped" then nskipped = nskipped + 1 end end
local ncompleted = #rows - nskipped
if done ~= ncompleted and not (allow_reruns and done > ncompleted) then bad("%d tasks completed but oo-sim ran %d backtests", ncompleted, done) end
if refused ~= nskipped then bad("%d tasks skipped but oo-sim refused %d backtests", nskipped, refused) end
local checked = 0
for _, r in ipairs(rows) do
  local values = json.decode(r.task_values)
  local k = key_of(values)
  if r.status ~= "completed" and r.status ~= "skipped" then bad("task %d (%s) is %s", r.task_id, k, r.status) end
  local b = find(values, r.status == "skipped" and "refused" or "done")
  if b and r.status == "skipped" then
    if r.metrics ~= nil and r.metrics ~= json.null then bad("skipped task %d (%s) has a result", r.task_id, k) end
    checked = checked + 1
  elseif not b then
    bad("task %d: oo-sim received no configuration with exactly %s", r.task_id, k)
  else
    local stored = json.decode(r.metrics or "{}")
    local n = 0
    for mk, mv in pairs(b.metrics or {}) do
      n = n + 1
      local sv = stored[snake(mk)]
      if sv ~= mv then bad("task %d (%s): %s stored %s, oo-sim %s", r.task_id, k, snake(mk), tostring(sv), tostring(mv)) end
    end
    if n < 17 then bad("task %d: oo-sim gave only %d metrics", r.task_id, n) end
    if r.trades ~= b.metrics.trades then bad("task %d: %d trades stored, oo-sim counted %s", r.task_id, r.trades, tostring(b.metrics.trades)) end
    checked = checked + 1
  end
end
print(string.format("%s: %d tasks checked against oo-sim, %d failures", name, checked, fails))
os.exit(fails == 0 and 0 or 1)
