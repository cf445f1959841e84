-- A staged optimization: find the best delta by MAR, then, with that delta fixed, the best
-- profit target.   oo-automator run examples/staged_delta_profit_target.lua
return {
  test = os.getenv("OO_TEST_URL") or "https://optionomega.com/test/YOUR_TEST_ID",
  name = "Delta then profit target (by MAR)",
  mode = "staged",
  stages = {
    { parameter = "delta", config = { start = 5, stop = 25, step = 5 } },
    { parameter = "profit_target", use_best_from = "delta", optimize_by = "mar",
      config = { start = 25, stop = 75, step = 25 } },
  },
  browsers = 2,
}
