-- The pieces of a reused test page (issue 18), on small pages in real Chromium:
--  * oo.task.restore_dialog sets a reopened dialog back to a snapshot: an input, a switch whose
--    field appears and goes late (after the page's own delay), a listbox whose button shows an
--    arrow after its choice, and refuses (an error, so the
--    caller loads afresh) a dialog whose fields differ in a way no single action mends;
--  * oo.task.reuse_check_js accepts only the test's own page with no dialog open, and marks the
--    results on show as stale: oo.results and the outcome skip them;
--  * oo.task.unpaint_js keeps a long table (the trade log's rows) out of layout, not a short one.
local check = require("check")
local browser = require("browser")
local task = require("oo.task")
local ui = require("oo.ui")
local results = require("oo.results")

local b = browser.launch { headless = true }
local ctx = b:new_context()
local page = ctx:new_page()

-- A dialog in OptionOmega's shape: a labelled input, a switch that reveals its field 300 ms
-- after it turns on and hides it 300 ms after it turns off.
local dialog = [[
<style>button[role=switch] { width: 40px; height: 20px; }</style>
<div role="dialog">
  <div><label class="label">Profit Target</label><div><input class="input" value="50"></div></div>
  <div><button role="switch" aria-checked="false" id="sw" onclick="flip()"></button><span>Use Early Exit</span></div>
  <div id="rev"></div>
  <div><label class="label">Frequency</label><div><button class="selectInput" id="freq" onclick="openList()"><span class="truncate">Daily</span><span>v</span></button></div></div>
</div>
<script>
function openList() {
  const ul = document.createElement('ul');
  ul.setAttribute('role', 'listbox');
  for (const o of ['Daily', 'Weekly']) {
    const li = document.createElement('li');
    li.setAttribute('role', 'option');
    li.textContent = o;
    li.onclick = () => { freq.querySelector('.truncate').textContent = o; ul.remove(); };
    ul.appendChild(li);
  }
  document.body.appendChild(ul);
}
function flip() {
  const on = sw.getAttribute('aria-checked') !== 'true';
  sw.setAttribute('aria-checked', String(on));
  setTimeout(() => { rev.innerHTML = on ? '<div><label class="label">Early Exit Time</label><div><input class="input" value="15:45"></div></div>' : '' }, 300);
}
</script>]]
page:navigate("data:text/html," .. dialog)
local saved = ui.dialog_state(page)
check.eq(#saved, 3, "the snapshot holds the input, the switch and the listbox")
check.eq(saved[3][3], "Dailyv", "a listbox's item is all its button shows")

-- nothing differs: nothing to do
check.eq(task.restore_dialog(page, saved, 5000), 0, "an unchanged dialog needs no field set back")

-- the input changed, the switch on and its late field filled: all set back
page:fill(ui.input_target("Profit Target"), "70")
ui.set_toggle(page, "Use Early Exit", true)
page:wait_for(ui.input_target("Early Exit Time"), { state = "visible", timeout = 5000 })
page:fill(ui.input_target("Early Exit Time"), "15:00")
ui.choose(page, "Frequency", "Weekly")
check.eq(#ui.dialog_state(page), 4, "the switch revealed its field")
check.eq(task.restore_dialog(page, saved, 5000), 3, "three fields set back: the input, the switch and the listbox")
check.eq(require("json").encode(ui.dialog_state(page)), require("json").encode(saved), "the dialog is the saved one again")

-- back on, then restored while its field has not appeared yet: the late field is waited for
page:click(ui.toggle_target("Use Early Exit"))
check.eq(task.restore_dialog(page, saved, 5000), 1, "the switch set back before its field came")
page:wait_for_expression("document.getElementById('rev').innerHTML === ''", { timeout = 5000 })
check.eq(require("json").encode(ui.dialog_state(page)), require("json").encode(saved), "and the dialog is the saved one")

-- a field no action of the dialog brings back (here: one more input) is an error, promptly
page:eval("document.querySelector('[role=dialog]').insertAdjacentHTML('beforeend', '<div><label class=label>Extra</label><div><input value=1></div></div>')")
local ok, err = pcall(task.restore_dialog, page, saved, 5000)
check.ok(not ok, "a dialog whose fields differ is refused")
check.ok(tostring(err):find("cannot be set back", 1, true), tostring(err))

-- reuse_check_js: the test's page (and its results) only, never with a dialog open
local url = "data:text/html,<dl><dt>P/L</dt><dd>$1,000</dd><dt>CAGR</dt><dd>5.0%</dd></dl>"
page:navigate(url)
check.eq(page:eval(task.reuse_check_js("https://example.com/test/abc")), false, "another page is not the test's")
check.eq(page:eval(task.reuse_check_js(url)), true, "the test's page is")
check.eq(#page:eval(results.collect_js), 0, "the results on show are stale: oo.results skips them")
check.eq(page:eval(task.outcome_js), "", "and the outcome does not take them for the next backtest's")
page:eval("document.body.insertAdjacentHTML('beforeend', '<dl><dt>P/L</dt><dd>$2,000</dd></dl>')")
check.eq(page:eval(task.outcome_js), "results", "new results are")
local m = results.read(page)
check.eq(m.pl, 2000, "and they are the ones read")
page:eval("document.body.insertAdjacentHTML('beforeend', '<div role=dialog></div>')")
check.eq(page:eval(task.reuse_check_js(url)), false, "a page with a dialog open is not reused")

-- unpaint_js: a table of 20 rows or more is not laid out; a short one is; twice adds one sheet
local rows = {}
for i = 1, 25 do rows[i] = "<tr><td>" .. i .. "</td></tr>" end
page:navigate("data:text/html,<div><a download href='x.csv'>Download</a><table id='big'><tbody>" .. table.concat(rows) ..
  "</tbody></table></div><table id='small'><tbody><tr><td>leg</td></tr></tbody></table>")
check.eq(page:eval(task.unpaint_js()), true)
check.eq(page:eval(task.unpaint_js()), true)
check.eq(page:eval("document.querySelectorAll('style').length"), 1, "one style sheet however often it is asked")
check.eq(page:eval("getComputedStyle(document.getElementById('big')).display"), "none", "the long table is not laid out")
check.eq(page:eval("getComputedStyle(document.getElementById('small')).display"), "table", "a short table is")
check.eq(page:query("a[download]").visible, true, "the Download link stays visible")

ctx:close()
b:close()

-- open_dialog: a loaded page serves at most task.reuse_max tasks, then the test is loaded afresh.
-- A page that answers as the test's own would (what each call gets is written out below), and
-- the recordings each task replays, counted: a fresh load replays open_test.json.
local fake = { replays = {} }
function fake:eval(js)
  if js:find("__ooStale", 1, true) then return true end          -- reuse_check_js: on the test's page
  if js:find("what: 'structure'", 1, true) then return { what = "same" } end   -- dialog_difference_js
  return {}                                                        -- dialog_state_js: an empty dialog
end
function fake:replay(rec, opts)
  local name = rec.file:match("[^/]+$")
  self.replays[#self.replays + 1] = name
  if opts and opts.until_any then return 1 end                     -- replay_signed_in: the test's element came
  return {}
end
local env = { vars = { OO_TEST_URL = "https://optionomega.com/test/abc" } }
local session, loads = {}, 0
local saved_max = task.reuse_max
task.reuse_max = 3
for _ = 1, 7 do
  fake.replays = {}
  session.app = task.open_dialog(fake, env, session, 1000, nil, function() end)
  local loaded = false
  for _, n in ipairs(fake.replays) do loaded = loaded or n == "open_test.json" end
  if loaded then loads = loads + 1 end
end
task.reuse_max = saved_max
check.eq(loads, 3, "7 tasks, 3 at most on one load: loaded at tasks 1, 4 and 7")
check.eq(session.app.uses, 1, "the 7th task opened a fresh load")

check.done()
