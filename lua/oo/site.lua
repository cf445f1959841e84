-- oo.site: where OptionOmega is. The engine knows no site; this is the one place that names it.
-- OO_BASE_URL (flag, environment or config file) overrides it, e.g. to point at oo-sim.
local M = {}

M.default_base_url = "https://optionomega.com"

function M.base_url()
  local v = os.getenv("OO_BASE_URL")
  if v and v ~= "" then return (v:gsub("/+$", "")) end
  return M.default_base_url
end

-- Is url a test page of this site (".../test/<id>")? Returns the id.
function M.test_id(url)
  return type(url) == "string" and url:match("^https?://[^/]+/test/([%w_-]+)/?$") or nil
end

return M
