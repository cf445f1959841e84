-- record-check's OptionOmega rule, without a browser: which step would run a backtest.
local check = require("check")
local rc = require("oo.record_check")

local function names(sel) return table.concat(rc.names_in(sel), "|") end
check.eq(names('aria/Run[role="button"]'), "Run")
check.eq(names("aria/Start Backtest"), "Start Backtest")
check.eq(names("text/Run"), "Run")
check.eq(names("button:has-text('Run')"), "Run")
check.eq(names("[role=dialog] button:text-is(\"Start Backtest\")"), "Start Backtest")
check.eq(names('xpath///*[@role="dialog"]//button[normalize-space()="Run"]'), "Run")
check.eq(names("xpath///button[text()='Run']"), "Run")
check.eq(names("div.flex-shrink-0 > button.btn-primary"), "")

local function click(...) return { type = "click", selectors = { ... } } end
check.ok(rc.runs_backtest(click({ 'aria/Run[role="button"]' }, { "div.x > button" })), "aria/Run")
check.ok(rc.runs_backtest(click({ "div.x > button" }, { "text/Start Backtest" })), "a later alternative")
check.ok(not rc.runs_backtest(click({ 'aria/New Backtest[role="button"]' })), "New Backtest")
check.ok(not rc.runs_backtest(click({ "text/Running Backtest" })), "a longer text is not the button")
check.ok(not rc.runs_backtest({ type = "waitForElement", selectors = { { 'aria/Run[role="button"]' } } }), "a wait")
-- a CSS-only selector: the element's text decides
check.ok(rc.runs_backtest(click({ "div.flex-shrink-0 > button.btn-primary" }), " Run "), "by the element's text")
check.ok(not rc.runs_backtest(click({ "div.flex-shrink-0 > button.btn" }), "Cancel"), "Cancel")
check.ok(not rc.runs_backtest(click({ "div.flex-shrink-0 > button.btn" }), require("json").null), "nothing found")

check.done()
