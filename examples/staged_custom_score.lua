-- Staged with a score of your own: the entry time with the best CAGR per unit of drawdown,
-- counting only configurations that trade at least 200 times; then the best profit target
-- by win percentage.   oo-automator run examples/staged_custom_score.lua
local function cagr_per_drawdown(m)
  if (m.trades or 0) < 200 or not m.max_drawdown or m.max_drawdown == 0 then return nil end
  return m.cagr / math.abs(m.max_drawdown)
end

return {
  test = os.getenv("OO_TEST_URL") or "https://optionomega.com/test/YOUR_TEST_ID",
  name = "Entry time (custom score) then profit target",
  mode = "staged",
  stages = {
    { parameter = "entry_time", optimize_by = cagr_per_drawdown,
      config = { start = "09:45", stop = "11:45", step = 30 } },
    { parameter = "profit_target", use_best_from = "entry_time", optimize_by = "win_percentage",
      config = { start = 20, stop = 80, step = 20 } },
  },
}
