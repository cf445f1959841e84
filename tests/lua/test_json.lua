local check = require("check")
local json = require("json")

check.eq(json.encode(1), "1")
check.eq(json.encode("a\"b\n"), '"a\\"b\\n"')
check.eq(json.encode({ 1, 2, 3 }), "[1,2,3]")
check.eq(json.encode(json.array({})), "[]")
check.eq(json.encode({}), "{}")
check.eq(json.encode({ a = json.null }), '{"a":null}')
check.eq(json.encode(true), "true")
check.eq(json.encode(0.5), "0.5")

local d = json.decode('{"a":[1,2.5,"x",null,true],"b":{"c":{}}}')
check.eq(d.a[1], 1)
check.eq(math.type(d.a[1]), "integer")
check.eq(d.a[2], 2.5)
check.eq(d.a[3], "x")
check.eq(d.a[4], json.null)
check.eq(d.a[5], true)
check.eq(json.encode(d.a), '[1,2.5,"x",null,true]')
check.eq(json.encode(json.decode("[]")), "[]")   -- empty arrays round-trip
check.eq(type(d.b.c), "table")

-- errors say where
check.err(function() json.decode('{"a": [1, 2,, 3]}') end, "invalid JSON", "line 1")
check.err(function() json.decode('{\n"a": tru}') end, "line 2")
check.err(function() json.encode({ f = print }) end, ".f", "function")
check.err(function() json.encode(0 / 0) end, "cannot be JSON")
local cyc = {}
cyc.self = cyc
check.err(function() json.encode(cyc) end, "nested too deep")
check.err(function() json.encode({ [true] = 1 }) end, "key of type boolean")

-- a big document survives
local big = {}
for i = 1, 20000 do big[i] = { i = i, s = "row " .. i } end
local back = json.decode(json.encode(big))
check.eq(#back, 20000)
check.eq(back[20000].s, "row 20000")

check.done()
