-- Successive halving over dates: every entry time x profit target runs on a short recent window
-- of the period, the best third on a window three times longer, and the finalists on the whole
-- period, where the answer is judged. Short backtests weed out the poor configurations.
--   oo-automator run examples/halving_entry_time.lua --dry-run
return {
  test = os.getenv("OO_TEST_URL") or "https://optionomega.com/test/YOUR_TEST_ID",
  name = "Halving: entry time x profit target, 2019-2024",
  mode = "halving",
  period = "2019-01-02..2024-12-31",
  eta = 3,
  rungs = 3,
  optimize_by = "mar",
  parameters = {
    { name = "entry_time", config = { start = "09:35", stop = "14:35", step = 60 } },
    { name = "profit_target", config = { start = 25, stop = 100, step = 25 } },
  },
}
