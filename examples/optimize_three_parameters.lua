-- A model-based search over a space too large for a grid: delta 5-40, profit target 10-100 and
-- the entry time 09:32-15:02 are 36 x 19 x 12 = 8,208 configurations; a Gaussian process picks
-- 60 of them (a space-filling first batch, then by expected improvement). The same seed gives
-- the same search, and `resume` after a stop ends with the same answer.
--   oo-automator run examples/optimize_three_parameters.lua --dry-run
return {
  test = os.getenv("OO_TEST_URL") or "https://optionomega.com/test/YOUR_TEST_ID",
  name = "Optimize delta, profit target, entry time (60 backtests)",
  mode = "optimize",
  max_backtests = 60,
  seed = 7,
  optimize_by = "mar",
  parameters = {
    { name = "delta", config = { start = 5, stop = 40, step = 1 } },
    { name = "profit_target", config = { start = 10, stop = 100, step = 5 } },
    { name = "entry_time", config = { start = "09:32", stop = "15:02", step = 30 } },
  },
}
