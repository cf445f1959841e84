-- The runtime around scripts: search paths, modules, errors as file:line, the memory cap.
local check = require("check")

-- package.path reaches lua/ and parameters/ of the installation and OO_LUA_PATH
check.ok(package.path:find("/lua/?.lua", 1, true), "lua/ on the path")
check.ok(package.path:find("/parameters/?.lua", 1, true), "parameters/ on the path")
check.ok(package.path:find("tests/lua/lib/?.lua", 1, true), "OO_LUA_PATH on the path")
check.eq(package.cpath, "")
check.eq(type(require("oo.values").range), "function")
check.eq(require("profit_target").name, "profit_target")

-- no C modules from disk
check.err(function() require("some_c_module_that_does_not_exist") end, "not found")

-- a runtime error carries file:line
local ok, e = pcall(function() error("boom") end)
check.ok(not ok)
check.ok(tostring(e):match("test_runtime%.lua:%d+: boom"), "file:line in " .. tostring(e))

-- a syntax error in a required module carries file:line too
local ok2, e2 = pcall(load, "x = = 1", "=broken.lua")
check.ok(ok2)

-- time and log
local t = require("time")
local a = t.now_ms()
check.ok(math.type(a) == "integer" and a > 0)
check.ok(t.wall_ms() > 1700000000000)
check.eq(t.iso(0), "1970-01-01T00:00:00Z")
require("log").debug("quiet unless -vv")

-- the memory cap: a runaway allocation fails with "not enough memory", the state survives
local okm, em = pcall(function()
  local parts = {}
  for i = 1, 1e9 do parts[i] = string.rep("x", 1024 * 1024) .. i end
end)
check.ok(not okm, "the runaway allocation was stopped")
check.ok(tostring(em):find("not enough memory", 1, true), "memory error: " .. tostring(em))
collectgarbage()
check.eq(("still works"):upper(), "STILL WORKS")

check.done()
