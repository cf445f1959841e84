-- Bad specs, generated: a seeded fuzzer mutates valid specs of every mode (a field deleted, a
-- value replaced by one of the wrong type or out of range, a nested table mangled) and checks
-- each through what `run` checks before any browser starts (oo.spec's prepare and check). Every
-- spec must either pass or fail with a typed error of the user's input (code input or usage, a
-- message saying what and where), never with a Lua error from inside the engine ("attempt to
-- index", "bad argument", "table index is nil"). Two such were found this way and fixed (a
-- parameter's config that is no table; a grid entry without its name).
local check = require("check")
local errors = require("oo.errors")
local spec_mod = require("oo.spec")
local parameters = require("oo.parameters")

local T = "https://optionomega.com/test/abc123"
local bases = {
  { test = T, mode = "sweep", parameter = "delta", config = { start = 5, stop = 30, step = 5 } },
  { test = T, mode = "grid", parameters = { { name = "delta", config = { start = 10, stop = 20, step = 5 } },
                                            { name = "stop_loss", config = { start = 100, stop = 300, step = 100 } } },
    fixed = { dates = "2020-01-02..2024-12-31" } },
  { test = T, mode = "staged", stages = {
      { parameter = "delta", config = { start = 5, stop = 25, step = 5 } },
      { parameter = "profit_target", use_best_from = "delta", optimize_by = "mar", config = { start = 25, stop = 75, step = 25 } } } },
  { test = T, mode = "walkforward", windows = { from = "2018-01-01", to = "2024-12-31", in_sample = "24m", out_of_sample = "6m" },
    search = { mode = "sweep", parameter = "delta", config = { start = 10, stop = 30, step = 10 } }, optimize_by = "mar" },
  { test = T, mode = "optimize", max_backtests = 20, seed = 7,
    parameters = { { name = "delta", config = { start = 5, stop = 40, step = 1 } },
                   { name = "entry_time", config = { start = "09:32", stop = "15:02", step = 30 } } } },
  { test = T, mode = "halving", period = "2019-01-02..2024-12-31", eta = 3, rungs = 3,
    parameters = { { name = "profit_target", config = { start = 25, stop = 100, step = 25 } } } },
  { test = T, mode = "refine", parameters = { { name = "delta", config = { start = 5, stop = 45, step = 1 } } } },
  { test = T, mode = "sweep", parameter = "dates", config = { from = "2016-01-01", to = "2024-12-31", length = "12m" } },
}
local oddities = { 0, -1, 1.5, 1e300, -1e300, 0 / 0, math.huge, "", "a", "09:99", "2018-02-30", "24x", "0m", "1m",
  false, true, "sweep", "delta", 10 ^ 12, math.maxinteger, math.mininteger, "{{OO_PASSWORD}}" }
local function oddity()
  local i = math.random(#oddities + 3)
  if i == #oddities + 1 then return {} end
  if i == #oddities + 2 then return { 1 } end
  if i == #oddities + 3 then return { a = 1 } end
  return oddities[i]
end

local function copy(v)
  if type(v) ~= "table" then return v end
  local c = {}
  for k, x in pairs(v) do c[k] = copy(x) end
  return c
end

local function keys_of(t)
  local ks = {}
  for k in pairs(t) do ks[#ks + 1] = k end
  table.sort(ks, function(a, b) return tostring(a) < tostring(b) end)   -- the same order every time
  return ks
end

-- One mutation somewhere in v; returns the new v.
local function mutate(v)
  if type(v) == "table" and next(v) ~= nil and math.random() < 0.75 then
    local ks = keys_of(v)
    local k = ks[math.random(#ks)]
    local c = math.random()
    if c < 0.25 then v[k] = nil
    elseif c < 0.65 then v[k] = mutate(v[k])
    else v[k] = oddity() end
    return v
  end
  return oddity()
end

local registry = parameters.registry()
local function checked(spec)
  local s = spec_mod.prepare(spec, "fuzz")
  return spec_mod.check(s, registry, "fuzz")
end

math.randomseed(20261130)
local passed, refused, n = 0, 0, 20000
for i = 1, n do
  local spec = copy(bases[(i - 1) % #bases + 1])
  for _ = 1, math.random(3) do spec = mutate(spec) end
  local ok, err = pcall(checked, spec)
  if ok then
    passed = passed + 1
  else
    refused = refused + 1
    local code, msg = errors.code(err), errors.message(err)
    local internal = code == "script" or msg:find("attempt to", 1, true) or msg:find("bad argument", 1, true)
      or msg:find("table index is", 1, true) or msg:find("stack traceback", 1, true)
    if internal then
      local okj, text = pcall(require("json").encode, spec)
      check.ok(false, string.format("spec %d (%s) failed inside the engine: [%s] %s", i, okj and text or "not JSON", code, msg))
    end
  end
end
-- the fuzzer reaches both sides: specs that still check out, and many that do not
check.ok(passed > 100, "specs that passed: " .. passed)
check.ok(refused > 1000, "specs refused: " .. refused)
check.done()
