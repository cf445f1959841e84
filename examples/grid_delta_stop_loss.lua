-- A grid: every combination of delta (10, 15, 20) and stop loss (100%, 200%, 300%).
--   oo-automator run examples/grid_delta_stop_loss.lua
return {
  test = os.getenv("OO_TEST_URL") or "https://optionomega.com/test/YOUR_TEST_ID",
  name = "Delta x stop loss",
  mode = "grid",
  parameters = {
    { name = "delta", config = { start = 10, stop = 20, step = 5 } },
    { name = "stop_loss", config = { start = 100, stop = 300, step = 100 } },
  },
}
