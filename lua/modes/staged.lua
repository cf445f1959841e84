-- modes.staged: optimise parameters one after another; each stage sweeps one parameter with the
-- best values of every earlier stage fixed, "best" by a metric or a Lua function.
--   { mode = "staged", stages = {
--       { parameter = "delta", config = { start = 5, stop = 50, step = 1 } },
--       { parameter = "profit_target", use_best_from = "delta", optimize_by = "mar",
--         config = { start = 10, stop = 100, step = 5 } } } }
-- optimize_by: mar | cagr | win_percentage | max_drawdown | capture_rate | pl, or
-- function(metrics, values) returning a score (higher is better). As in the design, a stage's
-- optimize_by next to use_best_from says how the best of that earlier stage is chosen; a stage
-- is judged by its own optimize_by, else by that of the stage that uses its best, else by the
-- run's optimize_by, else by mar.
local modes = require("oo.modes")
local M = { name = "staged", description = "Staged optimization: each stage keeps the best of the ones before" }

M.metrics = {
  mar = function(m) return m.mar end,
  cagr = function(m) return m.cagr end,
  win_percentage = function(m) return m.win_percentage end,
  capture_rate = function(m) return m.capture_rate end,
  pl = function(m) return m.pl end,
  -- drawdowns are negative fractions: the best is the one closest to zero
  max_drawdown = function(m) return m.max_drawdown and -math.abs(m.max_drawdown) end,
}

local function scorer(by, where)
  if by == nil then by = "mar" end
  if type(by) == "function" then return by, "custom" end
  local f = M.metrics[by]
  if not f then
    local names = {}
    for k in pairs(M.metrics) do names[#names + 1] = k end
    table.sort(names)
    error(string.format("%s.optimize_by: unknown metric %q (known: %s, or a Lua function)", where, tostring(by), table.concat(names, ", ")), 0)
  end
  return f, by
end

function M.check(spec, registry)
  if type(spec.stages) ~= "table" or #spec.stages == 0 then
    error("staged: stages missing (a list of {parameter=..., config=...})", 0)
  end
  local stages, seen = {}, {}
  for i, st in ipairs(spec.stages) do
    local where = string.format("staged.stages[%d]", i)
    if type(st) ~= "table" then error(where .. ": expected a table", 0) end
    local _, cfg, vals = modes.resolve_parameter(registry, st.parameter, st.config, where)
    if seen[st.parameter] then error(string.format("%s: parameter %q already has a stage", where, st.parameter), 0) end
    if st.use_best_from ~= nil and not seen[st.use_best_from] then
      error(string.format("%s.use_best_from: %q is not an earlier stage", where, tostring(st.use_best_from)), 0)
    end
    seen[st.parameter] = true
    stages[i] = { parameter = st.parameter, config = cfg, values = vals, by = st.optimize_by,
                  use_best_from = st.use_best_from }
  end
  for i, st in ipairs(stages) do
    local by = st.by
    if by == nil then
      for j = i + 1, #stages do
        if stages[j].use_best_from == st.parameter and stages[j].by ~= nil then by = stages[j].by; break end
      end
    end
    if by == nil then by = spec.optimize_by end
    st.score, st.optimize_by = scorer(by, string.format("staged.stages[%d]", i))
    st.by = nil
  end
  return { mode = "staged", stages = stages, fixed = modes.check_fixed(registry, spec.fixed, "staged") }
end

function M.count(spec)
  local n = 0
  for _, st in ipairs(spec.stages) do n = n + #st.values end
  return n
end

-- The best result of a finished stage: highest score; ties go to the earlier task (stable).
-- Results without a score (failed tasks, missing metric) never win.
function M.best(stage_spec, results)
  local best, best_score
  for _, r in ipairs(results) do
    if r.metrics then
      local ok, s = pcall(stage_spec.score, r.metrics, r.values)
      if ok and type(s) == "number" and s == s and (best_score == nil or s > best_score) then
        best, best_score = r, s
      end
    end
  end
  return best, best_score
end

function M.plan(spec, done)
  local k = #done + 1
  local st = spec.stages[k]
  if not st then return nil end
  local fixed = {}
  for a, b in pairs(spec.fixed) do fixed[a] = b end
  for i, d in ipairs(done) do
    local best = M.best(spec.stages[i], d.results or {})
    if not best then
      error(string.format("staged: stage %d (%s) has no successful result to carry forward", i, spec.stages[i].parameter), 0)
    end
    fixed[spec.stages[i].parameter] = best.values[spec.stages[i].parameter]
    d.best = best
  end
  local tasks = {}
  for _, v in ipairs(st.values) do tasks[#tasks + 1] = { values = modes.with(fixed, st.parameter, v) } end
  return { index = k, label = st.parameter, parameter = st.parameter, optimize_by = st.optimize_by,
           fixed = fixed, tasks = tasks }
end

return M
