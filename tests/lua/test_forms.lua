-- The modes' forms (oo.forms): the list of modes comes from the modes themselves; every mode in
-- lua/modes/ describes what the wizard and New Run ask, as JSON the dashboard can take; a field
-- answer is read and checked with the mode's own messages; an error message names its field;
-- the wizard's run script gives back the spec it was written from.
local check = require("check")
local forms = require("oo.forms")
local fs = require("fs")
local json = require("json")
local modes = require("oo.modes")
local reg = require("oo.parameters").discover()

-- one list, derived from the files: every lua/modes/*.lua is a mode of the list, and the list
-- has nothing else (a mode added as a file shows up in the wizard and New Run by itself)
local files = {}
for _, f in ipairs(fs.list(fs.resource("lua/modes"))) do
  local name = f:match("^([%w_]+)%.lua$")
  if name then files[#files + 1] = name end
end
table.sort(files)
local names = modes.names()
local sorted = {}
for i, n in ipairs(names) do sorted[i] = n end
table.sort(sorted)
check.eq(table.concat(sorted, ","), table.concat(files, ","), "modes.names() is the files of lua/modes")
check.eq(names[1], "sweep", "in the forms' order")
check.err(function() modes.get("nosuch") end, "known: " .. table.concat(names, ", "))
local completion = require("oo.completion").modes()
check.eq(#completion, #names, "completion offers every mode")

-- every mode has a form; each field has a key, a type and a label; the dashboard's JSON has
-- no Lua function left in it and the defaults evaluated
local described = forms.for_forms()
check.eq(#described, #names, "every mode describes its form")
for _, d in ipairs(described) do
  check.ok(type(d.label) == "string" and #d.fields > 0, d.name .. ": a label and fields")
  for _, f in ipairs(d.fields) do
    check.ok(type(f.key) == "string" and type(f.type) == "string" and type(f.label) == "string",
      d.name .. ": field " .. tostring(f.key))
    check.ok(f.check == nil, d.name .. "." .. f.key .. ": no check function in the JSON")
    check.ok(type(f.at) == "string", d.name .. "." .. f.key .. ": at")
  end
end
-- the searches say so (Run Detail goes by it: GET /api/modes is the one list of modes)
local searches = {}
for _, d in ipairs(described) do if d.search then searches[#searches + 1] = d.name end end
table.sort(searches)
check.eq(table.concat(searches, ","), "halving,optimize,refine", "the modes that are searches")
local text = json.encode(described)
check.ok(not text:find("function"), "the forms encode as JSON")
local wfd
for _, d in ipairs(described) do if d.name == "walkforward" then wfd = d end end
local by_key = {}
for _, f in ipairs(wfd.fields) do by_key[f.key] = f end
check.eq(by_key["windows.in_sample"].type, "span")
check.eq(by_key["windows.in_sample"].default, "24m")
check.ok(by_key["windows.to"].default == select(2, require("oo.site").data_range()), "to defaults to the last day of data")
check.eq(by_key["optimize_by"].default, "mar")
check.ok(#by_key["optimize_by"].choices >= 7, "the objectives offered")
check.eq(by_key["search"].exclude[1], "walkforward")
check.eq(by_key["windows.from"].at, "walkforward.windows.from")

-- answers read by type
check.eq(forms.parse({ type = "span", label = "In" }, "6m"), "6m")
check.eq(select(2, forms.parse({ type = "span", label = "In" }, "6x")), "In: " .. select(2, require("oo.dates").parse_span("6x")))
check.eq(select(2, forms.parse({ type = "date", label = "From" }, "2021-02-30")), "From: a date YYYY-MM-DD please")
check.eq(forms.parse({ type = "period", label = "P" }, "2020-01-02..2024-12-31"), "2020-01-02..2024-12-31")
check.eq(select(2, forms.parse({ type = "period", label = "P" }, "2020-02-30..2024-12-31")), "P: 2020-02-30 is not a date of the calendar")
check.eq(forms.parse({ type = "bool", label = "A" }, "y"), true)
check.eq(forms.parse({ type = "int", label = "N", min = 1 }, "3"), 3)
check.eq(select(2, forms.parse({ type = "int", label = "N", min = 1 }, "0")), "N: at least 1")
check.eq(forms.parse({ type = "objective", label = "Best by" }, "MAR"), "mar")
check.eq(forms.parse({ type = "objective", label = "Best by" }, "balanced"), "balanced")
check.ok(select(2, forms.parse({ type = "objective", label = "Best by" }, "luck")):find("one of pl"), "objectives listed")

-- a field's check says what the mode's check says, word for word
local wf = modes.get("walkforward")
local fields = {}
for _, f in ipairs(wf.form.fields) do fields[f.key] = f end
local function mode_message(windows)
  local ok, e = pcall(wf.check, { windows = windows, search = { mode = "sweep", parameter = "delta", config = { start = 10, stop = 20, step = 10 } } }, reg)
  check.ok(not ok, "the mode refuses it")
  return require("oo.errors").message(e)
end
local w = { from = "2021-01-01", to = "2021-12-31", in_sample = "6m", out_of_sample = "2w" }
local why = forms.check(fields["windows.out_of_sample"], { windows = w })
check.eq(why, mode_message(w))
check.ok(why:find("shorter than a month"), why)
w = { from = "2013-01-01" }
why = forms.check(fields["windows.from"], { windows = w })
check.eq(why, "walkforward.windows.from: 2013-01-01 is before OptionOmega's data begins (2013-01-02)")
w = { from = "2021-01-01", to = "2020-12-31" }
check.ok(forms.check(fields["windows.to"], { windows = w }):find("from 2021-01-01 is not before to 2020-12-31", 1, true))
-- the whole windows, checked with the last of their fields: windows that do not fit
w = { from = "2021-01-01", to = "2021-06-30", in_sample = "6m", out_of_sample = "2m" }
why = forms.check(fields["windows.anchored"], { windows = w })
check.eq(why, mode_message(w))
check.ok(why:find("after to 2021-06-30", 1, true), why)
check.eq(forms.check(fields["windows.anchored"], { windows = { from = "2021-01-01", to = "2021-12-31", in_sample = "6m", out_of_sample = "2m" } }), nil)

-- an error names its field: the deepest part named, else the group
local list = wf.form.fields
local function field_key(msg) local f = forms.field_for(wf, list, msg); return f and f.key end
check.eq(field_key("wizard: walkforward.windows.out_of_sample: 2w is shorter than a month"), "windows.out_of_sample")
check.eq(field_key("the run spec: walkforward.windows.step: 1m is shorter than out_of_sample 2m"), "windows.step")
check.eq(field_key("wizard: walkforward.windows: in_sample 6m + out_of_sample 2m from 2021-01-01 end 2021-08-31, after to 2021-06-30"), "windows.from")
check.eq(field_key("wizard: walkforward.search: searches over dates, but the windows set the dates"), "search")
check.eq(field_key("wizard: walkforward.optimize_by: unknown metric or goal \"x\""), "optimize_by")
check.eq(field_key("something else entirely"), nil)
local grid = modes.get("grid")
check.eq(forms.field_for(grid, grid.form.fields, "the run spec: grid.delta: value 0: out of bounds").key, "parameters")

-- dotted keys
local t = {}
forms.set(t, "windows.from", "2021-01-01")
check.eq(forms.get(t, "windows.from"), "2021-01-01")
check.eq(forms.get(t, "windows.to"), nil)

-- the wizard's run script gives back its spec, and the spec passes the check
local spec = { test = "https://optionomega.com/test/abc", mode = "walkforward", optimize_by = "mar", full_period = true,
  windows = { from = "2021-01-01", to = "2021-12-31", in_sample = "6m", out_of_sample = "2m", anchored = false },
  search = { mode = "grid", parameters = { { name = "delta", config = { start = 10, stop = 20, step = 10 } },
                                           { name = "profit_target", config = { start = 25.5, stop = 50, step = 24.5 } } } },
  ["odd key"] = "a \"quoted\"\nline", ["end"] = 1 }
local script = require("oo.wizard").script_text(spec)
local back = load(script, "=script", "t")()
local function same(a, b)
  if type(a) ~= "table" or type(b) ~= "table" then return a == b and math.type(a) == math.type(b) end
  for k, v in pairs(a) do if not same(v, b[k]) then return false end end
  for k in pairs(b) do if a[k] == nil then return false end end
  return true
end
check.ok(same(back, spec), "the script returns the spec it was written from")
spec["odd key"], spec["end"] = nil, nil
back["odd key"], back["end"] = nil, nil
local _, norm, count = require("oo.spec").check(back, reg, "script")
check.eq(norm.mode, "walkforward")
check.eq(count, 20, "3 windows + the full period, 5 backtests each (a grid of 2 x 2 searched, then its best out of sample)")

check.done()
