-- The runner's pieces that need no browser: throttling, the result-cache fingerprint, the
-- results merge (API exact, page shown), spec handling ("end" and "stop", storable copies).
local check = require("check")
local runner = require("oo.runner")
local hash = require("oo.hash")
local results = require("oo.results")
local spec = require("oo.spec")

-- throttling: 3 failures of the last 6 drop to one browser and slow down; 5 successes restore
local events = {}
local q = { event = function(_, kind, p) events[#events + 1] = { kind, p } end }
local th = runner.throttle(3, q)
check.eq(th.active, 3)
th.record(true); th.record(false); th.record(false)
check.eq(th.active, 3, "two failures are not enough")
th.record(false, true)
check.eq(th.active, 3, "a permanent failure (the task's own fault) does not slow the run")
th.record(false)
check.eq(th.active, 1, "three of the last six failed")
check.eq(th.slow, 2)
check.eq(events[1][1], "throttle")
for _ = 1, 4 do th.record(true) end
check.eq(th.active, 1, "four successes are not enough")
th.record(true)
check.eq(th.active, 3, "five in a row restore")
check.eq(th.slow, 1)

-- an outage: pauses of 5, 10, 20, 40, 60, 60 s; over once it has lasted the wait; anything the
-- site answers ends it (a later outage counts from its own start)
local now = 0
local o = runner.outage(2, 7, function() return now end)
local pauses = {}
for i = 1, 6 do pauses[i] = o.hit("net::ERR_CONNECTION_REFUSED"); now = now + 10000 end
check.eq(table.concat(pauses, " "), "5000 10000 20000 40000 60000 60000")
check.eq(o.over, nil, "50 s into a 2-minute wait")
o.answered()
now = now + 60000
o.hit("x"); now = now + 119999; o.hit("x")
check.eq(o.over, nil, "a new outage counts from its own start")
now = now + 1; o.hit("no answer in 10 s\nmore")
check.ok(o.over and o.over:find("OptionOmega could not be reached for 2 min (no answer in 10 s): nothing is lost; " ..
  "`oo-automator resume --run-id 7` continues", 1, true), tostring(o.over))
check.ok(runner.outage(0, 1, function() return 5 end).hit("x") and true, "a wait of 0")
local zero = runner.outage(0, 1, function() return 5 end)
zero.hit("x")
check.ok(zero.over ~= nil, "OO_OUTAGE_WAIT=0: over at the first")

-- the cache key: stable, 32 hex digits, sensitive to any change
local a = hash.hex("https://x/test/1\n[[\"input\",\"Profit Target\",\"50\"]]")
check.eq(#a, 32)
check.ok(a:match("^%x+$"), a)
check.eq(a, hash.hex("https://x/test/1\n[[\"input\",\"Profit Target\",\"50\"]]"))
check.ok(a ~= hash.hex("https://x/test/1\n[[\"input\",\"Profit Target\",\"51\"]]"), "one field changes the key")

-- results: the API's exact numbers win; a page that disagrees beyond its rounding is reported
local shown = results.from_pairs({ { "P/L", "$13,376" }, { "CAGR", "14.2%" }, { "MAR Ratio", "1.75" } })
local api = results.from_api({ pl = 13376.4, cagr = 0.14213, mar = 1.7534, maxDrawdown = -0.081 })
local m, mismatch = results.merge(shown, api)
check.eq(m.pl, 13376.4)
check.eq(m.max_drawdown, -0.081)
check.eq(mismatch, nil)
local _, bad = results.merge(results.from_pairs({ { "P/L", "$9,000" } }), api)
check.ok(bad and bad.pl, "a wrong page value is noticed")
check.eq(results.merge(shown, nil).pl, 13376, "no API answer: the page's numbers")

-- specs: "end" (the design's JSON) becomes "stop"; functions are stored as "custom"
local s = spec.prepare({ parameter = "delta", config = { start = 5, ["end"] = 10, step = 5 } })
check.eq(s.mode, "sweep")
check.eq(s.config.stop, 10)
local stored = spec.storable({ mode = "staged", stages = { { parameter = "delta", optimize_by = function() return 1 end } } })
check.eq(stored.stages[1].optimize_by, "custom")
-- a spec that says no mode and has nothing to infer one from: every mode is named, searches too
check.err(function() spec.prepare({ test = "x" }, "my.json") end, "my.json: mode missing", "grid, staged, refine, optimize, halving")
check.err(function() spec.test_url("https://example.com/strategies", "--url") end, "not an OptionOmega test URL")
check.eq(spec.test_url("https://optionomega.com/test/abc", "x"), "https://optionomega.com/test/abc")

-- a stored run's spec is what was stored (with --mode, --max-backtests, a search's batch); the
-- stored script's text is executed only for the functions the store could not hold
local text = 'return { mode = "grid", parameters = { delta = { start = 5, stop = 9 } },\n' ..
             '  optimize_by = function(m) return m.cagr end }\n'
local function stored_as_run()   -- as `run --mode optimize --max-backtests 12` on 3 browsers stored it
  local saved, functions = spec.storable(spec.run_text(text, "search_spec.lua"))
  saved.mode, saved.max_backtests, saved.batch = "optimize", 12, 3
  return { spec = saved, functions = functions, script = "search_spec.lua" }
end
local again = spec.from_stored(stored_as_run(), text, 1)
check.eq(again.mode, "optimize", "the stored mode, not the script's")
check.eq(again.max_backtests, 12); check.eq(again.batch, 3)
check.eq(type(again.optimize_by), "function", "the script's function back in its place")
check.eq(again.optimize_by({ cagr = 0.25 }), 0.25)
-- no script text: the function cannot come back, and the run is not run with a name in its place
local no_text = stored_as_run()
no_text.script = nil
check.err(function() spec.from_stored(no_text, nil, 2) end, "optimize_by was a Lua function", "gives none now")

-- the gate: one backtest at a time per browser. A second tab waits and gets its turn at the
-- release; a tab still waiting when the run stops gives up (its task goes back untouched).
local sched = require("sched")
local stop = nil
local g = runner.gate({ stopping = function() return stop end })
local log, done = {}, sched.event()
check.ok(g.acquire(), "a free gate is taken")
sched.spawn(function()
  local ok = g.acquire()
  log[#log + 1] = ok and "second tab runs" or "second tab stopped"
  if ok then g.release() end
  done:notify()
end)
log[#log + 1] = "first tab runs"
g.release()
done:wait(5000)
check.eq(table.concat(log, ", "), "first tab runs, second tab runs")
check.eq(g.holder, nil, "released")
check.ok(g.acquire())
sched.spawn(function()
  log[#log + 1] = g.acquire() and "third tab runs" or "third tab stopped"
  done:notify()
end)
stop = "paused"
done:wait(5000)
check.eq(log[#log], "third tab stopped", "a stop ends the wait")
g.release()

-- tabs per browser: OO_PIPELINE, by default as many as the machine has cores for
local config = require("config")
local v = config.get("pipeline")
if v == nil or v == "auto" then
  check.eq(runner.lanes(2), config.cpus() >= 5 and 2 or 1)
  check.eq(runner.lanes(1), config.cpus() >= 3 and 2 or 1)
else
  check.eq(runner.lanes(2), tonumber(v))
end
check.ok(config.cpus() >= 1)

-- one more round after the queue drains: only failed tasks whose every failure was passing
-- trouble, and only once each (retries 0); a stop during the cool-down leaves them failed
local retried, ev = nil, {}
local fq = {
  failed_tasks = function() return {
    { id = 1, retries = 0, types = "site_error,timing" },          -- passing trouble: retried
    { id = 2, retries = 0, types = "site_error,permanent" },       -- a permanent failure: not
    { id = 3, retries = 1, types = "modal" },                      -- had its round already: not
    { id = 4, retries = 0, types = "config_rejected" },            -- the site refuses it: not
    { id = 5, retries = 0, types = "browser,session,rate_limited" },
    { id = 6, retries = 0, types = nil },                          -- no failure recorded: not
  } end,
  retry = function(_, ids) retried = ids; return #ids end,
  stopping = function() return stop end,
  event = function(_, kind, p) ev[#ev + 1] = { kind, p } end,
}
stop = nil
check.eq(runner.retry_round(fq, 0), true, "a round began")
check.eq(table.concat(retried, ","), "1,5")
check.eq(ev[#ev][1], "retry_round")
check.eq(ev[#ev][2].cooldown_s, 0)
retried = nil
stop = "paused"
check.eq(runner.retry_round(fq, 30), true, "a stop during the cool-down")
check.eq(retried, nil, "nothing was retried: the tasks stay failed for the next execution")
stop = nil
fq.failed_tasks = function() return { { id = 2, retries = 0, types = "permanent" } } end
check.eq(runner.retry_round(fq, 0), false, "nothing to retry: the run goes on")

-- failure classes: tests/lua/test_failures.lua

check.done()
