-- oo.recovery: what went wrong in a failed attempt, what it leaves behind for the trader to see,
-- and what to do before the next one. A failure's class comes from its error's code (typed
-- errors, lua/oo/errors.lua: C raises them for timeouts, dead browsers and pages that say no;
-- task.lua for what OptionOmega answers), never from the words of its message. The classes are
-- the design's failure table:
--   timing        an element or a state did not come in time      -> retry (fresh context)
--   modal         the dialog would not close or open               -> retry (fresh context)
--   session       logged out under us                              -> log in again, carry on
--   browser       Chromium or the renderer died                    -> relaunch, carry on
--   site_error    OptionOmega answered with an error               -> retry, then skip
--   rate_limited  "Too many requests" / HTTP 429                   -> back off, retry
--   login_refused the sign-in refused (wrong email or password)    -> the run stops at once, every
--                                                                     task as it was
--   unreachable   OptionOmega cannot be reached at all (refused,   -> every worker holds and tries
--                 reset, no DNS, no internet)                         again, pauses growing; no
--                                                                     attempt used; past
--                                                                     OO_OUTAGE_WAIT the run pauses
--   permanent     the task itself is wrong (a value out of range)  -> fail it at once
--   config_rejected  OptionOmega refuses this configuration        -> skip it at once (its evidence
--                    (it says so every time: no trades for these settings)   kept, the run goes on)
local errors = require("oo.errors")
local sched = require("sched")
local M = {}

-- The failure class of each error code (lua/oo/errors.lua). A code not listed (timeout, page,
-- script, io, ...) is "timing": retried from a fresh context.
M.classes = {
  browser = "browser", session = "session", rate_limited = "rate_limited", site = "site_error",
  network = "unreachable", config_rejected = "config_rejected", modal = "modal",
  input = "permanent", usage = "permanent",
}
-- Codes that are the task's own fault every time (retrying changes nothing) ...
M.permanent = { input = true, usage = true, config_rejected = true }
-- ... of which the site's own verdict on a configuration: the task is skipped, not failed (the
-- design's "OptionOmega error -> screenshot, skip the test, continue")
M.skips = { config_rejected = true }
-- ... and those that are nobody's (a dropped connection): retried without using up an attempt.
M.transient = { network = true }

-- What the page shows when a wait ran out (it still answers): OptionOmega's rate-limit page, or
-- its sign-in. A code, or nil when the page tells nothing more.
local function page_code(page)
  if not page then return nil end
  local ok, s = pcall(page.eval, page, [[(() => {
    const t = document.body ? document.body.innerText : '';
    return { text: t.slice(0, 4000), url: location.href,
             dialog: !!document.querySelector('[role=dialog]') };
  })()]])
  if not ok or type(s) ~= "table" then return nil end
  local text = (s.text or ""):lower()
  if text:find("too many requests", 1, true) then return "rate_limited" end
  if (text:find("sign in", 1, true) or text:find("log in", 1, true)) and not s.dialog and s.url
      and not s.url:find("/test/", 1, true) then
    return "session"
  end
  return nil
end

-- Does the site answer at all? A request from the page to the site's own address (no-cors: any
-- answer counts, an error status too; only none at all fails), within 10 s. When a wait ran out,
-- this tells an outage (OptionOmega, the connection or the DNS down: nobody's fault, and no
-- task's) from a page that is only slow or changed. Answers nil (it answers, or the page itself
-- cannot be asked) or what failed.
M.probe_js = [[
(async (url) => {
  const c = new AbortController();
  const t = setTimeout(() => c.abort(), 10000);
  try { await fetch(url, { mode: 'no-cors', cache: 'no-store', credentials: 'omit', signal: c.signal }); return ''; }
  catch (e) { return (e && e.name === 'AbortError') ? 'no answer in 10 s' : String((e && e.message) || e || 'no answer'); }
  finally { clearTimeout(t); }
})]]
function M.unreachable(page, base_url)
  if not page or type(base_url) ~= "string" or base_url == "" then return nil end
  local ok, r = pcall(page.eval, page, M.probe_js .. "(" .. require("json").encode(base_url .. "/") .. ")", 20000)
  if ok and type(r) == "string" and r ~= "" then return r end
  return nil
end

-- Failures that are not the task's: handled and carried on without using up an attempt.
M.carry_on = { session = true, browser = true, rate_limited = true }
function M.not_the_tasks(failure) return M.carry_on[failure.type] or failure.transient == true end

-- The classes of passing trouble: the site, the timing, a modal, a dropped connection, a lost
-- session or browser, a rate limit. A task that failed for these alone may well pass later: once
-- the queue drains it gets one more round (M.passing, lua/oo/runner.lua). A permanent failure or
-- a refused configuration never does.
M.passing_types = { site_error = true, timing = true, modal = true, session = true, browser = true,
                    rate_limited = true, unreachable = true }

-- Whether every failure type of a task (comma-separated, as q:failed_tasks() gives them) was
-- passing trouble; a task without a recorded failure is not judged passing.
function M.passing(types)
  local n = 0
  for ty in tostring(types or ""):gmatch("[^,]+") do
    if not M.passing_types[ty] then return false end
    n = n + 1
  end
  return n > 0
end

-- Failures after which the browser context is as good as before: OptionOmega answered with an
-- error, or asked us to slow down, and the page shows just that. The next attempt opens the
-- test afresh anyway; logging in again would only cost time.
M.keeps_session = { site_error = true, rate_limited = true }

-- A failed attempt's class, from its error's code alone (the words of a message never change
-- it): {message, code, type, permanent, transient, skip}. A dead browser (keeper) is "browser"
-- whatever the error; a wait that ran out asks the page what it shows, then whether the site
-- (base_url) answers at all.
function M.classify(err, page, keeper, base_url)
  local code = errors.code(err)
  local message = errors.message(err)
  if keeper and keeper.b and not keeper.b:alive() then code = "browser" end
  if code == "timeout" or code == "page" then
    code = page_code(page) or code
    local down = (code == "timeout" or code == "page") and M.unreachable(page, base_url)
    if down then
      code = "network"
      message = message .. "\n  (OptionOmega did not answer at all: " .. down .. ")"
    end
  end
  -- the sign-in refused (task.login_refused): the credentials are wrong for every task alike;
  -- the run stops, no task is to blame
  if type(err) == "table" and err.login_refused then
    return { message = message, code = code, type = "login_refused", login_refused = true }
  end
  return { message = message, code = code, type = M.classes[code] or "timing",
           permanent = M.permanent[code] or nil, transient = M.transient[code] or nil, skip = M.skips[code] or nil }
end

-- Keeps what the page shows (replay/evidence.h, the same routine as a failed replay's):
-- screenshot (PNG), HTML (password inputs blanked by the engine), console and network logs,
-- under dir/task-<id>-attempt-<n>.*; the console log itself goes to the failures table too.
function M.artifacts(page, dir, t, failure)
  if not page then return {} end
  local base = string.format("task-%d-attempt-%d", t.id, (t.attempts or 0) + 1)
  local ok, paths = pcall(page.evidence, page, dir, base)
  paths = ok and type(paths) == "table" and paths or {}
  local okc, console = pcall(page.console, page)
  return { screenshot = paths.screenshot, html = paths.html, network_log = paths.network_log,
           console = okc and console or nil }
end

-- Before the next attempt: a rate limit backs off (with jitter); the rest needs only the fresh
-- context the runner gives every worker after a failure.
function M.after(failure, keeper)
  if failure.type == "rate_limited" then
    sched.delay(5000 + math.random(0, 5000))
  end
end

return M
