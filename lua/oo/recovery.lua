-- oo.recovery: what went wrong in a failed attempt, what it leaves behind for the trader to see,
-- and what to do before the next one. The classes are the design's failure table:
--   timing        an element or a state did not come in time      -> retry (fresh context)
--   modal         the dialog would not close or open               -> retry (fresh context)
--   session       logged out under us                              -> log in again, carry on
--   browser       Chromium or the renderer died                    -> relaunch, carry on
--   site_error    OptionOmega answered with an error               -> retry, then skip
--   rate_limited  "Too many requests" / HTTP 429                   -> back off, retry
--   permanent     the task itself is wrong (a value out of range)  -> fail it at once
local fs = require("fs")
local json = require("json")
local sched = require("sched")
local M = {}

local function has(msg, ...)
  for _, needle in ipairs({ ... }) do
    if msg:lower():find(needle:lower(), 1, true) then return true end
  end
  return false
end

-- Reads the page (when it still answers) for signs OptionOmega shows.
local function page_signs(page)
  if not page then return {} end
  local ok, s = pcall(page.eval, page, [[(() => {
    const t = document.body ? document.body.innerText : '';
    return { text: t.slice(0, 4000), url: location.href,
             dialog: !!document.querySelector('[role=dialog]') };
  })()]])
  return ok and type(s) == "table" and s or {}
end

-- Failures that are not the task's: handled and carried on without using up an attempt.
M.carry_on = { session = true, browser = true, rate_limited = true }
function M.not_the_tasks(failure) return M.carry_on[failure.type] or failure.transient == true end

-- Failures after which the browser context is as good as before: OptionOmega answered with an
-- error, or asked us to slow down, and the page shows just that. The next attempt opens the
-- test afresh anyway; logging in again would only cost time.
M.keeps_session = { site_error = true, rate_limited = true }

function M.classify(err, page, keeper)
  local msg = tostring(err)
  local f = { message = msg, type = "timing" }
  if keeper and keeper.b and not keeper.b:alive() or has(msg, "browser is gone", "closed the connection",
      "renderer crashed", "target crashed", "this browser is closed", "page crashed") then
    f.type = "browser"
    return f
  end
  if has(msg, "unknown parameter", "is not an OptionOmega", "no leg", "legs, no leg", "below the minimum",
      "above the maximum") then
    f.type, f.permanent = "permanent", true
    return f
  end
  if has(msg, "signed us out") then
    f.type = "session"
    return f
  end
  if has(msg, "OptionOmega answered:") then
    f.type = has(msg, "Too many requests", "429") and "rate_limited" or "site_error"
    -- the page's request never got an answer (a dropped connection): the network's fault, not
    -- the backtest's; retried like a rate limit, without using up an attempt
    f.transient = has(msg, "Network error", "Failed to fetch") or nil
    return f
  end
  local signs = page_signs(page)
  local text = signs.text or ""
  if has(msg, "429") or has(text, "Too many requests") then
    f.type = "rate_limited"
  elseif has(text, "Sign in", "Log in") and not signs.dialog and signs.url and not signs.url:find("/test/", 1, true) then
    f.type = "session"
  elseif has(text, "Backtest failed", "Something went wrong", "error") and not signs.dialog and has(msg, "P/L", "results", "dt") then
    f.type = "site_error"
  elseif signs.dialog and has(msg, "dialog", "detached", "hidden") then
    f.type = "modal"
  end
  return f
end

-- Saves what the page shows: screenshot (PNG), HTML (password inputs blanked by the engine),
-- console log and the page's recent network log, under dir/task-<id>-<attempt>.*
function M.artifacts(page, dir, t, failure)
  local out = {}
  if not page then return out end
  fs.mkdir(dir)
  local base = string.format("%s/task-%d-attempt-%d", dir, t.id, (t.attempts or 0) + 1)
  local ok, png = pcall(page.screenshot, page)
  if ok and png and fs.write(base .. ".png", png) then out.screenshot = base .. ".png" end
  local okh, html = pcall(page.html, page)
  if okh and html and fs.write(base .. ".html", html) then out.html = base .. ".html" end
  local okc, console = pcall(page.console, page)
  if okc and console then out.console = console end
  if page.network then
    local okn, net = pcall(page.network, page)
    if okn and net and fs.write(base .. ".network.json", json.encode(net)) then out.network_log = base .. ".network.json" end
  end
  return out
end

-- Before the next attempt: a rate limit backs off (with jitter); the rest needs only the fresh
-- context the runner gives every worker after a failure.
function M.after(failure, keeper)
  if failure.type == "rate_limited" then
    sched.delay(5000 + math.random(0, 5000))
  end
end

return M
