-- oo.objective: what "best" means for a run. Everything that picks a best configuration
-- (staged stages, sweeps and grids, refine / optimize / halving searches, walk-forward's
-- in-sample choice, oo.best, the CLI's star, the dashboard's star) asks this module, so one run
-- has one notion of best.
--
-- optimize_by is one of:
--   a metric key of oo.metrics with a sense ("mar", "cagr", "max_drawdown", ...)
--   a goal of the analysis ("returns", "capital", "balanced"; lua/oo/analysis/goals.lua):
--     goals score a result relative to the others of the same set
--   a Lua function(metrics, values) -> number, higher is better
--
-- objective.get(by, where) -> obj with
--   obj.label             "mar", "balanced", "custom"
--   obj.kind              "metric" | "goal" | "function"
--   obj.scores(rows)      -> {score or nil per row}; rows are {values, metrics, ...}
--   obj.best(rows)        -> best row, its score (ties: the earlier row; rows without a score
--                            never win)
--   obj.rank(rows)        -> rows with a score, best first (stable), each {row, score}
local metrics = require("oo.metrics")
local errors = require("oo.errors")
local M = {}

-- Goals are provided by the analysis (lua/oo/analysis/goals.lua) when it is installed: a table
-- name -> {label, scores = function(rows) -> {score...}}.
local function goals()
  local ok, g = pcall(require, "oo.analysis.goals")
  if ok and type(g) == "table" and type(g.goals) == "table" then return g.goals end
  return {}
end

function M.names()
  local out = metrics.optimizable()
  local gs = {}
  for k in pairs(goals()) do gs[#gs + 1] = k end
  table.sort(gs)
  for _, k in ipairs(gs) do out[#out + 1] = k end
  return out
end

local function make(label, kind, scores)
  local obj = { label = label, kind = kind, scores = scores }
  function obj.rank(rows)
    local s = scores(rows)
    local out = {}
    for i, r in ipairs(rows) do
      local v = s[i]
      if type(v) == "number" and v == v then out[#out + 1] = { row = r, score = v, i = i } end
    end
    table.sort(out, function(a, b)
      if a.score ~= b.score then return a.score > b.score end
      return a.i < b.i
    end)
    return out
  end
  function obj.best(rows)
    local ranked = obj.rank(rows)
    if ranked[1] then return ranked[1].row, ranked[1].score end
    return nil
  end
  return obj
end

function M.get(by, where)
  where = where or "optimize_by"
  if by == nil then by = metrics.default_optimize_by end
  if type(by) == "function" then
    return make("custom", "function", function(rows)
      local out = {}
      for i, r in ipairs(rows) do
        if r.metrics then
          local ok, v = pcall(by, r.metrics, r.values)
          if not ok then
            errors.raise("script", "%s: the optimize_by function failed: %s", where, errors.message(v))
          end
          if type(v) == "number" then out[i] = v end
        end
      end
      return out
    end)
  end
  if type(by) ~= "string" then
    errors.raise("input", "%s: expected a metric name, a goal or a Lua function, found %s", where, type(by))
  end
  local m = metrics.by_key[by]
  if m and m.sense then
    return make(by, "metric", function(rows)
      local out = {}
      for i, r in ipairs(rows) do out[i] = metrics.score(by, r.metrics) end
      return out
    end)
  end
  local g = goals()[by]
  if g then return make(by, "goal", g.scores) end
  errors.raise("input", "%s: unknown metric or goal %q (known: %s, or a Lua function)", where, by,
    table.concat(M.names(), ", "))
end

return M
