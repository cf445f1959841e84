-- oo.site's block list (request blocking): what it blocks, and that it never blocks the site.
-- The patterns are Network.setBlockedURLs globs ('*' matches anything, the whole URL must
-- match); this test matches them the same way, with its own translation to Lua patterns.
local check = require("check")
local site = require("oo.site")

local function glob(p) return "^" .. p:gsub("[%^%$%(%)%%%.%[%]%+%-%?]", "%%%0"):gsub("%*", ".*") .. "$" end
local function blocked(url)
  for _, p in ipairs(site.block_list()) do if url:match(glob(p)) then return p end end
  return nil
end

check.ok(#site.block_list() > 0, "blocking is on by default (OO_BLOCK_REQUESTS)")
for _, p in ipairs(site.blocked_urls) do check.ok(type(p) == "string" and p:find("*", 1, true), "a glob: " .. tostring(p)) end

-- what the flow never needs
for _, url in ipairs {
  "https://optionomega.com/img/logo.png", "https://optionomega.com/assets/hero.jpg?v=3",
  "https://optionomega.com/fonts/inter.woff2", "https://cdn.example.com/intro.mp4",
  "https://www.google-analytics.com/g/collect?v=2", "https://www.googletagmanager.com/gtm.js?id=GTM-X",
  "https://widget.intercom.io/widget/abc", "https://static.hotjar.com/c/hotjar-1.js",
  "https://o123.ingest.sentry.io/api/1/envelope/",
} do check.ok(blocked(url), "blocked: " .. url) end

-- the site itself, its API, its scripts and styles, the trade log's CSV, and oo-sim
for _, url in ipairs {
  "https://optionomega.com/", "https://optionomega.com/test/abc123", "https://optionomega.com/test/abc123/backtests/bt_9",
  "https://app.optionomega.com/api/backtests/bt_9/results", "https://optionomega.com/assets/app.js",
  "https://optionomega.com/assets/app.css", "https://optionomega.com/api/backtests/bt_9/tradelog.csv",
  "https://optionomega.com/icons/run.svg", "http://127.0.0.1:40709/test/WMRcBqAs",
  "http://127.0.0.1:40709/vendor/vue/dist/vue.esm-browser.prod.js",
} do check.eq(blocked(url), nil, "not blocked: " .. url) end
check.done()
