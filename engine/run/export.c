/* export: the one CSV writer. A run's tasks (`oo-automator export --format csv`, GET
 * /api/runs/{id}/export.csv): task_id, stage, status, every parameter the tasks hold
 * (first-seen order), then the metrics of the one list (lua/oo/metrics.lua, as GET
 * /api/metrics serves it), each headed by its key and read from its store column. Rows under
 * named columns (run_export_rows: a result's trade log for `export --format tradeblocks`, in
 * the column order Lua gives). Values are the exact numbers (percentages as fractions, like the
 * API); a text that a spreadsheet would take for a formula is quoted with a leading apostrophe. */
#include "run/run.h"
#include "base/buf.h"
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

static void csv_field(oo_buf *b, const char *s)
{
    int formula = s[0] == '=' || s[0] == '+' || s[0] == '@';
    if (!formula && !strpbrk(s, ",\"\n\r")) { oo_buf_puts(b, s); return; }
    oo_buf_putc(b, '"');
    if (formula) oo_buf_putc(b, '\'');
    for (; *s; s++) {
        if (*s == '"') oo_buf_putc(b, '"');
        oo_buf_putc(b, *s);
    }
    oo_buf_putc(b, '"');
}

static void csv_value(oo_buf *b, const cJSON *v)
{
    if (cJSON_IsNumber(v)) oo_buf_printf(b, "%.10g", v->valuedouble);
    else if (cJSON_IsString(v)) csv_field(b, v->valuestring);
    else if (cJSON_IsBool(v)) oo_buf_puts(b, cJSON_IsTrue(v) ? "true" : "false");
    else if (v && !cJSON_IsNull(v)) {
        char *t = cJSON_PrintUnformatted(v);
        csv_field(b, t ? t : "");
        free(t);
    }
}

/* Every parameter name the tasks hold, in first-seen order. */
static cJSON *parameter_names(const cJSON *tasks)
{
    cJSON *names = cJSON_CreateArray();
    const cJSON *t, *v, *p;
    cJSON_ArrayForEach(t, tasks) {
        cJSON_ArrayForEach(v, cJSON_GetObjectItem(t, "values")) {
            int seen = 0;
            cJSON_ArrayForEach(p, names) seen |= !strcmp(p->valuestring, v->string);
            if (!seen) cJSON_AddItemToArray(names, cJSON_CreateString(v->string));
        }
    }
    return names;
}

static void header(oo_buf *b, const cJSON *params, const cJSON *metrics)
{
    const cJSON *p, *m;
    oo_buf_puts(b, "task_id,stage,status");
    cJSON_ArrayForEach(p, params) { oo_buf_putc(b, ','); csv_field(b, p->valuestring); }
    cJSON_ArrayForEach(m, metrics) {
        oo_buf_putc(b, ',');
        csv_field(b, cJSON_GetStringValue(cJSON_GetObjectItem(m, "key")) ? cJSON_GetStringValue(cJSON_GetObjectItem(m, "key")) : "");
    }
    oo_buf_putc(b, '\n');
}

static void row(oo_buf *b, const cJSON *t, const cJSON *params, const cJSON *metrics)
{
    const cJSON *p, *m;
    const char *status = cJSON_GetStringValue(cJSON_GetObjectItem(t, "status"));
    oo_buf_printf(b, "%.0f,%.0f,", cJSON_GetNumberValue(cJSON_GetObjectItem(t, "id")),
                  cJSON_GetNumberValue(cJSON_GetObjectItem(t, "stage")));
    csv_field(b, status ? status : "");
    const cJSON *vals = cJSON_GetObjectItem(t, "values");
    cJSON_ArrayForEach(p, params) { oo_buf_putc(b, ','); csv_value(b, cJSON_GetObjectItem(vals, p->valuestring)); }
    cJSON_ArrayForEach(m, metrics) {
        const char *col = cJSON_GetStringValue(cJSON_GetObjectItem(m, "column"));
        oo_buf_putc(b, ',');
        if (col) csv_value(b, cJSON_GetObjectItem(t, col));
    }
    oo_buf_putc(b, '\n');
}

void run_export_rows(const cJSON *columns, const cJSON *rows, oo_buf *out)
{
    const cJSON *c, *r;
    cJSON_ArrayForEach(c, columns) {
        if (c != columns->child) oo_buf_putc(out, ',');
        csv_field(out, cJSON_IsString(c) ? c->valuestring : "");
    }
    oo_buf_putc(out, '\n');
    cJSON_ArrayForEach(r, rows) {
        cJSON_ArrayForEach(c, columns) {
            if (c != columns->child) oo_buf_putc(out, ',');
            if (cJSON_IsString(c)) csv_value(out, cJSON_GetObjectItem(r, c->valuestring));
        }
        oo_buf_putc(out, '\n');
    }
}

void run_export_csv(const cJSON *tasks, const cJSON *metrics, oo_buf *out)
{
    cJSON *params = parameter_names(tasks);
    header(out, params, metrics);
    const cJSON *t;
    cJSON_ArrayForEach(t, tasks) row(out, t, params, metrics);
    cJSON_Delete(params);
}
