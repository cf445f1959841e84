-- Failure classes come from error codes, never from the words of a message. Each failure the
-- runner meets is made here the way the engine makes it (task.lua's constructors for what
-- OptionOmega answers, typed errors for what C raises: tests/lua/test_browser.lua checks that a
-- real Chromium's timeouts, dead browsers and throwing pages arrive with those codes), then
-- classified; then its message is reworded and it is classified again: same class. A plain
-- string holding the old words is not recognised at all.
local check = require("check")
local errors = require("oo.errors")
local recovery = require("oo.recovery")
local task = require("oo.task")

local cases = {
  { "rate limit", task.answer_error("Too many requests"), "rate_limited", free = true },
  { "dropped connection", task.answer_error("Network error: Failed to fetch"), "unreachable", free = true },
  { "the site refuses connections", errors.new("network", "login.json: step 1 (navigate) failed: navigation failed: net::ERR_CONNECTION_REFUSED"),
    "unreachable", free = true },
  { "the backtest failed", task.answer_error("Backtest failed: data unavailable for the selected dates"), "site_error",
    free = false },
  -- oo-sim's words for a configuration without a trade (sim/sim.h, SIM_NO_TRADES): skipped at once
  { "the configuration refused", task.answer_error("No trades were found for these settings. Check your entry conditions and dates."),
    "config_rejected", free = false, permanent = true, skip = true },
  { "signed out", task.signed_out(), "session", free = true },
  { "Chromium died", errors.new("browser", "the browser is gone"), "browser", free = true },
  { "unknown parameter", errors.new("input", 'unknown parameter "deltaa" (not in parameters/)'), "permanent",
    free = false, permanent = true },
  { "a value out of range", errors.new("input", "delta.start: 0 is below the minimum 1"), "permanent", free = false,
    permanent = true },
  { "a wait ran out", errors.new("timeout", "open_test.json: step 2 (waitForElement) failed: waiting for visible timed out"),
    "timing", free = false },
  { "the page threw", errors.new("page", "the page threw: TypeError"), "timing", free = false },
  { "a dialog", errors.new("modal", "the dialog would not close"), "modal", free = false },
  { "a script bug", "task.lua:12: attempt to index a nil value", "timing", free = false },
}

for _, c in ipairs(cases) do
  local name, err, class = c[1], c[2], c[3]
  local f = recovery.classify(err, nil, nil)
  check.eq(f.type, class, name)
  check.eq(recovery.not_the_tasks(f) and true or false, c.free, name .. ": costs no attempt")
  check.eq(f.permanent and true or false, c.permanent or false, name .. ": permanent")
  check.eq(f.skip and true or false, c.skip or false, name .. ": skipped")
  check.eq(f.message, errors.message(err), name .. ": the message is kept for the failure log")
  -- reworded: the class stays
  local reworded = errors.new(errors.code(err), "zz qq xx (reworded)")
  check.eq(recovery.classify(reworded, nil, nil).type, class, name .. " reworded")
end

-- the words alone decide nothing: yesterday's messages as plain strings are script errors
for _, words in ipairs({ "OptionOmega answered: Too many requests", task.SIGNED_OUT, "the browser is gone",
                         'unknown parameter "deltaa"', "below the minimum", "no leg" }) do
  check.eq(recovery.classify(words, nil, nil).type, "timing", words)
end

-- a wait that ran out on a page whose site does not answer at all (the page's own request to the
-- site's address fails: recovery.probe_js) is an outage, not a timing failure; one whose site
-- answers stays a timing failure
local function fake_page(probe_answer)
  return { eval = function(_, js)
    if js:find("AbortController", 1, true) then return probe_answer end
    return { text = "Loading results...", url = "https://optionomega.com/test/abc", dialog = false }
  end }
end
local waited = errors.new("timeout", "run_backtest.json: step 3 (waitForElement) failed: waiting for visible timed out")
local down = recovery.classify(waited, fake_page("Failed to fetch"), nil, "https://optionomega.com")
check.eq(down.type, "unreachable", "a wait ran out and the site does not answer")
check.eq(recovery.not_the_tasks(down), true, "an outage costs no attempt")
check.ok(down.message:find("OptionOmega did not answer at all: Failed to fetch", 1, true), down.message)
check.eq(recovery.classify(waited, fake_page(""), nil, "https://optionomega.com").type, "timing", "the site answers: a timing failure")
check.eq(recovery.classify(waited, fake_page("Failed to fetch"), nil, nil).type, "timing", "no address to ask: not judged")
check.eq(recovery.passing("unreachable,timing"), true, "an outage is passing trouble")

-- the sign-in refused (task.login_refused, what the site says beside its form): not the task's,
-- not permanent for it, the run stops (recovery marks it; the runner halts)
local refused = recovery.classify(task.login_refused({ eval = function() return "Invalid email or password" end }), nil, nil)
check.eq(refused.type, "login_refused")
check.eq(refused.login_refused, true)
check.eq(refused.permanent, nil, "no task is to blame")
check.ok(refused.message:find("OptionOmega refused the sign-in (Invalid email or password): check OO_EMAIL and OO_PASSWORD", 1, true), refused.message)
check.eq(recovery.classify(errors.new("input", "OptionOmega refused the sign-in (x)"), nil, nil).type, "permanent",
  "the words alone are not a refused sign-in")

-- passing trouble (a task that failed only for it gets one more round): by the failure types
-- recorded for its attempts, comma-separated as the store gives them
check.eq(recovery.passing("site_error"), true)
check.eq(recovery.passing("site_error,timing,modal,browser,session,rate_limited"), true)
check.eq(recovery.passing("timing,permanent"), false, "a permanent failure among them")
check.eq(recovery.passing("config_rejected"), false, "the site refuses the configuration")
check.eq(recovery.passing(""), false, "no failure recorded")
check.eq(recovery.passing(nil), false)

-- a dead browser is "browser" whatever the error said
local keeper = { b = { alive = function() return false end } }
check.eq(recovery.classify(errors.new("timeout", "anything"), nil, keeper).type, "browser")

-- after a site error or a rate limit the session is kept; signed out, a fresh context logs in
check.ok(recovery.keeps_session.site_error and recovery.keeps_session.rate_limited)
check.ok(not recovery.keeps_session.session)

-- the task's stop is a typed error of its own, recognised by identity
check.eq(errors.code(task.STOPPED), "cancelled")

check.done()
