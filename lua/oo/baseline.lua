-- oo.baseline: timing baselines, the site's own pace learned step by step. Every step of every
-- recording a task replays has its duration stored, run after run (q:step_times); each step's
-- timeout is then learned from its own history: the larger of a floor and a multiple of its
-- recent 95th percentile, never longer than the recording allows. A step stuck on a page that
-- changed fails in seconds instead of at the recording's 15 or 30 s; a retry (or a throttled
-- run) waits the recording's full timeouts again.
--
-- Not learned: a step with fewer than min_samples durations, a step whose type no longer
-- matches its history (the flow was re-recorded), and a step that waits on the backtest itself
-- (its recorded timeout is a minute or more: a backtest takes as long as the site needs).
local M = {}

M.floor_ms = 3000        -- no learned timeout is shorter
M.multiple = 4           -- times the step's recent 95th percentile
M.min_samples = 10       -- durations needed before a step's timeout is learned
M.long_wait_ms = 60000   -- steps allowed this long by their recording wait on the backtest
M.refresh_every = 25     -- replays of a recording between two reads of its baseline

local B = {}
B.__index = B

-- A learner for a run's queue `q` (nil: learns nothing, records nothing).
function M.new(q)
  return setmetatable({ q = q, cache = {}, since = {} }, B)
end

local learners = setmetatable({}, { __mode = "k" })
-- The one learner of a queue (every worker of a run shares it).
function M.for_queue(q)
  if not q then return nil end
  if not learners[q] then learners[q] = M.new(q) end
  return learners[q]
end

-- The baseline of recording `name`: {step, type, n, p50, p95, max} by step index.
function B:baseline(name)
  local b = self.cache[name]
  if b == nil or (self.since[name] or 0) >= M.refresh_every then
    local ok, list = pcall(self.q.step_baselines, self.q, name)
    b = {}
    if ok and type(list) == "table" then
      for _, s in ipairs(list) do b[s.step] = s end
    end
    self.cache[name], self.since[name] = b, 0
  end
  return b
end

-- The learned timeout of each step of `rec` (recording `name`: browser.recording's object, or
-- a table {steps = {...}, timeout}), {[index] = ms}, or nil when none is learned. default_ms:
-- the timeout of steps that name none; slow > 1: a retry or a throttled run, which learns
-- nothing.
function B:timeouts(name, rec, default_ms, slow)
  if not self.q or (slow and slow > 1) then return nil end
  local b, out, any = self:baseline(name), {}, false
  if next(b) == nil then return nil end
  local steps = type(rec.steps) == "function" and rec:steps() or rec.steps
  for i, step in ipairs(steps) do
    local s = b[i - 1]
    local own = step.timeout or rec.timeout or default_ms or 5000
    if s and s.type == step.type and s.n >= M.min_samples and own < M.long_wait_ms then
      out[i - 1] = math.floor(math.min(own, math.max(M.floor_ms, M.multiple * s.p95)))
      any = true
    end
  end
  return any and out or nil
end

-- err (a replay's error: a typed error or a string) with what a learned timeout had to do with
-- it: when the step that failed ran under one (step_timeouts, as timeouts() gave them), the
-- message says so and that the next attempt waits the recording's own; a typed error keeps its
-- code. Anything else is returned as it is.
function M.explain(err, step_timeouts)
  if not step_timeouts then return err end
  local typed = type(err) == "table" and type(err.msg) == "string"
  if type(err) ~= "string" and not typed then return err end
  local msg = typed and err.msg or err
  local i = tonumber(msg:match("step (%d+) %(%a+%) failed"))
  local ms = i and step_timeouts[i]
  if not ms then return err end
  msg = msg .. string.format("\n  (the step's timeout was learned from its recent durations: %d ms;" ..
    " a step this much slower than usual may mean the site changed; the next attempt waits the recording's own timeout)", ms)
  if not typed then return msg end
  local errors = require("oo.errors")
  return errors.new(errors.code(err), msg, err)
end

-- Stores the durations page:replay returned for recording `name` (task_id may be nil).
function B:record(task_id, name, times)
  if not self.q or type(times) ~= "table" or #times == 0 then return end
  self.since[name] = (self.since[name] or 0) + 1
  local ok, err = pcall(self.q.step_times, self.q, task_id, name, times)
  if not ok then require("log").warn("timing baselines: " .. tostring(err)) end
end

return M
