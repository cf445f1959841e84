-- oo.runner: executes a run the engine (engine/run) hands over as the queue object `q`. The
-- queue is durable (SQLite); this file decides how the work is shared out: one browser, N
-- workers (as many backtests at once as the run has browsers), each working with OO_PIPELINE
-- tabs (lanes: browser contexts, each logged in once, as coroutines) so that the next task is
-- ready when a backtest ends, and a coordinator that plans stage after stage from the run's
-- mode (lua/modes/) as the previous one drains.
--
-- What one task does on OptionOmega is lua/oo/task.lua; how a failure is classified and
-- recovered from is lua/oo/recovery.lua.
local browser = require("browser")
local sched = require("sched")
local log = require("log")
local objective = require("oo.objective")
local parameters = require("oo.parameters")
local spec_mod = require("oo.spec")
local task = require("oo.task")
local recovery = require("oo.recovery")
local errors = require("oo.errors")

local M = {}

-- The stages done, as a mode's plan() wants them: done[i] = {index = i, results = {{task_id,
-- values, metrics, cached}, ...}, tasks = {{task_id, values, status}, ...}} for the stages
-- 1..upto, each in stored order. `cached`: the result came from the cache (no backtest run);
-- `tasks` holds every task, those that failed for good too (the searches count them).
function M.stages_done(q, upto)
  local done = {}
  for i = 1, upto do done[i] = { index = i, results = {}, tasks = {} } end
  for _, r in ipairs(q:results()) do
    local d = done[r.stage]
    if d then
      d.results[#d.results + 1] = { task_id = r.task_id, values = r.values or r.parameter_values,
                                    metrics = r.metrics, cached = type(r.cached_from) == "number" }
    end
  end
  for _, t in ipairs(q.tasks and q:tasks() or {}) do
    local d = done[t.stage]
    if d then d.tasks[#d.tasks + 1] = { task_id = t.id, values = t.values, status = t.status } end
  end
  return done
end

local function describe(values)
  local keys = {}
  for k in pairs(values or {}) do keys[#keys + 1] = k end
  table.sort(keys)
  local parts = {}
  for _, k in ipairs(keys) do parts[#parts + 1] = k .. "=" .. tostring(values[k]) end
  return table.concat(parts, " ")
end
M.describe = describe

-- The shared browser: launched once, relaunched when it died (one relaunch at a time).
local function browser_keeper(q)
  local k = { b = nil, launching = false, ready = sched.event(), launches = 0 }
  function k.get()
    while k.launching do k.ready:wait(60000) end
    if k.b and k.b:alive() then return k.b end
    k.launching = true
    local ok, b = pcall(browser.launch, { headless = q.options.headless })
    k.launching = false
    k.ready:notify()
    if not ok then error(b, 0) end
    if k.b then log.warn("Chromium was gone: a new one is running") end
    k.b, k.launches = b, k.launches + 1
    return b
  end
  function k.close() if k.b then pcall(k.b.close, k.b) end end
  return k
end

-- A browser's turn to run a backtest: its tabs (lanes) prepare tasks side by side, but only the
-- one holding the gate has a backtest running. acquire() -> false when the run stops meanwhile.
function M.gate(q)
  local g = { holder = nil, freed = sched.event(), used = false }
  local function me() return coroutine.running() end
  function g.acquire()
    while g.holder do
      if q:stopping() then return false end
      g.freed:wait(1000)
    end
    if q:stopping() then return false end
    g.holder, g.used = me(), true
    g.freed:notify()
    return true
  end
  -- A browser's second and later tabs start once its first tab has its first backtest running
  -- (or a task done: a cached one runs none): their logins would only slow the first tab's.
  -- Ends early when the run is over (over()).
  function g.started(max_ms, over)
    local time = require("time")
    local deadline = time.now_ms() + max_ms
    while not g.used and not q:stopping() and not over() and time.now_ms() < deadline do g.freed:wait(1000) end
  end
  function g.kick()
    if not g.used then g.used = true; g.freed:notify() end
  end
  function g.release()
    if g.holder == me() then
      g.holder = nil
      g.freed:notify()
    end
  end
  return g
end

-- How many tabs each browser works with (OO_PIPELINE): one runs a backtest while the others
-- get the next tasks ready. `auto`: two (one runs, one prepares) while the tabs in all are at
-- most 3 a core (browsers <= 1.5 x cores: on 2 cores, up to 3 browsers), else one.
-- A task costs about 0.35 CPU-s, most of it while the other tab only waits on the site, so the
-- second tab takes a core only briefly. Measured on 2 cores (tests/bench/run_bench.sh, README):
-- 2 tabs beat 1 for 1, 2 and 3 browsers at 0 ms, 1 s and 5 s a backtest; a third tab, or 2 tabs
-- each for 4 browsers, lost to the CPU they take. cpus: the machine's (default config.cpus()).
function M.lanes(nworkers, cpus)
  local config = require("config")
  local v = config.get("pipeline") or "auto"
  if v == "auto" then return nworkers <= 1.5 * (cpus or config.cpus()) and 2 or 1 end
  return tonumber(v) or 1
end

-- The account's pace: at most `per_minute` backtests started in any 60 s (OO_RATE_LIMIT,
-- default 10 as the original tool kept; 0 = no limit). Shared by every worker.
function M.pacer(per_minute)
  if not per_minute or per_minute <= 0 then return nil end
  local time = require("time")
  local starts = {}
  return function()
    while true do
      local now = time.now_ms()
      while #starts > 0 and now - starts[1] >= 60000 do table.remove(starts, 1) end
      if #starts < per_minute then
        starts[#starts + 1] = now
        return
      end
      sched.delay(60000 - (now - starts[1]) + 1)   -- explicit pacing, not a settle wait
    end
  end
end

-- Adaptive throttling: when recent attempts fail (3 of the last 6), work drops to one browser
-- and every wait gets longer; 5 successes in a row restore full speed.
function M.throttle(nworkers, q)
  local th = { active = nworkers, slow = 1, recent = {}, streak = 0 }
  function th.record(ok, permanent)
    if permanent then return end
    table.insert(th.recent, ok)
    if #th.recent > 6 then table.remove(th.recent, 1) end
    th.streak = ok and th.streak + 1 or 0
    local fails = 0
    for _, r in ipairs(th.recent) do if not r then fails = fails + 1 end end
    if fails >= 3 and th.active > 1 then
      th.active, th.slow = 1, 2
      log.warn("many recent failures: slowing down to one browser and longer waits")
      q:event("throttle", { active = 1, slow = 2 })
    elseif th.streak >= 5 and (th.active < nworkers or th.slow > 1) then
      th.active, th.slow, th.recent = nworkers, 1, {}
      log.info("back to full speed")
      q:event("throttle", { active = nworkers, slow = 1 })
    end
  end
  return th
end

-- An outage: OptionOmega cannot be reached at all (the connection refused or reset, no DNS, no
-- internet). It is nobody's fault and no task's: a worker that meets it gives its task back
-- without using up an attempt and waits, the pauses growing from 5 s to 60 s, then tries again.
-- Anything the site answers (a task through, or a failure of another kind) ends the outage.
-- Past `wait_min` minutes of it (OO_OUTAGE_WAIT, 30), `over` holds what to tell the trader and
-- the coordinator pauses the run: resumable, nothing lost. clock: ms (time.now_ms).
function M.outage(wait_min, run_id, clock)
  clock = clock or require("time").now_ms
  local o = { since = nil, streak = 0, over = nil }
  function o.hit(message)
    local now = clock()
    o.since, o.streak = o.since or now, o.streak + 1
    if now - o.since >= wait_min * 60000 and not o.over then
      local mins = (now - o.since) // 60000
      o.over = string.format("OptionOmega could not be reached%s (%s): nothing is lost; " ..
        "`oo-automator resume --run-id %s` continues when it answers again (OO_OUTAGE_WAIT sets how long a run waits)",
        mins > 0 and string.format(" for %d min", mins) or "", tostring(message):match("[^\n]*"), tostring(run_id))
    end
    return math.min(60000, 5000 << math.min(o.streak - 1, 4))
  end
  function o.answered() o.since, o.streak = nil, 0 end
  return o
end

-- What a mode kept of each finished stage (done[i].best), reported once per command as a
-- "stage_best" event: the objective it was judged by (a metric, a goal or "custom") and the
-- value it carried forward. A mode that keeps none (sweep, grid) is judged by the run's
-- optimize_by (oo.objective), the same best the CLI's table stars.
local function report_bests(q, spec, norm, done, reported)
  local fallback
  for i, d in ipairs(done) do
    local st = norm.stages and norm.stages[i]
    if not d.best and not st and d.results and #d.results > 0 then
      fallback = fallback or objective.get(spec.optimize_by, "optimize_by")
      d.best, d.best_score = fallback.best(d.results)
    end
    if d.best and not reported[i] then
      reported[i] = true
      local p = st and st.parameter or norm.parameter
      q:event("stage_best", { stage = i, parameter = p, value = p and d.best.values[p], values = d.best.values,
        task_id = d.best.task_id, optimize_by = st and st.optimize_by or (fallback and fallback.label),
        score = d.best_score })
    end
  end
end

-- What an execution shares: the run's live spec, the browser, the pace, the workers' events.
local function setup(q)
  local registry = parameters.registry()
  local live = spec_mod.for_run(q.run_id, q.spec, q.script, registry)
  local r = { q = q, registry = registry, spec = live.spec, mode = live.mode, norm = live.norm,
              pconfigs = spec_mod.param_configs(live.norm), env = task.env(q.test.url, q.options),
              keeper = browser_keeper(q), pace = M.pacer(tonumber(require("config").get("rate_limit") or "10")),
              outage = M.outage(tonumber(require("config").get("outage_wait") or "") or 30, q.run_id),
              work = sched.event(), changed = sched.event(), exited = sched.event(),
              finished = false, workers = 0, nworkers = q.options.browsers, free_retries = {}, gates = {},
              reported = {} }
  task.check_recordings()
  r.lanes = M.lanes(r.nworkers)
  r.throttle = M.throttle(r.nworkers * r.lanes, q)
  for i = 1, r.nworkers do r.gates[i] = M.gate(q) end
  return r
end

local function close_session(w)
  if w.session then pcall(w.session.ctx.close, w.session.ctx) end
  w.session = nil
end

-- The site cannot be reached: the attempt was recorded without using one up; the worker waits
-- for the outage's next pause (or the run's end) before it tries again.
local function wait_out(r, w, failure)
  local q = r.q
  local pause = r.outage.hit(failure.message)
  log.warn(string.format("%s: OptionOmega cannot be reached (%s): trying again in %d s", w.name,
    failure.message:match("[^\n]*"), pause // 1000))
  q:worker_state(w.name, "site unreachable")
  local time = require("time")
  local deadline = time.now_ms() + pause
  while not r.finished and not q:stopping() and not r.outage.over and time.now_ms() < deadline do
    sched.delay(math.min(1000, deadline - time.now_ms()))   -- the outage's pause itself, not a settle wait
  end
end

-- A failed attempt: classified by its code, its evidence kept, recorded; what comes next.
local function on_failure(r, w, t, err)
  local q = r.q
  local failure = recovery.classify(err, w.session and w.session.page, r.keeper, r.env.vars.OO_BASE_URL)
  local art = recovery.artifacts(w.session and w.session.page, q.options.artifacts_dir, t, failure)
  failure.screenshot, failure.html, failure.network_log, failure.console =
    art.screenshot, art.html, art.network_log, art.console
  if failure.type == "unreachable" then
    failure.uncounted = true
    q:fail(t.id, failure)
    close_session(w)
    return wait_out(r, w, failure)
  end
  if failure.login_refused then   -- wrong credentials: every task would fail alike; the run stops
    failure.uncounted = true
    q:fail(t.id, failure)
    close_session(w)
    r.halt = r.halt or string.format("%s; nothing is lost: `oo-automator resume --run-id %s` continues once they are right",
      failure.message, tostring(q.run_id))
    return
  end
  r.outage.answered()   -- whatever else went wrong, the site answered
  r.throttle.record(false, failure.permanent)
  -- the design's "log in again / relaunch / back off and carry on": a lost session, a dead
  -- Chromium or a rate limit is not the task's fault; up to 5 times it costs no attempt
  if recovery.not_the_tasks(failure) then
    r.free_retries[t.id] = (r.free_retries[t.id] or 0) + 1
    failure.uncounted = r.free_retries[t.id] <= 5
  end
  local final, attempt = q:fail(t.id, failure)
  if failure.skip then
    log.warn(string.format("%s: task %d (%s) skipped: %s", w.name, t.id, describe(t.values), failure.message))
  else
    log.warn(string.format("%s: task %d (%s) attempt %d failed (%s): %s%s", w.name, t.id, describe(t.values), attempt,
      failure.type, failure.message, final and "; giving up on it" or ""))
  end
  -- the next task starts from a fresh logged-in context, unless the site only answered with an
  -- error (the page and the session are fine)
  if not recovery.keeps_session[failure.type] then close_session(w) end
  -- the progress line shows the wait, not the task just given back
  q:worker_state(w.name, failure.type == "rate_limited" and "backing off" or "recovering")
  recovery.after(failure, r.keeper)
end

-- One leased task on the worker's session: false when the worker must stop.
local function run_task(r, w, t)
  local q = r.q
  q:worker_state(w.name, "running", describe(t.values))
  local ok, err = pcall(function()
    if not w.session then
      q:worker_state(w.name, "logging in", describe(t.values))
      w.session = task.open_session(r.keeper.get(), r.env, w.name)
    end
    -- a retry waits longer at every step (counted within the task's current round)
    local tries = (t.attempts or 0) - (t.retries or 0) * q.options.max_attempts
    local result, trades = task.execute(w.session.page, t, { env = r.env, registry = r.registry,
      configs = r.pconfigs, q = q, session = w.session, pace = r.pace, gate = w.gate, slow = r.throttle.slow * (1 + math.max(0, tries)) })
    q:complete(t.id, result, trades)
  end)
  if ok then r.throttle.record(true); r.outage.answered() end
  w.gate.kick()   -- a task is over (done, cached or failed): the other tabs may start
  if not ok and err == task.STOPPED then q:release(t.id); return false end
  if not ok and q:stopping() == "interrupted" then return false end
  if not ok then on_failure(r, w, t, err) end
  r.changed:notify()
  return true
end

-- A worker: one tab of browser `id` (lane), leasing and running tasks until the run is over.
-- slot = lane-major, so that dropping to k slots keeps k browsers' first lanes.
local function worker(r, id, lane)
  local q = r.q
  local w = { name = r.lanes > 1 and ("w" .. id .. string.char(96 + lane)) or ("w" .. id),
              slot = (lane - 1) * r.nworkers + id, gate = r.gates[id] }
  if lane > 1 then
    q:worker_state(w.name, "waiting")
    w.gate.started(120000, function() return r.finished end)
  end
  while not r.finished and not q:stopping() and not r.outage.over and not r.halt do
    local t = (w.slot <= r.throttle.active) and q:lease(w.name) or nil
    if not t and w.slot > r.throttle.active then
      q:worker_state(w.name, "throttled")
      r.work:wait(2000)
    elseif not t then
      q:worker_state(w.name, "idle")
      r.work:wait(1000)
    elseif not run_task(r, w, t) then
      break
    end
  end
  close_session(w)
  q:worker_state(w.name, "done")
  r.workers = r.workers - 1
  r.exited:notify()
end

-- Plans the next stage when nothing is pending or running; false when the run is complete.
local function plan_next(r)
  local q = r.q
  local upto = q:max_stage()
  local done = M.stages_done(q, upto)
  local stage = r.mode.plan(r.norm, done)
  report_bests(q, r.spec, r.norm, done, r.reported)
  if not stage then return false end
  if stage.index <= upto then
    error(string.format("mode %s planned stage %d again", r.spec.mode, stage.index), 0)
  end
  q:add_tasks(stage.index, stage.tasks)
  q:event("stage_started", { stage = stage.index, label = stage.label, parameter = stage.parameter,
    fixed = stage.fixed, tasks = #stage.tasks })
  r.work:notify()
  return true
end

-- The queue drained: the failed tasks whose every failure was passing trouble (a site error, a
-- timeout, a modal, a dropped connection: recovery.passing) get one more round, once each,
-- after a cool-down (OO_RETRY_COOLDOWN s) that lets the trouble pass. True when a round began
-- (or the run stopped during the cool-down).
function M.retry_round(q, cooldown_s)
  local ids = {}
  for _, t in ipairs(q:failed_tasks()) do
    if (t.retries or 0) == 0 and recovery.passing(t.types) then ids[#ids + 1] = t.id end
  end
  if #ids == 0 then return false end
  log.warn(string.format("%d task%s failed only for passing trouble: one more round in %d s", #ids,
    #ids == 1 and "" or "s", cooldown_s))
  q:event("retry_round", { tasks = ids, cooldown_s = cooldown_s })
  local time = require("time")
  local deadline = time.now_ms() + cooldown_s * 1000
  while not q:stopping() and time.now_ms() < deadline do
    sched.delay(math.min(1000, deadline - time.now_ms()))   -- the cool-down itself, not a settle wait
  end
  if not q:stopping() then q:retry(ids) end
  return true
end

-- Stage after stage until the run is complete or stops; then every worker is waited for. Each
-- stage's failed tasks get their round (M.retry_round) before the next stage is planned.
local function coordinate(r)
  local q = r.q
  local cooldown = tonumber(require("config").get("retry_cooldown") or "") or 60
  local ok, err = pcall(function()
    while not q:stopping() do
      if r.outage.over then error(errors.new("network", r.outage.over), 0) end
      if r.halt then error(errors.new("input", r.halt), 0) end
      if q:open_tasks() > 0 then r.changed:wait(2000)
      elseif M.retry_round(q, cooldown) then r.work:notify()
      elseif not plan_next(r) then break end
    end
  end)
  r.finished = true
  r.work:notify()
  for _, g in ipairs(r.gates) do g.kick() end
  while r.workers > 0 do r.exited:wait(5000) end
  r.keeper.close()
  if not ok then error(err, 0) end
end

function M.execute(q)
  local r = setup(q)
  if q:open_tasks() == 0 and not q:stopping() then plan_next(r) end
  for lane = 1, r.lanes do
    for i = 1, r.nworkers do
      r.workers = r.workers + 1
      sched.spawn(worker, r, i, lane)
    end
  end
  coordinate(r)
end

return M
