-- oo.doctor: `oo-automator doctor`, what stands between this machine and a night run. Each
-- check says OK and what it found, or FAIL with what is wrong and the fix. Nothing is changed:
-- the database is opened read-only, no file is written.
--
-- The generic pieces come from C (`probe`: find Chromium and its version, open the database
-- read-only, parse a recording, a file's mode; `browser`: start Chromium); what is OptionOmega
-- (which recordings a task needs, what its sign-in looks like, where the site is) comes from
-- oo.task and oo.site, the code runs use.
local config = require("config")
local fs = require("fs")
local time = require("time")
local M = {}

local function ok(detail) return { status = "OK", detail = detail } end
local function fail(detail, fix) return { status = "FAIL", detail = detail, fix = fix } end
local function skip(detail) return { status = "SKIP", detail = detail } end

local function seconds(t0) return string.format("%.1f s", (time.now_ms() - t0) / 1000) end
local function reason(e)
  if type(e) == "table" then return tostring(e.msg or e.message or e.code) end
  return (tostring(e):gsub("^[^:]*%.lua:%d+: ", ""))
end

-- ---- the checks: each takes the shared state (st) and returns ok/fail/skip ----------------

local function check_chromium(st)
  local found, err = require("probe").chromium()
  if not found then
    return fail(err, "apt-get install chromium, or set OO_CHROMIUM to the path of a Chromium or Chrome")
  end
  st.chromium = found
  return ok(found.version .. " at " .. found.path)
end

local function check_headless(st)
  if not st.chromium then return skip("not tried: no Chromium") end
  local t0 = time.now_ms()
  local okl, b = pcall(require("browser").launch, { headless = not st.headed, timeout = 60000 })
  if not okl then
    return fail("it did not start: " .. reason(b),
      "run `oo-automator -vv doctor` to see Chromium's own messages; a container may need more /dev/shm")
  end
  st.browser = b
  local okp, answer = pcall(function()
    st.page = b:new_context():new_page()
    return st.page:eval("6 * 7")
  end)
  if not okp or answer ~= 42 then
    return fail("it started, but a page does not answer over CDP: " .. reason(answer),
      "run `oo-automator -vv doctor` to see Chromium's own messages")
  end
  return ok(string.format("starts %s and answers CDP (%s) in %s", st.headed and "headed" or "headless",
    b:version(), seconds(t0)))
end

local function check_database()
  local path = config.get("db_path")
  if not fs.exists(path) then return ok("no database yet at " .. path .. ": the first run creates it") end
  local info, err = require("probe").store(path)
  if not info then return fail(err, "see above; --db or OO_DB_PATH names another database") end
  return ok(string.format("%s: schema %d, the current one (opened read-only)", path, info.schema))
end

local function check_private(path, what, want)
  local mode = require("probe").mode(path)
  if not mode then return nil end
  if mode & 63 ~= 0 then   -- any bit for group or others (0077)
    return string.format("%s %s is mode %04o: other users of this machine can read it", what, path, mode),
      string.format("chmod %o %s", want, path)
  end
end

local function check_data_dir()
  local dir = config.get("data_dir")
  if not fs.exists(dir) then return ok(dir .. " does not exist yet: the first run creates it") end
  local why, fix = check_private(dir, "the data dir", 448)   -- 0700
  if why then return fail(why, fix) end
  why, fix = check_private(dir .. "/password", "the password file", 384)   -- 0600
  if why then return fail(why, fix) end
  return ok(dir .. " is private (0700)")
end

local function check_recordings()
  local task, probe = require("oo.task"), require("probe")
  local where = {}
  for _, name in ipairs(task.flows) do
    local found, path = pcall(task.recording, name)
    if not found then
      return fail(reason(path), "reinstall oo-automator, or set OO_RECORDINGS to the folder of your recordings")
    end
    local parsed, err = probe.recording(path)
    if not parsed then
      return fail(err, "re-export " .. name .. " from Chrome's Recorder (see recordings/README.md)")
    end
    local dir = path:match("^(.*)/[^/]*$") or "."
    if not where[dir] then where[#where + 1] = dir; where[dir] = true end
  end
  return ok(string.format("%d present and parse (%s) in %s", #task.flows, table.concat(task.flows, ", "),
    table.concat(where, " and ")))
end

local function check_parameters()
  local params = require("oo.parameters")
  local registry, errors = params.discover()
  local names = params.names(registry)
  if #errors > 0 then
    return fail(string.format("%d of %d do not load:\n%s", #errors, #errors + #names, table.concat(errors, "\n")),
      "fix the file at the line named, or move it out of parameters/ and OO_PARAMETERS_PATH")
  end
  if #names == 0 then
    return fail("none found in " .. table.concat(params.dirs(), ", "),
      "reinstall oo-automator, or point OO_PARAMETERS_PATH at your parameter scripts")
  end
  return ok(string.format("%d load: %s", #names, table.concat(names, ", ")))
end

local function check_credentials()
  local missing = {}
  if not config.get("email") then missing[#missing + 1] = "OO_EMAIL" end
  if not config.secret("password") then missing[#missing + 1] = "OO_PASSWORD" end
  if #missing > 0 then
    return fail(table.concat(missing, " and ") .. " not set",
      "put OO_EMAIL=... and OO_PASSWORD=... in ~/.config/oo-automator/config (chmod 600), "
        .. "or set them in the environment or on the dashboard's Settings page")
  end
  return ok("OO_EMAIL and OO_PASSWORD are set (not shown)")
end

local function base_url()
  local v = config.get("base_url")
  return v and (v:gsub("/+$", "")) or require("oo.site").base_url()
end

local function check_site(st)
  local url = base_url()
  if not st.page then return skip("not tried: Chromium did not start (" .. url .. ")") end
  local t0 = time.now_ms()
  local okn, err = pcall(st.page.navigate, st.page, url .. "/", { timeout = 30000, wait = "domcontentloaded" })
  if not okn then
    return fail(url .. " does not answer: " .. reason(err),
      "check OO_BASE_URL, and that this machine reaches " .. url .. " (network, proxy, firewall)")
  end
  local status = st.page:eval("(performance.getEntriesByType('navigation')[0] || {}).responseStatus || 0")
  if status >= 400 then
    return fail(string.format("%s answers HTTP %d", url, status), "check OO_BASE_URL; try again later if the site is down")
  end
  return ok(string.format("%s answers (HTTP %d in %s)", url, status, seconds(t0)))
end

local function check_login(st)
  if not st.login then return skip("not tried: `oo-automator doctor --login` signs in with login.json") end
  if not st.browser then return skip("not tried: Chromium did not start") end
  local task = require("oo.task")
  local okenv, env = pcall(task.env, nil, {})
  if not okenv then return skip("not tried: " .. reason(env)) end
  local t0 = time.now_ms()
  local page = st.browser:new_context():new_page()
  local okr, err = pcall(task.replay, page, env, "login.json")
  local signin = task.signin_selectors()
  local still = signin and page:query({ selectors = signin }).count > 0
  if okr and not still then return ok(string.format("login.json signs in (%s)", seconds(t0))) end
  if still then
    return fail("login.json ends on the sign-in page: " .. (okr and "it did not sign in" or reason(err)),
      "check OO_EMAIL and OO_PASSWORD; `oo-automator record-check login.json` shows each step")
  end
  return fail("login.json did not get past the sign-in: " .. reason(err),
    "`oo-automator record-check login.json` shows which step broke; re-record it if the site changed")
end

M.checks = {
  { name = "chromium", run = check_chromium },
  { name = "headless", run = check_headless },
  { name = "database", run = check_database },
  { name = "data dir", run = check_data_dir },
  { name = "recordings", run = check_recordings },
  { name = "parameters", run = check_parameters },
  { name = "credentials", run = check_credentials },
  { name = "site", run = check_site },
  { name = "login", run = check_login },
}

-- ---- running them ---------------------------------------------------------------------

local function print_result(out, name, r)
  local lines = {}
  for l in (r.detail .. "\n"):gmatch("(.-)\n") do lines[#lines + 1] = l end
  out(string.format("%-5s %-12s %s", r.status, name, lines[1]))
  for i = 2, #lines do out(string.rep(" ", 19) .. lines[i]) end
  if r.fix then out(string.rep(" ", 19) .. "fix: " .. r.fix) end
end

-- opts: login (also sign in), headed, json (one JSON document instead of lines); out(line)
-- prints. Returns the exit status: 0 when nothing failed.
function M.run(opts, out)
  out = out or print
  local st = { login = opts.login, headed = opts.headed }
  local results, failed = {}, 0
  for _, c in ipairs(M.checks) do
    local okc, r = pcall(c.run, st)
    if not okc then r = fail("the check itself failed: " .. reason(r), "report this as a bug") end
    if r.status == "FAIL" then failed = failed + 1 end
    results[#results + 1] = { check = c.name, status = r.status, detail = r.detail, fix = r.fix }
    if not opts.json then print_result(out, c.name, r) end
  end
  if st.browser then st.browser:close() end
  if opts.json then
    out(require("json").encode({ ok = failed == 0, checks = require("json").array(results) }))
  else
    out(failed == 0 and string.format("all %d checks passed", #results)
      or string.format("%d of %d checks failed", failed, #results))
  end
  return failed == 0 and 0 or 1
end

-- Run as a program by `oo-automator doctor` (arguments key=value).
function M.main(args)
  local opts = {}
  for _, a in ipairs(args) do
    local k, v = a:match("^([%w_]+)=(.*)$")
    if k then opts[k] = v == "1" end
  end
  return M.run(opts, print)
end

local first = ...
if type(first) == "string" and first:find("^json=") then return M.main({ ... }) end
return M
