-- oo.analysis.walkforward: the report of a walk-forward run, pure Lua over its stored results
-- and trades (no browser, no SQL). What a trader judges a walk-forward by:
--   per window: the in-sample best's values and metrics, the out-of-sample metrics, and the
--     walk-forward efficiency (WFE) = annualized out-of-sample return / annualized in-sample
--     return, both annualized returns being OptionOmega's CAGR of the backtest's own dates;
--   overall WFE = mean out-of-sample CAGR / mean in-sample CAGR over the windows with both;
--   how much the chosen values move from one window to the next;
--   the stitched out-of-sample record: the out-of-sample trade logs joined in time, on the
--     test's starting capital (each window's trades as OptionOmega sized them, P/L added, not
--     compounded across windows), with its P/L, CAGR, max drawdown (on trade closes) and MAR,
--     beside the same figures of the full-period best (chosen with hindsight) traded over the
--     same out-of-sample span;
--   a verdict in words, with the thresholds it used.
--
-- It plugs into the run analysis (lua/oo/analysis/run.lua calls a mode's section and text):
-- M.section(ctx) -> the report (a table JSON can hold), or nil when the run is no walk-forward
--   ctx.run      the stored run {id, mode, config = {spec, script}, counts, ...}
--   ctx.rows     its completed results {task_id, result_id, cached_from, stage, values, metrics}
--                (store_run_results rows; ctx.results is read when rows is absent)
--   ctx.trades   function(row) -> the trades of that result (stored rows, header -> text, or
--                oo.tradelog.read rows), a cached result's those of the result it came from
-- M.text(report) -> its lines for the terminal and the markdown report
-- The end of `run` and `resume` (oo.cli) calls, without the rest of the analysis:
-- M.needs_trades(run, results) -> the result ids whose trades the report reads
-- M.analyze{run, results, trades = {[result_id] = rows}} -> M.section with those trades
-- M.render(report) -> the text, one string
local dates = require("oo.dates")
local metrics_mod = require("oo.metrics")
local M = {}

-- The thresholds of the verdict.
M.thresholds = {
  wfe = 0.5,              -- overall WFE of 50% or more: a commonly used bar (Pardo)
  profitable_windows = 0.5, -- at least half the windows make money out of sample
  stable_move = 0.25,     -- a chosen value moving on average more than 25% of its searched range
}

local function norm_of(run)
  local spec_mod = require("oo.spec")
  local spec = spec_mod.from_stored(run.config or run)
  if spec.mode ~= "walkforward" then return nil, "not a walk-forward run" end
  local registry = require("oo.parameters").discover()
  local mode = require("oo.modes").get("walkforward")
  return mode.check(spec, registry), mode
end

-- The runner's view of the results: stage i -> {index, results = {{values, metrics, ...}}}.
-- A run with tasks left (run.counts) is still in its last stage: that one is not done.
local function unfinished(run)
  local c = run and run.counts
  return type(c) == "table" and ((tonumber(c.pending) or 0) + (tonumber(c.running) or 0)) > 0
end

local function stages_done(results, run)
  local done, max = {}, 0
  for _, r in ipairs(results) do max = math.max(max, r.stage or 1) end
  if unfinished(run) then max = max - 1 end
  for i = 1, max do done[i] = { index = i, results = {} } end
  for _, r in ipairs(results) do
    local d = done[r.stage or 1]
    if d then d.results[#d.results + 1] = { task_id = r.task_id, result_id = r.result_id, cached_from = r.cached_from,
                                  values = r.values or r.parameter_values, metrics = r.metrics or {} } end
  end
  return done
end

-- A result's trades live with the result it was computed for (a cached one points there).
local function trades_id(r) return r and (tonumber(r.cached_from) or r.result_id) end

function M.needs_trades(run, results)
  local norm, mode = norm_of(run)
  if not norm then return {} end
  local state = mode.state(norm, stages_done(results, run))
  local ids = {}
  for _, s in ipairs(state.searches) do
    local id = trades_id(s.oos_result)
    if id then ids[#ids + 1] = id end
  end
  return ids
end

local function num(v)
  if type(v) == "number" then return v end
  if type(v) == "string" then return tonumber((v:gsub("[%$,%%]", ""))) end
  return nil
end

-- The record of trades joined in time on `capital`: {trades, pl, cagr, max_drawdown, mar,
-- equity = {{date, equity}}} over the days first..last ("YYYY-MM-DD"). Drawdown is measured at
-- each trade's close, from the highest equity before it (the starting capital included).
-- A trade's close date, time and P/L, stored (CSV header names) or read (oo.tradelog.read).
local function closed(t) return t.date_closed or t["Date Closed"] or "", t.time_closed or t["Time Closed"] or "" end
local function trade_pl(t) return num(t.pl or t["P/L"]) or 0 end

function M.record(trades, capital, first, last)
  local list = {}
  for i, t in ipairs(trades) do
    local d, tm = closed(t)
    list[i] = { t = t, i = i, date = d, key = d .. " " .. tm }
  end
  table.sort(list, function(a, b)
    if a.key ~= b.key then return a.key < b.key end
    return a.i < b.i
  end)
  local equity, peak, dd, pl = capital, capital, 0, 0
  local curve = { { first, capital } }
  for _, e in ipairs(list) do
    local p = trade_pl(e.t)
    pl = pl + p
    equity = capital + pl
    if equity > peak then peak = equity end
    if peak > 0 and equity / peak - 1 < dd then dd = equity / peak - 1 end
    curve[#curve + 1] = { e.date, equity }
  end
  local years = dates.span_days(first, last) / 365.25
  local cagr = (equity > 0 and years > 0) and (equity / capital) ^ (1 / years) - 1 or -1
  return { trades = #list, pl = pl, cagr = cagr, max_drawdown = dd, mar = dd < 0 and cagr / -dd or nil,
           from = first, to = last, starting_capital = capital, ending_capital = equity, equity = curve }
end

local function pick(m)
  m = m or {}
  return { pl = m.pl, cagr = m.cagr, max_drawdown = m.max_drawdown, mar = m.mar, win_percentage = m.win_percentage,
           trades = m.trades }
end

local function without_dates(values)
  local out = {}
  for k, v in pairs(values or {}) do if k ~= "dates" then out[k] = v end end
  return out
end

-- A value as a number for "how far did it move": numbers as they are, times HH:MM in minutes.
local function as_number(v)
  if type(v) == "number" then return v end
  return require("oo.values").parse_time(v)
end

-- How much each chosen parameter moves between consecutive windows.
function M.stability(windows, searched)
  local names, seen = {}, {}
  for _, w in ipairs(windows) do
    for k in pairs(w.best_values or {}) do if not seen[k] then seen[k] = true; names[#names + 1] = k end end
  end
  table.sort(names)
  local out = {}
  for _, name in ipairs(names) do
    local vals, changes, moves, prev = {}, 0, {}, nil
    for _, w in ipairs(windows) do
      local v = w.best_values and w.best_values[name]
      vals[#vals + 1] = v == nil and "-" or v
      if v ~= nil then
        if prev ~= nil and v ~= prev then changes = changes + 1 end
        local a, b = as_number(prev), as_number(v)
        if a and b then moves[#moves + 1] = math.abs(b - a) end
        prev = v
      end
    end
    local lo, hi = nil, nil
    for _, v in ipairs(searched[name] or {}) do
      local x = as_number(v)
      if x then lo, hi = math.min(lo or x, x), math.max(hi or x, x) end
    end
    local entry = { name = name, values = vals, changes = changes, searched_min = lo, searched_max = hi }
    if #moves > 0 and lo and hi and hi > lo then
      local sum = 0
      for _, m in ipairs(moves) do sum = sum + m end
      entry.mean_move = sum / #moves
      entry.mean_move_of_range = entry.mean_move / (hi - lo)
    end
    out[#out + 1] = entry
  end
  return out
end

local function wfe(oos, is)
  if type(oos) ~= "number" or type(is) ~= "number" or is <= 0 then return nil end
  return oos / is
end

local function window_row(norm, s, trades_of)
  local w = s.window
  local row = { index = w.index, is_from = w.is_from, is_to = w.is_to, oos_from = w.oos_from, oos_to = w.oos_to }
  if s.error then row.status = "in-sample search failed: " .. s.error; return row end
  if not s.best then row.status = "in-sample search not finished"; return row end
  row.best_values = without_dates(s.best.values)
  row.is_metrics = pick(s.best.metrics)
  row.is_score = s.best_score
  row.candidates = s.candidates
  row.is_task_id = s.best.task_id
  if not s.oos_result then
    row.status = s.oos_done and "out-of-sample backtest failed" or "out-of-sample not run yet"
    return row
  end
  row.status = "ok"
  row.oos_task_id = s.oos_result.task_id
  row.oos_metrics = pick(s.oos_result.metrics)
  row.wfe = wfe(row.oos_metrics.cagr, row.is_metrics.cagr)
  row.trades = trades_of(s.oos_result) or {}
  row.starting_capital = num(s.oos_result.metrics.starting_capital)
  return row
end

local function efficiency(windows)
  local sum_is, sum_oos, n, above = 0, 0, 0, 0
  for _, w in ipairs(windows) do
    if w.status == "ok" and type(w.is_metrics.cagr) == "number" and type(w.oos_metrics.cagr) == "number" then
      sum_is, sum_oos, n = sum_is + w.is_metrics.cagr, sum_oos + w.oos_metrics.cagr, n + 1
      if w.wfe and w.wfe >= M.thresholds.wfe then above = above + 1 end
    end
  end
  if n == 0 then return { windows = 0 } end
  local e = { windows = n, mean_is_cagr = sum_is / n, mean_oos_cagr = sum_oos / n, windows_at_bar = above }
  e.overall = wfe(e.mean_oos_cagr, e.mean_is_cagr)
  return e
end

local function stitched(windows)
  local all, capital, first, last = {}, nil, nil, nil
  for _, w in ipairs(windows) do
    if w.status == "ok" then
      for _, t in ipairs(w.trades) do all[#all + 1] = t end
      capital = capital or w.starting_capital
      first = first or w.oos_from
      last = w.oos_to
    end
  end
  if not first then return nil end
  return M.record(all, capital or 100000, first, last)
end

local function full_period(norm, state, trades_of)
  for _, s in ipairs(state.searches) do
    if not s.window then
      local out = { range = s.range, oos_span = norm.oos_span }
      if s.error then out.status = "full-period search failed: " .. s.error; return out end
      if not s.best then out.status = "full-period search not finished"; return out end
      out.best_values = without_dates(s.best.values)
      out.metrics = pick(s.best.metrics)
      if s.oos_result then
        local a, b = dates.split(norm.oos_span)
        out.oos_metrics = pick(s.oos_result.metrics)
        out.oos_record = M.record(trades_of(s.oos_result) or {},
          num(s.oos_result.metrics.starting_capital) or 100000, a, b)
        out.status = "ok"
      else
        out.status = s.oos_done and "its out-of-sample backtest failed" or "its out-of-sample backtest not run yet"
      end
      return out
    end
  end
  return nil
end

local function pct(v) return type(v) == "number" and string.format("%.1f%%", v * 100) or "n/a" end

-- The windows judged (an in-sample best and an out-of-sample result) and how many made money.
local function window_counts(windows)
  local ok_windows, profitable = 0, 0
  for _, w in ipairs(windows) do
    if w.status == "ok" then
      ok_windows = ok_windows + 1
      if (w.oos_metrics.pl or 0) > 0 then profitable = profitable + 1 end
    end
  end
  return ok_windows, profitable
end

local function rules_text(t)
  return string.format("thresholds: overall walk-forward efficiency of %s or more (a commonly used bar), "
    .. "at least %s of the windows profitable out of sample, a stitched out-of-sample P/L above zero; "
    .. "a chosen value moving on average more than %s of its searched range between windows is unstable",
    pct(t.wfe), pct(t.profitable_windows), pct(t.stable_move))
end

-- The parameters whose chosen value moves more than the threshold between windows, in words.
local function unstable_params(stability, t)
  local unstable = {}
  for _, p in ipairs(stability) do
    if p.mean_move_of_range and p.mean_move_of_range > t.stable_move then
      unstable[#unstable + 1] = string.format("%s (on average %s of its searched range)", p.name, pct(p.mean_move_of_range))
    end
  end
  return unstable
end

-- The findings in words, in order: efficiency, windows, the stitched record, stability, and
-- the full-period best for comparison. j: what was judged (counts, share, passes, unstable).
local function findings(r, t, j)
  local e, st, lines = r.efficiency, r.stitched, {}
  lines[#lines + 1] = string.format("Overall walk-forward efficiency %s (%s the %s bar)%s.", pct(e.overall),
    j.pass_wfe and "meets" or "misses", pct(t.wfe),
    e.overall == nil and ": the in-sample best lost money on average, so there is no efficiency to speak of" or "")
  lines[#lines + 1] = string.format("%d of %d windows made money out of sample (%s; the bar is %s).",
    j.profitable, j.ok_windows, pct(j.share), pct(t.profitable_windows))
  lines[#lines + 1] = string.format("The stitched out-of-sample record made %s (CAGR %s, max drawdown %s).",
    metrics_mod.format("pl", st.pl), pct(st.cagr), pct(st.max_drawdown))
  if #j.unstable > 0 then
    lines[#lines + 1] = "The chosen values move a lot between windows: " .. table.concat(j.unstable, ", ") .. "; the optimum is not stable."
  end
  local fp = r.full_period
  if fp and fp.oos_record then
    lines[#lines + 1] = string.format("Trading the full-period best (chosen with hindsight) over the same span made %s (CAGR %s): walk-forward kept %s of it.",
      metrics_mod.format("pl", fp.oos_record.pl), pct(fp.oos_record.cagr),
      fp.oos_record.pl > 0 and pct(st.pl / fp.oos_record.pl) or "n/a")
  end
  return lines
end

-- The grade and its sentence: fails (no money out of sample, or no or a negative efficiency),
-- passes (every bar met, stable), doubtful otherwise (saying which bars it missed).
local function grade_of(overall, j)
  if not j.pass_pl or (overall ~= nil and overall < 0) or overall == nil then
    return "fails", "Verdict: the optimization does not hold up out of sample."
  elseif j.pass_wfe and j.pass_share and #j.unstable == 0 then
    return "passes", "Verdict: robust: what the optimization finds in the past holds up on the unseen future."
  end
  local why = {}
  if not j.pass_wfe then why[#why + 1] = "it earns much less than the in-sample results promise" end
  if not j.pass_share then why[#why + 1] = "most windows lose money out of sample" end
  if #j.unstable > 0 then why[#why + 1] = "the chosen values are not stable" end
  return "doubtful", "Verdict: doubtful: the stitched out-of-sample record makes money, but " .. table.concat(why, ", and ") .. "."
end

-- The verdict: thresholds stated, each finding in words.
function M.verdict(r)
  local t = M.thresholds
  local e, st = r.efficiency, r.stitched
  local ok_windows, profitable = window_counts(r.windows)
  local rules = rules_text(t)
  if ok_windows == 0 or not st then
    return { grade = "incomplete", text = "No window has both an in-sample best and an out-of-sample result yet: nothing to judge.", thresholds = rules }
  end
  local share = profitable / ok_windows
  local j = { ok_windows = ok_windows, profitable = profitable, share = share,
              pass_wfe = e.overall ~= nil and e.overall >= t.wfe, pass_share = share >= t.profitable_windows,
              pass_pl = st.pl > 0, unstable = unstable_params(r.stability, t) }
  local lines = findings(r, t, j)
  local grade, sentence = grade_of(e.overall, j)
  table.insert(lines, 1, sentence)
  return { grade = grade, text = table.concat(lines, " "), thresholds = rules }
end

function M.section(ctx)
  local run, results = ctx.run, ctx.rows or ctx.results or {}
  local norm, mode = norm_of(run)
  if not norm then return nil, mode end
  local trades_of = ctx.trades or function() return nil end
  local done = stages_done(results, run)
  local state = mode.state(norm, done)
  local windows, searched = {}, {}
  for _, s in ipairs(state.searches) do
    for _, d in ipairs(s.done) do
      for _, r in ipairs(d.results) do
        for k, v in pairs(r.values or {}) do
          if k ~= "dates" then searched[k] = searched[k] or {}; table.insert(searched[k], v) end
        end
      end
    end
    if s.window then windows[#windows + 1] = window_row(norm, s, trades_of) end
  end
  local report = {
    mode = "walkforward", optimize_by = norm.optimize_by, search_mode = norm.search_mode,
    definition = { from = norm.from, to = norm.to, in_sample = norm.in_sample, out_of_sample = norm.out_of_sample,
                   step = norm.step, anchored = norm.anchored, uncovered_from = norm.uncovered },
    windows = windows,
    efficiency = efficiency(windows),
    stability = M.stability(windows, searched),
    stitched = stitched(windows),
    full_period = norm.full_period and full_period(norm, state, trades_of) or nil,
    complete = not unfinished(run) and mode.plan(norm, done) == nil,
  }
  for _, w in ipairs(windows) do w.trades = nil end
  report.verdict = M.verdict(report)
  return report
end

function M.analyze(input)
  local trades = input.trades or {}
  local function of(row)
    local id = trades_id(row)
    return id and (trades[id] or trades[tostring(math.tointeger(id) or id)])
  end
  return M.section({ run = input.run, rows = input.results, trades = of })
end

-- ---- text -----------------------------------------------------------------------------------

local function fmt_values(v)
  local keys = {}
  for k in pairs(v or {}) do keys[#keys + 1] = k end
  table.sort(keys)
  local parts = {}
  for _, k in ipairs(keys) do
    local x = v[k]
    if math.type(x) == "float" and x % 1 == 0 then x = string.format("%d", x) end
    parts[#parts + 1] = k .. "=" .. tostring(x)
  end
  return table.concat(parts, " ")
end

local function metric_cell(key, m) return m and metrics_mod.format(key, m[key]) or "-" end

local function table_text(rows)
  local widths = {}
  for _, r in ipairs(rows) do
    for i, c in ipairs(r) do widths[i] = math.max(widths[i] or 0, #c) end
  end
  local out = {}
  for li, r in ipairs(rows) do
    local cells = {}
    for i, c in ipairs(r) do cells[i] = c .. string.rep(" ", widths[i] - #c) end
    out[#out + 1] = "  " .. table.concat(cells, "  "):gsub("%s+$", "")
    if li == 1 then out[#out + 1] = "  " .. string.rep("-", #table.concat(cells, "  ")) end
  end
  return out
end

function M.text(r)
  if type(r) ~= "table" or not r.definition then return {} end
  local d = r.definition
  local out = {}
  out[#out + 1] = string.format("Walk-forward %s to %s: in-sample %s, out-of-sample %s, %s; %s search, best by %s%s",
    d.from, d.to, d.in_sample, d.out_of_sample, d.anchored and "anchored" or ("rolling by " .. d.step),
    r.search_mode, r.optimize_by, r.complete and "" or " (INCOMPLETE: the run has work left)")
  local rows = { { "window", "in-sample", "out-of-sample", "best values", "IS CAGR", "IS MAR", "OOS P/L", "OOS CAGR", "OOS MAR", "WFE", "status" } }
  for _, w in ipairs(r.windows) do
    rows[#rows + 1] = { tostring(w.index), w.is_from .. ".." .. w.is_to, w.oos_from .. ".." .. w.oos_to,
      w.best_values and fmt_values(w.best_values) or "-", metric_cell("cagr", w.is_metrics), metric_cell("mar", w.is_metrics),
      metric_cell("pl", w.oos_metrics), metric_cell("cagr", w.oos_metrics), metric_cell("mar", w.oos_metrics),
      pct(w.wfe), w.status }
  end
  for _, l in ipairs(table_text(rows)) do out[#out + 1] = l end
  local e = r.efficiency
  out[#out + 1] = ""
  out[#out + 1] = string.format("Walk-forward efficiency (annualized OOS return / annualized IS return, CAGR): overall %s "
    .. "(mean OOS CAGR %s / mean IS CAGR %s over %d windows); %d of them at %s or more",
    pct(e.overall), pct(e.mean_oos_cagr), pct(e.mean_is_cagr), e.windows or 0, e.windows_at_bar or 0, pct(M.thresholds.wfe))
  out[#out + 1] = "Chosen values from window to window:"
  for _, p in ipairs(r.stability) do
    local vals = {}
    for i, v in ipairs(p.values) do vals[i] = (math.type(v) == "float" and v % 1 == 0) and string.format("%d", v) or tostring(v) end
    out[#out + 1] = string.format("  %s: %s (%d changes%s)", p.name, table.concat(vals, " -> "), p.changes,
      p.mean_move_of_range and string.format("; moves on average %s of the searched range", pct(p.mean_move_of_range)) or "")
  end
  local st = r.stitched
  if st then
    out[#out + 1] = string.format("Stitched out-of-sample %s to %s: %d trades, P/L %s, CAGR %s, max drawdown %s, MAR %s",
      st.from, st.to, st.trades, metrics_mod.format("pl", st.pl), pct(st.cagr), pct(st.max_drawdown),
      st.mar and string.format("%.2f", st.mar) or "n/a")
  end
  local fp = r.full_period
  if fp then
    if fp.oos_record then
      local o = fp.oos_record
      out[#out + 1] = string.format("Full-period best (%s; over %s: CAGR %s, MAR %s) traded over %s to %s: %d trades, P/L %s, CAGR %s, max drawdown %s, MAR %s",
        fmt_values(fp.best_values), fp.range, pct(fp.metrics.cagr), metric_cell("mar", fp.metrics), o.from, o.to, o.trades,
        metrics_mod.format("pl", o.pl), pct(o.cagr), pct(o.max_drawdown), o.mar and string.format("%.2f", o.mar) or "n/a")
    else
      out[#out + 1] = "Full-period best: " .. tostring(fp.status)
    end
  end
  if d.uncovered_from then
    out[#out + 1] = string.format("Not covered by a whole out-of-sample window: %s to %s", d.uncovered_from, d.to)
  end
  out[#out + 1] = ""
  out[#out + 1] = r.verdict.text
  out[#out + 1] = "(" .. r.verdict.thresholds .. ")"
  return out
end

function M.render(r) return table.concat(M.text(r), "\n") .. "\n" end

return M
