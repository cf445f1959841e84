-- oo.wizard: `oo-automator run` with no arguments. Asks, in the terminal, what the design's
-- wizard asks: the test (a recent one by number, a URL, an id or part of its name; a new URL
-- may be named), the mode, the parameter(s) and their fields with defaults, the browsers;
-- shows how many backtests that makes and asks to continue. Reads answers line by line from
-- stdin (so it can be scripted), writes questions to stderr.
local metrics = require("oo.metrics")
local parameters = require("oo.parameters")
local spec_mod = require("oo.spec")
local values = require("oo.values")
local M = {}

local function say(...) io.stderr:write(...) end

local function ask(question, default)
  say(question, default ~= nil and (" [" .. tostring(default) .. "]") or "", ": ")
  local line = io.read("l")
  if line == nil then error("run: the wizard needs answers on stdin (or give SCRIPT.lua / --url --param)", 0) end
  line = line:gsub("^%s+", ""):gsub("%s+$", "")
  if line == "" then return default end
  return line
end

local function ask_until(question, default, parse)
  for _ = 1, 5 do
    local answer = ask(question, default)
    local ok, v, why = pcall(parse, answer)
    if ok and v ~= nil then return v end
    say("  ", tostring(ok and why or v), "\n")
  end
  error("run: no valid answer after 5 tries", 0)
end

local function choose(question, options, default)
  for i, o in ipairs(options) do say(string.format("  %d) %s\n", i, o.label)) end
  return ask_until(question, default, function(a)
    local n = tonumber(a)
    if n and options[n] then return options[n].value end
    for _, o in ipairs(options) do
      if tostring(o.value) == a or o.label:lower() == tostring(a):lower() then return o.value end
    end
    return nil, string.format("choose 1 to %d", #options)
  end)
end

local function field_value(f, answer)
  if f.type == "int" or f.type == "number" then
    local n = tonumber(answer)
    if not n then return nil, f.label .. ": a number please" end
    if f.type == "int" and n % 1 ~= 0 then return nil, f.label .. ": a whole number please" end
    if f.type == "int" then n = math.tointeger(n) end
    if f.min and n < f.min then return nil, string.format("%s: at least %s", f.label, tostring(f.min)) end
    if f.max and n > f.max then return nil, string.format("%s: at most %s", f.label, tostring(f.max)) end
    return n
  elseif f.type == "choice" then
    for _, c in ipairs(f.choices or {}) do if c == answer then return c end end
    return nil, string.format("%s: one of %s", f.label, table.concat(f.choices or {}, ", "))
  elseif f.type == "time" then
    if not values.parse_time(answer) then return nil, f.label .. ": a time HH:MM please" end
    return answer
  elseif f.type == "date" then
    if not require("oo.dates").parse(answer) then return nil, f.label .. ": a date YYYY-MM-DD please" end
    return answer
  elseif f.type == "bool" then
    local a = tostring(answer):lower()
    if a == "y" or a == "yes" or a == "true" then return true end
    if a == "n" or a == "no" or a == "false" then return false end
    return nil, f.label .. ": yes or no"
  end
  return answer
end

local function ask_parameter(registry, question, exclude)
  local options = {}
  for _, name in ipairs(parameters.names(registry)) do
    if not (exclude and exclude[name]) then
      options[#options + 1] = { value = name, label = string.format("%s - %s", registry[name].display_name, registry[name].description or "") }
    end
  end
  local name = choose(question, options, nil)
  local cfg = {}
  for _, f in ipairs(registry[name].fields) do
    local label = f.label .. (f.choices and (" (" .. table.concat(f.choices, "/") .. ")") or "")
    cfg[f.name] = ask_until("  " .. label, f.default, function(a) return field_value(f, a) end)
  end
  return name, cfg
end

local function whole(lo, hi)
  return function(a)
    local n = math.tointeger(tonumber(a))
    if not n or n < lo or n > hi then return nil, string.format("a whole number from %d to %d", lo, hi) end
    return n
  end
end

-- A search's own questions: what "best" means, and for optimize its budget and seed.
function M.ask_search(spec, registry)
  local options = {}
  for _, key in ipairs(require("oo.objective").names()) do
    local m = require("oo.metrics").by_key[key]
    options[#options + 1] = { value = key, label = m and m.label or key }
  end
  spec.optimize_by = choose("Best by", options, require("oo.metrics").default_optimize_by)
  if spec.mode == "halving" then
    local _, last = require("oo.site").data_range()
    local dates = registry.dates
    spec.period = ask_until("Full period (YYYY-MM-DD..YYYY-MM-DD)", tostring(tonumber(last:sub(1, 4)) - 3) .. "-01-02.." .. last,
      function(a)
        local ok, why = dates.check_value(a)
        if not ok then return nil, why end
        return a
      end)
    return
  end
  if spec.mode ~= "optimize" then return end
  local size = require("modes.grid").count({ axes = require("modes.grid").axes(spec, registry, "wizard") })
  spec.max_backtests = ask_until(string.format("Budget of backtests (the full grid has %d)", size),
    math.max(2, math.min(size, math.ceil(size / 5))), whole(2, 100000))
  spec.seed = ask_until("Seed (the same seed, the same search)", 1, whole(-1000000000, 1000000000))
end

-- The test: one of the recent tests by number, an OptionOmega test URL (with a name for a new
-- one), or an id or part of a name the engine looks up. Returns test, test_name (or nil).
local function ask_test(tests)
  say("New run\n\nRecent tests:\n")
  if #tests == 0 then say("  (none yet)\n") end
  for i, t in ipairs(tests) do
    -- a test without a name comes from the store as JSON null (json.null), not nil
    local name = type(t.name) == "string" and t.name ~= "" and t.name or "(unnamed)"
    say(string.format("  %d) %s  %s\n", i, name, tostring(t.url)))
  end
  local answer = ask("Test: a number above, an OptionOmega test URL, an id or part of a name", #tests > 0 and 1 or nil)
  if answer == nil then error("run: no test given", 0) end
  local n = tonumber(answer)
  if n and tests[n] then return tests[n].url, nil end
  if not tostring(answer):match("^%a[%w+.-]*://") then
    return tostring(answer), nil     -- an id or a name: the engine looks it up among saved tests
  end
  spec_mod.test_url(answer, "test")
  for _, t in ipairs(tests) do if t.url == answer then return answer, nil end end
  return answer, ask("A name for this test (empty: none)", nil)
end

-- The parameters of a grid (or of a search over one), one to four, each at most once.
local function ask_grid(registry)
  local parameters, used = {}, {}
  repeat
    local name, cfg = ask_parameter(registry, "Parameter " .. (#parameters + 1), used)
    used[name] = true
    parameters[#parameters + 1] = { name = name, config = cfg }
    local more = #parameters < 4 and ask("Another parameter? (y/n)", "n") or "n"
  until tostring(more):lower():sub(1, 1) ~= "y"
  return parameters
end

-- How a stage picks the best of the one before: a metric with a sense (metrics.lua).
local function ask_optimize_by()
  local options = {}
  for _, m in ipairs(metrics.list) do
    if m.sense then options[#options + 1] = { value = m.key, label = m.label } end
  end
  local default = 1
  for i, o in ipairs(options) do if o.value == metrics.default_optimize_by then default = i end end
  return choose("  Best of the previous stage by", options, default)
end

-- A staged run's stages, one to five, each on a parameter of its own, each after the first
-- using the best of the stage before.
local function ask_stages(registry)
  local stages, used = {}, {}
  repeat
    local name, cfg = ask_parameter(registry, "Stage " .. (#stages + 1) .. " parameter", used)
    local st = { parameter = name, config = cfg }
    if #stages > 0 then
      st.use_best_from = stages[#stages].parameter
      st.optimize_by = ask_optimize_by()
    end
    used[name] = true
    stages[#stages + 1] = st
    local more = #stages < 5 and ask("Another stage? (y/n)", #stages < 2 and "y" or "n") or "n"
  until tostring(more):lower():sub(1, 1) ~= "y"
  return stages
end

-- The mode and what it asks: a parameter, a grid's parameters (a search's own questions too),
-- or the stages.
local function ask_mode(spec, registry)
  local mode = choose("Mode", {
    { value = "sweep", label = "sweep - one parameter across a range" },
    { value = "grid", label = "grid - every combination of several parameters" },
    { value = "staged", label = "staged - optimise parameters one after another" },
    { value = "refine", label = "refine - a coarse grid, then finer steps around the best (a fraction of a grid)" },
    { value = "optimize", label = "optimize - a model picks each next backtest, within a budget" },
    { value = "halving", label = "halving - every configuration on a short recent window, the best on longer ones" },
  }, 1)
  spec.mode = mode
  if mode == "sweep" then
    spec.parameter, spec.config = ask_parameter(registry, "Parameter")
  elseif mode == "grid" or mode == "refine" or mode == "optimize" or mode == "halving" then
    spec.parameters = ask_grid(registry)
    if mode ~= "grid" then M.ask_search(spec, registry) end
  else
    spec.stages = ask_stages(registry)
  end
end

-- arg: {tests = recent tests [{id, url, name}], browsers = default}. The estimate it shows reads
-- the store's recent backtest times through the `runs` module (oo.cli.estimate).
-- Returns {spec = ..., test = key, test_name = name for a new URL (or nil), browsers = n}.
function M.run(arg)
  local registry, errors = parameters.discover()
  for _, e in ipairs(errors) do say("warning: parameter script left out: ", e, "\n") end
  local test, test_name = ask_test(arg.tests or {})
  local spec = { test = test }
  ask_mode(spec, registry)
  local browsers = ask_until("Browsers", arg.browsers or 2, function(a)
    local b = math.tointeger(tonumber(a))
    if not b or b < 1 or b > 8 then return nil, "1 to 8" end
    return b
  end)
  spec.browsers = browsers
  local cli = require("oo.cli")
  cli.browsers(spec, browsers, "wizard")
  local _, norm, count = spec_mod.check(spec, registry, "wizard")
  say("\n", cli.summary(norm, count), " on ", tostring(browsers), " browser", browsers == 1 and "" or "s", "\n")
  say("estimate: ", cli.estimate(count, browsers), "\n")
  local go = ask(string.format("Ready to run %d tests. Continue? (y/n)", count), "y")
  if tostring(go):lower():sub(1, 1) ~= "y" then return { cancelled = true } end
  return { spec = spec, test = test, test_name = test_name, browsers = browsers }
end

return M
