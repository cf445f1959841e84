-- oo.analysis.measures: the definitions of the metrics the analysis adds to OptionOmega's, as
-- small functions over plain arrays (so each is tested on numbers worked out by hand).
--
-- Wins and losses follow OptionOmega's Winners and Win Percentage: a win is a trade with a P/L
-- above zero, every other trade is a loss (a trade at exactly zero counts as a loss).
local calendar = require("oo.analysis.calendar")
local M = {}

function M.mean(v)
  if #v == 0 then return nil end
  local s = 0
  for _, x in ipairs(v) do s = s + x end
  return s / #v
end

-- Sample standard deviation (n - 1).
function M.sd(v)
  if #v < 2 then return nil end
  local m, s = M.mean(v), 0
  for _, x in ipairs(v) do s = s + (x - m) ^ 2 end
  return math.sqrt(s / (#v - 1))
end

-- Per-trade figures from the P/L of each trade in entry order.
--   profit_factor   gross profit / gross loss (nil without a losing P/L)
--   expectancy      mean P/L per trade
--   avg_win, avg_loss, payoff_ratio = avg_win / |avg_loss|
--   kelly           W - (1 - W) / payoff_ratio, W the share of wins (nil without wins or losses)
--   max_consecutive_wins, max_consecutive_losses
function M.trades(pls)
  local n, wins, gross_profit, gross_loss, loss_sum = #pls, 0, 0, 0, 0
  local run_w, run_l, best_w, best_l = 0, 0, 0, 0
  for _, x in ipairs(pls) do
    if x > 0 then
      wins, gross_profit = wins + 1, gross_profit + x
      run_w, run_l = run_w + 1, 0
    else
      loss_sum, gross_loss = loss_sum + x, gross_loss - x
      run_w, run_l = 0, run_l + 1
    end
    if run_w > best_w then best_w = run_w end
    if run_l > best_l then best_l = run_l end
  end
  local losses = n - wins
  local out = { trades = n, wins = wins, losses = losses, gross_profit = gross_profit, gross_loss = gross_loss,
                max_consecutive_wins = best_w, max_consecutive_losses = best_l }
  if n > 0 then out.expectancy = (gross_profit - gross_loss) / n; out.win_rate = wins / n end
  if gross_loss > 0 then out.profit_factor = gross_profit / gross_loss end
  if wins > 0 then out.avg_win = gross_profit / wins end
  if losses > 0 then out.avg_loss = loss_sum / losses end
  if out.avg_win and out.avg_loss and out.avg_loss < 0 then
    out.payoff_ratio = out.avg_win / -out.avg_loss
    out.kelly = out.win_rate - (1 - out.win_rate) / out.payoff_ratio
  end
  return out
end

-- Historical value at risk and expected shortfall at `level` (0.05): with k = ceil(level * n),
-- VaR is the k-th worst value and CVaR the mean of the k worst. Both are P/L: negative is a loss.
function M.tail(values, level)
  local n = #values
  if n == 0 then return nil, nil end
  local s = {}
  for i, x in ipairs(values) do s[i] = x end
  table.sort(s)
  local k = math.max(1, math.ceil((level or 0.05) * n - 1e-9))
  local sum = 0
  for i = 1, k do sum = sum + s[i] end
  return s[k], sum / k
end

-- Sharpe ratio of daily returns: (mean - rf) / sd * sqrt(252); rf is the daily risk-free rate.
function M.sharpe(returns, rf)
  rf = rf or 0
  local sd = M.sd(returns)
  if not sd or sd == 0 then return nil end
  return (M.mean(returns) - rf) / sd * math.sqrt(252)
end

-- Sortino ratio: (mean - rf) / downside deviation * sqrt(252); the downside deviation is
-- sqrt(mean over every day of min(r - rf, 0)^2).
function M.sortino(returns, rf)
  rf = rf or 0
  if #returns == 0 then return nil end
  local s = 0
  for _, r in ipairs(returns) do
    local d = math.min(r - rf, 0)
    s = s + d * d
  end
  local dd = math.sqrt(s / #returns)
  if dd == 0 then return nil end
  return (M.mean(returns) - rf) / dd * math.sqrt(252)
end

-- Compound annual growth from start to finish over the days first..last (both included), in
-- years of 365.25 days, as OptionOmega computes CAGR.
function M.cagr(start, finish, first, last)
  if not start or start <= 0 or not first or last < first then return nil end
  local years = (last - first + 1) / 365.25
  if finish <= 0 then return -1 end
  return (finish / start) ^ (1 / years) - 1
end

-- The deepest fall below the running peak, as a fraction (<= 0), and in dollars, over a
-- series of levels with the peak starting at `start`.
function M.drawdown(levels, start)
  local peak, worst, worst_dollars = start, 0, 0
  for _, x in ipairs(levels) do
    if x > peak then peak = x end
    if peak > 0 and x / peak - 1 < worst then worst = x / peak - 1 end
    if x - peak < worst_dollars then worst_dollars = x - peak end
  end
  return worst, worst_dollars
end

-- Calmar ratio: CAGR over max drawdown, both over the last `months` months (36) of the days,
-- or over all of them when they span less. Returns calmar, and the window's cagr, drawdown
-- and first day.
function M.calmar(days, equity, start, months)
  local n = #days
  if n == 0 or not start then return nil end
  local last = days[n]
  local from = math.max(days[1], calendar.months_before(last, months or 36) + 1)
  local base, levels = start, {}
  for i = 1, n do
    if days[i] < from then base = equity[i] else levels[#levels + 1] = equity[i] end
  end
  local dd = M.drawdown(levels, base)
  local cagr = M.cagr(base, equity[n], from, last)
  if not cagr or dd >= 0 then return nil, cagr, dd, from end
  return cagr / -dd, cagr, dd, from
end

-- The longest time under water, in calendar days: from the last day at a peak to the day the
-- equity is back at it (or to the last day when it never is). The peak starts on the first day.
function M.underwater(days, equity, start)
  if #days == 0 then return 0 end
  local peak, peak_day, since, longest = start, days[1], nil, 0
  for i, d in ipairs(days) do
    if equity[i] >= peak then
      if since then longest = math.max(longest, d - since); since = nil end
      peak, peak_day = equity[i], d
    elseif not since then
      since = peak_day
    end
  end
  if since then longest = math.max(longest, days[#days] - since) end
  return longest
end

-- Ulcer index: the root mean square of the daily drawdowns, in percent.
function M.ulcer(drawdowns)
  if #drawdowns == 0 then return nil end
  local s = 0
  for _, d in ipairs(drawdowns) do s = s + (100 * d) ^ 2 end
  return math.sqrt(s / #drawdowns)
end

-- P/L by calendar month of exit, for every month from the first day's to the last day's
-- (months without a trade at 0): {year, month, pl, trades}.
function M.months(days, exit)
  if #days == 0 then return {} end
  local first, last = calendar.month_index(days[1]), calendar.month_index(days[#days])
  local by = {}
  for _, t in ipairs(exit) do
    local i = calendar.month_index(t.closed)
    if i < first then first = i end
    if i > last then last = i end
    local b = by[i] or { pl = 0, trades = 0 }
    b.pl, b.trades = b.pl + t.pl, b.trades + 1
    by[i] = b
  end
  local out = {}
  for i = first, last do
    local y, m = calendar.month_of_index(i)
    local b = by[i] or { pl = 0, trades = 0 }
    out[#out + 1] = { year = y, month = m, pl = b.pl, trades = b.trades }
  end
  return out
end

-- Best and worst month (the earliest on a tie) and the share of months with a profit.
function M.month_summary(months)
  if #months == 0 then return nil end
  local best, worst, up = months[1], months[1], 0
  for _, m in ipairs(months) do
    if m.pl > best.pl then best = m end
    if m.pl < worst.pl then worst = m end
    if m.pl > 0 then up = up + 1 end
  end
  local pick = function(m) return { year = m.year, month = m.month, pl = m.pl } end
  return pick(best), pick(worst), up / #months
end

-- A histogram of values: k = ceil(sqrt(n)) bins (5 to 40) of equal width from the smallest to
-- the largest value; each bin holds [from, to), the last one also its upper edge.
function M.histogram(values)
  local n = #values
  if n == 0 then return {} end
  local lo, hi = values[1], values[1]
  for _, x in ipairs(values) do
    if x < lo then lo = x end
    if x > hi then hi = x end
  end
  if hi == lo then return { { from = lo, to = hi, count = n } } end
  local k = math.min(40, math.max(5, math.ceil(math.sqrt(n))))
  local w = (hi - lo) / k
  local bins = {}
  for i = 1, k do bins[i] = { from = lo + (i - 1) * w, to = i == k and hi or lo + i * w, count = 0 } end
  for _, x in ipairs(values) do
    local i = math.min(k, math.floor((x - lo) / w) + 1)
    bins[i].count = bins[i].count + 1
  end
  return bins
end

return M
