-- Coarse to fine, no seed and no budget to choose: a coarse grid of 5 values per parameter, then
-- the step halved around the 3 best, down to each parameter's own step (delta 1, stop loss 50),
-- until every best's neighbours are tried. The same results always give the same search.
--   oo-automator run examples/refine_delta_stop_loss.lua --dry-run
return {
  test = os.getenv("OO_TEST_URL") or "https://optionomega.com/test/YOUR_TEST_ID",
  name = "Refine delta x stop loss",
  mode = "refine",
  optimize_by = "mar",
  parameters = {
    { name = "delta", config = { start = 5, stop = 45, step = 1 } },
    { name = "stop_loss", config = { start = 100, stop = 400, step = 50 } },
  },
}
