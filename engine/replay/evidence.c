/* evidence: a failure's screenshot, HTML, console and network log (evidence.h). The screenshot
 * and the HTML take a round trip each, one after the other; the logs are the page's own. */
#include "replay/evidence.h"
#include "replay/replay.h"
#include "base/buf.h"
#include "base/util.h"
#include <stdlib.h>
#include <string.h>

typedef struct job {
    cdp_page *page;
    char *dir, *base;
    cJSON *paths;
    evidence_done_cb done;
    void *ud;
} job;

static char *path_of(const job *j, const char *ext) { return oo_asprintf("%s/%s.%s", j->dir, j->base, ext); }

/* Writes bytes to <dir>/<base>.<ext> and records the path under key. */
static void keep(job *j, const char *key, const char *ext, const void *data, size_t len)
{
    char *p = path_of(j, ext);
    if (oo_write_file(p, data, len, NULL) == 0) cJSON_AddStringToObject(j->paths, key, p);
    free(p);
}

static void keep_json(job *j, const char *key, const char *ext, cJSON *v)
{
    char *txt = v ? cJSON_Print(v) : NULL;
    if (txt) keep(j, key, ext, txt, strlen(txt));
    free(txt);
    cJSON_Delete(v);
}

static void finish(job *j)
{
    keep_json(j, "console", "console.json", cdp_page_console(j->page));
    keep_json(j, "network_log", "network.json", cdp_page_network_log(j->page, 0));
    j->done(j->ud, j->paths);
    cJSON_Delete(j->paths);
    free(j->dir);
    free(j->base);
    free(j);
}

static void on_html(void *ud, cJSON *v, const oo_err *err)
{
    job *j = ud;
    const char *html = err ? NULL : cJSON_GetStringValue(cJSON_GetObjectItem(v, "html"));
    if (html) keep(j, "html", "html", html, strlen(html));
    finish(j);
}

static void on_shot(void *ud, cJSON *v, const oo_err *err)
{
    job *j = ud;
    const char *b64 = err ? NULL : cJSON_GetStringValue(cJSON_GetObjectItem(v, "data"));
    size_t n = 0;
    unsigned char *png = b64 ? replay_base64_decode(b64, &n) : NULL;
    if (png) keep(j, "screenshot", "png", png, n);
    free(png);
    cdp_page_html(j->page, 5000, on_html, j);   /* a page that cannot answers through on_html too */
}

void evidence_collect(cdp_page *page, const char *dir, const char *base, evidence_done_cb done, void *ud)
{
    job *j = oo_calloc(1, sizeof *j);
    j->page = page;
    j->dir = oo_strdup(dir);
    j->base = oo_strdup(base);
    j->paths = cJSON_CreateObject();
    j->done = done;
    j->ud = ud;
    if (cdp_page_crashed(page) || cdp_page_closed(page) || oo_mkdir_p(dir, NULL) != 0) { finish(j); return; }
    cdp_page_screenshot(page, 0, 5000, on_shot, j);   /* likewise through on_shot */
}
