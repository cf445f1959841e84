-- oo.analysis.montecarlo: what the same trades could have done in another order and mix.
--
-- Each path draws as many trades as the result has, with replacement, from its trade P/Ls
-- (a bootstrap; the C kernel stats.bootstrap, seeded: same seed, same numbers). On each path:
--   final_pl       the sum of its trades
--   max_drawdown   the deepest fall of start + running P/L below its running peak (a fraction,
--                  <= 0; the peak starts at the starting capital), as OptionOmega measures it
--   cagr           ((start + final_pl) / start) ^ (1 / years) - 1 over the result's own span
--                  (-1 when the account is gone)
-- Reported: the 5th, 50th and 95th percentiles of each (type-7 interpolation), the probability
-- that a path's drawdown goes beyond a threshold (by default 1.5 times the result's own max
-- drawdown), and equity bands (the same percentiles after every 1/50 of the trades).
local stats = require("stats")
local M = {}

M.defaults = { paths = 10000, seed = 1, threshold_factor = 1.5, bands = 50 }
M.quantiles = { 0.05, 0.5, 0.95 }

local function summary(v)
  local q = stats.quantiles(v, M.quantiles)
  return { p5 = q[1], p50 = q[2], p95 = q[3] }
end

-- pls: trade P/Ls (any order); start: starting capital; years: the result's span in years;
-- own_drawdown: the result's max drawdown (a fraction <= 0). opts: paths, seed, threshold.
function M.run(pls, start, years, own_drawdown, opts)
  opts = opts or {}
  local paths = opts.paths or M.defaults.paths
  local seed = opts.seed or M.defaults.seed
  local n = #pls
  if n == 0 or not start or start <= 0 then return nil end
  local steps, k = {}, math.min(M.defaults.bands, n)
  for i = 1, k do
    local s = math.floor(i * n / k + 0.5)
    if s > (steps[#steps] or 0) then steps[#steps + 1] = s end
  end
  local r = stats.bootstrap(pls, { paths = paths, length = n, seed = seed, start = start, steps = steps,
                                   band_quantiles = M.quantiles })
  local cagr = {}
  for i, f in ipairs(r.final) do
    local finish = start + f
    cagr[i] = (years and years > 0) and (finish > 0 and (finish / start) ^ (1 / years) - 1 or -1) or 0
  end
  local threshold = opts.threshold
  if threshold == nil and own_drawdown and own_drawdown < 0 then threshold = own_drawdown * M.defaults.threshold_factor end
  local out = { paths = paths, seed = seed, trades = n, start = start, years = years,
                max_drawdown = summary(r.drawdown), final_pl = summary(r.final), cagr = summary(cagr) }
  if threshold then
    local beyond = 0
    for _, d in ipairs(r.drawdown) do if d < threshold then beyond = beyond + 1 end end
    out.prob_drawdown_beyond = { threshold = threshold, p = beyond / paths,
      basis = opts.threshold and "as asked" or string.format("%.1f times its own", M.defaults.threshold_factor) }
  end
  out.bands = { { trade = 0, p5 = start, p50 = start, p95 = start } }
  for i, s in ipairs(steps) do
    local b = r.bands[i]
    out.bands[#out.bands + 1] = { trade = s, p5 = b[1], p50 = b[2], p95 = b[3] }
  end
  return out
end

return M
