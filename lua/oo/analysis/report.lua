-- oo.analysis.report: the analysis as text for a terminal (`oo-automator analyze`) and as a
-- markdown report to share or hand to an AI assistant (`export --format markdown`).
local metrics = require("oo.metrics")
local calendar = require("oo.analysis.calendar")
local result = require("oo.analysis.result")
local run = require("oo.analysis.run")
local M = {}

local function money(v) return metrics.format_value("money", v) end
local function pct(v) return metrics.format_value("pct", v) end
local values_text = run.values_text

-- A stored string, or nil (missing, JSON null or empty).
local function text(v) return type(v) == "string" and v ~= "" and v or nil end

local function pad(s, n) s = tostring(s); return s .. string.rep(" ", math.max(0, n - #s)) end
local function lpad(s, n) s = tostring(s); return string.rep(" ", math.max(0, n - #s)) .. s end

-- OptionOmega's own figures of a result, on one line.
local function om_line(m)
  local parts = {}
  for _, c in ipairs(metrics.table_columns()) do
    if type(m[c.key]) == "number" then parts[#parts + 1] = c.label .. " " .. metrics.format(c.key, m[c.key]) end
  end
  return table.concat(parts, " · ")
end

local function monthly_grid(a, out)
  local years, by = {}, {}
  for _, m in ipairs(a.monthly or {}) do
    if not by[m.year] then by[m.year] = {}; years[#years + 1] = m.year end
    by[m.year][m.month] = m.pl
  end
  if #years == 0 then return end
  local head = { pad("", 6) }
  for i = 1, 12 do head[#head + 1] = lpad(calendar.month_names[i], 9) end
  head[#head + 1] = lpad("Year", 11)
  out[#out + 1] = "P/L by month of exit:"
  out[#out + 1] = table.concat(head)
  for _, y in ipairs(years) do
    local line, total = { pad(y, 6) }, 0
    for i = 1, 12 do
      local v = by[y][i]
      total = total + (v or 0)
      line[#line + 1] = lpad(v and money(v) or "", 9)
    end
    line[#line + 1] = lpad(money(total), 11)
    out[#out + 1] = table.concat(line)
  end
end

function M.result_text(a)
  local out = {}
  out[#out + 1] = string.format("Result %s%s", tostring(a.result_id),
    next(a.values or {}) and (" · " .. values_text(a.values)) or "")
  out[#out + 1] = "  " .. a.reconciliation.message
  if a.period then
    out[#out + 1] = string.format("  %s to %s (%d trading days, %.2f years), starting capital %s", a.period.first,
      a.period.last, a.period.days, a.period.years, money(a.period.start_capital))
  end
  for _, w in ipairs(a.warnings or {}) do
    if w ~= a.reconciliation.message then out[#out + 1] = "  warning: " .. w end
  end
  out[#out + 1] = ""
  out[#out + 1] = "OptionOmega: " .. om_line(a.metrics)
  out[#out + 1] = ""
  for _, m in ipairs(result.list) do
    out[#out + 1] = string.format("  %s %s   %s", pad(m.label, 22), lpad(result.format(m.key, a.metrics[m.key]), 22), m.help)
  end
  out[#out + 1] = ""
  monthly_grid(a, out)
  out[#out + 1] = ""
  out[#out + 1] = "By weekday of entry:"
  for _, w in ipairs(a.weekday or {}) do
    out[#out + 1] = string.format("  %s %5d trades %12s  %s won", w.name, w.trades, money(w.pl),
      w.win_rate and pct(w.win_rate) or "-")
  end
  out[#out + 1] = "By reason for close:"
  for _, r in ipairs(a.reasons or {}) do
    out[#out + 1] = string.format("  %s %5d trades %12s", pad(r.reason, 20), r.trades, money(r.pl))
  end
  local mc = a.monte_carlo
  if mc then
    out[#out + 1] = ""
    out[#out + 1] = string.format("Monte Carlo: %d paths of %d trades drawn with replacement, seed %d", mc.paths, mc.trades, mc.seed)
    out[#out + 1] = string.format("  %s %12s %12s %12s", pad("", 14), "5th", "50th", "95th")
    out[#out + 1] = string.format("  %s %12s %12s %12s", pad("max drawdown", 14), pct(mc.max_drawdown.p5), pct(mc.max_drawdown.p50), pct(mc.max_drawdown.p95))
    out[#out + 1] = string.format("  %s %12s %12s %12s", pad("final P/L", 14), money(mc.final_pl.p5), money(mc.final_pl.p50), money(mc.final_pl.p95))
    out[#out + 1] = string.format("  %s %12s %12s %12s", pad("CAGR", 14), pct(mc.cagr.p5), pct(mc.cagr.p50), pct(mc.cagr.p95))
    if mc.prob_drawdown_beyond then
      out[#out + 1] = string.format("  a drawdown beyond %s (%s) on %s of the paths",
        pct(mc.prob_drawdown_beyond.threshold), mc.prob_drawdown_beyond.basis, pct(mc.prob_drawdown_beyond.p))
    end
  end
  return table.concat(out, "\n") .. "\n"
end

local function rec_lines(recs, out, indent)
  for _, r in ipairs(recs) do
    out[#out + 1] = string.format("%s%d. %s  score %.1f  (CAGR %s, max DD %s, MAR %s, %s trades)", indent, r.rank,
      values_text(r.values), r.score, pct(r.metrics.cagr), pct(r.metrics.max_drawdown),
      metrics.format_value("ratio", r.metrics.mar), r.metrics.trades and tostring(math.floor(r.metrics.trades)) or "-")
    for _, why in ipairs(r.reasons) do out[#out + 1] = indent .. "     - " .. why end
  end
end

local function settings_text(a)
  local s = a.goal_settings or {}
  local parts = { "drawdown limit " .. pct(s.drawdown_limit) }
  if s.weights then parts[#parts + 1] = string.format("weights returns %s, capital %s", pct(s.weights.returns), pct(s.weights.capital)) end
  return table.concat(parts, ", ")
end

-- The mode's own section as lines, when its module has text().
local function mode_lines(a, out)
  local mod = a.mode and run.mode_module(a.mode)
  if mod and type(mod.text) == "function" and a[a.mode] then
    out[#out + 1] = ""
    for _, l in ipairs(mod.text(a[a.mode]) or {}) do out[#out + 1] = l end
  end
end

function M.run_text(a)
  local out = {}
  out[#out + 1] = string.format("Run %s (%s, %s): %d configurations with results", tostring(a.run_id), tostring(a.mode),
    tostring(a.status), a.configurations)
  out[#out + 1] = string.format("Goal: %s (%s): %s; %s", a.goal, a.goal_label, a.goal_definition, settings_text(a))
  out[#out + 1] = ""
  out[#out + 1] = "Recommendation:"
  rec_lines(a.recommendations, out, "  ")
  for _, n in ipairs(a.notes or {}) do out[#out + 1] = "  note: " .. n end
  out[#out + 1] = ""
  out[#out + 1] = "Pareto front (no other configuration has a higher CAGR with a smaller drawdown):"
  for _, p in ipairs(a.pareto) do
    out[#out + 1] = string.format("  %s  CAGR %s, max DD %s", values_text(p.values), pct(p.cagr), pct(p.max_drawdown))
  end
  out[#out + 1] = ""
  out[#out + 1] = string.format("Avoid (%d):", #a.avoid)
  for _, v in ipairs(a.avoid) do
    out[#out + 1] = string.format("  %s: %s", values_text(v.values), table.concat(v.reasons, "; "))
  end
  local fragile = 0
  for _, r in ipairs(a.robustness) do if r.fragile then fragile = fragile + 1 end end
  out[#out + 1] = ""
  local rs = a.robustness_settings
  out[#out + 1] = string.format("Robustness: %d of %d configurations fragile (neighbours at ±1 step lose more than %.0f%% of %s)",
    fragile, #a.robustness, 100 * rs.fragile_loss, (metrics.by_key[rs.metric] or { label = rs.metric }).label)
  local sig = a.significance
  if sig then
    out[#out + 1] = ""
    out[#out + 1] = "Significance: " .. sig.method
    if sig.p_value then
      out[#out + 1] = string.format("  SPA p-value %.4f (lower %.4f, upper %.4f); White's Reality Check %.4f; permutation %s",
        sig.p_value, sig.spa.p_lower, sig.spa.p_upper, sig.reality_check_p_value,
        sig.permutation_p_value and string.format("%.4f", sig.permutation_p_value) or "-")
    end
    out[#out + 1] = "  " .. sig.text
  end
  mode_lines(a, out)
  return table.concat(out, "\n") .. "\n"
end

-- The markdown report: the run's spec, its results table, the recommendation for every goal
-- with its reasons, the Pareto front, what to avoid, significance, and the caveats.
-- by_goal: goal name -> run analysis (oo.analysis.run), rows: the run's results.
local function md_spec(add, runinfo)
  add(string.format("# %s", text(runinfo.name) or ("Run " .. tostring(runinfo.id))))
  add("")
  add(string.format("Run %s · %s · %s · test %s", tostring(runinfo.id), tostring(runinfo.mode), tostring(runinfo.status),
    text(runinfo.test_name) and (runinfo.test_name .. " (" .. tostring(text(runinfo.test_url)) .. ")") or text(runinfo.test_url) or "-"))
  add("")
  add("## The run's spec")
  add("")
  add("```json")
  local cfg = type(runinfo.config) == "table" and runinfo.config or {}
  add(require("json").encode(type(cfg.spec) == "table" and cfg.spec or cfg, { indent = true }))
  add("```")
end

local function md_results(add, rows)
  add("")
  add("## Results")
  add("")
  local params, seen = {}, {}
  for _, r in ipairs(rows) do
    for k in pairs(r.values or {}) do if not seen[k] then seen[k] = true; params[#params + 1] = k end end
  end
  table.sort(params)
  local cols = metrics.table_columns()
  local head, rule = {}, {}
  for _, p in ipairs(params) do head[#head + 1] = p; rule[#rule + 1] = "---" end
  for _, c in ipairs(cols) do head[#head + 1] = c.label; rule[#rule + 1] = "---:" end
  add("| " .. table.concat(head, " | ") .. " |")
  add("| " .. table.concat(rule, " | ") .. " |")
  for _, r in ipairs(rows) do
    local cells = {}
    for _, p in ipairs(params) do cells[#cells + 1] = tostring(r.values[p] == nil and "" or r.values[p]) end
    for _, c in ipairs(cols) do cells[#cells + 1] = metrics.format(c.key, r.metrics[c.key]) end
    add("| " .. table.concat(cells, " | ") .. " |")
  end
end

local function md_goals(add, by_goal, goal_names)
  add("")
  add("## Recommendation")
  for _, g in ipairs(goal_names) do
    local a = by_goal[g]
    add("")
    add(string.format("### %s (`%s`)", a.goal_label, g))
    add("")
    add(string.format("%s; %s.", (a.goal_definition:gsub("^%l", string.upper)), settings_text(a)))
    add("")
    local lines = {}
    rec_lines(a.recommendations, lines, "")
    for _, l in ipairs(lines) do add(l) end
    for _, n in ipairs(a.notes or {}) do add("") add("Note: " .. n) end
  end
end

local function md_rest(add, a)
  add("")
  add("## Pareto front (CAGR against max drawdown)")
  add("")
  for _, p in ipairs(a.pareto) do add(string.format("- %s: CAGR %s, max drawdown %s", values_text(p.values), pct(p.cagr), pct(p.max_drawdown))) end
  add("")
  add("## Avoid")
  add("")
  if #a.avoid == 0 then add("Nothing stands out to avoid.") end
  for _, v in ipairs(a.avoid) do add(string.format("- %s: %s", values_text(v.values), table.concat(v.reasons, "; "))) end
  add("")
  add("## Is it better than luck?")
  add("")
  if a.significance then
    add(a.significance.text)
    add("")
    add("Method: " .. a.significance.method .. ".")
  end
  local lines = {}
  mode_lines(a, lines)
  for _, l in ipairs(lines) do add(l) end
  add("")
  add("## Caveats")
  add("")
  add("- These are backtests on OptionOmega's historical data: fills, slippage and commissions are as the test configured them, and the future may differ from the past.")
  add(string.format("- %d configurations were tried: the best of many looks better than it is (data snooping). The SPA p-value above accounts for that; a single configuration's own p-value does not.", a.configurations))
  add("- Robustness compares each configuration with its neighbours at ±1 step; a spike (a fragile configuration) is unlikely to repeat.")
  add("- Drawdowns are measured on closed trades by day, as OptionOmega reports them; open positions can dip deeper in between.")
end

function M.markdown(runinfo, rows, by_goal, goal_names)
  local out = {}
  local function add(s) out[#out + 1] = s end
  md_spec(add, runinfo)
  md_results(add, rows)
  md_goals(add, by_goal, goal_names)
  md_rest(add, by_goal.balanced or by_goal[goal_names[1]])
  return table.concat(out, "\n") .. "\n"
end

return M
