-- A custom search a spec cannot express: a coarse delta sweep, then a finer one around the
-- best, then the profit target for that delta. Each oo.run is a whole run (stored, resumable,
-- on the dashboard).   oo-automator run examples/custom_search.lua
local oo = require("oo")
local test = os.getenv("OO_TEST_URL") or "https://optionomega.com/test/YOUR_TEST_ID"

local coarse = oo.run { test = test, name = "delta, coarse", parameter = "delta",
                        config = { start = 5, stop = 45, step = 10 } }
local best = assert(oo.best(coarse, "mar"), "no result in the coarse sweep")
local d = best.values.delta
print(string.format("coarse: best delta %d (MAR %.2f)", d, best.metrics.mar))

local fine = oo.run { test = test, name = "delta, fine", parameter = "delta",
                      config = { start = math.max(1, d - 4), stop = d + 4, step = 2 } }
best = assert(oo.best(fine, "mar"))
d = best.values.delta
print(string.format("fine: best delta %d (MAR %.2f)", d, best.metrics.mar))

local pt = oo.run { test = test, name = "profit target at delta " .. d, parameter = "profit_target",
                    fixed = { delta = d }, config = { start = 25, stop = 100, step = 25 } }
best = assert(oo.best(pt, "mar"))
print(string.format("best: delta %d, profit target %s (MAR %.2f, CAGR %.1f%%)", d,
  tostring(best.values.profit_target), best.metrics.mar, best.metrics.cagr * 100))
