-- oo.cli: the Lua half of `oo-automator run` and of the dashboard's New Run (POST /api/runs):
-- turns what the user gave (a run script, a JSON, YAML or Lua config, --url/--param/--start/
-- --end/--step, the wizard's answers, an API body) into a checked plan before any browser
-- starts; creates the run (its normalized spec and its script's text in the store); prints a
-- finished run's results table and best configuration.
--
-- The command's C side calls, in its one Lua state:
--   prepare(args)  -> plan {key, spec, test, name, mode, count, browsers, summary, estimate}
--                     (or {imperative = true} when the script drove its runs through
--                     require("oo"))
--   ready()        -> credentials and recordings are there (or a typed error)
--   create(key)    -> the new run's id (through the engine's `runs` module)
--   report(run_id) -> the results table's text
--   estimate_spec(arg) -> what a spec would run and how long it would take (POST /api/estimate)
-- Every error is typed (lua/oo/errors.lua): "input" for what the user gave, "usage" for a flag.
local errors = require("oo.errors")
local json = require("json")
local fs = require("fs")
local metrics = require("oo.metrics")
local objective = require("oo.objective")
local parameters = require("oo.parameters")
local spec_mod = require("oo.spec")
local M = {}

local prepared = {}     -- key -> {spec, mode, norm, count, text, path}

local function looks_like_url(s) return type(s) == "string" and s:match("^%a[%w+.-]*://") ~= nil end

-- A JSON (or YAML) config file's spec.
local function load_config(path)
  local text, err = fs.read(path)
  if not text then errors.raise("input", "%s", err) end
  if path:match("%.ya?ml$") then
    local ok, v = pcall(require("yaml").decode, text)
    if not ok then errors.raise("input", "%s: %s", path, errors.message(v)) end
    return v
  end
  local ok, v = pcall(json.decode, text)
  if not ok then errors.raise("input", "%s: not valid JSON: %s", path, errors.message(v)) end
  return v
end

-- The spec the user gave, and where it came from (for messages). A run script is executed here,
-- once; text and path are its own.
local function spec_from(args)
  if args.spec ~= nil then return args.spec, args.where or "spec" end
  if args.script then
    if args.dry_run then require("oo").dry_run = {} end   -- oo.run plans its first run, and stops the script
    local ok, v, text = pcall(spec_mod.load_script, args.script)
    if not ok then error(v, 0) end
    return v, args.script, text, args.script
  end
  if args.config then
    if args.config:match("%.lua$") then
      local v, text = spec_mod.load_script(args.config)
      if v == nil then errors.raise("input", "%s: a run script returns its spec table (see examples/)", args.config) end
      return v, args.config, text, args.config
    end
    return load_config(args.config), args.config
  end
  if args.param then
    local spec = { mode = args.mode or "sweep", parameter = args.param, config = {} }
    for _, k in ipairs({ "start", "stop", "step" }) do
      if args[k] ~= nil then spec.config[k] = args[k] end
    end
    return spec, "--param"
  end
  errors.raise("usage", "run: nothing to run (give SCRIPT.lua, --config FILE, or --url with --param)")
end

-- A whole number for an id (the dashboard's test_id): 1 .. 2^53, never a cast of anything else.
local function id_of(v, where)
  local n = math.type(v) == "integer" and v or (math.type(v) == "float" and v == math.floor(v) and v < 2^53 and
    math.tointeger(v)) or nil
  if not n or n < 1 then
    errors.raise("input", "%s: expected a saved test's id (a whole number from 1), found %s", where,
      type(v) == "number" and string.format("%.17g", v) or type(v))
  end
  return n
end

-- The test a spec names: {url} for a URL, {id, url} for a saved test (by number, id or name).
local function resolve_test(spec, args, where)
  if spec.test_id ~= nil then
    local id = id_of(spec.test_id, "test_id")
    local ok, runs = pcall(require, "runs")
    if not ok then return { id = id } end
    local t = runs.test(id)
    return { id = id, url = t.url }
  end
  local test = args.url or spec.test_url or spec.test or spec.url
  local how = args.url and "--url" or spec.test_url and "test_url" or where
  if test == nil then
    errors.raise("input", "%s: no test: give --url URL (or `test = \"https://optionomega.com/test/<id>\"` in the spec; "
      .. "test_id or test_url over the API)", where)
  end
  if type(test) ~= "string" and type(test) ~= "number" then
    errors.raise("input", "%s: test: expected a URL or a saved test's name, found %s", how, type(test))
  end
  test = tostring(test)
  if looks_like_url(test) or spec.test_url then return { url = spec_mod.test_url(test, how) } end
  local ok, runs = pcall(require, "runs")
  if not ok then return { key = test } end
  local found = runs.find_tests(test)
  if #found == 0 then errors.raise("input", "no saved test matches \"%s\": see `oo-automator tests`", test) end
  if #found > 1 then
    errors.raise("input", "\"%s\" matches %d saved tests: give its number from `oo-automator tests`", test, #found)
  end
  return { id = found[1].id, url = found[1].url }
end

local function check_browsers(b, where)
  if b ~= nil and (math.type(b) ~= "integer" and not (type(b) == "number" and b == math.floor(b)) or b < 1 or b > 8) then
    errors.raise("input", "%s: browsers must be a whole number from 1 to 8", where)
  end
  return b and math.tointeger(b)
end

-- The browsers when neither the command line nor the spec says: OO_BROWSERS, else 2.
function M.default_browsers()
  local b = math.tointeger(tonumber(require("config").get("browsers") or ""))
  if b and b >= 1 and b <= 8 then return b end
  return 2
end

-- The run's browsers: the command line's (flag), the spec's, else the default; checked. A search
-- that proposes one candidate per browser (mode.batched) fixes that number in the spec it
-- stores (spec.batch), so that a resume on other browsers plans the same search.
function M.browsers(spec, flag, where)
  local browsers = check_browsers(flag, "--browsers") or check_browsers(spec.browsers, where) or M.default_browsers()
  local okm, m = pcall(require("oo.modes").get, spec.mode)
  if okm and m.batched and spec.batch == nil then spec.batch = browsers end
  return browsers
end

-- --mode, --max-backtests and --seed over the spec's own (the command line wins).
function M.apply_flags(spec, args)
  if type(spec) ~= "table" then return end
  if args.mode then spec.mode = args.mode end
  if args.max_backtests then spec.max_backtests = math.tointeger(args.max_backtests) or args.max_backtests end
  if args.seed then spec.seed = math.tointeger(args.seed) or args.seed end
end

-- The account's recent backtest times (store_backtest_seconds through the `runs` module), or
-- none where no store is bound (the estimate then says it assumed a default).
local function history()
  local ok, runs = pcall(require, "runs")
  if not ok then return {} end
  return runs.backtest_seconds()
end

-- The estimate ({minutes, seconds, runs, ..., text = "about 38 min: ..."}) of count backtests
-- on browsers, from the store's recent backtest times (or `rows`) and the rate limit.
function M.estimate_of(count, browsers, rows)
  local estimate = require("oo.estimate")
  local rate = tonumber(require("config").get("rate_limit") or "10") or 10
  local e = estimate.compute { backtests = count, browsers = browsers, rate_limit = rate, history = rows or history() }
  e.text = estimate.text(e)
  return e
end

function M.estimate(count, browsers, rows) return M.estimate_of(count, browsers, rows).text end

-- args: {script | config | param (+ start, stop, step) | spec, url, name, browsers, yes, where}.
-- Checks everything a run needs that does not take a browser; returns the plan.
function M.prepare(args)
  local okf, spec, where, text, path = pcall(spec_from, args)
  if not okf then
    local oo = package.loaded["oo"]
    if args.dry_run and type(oo) == "table" and spec == oo.DRY_STOP then return { imperative = true, plans = oo.dry_run } end
    error(spec, 0)
  end
  if spec == nil and args.script then   -- it ran its runs itself, or it forgot its `return`
    local oo = package.loaded["oo"]
    if type(oo) == "table" and (oo.runs_started or 0) > 0 then return { imperative = true } end
    errors.raise("input", "%s: the script returned no spec and ran no run: end it with `return { test = URL, parameter = ..., config = {...} }` (see examples/), or run from it with require(\"oo\").run(spec)", args.script)
  end
  M.apply_flags(spec, args)
  spec = spec_mod.prepare(spec, where)
  if args.name ~= nil then spec.name = spec_mod.check_name(args.name, "--name", "usage") end
  spec_mod.check_name(spec.name, where)
  local test = resolve_test(spec, args, where)
  local browsers = M.browsers(spec, args.browsers, where)
  local mode, norm, count = spec_mod.check(spec, parameters.registry(), where)
  spec_mod.check_count(count, args.yes or spec.yes == true, where, args.yes_how)
  spec.test, spec.test_id, spec.test_url, spec.yes = test.url or test.key, nil, nil, nil
  prepared[#prepared + 1] = { spec = spec, mode = mode, norm = norm, count = count, text = text, path = path,
                              test = test, browsers = browsers }
  return {
    key = #prepared, spec = spec_mod.storable(spec), script = path, test = test.url or test.key, test_id = test.id,
    name = spec.name, mode = norm.mode, count = count, browsers = browsers, summary = M.summary(norm, count),
    estimate = M.estimate(count, browsers),
  }
end

-- run --dry-run: what ready() checks, the recordings raising as there, the credentials only said.
function M.dry_check()
  require("oo.task").check_recordings()
  local config = require("config")
  if not config.get("email") or not config.secret("password") then
    return { note = "OptionOmega credentials are not set yet (OO_EMAIL, OO_PASSWORD): the run itself will need them" }
  end
  return { note = "" }
end

-- What a run needs before a browser starts that is not in its spec: the credentials and the
-- recordings.
function M.ready()
  local config = require("config")
  if not config.get("email") or not config.secret("password") then
    errors.raise("input", "OptionOmega credentials missing: set OO_EMAIL and OO_PASSWORD (environment, ./.env or "
      .. "~/.config/oo-automator/config), or save them on the dashboard's Settings page")
  end
  require("oo.task").check_recordings()
  return true
end

-- Creates the run a prepare() planned: its test, its normalized spec and its script's text go
-- to the store in one transaction. Returns the run's id; the live spec stays with it here.
function M.create(key, browsers)
  local p = prepared[math.tointeger(key) or -1]
  if not p then errors.raise("script", "oo.cli.create: no prepared run %s", tostring(key)) end
  local stored, functions = spec_mod.storable(p.spec)
  local id = require("runs").create({
    test_id = p.test.id, test_url = p.test.url, test_name = p.test_name, name = p.spec.name, mode = p.norm.mode,
    config = { spec = stored, count = p.count, functions = #functions > 0 and functions or nil,
               grid = p.norm.grid_size },   -- grid: a search's full grid, what it saves backtests against
    script_path = p.path,
    -- the spec's or the flag's, else the setting (OO_BROWSERS, the Settings page), as `run` prints it
    script = p.text, browsers = browsers or p.browsers or math.tointeger(tonumber(require("config").get("browsers"))),
  })
  spec_mod.remember(id, { spec = p.spec, mode = p.mode, norm = p.norm, count = p.count })
  return id
end

-- The wizard's answers, planned like any other spec (in the same state: checked once).
function M.wizard(arg)
  local answers = require("oo.wizard").run(arg)
  if answers.cancelled then return answers end
  local plan = M.prepare({ spec = answers.spec, where = "wizard", yes = true })
  prepared[plan.key].test_name = answers.test_name
  return plan
end

function M.summary(norm, count)
  if type(norm.summary) == "string" then return norm.summary end   -- a mode's own (walkforward)
  if norm.mode == "sweep" then
    return string.format("sweep of %s: %d values", norm.parameter, count)
  elseif norm.mode == "grid" then
    local parts = {}
    for _, a in ipairs(norm.axes) do parts[#parts + 1] = string.format("%s (%d)", a.name, #a.values) end
    return string.format("grid of %s: %.0f combinations", table.concat(parts, " x "), count)
  elseif norm.mode == "staged" then
    local parts = {}
    for _, s in ipairs(norm.stages) do parts[#parts + 1] = string.format("%s (%d)", s.parameter, #s.values) end
    return string.format("staged optimization %s: %d backtests", table.concat(parts, " -> "), count)
  end
  local okm, mode = pcall(require("oo.modes").get, norm.mode)
  if okm and mode.describe then return mode.describe(norm, count) end
  return string.format("%s: %.0f backtests", norm.mode, count)
end

-- The dashboard's estimate of a spec (POST /api/estimate): {backtests, summary, minutes,
-- seconds, runs, browsers, rate_limit, per_minute, limited_by, text}. arg: {spec, where}. The
-- spec is checked as POST /api/runs checks it (the same typed input errors, the same words);
-- the spec given is left as it was.
function M.estimate_spec(arg)
  local where = arg.where or "the run spec"
  if type(arg.spec) ~= "table" then errors.raise("input", "%s: expected a JSON object", where) end
  local spec = spec_mod.prepare(json.decode(json.encode(arg.spec)), where)
  local browsers = M.browsers(spec, nil, where)
  local _, norm, count = spec_mod.check(spec, parameters.registry(), where)
  local e = M.estimate_of(count, browsers)
  e.summary = M.summary(norm, count)
  return e
end

-- ---- the results table ----------------------------------------------------------------------

local function fmt_value(v)
  if math.type(v) == "float" and v % 1 == 0 then return string.format("%d", v) end
  return tostring(v)
end

-- The notion of best of a stage (or of a run that is not staged): the objective the engine
-- used, so the CLI stars the row the engine carried forward.
local function stage_objective(norm, spec, s)
  if norm and norm.mode == "staged" and norm.stages[s] then
    local st = norm.stages[s]
    return st.objective, st.objective.label
  end
  local by = spec and spec.optimize_by or metrics.default_optimize_by
  return objective.get(by, "optimize_by"), type(by) == "function" and "custom" or by
end

-- The results grouped by stage; one_table: all in one (a search's stages are its batches).
local function rows_by_stage(results, one_table)
  local by_stage, names_seen, names, stages = {}, {}, {}, {}
  for _, r in ipairs(results) do
    local values = r.values or r.parameter_values or {}
    local stage = one_table and 1 or r.stage
    if not by_stage[stage] then by_stage[stage] = {}; stages[#stages + 1] = stage end
    table.insert(by_stage[stage], { values = values, metrics = r.metrics or {}, task_id = r.task_id })
    for k in pairs(values) do if not names_seen[k] then names_seen[k] = true; names[#names + 1] = k end end
  end
  table.sort(names)
  table.sort(stages)
  return by_stage, names, stages
end

-- One stage's table, the best row marked with '*'.
local function stage_table(out, rows, names, best)
  local columns = metrics.table_columns()
  local header = {}
  for _, n in ipairs(names) do header[#header + 1] = n end
  for _, c in ipairs(columns) do header[#header + 1] = c.label end
  local grid = { header }
  for _, r in ipairs(rows) do
    local line = {}
    for _, n in ipairs(names) do line[#line + 1] = r.values[n] ~= nil and fmt_value(r.values[n]) or "" end
    for _, c in ipairs(columns) do line[#line + 1] = metrics.format(c.key, r.metrics[c.key]) end
    line.best = (r == best)
    grid[#grid + 1] = line
  end
  local widths = {}
  for _, line in ipairs(grid) do
    for i, cell in ipairs(line) do widths[i] = math.max(widths[i] or 0, utf8.len(cell) or #cell) end
  end
  for li, line in ipairs(grid) do
    local cells = {}
    for i, cell in ipairs(line) do
      local pad = string.rep(" ", widths[i] - (utf8.len(cell) or #cell))
      cells[i] = (i <= #names) and (cell .. pad) or (pad .. cell)
    end
    out[#out + 1] = (line.best and "* " or "  ") .. table.concat(cells, "  ")
    if li == 1 then out[#out + 1] = "  " .. string.rep("-", utf8.len(table.concat(cells, "  "))) end
  end
end

-- The best configuration's figures: the metric it was judged by first (when it is one), then
-- the first table metrics of the one list, three in all: "MAR 5.88, P/L $13,376, CAGR 14.2%".
function M.headline(m, by)
  local keys = {}
  if metrics.by_key[by] then keys[1] = by end
  for _, c in ipairs(metrics.table_columns()) do
    if #keys >= 3 then break end
    if c.key ~= by then keys[#keys + 1] = c.key end
  end
  local parts = {}
  for _, k in ipairs(keys) do parts[#parts + 1] = metrics.by_key[k].label .. " " .. metrics.format(k, m[k]) end
  return table.concat(parts, ", ")
end

-- run: the store's run; results: its results rows; live: the run's {spec, mode, norm} (its live
-- spec when it was created or executed in this state). Returns a table per stage, the best of
-- each marked with '*', and the best configuration. A search (a mode with summary) shows its
-- batches as one table, unless its stages are judged apart (per_stage: halving's rungs, the
-- last one's best is the answer), and what it spent against a full grid.
function M.report(run, results, live)
  local norm, spec, mode = live and live.norm, live and live.spec, live and live.mode
  local search = require("oo.modes").is_search(mode)
  local by_stage, names, stages = rows_by_stage(results, search and not mode.per_stage)
  local out = {}
  local best_overall, best_label
  for _, s in ipairs(stages) do
    local rows = by_stage[s]
    local obj, label = stage_objective(norm, spec, s)
    local best = obj.best(rows)
    best_label = label
    if #stages > 1 then
      out[#out + 1] = string.format("stage %d%s", s, norm and norm.stages and norm.stages[s] and (": " .. norm.stages[s].parameter) or "")
    end
    stage_table(out, rows, names, best)
    best_overall = best or best_overall
  end
  if best_overall then
    local parts = {}
    for _, n in ipairs(names) do
      if best_overall.values[n] ~= nil then parts[#parts + 1] = n .. " = " .. fmt_value(best_overall.values[n]) end
    end
    out[#out + 1] = ""
    out[#out + 1] = string.format("Best configuration (by %s): %s  (%s)", tostring(best_label),
      table.concat(parts, ", "), M.headline(best_overall.metrics, best_label))
  end
  if search then out[#out + 1] = (mode.cost or require("oo.search.common").cost)(norm, results, run.counts) end
  return table.concat(out, "\n") .. "\n"
end

-- A mode's own section of the report (lua/oo/analysis/<mode>.lua with analyze and render, e.g.
-- the walk-forward's), or nil when the mode has none.
local function mode_section(run)
  if type(run.mode) ~= "string" then return nil end
  local okm, section = pcall(require, "oo.analysis." .. run.mode)
  if okm and type(section) == "table" and section.analyze and section.render then return section end
  return nil
end

-- The report of a run of this command's store: the results table, then the mode's own section;
-- a walk-forward shows its own report instead of one best of all its stages (its stages mix
-- windows: no one best among them). "" when the run has no result.
function M.report_run(run_id)
  local runs = require("runs")
  local run = runs.get(run_id)
  local results = runs.results(run_id)
  if #results == 0 then return "" end
  local ok, live = pcall(spec_mod.for_run, run_id, run.config, runs.script(run_id), parameters.registry())
  local text = M.report(run, results, ok and live or nil)
  local section = mode_section(run)
  if not section then return text end
  local trades = {}
  for _, id in ipairs(section.needs_trades and section.needs_trades(run, results) or {}) do
    trades[tostring(id)] = trades[tostring(id)] or runs.trades(id)
  end
  local okr, r = pcall(section.analyze, { run = run, results = results, trades = trades })
  if not okr then return text .. "\ncannot make the " .. tostring(run.mode) .. " report: " .. errors.message(r) .. "\n" end
  if not r then return text end
  return section.render(r)
end

return M
