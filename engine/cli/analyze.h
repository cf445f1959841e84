/* analyze: the CLI's way into the Lua analysis (lua/oo/analysis/cli.lua), for `analyze`,
 * `export --format tradeblocks|markdown` and the dashboard's analysis endpoints (serve). The
 * analysis reads the store through the `runs` module (run/run.h) bound into the command's one
 * Lua state. Returned strings are malloc'd and owned by the caller. */
#ifndef OO_CLI_ANALYZE_H
#define OO_CLI_ANALYZE_H
#include <cjson/cJSON.h>
#include <stdint.h>
#include "base/err.h"

struct oo_store;

/* require("oo.analysis.cli")[fn](args) in sc, a state with `runs` bound (run_bind): the
 * answer's text, or NULL and err (OO_E_USAGE / OO_E_INPUT: the request is wrong; anything
 * else: it failed). */
struct oo_script;
char *cli_analysis_call(struct oo_script *sc, const char *fn, const cJSON *args, oo_err *err);

/* export --format tradeblocks (output: a folder) | markdown (output: a file, - for stdout).
 * The exit code; errors printed. */
int cli_analysis_export(long run_id, const char *format, const char *output);

/* The dashboard's side (web_opts.analysis): answers on the web thread, in serve's Lua state
 * (with `runs` bound) over serve's store, both borrowed: they must outlive the server. It
 * keeps the last answers (a result's never changes, a run's until a result is added or its
 * status changes), and the Lua state keeps each result's trades (they never change), so a run
 * in progress costs only its new results. */
typedef struct cli_analysis_server cli_analysis_server;
cli_analysis_server *cli_analysis_server_new(struct oo_store *st, struct oo_script *sc);
void cli_analysis_server_free(cli_analysis_server *s);
/* web_analysis_fn: kind "run" or "result"; goal may be NULL. JSON text or NULL and err. */
char *cli_analysis_serve(void *ud, const char *kind, int64_t id, const char *goal, oo_err *err);
#endif
