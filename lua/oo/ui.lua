-- oo.ui: OptionOmega's New Backtest dialog in its own vocabulary — switch a toggle by its label,
-- fill an input by its label, choose in a listbox, find a leg row. Parameter scripts use these
-- instead of raw selectors, so when OptionOmega changes a widget only this file changes.
--
-- It speaks to a page object of the engine (script/ bindings), using only:
--   page:click(target[, opts])            page:fill(target, value[, opts])
--   page:wait_for(target, opts)           -- opts.state = attached|visible|hidden|detached,
--                                         --   opts.attributes = {name = value}
--   page:query(target) -> {count, visible, enabled, text}
--   page:input_value(target) -> string    page:attr(target, name) -> string|nil
-- A target is {selectors = {alternative, ...}}; alternatives use the Recorder's and
-- Playwright's selector syntax (see tests/fixtures/optionomega/selectors.json).
local M = {}

M.dialog = "[role='dialog']"

local function q(s) -- a quoted string for a :text-is()/:has-text() argument
  return "'" .. tostring(s):gsub("\\", "\\\\"):gsub("'", "\\'") .. "'"
end

-- Within the dialog, optionally within a section (its h3 heading, e.g. "Exit Conditions").
local function scoped(sel, opts)
  local prefix = M.dialog .. " >> "
  if opts and opts.section then
    prefix = prefix .. "h3:text-is(" .. q(opts.section) .. ") ~ div "
  end
  return prefix .. sel
end

function M.target(...)
  return { selectors = { ... } }
end

-- The switch of a toggle labelled `label` ("Use Early Exit").
function M.toggle_target(label, opts)
  return M.target(
    { scoped("button[role='switch'][aria-checked]:has(+ span:text-is(" .. q(label) .. "))", opts) },
    { scoped("button[role='switch'][aria-checked]:has(+ span:has-text(" .. q(label) .. "))", opts) })
end

function M.toggle_state(page, label, opts)
  return page:attr(M.toggle_target(label, opts), "aria-checked") == "true"
end

-- Sets a toggle on or off and waits until the switch reports it (and its fields revealed).
function M.set_toggle(page, label, on, opts)
  local t = M.toggle_target(label, opts)
  local want = on and "true" or "false"
  if page:attr(t, "aria-checked") ~= want then
    page:click(t)
    page:wait_for(t, { state = "attached", attributes = { ["aria-checked"] = want } })
  end
end

-- The input labelled `label` ("Profit Target", "Min RSI", "Entry Time").
function M.input_target(label, opts)
  return M.target(
    { scoped("label:text-is(" .. q(label) .. ") ~ div input", opts) },
    { scoped("label:text-is(" .. q(label) .. ") ~ input", opts) },
    { scoped("label:has-text(" .. q(label) .. ") ~ div input", opts) })
end

function M.fill(page, label, value, opts)
  local t = M.input_target(label, opts)
  page:fill(t, tostring(value))
end

function M.value(page, label, opts)
  return page:input_value(M.input_target(label, opts))
end

-- Numbers as the dialog shows them: "50", "0.5" (no trailing zeros).
function M.num(v)
  if math.type(v) == "integer" then return tostring(v) end
  if type(v) == "number" and v % 1 == 0 then return string.format("%d", v) end
  local s = string.format("%.6f", v):gsub("0+$", ""):gsub("%.$", "")
  return s
end

-- Compares what an input holds with what was set (numerically when both are numbers).
function M.same(actual, expected)
  if actual == nil then return false end
  local a, e = tonumber(actual), tonumber(expected)
  if a and e then return math.abs(a - e) < 1e-9 end
  return tostring(actual) == tostring(expected)
end

-- Chooses `option` in the listbox labelled `label` ("Frequency" -> "Weekly").
function M.choose(page, label, option, opts)
  local button = M.target({ scoped("label:text-is(" .. q(label) .. ") ~ div button.selectInput", opts) })
  M.choose_in(page, button, option)
end

function M.choose_in(page, button, option)
  page:click(button)
  local opt = M.target({ "[role='listbox'] [role='option']:text-is(" .. q(option) .. ")" },
                       { "[role='listbox'] [role='option']:has-text(" .. q(option) .. ")" })
  page:click(opt)
  page:wait_for(M.target({ "[role='listbox']" }), { state = "detached" })
end

-- Leg rows of the strategy's leg builder, 1-based.
M.leg_row_selector = "div.space-y-4 > div.flex.flex-wrap.gap-2.items-center"

function M.leg_count(page)
  return page:query(M.target({ scoped(M.leg_row_selector) })).count or 0
end

function M.leg_part(i, part)
  return M.target({ scoped(M.leg_row_selector .. " >> nth=" .. (i - 1) .. " >> " .. part) })
end

-- What leg i is: {side = "sell"|"buy", type = "put"|"call"} read from its active buttons.
function M.leg_kind(page, i)
  local kind = {}
  if page:query(M.leg_part(i, "button:text-is('Sell').bg-ooRed")).count > 0 then kind.side = "sell"
  elseif page:query(M.leg_part(i, "button:text-is('Buy').bg-ooGreen")).count > 0 then kind.side = "buy" end
  if page:query(M.leg_part(i, "button:text-is('Put'):is(.bg-ooRed, .bg-ooGreen)")).count > 0 then kind.type = "put"
  elseif page:query(M.leg_part(i, "button:text-is('Call'):is(.bg-ooRed, .bg-ooGreen)")).count > 0 then kind.type = "call" end
  return kind
end

-- The strike value input of leg i (delta, premium or % OTM, per the ± / $ / % listbox).
function M.leg_value_target(i)
  return M.leg_part(i, "div.inline-flex input")
end

-- Legs matching a filter: {side=..., type=...}; returns the list of 1-based row indices.
function M.find_legs(page, filter)
  local out = {}
  for i = 1, M.leg_count(page) do
    local k = M.leg_kind(page, i)
    if (not filter.side or filter.side == k.side) and (not filter.type or filter.type == k.type) then
      out[#out + 1] = i
    end
  end
  return out
end

-- Everything the New Backtest dialog holds, in document order: every input's value, every
-- switch's state, every listbox's choice, and which of the leg rows' buttons are active. Two
-- dialogs with the same snapshot run the same backtest (the result cache keys on it).
-- dialog_items_js is a JS function (dialog element) -> [{item: [kind, label, value], el}], the
-- one reading both the snapshot and the difference finder below use.
M.leg_buttons = M.leg_row_selector .. " button"
M.dialog_items_js = [[
(d) => {
  const out = [];
  const labelOf = el => {
    for (let box = el.parentElement; box && box !== d; box = box.parentElement) {
      const lab = box.querySelector(':scope > label');
      if (lab) return lab.textContent.trim();
    }
    return '';
  };
  const legButtons = ]] .. string.format("%q", M.leg_buttons) .. [[;
  const sel = "input, select, textarea, button[role='switch'], button.selectInput, " + legButtons;
  for (const el of d.querySelectorAll(sel)) {
    let item;
    if (el.matches("button[role='switch']")) {
      const span = el.nextElementSibling;
      item = ['switch', span ? span.textContent.trim() : '', el.getAttribute('aria-checked')];
    } else if (el.matches('button.selectInput')) {
      item = ['choice', labelOf(el), el.textContent.trim()];
    } else if (el.tagName === 'BUTTON') {
      item = ['leg', el.textContent.trim(), /bg-oo(Red|Green)/.test(el.className) ? 'on' : 'off'];
    } else if (el.type === 'checkbox' || el.type === 'radio') {
      item = [el.type, labelOf(el), el.checked ? 'on' : 'off'];
    } else {
      item = ['input', labelOf(el), el.value];
    }
    out.push({ item, el });
  }
  return out;
}
]]

M.dialog_state_js = [[
(() => {
  const d = document.querySelector("[role='dialog']");
  if (!d) return null;
  return (]] .. M.dialog_items_js .. [[)(d).map(x => x.item);
})()
]]

-- The dialog's snapshot (see dialog_state_js), or nil when no dialog is open.
function M.dialog_state(page)
  return page:eval(M.dialog_state_js)
end

-- How the open dialog differs from `want` (a snapshot), the first difference in document order
-- that one action mends:
--   {what = "same"}                      the dialog holds exactly `want`
--   {what = "value", kind, label, have, want, option, nth}   an input to fill, a switch or a
--                                        leg button to click, a listbox to choose `option` in;
--                                        nth: its index among the dialog's elements of its kind
--                                        (M.kind_selectors)
--   {what = "structure", at}             the fields themselves differ there (a switch's fields
--                                        still appearing or going, other legs)
--   {what = "stuck", kind, label}        only differences no single action mends (a leg button
--                                        to switch off: its partner's click does that; a select)
-- `want`'s kinds and labels are compared first, then values; a leg button that should be off is
-- passed over (clicking its partner turns it off).
M.kind_selectors = { input = "input", switch = "button[role='switch']", choice = "button.selectInput",
                     leg = M.leg_buttons }
function M.dialog_difference_js(want)
  return [[
((want) => {
  const d = document.querySelector("[role='dialog']");
  if (!d) return { what: 'structure', at: 0 };
  const live = (]] .. M.dialog_items_js .. [[)(d);
  const sels = ]] .. require("json").encode(M.kind_selectors) .. [[;
  let stuck = null;
  for (let i = 0; i < Math.max(live.length, want.length); i++) {
    const a = live[i], w = want[i];
    if (!a || !w || a.item[0] !== w[0] || a.item[1] !== w[1]) return { what: 'structure', at: i };
    if (a.item[2] === w[2]) continue;
    const kind = w[0];
    const mendable = (kind === 'input' && a.el.tagName === 'INPUT') || kind === 'switch' || kind === 'choice' ||
      (kind === 'leg' && w[2] === 'on');
    if (!mendable) { stuck = stuck || { what: 'stuck', kind, label: w[1] }; continue; }
    const nth = [...d.querySelectorAll(sels[kind])].indexOf(a.el);
    let option = w[2];
    if (kind === 'choice') {
      // the button shows the choice in its span.truncate, then maybe an arrow: the option's
      // text is the wanted one without what the button adds
      const shown = (a.el.querySelector('span.truncate') || a.el).textContent.trim();
      const extra = a.item[2].startsWith(shown) ? a.item[2].slice(shown.length) : '';
      if (extra && option.endsWith(extra)) option = option.slice(0, -extra.length).trim();
    }
    return { what: 'value', kind, label: w[1], have: a.item[2], want: w[2], option, nth };
  }
  return stuck || { what: 'same' };
})(]] .. require("json").encode(want) .. [[)
]]
end

-- The dialog's element of kind `kind` ("input", "switch", "choice", "leg") at index nth.
function M.nth_target(kind, nth)
  return M.target({ M.dialog .. " >> " .. M.kind_selectors[kind] .. " >> nth=" .. nth })
end

return M
