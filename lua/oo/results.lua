-- oo.results: OptionOmega's results page read into numbers. The page shows a dl of dt/dd pairs
-- ("P/L" "$13,376", "CAGR" "14.2%", "Avg Per Trade" "$21 / lot"); this maps each label to a
-- metric key and parses the text the way OptionOmega formats it.
local metrics = require("oo.metrics")
local M = {}

-- label on the page -> metric key, and the keys shown as percentages (stored as fractions:
-- 14.2% -> 0.142, like the API's): both from the one list of metrics (lua/oo/metrics.lua)
M.labels = metrics.page_labels()
M.percent = metrics.percent_keys()

-- "$13,376" -> 13376, "-$155" -> -155, "($155)" -> -155, "68.2%" -> 68.2, "$21 / lot" -> 21,
-- "1.75" -> 1.75, "—" or "" -> nil. Returns number, is_percent.
function M.parse_number(text)
  if type(text) ~= "string" then return nil end
  local s = text:gsub("\194\160", " "):gsub("^%s+", ""):gsub("%s+$", "")
  s = s:gsub("%s*/%s*%a+$", "")             -- "$21 / lot"
  local neg = false
  if s:match("^%(.*%)$") then neg, s = true, s:sub(2, -2) end
  if s:sub(1, 1) == "-" or s:sub(1, 3) == "\226\136\146" then -- '-' or U+2212 minus
    neg = true
    s = s:sub(1, 1) == "-" and s:sub(2) or s:sub(4)
  end
  s = s:gsub("^%$", ""):gsub(",", "")
  local pct = false
  if s:sub(-1) == "%" then pct, s = true, s:sub(1, -2) end
  local n = tonumber(s)
  if not n then return nil end
  if neg then n = -n end
  return n, pct
end

-- Turns {label = text} pairs into {key = number}; unknown labels are kept under their label
-- in `extra` so nothing on the page is lost.
function M.from_pairs(pairs_list)
  local metrics, extra = {}, {}
  for _, kv in ipairs(pairs_list) do
    local label, text = kv[1], kv[2]
    local key = M.labels[label]
    local n, pct = M.parse_number(text)
    if key then
      if n and pct and M.percent[key] then n = n / 100 end
      metrics[key] = n
    else
      extra[label] = text
    end
  end
  return metrics, extra
end

-- The JS that collects every dt/dd pair of the results page (innermost dl of the metrics).
M.collect_js = [[
(() => {
  const out = [], stale = window.__ooStale;   // results shown before Run (oo.task's reuse)
  for (const dt of document.querySelectorAll('dl dt')) {
    if (stale && stale.has(dt)) continue;
    let dd = dt.nextElementSibling;
    while (dd && dd.tagName !== 'DD') dd = dd.nextElementSibling;
    if (!dd) continue;
    const box = dt.closest('.bg-ooGreen, .bg-ooRed');
    out.push([dt.textContent.trim(), dd.textContent.trim(),
              box ? (box.classList.contains('bg-ooGreen') ? 'green' : 'red') : null]);
  }
  return out;
})()
]]

-- Reads the results page: returns metrics (numbers), extra (unparsed pairs), colour of the P/L
-- box. Requires the page to show results already (the run recording waits for them).
function M.read(page)
  local pairs_list = page:eval(M.collect_js)
  local metrics, extra = M.from_pairs(pairs_list)
  local colour
  for _, kv in ipairs(pairs_list) do if kv[1] == "P/L" then colour = kv[3] end end
  return metrics, extra, colour
end

-- The page's own API answer (results JSON, camelCase keys) -> metric keys. Exact numbers: the
-- page rounds what it shows ("14.2%", "$13,376"), the API does not.
function M.from_api(api)
  if type(api) ~= "table" then return nil end
  local out = {}
  for k, v in pairs(api) do
    if type(v) == "number" then
      local key = k:gsub("(%l)(%u)", function(a, b) return a .. "_" .. b:lower() end)
      out[key] = v
    end
  end
  return out
end

-- How far a shown value may be from the exact one, given how the page rounds it.
local function tolerance(key, exact)
  local format = metrics.by_key[key] and metrics.by_key[key].format
  if format == "pct" then return 0.0006 end          -- shown with one decimal of a percent
  if format == "ratio" then return 0.006 end         -- shown with two decimals
  return math.max(0.51, math.abs(exact) * 1e-6)      -- money and counts: whole numbers
end

-- Metrics from the API answer when there is one (checked against what the page shows: a
-- disagreement is reported in `mismatch`), else what the page shows.
function M.merge(shown, api)
  if not api or next(api) == nil then return shown, nil end
  local metrics, mismatch = {}, nil
  for k, v in pairs(api) do metrics[k] = v end
  for k, v in pairs(shown or {}) do
    if metrics[k] == nil then
      metrics[k] = v
    elseif math.abs(metrics[k] - v) > tolerance(k, metrics[k]) then
      mismatch = mismatch or {}
      mismatch[k] = { shown = v, api = metrics[k] }
    end
  end
  return metrics, mismatch
end

return M
