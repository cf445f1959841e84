/* evidence: what a page shows when something failed, kept for the trader to look at: a
 * screenshot (PNG), the HTML (password inputs blanked by the page helper), the console log and
 * the page's recent network log, written as <dir>/<base>.png, .html, .console.json and
 * .network.json. The one routine behind a failed replay's artifacts (`oo-automator replay
 * --artifacts`) and a failed task's (lua/oo/recovery.lua, through page:evidence()).
 *
 * Ownership: the caller keeps the page alive until done is called (exactly once); dir and base
 * are copied. done gets {screenshot, html, console, network_log} with the paths written (a
 * piece the page could not give is left out), borrowed for the call. */
#ifndef OO_REPLAY_EVIDENCE_H
#define OO_REPLAY_EVIDENCE_H
#include "cdp/cdp.h"

typedef void (*evidence_done_cb)(void *ud, const cJSON *paths);

void evidence_collect(cdp_page *page, const char *dir, const char *base, evidence_done_cb done, void *ud);
#endif
