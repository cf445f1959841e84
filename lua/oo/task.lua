-- oo.task: one backtest on OptionOmega, the way a trader does it by hand, from the recordings
-- in recordings/ (or the folder OO_RECORDINGS names, file by file):
--   login.json         the landing page to a logged-in session
--   open_test.json     the test's page ({{OO_TEST_URL}}), "New Backtest" ready
--   new_backtest.json  the New Backtest dialog open and rendered
--   run_backtest.json  Run pressed, the results on screen
--   trade_log.json     the Trade Log tab, its download button pressed
-- Between new_backtest and run_backtest every parameter of the task is set and verified by its
-- Lua script (parameters/). Re-record a flow in Chrome and drop the export in: no code changes.
local config = require("config")
local errors = require("oo.errors")
local fs = require("fs")
local json = require("json")
local values_mod = require("oo.values")
local results = require("oo.results")
local site = require("oo.site")
local tradelog = require("oo.tradelog")
local hash = require("oo.hash")
local ui = require("oo.ui")
local baseline = require("oo.baseline")
local M = {}

-- backtest: how long one backtest may run (OO_BACKTEST_TIMEOUT, or the dashboard's Settings,
-- in seconds; 300 as the original tool allowed)
M.timeouts = { step = 15000, backtest = (tonumber(config.get("timeout_s") or "") or 300) * 1000, download = 60000 }

-- The error a task stops with when the run stops while it waited for its turn to press Run:
-- nothing happened on OptionOmega, the task goes back to the queue as it was.
M.STOPPED = errors.new("cancelled", "the run is stopping: the task goes back to the queue")

-- The recording named `name`: the user's folder first, then the installation's.
function M.recording(name)
  local dir = config.get("recordings")
  if dir and dir ~= "" then
    local p = dir .. "/" .. name
    if fs.exists(p) then return p end
  end
  local p = fs.resource("recordings/" .. name)
  if not fs.exists(p) then
    errors.raise("input", "recording %s not found (looked in %s%s): put the Chrome Recorder export there, or set OO_RECORDINGS to its folder", name,
      dir and (dir .. " and ") or "", fs.resource("recordings"))
  end
  return p
end

M.flows = { "login.json", "open_test.json", "new_backtest.json", "run_backtest.json", "trade_log.json" }

-- The recording named `name`, parsed once per Lua state (one command: once per run) by the
-- engine's Recorder parser, as an object: rec.file, #rec, rec:steps(); page:replay takes it.
local recordings = {}   -- path -> recording object
local function load_recording(name)
  local path = M.recording(name)
  if not recordings[path] then recordings[path] = require("browser").recording(path) end
  return recordings[path]
end
M.load_recording = load_recording

-- Every recording a task needs exists and parses; errors name the file, the JSON path, what
-- was expected and what was found.
function M.check_recordings()
  for _, name in ipairs(M.flows) do load_recording(name) end
end

-- What the recordings' {{placeholders}} are filled with.
function M.env(test_url, options)
  local base = config.get("base_url")
  base = base and base:gsub("/+$", "") or site.base_url()
  local email = config.get("email")
  local password = config.secret("password")
  if not email or not password then
    errors.raise("input", "OptionOmega credentials missing: set OO_EMAIL and OO_PASSWORD (environment, .env or ~/.config/oo-automator/config)")
  end
  return {
    vars = { OO_BASE_URL = base, OO_EMAIL = email, OO_PASSWORD = password, OO_TEST_URL = test_url },
    download_root = (options and options.artifacts_dir or ".") .. "/downloads",
  }
end

-- page:replay of recording `name` with the timing baselines (learn: {bl = oo.baseline learner,
-- task_id, slow}, or nil): each step's learned timeout, and its duration stored afterwards.
local function play(page, name, opts, learn)
  local rec = load_recording(name)
  if learn and learn.bl then opts.step_timeouts = learn.bl:timeouts(name, rec, opts.timeout, learn.slow) end
  local ok, times = pcall(page.replay, page, rec, opts)
  if not ok then error(baseline.explain(times, opts.step_timeouts), 0) end
  if learn and learn.bl then learn.bl:record(learn.task_id, name, times) end
  return times
end

local function replay(page, env, name, timeout, learn)
  play(page, name, { vars = env.vars, timeout = timeout or M.timeouts.step }, learn)
end
M.replay = replay

-- What only a signed-out visitor sees: the first element login.json clicks (its "Sign in").
function M.signin_selectors()
  for _, s in ipairs(load_recording("login.json"):steps()) do
    if s.type == "click" and type(s.selectors) == "table" then return s.selectors end
  end
end

M.SIGNED_OUT = "OptionOmega signed us out: the page shows its sign-in"
function M.signed_out() return errors.new("session", M.SIGNED_OUT) end

-- What OptionOmega says when the configuration itself cannot run: it says so every time (a
-- backtest that opens no trade at all), so trying again changes nothing.
M.rejections = { "no trades" }

-- What OptionOmega answered instead of results, as a typed error: it asks us to slow down
-- (rate_limited), its request got no answer (network: the connection's fault, not the
-- backtest's), it refuses this configuration (config_rejected: the task is skipped), or it
-- failed the backtest (site: transient, retried).
function M.answer_error(text)
  local lower = tostring(text):lower()
  local code = "site"
  if lower:find("too many requests", 1, true) or lower:find("429", 1, true) then code = "rate_limited"
  elseif lower:find("network error", 1, true) or lower:find("failed to fetch", 1, true) then code = "network" end
  for _, words in ipairs(M.rejections) do
    if code == "site" and lower:find(words, 1, true) then code = "config_rejected" end
  end
  return errors.new(code, "OptionOmega answered: " .. tostring(text))
end

-- Replays the recording `name`, but where its last step waits for the page that shows the flow
-- went through, waits for that page or another one (`other`, selectors as a recording gives
-- them) instead. Returns true when the other one showed (the last step was not replayed), false
-- when the flow went through; a failure fails as the recording's own step would.
local function replay_until(page, env, name, timeout, learn, other)
  local rec = load_recording(name)
  local steps = rec:steps()
  local n, last = #steps, steps[#steps]
  if not last or last.type ~= "waitForElement" or last.visible == false or not other then
    replay(page, env, name, timeout, learn)
    return false
  end
  local step = timeout or M.timeouts.step
  local opts = { vars = env.vars, timeout = step, to = n - 1 }
  play(page, name, opts, learn)     -- every step but the last
  -- then until the last step's element or the other shows; the wait is the last step's: its
  -- learned timeout holds, and its duration is the step's
  local learned = opts.step_timeouts and opts.step_timeouts[n - 1]
  local clock = require("time")
  local t0 = clock.now_ms()
  local ok, which = pcall(page.replay, page, rec, { from = n - 1, to = n - 1,
    until_any = { { selectors = last.selectors }, { selectors = other } },
    until_timeout = learned or (last.timeout and math.max(last.timeout, step) or step) })
  if ok and which == 2 then return true end
  -- the last step itself: at once when its element is there; when neither came, at once too,
  -- with the recording's own error (the file, the step, each selector and why it failed)
  local okr, times = pcall(page.replay, page, rec, { vars = env.vars, timeout = step, from = n - 1,
    max_timeout = not ok and 1 or nil })
  if not okr then error(baseline.explain(times, opts.step_timeouts), 0) end
  if learn and learn.bl and times and times[1] then
    times[1].ms = times[1].ms + (clock.now_ms() - t0)
    learn.bl:record(learn.task_id, name, times)
  end
  return false
end

-- Replays the recording `name`, but where its last step waits for the page that shows the flow
-- went through, waits for that page or the sign-in instead: a lost session fails the attempt
-- at once, not after the step's whole timeout.
function M.replay_signed_in(page, env, name, timeout, learn)
  if replay_until(page, env, name, timeout, learn, M.signin_selectors()) then error(M.signed_out(), 0) end
end

-- What the site shows beside its sign-in form when it refuses the credentials.
M.login_error_js = [[
((sels) => {
  for (const s of sels) { const e = document.querySelector(s[0]); if (e && e.textContent.trim()) return e.textContent.trim(); }
  return 'the sign-in form is still shown';
})(]]

-- The sign-in refused (wrong email or password): the user's to fix, and no task's fault. The
-- runner stops the run at once, every task left as it was (login_refused).
function M.login_refused(page)
  local ok, text = pcall(page.eval, page, M.login_error_js .. json.encode(site.login_error_selectors) .. ")")
  return errors.new("input", string.format("OptionOmega refused the sign-in (%s): check OO_EMAIL and OO_PASSWORD "
    .. "(environment, ./.env, ~/.config/oo-automator/config or the dashboard's Settings)",
    ok and type(text) == "string" and text:sub(1, 200) or "its sign-in form is still shown"), { login_refused = true })
end

-- login.json, waiting at its end for the signed-in page or the site's refusal of the sign-in.
function M.login(page, env)
  if replay_until(page, env, "login.json", nil, nil, site.login_error_selectors) then error(M.login_refused(page), 0) end
end

-- A new browser context logged in: {ctx, page}.
function M.open_session(browser, env, name)
  local ctx = browser:new_context()
  local ok, err = pcall(function()
    ctx:block_urls(site.block_list())   -- what the flow never needs (OO_BLOCK_REQUESTS)
    local dir = env.download_root .. "/" .. name
    fs.mkdir(dir)
    ctx:set_download_dir(dir)
  end)
  if not ok then ctx:close(); error(err, 0) end
  local page = ctx:new_page()
  local ok2, err2 = pcall(M.login, page, env)
  if not ok2 then ctx:close(); error(err2, 0) end
  return { ctx = ctx, page = page }
end

local function sorted_keys(t)
  local k = {}
  for name in pairs(t) do k[#k + 1] = name end
  table.sort(k)
  return k
end

-- Sets and verifies every value of the task in the open dialog.
function M.apply(page, task_values, registry, configs)
  local names = sorted_keys(task_values)
  for _, name in ipairs(names) do
    local p = registry[name]
    if not p then errors.raise("input", "unknown parameter %q (not in parameters/)", name) end
    local cfg = configs[name] or values_mod.apply_fields(name, p.fields, {})
    p.set(page, task_values[name], cfg)
  end
  for _, name in ipairs(names) do
    local p = registry[name]
    local cfg = configs[name] or values_mod.apply_fields(name, p.fields, {})
    local ok, why = p.verify(page, task_values[name], cfg)
    if not ok then
      errors.raise("page", "verify %s = %s: %s", name, tostring(task_values[name]), why or "the dialog does not hold it")
    end
  end
end

-- After Run: the results, or what OptionOmega says instead (an error toast, "Too many
-- requests"). A string: "results" or "error:<text>".
M.outcome_js = [[
(() => {
  const stale = window.__ooStale;   // the results shown before Run, on a reused page (M.reuse_check_js)
  if ([...document.querySelectorAll('dl dt')].some(d => d.textContent.trim() === 'P/L' && !(stale && stale.has(d)))) return 'results';
  const alerts = [...document.querySelectorAll("[role='alert'], .toast")].map(a => a.textContent.trim()).filter(Boolean);
  if (!location.pathname.includes('/test/') && /\b(Sign in|Log in)\b/.test(document.body ? document.body.innerText : '')) return 'signed-out';
  if (alerts.length && !document.querySelector("[role='dialog']")) return 'error:' + alerts.join('; ');
  return '';
})()
]]

-- The step of recording `rec` that waits for the site's busy indicator (site.backtest_busy) to
-- go: its 0-based index, or nil when the recording has none.
function M.busy_step(rec)
  local busy = {}
  for _, sel in ipairs(site.backtest_busy) do busy[sel] = true end
  for _, st in ipairs(rec:steps()) do
    if st.type == "waitForElement" and st.visible == false then
      for _, alt in ipairs(st.selectors or {}) do
        if busy[alt[#alt]] then return st.index end
      end
    end
  end
end

-- Replays run_backtest.json up to its last step; over() is called as soon as the site says the
-- backtest is over: its busy indicator, seen on screen once Run was pressed, has gone. When the
-- recording waits for no busy indicator, or it was not on screen (it came and went at once, or
-- this site shows none), over() is not called: the caller waits for the results instead.
local function play_until_over(page, env, learn, over)
  local rec = load_recording("run_backtest.json")
  local n = #rec
  local b = over and M.busy_step(rec)
  if not b or b >= n - 1 then
    play(page, "run_backtest.json", { vars = env.vars, timeout = M.timeouts.backtest, to = n - 1 }, learn)
    return
  end
  play(page, "run_backtest.json", { vars = env.vars, timeout = M.timeouts.backtest, to = b }, learn)
  local shown = page:query({ selectors = rec:steps()[b + 1].selectors }).visible
  play(page, "run_backtest.json", { vars = env.vars, timeout = M.timeouts.backtest, from = b, to = n - 1 }, learn)
  if shown then over() end
end

-- Replays run_backtest.json, but instead of its last step (the wait for the results) waits
-- for the results or an error, so an error ends the attempt at once, not after 5 minutes.
-- over(): see play_until_over (nil: not wanted).
function M.run_backtest(page, env, learn, over)
  local n = #load_recording("run_backtest.json")
  play_until_over(page, env, learn, over)
  local outcome = page:wait_for_expression(M.outcome_js, { timeout = M.timeouts.backtest })
  if type(outcome) == "string" and outcome:sub(1, 6) == "error:" then
    error(M.answer_error(outcome:sub(7)), 0)
  end
  if outcome == "signed-out" then error(M.signed_out(), 0) end
  play(page, "run_backtest.json", { vars = env.vars, timeout = M.timeouts.backtest, from = n - 1 }, learn)
end

-- ---- the loaded test page, reused -------------------------------------------------------------
-- A task opens the test's page afresh (a whole single-page-app load) unless its session's page
-- is still on that test, left there by a task that went through: then New Backtest is pressed on
-- it again. What the reopened dialog holds is not taken on trust (oo-sim reopens it with the last
-- run's values; what OptionOmega's does is not recorded): every field is compared with the
-- snapshot taken the first time the dialog opened after the load (the test's own saved
-- configuration), and each that differs is set back (M.restore_dialog) before the task's values
-- are set. A dialog that cannot be brought back, or any failure on the reused page, loads the
-- test afresh: a reuse is only ever a shorter way to the same dialog. (Fields hidden under a
-- switch that is off are not shown, so not compared: like the result cache, which keys on the
-- same snapshot, the engine holds that they do not change the backtest.)

-- On the test's page (test_url, or one of its results) with no dialog open: marks the results on
-- show as old (window.__ooStale: M.outcome_js and oo.results skip them, so the next results read
-- are the next backtest's) and answers true; anywhere else false.
function M.reuse_check_js(test_url)
  return [[
((want) => {
  const base = want.replace(/\/+$/, '');
  if (location.href !== want && location.href !== base && !location.href.startsWith(base + '/')) return false;
  if (document.querySelector("[role='dialog']")) return false;
  window.__ooStale = new WeakSet(document.querySelectorAll('dl dt'));
  return true;
})(]] .. json.encode(test_url) .. ")"
end

-- One action that mends difference d (ui.dialog_difference_js) in the open dialog.
local function mend(page, d)
  local t = ui.nth_target(d.kind, d.nth)
  if d.kind == "input" then
    page:fill(t, d.want)
  elseif d.kind == "switch" then
    page:click(t)
    page:wait_for(t, { state = "attached", attributes = { ["aria-checked"] = d.want } })
  elseif d.kind == "choice" then
    ui.choose_in(page, t, d.option)
  else
    page:click(t)
  end
end

-- Brings the open dialog back to `saved` (a ui.dialog_state snapshot) field by field, and
-- returns how many fields it set back; raises when the dialog will not come back to it. After a
-- field is set back, fields that appear or go (a switch's, after the page's animation) are waited
-- for, up to `timeout` ms.
function M.restore_dialog(page, saved, timeout)
  local js = ui.dialog_difference_js(saved)
  local settled = "(() => { const d = " .. js .. "; return d.what !== 'structure'; })()"
  local mended, just_mended = 0, false
  for _ = 1, #saved + 10 do
    local d = page:eval(js)
    if d.what == "same" then return mended end
    if d.what == "structure" and just_mended then
      page:wait_for_expression(settled, { timeout = timeout })
      just_mended = false
    elseif d.what == "value" then
      mend(page, d)
      mended, just_mended = mended + 1, true
    else
      errors.raise("page", "the reopened dialog cannot be set back to the test's configuration: %s",
        d.what == "stuck" and string.format("%s %q differs", d.kind, d.label) or "its fields differ")
    end
  end
  errors.raise("page", "the reopened dialog did not come back to the test's configuration")
end

-- A loaded page serves at most this many tasks, then the test is loaded afresh: a single-page
-- app that lives all night may grow (listeners, caches, a leak of the site's own), and a fresh
-- load every 50 tasks costs under 1% of a task's CPU.
M.reuse_max = 50

-- New Backtest pressed again on the loaded page, and its dialog set back to the saved one.
function M.reopen_dialog(page, env, app, step, learn, phase)
  if page:eval(M.reuse_check_js(app.test_url)) ~= true then
    errors.raise("page", "the page left the test %s", app.test_url)
  end
  replay(page, env, "new_backtest.json", step, learn)
  phase("new_backtest")
  local n = M.restore_dialog(page, app.saved, step)
  phase("restore")
  return n
end

-- The New Backtest dialog open on the test, holding the test's saved configuration: on the
-- session's loaded page when it can be reused, else on a fresh load. Returns what the session
-- keeps for the next task once this one went through ({test_url, saved}).
function M.open_dialog(page, env, session, step, learn, phase)
  local app = session and session.app
  if session then session.app = nil end   -- kept again only when this task goes through
  if app and app.test_url == env.vars.OO_TEST_URL and (app.uses or 1) < M.reuse_max then
    local ok, err = pcall(M.reopen_dialog, page, env, app, step, learn, phase)
    if ok then
      app.uses = (app.uses or 1) + 1
      return app
    end
    require("log").info("the loaded test page could not be reused (" .. errors.message(err) .. "): loading it afresh")
  elseif app and app.test_url == env.vars.OO_TEST_URL then
    require("log").debug(string.format("the loaded test page served %d tasks: loading it afresh", app.uses))
  end
  M.replay_signed_in(page, env, "open_test.json", step, learn)
  phase("open_test")
  replay(page, env, "new_backtest.json", step, learn)
  phase("new_backtest")
  return { test_url = env.vars.OO_TEST_URL, saved = ui.dialog_state(page), uses = 1 }
end

-- The page's style sheet of what the flow only downloads (site.unpainted_css), added once per
-- page load before the Trade Log tab opens: its rows are built but not laid out or painted.
function M.unpaint_js()
  return [[
((css) => {
  if (document.getElementById('oo-automator-unpainted')) return true;
  const s = document.createElement('style');
  s.id = 'oo-automator-unpainted';
  s.textContent = css;
  document.head.appendChild(s);
  return true;
})(]] .. json.encode(site.unpainted_css) .. ")"
end

-- A debug line per phase of a task, with the milliseconds since the previous one.
local function phase_clock(task_id)
  local clock = require("time")
  local t0 = clock.now_ms()
  return function(name)
    local now = clock.now_ms()
    require("log").debug(string.format("task %d: %s %d ms", task_id, name, now - t0))
    t0 = now
  end
end

-- Test page (or the loaded one, reused), New Backtest, every parameter set: the dialog as the
-- engine sees it before Run, its hash (the same test and the same dialog run the same,
-- deterministic, backtest), and what the session keeps of the page for the next task.
local function prepare(page, t, ctx, step, learn, phase)
  local env = ctx.env
  local app = M.open_dialog(page, env, ctx.session, step, learn, phase)
  M.apply(page, t.values, ctx.registry, ctx.configs)
  phase("parameters")
  local dialog = ui.dialog_state(page)
  return dialog, hash.hex(env.vars.OO_TEST_URL .. "\n" .. json.encode(dialog)), app
end

-- A stored result of the same dialog, reused as this task's; nil when there is none.
local function cached_result(q, t, dialog, config_hash)
  if not q then return nil end
  q:set_hash(t.id, config_hash)
  local cached = q:cached(config_hash)
  if not cached then return nil end
  return { metrics = cached.metrics, config = { values = t.values, dialog = dialog }, raw_data = cached.raw_data,
           config_hash = config_hash, cached_from = cached.id }
end

-- Presses Run and waits for the results. One backtest at a time per browser: a pipelined worker
-- has prepared this task in one tab while the other tab's backtest ran, and presses Run the
-- moment the site says that one is over (the gate: its busy indicator gone, else its results on
-- screen or its error). Returns the awaited API answer with the results.
local function press_run(page, ctx, learn, phase)
  local gate = ctx.gate
  if gate and not gate.acquire() then error(M.STOPPED, 0) end
  phase("gate")
  local answer
  local okr, errr = pcall(function()
    if ctx.pace then ctx.pace() end
    -- the page's own API answer with the results, when the site shows it on the network
    answer = page:expect_response("*/results", { timeout = M.timeouts.backtest })
    -- the gate opens as soon as the site says this backtest is over, not once its results are
    -- read: the other tab's Run goes while this one's results page renders
    M.run_backtest(page, ctx.env, learn, gate and gate.release)
  end)
  if gate then gate.release() end
  if not okr then error(errr, 0) end
  return answer
end

-- The metrics on screen, merged with the API's answer when it came (a disagreement is logged
-- and returned). Returns metrics, extra, raw API data (or nil), mismatch.
local function read_results(page, answer, task_id)
  local shown, extra = results.read(page)
  local raw
  local okw, resp = pcall(answer.wait, answer)
  if okw and resp and resp.status == 200 and resp.body and resp.body ~= "" then
    local okj, decoded = pcall(json.decode, resp.body)
    if okj and type(decoded) == "table" then raw = decoded end
  end
  local metrics, mismatch = results.merge(shown, raw and results.from_api(raw.metrics))
  for k, m in pairs(mismatch or {}) do
    require("log").warn(string.format("task %d: %s shows %s but the API answered %s", task_id, k, tostring(m.shown), tostring(m.api)))
  end
  return metrics, extra, raw, mismatch
end

-- The trade log, downloaded as OptionOmega's CSV: its rows, as many as the results say.
local function download_trades(page, env, step, learn, metrics)
  page:eval(M.unpaint_js())
  local dl = page:expect_download({ timeout = M.timeouts.download })
  replay(page, env, "trade_log.json", step, learn)
  local file = dl:wait()
  local text = fs.read(file.path)
  os.remove(file.path)
  local rows = {}
  for i, tr in ipairs(tradelog.parse(text)) do rows[i] = tr.row end
  if metrics.trades and metrics.trades ~= #rows then
    errors.raise("site", "the trade log has %d trades but the results say %d", #rows, metrics.trades)
  end
  return rows
end

-- Runs one task on a logged-in page. Returns result {metrics, config, raw_data}, trades.
function M.execute(page, t, ctx)
  local phase = phase_clock(t.id)
  -- a retry, or a throttled run, waits longer at every step
  local step = M.timeouts.step * (ctx.slow or 1)
  -- timing baselines: each step's learned timeout, its duration stored
  local learn = { bl = baseline.for_queue(ctx.q), task_id = t.id, slow = ctx.slow }
  local dialog, config_hash, app = prepare(page, t, ctx, step, learn, phase)
  local cached = cached_result(ctx.q, t, dialog, config_hash)
  if cached then return cached, nil end
  -- everything before Run is preparation; everything after (results, trade log) overlaps the next
  local answer = press_run(page, ctx, learn, phase)
  phase("run_backtest")
  local metrics, extra, raw, mismatch = read_results(page, answer, t.id)
  phase("results")
  local rows = download_trades(page, ctx.env, step, learn, metrics)
  phase("trade_log")
  if ctx.session then ctx.session.app = app end   -- the next task may start from this page
  return { metrics = metrics, config = { values = t.values, dialog = dialog }, raw_data = raw, extra = extra,
           mismatch = mismatch, config_hash = config_hash }, rows
end

return M
