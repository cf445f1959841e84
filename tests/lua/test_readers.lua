-- The results-page and trade-log readers on OptionOmega's formats.
local check = require("check")
local results = require("oo.results")
local tradelog = require("oo.tradelog")

local cases = { { "$13,376", 13376 }, { "-$155", -155 }, { "$21 / lot", 21 }, { "1.75", 1.75 },
                { "($1,200.50)", -1200.5 }, { "212", 212 }, { "\226\136\146$7", -7 } }
for _, c in ipairs(cases) do check.eq(results.parse_number(c[1]), c[2], c[1]) end
check.eq(results.parse_number("—"), nil)
local m, extra = results.from_pairs({ { "P/L", "$13,376" }, { "CAGR", "14.2%" }, { "Max Drawdown", "-8.1%" },
  { "MAR Ratio", "1.75" }, { "Win Percentage", "68.2%" }, { "Trades", "480" }, { "Avg Per Trade", "$27 / lot" },
  { "Something New", "42" } })
check.eq(m.pl, 13376)
check.near(m.cagr, 0.142, 1e-12)
check.near(m.max_drawdown, -0.081, 1e-12)
check.eq(m.mar, 1.75)
check.near(m.win_percentage, 0.682, 1e-12)
check.eq(m.trades, 480)
check.eq(m.avg_per_trade, 27)
check.eq(extra["Something New"], "42")

local head = table.concat(tradelog.header, ",")
local csv = head .. "\n" ..
  '2022-01-03,09:32:00,4778.1,"1 Jan 3 4700 P STO 1.20 | 1 Jan 3 4650 P BTO 0.40",80,0,2022-01-03,16:00:00,0,Expired,78.5,98.1,1,100078.5,5000,"PCS, 16d",1.2,0,3,0,17,16.5,0.1,0.2,80,-4920\r\n' ..
  '2022-01-04,09:32:00,4790,"2 Jan 4 4710 P STO 1.10 | 2 Jan 4 4660 P BTO 0.35",150,2.8,2022-01-04,11:05:00,280,Stop Loss,-132.4,-88.3,2,99946.1,10000,"PCS, 16d",2.4,2.4,3.1,1.6,18,19,0,-0.6,150,-9850\n'
local trades, total = tradelog.parse(csv)
check.eq(#trades, 2)
check.near(total, 78.5 - 132.4, 1e-9)
check.eq(trades[1].row["Strategy"], "PCS, 16d")
check.eq(trades[2].values["Reason For Close"], "Stop Loss")
check.eq(trades[2].legs[1].qty, 2)
check.eq(trades[2].legs[2].strike, 4660)
check.eq(trades[2].legs[2].action, "BTO")
check.eq(trades[1].legs[1].right, "P")
-- a trade's row keeps the CSV's column order when it becomes JSON (what the store keeps and the
-- dashboard shows), not the order of a Lua table's hash
local encoded = require("json").encode(trades[1].row)
local positions, last = {}, 0
for i, name in ipairs(tradelog.header) do
  local at = encoded:find('"' .. name:gsub("%p", "%%%0") .. '":')
  check.ok(at and at > last, "column " .. i .. " (" .. name .. ") in the CSV's order: " .. encoded:sub(1, 200))
  positions[i], last = at, at or last
end
-- the results page's labels and percentages come from the one list of metrics
local metrics = require("oo.metrics")
for _, m in ipairs(metrics.list) do
  if m.page then check.eq(results.labels[m.page], m.key, m.page) end
end
check.ok(results.percent.cagr and results.percent.max_drawdown and not results.percent.mar)
check.err(function() tradelog.parse("") end, "empty file")
check.err(function() tradelog.parse("Date Opened,Time\n") end, "column 2")
check.err(function() tradelog.parse(head .. "\n1,2,3\n") end, "row 2", "3 fields")
check.err(function() tradelog.parse(head .. '\n"open quote') end, "not closed")
check.err(function() tradelog.parse_legs("44 Sept 22 6370 C STO 110.95") end, "cannot read the leg")

-- where OptionOmega is lives in Lua, not in the engine
local site = require("oo.site")
check.eq(site.test_id("https://optionomega.com/test/abc123"), "abc123")
check.eq(site.test_id("http://127.0.0.1:4000/test/WMRcBqAs/"), "WMRcBqAs")
check.eq(site.test_id("https://optionomega.com/portfolio/abc"), nil)
check.eq(site.test_id(42), nil)
check.ok(site.base_url():match("^https?://"), site.base_url())

check.done()
