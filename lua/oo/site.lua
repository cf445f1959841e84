-- oo.site: where OptionOmega is. The engine knows no site; this is the one place that names it.
-- The base_url setting (OO_BASE_URL, from the environment, ./.env or the config file) overrides
-- it, e.g. to point at oo-sim.
local dates = require("oo.dates")
local M = {}

M.default_base_url = "https://optionomega.com"

function M.base_url()
  local v = require("config").get("base_url")
  if v and v ~= "" then return (v:gsub("/+$", "")) end
  return M.default_base_url
end

-- What the backtest flow never needs, and Chromium need not fetch, decode or paint: images,
-- web fonts and media (the flow reads text, fills fields and downloads a CSV), and the
-- third-party hosts a real site loads for analytics, tag managers, session recording, ads and
-- chat widgets. Patterns for Network.setBlockedURLs: '*' matches anything, the whole URL must
-- match. OO_BLOCK_REQUESTS=0 loads everything, as a browser would.
M.blocked_urls = {
  -- images (not SVG: icons and buttons may be SVG), fonts, media
  "*.png", "*.png?*", "*.jpg", "*.jpg?*", "*.jpeg", "*.jpeg?*", "*.gif", "*.gif?*", "*.webp", "*.webp?*",
  "*.avif", "*.avif?*", "*.ico", "*.ico?*",
  "*.woff", "*.woff?*", "*.woff2", "*.woff2?*", "*.ttf", "*.ttf?*", "*.otf", "*.otf?*",
  "*.mp4", "*.mp4?*", "*.webm", "*.webm?*", "*.mp3", "*.mp3?*",
  -- analytics, tag managers, session recording, ads, chat widgets
  "*://*.google-analytics.com/*", "*://*.googletagmanager.com/*", "*://*.doubleclick.net/*",
  "*://*.googlesyndication.com/*", "*://connect.facebook.net/*", "*://*.hotjar.com/*", "*://*.hotjar.io/*",
  "*://*.clarity.ms/*", "*://*.fullstory.com/*", "*://*.segment.com/*", "*://*.segment.io/*",
  "*://*.mixpanel.com/*", "*://*.amplitude.com/*", "*://*.heapanalytics.com/*",
  "*://*.intercom.io/*", "*://*.intercomcdn.com/*", "*://*.crisp.chat/*", "*://*.tawk.to/*",
  "*://*.drift.com/*", "*://*.driftt.com/*", "*://*.zdassets.com/*", "*://*.hs-scripts.com/*",
  "*://*.hs-analytics.net/*", "*://*.sentry.io/*", "*://*.sentry-cdn.com/*",
}

-- The block list in force: M.blocked_urls, or none when OO_BLOCK_REQUESTS is off.
function M.block_list()
  local v = require("config").get("block_requests")
  if v and (v == "0" or v:lower() == "false" or v:lower() == "no" or v:lower() == "off") then return {} end
  return M.blocked_urls
end

-- What the flow only downloads, never reads on screen: the Trade Log tab's table of trades (up to
-- 500 rows; the CSV behind its Download link holds every trade). This style sheet keeps such a
-- table out of layout and paint (a table of 20 rows or more: no other table of the results page
-- has as many); the rows are still built, the tab and its Download link are untouched.
M.unpainted_css = "table:has(> tbody > tr:nth-child(20)) { display: none !important; }"

-- What OptionOmega shows while a backtest runs: after Run its "Running Backtest" popup stays
-- until the backtest is done (or failed), and run_backtest.json waits for it to go. Its going,
-- when it was seen on screen first, is the site's own word that the backtest is over: the next
-- tab of the browser may press Run then (oo.runner's gate), while this one reads its results.
-- Selectors as the recordings write them; a recording that waits for none of them keeps the
-- gate until the results are on screen.
M.backtest_busy = { "text/Running Backtest" }

-- Where the site says it refused a sign-in (wrong email or password): an alert inside the form
-- that still asks for the password. The flow's own sign-in is login.json; this is only what it
-- shows instead of the signed-in page when the credentials are wrong (selectors as a recording
-- gives them: a list of alternatives, each a list of one selector).
M.login_error_selectors = { { "form:has(input[type='password']) [role='alert']" } }

-- Is url a test page of this site (".../test/<id>")? Returns the id.
function M.test_id(url)
  return type(url) == "string" and url:match("^https?://[^/]+/test/([%w_-]+)/?$") or nil
end

-- The days OptionOmega has market data for: from its first trading day of 2013 to yesterday.
M.data_first = "2013-01-02"

-- first, last ("YYYY-MM-DD"); today: "YYYY-MM-DD" (default this machine's date).
function M.data_range(today)
  return M.data_first, dates.format(dates.parse(today or dates.today()) - 1)
end

return M
