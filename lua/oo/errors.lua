-- oo.errors: typed errors. An error that crosses a module (C into Lua, a parameter script into
-- the runner, a mode into the CLI) is a table {code = "...", msg = "..."}; callers decide what a
-- failure is from `code`, never from the words of `msg` (rewording a message changes nothing).
-- tostring() of one is its message, so a typed error prints like any other.
--
-- Codes (C's oo_err codes cross under the same names):
--   input       the user's input is wrong (a spec, a value out of range, a recording): fix it
--   usage       a bad flag or argument
--   timeout     a deadline passed (an element, a state, a response)
--   browser     Chromium or its renderer died, the connection closed
--   io          the file system or a socket
--   db          SQLite
--   script      a Lua error in a script (file:line in msg)
--   cancelled   the operation was called off (the run stops)
--   session     the site signed us out
--   site        the site answered with an error (transient: retried)
--   config_rejected  the site refuses this configuration every time (the task is skipped)
--   rate_limited     the site asked us to slow down
--   network     a request got no answer (a dropped connection)
--   modal       a dialog would not open or close
--   page        the page answered no: it threw, a navigation or a response failed
local M = {}

-- The engine's C side raises typed errors with the same metatable (registry "oo.error"), so
-- M.is() holds for errors from either side.
local registry = debug and debug.getregistry and debug.getregistry()
local mt = registry and registry["oo.error"] or {}
mt.__index = mt
mt.__tostring = function(e) return e.msg end

M.codes = {
  input = true, usage = true, timeout = true, browser = true, io = true, db = true, script = true,
  cancelled = true, session = true, site = true, config_rejected = true, rate_limited = true,
  network = true, modal = true, page = true,
}

-- A new typed error value (not raised). Extra fields (step, selector, ...) may be added.
function M.new(code, msg, extra)
  if not M.codes[code] then error("oo.errors: unknown error code " .. tostring(code), 2) end
  local e = setmetatable({ code = code, msg = tostring(msg) }, mt)
  if extra then for k, v in pairs(extra) do if e[k] == nil then e[k] = v end end end
  return e
end

-- Raises a typed error: M.raise("input", "delta: %d is above the maximum %d", v, max).
function M.raise(code, fmt, ...)
  local msg = select("#", ...) > 0 and string.format(fmt, ...) or fmt
  error(M.new(code, msg), 0)
end

function M.is(e) return getmetatable(e) == mt end

-- The code of any error value: a typed error's own; a plain string or anything else is a
-- script error.
function M.code(e)
  if getmetatable(e) == mt then return e.code end
  if type(e) == "table" and type(e.code) == "string" and M.codes[e.code] then return e.code end
  return "script"
end

function M.message(e)
  if type(e) == "table" and e.msg ~= nil then return tostring(e.msg) end
  return tostring(e)
end

-- Wraps a caught error with context, keeping its code: M.wrap(err, "stage 2") -> "stage 2: ...".
function M.wrap(e, context)
  return M.new(M.code(e), context .. ": " .. M.message(e))
end

return M
