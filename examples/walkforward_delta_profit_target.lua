-- A walk-forward: is the best delta x profit target of the past still good on the months that
-- follow? Two years in-sample, six months out-of-sample, stepping six months, 2018 to 2024: each
-- window's grid runs on its in-sample dates, and its best by MAR runs on the six months after.
-- The report gives each window's efficiency (out-of-sample CAGR / in-sample CAGR), the stitched
-- out-of-sample record beside the full-period best's, and a verdict in words.
--   oo-automator run examples/walkforward_delta_profit_target.lua --dry-run   # its size first
--   oo-automator run examples/walkforward_delta_profit_target.lua
return {
  test = os.getenv("OO_TEST_URL") or "https://optionomega.com/test/YOUR_TEST_ID",
  name = "Walk-forward: delta x profit target, 24m/6m",
  mode = "walkforward",
  windows = { from = "2018-01-01", to = "2024-12-31", in_sample = "24m", out_of_sample = "6m" },
  search = { mode = "grid", parameters = {
    { name = "delta", config = { start = 10, stop = 30, step = 10 } },
    { name = "profit_target", config = { start = 25, stop = 75, step = 25 } },
  } },
  optimize_by = "mar",
  full_period = true,
}
