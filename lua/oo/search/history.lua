-- oo.search.history: what a search knows when it plans a stage, read from the stages done (as
-- oo.runner hands them to a mode's plan): every task of the run in its stored order, with its
-- point in the space, its status, its score by the run's objective, and whether its result
-- came from the cache. Pure: the same stages give the same history.
--
--   local H = history.read(S, done, obj)
--   H.list           {{key, p, values, metrics, status, cached, score}, ...} in stored order
--   H.by_key[key]    the first entry of a point
--   H.spent          backtests the search has spent: every task but those served by the cache
--                    (a failed task counts: it may have run backtests before it gave up)
--   H.cached         tasks the cache served
--   H.blind          some stage came without its tasks (results only: failed tasks unseen)
--   H.last_new       points the last stage tried for the first time (as far as seen)
--   H.scored         the entries with a score, in stored order
--   H.ranked         the same, best first (ties: the earlier task)
--   H.best           the best entry, or nil
local M = {}

-- done[i] = {index, results = {{task_id, values, metrics, cached}}, tasks = {{task_id, values,
-- status}}}: tasks (every task, failed ones too) when the runner gives them, else the results.
local function entries(done)
  local out, blind = {}, false
  for _, d in ipairs(done) do
    local by_task = {}
    for _, r in ipairs(d.results or {}) do
      if r.task_id then by_task[r.task_id] = r end
    end
    if not (d.tasks and #d.tasks > 0) then blind = true end
    if d.tasks and #d.tasks > 0 then
      for _, t in ipairs(d.tasks) do
        local r = t.task_id and by_task[t.task_id]
        out[#out + 1] = { values = t.values, status = r and "completed" or t.status,
                          metrics = r and r.metrics, cached = r and r.cached or false, stage = d.index }
      end
    else
      for _, r in ipairs(d.results or {}) do
        out[#out + 1] = { values = r.values, status = "completed", metrics = r.metrics,
                          cached = r.cached or false, stage = d.index }
      end
    end
  end
  return out, blind
end

function M.read(S, done, obj)
  local H = { list = {}, by_key = {}, spent = 0, cached = 0, scored = {} }
  local rows = {}
  local list, blind = entries(done)
  H.blind = blind
  local last = #done
  H.last_new = 0
  for _, e in ipairs(list) do
    if e.status == "completed" and e.cached then H.cached = H.cached + 1 else H.spent = H.spent + 1 end
    local p = S.locate(e.values)
    if p then
      e.p, e.key = p, S.key(p)
      H.list[#H.list + 1] = e
      if not H.by_key[e.key] then
        H.by_key[e.key] = e
        if e.stage == last then H.last_new = H.last_new + 1 end
      end
      if e.status == "completed" and e.metrics then rows[#rows + 1] = e end
    end
  end
  local scores = obj.scores(rows)
  for i, e in ipairs(rows) do
    local s = scores[i]
    if type(s) == "number" and s == s and s > -math.huge and s < math.huge then
      e.score = s
      H.scored[#H.scored + 1] = e
    end
  end
  local ranked = {}
  for i, e in ipairs(H.scored) do ranked[i] = { e = e, i = i } end
  table.sort(ranked, function(a, b)
    if a.e.score ~= b.e.score then return a.e.score > b.e.score end
    return a.i < b.i
  end)
  H.ranked = {}
  for i, r in ipairs(ranked) do H.ranked[i] = r.e end
  H.best = H.ranked[1]
  return H
end

return M
