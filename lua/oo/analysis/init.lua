-- oo.analysis: the analysis of stored results, for the CLI (`oo-automator analyze`, `export`)
-- and the dashboard (GET /api/runs/{id}/analysis, GET /api/results/{id}/analysis), which ask
-- for the same answers through these functions. They read stored results through `runs`, the
-- module bound into the command's Lua state (engine/run/runs.c: runs.get, runs.results,
-- runs.result, runs.trades; each raises a typed error, input when the thing does not exist);
-- everything after reading is pure Lua in this folder:
--   result.lua        one result: metrics, reconciliation, breakdowns, curves, Monte Carlo
--   run.lua           a run: recommendations per goal, Pareto front, avoid list, robustness,
--                     significance, and a mode's own section (lua/oo/analysis/<mode>.lua)
--   goals.lua         the goals (returns, capital, balanced), also optimize_by's
--   report.lua        the answers as text (CLI) and as a markdown report
local metrics = require("oo.metrics")
local tradelog = require("oo.tradelog")
local result = require("oo.analysis.result")
local run = require("oo.analysis.run")
local M = {}

-- The trade-log fields the analysis of a result reads, and the fewer a run's needs (its daily
-- P/L per configuration).
M.fields = {}
for _, name in pairs(tradelog.columns) do M.fields[#M.fields + 1] = name end
table.sort(M.fields)
M.run_fields = { tradelog.columns.date_opened, tradelog.columns.date_closed, tradelog.columns.pl }

local function is_table(v) return type(v) == "table" end

-- OptionOmega's metrics of a stored result: the metrics JSON, completed from the columns.
function M.metrics_of(row)
  local out = {}
  if is_table(row.metrics) then
    for k, v in pairs(row.metrics) do if type(v) == "number" then out[k] = v end end
  end
  for _, m in ipairs(metrics.list) do
    if out[m.key] == nil and type(row[m.column]) == "number" then out[m.key] = row[m.column] end
  end
  return out
end

-- The result whose trades a result has: itself, or the one it was reused from (the cache).
function M.trade_source(runs, id, cached_from)
  local seen = 0
  while type(cached_from) == "number" and seen < 8 do
    id = cached_from
    local r = runs.result(id)
    cached_from = r.cached_from
    seen = seen + 1
  end
  return id
end

-- A stored result's trades never change: the run analysis keeps those it read (a state that
-- lives on, the dashboard's, then reads only a run's new results). At most M.memo_max results.
M.memo, M.memo_count, M.memo_max = {}, 0, 2000

-- Trades of a result as oo.tradelog.read rows (only the fields the analysis reads, or `fields`).
function M.trades(runs, id, cached_from, fields)
  local rows = runs.trades(M.trade_source(runs, id, cached_from), fields or M.fields)
  local out = {}
  for i, r in ipairs(rows) do out[i] = tradelog.read(r) end
  return out, rows
end

-- A result's trades with the run analysis' fields, remembered.
function M.run_trades(runs, row)
  local t = M.memo[row.result_id]
  if t then return t end
  t = M.trades(runs, row.result_id, row.cached_from, M.run_fields)
  if M.memo_count >= M.memo_max then M.memo, M.memo_count = {}, 0 end
  M.memo[row.result_id], M.memo_count = t, M.memo_count + 1
  return t
end

-- The analysis of one result. opts: {mc_paths, seed, risk_free}.
function M.result(runs, id, opts)
  local r = runs.result(id)
  local source = M.trade_source(runs, r.id, r.cached_from)
  local rows = runs.trades(source, M.fields)
  local a = result.analyze({ id = r.id, run_id = r.run_id, values = is_table(r.values) and r.values or {},
                             metrics = M.metrics_of(r), raw_data = is_table(r.raw_data) and r.raw_data or nil },
    rows, opts)
  a.trades_result_id = source   -- whose trade log this is (a reused result has its original's)
  return a
end

-- The run and its completed results as the run analysis reads them.
function M.load_run(runs, id)
  local r = runs.get(id)
  local stored = runs.results(id)
  local rows = {}
  for _, s in ipairs(stored) do
    rows[#rows + 1] = { result_id = s.result_id, task_id = s.task_id, values = is_table(s.values) and s.values or {},
                        stage = s.stage, metrics = M.metrics_of(s),
                        cached_from = type(s.cached_from) == "number" and s.cached_from or nil,
                        config_hash = type(s.config_hash) == "string" and s.config_hash or nil }
  end
  return r, rows
end

-- The analysis of one run. opts: {goal, seed, drawdown_limit, top, ...} (oo.analysis.run).
function M.run(runs, id, opts)
  local r, rows = M.load_run(runs, id)
  return run.analyze({ run = r, rows = rows, trades = function(row) return M.run_trades(runs, row) end,
                       full_trades = function(row) return (M.trades(runs, row.result_id, row.cached_from)) end }, opts)
end

-- The analysis of one run for several goals (each trade log read once): goal -> analysis.
function M.run_goals(runs, id, opts, names)
  local r, rows = M.load_run(runs, id)
  local function trades(row) return M.run_trades(runs, row) end
  local function full(row) return (M.trades(runs, row.result_id, row.cached_from)) end
  local out = {}
  for _, g in ipairs(names) do
    local o = {}
    for k, v in pairs(opts or {}) do o[k] = v end
    o.goal = g
    out[g] = run.analyze({ run = r, rows = rows, trades = trades, full_trades = full }, o)
  end
  return out
end

return M
