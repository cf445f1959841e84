-- Every shipped parameter script loads, describes its fields and generates sane values; a
-- broken user script is reported with file:line and left out while the others load.
local check = require("check")
local params = require("oo.parameters")
local values = require("oo.values")

local reg, errors = params.discover()
check.eq(#errors, 0, "shipped parameters load: " .. table.concat(errors, "; "))
local expected = { "dates", "delta", "entry_sl_ratio", "entry_time", "exit_time", "profit_target", "rsi",
                   "short_long_ratio", "stop_loss", "underlying_movement" }
check.eq(table.concat(params.names(reg), ","), table.concat(expected, ","))
for _, name in ipairs(expected) do
  local p = reg[name]
  check.eq(p.name, name)
  check.ok(type(p.display_name) == "string" and #p.display_name > 0, name .. " display_name")
  check.ok(type(p.description) == "string" and #p.description > 0, name .. " description")
  local cfg = values.apply_fields(name, p.fields, {})
  local vals = p.generate(cfg)
  -- dates: one range over all the data by default
  check.ok(#vals > (name == "dates" and 0 or 1), name .. " generates several values from its defaults")
  for _, f in ipairs(p.fields) do
    check.ok(({ int = 1, number = 1, choice = 1, time = 1, bool = 1, string = 1, date = 1 })[f.type], name .. "." .. f.name .. " type")
    if f.type == "choice" then check.ok(#f.choices > 0, name .. "." .. f.name .. " choices") end
  end
  if p.check_value then
    for _, v in ipairs(vals) do check.ok(p.check_value(v, cfg), name .. " default value in bounds: " .. tostring(v)) end
  end
end
check.eq(reg.exit_time.requires_toggle, "Use Early Exit")
check.eq(reg.rsi.requires_toggle, "Use Technical Indicators")
check.eq(reg.underlying_movement.requires_toggle, "Use Underlying Price Movement")
check.eq(reg.entry_sl_ratio.requires_toggle, "Use Entry Short/Long Ratio")

-- a user's folder with one broken and one good script
local fixtures = "fixtures/bad_params"
local reg2, errors2 = params.discover({ require("fs").resource("parameters"), fixtures })
check.eq(#errors2, 2, "two broken scripts reported")
local all = table.concat(errors2, "\n")
check.ok(all:find("syntax_error.lua:3:", 1, true), "syntax error with file:line: " .. all)
check.ok(all:find("no_verify.lua", 1, true) and all:find("no verify", 1, true), "missing verify named: " .. all)
check.ok(reg2.vega ~= nil, "the good user parameter loads")
check.ok(reg2.delta ~= nil, "the shipped ones still load")

check.done()
