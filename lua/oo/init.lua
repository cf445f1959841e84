-- require("oo"): the run-script API for searches a spec table cannot express. A run script that
-- does not return a spec drives runs itself:
--
--   local oo = require("oo")
--   local r = oo.run { test = URL, parameter = "delta", config = { start = 5, stop = 50, step = 15 } }
--   local best = oo.best(r, "mar")            -- then narrow around it, run again, ...
--
-- Each oo.run is a whole run of the engine, in this very process and Lua state, exactly as
-- `oo-automator run --config` does it (checked first, stored, executed on its browsers,
-- resumable, on the dashboard); it returns when the run is over, with its results:
-- {run_id, status, ok, results = {{task_id, stage, values, metrics}...}}. Ctrl-C during a run
-- stops the script too (a "cancelled" error).
local errors = require("oo.errors")
local objective = require("oo.objective")
local M = {}

M.modes = require("oo.modes")
M.runs_started = 0   -- oo.run calls in this process: a script that returns no spec must have made one
M.dry_run = nil      -- under run --dry-run: the plans of the script's oo.run calls (the first stops it)
M.DRY_STOP = setmetatable({}, { __tostring = function() return "run --dry-run: the script's first run is planned, not run" end })
M.values = require("oo.values")

local function engine()
  local ok, runs = pcall(require, "runs")
  if not ok then
    errors.raise("usage", "oo.run: no run engine in this process: run the script with `oo-automator run SCRIPT.lua`")
  end
  return runs
end

-- The completed results of a run as {task_id, stage, values, metrics}.
function M.results(run_id)
  local out = {}
  for _, r in ipairs(engine().results(run_id)) do
    out[#out + 1] = { task_id = r.task_id, stage = r.stage, values = r.values or r.parameter_values,
                      metrics = r.metrics or {} }
  end
  return out
end

-- Runs a spec (a table as a run script would return); returns its results. opts: browsers,
-- no_cache.
function M.run(spec, opts)
  opts = opts or {}
  if type(spec) ~= "table" then errors.raise("input", "oo.run: expected a spec table") end
  local runs = engine()
  M.runs_started = M.runs_started + 1
  local cli = require("oo.cli")
  local plan = cli.prepare({ spec = spec, where = "oo.run", yes = true, browsers = opts.browsers })
  if M.dry_run then   -- run --dry-run: this run is planned, not run, and the script stops here
    M.dry_run[#M.dry_run + 1] = plan
    error(M.DRY_STOP, 0)
  end
  cli.ready()
  local id = cli.create(plan.key)
  local outcome, why = runs.execute(id, { browsers = opts.browsers, no_cache = opts.no_cache })
  if outcome == "interrupted" then errors.raise("cancelled", "oo.run: run %d was interrupted: %s", id, why or "") end
  local run = runs.get(id)
  local out = { run_id = id, status = run.status, ok = outcome == "completed", results = M.results(id) }
  if not out.ok then require("log").warn(string.format("run %d ended %s%s", id, run.status, why and (": " .. why) or "")) end
  return out
end

-- The best result of a run's results by a metric, a goal or a function(metrics, values): what
-- oo.objective says is best.
function M.best(r, by)
  return objective.get(by, "oo.best").best(r.results or r)
end

return M
