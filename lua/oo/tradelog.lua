-- oo.tradelog: OptionOmega's trade-log CSV parsed into trades. The header is fixed (tools such
-- as TradeBlocks import exactly it); legs read "44 Sep 22 6370 C STO 110.95 | 22 Sep 22 ...".
local json = require("json")
local M = {}

M.header = {
  "Date Opened", "Time Opened", "Opening Price", "Legs", "Premium", "Closing Price",
  "Date Closed", "Time Closed", "Avg. Closing Cost", "Reason For Close", "P/L", "P/L %",
  "No. of Contracts", "Funds at Close", "Margin Req.", "Strategy",
  "Opening Commissions + Fees", "Closing Commissions + Fees", "Opening Short/Long Ratio",
  "Closing Short/Long Ratio", "Opening VIX", "Closing VIX", "Gap", "Movement", "Max Profit",
  "Max Loss",
}

-- RFC 4180 records: quoted fields, doubled quotes, commas and newlines inside quotes.
function M.parse_csv(text)
  local rows, row, field = {}, {}, {}
  local i, n, inq = 1, #text, false
  local line = 1
  while i <= n do
    local c = text:sub(i, i)
    if inq then
      if c == '"' then
        if text:sub(i + 1, i + 1) == '"' then field[#field + 1] = '"'; i = i + 1
        else inq = false end
      else
        if c == "\n" then line = line + 1 end
        field[#field + 1] = c
      end
    elseif c == '"' then
      if #field > 0 then error(string.format("trade log line %d: a quote inside an unquoted field", line), 0) end
      inq = true
    elseif c == "," then
      row[#row + 1] = table.concat(field); field = {}
    elseif c == "\n" or c == "\r" then
      if c == "\r" and text:sub(i + 1, i + 1) == "\n" then i = i + 1 end
      row[#row + 1] = table.concat(field); field = {}
      if not (#row == 1 and row[1] == "") then rows[#rows + 1] = row end
      row = {}
      line = line + 1
    else
      field[#field + 1] = c
    end
    i = i + 1
  end
  if inq then error(string.format("trade log line %d: a quoted field is not closed", line), 0) end
  if #field > 0 or #row > 0 then row[#row + 1] = table.concat(field); rows[#rows + 1] = row end
  return rows
end

local months = { Jan = 1, Feb = 2, Mar = 3, Apr = 4, May = 5, Jun = 6, Jul = 7, Aug = 8,
                 Sep = 9, Oct = 10, Nov = 11, Dec = 12 }

-- "44 Sep 22 6370 C STO 110.95" -> {qty=44, month=9, day=22, strike=6370, right="C",
-- action="STO", price=110.95}; several legs are separated by " | ".
function M.parse_legs(text)
  local legs = {}
  for part in (text or ""):gmatch("[^|]+") do
    local qty, mon, day, strike, right, action, price =
      part:match("^%s*(%d+)%s+(%a%a%a)%s+(%d+)%s+([%d%.]+)%s+([CP])%s+(%u%u%u)%s+([%-%d%.]+)%s*$")
    if not qty or not months[mon] then
      error(string.format("trade log: cannot read the leg %q (expected like \"44 Sep 22 6370 C STO 110.95\")", part), 0)
    end
    legs[#legs + 1] = { qty = tonumber(qty), month = months[mon], day = tonumber(day),
                        strike = tonumber(strike), right = right, action = action, price = tonumber(price) }
  end
  return legs
end

local numeric = {
  ["Opening Price"] = true, ["Premium"] = true, ["Closing Price"] = true,
  ["Avg. Closing Cost"] = true, ["P/L"] = true, ["P/L %"] = true, ["No. of Contracts"] = true,
  ["Funds at Close"] = true, ["Margin Req."] = true, ["Opening Commissions + Fees"] = true,
  ["Closing Commissions + Fees"] = true, ["Opening Short/Long Ratio"] = true,
  ["Closing Short/Long Ratio"] = true, ["Opening VIX"] = true, ["Closing VIX"] = true,
  ["Gap"] = true, ["Movement"] = true, ["Max Profit"] = true, ["Max Loss"] = true,
}

local function num(s)
  if s == nil or s == "" then return nil end
  local v = tonumber((s:gsub("[%$,%%]", "")))
  return v
end

-- The columns the analysis reads, by what they mean (lua/oo/analysis/).
M.columns = {
  date_opened = "Date Opened", time_opened = "Time Opened", date_closed = "Date Closed",
  time_closed = "Time Closed", pl = "P/L", pl_pct = "P/L %", reason = "Reason For Close",
  contracts = "No. of Contracts", premium = "Premium", funds_at_close = "Funds at Close",
  legs = "Legs", strategy = "Strategy",
}

-- One stored trade (header -> text as in the CSV, or a number) as the analysis reads it:
-- {date_opened, time_opened, date_closed, time_closed, pl, pl_pct, reason, contracts, premium,
-- funds_at_close, legs, strategy}; numbers are numbers, missing fields nil.
function M.read(row)
  local out = {}
  for key, name in pairs(M.columns) do
    local v = row[name]
    if type(v) == "string" and numeric[name] then v = num(v) end
    if type(v) == "string" or type(v) == "number" then out[key] = v end
  end
  return out
end

-- Parses the CSV text: checks the header, returns a list of trades, each {row = {header =
-- text}, values = {header = number or text}, legs = {...}}, and the sum of P/L.
function M.parse(text)
  local rows = M.parse_csv(text)
  if #rows == 0 then error("trade log: empty file (expected the header line)", 0) end
  local head = rows[1]
  for i, name in ipairs(M.header) do
    if head[i] ~= name then
      error(string.format("trade log: column %d is %q, expected %q (OptionOmega's header changed?)",
        i, tostring(head[i]), name), 0)
    end
  end
  local trades, total = {}, 0
  for r = 2, #rows do
    local raw = rows[r]
    if #raw ~= #head then
      error(string.format("trade log row %d: %d fields, expected %d", r, #raw, #head), 0)
    end
    local row, values = json.ordered({}, head), {}     -- stored with its columns in the CSV's order
    for i, name in ipairs(head) do
      row[name] = raw[i]
      values[name] = numeric[name] and num(raw[i]) or raw[i]
    end
    local trade = { row = row, values = values, legs = M.parse_legs(row["Legs"]) }
    total = total + (values["P/L"] or 0)
    trades[#trades + 1] = trade
  end
  return trades, total
end

return M
