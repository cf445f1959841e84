-- oo.analysis.run: a run's configurations, from a table of results to a decision: the
-- recommendation for a goal (oo.analysis.goals) with a score 0-100 and reasons in plain words,
-- the Pareto front over (CAGR, max drawdown), what to avoid and why, each configuration's
-- robustness (oo.analysis.robustness), and whether the best is better than luck
-- (oo.analysis.significance).
--
-- M.analyze(input, opts) -> table
--   input.run      the stored run {id, mode, config, status, ...}
--   input.rows     its completed results {result_id, values, metrics, stage}
--   input.trades   function(row) -> its trades as oo.tradelog.read rows (nil: none stored); the
--                  run analysis needs only their dates and P/L
--   input.full_trades  the same with every field the analysis reads (for a mode's section)
--   opts           goal ("balanced"), seed (1), drawdown_limit, weights, robustness_metric,
--                  fragile_loss, min_trades (30), top (5), block, reps
--
-- A mode may add its own section: when lua/oo/analysis/<mode>.lua exists (walkforward.lua for
-- a walk-forward run), its section(ctx) is called with ctx = {run, rows ({result_id, task_id,
-- values, stage, metrics, cached_from}), analysis (this table so far), trades
-- (input.full_trades: function(row) -> oo.tradelog.read rows), opts} and what it returns is put
-- at analysis[<mode>] (nil: no section);
-- its text(section) (optional) returns lines for the CLI and the markdown report.
local metrics = require("oo.metrics")
local goals = require("oo.analysis.goals")
local robustness = require("oo.analysis.robustness")
local significance = require("oo.analysis.significance")
local series = require("oo.analysis.series")
local result = require("oo.analysis.result")
local errors = require("oo.errors")
local values = require("oo.values")
local M = {}

M.defaults = { goal = "balanced", min_trades = 30, top = 5, worst_share = 0.10 }

local function num(v) return type(v) == "number" and v == v and v or nil end

local function pct(v) return metrics.format_value("pct", v) end

-- The Pareto front over (CAGR higher, |max drawdown| lower): the rows no other row beats on
-- one without losing on the other; by drawdown, smallest first.
function M.pareto(rows)
  local pts = {}
  for i, r in ipairs(rows) do
    local c, d = num(r.metrics and r.metrics.cagr), num(r.metrics and r.metrics.max_drawdown)
    if c and d then pts[#pts + 1] = { i = i, cagr = c, dd = math.abs(d) } end
  end
  local front = {}
  for _, a in ipairs(pts) do
    local dominated = false
    for _, b in ipairs(pts) do
      if b.cagr >= a.cagr and b.dd <= a.dd and (b.cagr > a.cagr or b.dd < a.dd) then dominated = true; break end
    end
    if not dominated then front[#front + 1] = a end
  end
  table.sort(front, function(a, b)
    if a.dd ~= b.dd then return a.dd < b.dd end
    return a.i < b.i
  end)
  return front
end

local function median(v)
  local s = {}
  for i, x in ipairs(v) do s[i] = x end
  table.sort(s)
  local n = #s
  if n == 0 then return nil end
  return n % 2 == 1 and s[(n + 1) // 2] or (s[n // 2] + s[n // 2 + 1]) / 2
end

-- The deepest drawdowns of the run: the deepest 10% of the configurations (at least one) whose
-- drawdown is beyond the limit or at least 1.5 times the median.
local function worst_drawdowns(rows, limit)
  local dds, idx = {}, {}
  for i, r in ipairs(rows) do
    local d = num(r.metrics and r.metrics.max_drawdown)
    if d then dds[#dds + 1] = math.abs(d); idx[#idx + 1] = { i = i, dd = math.abs(d) } end
  end
  if #idx < 2 then return {} end
  table.sort(idx, function(a, b) if a.dd ~= b.dd then return a.dd > b.dd end return a.i < b.i end)
  local med, out = median(dds), {}
  for n = 1, math.max(1, math.ceil(M.defaults.worst_share * #idx)) do
    local e = idx[n]
    if e.dd > limit or e.dd >= 1.5 * med then out[e.i] = e.dd end
  end
  return out
end

-- Every configuration's reasons to avoid it (index -> list of sentences).
local function avoid_reasons(rows, rob, models, opts)
  local min_trades = opts.min_trades or M.defaults.min_trades
  local limit = opts.drawdown_limit or goals.defaults.drawdown_limit
  local worst = worst_drawdowns(rows, limit)
  local out = {}
  for i, r in ipairs(rows) do
    local why = {}
    if rob[i].fragile then why[#why + 1] = robustness.reason(rob[i]) end
    local n = num(r.metrics and r.metrics.trades)
    if n and n < min_trades then
      why[#why + 1] = string.format("only %d trades (fewer than %d): too few to judge", n, min_trades)
    end
    if worst[i] then why[#why + 1] = string.format("among the deepest drawdowns of the run: %s", pct(worst[i])) end
    local pl = num(r.metrics and r.metrics.pl)
    if pl and pl < 0 then why[#why + 1] = "loses money: P/L " .. metrics.format_value("money", pl) end
    local gone = significance.gone(models, i)
    if gone then why[#why + 1] = gone end
    if #why > 0 then out[i] = why end
  end
  return out
end

local function brief(r)
  local m = r.metrics or {}
  return { cagr = num(m.cagr), max_drawdown = num(m.max_drawdown), mar = num(m.mar), pl = num(m.pl),
           trades = num(m.trades), win_percentage = num(m.win_percentage) }
end

local function recommendations(rows, evaluation, avoid, rob, models, opts)
  local ranked = {}
  for i in ipairs(rows) do
    if evaluation[i] then ranked[#ranked + 1] = i end
  end
  table.sort(ranked, function(a, b)
    if evaluation[a].score ~= evaluation[b].score then return evaluation[a].score > evaluation[b].score end
    return a < b
  end)
  local clean = {}
  for _, i in ipairs(ranked) do if not avoid[i] then clean[#clean + 1] = i end end
  local all_avoided = #clean == 0
  local list = all_avoided and ranked or clean
  local out = {}
  for n = 1, math.min(opts.top or M.defaults.top, #list) do
    local i = list[n]
    local r = rows[i]
    local why = {}
    for _, x in ipairs(evaluation[i].reasons) do why[#why + 1] = x end
    local rr = robustness.reason(rob[i])
    if rr then why[#why + 1] = rr end
    local t = num(r.metrics and r.metrics.trades)
    if t then why[#why + 1] = string.format("%d trades", t) end
    local m = models and models[i]
    if m then
      why[#why + 1] = string.format("daily P/L p-value %.3f alone, %.3f adjusted for the %d configurations tried",
        m.p_single, m.p_adjusted, #models)
    end
    if avoid[i] then why[#why + 1] = "caution: " .. table.concat(avoid[i], "; ") end
    out[n] = { rank = n, values = r.values, result_id = r.result_id, score = math.floor(evaluation[i].score * 10 + 0.5) / 10,
               reasons = why, metrics = brief(r), index = i }
  end
  local skipped = {}
  for _, i in ipairs(ranked) do
    if i == list[1] then break end
    skipped[#skipped + 1] = i
  end
  return out, skipped, all_avoided
end

-- The mode's own section (lua/oo/analysis/<mode>.lua), when there is one.
function M.mode_module(mode)
  if type(mode) ~= "string" or not mode:match("^[%w_]+$") then return nil end
  local name = "oo.analysis." .. mode
  if not package.searchpath(name, package.path) then return nil end
  local mod = require(name)
  if type(mod) == "table" and type(mod.section) == "function" then return mod end
  return nil
end

local function robustness_metric(run, opts)
  if opts.robustness_metric then return opts.robustness_metric end
  local by = type(run) == "table" and type(run.config) == "table" and run.config.optimize_by
  local m = type(by) == "string" and metrics.by_key[by]
  if m and m.sense then return by end
  return robustness.defaults.metric
end

-- Daily P/L of every row (for the significance test), and whether its trade log reconciles
-- with OptionOmega's numbers (oo.analysis.result.reconcile; nil without a trade log).
local function daily_of(rows, trades)
  local daily, recon = {}, {}
  for i, r in ipairs(rows) do
    local t = trades and trades(r)
    daily[i] = t and significance.daily_pl(t) or {}
    if t then
      local entry, _, skipped = series.order(t)
      recon[i] = result.reconcile(r.metrics or {}, entry, skipped)
    end
  end
  return daily, recon
end

-- The Pareto front, the avoid list, robustness and one point per configuration (the scatter).
local function lists(out, rows, rob, avoid, evaluation, models)
  local front = M.pareto(rows)
  local on_front = {}
  out.pareto = {}
  for _, p in ipairs(front) do
    local r = rows[p.i]
    on_front[p.i] = true
    out.pareto[#out.pareto + 1] = { values = r.values, result_id = r.result_id, cagr = p.cagr,
                                    max_drawdown = r.metrics.max_drawdown }
  end
  out.avoid, out.robustness, out.points = {}, {}, {}
  for i, r in ipairs(rows) do
    if avoid[i] then out.avoid[#out.avoid + 1] = { values = r.values, result_id = r.result_id, reasons = avoid[i] } end
    local e = rob[i]
    out.robustness[#out.robustness + 1] = { values = r.values, result_id = r.result_id, score = e.score,
      fragile = e.fragile, loss = e.loss, metric = e.metric, neighbours = e.neighbours }
    local pt = brief(r)
    pt.values, pt.result_id, pt.stage = r.values, r.result_id, r.stage
    pt.score = evaluation[i] and evaluation[i].score
    pt.robustness, pt.fragile, pt.pareto, pt.avoid = e.score, e.fragile, on_front[i] or false, avoid[i] ~= nil
    local mm = models and models[i]
    if mm then pt.p_single, pt.p_adjusted = mm.p_single, mm.p_adjusted end
    out.points[#out.points + 1] = pt
  end
end

-- The analysis' frame: the run, the goal and its settings, every goal's name, the robustness
-- settings; notes, recommendations and the rest are added to it.
local function new_analysis(run, rows, goal_name, goal, opts)
  local out = { run_id = run.id, mode = run.mode, status = run.status, goal = goal_name, goal_label = goal.label,
                goal_definition = goal.definition, goal_settings = goals.settings(goal_name, opts),
                configurations = #rows, notes = {}, goals = {} }
  for _, name in ipairs(goals.names) do
    local g = goals.goals[name]
    out.goals[#out.goals + 1] = { name = name, label = g.label, definition = g.definition }
  end
  out.robustness_settings = { metric = robustness_metric(run, opts),
                              fragile_loss = opts.fragile_loss or robustness.defaults.fragile_loss }
  return out
end

-- The recommended configuration's permutation test, added to the significance section.
local function add_permutation(sig, rec, daily, nrows, opts)
  local p = significance.permutation(daily[rec.index], opts)
  if not p then return end
  sig.permutation_p_value = p
  sig.chosen = { values = rec.values, result_id = rec.result_id }
  sig.text = sig.text .. significance.permutation_text(p, nrows, M.values_text(rec.values))
end

-- ---- one row per configuration ----------------------------------------------------------------
-- Two results of a run with the same config_hash ran the same dialog: a staged run's later stage
-- meets an earlier stage's best again (the cache answers it), and stage 1's "delta=10" is stage
-- 2's "delta=10, profit_target=50". They are one configuration: ranked once, given one verdict,
-- and counted once among the configurations tried (the significance tests' count). What the
-- earlier row leaves out is the test's own saved value, which its twin names: every row that
-- leaves that parameter out ran with that same value (a parameter a task does not set stays at
-- the test's), so it is filled in for each of them, and the stages line up as neighbours. A
-- parameter two twins disagree on is filled in nowhere.

-- The values a twin names and a row leaves out: name -> value (false where twins disagree).
local function implied_values(groups)
  local implied = {}
  for _, g in ipairs(groups) do
    for _, a in ipairs(g) do
      for _, b in ipairs(g) do
        for k, v in pairs(b.values or {}) do
          if a.values[k] == nil then
            if implied[k] == nil then implied[k] = v elseif implied[k] ~= v then implied[k] = false end
          end
        end
      end
    end
  end
  return implied
end

-- rows, one per configuration (the first of its twins, values filled in), and how many twins
-- were folded into another.
function M.configurations(rows)
  local by_hash, groups = {}, {}
  for _, r in ipairs(rows) do
    local h = r.config_hash
    if h then
      if not by_hash[h] then by_hash[h] = {}; groups[#groups + 1] = by_hash[h] end
      table.insert(by_hash[h], r)
    end
  end
  local implied = implied_values(groups)
  local out, seen, folded = {}, {}, 0
  for _, r in ipairs(rows) do
    if r.config_hash and seen[r.config_hash] then
      folded = folded + 1
    else
      if r.config_hash then seen[r.config_hash] = true end
      local copy, v = {}, {}
      for k, x in pairs(r) do copy[k] = x end
      for k, x in pairs(r.values or {}) do v[k] = x end
      for k, x in pairs(implied) do if x ~= false and v[k] == nil then v[k] = x end end
      copy.values = v
      out[#out + 1] = copy
    end
  end
  return out, folded
end

-- A note when the configurations cover different dates (their figures compare other periods).
local function note_periods(out, rows)
  local periods = {}
  for _, r in ipairs(rows) do if r.values and r.values.dates ~= nil then periods[tostring(r.values.dates)] = true end end
  if next(periods) and next(periods, next(periods)) then
    out.notes[#out.notes + 1] = "the configurations cover different dates: their CAGR, drawdowns and daily P/L compare "
      .. "different periods, so rank them with care (a walk-forward's own report is below when there is one)"
  end
end

function M.analyze(input, opts)
  opts = opts or {}
  local goal_name = opts.goal or M.defaults.goal
  local goal = goals.goals[goal_name]
  if not goal then
    errors.raise("usage", "unknown goal %q (goals: %s)", tostring(goal_name), table.concat(goals.names, ", "))
  end
  local run = input.run or {}
  local rows, folded = M.configurations(input.rows or {})
  local out = new_analysis(run, rows, goal_name, goal, opts)
  if folded > 0 then
    out.notes[#out.notes + 1] = string.format("%d result%s ran a configuration already counted (the same dialog, "
      .. "answered from the cache): each configuration is counted once", folded, folded > 1 and "s" or "")
  end
  local rob = robustness.analyze(rows, out.robustness_settings)
  local daily, recon = daily_of(rows, input.trades)
  local sig, models
  if #rows > 0 then sig, models = significance.test(daily, opts)
  else sig = { method = "none", configurations = 0, days = 0, text = "No completed results yet." } end
  for i, rc in pairs(recon) do
    if rc.ok == false then
      out.notes[#out.notes + 1] = string.format("%s: %s", M.values_text(rows[i].values), rc.message)
    end
  end
  local avoid = avoid_reasons(rows, rob, models, opts)
  local evaluation = goal.evaluate(rows, opts)
  local recs, skipped, all_avoided = recommendations(rows, evaluation, avoid, rob, models, opts)
  out.recommendations = recs
  if all_avoided and #recs > 0 then
    out.notes[#out.notes + 1] = "every configuration is on the avoid list: the recommendation is the goal's ranking regardless"
  end
  for _, i in ipairs(skipped) do
    out.notes[#out.notes + 1] = string.format("passed over %s (score %.1f): %s", M.values_text(rows[i].values),
      evaluation[i].score, table.concat(avoid[i] or {}, "; "))
  end
  if sig and models and recs[1] then add_permutation(sig, recs[1], daily, #rows, opts) end
  out.significance = sig
  lists(out, rows, rob, avoid, evaluation, models)
  for i, pt in ipairs(out.points) do pt.reconciles = recon[i] and recon[i].ok end
  for _, rec in ipairs(out.recommendations) do rec.index = nil end
  if #rows == 0 then out.notes[#out.notes + 1] = "no completed results yet: nothing to recommend" end
  note_periods(out, rows)
  local mod = M.mode_module(run.mode)
  if mod then
    out[run.mode] = mod.section({ run = run, rows = rows, analysis = out, trades = input.full_trades or input.trades,
                                  opts = opts })
  end
  return out
end

-- "delta=15, profit_target=50" (keys sorted).
function M.values_text(v) return values.text(v, ", ") end

return M
