-- record-check's OptionOmega rule, without a browser: which step would run a backtest.
local check = require("check")
local rc = require("oo.record_check")

local function names(sel) return table.concat(rc.names_in(sel), "|") end
check.eq(names('aria/Run[role="button"]'), "Run")
check.eq(names("aria/Start Backtest"), "Start Backtest")
check.eq(names("text/Run"), "Run")
check.eq(names("button:has-text('Run')"), "Run")
check.eq(names("[role=dialog] button:text-is(\"Start Backtest\")"), "Start Backtest")
check.eq(names('xpath///*[@role="dialog"]//button[normalize-space()="Run"]'), "Run")
check.eq(names("xpath///button[text()='Run']"), "Run")
check.eq(names("div.flex-shrink-0 > button.btn-primary"), "")

local function click(...) return { type = "click", selectors = { ... } } end
check.ok(rc.runs_backtest(click({ 'aria/Run[role="button"]' }, { "div.x > button" })), "aria/Run")
check.ok(rc.runs_backtest(click({ "div.x > button" }, { "text/Start Backtest" })), "a later alternative")
check.ok(not rc.runs_backtest(click({ 'aria/New Backtest[role="button"]' })), "New Backtest")
check.ok(not rc.runs_backtest(click({ "text/Running Backtest" })), "a longer text is not the button")
check.ok(not rc.runs_backtest({ type = "waitForElement", selectors = { { 'aria/Run[role="button"]' } } }), "a wait")
-- a CSS-only selector: the element's text decides
check.ok(rc.runs_backtest(click({ "div.flex-shrink-0 > button.btn-primary" }), " Run "), "by the element's text")
check.ok(not rc.runs_backtest(click({ "div.flex-shrink-0 > button.btn" }), "Cancel"), "Cancel")
check.ok(not rc.runs_backtest(click({ "div.flex-shrink-0 > button.btn" }), require("json").null), "nothing found")

-- timing baselines: slow means over 3 x the baseline's p95 and 250 ms over it, with 5 durations
local bl = { [2] = { step = 2, type = "click", n = 10, p50 = 80, p95 = 100 },
             [3] = { step = 3, type = "click", n = 4, p50 = 80, p95 = 100 },
             [4] = { step = 4, type = "click", n = 10, p50 = 10, p95 = 20 } }
local note, slow = rc.slow_note(bl, 2, "click", 400)
check.ok(slow and note:find("SLOW(400 ms; its baseline: 100 ms at the 95th percentile of 10 durations)", 1, true), note)
note, slow = rc.slow_note(bl, 2, "click", 290)           -- under 3 x 100
check.ok(not slow and note == "  (290 ms; baseline 100 ms)", note)
note, slow = rc.slow_note(bl, 4, "click", 200)           -- 10 x its p95, but only 180 ms over it
check.ok(not slow, note)
check.eq(select(2, rc.slow_note(bl, 3, "click", 5000)), false)   -- too few durations
check.eq(rc.slow_note(bl, 3, "click", 5000), "")
check.eq(rc.slow_note(bl, 2, "change", 5000), "")                -- the step was re-recorded
check.eq(rc.slow_note(nil, 2, "click", 5000), "")

check.done()

-- the summary line: what was checked, which steps are broken, and why the check stopped
local function sum(t)
  local s = { steps = 9, checked = 9, ok = 12, broken = 0, failed = 0, broken_steps = {}, slow = 0 }
  for k, v in pairs(t or {}) do s[k] = v end
  return s
end
check.eq(rc.summary(sum()), "summary: 9 of 9 steps checked; 12 selectors OK, 0 BROKEN")
check.eq(rc.summary(sum { broken = 2, broken_steps = { 3 } }), "summary: 9 of 9 steps checked; 12 selectors OK, 2 BROKEN (step 3)")
check.eq(rc.summary(sum { broken = 2, broken_steps = { 3, 5 }, failed = 1 }),
  "summary: 9 of 9 steps checked; 12 selectors OK, 2 BROKEN (steps 3, 5); a step FAILED")
check.eq(rc.summary(sum { slow = 1 }),
  "summary: 9 of 9 steps checked; 12 selectors OK, 0 BROKEN; 1 step SLOW against the baseline of earlier runs (the site may have changed)")
check.eq(rc.summary(sum { checked = 6, slow = 2, stopped = 6 }),
  "summary: 6 of 9 steps checked; 12 selectors OK, 0 BROKEN; 2 steps SLOW against the baseline of earlier runs (the site may have changed); stopped before step 6, which would run a backtest")
