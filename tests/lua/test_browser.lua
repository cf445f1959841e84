-- The browser from Lua: page calls suspend the calling coroutine until Chromium answers, so
-- two workers run at once on one thread; errors come back as Lua errors at the caller's line.
local check = require("check")
local errors = require("oo.errors")
local browser = require("browser")
local sched = require("sched")
local pages = "file://" .. require("fs").resource("tests/replay/pages")

local b = browser.launch { headless = true }
check.ok(b:alive(), "the browser is up")
check.ok(b:version():find("Chrome/", 1, true), "version " .. b:version())

local order, values = {}, {}
local function worker(name, n)
  local ctx = b:new_context()
  local page = ctx:new_page()
  page:navigate(pages .. "/widgets.html")
  for i = 1, n do
    page:fill("label:has-text('Profit Target') ~ div input", tostring(i * 10))
    local v = page:input_value("#pt")
    order[#order + 1] = name
    values[#values + 1] = name .. v
  end
  check.eq(page:attr("#secret", "data-state"), "open")
  local q = page:query({ "#nope", "ul li" })
  check.eq(q.count, 3)
  check.eq(q.tried[1].count, 0)
  check.eq(page:text("ul li >> nth=1"), "two")
  page:click("button:has-text('Moving target')")
  check.eq(page:eval("window.moved"), 1)
  page:click("text/Reveal")
  local w = page:wait_for("#secret", { state = "visible", timeout = 3000 })
  check.eq(w.count, 1)
  check.eq(page:wait_for_expression("document.getElementById('secret').offsetHeight > 0"), true)
  -- a long wait sees what changes without any DOM mutation (its timer checks less often as the
  -- wait goes on, never stops): a value set 1.5 s later, an element shown by a style change
  -- made through the CSSOM (no attribute or node changes)
  page:eval("setTimeout(() => { window.__later = 'set' }, 1500); true")
  check.eq(page:wait_for_expression("window.__later", { timeout = 20000 }), "set")
  page:eval([[(() => { const s = document.createElement('style'); s.textContent = '#late-css { display: none }';
    document.head.append(s); const d = document.createElement('div'); d.id = 'late-css'; d.textContent = 'late';
    document.body.append(d); setTimeout(() => { s.sheet.cssRules[0].style.display = 'block' }, 1500); return true })()]])
  check.eq(page:wait_for("#late-css", { state = "visible", timeout = 20000 }).count, 1)
  -- text/ selectors skip the subtrees whose text cannot hold theirs, never a shadow root in one:
  -- a shadow root's text is not its host's, nor its host's ancestors'
  page:eval([[(() => { const box = document.createElement('div'); box.id = 'text-box';
    box.innerHTML = '<table><tbody>' + '<tr><td>row</td><td>cell</td></tr>'.repeat(300) + '</tbody></table>' +
      '<section><p>nothing here</p><span id="host-a"></span></section><p id="plain">Plain Words <b>inside</b></p>';
    document.body.append(box);
    box.querySelector('#host-a').attachShadow({ mode: 'open' }).innerHTML = '<div><i>Deep words</i></div>';
    return true })()]])
  local function found(sel) local q = page:query(sel); return q.count, q.text end
  check.eq(select(2, found("text/Deep words")), "Deep words", "in a shadow root under text that lacks it")
  check.eq(found("text/deep WORDS"), 1, "any case")
  check.eq(found('text/"Deep words"'), 1, "exact")
  check.eq(found('text/"Deep"'), 0, "exact: the whole text")
  check.eq(select(2, found("text/plain words")), "Plain Words inside", "the innermost element holding it")
  check.eq(found("text/rowcellrow"), 1, "across elements: the innermost holding it all (the tbody)")
  check.eq(found("text/nowhere at all"), 0)
  local ok, err = pcall(function() page:click("#never-there", { timeout = 300 }) end)
  check.ok(not ok, "a missing element is an error")
  check.ok(tostring(err):match("test_browser%.lua:%d+: no element was ready to click"), tostring(err))
  check.ok(tostring(err):find("#never-there: no element matches", 1, true), tostring(err))
  -- C's errors reach Lua typed: what failed is the code, whatever the words
  check.eq(errors.code(err), "timeout", "a wait that ran out is a timeout")
  local okt, thrown = pcall(page.eval, page, "(() => { throw new Error('boom') })()")
  check.ok(not okt and tostring(thrown):find("boom", 1, true), tostring(thrown))
  check.eq(errors.code(thrown), "page", "the page threw")
  local png = page:screenshot()
  check.eq(png:sub(2, 4), "PNG")
  check.ok(page:html():find("Moving target", 1, true), "html")
  check.ok(page:url():find("widgets.html", 1, true), "url")
  page:close()
  check.err(function() page:eval("1") end, "this page is closed")
  local okc, closed = pcall(page.eval, page, "1")
  check.eq(not okc and errors.code(closed), "page", "a closed page")
end

sched.spawn(worker, "A", 3)
sched.spawn(worker, "B", 3)
while sched.live() > 1 do sched.delay(10) end
check.eq(#values, 6)
table.sort(values)
check.eq(table.concat(values, ","), "A10,A20,A30,B10,B20,B30")
-- the two workers ran at the same time, not one after the other
local switches = 0
for i = 2, #order do if order[i] ~= order[i - 1] then switches = switches + 1 end end
check.ok(switches >= 1, "workers interleaved: " .. table.concat(order))

-- replaying part of a recording from Lua
local ctx = b:new_context()
local page = ctx:new_page()
local times = page:replay(require("fs").resource("tests/replay/recordings/pass/widgets.json"), { to = 3, vars = { BASE = pages }, timeout = 20000 })
check.eq(page:eval("window.moved"), 1)
-- each step's duration comes back, by its index in the recording (timing baselines)
check.eq(#times, 3)
check.eq(times[1].step, 0); check.eq(times[1].type, "navigate")
check.eq(times[2].step, 1); check.eq(times[2].type, "click")
check.eq(times[3].step, 2); check.eq(times[3].type, "waitForExpression")
check.ok(times[2].ms > 0 and times[2].ms < 20000, "a click's duration: " .. tostring(times[2].ms))
times = page:replay(require("fs").resource("tests/replay/recordings/pass/widgets.json"), { from = 3, to = 4, vars = { BASE = pages } })
check.eq(#times, 1); check.eq(times[1].step, 3)
-- a step's own timeout (learned from its history) comes before the recording's: forever.json's
-- wait allows 60 s by the recording; given 200 ms, it fails long before
local forever = require("fs").resource("tests/replay/recordings/fail/forever.json")
local t0 = require("time").now_ms()
local okm, errm = pcall(page.replay, page, forever, { vars = { BASE = pages }, step_timeouts = { [1] = 200 } })
local took = require("time").now_ms() - t0
check.ok(not okm and tostring(errm):find("step 1 (waitForExpression) failed", 1, true), tostring(errm))
check.ok(took < 30000, "the learned 200 ms timeout held, not the recording's 60 s: " .. took .. " ms")
local ok, err = pcall(function() page:replay("/nonexistent.json") end)
check.ok(not ok and tostring(err):find("cannot read /nonexistent.json", 1, true), tostring(err))

-- a recording parsed once, as an object: its steps, and replays of it (no parse each time)
local rec = browser.recording(require("fs").resource("tests/replay/recordings/pass/widgets.json"))
check.ok(#rec >= 4, tostring(rec))
check.eq(rec:steps()[1].index, 0)
check.ok(type(rec:steps()[#rec].type) == "string")
check.ok(rec.file:find("widgets.json", 1, true), rec.file)
page:replay(rec, { to = 3, vars = { BASE = pages }, timeout = 20000 })
-- replay until any of these selectors: the index of the first that shows
check.eq(page:replay(rec, { from = 3, to = 3, until_any = { "#never-there", "ul li" }, until_timeout = 5000 }), 2)
check.eq(page:replay(rec, { from = 3, to = 3, until_any = { { "#nope", "ul li" } }, until_timeout = 5000 }), 1)
-- the index comes first, then the durations of the steps replayed before the wait
local which, wtimes = page:replay(rec, { from = 3, to = 4, vars = { BASE = pages }, until_any = { "#never-there", "ul li" }, until_timeout = 5000 })
check.eq(which, 2)
check.eq(#wtimes, 1); check.eq(wtimes[1].step, 3)
-- a recording object takes step_timeouts too, and returns its durations
local otimes = page:replay(rec, { from = 3, to = 4, vars = { BASE = pages }, step_timeouts = { [3] = 10000 } })
check.eq(#otimes, 1); check.eq(otimes[1].type, rec:steps()[4].type)
local oku, eu = pcall(page.replay, page, rec, { from = 3, to = 3, until_any = { "#nope", "#neither" }, until_timeout = 300 })
check.ok(not oku and tostring(eu):find("none of the awaited elements showed", 1, true), tostring(eu))
check.eq(errors.code(eu), "timeout")
local bad = os.tmpname()
do local f = assert(io.open(bad, "w")); f:write('{"title": "x", "steps": [{"type": "click", "selectors": [5]}]}'); f:close() end
local okr, er = pcall(browser.recording, bad)
check.ok(not okr and tostring(er):find("steps[0].selectors[0]", 1, true), tostring(er))
check.eq(errors.code(er), "input")
os.remove(bad)
-- the evidence of a failure, by the one routine a replay uses too
local edir = (os.getenv("OO_TEST_TMP") or "/tmp") .. "/lua-evidence-" .. require("time").now_ms()
local ev = page:evidence(edir, "probe")
check.ok(ev.screenshot and require("fs").read(ev.screenshot):sub(2, 4) == "PNG", "screenshot " .. tostring(ev.screenshot))
check.ok(ev.html and require("fs").read(ev.html):find("Moving target", 1, true), "html " .. tostring(ev.html))
check.ok(ev.console and ev.network_log, "console and network logs")

-- a response and a download, expected before the action that causes them
local dir = os.getenv("OO_TEST_TMP") and (os.getenv("OO_TEST_TMP") .. "/lua-downloads-" .. require("time").now_ms()) or "/tmp/lua-downloads"
ctx:set_download_dir(dir)
local never = page:expect_response("*/never-requested", { timeout = 300 })
local dl = page:expect_download()
page:eval("(() => { const a = document.createElement('a'); a.href = 'data.csv'; a.download = 'data.csv'; document.body.append(a); a.click(); return true })()")
local file = dl:wait()
check.ok(file.path and file.path:find("data.csv", 1, true), "downloaded " .. tostring(file.path))
check.eq(require("fs").read(file.path), "Date Opened,P/L\n2024-01-02,12.5\n")
-- a response seen before the expectation was made counts when it came after `since`
local since = require("time").now_ms()
page:navigate(pages .. "/second.html")
local early = page:expect_response("*/second.html", { since = since, timeout = 5000 }):wait()
check.ok(early.body:find("<h1>Second</h1>", 1, true), "since: " .. tostring(early.url))
-- (responses with their bodies are checked over HTTP in tests/cdp) an expectation that is
-- never met ends with a clear error
local ok2, r = pcall(function() return never:wait() end)
check.ok(not ok2 and tostring(r):find("timed out", 1, true), "expectation timeout: " .. tostring(r))
check.eq(errors.code(r), "timeout", "an expectation that ran out")

-- a popup: expected before the click that opens it, then a page like any other; it closes
-- itself, and the opener goes on
page:navigate(pages .. "/popup.html")
local pop = page:expect_popup({ timeout = 10000 })
page:click("#open")
local child = pop:wait()
child:fill("aria/Your name", "Ada")
child:click("#send")
check.eq(child:wait_for("text/Sent", { state = "visible" }).count, 1)
check.ok(child:url():find("/popup-child.html?from=opener", 1, true), "popup url " .. child:url())
check.eq(child:input_value("#who"), "Ada")
child:eval("setTimeout(() => window.close(), 10), true")
check.err(function() child:wait_for_expression("false", { timeout = 10000 }) end, "the page was closed")
check.err(function() child:eval("1") end, "the page was closed")
page:click("#after")
check.eq(page:attr("#after", "data-clicked"), "yes")
local none = page:expect_popup({ timeout = 300 })
check.err(function() none:wait() end, "no popup was opened by the page within 300 ms")

b:close()
check.ok(not b:alive(), "closed")
check.err(function() b:new_context() end, "this browser is closed")
local okb, eb = pcall(b.new_context, b)
check.eq(not okb and errors.code(eb), "browser", "a closed browser")

-- Chromium dies under a live browser object: calls fail at once, nothing spins, exit is clean
local b2 = browser.launch {}
local page2 = b2:new_context():new_page()
local me = io.open("/proc/self/stat"):read("*l"):match("^(%d+)")
os.execute("pkill -9 -P " .. me .. " chrom")
-- the crash is seen: waited for, with a deadline (a loaded machine may take a while to reap)
local clock = require("time")
local deadline = clock.now_ms() + 15000
while b2:alive() and clock.now_ms() < deadline do sched.delay(20) end
check.ok(not b2:alive(), "the crash is seen")
-- then nothing spins: half a second of the loop costs next to no CPU
local c0 = os.clock()
sched.delay(500)
check.ok(os.clock() - c0 < 0.2, string.format("idle after the crash (%.3f s of CPU in 0.5 s)", os.clock() - c0))
local ok3, e3 = pcall(function() page2:eval("1") end)
check.ok(not ok3 and tostring(e3):find("browser", 1, true), "a call on the dead browser fails: " .. tostring(e3))
check.eq(errors.code(e3), "browser", "a dead browser")

-- A replay in one coroutine while another closes its page, its context or the browser: the
-- replay ends naming its step and that the page was closed; nothing is used after being freed (the
-- suite runs this under AddressSanitizer too)
local rec = os.tmpname()
do
  local f = assert(io.open(rec, "w"))
  f:write([=[{"title": "a long wait", "steps": [
    {"type": "navigate", "url": "]=] .. pages .. [=[/widgets.html"},
    {"type": "waitForElement", "selectors": [["#never-there"]], "timeout": 20000},
    {"type": "click", "selectors": [["ul li"]]}]}]=])
  f:close()
end
for _, what in ipairs({ "page", "context", "browser" }) do
  local b3 = browser.launch { headless = true }
  local ctx3 = b3:new_context()
  local page3 = ctx3:new_page()
  local over, result = sched.event(), nil
  local waiting = sched.event()
  sched.spawn(function()
    waiting:notify()
    local ok, err = pcall(page3.replay, page3, rec, { timeout = 20000 })
    result = { ok = ok, err = tostring(err) }
    over:notify()
  end)
  -- the replay is under way once its page shows the widgets (its navigate step is done)
  page3:wait_for_expression("document.querySelector('ul li') !== null", { timeout = 10000 })
  if what == "page" then page3:close() elseif what == "context" then ctx3:close() else b3:close() end
  over:wait(15000)
  check.ok(result and not result.ok, what .. " closed mid-replay: the replay failed")
  check.ok(result and result.err:find("step %d") and result.err:find("closed", 1, true),
    what .. " closed mid-replay: " .. (result and result.err or "no result"))
  if what ~= "browser" then b3:close() end
end
os.remove(rec)

check.done()
