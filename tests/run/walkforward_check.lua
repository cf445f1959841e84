-- walkforward_check.lua DB_JSON REPORT_TEXT: a finished walk-forward run checked independently
-- of the engine's own walk-forward code. The windows below are worked out by hand for
-- windows = {from = "2021-01-01", to = "2021-12-31", in_sample = "6m", out_of_sample = "2m"}
-- (rolling by 2m); a window's in-sample best is its highest MAR (ties: the earlier task).
-- Checks: every task has its window's dates; each out-of-sample task carries its window's
-- in-sample best values; the efficiency figures and the stitched P/L the report printed equal
-- those computed here from the stored results and trades.
local json = require("json")
local fs = require("fs")
local rows = json.decode(assert(fs.read(arg[1])))
local report = assert(fs.read(arg[2]))
local fails = 0
local function bad(...) fails = fails + 1; print("FAIL walkforward: " .. string.format(...)) end

local windows = {
  { is = "2021-01-01..2021-06-30", oos = "2021-07-01..2021-08-31" },
  { is = "2021-03-01..2021-08-31", oos = "2021-09-01..2021-10-31" },
  { is = "2021-05-01..2021-10-31", oos = "2021-11-01..2021-12-31" },
}
local full, span = "2021-01-01..2021-12-31", "2021-07-01..2021-12-31"

local by_dates = {}
for _, r in ipairs(rows) do
  r.values = json.decode(r.task_values)
  r.metrics = r.metrics and json.decode(r.metrics) or {}
  if r.status ~= "completed" then bad("task %d is %s", r.task_id, r.status) end
  by_dates[r.values.dates] = by_dates[r.values.dates] or {}
  table.insert(by_dates[r.values.dates], r)
end
-- every task's dates are a window's in-sample or out-of-sample, the full period or the span
local known = { [full] = "is", [span] = "oos" }
for _, w in ipairs(windows) do known[w.is], known[w.oos] = "is", "oos" end
for d, list in pairs(by_dates) do
  if not known[d] then bad("%d tasks with dates %s, which are no window's", #list, d) end
end

local function best(list)
  local b
  for _, r in ipairs(list or {}) do
    if r.stage == 1 and r.metrics.mar and (not b or r.metrics.mar > b.metrics.mar) then b = r end
  end
  return b
end
local function fmt_pct(v) return string.format("%.1f%%", v * 100) end
local function money(v)
  local s = string.format("%.0f", math.abs(v)):reverse():gsub("(%d%d%d)", "%1,"):reverse():gsub("^,", "")
  return (v < 0 and "-$" or "$") .. s
end

-- the report's window lines, cells split on runs of two spaces or more
local lines = {}
for line in report:gmatch("[^\n]+") do
  local cells = {}
  for c in (line:gsub("^%s+", "") .. "  "):gmatch("(.-)%s%s+") do cells[#cells + 1] = c end
  if cells[3] then lines[cells[3]] = cells end
end

local sum_is, sum_oos, stitched_pl = 0, 0, 0
for i, w in ipairs(windows) do
  local is_list, oos_list = by_dates[w.is], by_dates[w.oos]
  if not is_list or #is_list ~= 2 then bad("window %d: %d in-sample tasks, expected 2", i, is_list and #is_list or 0) end
  if not oos_list or #oos_list ~= 1 then bad("window %d: %d out-of-sample tasks, expected 1", i, oos_list and #oos_list or 0) end
  local b, o = best(is_list), oos_list and oos_list[1]
  if b and o then
    if o.stage ~= 2 then bad("window %d: its out-of-sample task is in stage %d", i, o.stage) end
    for k, v in pairs(b.values) do
      if k ~= "dates" and o.values[k] ~= v then bad("window %d: out-of-sample %s = %s, the in-sample best has %s", i, k, tostring(o.values[k]), tostring(v)) end
    end
    local wfe = o.metrics.cagr / b.metrics.cagr
    sum_is, sum_oos = sum_is + b.metrics.cagr, sum_oos + o.metrics.cagr
    stitched_pl = stitched_pl + o.trades_pl
    local cells = lines[w.oos]
    if not cells then bad("window %d: no line for %s in the report", i, w.oos)
    else
      if cells[10] ~= fmt_pct(wfe) then bad("window %d: the report says WFE %s, the stored results give %s", i, tostring(cells[10]), fmt_pct(wfe)) end
      if cells[4] ~= "delta=" .. tostring(b.values.delta) then bad("window %d: report's best %s, stored best delta=%s", i, tostring(cells[4]), tostring(b.values.delta)) end
    end
  end
end
local overall = (sum_oos / 3) / (sum_is / 3)
if not report:find("overall " .. fmt_pct(overall), 1, true) then
  bad("the report's overall efficiency is not %s (mean OOS CAGR / mean IS CAGR from the stored results)", fmt_pct(overall))
end
local stitched_line = report:match("\n(Stitched out%-of%-sample 2021%-07%-01 to 2021%-12%-31: [^\n]*)") or ""
if not stitched_line:find(", P/L " .. money(stitched_pl) .. ",", 1, true) then
  bad("the report's stitched P/L is not %s (the out-of-sample trades' P/L summed)", money(stitched_pl))
end
-- the full-period best on the out-of-sample span
local fb, fo = best(by_dates[full]), by_dates[span] and by_dates[span][1]
if not fb or not fo then bad("no full-period search or no full-period best on the span")
elseif fo.values.delta ~= fb.values.delta then bad("the span's task has delta %s, the full-period best %s", tostring(fo.values.delta), tostring(fb.values.delta)) end
if not report:find("Verdict:", 1, true) or not report:find("50.0% or more", 1, true) then bad("no verdict with its thresholds") end

if fails > 0 then return 1 end
print(string.format("walkforward: 3 windows checked (overall WFE %s, stitched P/L %s)", fmt_pct(overall), money(stitched_pl)))
return 0
