/* analysis: GET /api/runs/{id}/analysis?goal= and GET /api/results/{id}/analysis. The answer is
 * the caller's (web_opts.analysis, which serve provides over the Lua analysis): web/ checks the
 * request and that the run or result exists, and sends what the callback wrote. */
#include "web/internal.h"
#include <stdlib.h>
#include <string.h>

int web_analysis(web_server *w, h2o_req_t *req, const char *kind, int64_t id)
{
    oo_err err = {0};
    const char *goal = web_query(req, "goal");
    if (goal && !*goal) goal = NULL;
    if (goal && strcmp(kind, "run"))
        return web_send_error(req, 400, "goal: a result's analysis has no goal (goals rank a run's configurations)");
    if (goal && strlen(goal) > 40) return web_send_error(req, 400, "goal: expected returns, capital or balanced");
    cJSON *found = !strcmp(kind, "run") ? store_run_get(w->store, id, &err) : store_result_get(w->store, id, &err);
    if (!found) return web_send_error(req, err.code == OO_E_INPUT ? 404 : 500, "%s", err.msg);
    cJSON_Delete(found);
    if (!w->analysis)
        return web_send_error(req, 503, "this server has no analysis: serve the dashboard with `oo-automator serve`");
    char *text = w->analysis(w->analysis_ud, kind, id, goal, &err);
    if (!text) {
        int bad = err.code == OO_E_USAGE || err.code == OO_E_INPUT;
        return web_send_error(req, bad ? 400 : 500, "%s", err.msg[0] ? err.msg : "the analysis failed");
    }
    web_send(req, 200, "application/json; charset=utf-8", text, strlen(text));
    free(text);
    return 0;
}
