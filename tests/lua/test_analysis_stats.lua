-- The resampling kernels (engine/script/stats.c, the `stats` module) against answers worked out
-- by hand and by the independent implementation fixtures/analysis/reference.py (expected.lua).
local check = require("check")
local stats = require("stats")
local json = require("json")
local fs = require("fs")
local expected = dofile("fixtures/analysis/expected.lua")

-- the generator: xoshiro256** seeded by splitmix64, as reference.py computes it
local raw = stats.random(1, 4)
for i, v in ipairs(expected.rng_raw_seed1) do check.eq(raw[i], v, "raw word " .. i) end
local below = stats.random(42, 8, 10)
for i, v in ipairs(expected.rng_below10_seed42) do check.eq(below[i], v, "below 10, #" .. i) end
local b3 = stats.random(2024, 12, 3)
for i, v in ipairs(expected.rng_below3_seed2024) do check.eq(b3[i], v, "below 3, #" .. i) end
local u = stats.uniform(7, 3)
for i, v in ipairs(expected.rng_double_seed7) do check.near(u[i], v, 1e-15, "double " .. i) end
-- same seed, same numbers; another seed, others
check.eq(table.concat(stats.random(5, 6, 1000), ","), table.concat(stats.random(5, 6, 1000), ","))
check.ok(table.concat(stats.random(5, 6, 1000), ",") ~= table.concat(stats.random(6, 6, 1000), ","))
-- below(n) is uniform: 60,000 draws below 3 land about 20,000 in each (±3 sd = ±346)
local counts = { 0, 0, 0 }
for _, x in ipairs(stats.random(99, 60000, 3)) do counts[x + 1] = counts[x + 1] + 1 end
for i = 1, 3 do check.ok(math.abs(counts[i] - 20000) < 346, "below 3: " .. counts[i] .. " of 60000 are " .. (i - 1)) end

-- quantiles (type 7), by hand: {1, 2, 3, 4}: h = 3q; q .05 -> 1 + .15 = 1.15; q .95 -> 3 + .85 = 3.85
local q = stats.quantiles({ 4, 1, 3, 2 }, { 0, 0.05, 0.5, 0.95, 1 })
check.near(q[1], 1, 1e-12)
check.near(q[2], 1.15, 1e-12)
check.near(q[3], 2.5, 1e-12)
check.near(q[4], 3.85, 1e-12)
check.near(q[5], 4, 1e-12)
check.eq(stats.quantiles({ 7 }, { 0.5 })[1], 7)

-- bootstrap paths, by hand: values {10, -30} with start 100, paths of 3 draws, seed 42: the
-- draws are the first 6 of stats.random(42, _, 2); each path's final sum and max drawdown
-- follow from them
local idx = stats.random(42, 6, 2)
local v = { 10, -30 }
local b = stats.bootstrap(v, { paths = 2, length = 3, seed = 42, start = 100, steps = { 1, 3 }, band_quantiles = { 0.5 } })
for p = 1, 2 do
  local level, peak, dd, sum = 100, 100, 0, 0
  local at1
  for i = 1, 3 do
    sum = sum + v[idx[(p - 1) * 3 + i] + 1]
    level = 100 + sum
    if level > peak then peak = level else dd = math.min(dd, level / peak - 1) end
    if i == 1 then at1 = level end
  end
  check.near(b.final[p], sum, 1e-12, "path " .. p .. " final")
  check.near(b.drawdown[p], dd, 1e-12, "path " .. p .. " drawdown")
  if p == 2 then check.near(b.bands[1][1], (at1 + (100 + v[idx[1] + 1])) / 2, 1e-12, "median level after one draw") end
end
-- every path draws from the values only: a constant list gives exact answers
local c = stats.bootstrap({ 5 }, { paths = 3, length = 4, start = 100 })
for p = 1, 3 do check.eq(c.final[p], 20); check.eq(c.drawdown[p], 0) end
local c2 = stats.bootstrap({ -10 }, { paths = 1, length = 2, start = 100 })
check.near(c2.drawdown[1], -0.2, 1e-12, "100 -> 90 -> 80 from a peak of 100")

-- the sign-flip test, exactly: x = {1, 2, -0.5, 3} sums to 5.5; of the 16 sign patterns, two
-- reach 5.5 (the observed one and +1+2+0.5+3 = 6.5): p -> 2/16 = 0.125 as flips grow
local p = stats.sign_flip({ 1, 2, -0.5, 3 }, { reps = 200000, seed = 5 })
check.near(p, 0.125, 0.003, "sign flip p of {1, 2, -0.5, 3}")
-- and the reference's value for a longer series (same generator, same bits)
local spa_fix = json.decode(assert(fs.read("fixtures/analysis/spa.json")))
check.near(stats.sign_flip(spa_fix.series[3], { reps = 5000, seed = 9 }), expected.sign_flip, 1e-12, "sign flip vs reference")

-- Hansen's SPA and White's Reality Check against reference.py on 4 series of 60 days (one
-- with an edge, one all zeros), 400 resamples, mean block 4, seed 7
local s = stats.spa(spa_fix.series, { reps = spa_fix.reps, block = spa_fix.block, seed = spa_fix.seed })
local e = expected.spa
for _, k in ipairs({ "stat", "p_consistent", "p_lower", "p_upper", "rc_stat", "rc_p" }) do
  check.near(s[k], e[k], 1e-9, "spa " .. k)
end
check.eq(s.best, e.best, "spa best")
for i, m in ipairs(e.models) do
  for _, k in ipairs({ "mean", "omega", "t", "p_single", "p_adjusted" }) do
    check.near(s.models[i][k], m[k], 1e-9, string.format("spa model %d %s", i, k))
  end
end
-- what the numbers must say whatever the fixture: the bounds are ordered, the constant series
-- shows no edge, and the edge is found
check.ok(s.p_lower <= s.p_consistent and s.p_consistent <= s.p_upper, "SPA_l <= SPA_c <= SPA_u")
check.eq(s.models[4].p_single, 1)
check.eq(s.best, 3)

-- bad arguments: one clear error each
check.err(function() stats.bootstrap({}, {}) end, "stats.bootstrap", "values")
check.err(function() stats.bootstrap({ 1, 0 / 0 }, {}) end, "values[2] is not a finite number")
check.err(function() stats.bootstrap({ 1 }, { paths = 0 }) end, "paths must be a whole number")
check.err(function() stats.bootstrap({ 1, 2 }, { steps = { 3 }, band_quantiles = { 0.5 } }) end, "steps must ascend")
check.err(function() stats.quantiles({ 1 }, { 1.5 }) end, "from 0 to 1")
check.err(function() stats.spa({ { 1, 2, 3 }, { 1, 2 } }) end, "series 2 has 2 observations")
check.err(function() stats.spa({ { 1, 2, 3 } }, { block = 0 }) end, "block must be from 1")
check.err(function() stats.sign_flip({ 1 }, { reps = -1 }) end, "reps must be a whole number")

check.done()
