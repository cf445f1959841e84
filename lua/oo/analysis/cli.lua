-- oo.analysis.cli: what `oo-automator analyze`, `oo-automator export --format tradeblocks |
-- markdown` and the dashboard's analysis endpoints call (engine/cli/analyze.c). Each returns
-- {text = ...} or {error = {code, msg}} instead of raising, so the C side maps the code to an
-- exit status or an HTTP status (input/usage: 2 / 400; anything else: 1 / 500).
local json = require("json")
local errors = require("oo.errors")
local analysis = require("oo.analysis")
local goals = require("oo.analysis.goals")
local report = require("oo.analysis.report")
local tradelog = require("oo.tradelog")
local values = require("oo.values")
local M = {}

-- Lists that must stay lists in JSON when they are empty.
local LISTS = { recommendations = true, pareto = true, avoid = true, robustness = true, points = true, notes = true,
                reasons = true, warnings = true, monthly = true, yearly = true, weekday = true, histogram = true,
                equity = true, drawdown = true, bands = true, metric_list = true, goals = true,
                windows = true, stability = true }

local function shape(t, depth)
  depth = depth or 0
  if depth > 8 then return t end
  for k, v in pairs(t) do
    if type(v) == "table" then
      if LISTS[k] and next(v) == nil then t[k] = json.array(v) else shape(v, depth + 1) end
    end
  end
  return t
end

M.shape = shape

-- The CLI's flags (percentages) as the analysis' options (fractions).
local function options(args)
  local function frac(v) return v and v / 100 or nil end
  return { goal = args.goal, seed = args.seed, mc_paths = args.mc_paths, top = args.top, block = args.block,
           drawdown_limit = frac(args.drawdown_limit), fragile_loss = frac(args.fragile_loss),
           risk_free = frac(args.risk_free), mc_threshold = args.mc_threshold and -args.mc_threshold / 100 or nil }
end

-- The analysis as a table ready for JSON: kind "run" or "result".
function M.answer(kind, id, args)
  local runs = require("runs")
  args = args or {}
  if args.goal ~= nil and not goals.goals[args.goal] then
    errors.raise("usage", "unknown goal %q (goals: %s)", tostring(args.goal), table.concat(goals.names, ", "))
  end
  local a
  if kind == "run" then a = analysis.run(runs, id, options(args))
  elseif kind == "result" then a = analysis.result(runs, id, options(args))
  else errors.raise("usage", "analysis: kind must be run or result, found %s", tostring(kind)) end
  return shape(a, 0)
end

local function protect(fn, ...)
  local ok, v = pcall(fn, ...)
  if ok then return v end
  return { error = { code = errors.code(v), msg = errors.message(v) } }
end

-- {text}: the JSON (args.json) or the text report.
function M.analyze(args)
  return protect(function()
    local kind, id = args.run_id and "run" or "result", args.run_id or args.result_id
    local a = M.answer(kind, id, args)
    if args.json then return { text = json.encode(a, { indent = true }) .. "\n" } end
    return { text = kind == "run" and report.run_text(a) or report.result_text(a) }
  end)
end

-- {text}: the compact JSON the dashboard serves; args {kind = "run" | "result", id, goal}.
function M.json(args)
  return protect(function() return { text = json.encode(M.answer(args.kind, args.id, args)) } end)
end

-- Lets go of the trades the run analysis remembers (the dashboard's state lives on: after a
-- failure, it starts afresh).
function M.forget()
  analysis.memo, analysis.memo_count = {}, 0
end

-- A folder name for a result's values: "delta=15_profit_target=50" (safe characters only).
function M.folder_name(vals, result_id)
  local name = values.text(vals, "_"):gsub("[^%w%.%-_=]", "-")
  if name == "" then name = "result-" .. tostring(result_id) end
  return name
end

-- export --format tradeblocks: one folder per result named by its values, each with
-- tradelog.csv in OptionOmega's trade-log format: its columns in OptionOmega's order
-- (oo.tradelog.header, site knowledge), written by the engine's one CSV writer.
local function tradeblocks(runs, run_id, dir)
  local fs = require("fs")
  local _, rows = analysis.load_run(runs, run_id)
  if #rows == 0 then errors.raise("input", "run %d has no completed results to export", run_id) end
  local ok, msg = fs.mkdir(dir)
  if not ok then errors.raise("io", "%s", msg) end
  local used, n = {}, 0
  for _, r in ipairs(rows) do
    local name = M.folder_name(r.values, r.result_id)
    if used[name] then name = name .. "_result-" .. r.result_id end
    used[name] = true
    local csv = runs.trades_csv(analysis.trade_source(runs, r.result_id, r.cached_from), tradelog.header)
    local path = dir .. "/" .. name
    ok, msg = fs.mkdir(path)
    if not ok then errors.raise("io", "%s", msg) end
    ok, msg = fs.write(path .. "/tradelog.csv", csv)
    if not ok then errors.raise("io", "%s", msg) end
    n = n + 1
  end
  return string.format("exported %d trade logs of run %d to %s (one folder per result, each with tradelog.csv)\n", n, run_id, dir)
end

local function markdown(runs, run_id, args)
  local runinfo, rows = analysis.load_run(runs, run_id)
  return report.markdown(runinfo, rows, analysis.run_goals(runs, run_id, options(args), goals.names), goals.names)
end

-- {text} for `export --format tradeblocks|markdown`: what to print (tradeblocks) or the report
-- (markdown, which the C side writes to --output).
function M.export(args)
  return protect(function()
    local runs = require("runs")
    if args.format == "tradeblocks" then return { text = tradeblocks(runs, args.run_id, args.output), written = true } end
    if args.format == "markdown" then return { text = markdown(runs, args.run_id, args) } end
    errors.raise("usage", "export: unknown format %s", tostring(args.format))
  end)
end

return M
