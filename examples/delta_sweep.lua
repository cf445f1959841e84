-- A delta sweep: the short legs' delta from 5 to 30 in steps of 5, on 2 browsers.
--   oo-automator run examples/delta_sweep.lua
-- The test is OO_TEST_URL when set, else put your test's URL here.
return {
  test = os.getenv("OO_TEST_URL") or "https://optionomega.com/test/YOUR_TEST_ID",
  name = "Delta sweep 5-30",
  mode = "sweep",
  parameter = "delta",
  config = { start = 5, stop = 30, step = 5, apply_to = "both", legs = "short" },
  browsers = 2,
}
