-- oo.site: where OptionOmega is. The engine knows no site; this is the one place that names it.
-- OO_BASE_URL (flag, environment or config file) overrides it, e.g. to point at oo-sim.
local dates = require("oo.dates")
local M = {}

M.default_base_url = "https://optionomega.com"

function M.base_url()
  local v = os.getenv("OO_BASE_URL")
  if v and v ~= "" then return (v:gsub("/+$", "")) end
  -- The days OptionOmega has market data for: from its first trading day of 2013 to yesterday.
M.data_first = "2013-01-02"

-- first, last ("YYYY-MM-DD"); today: "YYYY-MM-DD" (default this machine's date).
function M.data_range(today)
  return M.data_first, dates.format(dates.parse(today or dates.today()) - 1)
end

return M.default_base_url
end

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
