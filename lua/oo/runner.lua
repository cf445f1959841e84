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
local modes = require("oo.modes")
local parameters = require("oo.parameters")
local spec_mod = require("oo.spec")
local task = require("oo.task")
local recovery = require("oo.recovery")

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
-- get the next tasks ready. A tab at work takes about a core (OptionOmega's pages are heavy),
-- so `auto` pipelines only where the machine has a core for each tab and one to spare: on a
-- 2-core machine a second tab per browser only makes the first one wait for the CPU.
function M.lanes(nworkers)
  local config = require("config")
  local v = config.get("pipeline") or "auto"
  if v == "auto" then return config.cpus() >= 2 * nworkers + 1 and 2 or 1 end
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

function M.execute(q)
  local registry, load_errors = parameters.discover()
  for _, e in ipairs(load_errors) do log.warn(e) end
  local spec = spec_mod.from_stored(q.spec)
  local mode = modes.get(spec.mode)
  local norm = mode.check(spec, registry)
  local pconfigs = spec_mod.param_configs(norm)
  local env = task.env(q.test.url, q.options)
  task.check_recordings()
  local keeper = browser_keeper(q)
  local pace = M.pacer(tonumber(require("config").get("rate_limit") or "10"))
  local work, changed, exited = sched.event(), sched.event(), sched.event()
  local state = { finished = false, workers = 0 }
  local nworkers = q.options.browsers
  local lanes = M.lanes(nworkers)
  local throttle = M.throttle(nworkers * lanes, q)
  local free_retries = {}
  local gates = {}
  for i = 1, nworkers do gates[i] = M.gate(q) end

  -- slot = lane-major, so that dropping to k slots keeps k browsers' first lanes
  local function worker(id, lane)
    local name = lanes > 1 and ("w" .. id .. string.char(96 + lane)) or ("w" .. id)
    local slot = (lane - 1) * nworkers + id
    local gate = gates[id]
    local session -- {ctx, page} logged in, or nil
    local function close_session()
      if session then pcall(session.ctx.close, session.ctx) end
      session = nil
    end
    if lane > 1 then
      q:worker_state(name, "waiting")
      gate.started(120000, function() return state.finished end)
    end
    while not state.finished and not q:stopping() do
      local t = (slot <= throttle.active) and q:lease(name) or nil
      if not t and slot > throttle.active then
        q:worker_state(name, "throttled")
        work:wait(2000)
      elseif not t then
        q:worker_state(name, "idle")
        work:wait(1000)
      else
        q:worker_state(name, "running", describe(t.values))
        local ok, err = pcall(function()
          if not session then
            q:worker_state(name, "logging in", describe(t.values))
            session = task.open_session(keeper.get(), env, name)
          end
          local result, trades = task.execute(session.page, t, { env = env, registry = registry,
            configs = pconfigs, q = q, pace = pace, gate = gate,
            slow = throttle.slow * (1 + (t.attempts or 0)) })
          q:complete(t.id, result, trades)
        end)
        if ok then throttle.record(true) end
        gate.kick()   -- a task is over (done, cached or failed): the other tabs may start
        if not ok and err == task.STOPPED then
          q:release(t.id)
          break
        end
        if not ok then
          if q:stopping() == "interrupted" then break end
          local failure = recovery.classify(err, session and session.page, keeper)
          local art = recovery.artifacts(session and session.page, q.options.artifacts_dir, t, failure)
          failure.screenshot, failure.html, failure.network_log, failure.console =
            art.screenshot, art.html, art.network_log, art.console
          throttle.record(false, failure.permanent)
          -- the design's "log in again / relaunch / back off and carry on": a lost session, a
          -- dead Chromium or a rate limit is not the task's fault; up to 5 times it costs no attempt
          if recovery.not_the_tasks(failure) then
            free_retries[t.id] = (free_retries[t.id] or 0) + 1
            failure.uncounted = free_retries[t.id] <= 5
          end
          local final, attempt = q:fail(t.id, failure)
          log.warn(string.format("%s: task %d (%s) attempt %d failed (%s): %s%s", name, t.id,
            describe(t.values), attempt, failure.type, failure.message, final and "; giving up on it" or ""))
          -- the next task starts from a fresh logged-in context, unless the site only answered
          -- with an error (the page and the session are fine)
          if not recovery.keeps_session[failure.type] then close_session() end
          -- the progress line shows the wait, not the task just given back
          q:worker_state(name, failure.type == "rate_limited" and "backing off" or "recovering")
          recovery.after(failure, keeper)
        end
        changed:notify()
      end
    end
    close_session()
    q:worker_state(name, "done")
    state.workers = state.workers - 1
    exited:notify()
  end

  -- plans the next stage when nothing is pending or running; false when the run is complete
  local function plan_next()
    local upto = q:max_stage()
    local stage = mode.plan(norm, M.stages_done(q, upto))
    if not stage then return false end
    if stage.index <= upto then
      error(string.format("mode %s planned stage %d again", spec.mode, stage.index), 0)
    end
    q:add_tasks(stage.index, stage.tasks)
    q:event("stage_started", { stage = stage.index, label = stage.label, parameter = stage.parameter,
      fixed = stage.fixed, tasks = #stage.tasks })
    work:notify()
    return true
  end

  local c0 = q:counts()
  if c0.pending + c0.running == 0 and not q:stopping() then plan_next() end
  for lane = 1, lanes do
    for i = 1, nworkers do
      state.workers = state.workers + 1
      sched.spawn(worker, i, lane)
    end
  end

  local ok, err = pcall(function()
    while not q:stopping() do
      local c = q:counts()
      if c.pending + c.running > 0 then
        changed:wait(2000)
      elseif not plan_next() then
        break
      end
    end
  end)
  state.finished = true
  work:notify()
  for _, g in ipairs(gates) do g.kick() end
  while state.workers > 0 do exited:wait(5000) end
  keeper.close()
  if not ok then error(err, 0) end
end

return M
