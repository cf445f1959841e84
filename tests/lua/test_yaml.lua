-- YAML configs (`run --config my-run.yaml`): the same schema as the JSON, through libyaml; a
-- malformed file names the line and the column.
local check = require("check")
local yaml = require("yaml")
local errors = require("oo.errors")

local spec = yaml.decode([[
# the design's example: a staged run
test: https://optionomega.com/test/abc123
name: "Delta then PT: by MAR"
mode: staged
browsers: 2
stages:
  - parameter: delta
    config: { start: 5, end: 25, step: 5 }
  - parameter: profit_target
    use_best_from: delta
    optimize_by: mar
    config:
      start: 25
      end: 75
      step: 12.5
fixed: { entry_time: "09:32" }
flag: true
none: ~
]])
check.eq(spec.test, "https://optionomega.com/test/abc123")
check.eq(spec.name, "Delta then PT: by MAR")
check.eq(spec.browsers, 2)
check.eq(math.type(spec.browsers), "integer")
check.eq(#spec.stages, 2)
check.eq(spec.stages[1].config["end"], 25)
check.eq(spec.stages[2].config.step, 12.5)
check.eq(spec.stages[2].optimize_by, "mar")
check.eq(spec.fixed.entry_time, "09:32")
check.eq(spec.flag, true)
check.eq(spec.none, nil)
check.eq(yaml.decode("a: '5'").a, "5", "a quoted scalar is text")
check.eq(yaml.decode("a: 0x10").a, "0x10", "decimal numbers only")

-- it checks as the JSON does: the spec module normalises "end", the mode checks the values
local reg = require("oo.parameters").discover()
local mode, norm, count = require("oo.spec").check(spec, reg, "my-run.yaml")
check.eq(norm.mode, "staged")
check.eq(count, 5 + 5)

-- errors: line and column, typed as the user's input
local ok, e = pcall(yaml.decode, "test: x\nmode: sweep\n  parameter: delta\n")
check.ok(not ok and tostring(e):find("line 3, column 12", 1, true), tostring(e))
check.eq(errors.code(e), "input")
check.err(function() yaml.decode("a: [1, 2\n") end, "line 2")
check.err(function() yaml.decode("a: &x 1\nb: *x\n") end, "anchors")
check.err(function() yaml.decode("a: 1\n---\nb: 2\n") end, "one document only")

check.done()
