-- Early exit time (Exit Conditions, behind "Use Early Exit").
return require("oo.param").time {
  name = "exit_time",
  display_name = "Exit Time",
  description = "Close any open trade at this time of day (Use Early Exit)",
  label = "Early Exit Time", section = "Exit Conditions", toggle = "Use Early Exit",
  start = "12:00", stop = "15:45", step = 15, earliest = "09:33", latest = "15:59",
}
