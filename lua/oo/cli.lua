-- oo.cli: the Lua half of `oo-automator run`: turns the command line (a run script, a JSON
-- or Lua config, or --url/--param/--start/--end/--step) into a checked run spec, before any
-- browser starts; and prints a finished run's results table and best configuration.
local json = require("json")
local fs = require("fs")
local parameters = require("oo.parameters")
local spec_mod = require("oo.spec")
local site = require("oo.site")
local M = {}

local function load_config(path)
  if path:match("%.lua$") then return spec_mod.from_script(path) end
  local text, err = fs.read(path)
  if not text then error(err, 0) end
  local ok, v = pcall(json.decode, text)
  if not ok then error(string.format("%s: not valid JSON: %s", path, tostring(v)), 0) end
  return v
end

local function looks_like_url(s) return type(s) == "string" and s:match("^%a[%w+.-]*://") ~= nil end

-- args: {script, config, url, param, start, stop, step, name, browsers}
-- Returns {spec (storable), script (absolute path or nil), test (URL or a saved test's key),
-- test_is_url, name, mode, count, browsers, summary}.
function M.prepare(args)
  local spec, where, script
  if args.spec then
    where, spec = "wizard", args.spec
  elseif args.script then
    script, where = args.script, args.script
    spec = spec_mod.from_script(args.script, true)
    if spec == nil then return { imperative = true } end   -- it drove its runs through require("oo")
  elseif args.config then
    where = args.config
    spec = load_config(args.config)
    if args.config:match("%.lua$") then script = args.config end
  elseif args.param then
    where = "--param"
    spec = { mode = args.mode or "sweep", parameter = args.param, config = {} }
    if args.start ~= nil then spec.config.start = args.start end
    if args.stop ~= nil then spec.config.stop = args.stop end
    if args.step ~= nil then spec.config.step = args.step end
  else
    error("run: nothing to run (give SCRIPT.lua, --config FILE, or --url with --param)", 0)
  end
  M.apply_flags(spec, args)
  spec = spec_mod.prepare(spec, where)
  if args.url then spec.test = args.url end
  if args.name then spec.name = args.name end
  local test = spec.test or spec.url
  if test == nil then
    error(where .. ": no test: give --url URL (or `test = \"https://optionomega.com/test/<id>\"` in the spec)", 0)
  end
  if looks_like_url(test) then spec_mod.test_url(test, args.url and "--url" or where) end
  local registry, errors = parameters.discover()
  for _, e in ipairs(errors) do io.stderr:write("warning: parameter script left out: ", e, "\n") end
  local browsers = M.browsers(spec, args.browsers, where)
  local okc, mode, norm, count = pcall(spec_mod.check, spec, registry, where)
  if not okc then
    local msg = tostring(mode)
    if not msg:find(where, 1, true) then msg = where .. ": " .. msg end
    error(msg, 0)
  end
  local config = require("config")
  if not config.get("email") or not config.secret("password") then
    error("OptionOmega credentials missing: set OO_EMAIL and OO_PASSWORD (environment, ./.env or ~/.config/oo-automator/config)", 0)
  end
  require("oo.task").check_recordings()
  return {
    spec = spec_mod.storable(spec), script = script, test = tostring(test), test_is_url = looks_like_url(test),
    name = spec.name, mode = norm.mode, count = count, browsers = browsers,
    summary = M.summary(norm, count), estimate = M.estimate(count, browsers, args.history),
    grid = norm.grid_size,
  }
end

-- The dashboard's estimate of a spec (POST /api/estimate): {backtests, summary, minutes,
-- seconds, runs, browsers, rate_limit, per_minute, limited_by, text}. arg: {spec, history}.
function M.estimate_spec(arg)
  local spec = spec_mod.prepare(json.decode(json.encode(arg.spec)), "spec")
  local browsers = M.browsers(spec, nil, "spec")
  local _, norm, count = spec_mod.check(spec, parameters.discover(), "spec")
  local e = M.estimate_of(count, browsers, arg.history)
  e.summary = M.summary(norm, count)
  return e
end

-- --mode, --max-backtests and --seed over the spec's own
function M.apply_flags(spec, args)
  if type(spec) ~= "table" then return end
  if args.mode then spec.mode = args.mode end
  if args.max_backtests then spec.max_backtests = math.tointeger(args.max_backtests) or args.max_backtests end
  if args.seed then spec.seed = math.tointeger(args.seed) or args.seed end
end

-- The run's browsers: the command line's, the spec's, else the default; checked. A search that
-- proposes one candidate per browser (mode.batched) fixes that number in the spec it stores, so
-- that a resume on other browsers plans the same search.
function M.browsers(spec, flag, where)
  local browsers = flag or spec.browsers
  if browsers ~= nil and (math.type(browsers) ~= "integer" or browsers < 1 or browsers > 8) then
    error(where .. ": browsers must be a whole number from 1 to 8", 0)
  end
  browsers = browsers or M.default_browsers()
  local okm, m = pcall(require("oo.modes").get, spec.mode)
  if okm and m.batched and spec.batch == nil then spec.batch = browsers end
  return browsers
end

-- The browsers when neither the command line nor the spec says: OO_BROWSERS, else 2.
function M.default_browsers()
  local b = math.tointeger(tonumber(require("config").get("browsers") or ""))
  if b and b >= 1 and b <= 8 then return b end
  return 2
end

-- The estimate ({minutes, seconds, runs, ..., text = "about 38 min: ..."}) of count backtests
-- on browsers, from the store's recent backtest times and the rate limit.
function M.estimate_of(count, browsers, history)
  local estimate = require("oo.estimate")
  local rate = tonumber(require("config").get("rate_limit") or "10") or 10
  local e = estimate.compute { backtests = count, browsers = browsers, rate_limit = rate, history = history }
  e.text = estimate.text(e)
  return e
end

function M.estimate(count, browsers, history) return M.estimate_of(count, browsers, history).text end

function M.summary(norm, count)
  if type(norm.summary) == "string" then return norm.summary end   -- a mode's own (walkforward)
  if norm.mode == "sweep" then
    return string.format("sweep of %s: %d values", norm.parameter, count)
  elseif norm.mode == "grid" then
    local parts = {}
    for _, a in ipairs(norm.axes) do parts[#parts + 1] = string.format("%s (%d)", a.name, #a.values) end
    return string.format("grid of %s: %d combinations", table.concat(parts, " x "), count)
  elseif norm.mode == "staged" then
    local parts = {}
    for _, s in ipairs(norm.stages) do parts[#parts + 1] = string.format("%s (%d)", s.parameter, #s.values) end
    return string.format("staged optimization %s: %d backtests", table.concat(parts, " -> "), count)
  end
  local okm, mode = pcall(require("oo.modes").get, norm.mode)
  if okm and mode.describe then return mode.describe(norm, count) end
  return string.format("%s: %d backtests", norm.mode, count)
end

-- ---- the results table ----------------------------------------------------------------------

local columns = {
  { "pl", "P/L", "money" }, { "cagr", "CAGR", "pct" }, { "max_drawdown", "Max DD", "pct" },
  { "mar", "MAR", "ratio" }, { "win_percentage", "Win %", "pct" }, { "capture_rate", "Capture", "pct" },
  { "trades", "Trades", "int" },
}

local function fmt(v, kind)
  if type(v) ~= "number" then return "-" end
  if kind == "money" then
    local s = string.format("%.0f", math.abs(v)):reverse():gsub("(%d%d%d)", "%1,"):reverse():gsub("^,", "")
    return (v < 0 and "-$" or "$") .. s
  elseif kind == "pct" then return string.format("%.1f%%", v * 100)
  elseif kind == "ratio" then return string.format("%.2f", v)
  else return string.format("%d", math.floor(v + 0.5)) end
end

local function fmt_value(v)
  if math.type(v) == "float" and v % 1 == 0 then return string.format("%d", v) end
  return tostring(v)
end

-- run: the store's run {id, config = {spec}, ...}; results: store_run_results rows.
-- Returns the text of a table per stage, the best of each marked with '*'.
function M.report(run, results)
  local spec = spec_mod.from_stored(run.config)
  local registry = parameters.discover()
  local okc, mode, norm = pcall(spec_mod.check, spec, registry)
  -- a search's stages are its batches: one table, one best over all of them
  local search = okc and mode.summary ~= nil and not mode.per_stage
  local by_stage, names_seen, names = {}, {}, {}
  for _, r in ipairs(results) do
    local values = r.values or r.parameter_values or {}
    local stage = search and 1 or r.stage
    by_stage[stage] = by_stage[stage] or {}
    table.insert(by_stage[stage], { values = values, metrics = r.metrics or {}, task_id = r.task_id })
    for k in pairs(values) do if not names_seen[k] then names_seen[k] = true; names[#names + 1] = k end end
  end
  table.sort(names)
  local out = {}
  local stages = {}
  for s in pairs(by_stage) do stages[#stages + 1] = s end
  table.sort(stages)
  local best_overall, best_label
  for _, s in ipairs(stages) do
    local rows = by_stage[s]
    local best
    if okc and norm.mode == "staged" and norm.stages[s] then
      best = mode.best(norm.stages[s], rows)
      best_label = norm.stages[s].optimize_by
    elseif okc and norm.obj then
      best, best_label = norm.obj.best(rows), norm.obj.label
    else
      local staged = require("modes.staged")
      best = staged.best({ score = staged.metrics[spec.optimize_by or "mar"] or staged.metrics.mar }, rows)
      best_label = spec.optimize_by or "mar"
    end
    if #stages > 1 then
      out[#out + 1] = string.format("stage %d%s", s, okc and norm.stages and norm.stages[s] and (": " .. norm.stages[s].parameter) or "")
    end
    local header = {}
    for _, n in ipairs(names) do header[#header + 1] = n end
    for _, c in ipairs(columns) do header[#header + 1] = c[2] end
    local grid = { header }
    for _, r in ipairs(rows) do
      local line = {}
      for _, n in ipairs(names) do line[#line + 1] = r.values[n] ~= nil and fmt_value(r.values[n]) or "" end
      for _, c in ipairs(columns) do line[#line + 1] = fmt(r.metrics[c[1]], c[3]) end
      line.best = (r == best)
      grid[#grid + 1] = line
    end
    local widths = {}
    for _, line in ipairs(grid) do
      for i, cell in ipairs(line) do widths[i] = math.max(widths[i] or 0, #cell) end
    end
    for li, line in ipairs(grid) do
      local cells = {}
      for i, cell in ipairs(line) do
        cells[i] = (i <= #names) and (cell .. string.rep(" ", widths[i] - #cell)) or (string.rep(" ", widths[i] - #cell) .. cell)
      end
      out[#out + 1] = (line.best and "* " or "  ") .. table.concat(cells, "  ")
      if li == 1 then out[#out + 1] = "  " .. string.rep("-", #table.concat(cells, "  ")) end
    end
    best_overall = best or best_overall
  end
  if best_overall then
    local parts = {}
    for _, n in ipairs(names) do
      if best_overall.values[n] ~= nil then parts[#parts + 1] = n .. " = " .. fmt_value(best_overall.values[n]) end
    end
    out[#out + 1] = ""
    out[#out + 1] = string.format("Best configuration (by %s): %s  (P/L %s, CAGR %s, MAR %s)", tostring(best_label),
      table.concat(parts, ", "), fmt(best_overall.metrics.pl, "money"), fmt(best_overall.metrics.cagr, "pct"),
      fmt(best_overall.metrics.mar, "ratio"))
  end
  if okc and mode.summary then out[#out + 1] = (mode.cost or require("oo.search.common").cost)(norm, results, run.counts) end
  return table.concat(out, "\n") .. "\n"
end

-- A mode's own section of the report (lua/oo/analysis/<mode>.lua with analyze and render, e.g.
-- the walk-forward's), or nil when the mode has none.
local function mode_section(run)
  local ok, spec = pcall(spec_mod.from_stored, run.config)
  if not ok or type(spec) ~= "table" or type(spec.mode) ~= "string" then return nil end
  local okm, section = pcall(require, "oo.analysis." .. spec.mode)
  if okm and type(section) == "table" and section.analyze and section.render then return section end
  return nil
end

-- For the C side: the result ids whose trades the report reads ({} when none).
function M.report_trades(arg)
  local section = mode_section(arg.run)
  local ids = section and section.needs_trades and section.needs_trades(arg.run, arg.results) or {}
  return require("json").array(ids)
end

-- For the C side: {run = ..., results = ..., trades = {["<result id>"] = rows}} -> the report's
-- text: the results table, then the mode's own section. A walk-forward shows its own report
-- instead of one best of all its stages (its stages mix windows: no one best among them).
function M.report_json(arg)
  local section = mode_section(arg.run)
  if not section then return M.report(arg.run, arg.results) end
  local ok, r = pcall(section.analyze, { run = arg.run, results = arg.results, trades = arg.trades or {} })
  if not ok then
    return M.report(arg.run, arg.results) .. "\ncannot make the " .. tostring(arg.run.mode or "mode") .. " report: " .. tostring(r) .. "\n"
  end
  if not r then return M.report(arg.run, arg.results) end
  return section.render(r)
end

return M
