/* replay: runs a recording's steps on a page, one after another, asynchronously on the CDP
 * loop. Each step waits the way the Recorder's replay does (page.js waits for the element;
 * navigations asserted by a step are awaited with it). On a failure it keeps the evidence
 * (replay/evidence.h: a screenshot, the HTML with passwords blanked, the console and network
 * logs) in the artifacts folder.
 * A step whose target is a URL (not "main") runs on a page the main page opened (a popup, or a
 * popup's popup): the newest open one at exactly that URL, else at the same origin and path;
 * the step waits (its timeout) for such a page to appear. A close step on it closes that tab. */
#ifndef OO_REPLAY_H
#define OO_REPLAY_H
#include "cdp/cdp.h"
#include "replay/recording.h"

typedef struct replay replay;

/* phase: 0 starting, 1 passed, 2 failed (msg says why) */
typedef void (*replay_step_cb)(void *ud, const rec_step *s, int phase, const char *msg, double ms);
/* failed_step: -1 when every step passed; artifacts: JSON {screenshot, html, console,
 * network_log} paths */
typedef void (*replay_done_cb)(void *ud, int failed_step, const oo_err *err, const cJSON *artifacts);

typedef struct replay_opts {
    int timeout_ms;              /* default per-step timeout (Recorder default 5000) */
    int max_timeout_ms;          /* > 0: no step waits longer, whatever its own timeout says */
    const int *step_timeouts_ms; /* [i] > 0: step i's timeout, before its own (borrowed; may be NULL) */
    int nstep_timeouts;          /* entries in step_timeouts_ms */
    int slowmo_ms;               /* pause between steps (needs loop) */
    cdp_loop *loop;
    const char *artifacts_dir;   /* NULL: none kept */
    int first, last;             /* steps [first, last); last < 0 = to the end */
    const cJSON *vars;           /* {{NAME}} values before the environment */
    replay_step_cb on_step;
    void *ud;
} replay_opts;

/* Starts; done is called exactly once. The page must outlive the replay (or call replay_cancel). */
replay *replay_start(cdp_page *page, const recording *r, const replay_opts *opts, replay_done_cb done, void *ud);
void replay_cancel(replay *rp);
/* Base64 (standard alphabet) to bytes; caller frees. NULL on bad input. */
unsigned char *replay_base64_decode(const char *in, size_t *out_len);
#endif
