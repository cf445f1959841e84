-- analysis_bench: the Monte Carlo of one result (10,000 paths of 500 trades, the issue's
-- yardstick: under 0.5 s) and the significance test of a large run, timed. It prints figures;
-- it asserts nothing. Run: oo-automator lua tests/bench/analysis_bench.lua [REPEATS]
local stats = require("stats")
local time = require("time")
local montecarlo = require("oo.analysis.montecarlo")

local repeats = tonumber(arg and arg[1]) or 5

-- 500 trades: a credit spread's P/L (wins of about $150, losses of about $400), seeded
local u = stats.uniform(2024, 1000)
local pls = {}
for i = 1, 500 do
  pls[i] = u[2 * i - 1] < 0.75 and math.floor(100 + 100 * u[2 * i]) or -math.floor(200 + 400 * u[2 * i])
end

local function measure(label, fn)
  local wall, cpu = {}, {}
  for r = 1, repeats do
    local w0, c0 = time.now_ms(), os.clock()
    fn()
    wall[r], cpu[r] = time.now_ms() - w0, (os.clock() - c0) * 1000
  end
  table.sort(wall)
  table.sort(cpu)
  print(string.format("%-66s wall %7.1f ms (best %7.1f)   cpu %7.1f ms (best %7.1f)", label,
    wall[(#wall + 1) // 2], wall[1], cpu[(#cpu + 1) // 2], cpu[1]))
end

print(string.format("median and best of %d runs", repeats))
measure("Monte Carlo, 10,000 paths x 500 trades (kernel only)", function()
  stats.bootstrap(pls, { paths = 10000, length = 500, seed = 1, start = 100000 })
end)
local mc
measure("Monte Carlo, 10,000 paths x 500 trades (with percentiles, bands)", function()
  mc = montecarlo.run(pls, 100000, 2, -0.08, { paths = 10000, seed = 1 })
end)
print(string.format("  final P/L p5/p50/p95: %.0f / %.0f / %.0f; max drawdown p50 %.2f%%", mc.final_pl.p5,
  mc.final_pl.p50, mc.final_pl.p95, 100 * mc.max_drawdown.p50))

-- significance: K configurations x T days, 1,000 resamples (the run analysis lowers the
-- resamples when reps x T x K passes 5e8)
for _, size in ipairs({ { 50, 500 }, { 200, 500 }, { 1000, 500 } }) do
  local K, T = size[1], size[2]
  local z = stats.uniform(K, K * T)
  local series = {}
  for k = 1, K do
    local s = {}
    for t = 1, T do s[t] = (z[(k - 1) * T + t] - 0.5) * 200 + (k % 7) end
    series[k] = s
  end
  local reps = math.max(200, math.min(1000, math.floor(5e8 / (K * T))))
  measure(string.format("SPA, %d configurations x %d days, %d resamples", K, T, reps), function()
    stats.spa(series, { reps = reps, seed = 1 })
  end)
end
