-- oo.analysis.significance: is the best configuration better than luck, given how many were
-- tried?
--
-- The data: every configuration's P/L per trading day (the days of all its trades; a day
-- without a close is 0), aligned on the union of the run's days. The benchmark is not trading
-- (0 a day).
--
--   Hansen's SPA (2005), consistent version, the p_value: the chance that the best of all the
--   configurations looks this good (its studentized mean daily P/L) if none of them truly beats
--   zero. Stationary bootstrap (Politis & Romano) with a mean block length of T^(1/3) days
--   (rounded) unless given, 1,000 resamples (fewer, and said, when the run is so large that
--   reps x days x configurations would pass 5e8), seeded. Also reported: White's Reality Check
--   p-value and the SPA's lower and upper bounds.
--   Per configuration, its p-value alone and its p-value adjusted for the number tried
--   (single-step max-t): "significance gone" is a configuration that looks significant alone
--   (p < 0.05) but not once the others are accounted for (adjusted p >= 0.05).
--   The permutation p-value: a sign-flip test of the chosen configuration's mean daily P/L
--   against zero (10,000 flips), which does not account for the others tried.
local stats = require("stats")
local calendar = require("oo.analysis.calendar")
local series = require("oo.analysis.series")
local M = {}

M.defaults = { reps = 1000, min_reps = 200, max_work = 5e8, flips = 10000, alpha = 0.05 }

-- Aligns {day -> P/L} maps of each configuration on the union of their days.
function M.align(daily)
  local set = {}
  for _, d in ipairs(daily) do for day in pairs(d) do set[day] = true end end
  local days = {}
  for day in pairs(set) do days[#days + 1] = day end
  table.sort(days)
  local series = {}
  for k, d in ipairs(daily) do
    local s = {}
    for t, day in ipairs(days) do s[t] = d[day] or 0 end
    series[k] = s
  end
  return series, days
end

-- A configuration's P/L on each of its trading days (oo.analysis.series: the weekdays from
-- its first entry to its last exit, 0 without a close). trades: oo.tradelog.read rows.
function M.daily_pl(trades)
  local entry, exit = series.order(trades)
  local out = {}
  for _, d in ipairs(series.days(entry, nil)) do out[d] = 0 end
  for _, t in ipairs(exit) do out[t.closed] = out[t.closed] + t.pl end
  return out
end

local function words(p, k, days)
  local chance = p < 0.001 and "less than 0.1%" or string.format("about %.1f%%", 100 * p)
  local verdict
  if p < 0.01 then verdict = "very unlikely to be luck"
  elseif p < M.defaults.alpha then verdict = "unlikely to be luck"
  elseif p < 0.1 then verdict = "weak evidence: it may be luck"
  else verdict = "it could well be luck" end
  return string.format("If none of the %d configurations tried truly made money, the best of them would look this good "
    .. "by luck alone %s of the time (over %d trading days): %s.", k, chance, days, verdict)
end

-- daily: list of {day -> P/L} per configuration; opts: {seed, block, reps}. Returns the
-- answer (without per-configuration figures) and the per-configuration figures {mean, omega,
-- t, p_single, p_adjusted} (nil when there are too few days).
function M.test(daily, opts)
  opts = opts or {}
  local k = #daily
  local series, days = M.align(daily)
  local T = #days
  local out = { configurations = k, days = T }
  if k == 0 or T < 10 then
    out.method = "none"
    out.text = "Too few trading days to judge significance (" .. T .. ")."
    return out, nil
  end
  local block = opts.block or math.max(1, math.floor(T ^ (1 / 3) + 0.5))
  local reps = opts.reps or M.defaults.reps
  if reps * T * k > M.defaults.max_work then
    reps = math.max(M.defaults.min_reps, math.floor(M.defaults.max_work / (T * k)))
  end
  local seed = opts.seed or 1
  local s = stats.spa(series, { reps = reps, block = block, seed = seed })
  out.method = string.format("Hansen's SPA (consistent), stationary bootstrap, mean block length %d days, %d resamples, seed %d",
    block, reps, seed)
  out.p_value = s.p_consistent
  out.spa = { stat = s.stat, p_consistent = s.p_consistent, p_lower = s.p_lower, p_upper = s.p_upper }
  out.reality_check_p_value = s.rc_p
  out.block_length, out.resamples, out.seed = block, reps, seed
  out.first, out.last = calendar.date(days[1]), calendar.date(days[T])
  out.text = words(out.p_value, k, T)
  return out, s.models
end

-- The sign-flip permutation p-value of one configuration's daily P/L ({day -> P/L}) against
-- zero, seeded with seed + 1.
function M.permutation(day_pl, opts)
  opts = opts or {}
  local days = {}
  for d in pairs(day_pl) do days[#days + 1] = d end
  table.sort(days)
  local v = {}
  for i, d in ipairs(days) do v[i] = day_pl[d] end
  if #v == 0 then return nil end
  return stats.sign_flip(v, { reps = opts.flips or M.defaults.flips, seed = (opts.seed or 1) + 1 })
end

function M.permutation_text(p, k, which)
  return string.format(" The recommended configuration (%s) alone has a permutation p-value of %.4f against zero; that "
    .. "ignores that it was picked from %d, which the SPA p-value accounts for.", which, p, k)
end

-- Whether configuration i lost its significance to the number of configurations tried.
function M.gone(models, i)
  local m = models and models[i]
  if not m then return nil end
  if m.p_single < M.defaults.alpha and m.p_adjusted >= M.defaults.alpha then
    return string.format("significance gone: p %.3f alone, %.3f once the %d configurations tried are accounted for",
      m.p_single, m.p_adjusted, #models)
  end
  return nil
end

return M
