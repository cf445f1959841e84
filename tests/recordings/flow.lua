-- One backtest through the five recordings of a folder, on one page (one session), the way the
-- run engine chains them: login, open_test, new_backtest, run_backtest, trade_log.
-- usage: oo-automator lua flow.lua RECORDINGS_DIR DOWNLOADS_DIR [MAX_TIMEOUT_MS]
-- (MAX_TIMEOUT_MS caps every step's wait: for flows expected to fail, to fail fast)
-- Needs OO_BASE_URL, OO_EMAIL, OO_PASSWORD and OO_TEST_URL in the environment (the recordings'
-- {{placeholders}}). Prints "downloaded PATH" and the CSV's first line; on a failure prints the
-- replay's error (file, step, selectors tried) on stderr and returns 1.
local browser = require("browser")
local fs = require("fs")

local dir, downloads, max_timeout = arg[1], arg[2], tonumber(arg[3])
if not dir or not downloads then
  io.stderr:write("usage: oo-automator lua flow.lua RECORDINGS_DIR DOWNLOADS_DIR [MAX_TIMEOUT_MS]\n")
  return 2
end

local b = browser.launch {}
local ok, err = pcall(function()
  local ctx = b:new_context()
  ctx:set_download_dir(downloads)
  local page = ctx:new_page()
  for _, name in ipairs { "login.json", "open_test.json", "new_backtest.json", "run_backtest.json" } do
    page:replay(dir .. "/" .. name, { max_timeout = max_timeout })
    print("replayed " .. name .. " at " .. page:url())
    -- each recording's end state, as the run engine relies on it
    if name == "login.json" then
      assert(page:query("table tbody tr td a").count >= 1, "login.json ended without the saved tests")
    elseif name == "new_backtest.json" then
      -- fully rendered (oo-sim's slow fault) and usable (its overlay fault gone)
      assert(page:query("[role=dialog] h3").count >= 8, "new_backtest.json ended before the sections rendered")
      assert(page:query("div.overlay-block").count == 0, "new_backtest.json ended under the overlay")
    elseif name == "run_backtest.json" then
      assert(page:query("[role=dialog]").count == 0, "run_backtest.json ended with the dialog open")
      assert(page:url():find("/backtests/bt_", 1, true), "run_backtest.json ended off the results page: " .. page:url())
    end
  end
  -- the trade log's download is expected before the recording clicks it
  local dl = page:expect_download { timeout = 30000 }
  page:replay(dir .. "/trade_log.json", { max_timeout = max_timeout })
  local file = dl:wait()
  print("downloaded " .. file.path)
  local csv = assert(fs.read(file.path))
  print("csv header: " .. csv:match("^[^\r\n]*"))
end)
b:close()
if not ok then
  io.stderr:write(tostring(err), "\n")
  return 1
end
return 0
