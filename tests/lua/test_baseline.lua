-- oo.baseline: each step's timeout learned from its own history (timing baselines), against a
-- queue stand-in holding a known history. Expected figures by hand: a step with p95 = 400 ms
-- learns max(3000, 4 x 400) = 3000 ms; p95 = 2000 ms learns 8000 ms; p95 = 5000 ms would learn
-- 20000 ms but its recording allows 15000, so 15000.
local check = require("check")
local baseline = require("oo.baseline")

local history = {
  { step = 0, type = "navigate", n = 20, p50 = 300, p95 = 400, max = 500 },
  { step = 1, type = "click", n = 20, p50 = 900, p95 = 2000, max = 2100 },
  { step = 2, type = "waitForElement", n = 20, p50 = 3000, p95 = 5000, max = 6000 },
  { step = 3, type = "click", n = 9, p50 = 10, p95 = 20, max = 30 },             -- too few durations
  { step = 4, type = "click", n = 50, p50 = 10, p95 = 20, max = 30 },            -- re-recorded: now a change step
  { step = 5, type = "waitForElement", n = 50, p50 = 900, p95 = 1000, max = 1200 },  -- waits on the backtest
}
local stored, reads = {}, 0
local q = {}
function q:step_baselines(name) reads = reads + 1; return name == "flow.json" and history or {} end
function q:step_times(task_id, name, times) stored[#stored + 1] = { task_id = task_id, name = name, times = times } end

local rec = { steps = {
  { type = "navigate", timeout = 30000 },
  { type = "click" },
  { type = "waitForElement", timeout = 15000 },
  { type = "click" },
  { type = "change" },
  { type = "waitForElement", timeout = 300000 },
  { type = "click" },                     -- no history at all
} }
local bl = baseline.new(q)
local t = bl:timeouts("flow.json", rec, 15000, 1)
check.eq(t[0], 3000)
check.eq(t[1], 8000)
check.eq(t[2], 15000)
check.eq(t[3], nil)
check.eq(t[4], nil)
check.eq(t[5], nil)
check.eq(t[6], nil)
-- a retry or a throttled run waits the recording's own timeouts
check.eq(bl:timeouts("flow.json", rec, 15000, 2), nil)
-- no history: nothing learned
check.eq(bl:timeouts("other.json", rec, 15000, 1), nil)
-- the durations go to the store with the task and the recording
bl:record(7, "flow.json", { { step = 0, type = "navigate", ms = 250 } })
check.eq(#stored, 1)
check.eq(stored[1].task_id, 7)
check.eq(stored[1].name, "flow.json")
check.eq(stored[1].times[1].ms, 250)
bl:record(7, "flow.json", {})
check.eq(#stored, 1)
-- the baseline is read once, then again after refresh_every replays of the recording
local before = reads
bl:timeouts("flow.json", rec, 15000, 1)
check.eq(reads, before)
for _ = 1, baseline.refresh_every do bl:record(1, "flow.json", { { step = 0, type = "navigate", ms = 1 } }) end
bl:timeouts("flow.json", rec, 15000, 1)
check.eq(reads, before + 1)
-- one learner per queue; none without a queue
check.ok(baseline.for_queue(q) == baseline.for_queue(q), "one learner a queue")
check.eq(baseline.for_queue(nil), nil)
check.eq(baseline.new(nil):timeouts("flow.json", rec, 15000, 1), nil)
-- a failure under a learned timeout says so; other failures and other errors pass unchanged
local e = "recordings/new_backtest.json: step 2 (waitForElement) failed: waiting for visible timed out"
local x = baseline.explain(e, { [2] = 3000 })
check.ok(x:find(e, 1, true) == 1 and x:find("learned from its recent durations: 3000 ms", 1, true), x)
check.eq(baseline.explain(e, { [1] = 3000 }), e)
check.eq(baseline.explain(e, nil), e)
local typed = { code = "timing", msg = "x" }
check.eq(baseline.explain(typed, { [2] = 3000 }), typed)
-- a replay's typed error (what page:replay raises) gets the same note and keeps its code
local errors = require("oo.errors")
local te = errors.new("timeout", e)
local tx = baseline.explain(te, { [2] = 3000 })
check.eq(errors.code(tx), "timeout")
check.ok(tx.msg:find(e, 1, true) == 1 and tx.msg:find("learned from its recent durations: 3000 ms", 1, true), tx.msg)
check.eq(baseline.explain(te, { [1] = 3000 }), te)
check.done()
