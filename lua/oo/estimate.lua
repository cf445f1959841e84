-- oo.estimate: how long a run will take, said before it starts (the CLI, the wizard, the New
-- Run page): the backtests planned (a search's budget), the account's time per backtest, the
-- browsers and the rate limit.
--
-- The time per backtest is measured: each of the account's recent runs (the store's
-- store_backtest_seconds: a task's time from its lease to its result, for backtests actually
-- run, not served by the cache) gives its median, and the estimate takes the median of those
-- runs, so one odd run does not move it. Without history it says so and assumes
-- M.default_seconds.
--
--   local e = estimate.compute{ backtests = 60, browsers = 2, rate_limit = 10, history = rows }
--   e.minutes, e.seconds (per backtest), e.runs (how many runs measured it; 0 = the default),
--   e.per_minute (the pace: browsers or the rate limit, whichever is slower), e.limited_by
--   estimate.text(e) -> "about 38 min: 60 backtests, 45 s each (median of 4 recent runs), ..."
local M = {}

-- No history yet: a backtest of a few years on OptionOmega takes tens of seconds, and the
-- dialog around it some more.
M.default_seconds = 45
-- How many recent runs the measure comes from.
M.recent_runs = 10

local function median(xs)
  table.sort(xs)
  local n = #xs
  if n == 0 then return nil end
  if n % 2 == 1 then return xs[(n + 1) // 2] end
  return (xs[n // 2] + xs[n // 2 + 1]) / 2
end
M.median = median

-- rows: {{run_id, seconds}, ...} -> seconds per backtest, runs measured (nil, 0 without any).
function M.per_backtest(rows)
  local by_run, order = {}, {}
  for _, r in ipairs(rows or {}) do
    local s = tonumber(r.seconds)
    if r.run_id ~= nil and s and s >= 0 and s == s then
      if not by_run[r.run_id] then by_run[r.run_id] = {}; order[#order + 1] = r.run_id end
      table.insert(by_run[r.run_id], s)
    end
  end
  local medians = {}
  for _, id in ipairs(order) do medians[#medians + 1] = median(by_run[id]) end
  local m = median(medians)
  return m, #medians
end

function M.compute(o)
  local seconds, runs = M.per_backtest(o.history)
  if not seconds or seconds <= 0 then seconds, runs = M.default_seconds, 0 end
  local browsers = math.max(1, math.tointeger(o.browsers) or 1)
  local rate = tonumber(o.rate_limit) or 0
  local pace, limited_by = browsers * 60 / seconds, "browsers"
  if rate > 0 and rate < pace then pace, limited_by = rate, "rate limit" end
  local n = math.max(0, o.backtests or 0)
  return { backtests = n, seconds = seconds, runs = runs, browsers = browsers, rate_limit = rate,
           per_minute = pace, limited_by = limited_by, minutes = n / pace }
end

-- "under a minute", "about 38 min", "about 2 h 10 min"
function M.duration(minutes)
  if minutes < 1 then return "under a minute" end
  local m = math.floor(minutes + 0.5)
  if m < 90 then return string.format("about %d min", m) end
  local h = m // 60
  local rest = (m - h * 60) // 5 * 5
  if rest == 0 then return string.format("about %d h", h) end
  return string.format("about %d h %02d min", h, rest)
end

local function secs(s)
  if s < 10 then return string.format("%.1f s", s) end
  if s < 120 then return string.format("%.0f s", s) end
  return string.format("%.1f min", s / 60)
end

function M.text(e)
  local measured = e.runs > 0
    and string.format("median of %d recent run%s", e.runs, e.runs == 1 and "" or "s")
    or "no history yet: assumed"
  local pace = e.rate_limit > 0 and string.format("at most %s a minute", tostring(math.tointeger(e.rate_limit) or e.rate_limit))
    or "no rate limit"
  return string.format("%s: %d backtest%s, %s each (%s), %d browser%s, %s%s", M.duration(e.minutes), e.backtests,
    e.backtests == 1 and "" or "s", secs(e.seconds), measured, e.browsers, e.browsers == 1 and "" or "s", pace,
    e.limited_by == "rate limit" and " (the limit sets the pace)" or "")
end

return M
