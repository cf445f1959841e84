-- oo.record_check: `oo-automator record-check FILE [--url URL]` — which selectors of a Chrome
-- DevTools Recorder recording still resolve on the site, step by step. The engine's C command
-- validates the file and its flags and runs this file with key=value arguments; everything
-- that is OptionOmega (which click starts a backtest, which recording logs in, which flow needs
-- which start state) is here, not in C.
--
-- For each step with selectors: wait (up to the step's timeout, or --timeout) until one of its
-- alternatives shows an element, count what every alternative matches (OK(n), or BROKEN(why)),
-- then perform the step so the next one finds its page. A click that would start a backtest is
-- probed but never performed: the check stops there. Exit status 0 when every selector of every
-- step reached resolved and every step passed, else 1.
local M = {}

-- ---- OptionOmega ---------------------------------------------------------------------------
-- The labels of the button that starts a backtest (the New Backtest dialog's "Run"; oo-sim's
-- changed UI, --ui-variant 2, calls it "Start Backtest").
M.run_labels = { "Run", "Start Backtest" }
-- The recording that logs in, and the one file name that needs no login first.
M.login_file = "login.json"
-- Recordings replayed (from the login recording's folder) after --url and before the checked
-- one, to reach its start state: run_backtest.json starts with the dialog open.
M.before = { ["run_backtest.json"] = { "new_backtest.json" } }
-- Where each flow starts, for a hint when --url is missing.
M.starts_on = {
  ["new_backtest.json"] = "a test page (--url https://optionomega.com/test/<id>)",
  ["run_backtest.json"] = "a test page (--url https://optionomega.com/test/<id>)",
  ["trade_log.json"] = "a results page (--url https://optionomega.com/test/<id>/backtests/<id>)",
}

-- ---- the names a selector refers to ----------------------------------------------------------
local function norm(s) return (s:gsub("%s+", " "):gsub("^ ", ""):gsub(" $", "")) end
local function unquote(s)
  s = norm(s)
  local q = s:sub(1, 1)
  if (q == '"' or q == "'") and s:sub(-1) == q and #s >= 2 then return s:sub(2, -2) end
  return s
end

-- The accessible names and texts a selector names: aria/NAME[role=..], text/NAME, text=NAME,
-- :text-is('NAME'), :has-text('NAME'), :text('NAME'), and XPath text comparisons.
function M.names_in(selector)
  local out = {}
  local function add(s) if s and s ~= "" then out[#out + 1] = unquote(s) end end
  local aria = selector:match("^aria/(.*)$")
  if aria then add((aria:gsub("%[role=[\"']?[%w-]+[\"']?%]$", ""))) end
  add(selector:match("^text/(.*)$") or selector:match("^text=(.*)$"))
  for _, fn in ipairs { "text%-is", "has%-text", "text" } do
    for arg in selector:gmatch(":" .. fn .. "%(%s*(['\"].-['\"])%s*%)") do add(arg) end
  end
  if selector:find("^xpath") or selector:find("^//") then
    for arg in selector:gmatch("normalize%-space%(%.?%)%s*=%s*(['\"].-['\"])") do add(arg) end
    for arg in selector:gmatch("text%(%)%s*=%s*(['\"].-['\"])") do add(arg) end
    for arg in selector:gmatch("contains%([^,]+,%s*(['\"].-['\"])%s*%)") do add(arg) end
  end
  return out
end

local function is_run_label(s)
  if type(s) ~= "string" then return false end   -- (json.null when nothing matched)
  s = norm(s)
  for _, l in ipairs(M.run_labels) do if s == l then return true end end
  return false
end

-- Would this step start a backtest? A click whose selectors name the Run button, or (text,
-- when the element was found) whose element reads "Run".
function M.runs_backtest(step, text)
  if step.type ~= "click" and step.type ~= "doubleClick" then return false end
  for _, alt in ipairs(step.selectors or {}) do
    for _, part in ipairs(type(alt) == "table" and alt or { alt }) do
      for _, name in ipairs(M.names_in(part)) do
        if is_run_label(name) then return true end
      end
    end
  end
  return is_run_label(text)
end

-- ---- checking -----------------------------------------------------------------------------
local ACTIONS = { click = true, doubleClick = true, hover = true, change = true, scroll = true }

local function basename(p) return p:match("([^/]+)$") or p end
local function dirname(p) return p:match("^(.*)/[^/]*$") or "." end
local function exists(p) return require("fs").exists(p) end

-- An error of a page call without the Lua position, on one line (the tried list follows it).
local function reason(e)
  e = tostring(e):gsub("^[^\n]-%.lua:%d+: ", ""):gsub("^[^\n]-: step %d+ %(%a+%) failed: ", "")
  return (e:match("^[^\n]*"))
end

-- A step that waits for something to go away (or for none of it): its selectors match nothing
-- when all is well.
local function expects_absence(step)
  if step.type ~= "waitForElement" then return false end
  if step.visible == false then return true end
  return step.count == 0 and (step.operator == "==" or step.operator == "<=")
end

local function needs_visible(step)
  return ACTIONS[step.type] or (step.type == "waitForElement" and step.visible == true)
end

-- Every alternative of the step: OK(n) or BROKEN(why).
local function probe(page, step)
  local target = { selectors = step.selectors, frame = step.frame }
  local ok, q = pcall(page.query, page, target)
  if not ok then return nil, reason(q) end
  local res, broken = {}, 0
  for _, t in ipairs(q.tried or {}) do
    local r = { selector = t.selector, count = t.count or 0 }
    if r.count == 0 then
      r.broken = t.reason or "no element matches"
    elseif needs_visible(step) and (t.visible or 0) == 0 then
      r.broken = string.format("%d match%s, none visible", r.count, r.count == 1 and "" or "es")
    end
    if r.broken then broken = broken + 1 end
    res[#res + 1] = r
  end
  return res, nil, broken, q.text
end

local function render(res)
  local parts = {}
  for _, r in ipairs(res) do
    parts[#parts + 1] = (r.broken and ("BROKEN(" .. r.broken .. ")") or ("OK(" .. r.count .. ")")) .. " " .. r.selector
  end
  return table.concat(parts, "  |  ")
end

-- Checks one recording on a page already in its start state. Returns the summary counts.
-- Timing baselines: a step that passed is SLOW when it took more than slow_factor times its
-- baseline's 95th percentile (and slow_margin_ms over it), the baseline holding at least
-- slow_min_samples durations of runs of this recording (the run engine stores them).
M.slow_factor, M.slow_margin_ms, M.slow_min_samples = 3, 250, 5

-- What the step's duration says against its baseline: "" without one, else its time beside
-- the baseline's, or " -- SLOW(...)"; and whether it is slow.
function M.slow_note(baselines, i, type, ms)
  local b = baselines and baselines[i]
  if not b or b.type ~= type or (b.n or 0) < M.slow_min_samples then return "", false end
  if ms > M.slow_factor * b.p95 and ms > b.p95 + M.slow_margin_ms then
    return string.format("  -- SLOW(%.0f ms; its baseline: %.0f ms at the 95th percentile of %d durations)", ms, b.p95, b.n), true
  end
  return string.format("  (%.0f ms; baseline %.0f ms)", ms, b.p95), false
end

-- What check_steps shares between its steps: the page, the summary, the step's start time, and
-- line(), step_timeout(), perform().
local function step_checker(page, rec, opts, out, sum)
  local clock = require("time")
  local c = { page = page, sum = sum, t0 = nil }
  function c.line(i, s, text)
    local note = ""
    if c.t0 and not text:find("FAILED", 1, true) and not text:find("stopped:", 1, true) then
      local slow
      note, slow = M.slow_note(opts.baselines, i, s.type, clock.now_ms() - c.t0)
      if slow then sum.slow = sum.slow + 1 end
    end
    sum.results[#sum.results + 1] = { step = i, type = s.type, result = text .. note }
    out(string.format("%3d  %-18s %s%s", i, s.type, text, note))
  end
  function c.step_timeout(s)
    local t = s.timeout or rec.timeout or 5000
    if opts.timeout and opts.timeout > 0 and t > opts.timeout then t = opts.timeout end
    return t
  end
  function c.perform(i)
    return pcall(page.replay, page, rec, { from = i, to = i + 1, vars = opts.vars, max_timeout = opts.timeout })
  end
  return c
end

-- A failed step: counted and printed. Returns true (the check stops).
local function step_failed(c, i, s, text)
  c.sum.failed = c.sum.failed + 1
  c.line(i, s, text)
  return true
end

-- Waits for the step's element to be visible; a waitForElement is itself the wait, so it is
-- performed. Returns performed, its error (or nil), found.
local function reach(c, i, s)
  if s.type == "waitForElement" then
    local ok, e = c.perform(i)
    return true, (not ok) and reason(e) or nil, ok
  end
  local target = { selectors = s.selectors, frame = s.frame }
  local ok = pcall(c.page.wait_for, c.page, target, { state = "visible", timeout = c.step_timeout(s) })
  return false, nil, ok
end

-- A step with selectors: reach it, probe every alternative, then perform it (unless it would
-- run a backtest). Returns true when the check stops here.
local function check_selector_step(c, i, s)
  local performed, perr, found = reach(c, i, s)
  local res, qerr, broken, text = probe(c.page, s)
  if not res then return step_failed(c, i, s, "FAILED(" .. qerr .. ")") end
  local sum = c.sum
  sum.broken = sum.broken + broken
  sum.ok = sum.ok + (#res - broken)
  if broken > 0 then sum.broken_steps[#sum.broken_steps + 1] = i end
  if M.runs_backtest(s, text) then
    c.line(i, s, render(res) .. "  -- stopped: this click would run a backtest (not performed)")
    sum.stopped = i
    return true
  end
  if not found then
    return step_failed(c, i, s, render(res) .. "  -- FAILED(" .. (perr or ("no alternative showed an element within " .. c.step_timeout(s) .. " ms")) .. ")")
  end
  if not performed then
    local ok, e = c.perform(i)
    perr = (not ok) and reason(e) or nil
  end
  if perr then return step_failed(c, i, s, render(res) .. "  -- FAILED(" .. perr .. ")") end
  c.line(i, s, render(res))
  return false
end

-- A step without selectors to probe (navigate, keys, an expected absence...): performed.
local function check_plain_step(c, i, s)
  local ok, e = c.perform(i)
  local what = s.type == "navigate" and ("done (" .. c.page:url() .. ")")
    or expects_absence(s) and "OK(0) absent, as the step expects" or "done"
  if not ok then return step_failed(c, i, s, "FAILED(" .. reason(e) .. ")") end
  c.line(i, s, what)
  return false
end

function M.check_steps(page, file, rec, opts, out)
  local steps = rec:steps()
  local sum = { steps = #steps, checked = 0, ok = 0, broken = 0, failed = 0, broken_steps = {}, stopped = nil, slow = 0 }
  sum.results = {}
  local c = step_checker(page, rec, opts, out, sum)
  local clock = require("time")
  local i = 0
  while i < #steps do
    local s = steps[i + 1]
    c.t0 = clock.now_ms()
    sum.checked = sum.checked + 1
    local stop
    if s.selectors and not expects_absence(s) then stop = check_selector_step(c, i, s)
    else stop = check_plain_step(c, i, s) end
    i = i + 1
    if stop then break end
  end
  c.t0 = nil
  for j = i, #steps - 1 do c.line(j, steps[j + 1], sum.stopped and "not checked (it comes after the backtest)" or "not reached") end
  return sum
end

-- The login recording: --login, else login.json next to FILE, in OO_RECORDINGS, in recordings/.
local function find_login(opts)
  if opts.login then return opts.login end
  local fs = require("fs")
  for _, d in ipairs { dirname(opts.file), opts.recordings, fs.resource("recordings") } do
    if d and d ~= "" and exists(d .. "/" .. M.login_file) then return d .. "/" .. M.login_file end
  end
  return nil
end

-- Brings the page to where recording `name` starts: logged in, on --url, after the recordings
-- that come before it. A failed setup is said, and the check goes on from wherever it is.
local function set_up(page, name, login, opts, out)
  local vars = opts.vars
  local function setup(what, fn)
    local okc, e = pcall(fn)
    if okc then out("setup: " .. what)
    else out("setup: FAILED " .. what .. ": " .. reason(e) .. " (the steps below start from wherever the browser is)") end
    return okc
  end
  if name ~= M.login_file and login then
    if vars.OO_EMAIL and vars.OO_EMAIL ~= "" then
      setup("logged in with " .. login, function() page:replay(login, { vars = vars, max_timeout = opts.timeout }) end)
    else
      out("setup: not logging in (OO_EMAIL is not set)")
    end
  end
  if opts.url and opts.url ~= "" then
    setup("opened " .. opts.url, function() page:navigate(opts.url, { timeout = 30000 }) end)
  elseif M.starts_on[name] then
    out("note: " .. name .. " starts on " .. M.starts_on[name])
  end
  for _, before in ipairs(M.before[name] or {}) do
    local f = dirname(login or opts.file) .. "/" .. before
    if exists(f) then
      setup("replayed " .. f, function() page:replay(f, { vars = vars, max_timeout = opts.timeout }) end)
    end
  end
end

-- The summary line of check_steps' counts (record-check prints it last).
function M.summary(sum)
  local msg = string.format("summary: %d of %d steps checked; %d selectors OK, %d BROKEN", sum.checked, sum.steps, sum.ok, sum.broken)
  if #sum.broken_steps > 0 then
    local idx = {}
    for _, n in ipairs(sum.broken_steps) do idx[#idx + 1] = tostring(n) end
    msg = msg .. " (step" .. (#idx > 1 and "s " or " ") .. table.concat(idx, ", ") .. ")"
  end
  if sum.failed > 0 then msg = msg .. "; a step FAILED" end
  if sum.slow > 0 then msg = msg .. string.format("; %d step%s SLOW against the baseline of earlier runs (the site may have changed)", sum.slow, sum.slow > 1 and "s" or "") end
  if sum.stopped then msg = msg .. string.format("; stopped before step %d, which would run a backtest", sum.stopped) end
  return msg
end

-- opts: file, url, login (a recording), timeout (ms, caps every wait), headless, downloads
-- (folder for a download the recording triggers), recordings (OO_RECORDINGS), vars
-- ({OO_EMAIL, OO_PASSWORD, OO_BASE_URL}); out(line) prints. Returns the exit status.
function M.check(opts, out)
  out = out or print
  -- parsed once, by the engine's Recorder parser (its errors name the JSON path), then replayed
  -- step by step from that one object
  local okr, rec = pcall(require("browser").recording, opts.file)
  if not okr then out("record-check: " .. tostring(rec)); return 2 end
  local vars = opts.vars or {}
  if not vars.OO_BASE_URL or vars.OO_BASE_URL == "" then vars.OO_BASE_URL = require("oo.site").base_url() end
  vars.OO_BASE_URL = vars.OO_BASE_URL:gsub("/+$", "")
  opts.vars = vars
  local name = basename(opts.file)
  out(string.format("record-check %s: %d steps%s", opts.file, #rec, rec.title ~= "" and (" (\"" .. rec.title .. "\")") or ""))
  local login = find_login(opts)
  local b = require("browser").launch { headless = opts.headless ~= false }
  local status = 0
  local ok, err = pcall(function()
    local ctx = b:new_context()
    if opts.downloads then ctx:set_download_dir(opts.downloads) end
    local page = ctx:new_page()
    set_up(page, name, login, opts, out)
    local sum = M.check_steps(page, opts.file, rec, opts, out)
    out(M.summary(sum))
    status = (sum.broken > 0 or sum.failed > 0) and 1 or 0
    opts.summary = sum
  end)
  b:close()
  if not ok then
    out("record-check: " .. tostring(err))
    return 1
  end
  return status
end

-- Run as a program by `oo-automator record-check` (arguments key=value); required, a module.
function M.main(args)
  local opts = { vars = {} }
  for _, a in ipairs(args) do
    local k, v = a:match("^([%w_]+)=(.*)$")
    if k == "timeout" then opts.timeout = tonumber(v)
    elseif k == "headless" then opts.headless = v ~= "0"
    elseif k == "baselines" then
      -- the run engine's timing baselines of this recording, by step index
      local ok, list = pcall(require("json").decode, v)
      opts.baselines = {}
      if ok and type(list) == "table" then for _, b in ipairs(list) do opts.baselines[b.step] = b end end
    elseif k and k:match("^OO_") then opts.vars[k] = v
    elseif k then opts[k] = v ~= "" and v or nil end
  end
  if opts.json ~= "1" then return M.check(opts, print) end
  -- --json: the same report as one object: the lines (setup, notes, summary), each step's
  -- result and the counts
  local lines = {}
  local status = M.check(opts, function(l) lines[#lines + 1] = l end)
  local sum = opts.summary or {}
  local json = require("json")
  print(json.encode({ file = opts.file, status = status, lines = json.array(lines),
    steps = json.array(sum.results or {}), summary = { steps = sum.steps, checked = sum.checked, ok = sum.ok,
    broken = sum.broken, failed = sum.failed, slow = sum.slow, stopped_before = sum.stopped } }))
  return status
end

local first = ...
if type(first) == "string" and first:find("^file=") then return M.main({ ... }) end
return M
