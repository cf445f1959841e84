-- Stop loss, in % of the premium (Profit & Loss section).
return require("oo.param").numeric {
  name = "stop_loss",
  display_name = "Stop Loss",
  description = "Close the trade when it has lost this % of the premium collected",
  label = "Stop Loss", section = "Profit & Loss", unit = "%",
  min = 0, max = 2000, start = 50, stop = 300, step = 50,
}
