-- Profit target, in % of the premium (Profit & Loss section).
return require("oo.param").numeric {
  name = "profit_target",
  display_name = "Profit Target",
  description = "Close the trade when it has made this % of the premium collected",
  label = "Profit Target", section = "Profit & Loss", unit = "%",
  min = 0, max = 1000, start = 10, stop = 100, step = 10,
}
