-- modes.staged: optimise parameters one after another; each stage sweeps one parameter with the
-- best values of every earlier stage fixed, "best" by a metric or a Lua function.
--   { mode = "staged", stages = {
--       { parameter = "delta", config = { start = 5, stop = 50, step = 1 } },
--       { parameter = "profit_target", use_best_from = "delta", optimize_by = "mar",
--         config = { start = 10, stop = 100, step = 5 } } } }
-- optimize_by: a metric of oo.metrics that has a sense (mar, cagr, win_percentage, max_drawdown,
-- capture_rate, pl, avg_per_trade), a goal of the analysis, or function(metrics, values)
-- returning a score (higher is better): what oo.objective accepts. As in the design, a stage's
-- optimize_by next to use_best_from says how the best of that earlier stage is chosen; a stage
-- is judged by its own optimize_by, else by that of the stage that uses its best, else by the
-- run's optimize_by, else by mar.
local errors = require("oo.errors")
local modes = require("oo.modes")
local objective = require("oo.objective")
local M = { name = "staged", description = "Staged optimization: each stage keeps the best of the ones before" }

-- What the wizard and New Run ask (oo.forms): each stage a parameter, from the second on the
-- best of the stage before by an objective.
M.form = { order = 30, label = "staged - optimise parameters one after another",
  fields = { { key = "stages", type = "stages", label = "Stage", min = 1, max = 5, at = "staged.stages" } } }

function M.check(spec, registry)
  if type(spec.stages) ~= "table" or #spec.stages == 0 then
    errors.raise("input", "staged: stages missing (a list of {parameter=..., config=...})")
  end
  local stages, seen = {}, {}
  for i, st in ipairs(spec.stages) do
    local where = string.format("staged.stages[%d]", i)
    if type(st) ~= "table" then errors.raise("input", "%s: expected a table", where) end
    local _, cfg, vals = modes.resolve_parameter(registry, st.parameter, st.config, where)
    if seen[st.parameter] then errors.raise("input", "%s: parameter %q already has a stage", where, st.parameter) end
    if st.use_best_from ~= nil and not seen[st.use_best_from] then
      errors.raise("input", "%s.use_best_from: %q is not an earlier stage", where, tostring(st.use_best_from))
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
    st.objective = objective.get(by, string.format("staged.stages[%d].optimize_by", i))
    st.optimize_by = st.objective.label
    st.by = nil
  end
  return { mode = "staged", stages = stages, fixed = modes.check_fixed(registry, spec.fixed, "staged") }
end

function M.count(spec)
  local n = 0
  for _, st in ipairs(spec.stages) do n = n + #st.values end
  return n
end

-- The best result of a finished stage, by the stage's objective (ties: the earlier task).
-- Results without a score (failed tasks, missing metric) never win. A failing optimize_by
-- function is an error (with its file:line), never a stage without a best.
function M.best(stage_spec, results)
  return stage_spec.objective.best(results)
end

-- Each finished stage's best (done[i].best, done[i].best_score): the value it carries forward.
local function bests(spec, done)
  for i, d in ipairs(done) do
    if spec.stages[i] then d.best, d.best_score = M.best(spec.stages[i], d.results or {}) end
  end
end

function M.plan(spec, done)
  bests(spec, done)
  local k = #done + 1
  local st = spec.stages[k]
  if not st then return nil end
  local fixed = {}
  for a, b in pairs(spec.fixed) do fixed[a] = b end
  for i, d in ipairs(done) do
    if not d.best then
      errors.raise("input", "staged: stage %d (%s) has no successful result to carry forward", i,
        spec.stages[i].parameter)
    end
    fixed[spec.stages[i].parameter] = d.best.values[spec.stages[i].parameter]
  end
  local tasks = {}
  for _, v in ipairs(st.values) do tasks[#tasks + 1] = { values = modes.with(fixed, st.parameter, v) } end
  return { index = k, label = st.parameter, parameter = st.parameter, optimize_by = st.optimize_by,
           fixed = fixed, tasks = tasks }
end

return M
