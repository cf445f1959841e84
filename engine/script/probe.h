/* probe: the generic checks `oo-automator doctor` runs from Lua (lua/oo/doctor.lua), as a
 * module `probe` the doctor's Lua state may require. Each answers without changing anything:
 *   probe.chromium()      -> {path, version} of the Chromium a launch would start (the
 *                            configured OO_CHROMIUM, else PATH), from its `--version`
 *   probe.store(path)     -> {schema} of the database, opened read-only (never created,
 *                            migrated or written)
 *   probe.recording(path) -> true when the Chrome DevTools Recorder export parses
 *   probe.mode(path)      -> the permission bits of a file or folder (0700 = 448)
 * each, on failure: nil and a message saying what is wrong (and how to fix it).
 * Nothing here knows any web site. No memory outlives a call. */
#ifndef OO_SCRIPT_PROBE_H
#define OO_SCRIPT_PROBE_H
struct oo_script;
/* Makes require("probe") available in the script's state. */
void probe_register(struct oo_script *s);
#endif
