-- search_bench.lua: run by tests/bench/search_bench.c (BENCH = {source_dir, seeds}; the
-- `simbt` module computes oo-sim backtests). For each strategy and parameter space it computes
-- the full grid once, then drives each search as lua/oo/runner.lua does (plan a stage, compute
-- its tasks in order, hand the results back, plan the next) and records, in evaluation order,
-- the best score the search holds. It prints, per case and overall:
--   need   backtests until the search holds a configuration within 1% of the grid's best score
--          (as a share of the grid; "-" when it never did within the budget)
--   exact  how often it holds the grid's exact best (a configuration with the best score)
-- for `optimize` (each seed), `refine` (deterministic) and a random search with the same budget
-- as optimize (each seed). Planning CPU time is printed per search (os.clock, this process).
-- `halving` (deterministic, eta 3, 3 rungs over the strategy's own period) is judged on its
-- answer: within 1% and exact, and its cost in full-period backtests of time (a backtest of a
-- third of the period counts a third).
local src = BENCH.source_dir
io.stdout:setvbuf("line")
package.path = src .. "/lua/?.lua;" .. src .. "/lua/?/init.lua;" .. package.path
local simbt = require("simbt")
local modes = require("oo.modes")
local objective = require("oo.objective")
local space = require("oo.search.space")
local rng = require("oo.search.rng")

local SEEDS = BENCH.seeds
local started = os.time()
local BUDGET_SHARE = tonumber(os.getenv("SEARCH_BUDGET") or "0.25")
local BATCH = tonumber(os.getenv("SEARCH_BATCH") or "2")
local OPTIMIZE_BY = os.getenv("SEARCH_BY") or "mar"

local registry = {}
for _, name in ipairs({ "profit_target", "stop_loss", "entry_time", "delta", "dates" }) do
  local p = assert(loadfile(src .. "/parameters/" .. name .. ".lua"))()
  registry[p.name] = p
end

-- Where a parameter lands in oo-sim's configuration (sim/CONFIG.md, "Where the nine automated
-- parameters land").
local fields = {
  profit_target = function(o, v) o["pl.profitTarget"] = v end,
  stop_loss = function(o, v) o["pl.stopLoss"] = v end,
  entry_time = function(o, v) o["entry.time"] = v end,
  dates = function(o, v) o.startDate, o.endDate = v:match("^(.-)%.%.(.*)$") end,
}

local strategies = {
  { file = "01-spx-0dte-put-credit-spread.json", name = "0DTE put spread" },
  { file = "02-spx-iron-condor.json", name = "0DTE iron condor" },
  { file = "03-spy-strangle-45dte.json", name = "45-DTE strangle" },
  { file = "04-spx-call-calendar.json", name = "call calendar" },
  { file = "05-qqq-7dte-put-spread.json", name = "7-DTE put spread" },
}

local spaces = {
  { name = "PT x SL", parameters = {
      { name = "profit_target", config = { start = 10, stop = 100, step = 5 } },
      { name = "stop_loss", config = { start = 50, stop = 500, step = 25 } } } },
  { name = "PT x SL x entry", parameters = {
      { name = "profit_target", config = { start = 20, stop = 80, step = 10 } },
      { name = "stop_loss", config = { start = 100, stop = 400, step = 50 } },
      { name = "entry_time", config = { start = "09:32", stop = "15:02", step = 30 } } } },
}

local obj = objective.get(OPTIMIZE_BY)

local function overrides(values)
  local o = {}
  for k, v in pairs(values) do fields[k](o, v) end
  return o
end

-- The full grid: key -> {values, metrics, score}; and the best score.
local function full_grid(sid, sp)
  local grid = modes.get("grid")
  local norm = grid.check({ parameters = sp.parameters }, registry)
  local S = space.new(norm.axes, {})
  local table_, rows = {}, {}
  local t0 = os.clock()
  for _, p in ipairs(S.all()) do
    local values = S.values(p)
    local row = { values = values, metrics = simbt.run(sid, overrides(values)) }
    table_[S.key(p)] = row
    rows[#rows + 1] = row
  end
  local secs = os.clock() - t0
  local scores = obj.scores(rows)
  local best = -math.huge
  for i, row in ipairs(rows) do
    row.score = scores[i]
    if scores[i] and scores[i] > best then best = scores[i] end
  end
  return { S = S, table = table_, best = best, size = S.size, secs = secs, sid = sid, windows = {} }
end

-- A configuration on a window of the period (halving's shorter rungs), computed once.
local function on_window(G, values)
  local key = G.S.key(G.S.locate(values)) .. "@" .. values.dates
  local row = G.windows[key]
  if not row then
    row = { metrics = simbt.run(G.sid, overrides(values)) }
    G.windows[key] = row
  end
  return row
end

local function good_enough(score, best)
  return score ~= nil and score >= best - 0.01 * math.abs(best)
end

-- Drives a mode as the runner does; returns {need, exact, spent, cpu}.
local function drive(mode, spec, G)
  local t0 = os.clock()
  local norm = mode.check(spec, registry)
  local done, n, need, holds, task_id = {}, 0, nil, false, 0
  while true do
    local stage = mode.plan(norm, done)
    if not stage then break end
    local results, tasks = {}, {}
    for _, t in ipairs(stage.tasks) do
      local p = G.S.locate(t.values)
      local row = assert(p and G.table[G.S.key(p)], "a planned task is outside the grid")
      if t.values.dates and t.values.dates ~= G.period then row = on_window(G, t.values) end
      task_id, n = task_id + 1, n + 1
      results[#results + 1] = { task_id = task_id, values = t.values, metrics = row.metrics, cached = false }
      tasks[#tasks + 1] = { task_id = task_id, values = t.values, status = "completed" }
      if not need and good_enough(row.score, G.best) then need = n end
      if row.score == G.best then holds = true end
    end
    done[#done + 1] = { index = stage.index, results = results, tasks = tasks }
  end
  return { need = need, exact = holds, spent = n, cpu = os.clock() - t0 }
end

local function random_search(G, budget, seed)
  local r = rng.new(seed, 999)
  local all = r:shuffle(G.S.all())
  local need, holds = nil, false
  for i = 1, budget do
    local row = G.table[G.S.key(all[i])]
    if not need and good_enough(row.score, G.best) then need = i end
    if row.score == G.best then holds = true end
  end
  return { need = need, exact = holds, spent = budget }
end

local function pct(x) return x and string.format("%5.1f%%", 100 * x) or "    -" end

-- halving: the answer of the last rung, and the time it took in full-period backtests
local function halving_run(G, sp)
  local mode = modes.get("halving")
  local norm = mode.check({ mode = "halving", parameters = sp.parameters, period = G.period, optimize_by = OPTIMIZE_BY }, registry)
  local done, id = {}, 0
  local dates = require("oo.dates")
  local a, b = dates.split(G.period)
  local full, cost = dates.span_days(a, b), 0
  while true do
    local stage = mode.plan(norm, done)
    if not stage then break end
    local d = { index = stage.index, results = {}, tasks = {} }
    for _, t in ipairs(stage.tasks) do
      id = id + 1
      local row = t.values.dates == G.period and G.table[G.S.key(G.S.locate(t.values))] or on_window(G, t.values)
      local wa, wb = dates.split(t.values.dates)
      cost = cost + dates.span_days(wa, wb) / full
      d.results[#d.results + 1] = { task_id = id, values = t.values, metrics = row.metrics }
      d.tasks[#d.tasks + 1] = { task_id = id, values = t.values, status = "completed" }
    end
    done[#done + 1] = d
  end
  local best = mode.summary(norm, done).best
  local row = best and G.table[G.S.key(G.S.locate(best.values))]
  return { within = row and good_enough(row.score, G.best), exact = row and row.score == G.best, cost = cost, n = id }
end

local totals = { opt = { need = 0, n = 0, miss = 0, exact = 0, runs = 0, cpu = 0, plans = 0 },
                 rnd = { need = 0, n = 0, miss = 0, exact = 0, runs = 0 },
                 ref = { need = 0, n = 0, miss = 0, exact = 0, runs = 0, spent = 0 },
                 hal = { within = 0, exact = 0, runs = 0, cost = 0 } }
local function add(t, res, size)
  t.runs = t.runs + 1
  if res.need then t.need, t.n = t.need + res.need / size, t.n + 1 else t.miss = t.miss + 1 end
  if res.exact then t.exact = t.exact + 1 end
end

print(string.format("search_bench: optimize_by %s, budget %.0f%% of the grid, batch %d, %d seeds",
  OPTIMIZE_BY, BUDGET_SHARE * 100, BATCH, SEEDS))
print(string.format("%-18s %-16s %5s %6s | %-22s | %-22s | %-18s | %-20s | %s", "strategy", "space", "grid", "grid s",
  "optimize need  exact", "random need  exact", "refine spent exact", "halving time 1% ex.", "opt cpu/run"))
for _, st in ipairs(strategies) do
  local sid, first, last = simbt.load(src .. "/sim/bt/strategies/" .. st.file)
  for _, sp in ipairs(spaces) do
    local G = full_grid(sid, sp)
    G.period = first .. ".." .. last
    local budget = math.max(2, math.ceil(BUDGET_SHARE * G.size))
    local o = { need = 0, n = 0, miss = 0, exact = 0, runs = 0, cpu = 0 }
    local rr = { need = 0, n = 0, miss = 0, exact = 0, runs = 0 }
    for seed = 1, SEEDS do
      local res = drive(modes.get("optimize"), { mode = "optimize", parameters = sp.parameters,
        max_backtests = budget, seed = seed, batch = BATCH, optimize_by = OPTIMIZE_BY }, G)
      add(o, res, G.size); add(totals.opt, res, G.size)
      o.cpu, totals.opt.cpu = o.cpu + res.cpu, totals.opt.cpu + res.cpu
      totals.opt.planned = (totals.opt.planned or 0) + res.spent
      local rres = random_search(G, budget, seed)
      add(rr, rres, G.size); add(totals.rnd, rres, G.size)
    end
    local ok_ref, ref = pcall(drive, modes.get("refine"), { mode = "refine", parameters = sp.parameters,
      optimize_by = OPTIMIZE_BY }, G)
    local ref_text = "    n/a"
    if ok_ref then
      add(totals.ref, ref, G.size)
      totals.ref.spent = totals.ref.spent + ref.spent / G.size
      ref_text = string.format("%s %s", pct(ref.spent / G.size), ref.exact and "yes" or " no")
    end
    local h = halving_run(G, sp)
    local th = totals.hal
    th.runs, th.cost = th.runs + 1, th.cost + h.cost / G.size
    if h.within then th.within = th.within + 1 end
    if h.exact then th.exact = th.exact + 1 end
    print(string.format("%-18s %-16s %5d %5.1fs | %s %s %3d/%-3d | %s %s %3d/%-3d | %-18s | %s %-3s %-3s     | %.2fs",
      st.name, sp.name, G.size, G.secs,
      pct(o.n > 0 and o.need / o.n or nil), o.miss > 0 and ("(" .. o.miss .. " miss)") or "        ", o.exact, o.runs,
      pct(rr.n > 0 and rr.need / rr.n or nil), rr.miss > 0 and ("(" .. rr.miss .. " miss)") or "        ", rr.exact, rr.runs,
      ref_text, pct(h.cost / G.size), h.within and "yes" or "no", h.exact and "yes" or "no", o.cpu / o.runs))
  end
end
local function line(name, t)
  print(string.format("%-9s mean need %s of the grid (%d of %d runs got within 1%%), exact best %d/%d (%.0f%%)",
    name, pct(t.n > 0 and t.need / t.n or nil), t.n, t.runs, t.exact, t.runs, 100 * t.exact / math.max(1, t.runs)))
end
print("")
line("optimize", totals.opt)
line("random", totals.rnd)
line("refine", totals.ref)
if totals.ref.runs > 0 then print(string.format("refine spends on average %s of the grid", pct(totals.ref.spent / totals.ref.runs))) end
print(string.format("halving   takes on average %s of the grid's time; its answer within 1%% in %d/%d, the exact best in %d/%d",
  pct(totals.hal.cost / math.max(1, totals.hal.runs)), totals.hal.within, totals.hal.runs, totals.hal.exact, totals.hal.runs))
print(string.format("optimize planning: %.2f CPU-s per search on average, %.0f ms per backtest it planned",
  totals.opt.cpu / math.max(1, totals.opt.runs), 1000 * totals.opt.cpu / math.max(1, totals.opt.planned or 0)))
print(string.format("the bench: %d s of wall time, %.0f CPU-s (the grids' backtests included)", os.time() - started, os.clock()))
