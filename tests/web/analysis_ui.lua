-- analysis_ui.lua RECORDING ARTIFACTS NAME=VALUE...: replays a recording of using the
-- dashboard (Chrome DevTools Recorder format, {{NAME}} filled from the arguments) in headless
-- Chromium with the engine's own replay, then fails on any error or exception the pages
-- logged to the console (but one the recording provokes on purpose: EXPECTED_CONSOLE). On a
-- failure the screenshot, the HTML and the console go to ARTIFACTS. Exit 0 when every step
-- passed and the console is clean.
local browser = require("browser")
local fs = require("fs")
local json = require("json")

local recording, artifacts = arg[1], arg[2]
local vars = {}
for i = 3, #arg do
  local k, v = arg[i]:match("^([%w_]+)=(.*)$")
  if k then vars[k] = v end
end

local b = browser.launch { headless = true }
local page = b:new_context():new_page()
local ok, err = pcall(page.replay, page, recording, { vars = vars, timeout = 30000 })
local problems = {}
if not ok then problems[#problems + 1] = "replay: " .. tostring(err) end
-- EXPECTED_CONSOLE=text: a console error holding that text is one the recording provokes (a
-- request the server is to refuse, e.g. a 400); any other still fails
local expected = vars.EXPECTED_CONSOLE
for _, c in ipairs(page:console()) do
  if (c.level == "error" or c.level == "exception" or c.level == "assert")
      and not (expected and tostring(c.text):find(expected, 1, true)) then
    problems[#problems + 1] = string.format("console %s: %s", c.level, c.text)
  end
end
if #problems > 0 then
  fs.mkdir(artifacts)
  local okshot, shot = pcall(page.screenshot, page, true)
  if okshot and shot then fs.write(artifacts .. "/screenshot.png", shot) end
  local okhtml, html = pcall(page.html, page)
  if okhtml and html then fs.write(artifacts .. "/page.html", html) end
  fs.write(artifacts .. "/console.json", json.encode(page:console(), { indent = true }))
  for _, p in ipairs(problems) do io.stderr:write(p, "\n") end
  io.stderr:write("artifacts in ", artifacts, "\n")
end
b:close()
print(#problems == 0 and "the pages passed with a clean console" or (#problems .. " problems"))
return #problems == 0 and 0 or 1
