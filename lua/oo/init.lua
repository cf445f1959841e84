-- require("oo"): the run-script API for searches a spec table cannot express. A run script that
-- does not return a spec drives runs itself:
--
--   local oo = require("oo")
--   local r = oo.run { test = URL, parameter = "delta", config = { start = 5, stop = 50, step = 15 } }
--   local best = oo.best(r, "mar")            -- then narrow around it, run again, ...
--
-- Each oo.run is a whole run of the engine, exactly as `oo-automator run --config` does it
-- (checked first, stored, executed on its browsers, resumable, on the dashboard); it returns
-- when the run is over, with its results: {run_id, status, results = {{values, metrics}...}}.
local json = require("json")
local log = require("log")
local M = {}

M.modes = require("oo.modes")
M.values = require("oo.values")

local function exe()
  local e = os.getenv("OO_AUTOMATOR")
  if not e or e == "" then error("oo.run: OO_AUTOMATOR is not set (run the script with `oo-automator run`)", 2) end
  return e
end

local function quote(s) return "'" .. tostring(s):gsub("'", "'\\''") .. "'" end

-- Runs a spec (a table as a run script would return); returns its results.
function M.run(spec, opts)
  opts = opts or {}
  if type(spec) ~= "table" then error("oo.run: expected a spec table", 2) end
  local file = os.tmpname()
  local f = assert(io.open(file, "w"))
  f:write(json.encode(require("oo.spec").storable(spec)))
  f:close()
  local cmd = { quote(exe()), "run", "--config", quote(file), "--yes" }
  if opts.browsers then cmd[#cmd + 1] = "--browsers " .. math.tointeger(opts.browsers) end
  if opts.no_cache then cmd[#cmd + 1] = "--no-cache" end
  local p = assert(io.popen(table.concat(cmd, " ") .. " 2>&1", "r"))
  local run_id
  for line in p:lines() do
    io.stderr:write(line, "\n")
    run_id = run_id or tonumber(line:match("^run (%d+):"))
  end
  local ok, _, code = p:close()
  os.remove(file)
  if not run_id then error(string.format("oo.run: the run did not start (exit %s)", tostring(code)), 2) end
  local ep = assert(io.popen(table.concat({ quote(exe()), "export", "--run-id", run_id, "--format", "json", "--output", "-" }, " "), "r"))
  local text = ep:read("a")
  ep:close()
  local run = json.decode(text)
  local out = { run_id = run_id, status = run.status, ok = ok, results = {} }
  for _, t in ipairs(run.tasks or {}) do
    if t.status == "completed" then
      local m = {}
      for _, k in ipairs({ "pl", "cagr", "max_drawdown", "win_percentage", "capture_rate", "mar", "total_premium",
                           "trades", "winners", "avg_per_trade" }) do m[k] = t[k] end
      out.results[#out.results + 1] = { values = t.values or t.parameter_values, metrics = m }
    end
  end
  if not ok then log.warn(string.format("run %d ended %s", run_id, tostring(run.status))) end
  return out
end

-- The best result of a run's results by a metric name or a function(metrics, values).
function M.best(r, by)
  local staged = require("modes.staged")
  local score = type(by) == "function" and by or staged.metrics[by or "mar"]
  if not score then error("oo.best: unknown metric " .. tostring(by), 2) end
  return staged.best({ score = score }, r.results or r)
end

return M
