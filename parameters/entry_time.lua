-- Entry time of the trade (Entry Conditions), 9:32 to 15:59 Eastern.
return require("oo.param").time {
  name = "entry_time",
  display_name = "Entry Time",
  description = "Time of day the trade is opened (Eastern)",
  label = "Entry Time", section = "Entry Conditions",
  start = "09:32", stop = "15:32", step = 30, earliest = "09:32", latest = "15:59",
}
