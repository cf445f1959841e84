-- The parameters as data for forms: every shipped parameter with its field schemas, plain
-- JSON (no functions), in name order; what `serve` hands the dashboard's New Run form.
local check = require("check")
local params = require("oo.parameters")
local json = require("json")

local reg = params.discover()
local schemas = params.schemas(reg)
check.eq(#schemas, #params.names(reg), "one schema per parameter")
local text = json.encode({ parameters = schemas })
local back = json.decode(text)
check.eq(back.parameters[1].name, params.names(reg)[1], "name order")
local by = {}
for _, p in ipairs(back.parameters) do by[p.name] = p end
check.eq(by.delta.display_name, "Delta")
check.eq(by.delta.fields[1].name, "start")
check.eq(by.delta.fields[1].type, "int")
check.eq(by.delta.fields[1].min, 1)
check.eq(by.delta.fields[4].choices[2], "put_only")   -- the design's both, put_only, call_only
check.eq(by.exit_time.requires_toggle, "Use Early Exit")
check.eq(by.entry_time.fields[1].type, "time")
check.ok(not text:find("function", 1, true), "no functions leak into the JSON")
-- an empty registry is an empty list, not an object
check.eq(json.encode(params.schemas({})), "[]")
check.done()
