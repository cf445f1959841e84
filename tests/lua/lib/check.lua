-- check: the assertions of the Lua tests. Failures are counted with file:line; done() prints
-- "N passed, N failed" and exits non-zero when anything failed.
local M = { passed = 0, failed = 0 }

local function where()
  local info = debug.getinfo(4, "Sl")
  return string.format("%s:%d", info.short_src, info.currentline)
end

local function fail(msg)
  M.failed = M.failed + 1
  io.stderr:write(where(), ": ", msg, "\n")
end

function M.ok(v, msg)
  if v then M.passed = M.passed + 1 else fail(msg or "expected a true value") end
end

local function show(v)
  if type(v) == "string" then return string.format("%q", v) end
  return tostring(v)
end

function M.eq(a, b, msg)
  if a == b then M.passed = M.passed + 1
  else fail(string.format("%sexpected %s, got %s", msg and (msg .. ": ") or "", show(b), show(a))) end
end

function M.near(a, b, eps, msg)
  if type(a) == "number" and math.abs(a - b) <= (eps or 1e-9) then M.passed = M.passed + 1
  else fail(string.format("%sexpected %s (within %s), got %s", msg and (msg .. ": ") or "", show(b), eps or 1e-9, show(a))) end
end

-- fn must raise an error whose message contains every given pattern (plain text).
function M.err(fn, ...)
  local ok, e = pcall(fn)
  if ok then fail("expected an error, got none"); return end
  e = tostring(e)
  for _, p in ipairs({ ... }) do
    if not e:find(p, 1, true) then fail(string.format("error %q does not mention %q", e, p)); return end
  end
  M.passed = M.passed + 1
end

function M.done()
  print(string.format("%d passed, %d failed", M.passed, M.failed))
  if M.failed > 0 then os.exit(1) end
end

return M
