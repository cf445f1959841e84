-- modes.walkforward: walk-forward optimization. Re-optimize on the past, prove it on the unseen
-- future: for each window an inner search (any mode) runs on the in-sample dates, and its best
-- configuration then runs on the out-of-sample dates that follow.
--   { mode = "walkforward",
--     windows = { from = "2016-01-01", to = "2024-12-31", in_sample = "24m", out_of_sample = "6m",
--                 step = "6m", anchored = false },      -- step defaults to out_of_sample
--     search = { mode = "grid", parameters = { ... } },  -- any mode; never over dates
--     optimize_by = "mar",                               -- a metric, a goal or a Lua function
--     full_period = true }    -- also search from..to whole, and trade that best over the
--                             -- out-of-sample span: what walk-forward is compared with
--
-- Stages (each durable, so `resume` continues): in-sample rounds, then one out-of-sample round.
-- An in-sample round holds the next stage of every window's inner search side by side (and of
-- the full-period search): a grid is one round, a staged search one round per stage. The
-- out-of-sample round holds each window's best on its out-of-sample dates and the full-period
-- best on the out-of-sample span. The plan is a pure function of the results so far: it is
-- replayed from the stored results (M.state) and gives the same stages every time.
local dates = require("oo.dates")
local errors = require("oo.errors")
local modes = require("oo.modes")
local objective = require("oo.objective")
local site = require("oo.site")
local M = { name = "walkforward",
            description = "Walk-forward: optimize on each in-sample window, trade the best on the next out-of-sample one" }

-- More windows than the data can hold (13 years of 1-month steps are ~170): a loop bound.
M.max_windows = 200

local function bad(fmt, ...) errors.raise("input", "walkforward." .. fmt, ...) end

local function date_field(w, k)
  local v = w[k]
  if v == nil then bad("windows.%s: missing (a date YYYY-MM-DD)", k) end
  if not dates.parse(v) then bad("windows.%s: %q is not a date YYYY-MM-DD", k, tostring(v)) end
  return v
end

local function span_field(w, k, default)
  local v = w[k]
  if v == nil then v = default end
  if v == nil then bad("windows.%s: missing (a span such as \"24m\", \"6m\", \"1y\")", k) end
  local s, why = dates.parse_span(v)
  if not s then bad("windows.%s: %s", k, why) end
  return s
end

-- Each field of a windows definition checked on its own (what the wizard asks one by one);
-- M.windows runs them all in this order, so both say the same.
local field_checks = {
  { "from", function(w)
      local from = date_field(w, "from")
      local lo = site.data_range()
      if from < lo then bad("windows.from: %s is before OptionOmega's data begins (%s)", from, lo) end
    end },
  { "to", function(w)
      local to = date_field(w, "to")
      local _, hi = site.data_range()
      if to > hi then bad("windows.to: %s is after OptionOmega's last day of data (%s, yesterday)", to, hi) end
      if type(w.from) == "string" and dates.parse(w.from) and w.from >= to then bad("windows: from %s is not before to %s", w.from, to) end
    end },
  { "in_sample", function(w) span_field(w, "in_sample") end },
  { "out_of_sample", function(w)
      local oos = span_field(w, "out_of_sample")
      if not dates.at_least_a_month(oos) then
        bad("windows.out_of_sample: %s is shorter than a month: give 1m or more (30d and more), or the out-of-sample results are noise", oos.text)
      end
    end },
  { "step", function(w) span_field(w, "step", w.out_of_sample) end },
  { "anchored", function(w)
      if w.anchored ~= nil and type(w.anchored) ~= "boolean" then bad("windows.anchored: expected true or false") end
    end },
}

local function windows_table(w)
  if type(w) ~= "table" then bad("windows: missing (a table {from, to, in_sample, out_of_sample, step, anchored})") end
  return w
end

-- Checks one field of spec.windows (the wizard asks them one by one).
function M.check_window_field(spec, name)
  local w = windows_table(type(spec) == "table" and spec.windows)
  for _, c in ipairs(field_checks) do
    if c[1] == name then return c[2](w) end
  end
end

-- The windows of a definition {from, to, in_sample, out_of_sample, step, anchored}: a list of
-- {index, is_from, is_to, oos_from, oos_to} ("YYYY-MM-DD"), and what is left uncovered at the
-- end ("YYYY-MM-DD" or nil). Window k (from 0) of a rolling walk-forward starts k steps after
-- `from`; an anchored one always starts at `from`. Each in-sample ends the day before its
-- out-of-sample starts; the last window ends on or before `to`. Errors are typed "input".
function M.windows(w)
  windows_table(w)
  for k in pairs(w) do
    if not ({ from = 1, to = 1, in_sample = 1, out_of_sample = 1, step = 1, anchored = 1 })[k] then
      bad("windows.%s: unknown field (known: from, to, in_sample, out_of_sample, step, anchored)", tostring(k))
    end
  end
  for _, c in ipairs(field_checks) do c[2](w) end
  local from, to = w.from, w.to
  local is, oos = span_field(w, "in_sample"), span_field(w, "out_of_sample")
  local step = span_field(w, "step", w.out_of_sample)
  local a, b = dates.parse(from), dates.parse(to)
  local list = {}
  for k = 0, M.max_windows do
    local is_from = w.anchored and a or dates.advance(a, step, k)
    local oos_from = dates.advance(a, is, 1, step, k)
    local oos_to = dates.advance(a, is, 1, step, k, oos, 1) - 1
    if oos_to > b then break end
    list[#list + 1] = { index = k + 1, is_from = dates.format(is_from), is_to = dates.format(oos_from - 1),
                        oos_from = dates.format(oos_from), oos_to = dates.format(oos_to) }
  end
  if #list == 0 then
    local first_end = dates.format(dates.advance(a, is, 1, oos, 1) - 1)
    bad("windows: in_sample %s + out_of_sample %s from %s end %s, after to %s: give an earlier from, a later to or shorter windows",
      is.text, oos.text, from, first_end, to)
  end
  if #list > 1 and list[2].oos_from <= list[1].oos_to then
    bad("windows.step: %s is shorter than out_of_sample %s: the out-of-sample windows would overlap (step = out_of_sample walks them back to back)",
      step.text, oos.text)
  end
  local covered = list[#list].oos_to
  return list, covered < to and dates.format(dates.parse(covered) + 1) or nil
end

-- What the wizard and New Run ask (oo.forms): the windows field by field (each answer checked
-- as M.windows checks it), the inner search (any mode but this one; it is judged by the
-- walk-forward's optimize_by), what "best" means.
local function window_check(name) return function(spec) M.check_window_field(spec, name) end end
local function last_day() local _, hi = site.data_range(); return hi end
M.form = { order = 70,
  label = "walkforward - optimize on each in-sample window, trade its best on the next out-of-sample window",
  fields = {
    { key = "windows.from", type = "date", label = "From (the first in-sample day)",
      default = function() return string.format("%d-01-01", tonumber(last_day():sub(1, 4)) - 5) end,
      check = window_check("from") },
    { key = "windows.to", type = "date", label = "To (the last out-of-sample day)", default = last_day,
      check = window_check("to") },
    { key = "windows.in_sample", type = "span", label = "In-sample window", default = "24m",
      help = "a span: 6m, 2y, 12w, 90d", check = window_check("in_sample") },
    { key = "windows.out_of_sample", type = "span", label = "Out-of-sample window", default = "6m",
      help = "a month or more", check = window_check("out_of_sample") },
    { key = "windows.step", type = "span", label = "Step", optional = true,
      help = "how far each window moves; empty: the out-of-sample length (windows back to back)",
      check = window_check("step") },
    { key = "windows.anchored", type = "bool", label = "Anchored (every in-sample starts at From)", default = false,
      check = function(spec) window_check("anchored")(spec); M.windows(spec.windows) end },
    { key = "search", type = "search", label = "Search on each in-sample window", exclude = { "walkforward" },
      omit = { "optimize_by", "period" }, without = { "dates" } },
    { key = "optimize_by", type = "objective", label = "Best by", help = "a metric or a goal of the analysis" },
    { key = "full_period", type = "bool", label = "Also search the whole period, to compare with", default = true },
  } }

-- Does a spec table name a parameter "dates" anywhere (sweep parameter, grid axes, stages, ...)?
local function searches_dates(t, seen)
  if type(t) ~= "table" or seen[t] then return false end
  seen[t] = true
  if t.parameter == "dates" or t.name == "dates" then return true end
  if type(t.parameters) == "table" and t.parameters.dates ~= nil then return true end
  for k, v in pairs(t) do
    if k ~= "fixed" and searches_dates(v, seen) then return true end
  end
  return false
end

local function copy(t)
  local c = {}
  for k, v in pairs(t or {}) do c[k] = v end
  return c
end

-- The inner search's spec for one date range: the dates fixed (a mode that spends its budget
-- on shorter spans, such as halving, finds its range there), the walk-forward's optimize_by
-- unless the search has its own.
local function inner_spec(spec, mode_name, range)
  local s = copy(spec.search)
  s.mode = mode_name
  s.fixed = copy(spec.search.fixed)
  for k, v in pairs(spec.fixed or {}) do if s.fixed[k] == nil then s.fixed[k] = v end end
  s.fixed.dates = range
  if s.optimize_by == nil then s.optimize_by = spec.optimize_by end
  return s
end

local function check_search(spec, registry)
  local search = spec.search
  if type(search) ~= "table" then
    bad("search: missing (the inner search, e.g. {mode = \"grid\", parameters = {...}})")
  end
  local name = search.mode
  if name == nil then
    name = search.stages and "staged" or search.parameters and "grid" or search.parameter and "sweep" or nil
  end
  if type(name) ~= "string" then bad("search.mode: missing (sweep, grid, staged or another search)") end
  if name == "walkforward" then bad("search.mode: a walk-forward cannot search inside a walk-forward") end
  if searches_dates(search, {}) then
    bad("search: searches over dates, but the windows set the dates: take dates out of the search")
  end
  if (search.fixed and search.fixed.dates) or (spec.fixed and spec.fixed.dates) then
    bad("fixed.dates: the windows set the dates: take dates out of fixed")
  end
  local ok, mod = pcall(modes.get, name)
  if not ok then bad("search.mode: %s", errors.message(mod)) end
  return mod, name
end

function M.check(spec, registry)
  local list, uncovered = M.windows(spec.windows)
  local inner, inner_name = check_search(spec, registry)
  local obj = objective.get(spec.optimize_by or spec.search.optimize_by, "walkforward.optimize_by")
  local full = spec.full_period ~= false
  local norm = { mode = "walkforward", windows = list, uncovered = uncovered, from = spec.windows.from,
                 to = spec.windows.to, anchored = spec.windows.anchored == true,
                 in_sample = spec.windows.in_sample, out_of_sample = spec.windows.out_of_sample,
                 step = spec.windows.step or spec.windows.out_of_sample,
                 search_mode = inner_name, objective = obj, optimize_by = obj.label,
                 full_period = full, searches = {} }
  local function add(key, is_from, is_to, window)
    local range = dates.range(is_from, is_to)
    local ok, s = pcall(inner.check, inner_spec(spec, inner_name, range), registry)
    if not ok then
      errors.raise(errors.code(s) == "script" and "input" or errors.code(s), "walkforward.search: %s", errors.message(s))
    end
    norm.searches[#norm.searches + 1] = { key = key, range = range, window = window, spec = s }
  end
  for _, w in ipairs(list) do add("window " .. w.index, w.is_from, w.is_to, w) end
  norm.oos_span = dates.range(list[1].oos_from, list[#list].oos_to)
  if full then add("full period", spec.windows.from, spec.windows.to, nil) end
  norm.inner = inner
  norm.summary = string.format("walk-forward: %d windows (%s in-sample, %s out-of-sample, %s), %s search of %d backtests each%s: %d backtests",
    #list, norm.in_sample, norm.out_of_sample, norm.anchored and "anchored" or ("rolling by " .. norm.step),
    norm.search_mode, inner.count(norm.searches[1].spec), full and " (and once over the full period)" or "", M.count(norm))
  return norm
end

function M.count(norm)
  local n = 0
  for _, s in ipairs(norm.searches) do n = n + norm.inner.count(s.spec) + 1 end
  return n
end

-- A task's values as one comparable key.
local function key_of(values)
  local names = {}
  for k in pairs(values or {}) do names[#names + 1] = k end
  table.sort(names)
  local parts = {}
  for _, k in ipairs(names) do parts[#parts + 1] = k .. "=" .. tostring(values[k]) end
  return table.concat(parts, "\0")
end
M.key_of = key_of

-- The best of a search: among its results over its whole range (a search that also ran shorter
-- spans does not win with one of those), by the walk-forward's objective.
local function best_of(norm, s)
  local rows = {}
  for _, st in ipairs(s.done) do
    for _, r in ipairs(st.results) do
      if r.values and r.values.dates == s.range then rows[#rows + 1] = r end
    end
  end
  s.candidates = #rows
  return norm.objective.best(rows)
end

-- The stage after the given state: {kind = "is"|"oos", tasks, consumers} or nil when the run is
-- complete. Each consumer is {target, tasks = {values...}}: who gets the results of which tasks.
local function next_stage(norm, state)
  local tasks, consumers = {}, {}
  local function give(target, values)
    tasks[#tasks + 1] = { values = values }
    local c = consumers[#consumers]
    if not c or c.target ~= target then
      c = { target = target, keys = {} }
      consumers[#consumers + 1] = c
    end
    c.keys[#c.keys + 1] = key_of(values)
  end
  for _, s in ipairs(state.searches) do
    if not s.finished then
      local ok, st = pcall(norm.inner.plan, s.spec, s.done)
      if not ok then
        s.finished, s.error = true, errors.message(st)
      elseif not st or #st.tasks == 0 then
        s.finished = true
      else
        s.pending = st
        for _, t in ipairs(st.tasks) do
          local v = copy(t.values)
          if v.dates == nil then v.dates = s.range end
          give(s, v)
        end
      end
      if s.finished and not s.error then
        s.best, s.best_score = best_of(norm, s)
        if not s.best then s.error = "no successful in-sample result" end
      end
    end
  end
  if #tasks > 0 then return { kind = "is", tasks = tasks, consumers = consumers } end
  if state.oos_planned then return nil end
  state.oos_planned = true
  for _, s in ipairs(state.searches) do
    if s.best then
      local v = copy(s.best.values)
      v.dates = s.window and dates.range(s.window.oos_from, s.window.oos_to) or norm.oos_span
      s.oos_values = v
      give({ oos = s }, v)
    end
  end
  if #tasks == 0 then return nil end
  return { kind = "oos", tasks = tasks, consumers = consumers }
end

-- Hands a finished stage's results to the consumers that planned them: each result goes to one
-- consumer that planned its values and still waits for a result with them.
local function attribute(stage, results)
  local wants = {}
  for _, c in ipairs(stage.consumers) do
    c.results = {}
    for _, k in ipairs(c.keys) do
      wants[k] = wants[k] or {}
      table.insert(wants[k], c)
    end
  end
  for _, r in ipairs(results) do
    local list = wants[key_of(r.values)]
    local c = list and table.remove(list, 1)
    if c then c.results[#c.results + 1] = r end
  end
  for _, c in ipairs(stage.consumers) do
    if c.target.oos then
      c.target.oos.oos_result, c.target.oos.oos_done = c.results[1], true
    else
      local s = c.target
      s.done[#s.done + 1] = { index = #s.done + 1, results = c.results }
      s.pending = nil
    end
  end
end

-- The walk-forward's state after the finished stages `done` (as the runner gives them: done[i]
-- = {index, results = {{values, metrics, task_id, ...}}}): the searches, each {key, range,
-- window, done (its inner stages), finished, best, error, oos_values, oos_done, oos_result}, and
-- the next stage (nil when the run is complete).
function M.state(norm, done)
  local state = { searches = {} }
  for i, s in ipairs(norm.searches) do
    state.searches[i] = { key = s.key, range = s.range, window = s.window, spec = s.spec, done = {} }
  end
  for i = 1, #done do
    local stage = next_stage(norm, state)
    if not stage then break end
    attribute(stage, done[i].results or {})
  end
  return state, next_stage(norm, state)
end

function M.plan(norm, done)
  local _, stage = M.state(norm, done)
  if not stage then return nil end
  local k = #done + 1
  local label
  if stage.kind == "is" then
    label = string.format("in-sample round %d (%d searches)", k, #stage.consumers)
  else
    label = string.format("out-of-sample (%d windows%s)", #stage.consumers, norm.full_period and " + the full-period best" or "")
  end
  return { index = k, label = label, kind = stage.kind, tasks = stage.tasks }
end

return M
