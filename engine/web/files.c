/* files: the front end's static files and the failure artifacts. A static file is served only
 * from web/ or from a few packages of vendor/node_modules; an artifact only when the failures
 * table recorded its path and it is a regular file under <data dir>/runs/ (never the password
 * file, the database or anything else of the data directory). Paths are percent-decoded once,
 * refused when any segment is empty, "." or ".." or hidden, then resolved with realpath and
 * checked to stay under their root (symbolic links cannot leave it either). */
#include "web/internal.h"
#include "base/buf.h"
#include "base/util.h"
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <unistd.h>

/* The packages of vendor/node_modules the dashboard may load. */
static const char *const vendor_packages[] = {"vue/", "chart.js/", "@kurkle/color/", NULL};

static const char *mime_of(const char *path)
{
    static const struct { const char *ext, *type; } map[] = {
        {".html", "text/html; charset=utf-8"}, {".js", "text/javascript; charset=utf-8"},
        {".mjs", "text/javascript; charset=utf-8"}, {".css", "text/css; charset=utf-8"},
        {".json", "application/json"}, {".map", "application/json"}, {".svg", "image/svg+xml"},
        {".png", "image/png"}, {".ico", "image/x-icon"}, {".woff2", "font/woff2"},
        {".txt", "text/plain; charset=utf-8"}, {NULL, NULL}};
    const char *dot = strrchr(path, '.');
    const char *slash = strrchr(path, '/');
    if (dot && (!slash || dot > slash))
        for (int i = 0; map[i].ext; i++)
            if (!strcasecmp(dot, map[i].ext)) return map[i].type;
    return "application/octet-stream";
}

/* A relative path whose every segment is a plain name. */
static int safe_relative(const char *rel)
{
    if (!*rel || *rel == '/') return 0;
    const char *p = rel;
    while (*p) {
        const char *seg = p;
        while (*p && *p != '/') {
            if ((unsigned char)*p < 0x20 || *p == '\\' || *p == 0x7f) return 0;
            p++;
        }
        size_t n = (size_t)(p - seg);
        if (n == 0 || seg[0] == '.') return 0;   /* "", ".", "..", and hidden files */
        if (*p == '/') p++;
        if (*p == '\0' && p[-1] == '/') return 0;
    }
    return 1;
}

/* path resolved, when it is a regular file under root (itself a real path); caller frees. */
static char *resolve_path(const char *root, const char *path)
{
    char real[PATH_MAX];
    if (!realpath(path, real)) return NULL;
    size_t rl = strlen(root);
    if (strncmp(real, root, rl) != 0 || real[rl] != '/') return NULL;
    struct stat st;
    if (stat(real, &st) != 0 || !S_ISREG(st.st_mode)) return NULL;
    return oo_strdup(real);
}

static char *resolve_under(const char *root, const char *rel)
{
    char *joined = oo_path_join(root, rel);
    char *real = resolve_path(root, joined);
    free(joined);
    return real;
}

static int send_file(h2o_req_t *req, const char *path, const char *type)
{
    if (h2o_file_send(req, 200, "OK", path, h2o_iovec_init(type, strlen(type)), 0) != 0)
        return web_send_error(req, 404, "not found");
    return 0;
}

int web_static(web_server *w, h2o_req_t *req, const char *raw)
{
    if (!web_method_is(req, "GET") && !web_method_is(req, "HEAD")) return web_send_405(req, "GET, HEAD");
    char *path = web_decode(req, raw, strlen(raw), 0);
    if (!path || path[0] != '/') return web_send_error(req, 400, "malformed path");
    const char *root = w->web_dir, *rel = path + 1;
    if (!strcmp(path, "/") || !strcmp(path, "/index.html")) rel = "index.html";
    else if (!strncmp(path, "/vendor/", 8)) {
        rel = path + 8;
        int allowed = 0;
        for (int i = 0; vendor_packages[i]; i++)
            allowed |= !strncmp(rel, vendor_packages[i], strlen(vendor_packages[i]));
        if (!allowed || !w->vendor_dir) return web_send_error(req, 404, "not found");
        root = w->vendor_dir;
    }
    if (!safe_relative(rel)) return web_send_error(req, 404, "not found");
    char *file = resolve_under(root, rel);
    if (!file) return web_send_error(req, 404, "not found");
    const char *type = mime_of(file);
    web_add_header(req, "cache-control", "no-cache");
    if (!strncmp(type, "text/html", 9)) {
        /* Vue compiles its templates in the page: 'unsafe-eval'; no inline script, nothing from outside */
        web_add_header(req, "content-security-policy",
                       "default-src 'self'; script-src 'self' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; "
                       "img-src 'self' data: blob:; connect-src 'self'; frame-src 'self'; object-src 'none'; "
                       "base-uri 'none'; form-action 'self'; frame-ancestors 'none'");
    }
    int rc = send_file(req, file, type);
    free(file);
    return rc;
}

/* The artifacts' root, <data dir>/runs, as a real path; NULL when there is none yet. */
static char *runs_root(const char *data_dir)
{
    char *runs = oo_path_join(data_dir, "runs");
    char real[PATH_MAX];
    char *out = realpath(runs, real) && oo_dir_exists(real) ? oo_strdup(real) : NULL;
    free(runs);
    return out;
}

/* Whether the file open on fd still lies under root: the kernel's own name for it, so a
 * folder swapped for a symbolic link between realpath and open is seen. */
static int fd_under(int fd, const char *root)
{
    char link[64], real[PATH_MAX];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(link, real, sizeof real - 1);
    if (n <= 0) return 0;
    real[n] = '\0';
    size_t rl = strlen(root);
    return !strncmp(real, root, rl) && real[rl] == '/';
}

/* Reads the artifact `recorded` (absolute, or relative to the data directory) into the pool
 * when it is a regular file under <data dir>/runs/: resolved with realpath, opened without
 * following a final symbolic link, checked again through the open descriptor. NULL otherwise. */
static char *read_artifact(h2o_req_t *req, const char *data_dir, const char *recorded, size_t *len)
{
    char *root = runs_root(data_dir);
    if (!root) return NULL;
    char *joined = recorded[0] == '/' ? oo_strdup(recorded) : oo_path_join(data_dir, recorded);
    char real[PATH_MAX], *out = NULL;
    size_t rl = strlen(root);
    int fd = -1;
    struct stat st;
    if (realpath(joined, real) && !strncmp(real, root, rl) && real[rl] == '/' &&
        (fd = open(real, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)) >= 0 &&
        fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size <= WEB_MAX_ARTIFACT && fd_under(fd, root)) {
        out = h2o_mem_alloc_pool(&req->pool, (size_t)st.st_size + 1);
        size_t got = 0;
        ssize_t n;
        while (got < (size_t)st.st_size && (n = read(fd, out + got, (size_t)st.st_size - got)) > 0) got += (size_t)n;
        *len = got;
    }
    if (fd >= 0) close(fd);
    free(joined);
    free(root);
    return out;
}

int web_artifact(web_server *w, h2o_req_t *req, int64_t failure_id, const char *kind)
{
    if (!web_method_is(req, "GET") && !web_method_is(req, "HEAD")) return web_send_405(req, "GET, HEAD");
    const char *col, *type;
    if (!strcmp(kind, "screenshot")) { col = "screenshot_path"; type = "image/png"; }
    else if (!strcmp(kind, "html")) { col = "html_path"; type = "text/html; charset=utf-8"; }
    else if (!strcmp(kind, "network")) { col = "network_log_path"; type = "application/json"; }
    else return web_send_error(req, 404, "a failure's artifacts are screenshot, html and network");
    oo_err err = {0};
    cJSON *f = store_failure_get(w->store, failure_id, &err);
    if (!f) return web_send_error(req, err.code == OO_E_INPUT ? 404 : 500, "%s", err.msg);
    const char *recorded = cJSON_GetStringValue(cJSON_GetObjectItem(f, col));
    size_t len = 0;
    char *body = recorded && *recorded && w->data_dir ? read_artifact(req, w->data_dir, recorded, &len) : NULL;
    int rc;
    if (!recorded || !*recorded) {
        rc = web_send_error(req, 404, "failure %lld has no %s", (long long)failure_id, kind);
    } else if (!w->data_dir) {
        rc = web_send_error(req, 404, "the server has no data directory to serve artifacts from");
    } else if (!body) {
        rc = web_send_error(req, 404, "the %s of failure %lld is not a file in the data directory's runs/ folder",
                            kind, (long long)failure_id);
    } else {
        if (!strcmp(kind, "html")) {
            /* a page snapshot: shown as a document with no script, no network, its own origin */
            web_add_header(req, "content-security-policy",
                           "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'");
        }
        req->res.status = 200;
        req->res.reason = "OK";
        h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CONTENT_TYPE, NULL, type, strlen(type));
        h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CACHE_CONTROL, NULL, H2O_STRLIT("no-store"));
        h2o_send_inline(req, body, len);
        rc = 0;
    }
    cJSON_Delete(f);
    return rc;
}
