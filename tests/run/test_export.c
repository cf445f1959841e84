/* The one CSV writer (run/export.c) and spreadsheets: a text cell that starts with =, +, -, @, a
 * tab or a carriage return is what Excel, LibreOffice and Google Sheets read as a formula (CSV
 * injection, OWASP's list of trigger characters); the writer quotes such a cell with a leading
 * apostrophe, which makes it text. A cell that is a plain number (-12.50, +3) stays as it is:
 * a number is no formula, and the trade log's P/L column must stay numeric.
 * Every expected line below is written out by hand from RFC 4180 (quote a field holding a comma,
 * a quote, CR or LF; double its quotes) plus that one rule. */
#include "testlib.h"
#include "run/run.h"
#include "base/buf.h"
#include <cjson/cJSON.h>

/* The writer's CSV of these rows under these columns (JSON texts); caller frees. */
static char *rows_csv(const char *columns, const char *rows)
{
    cJSON *c = cJSON_Parse(columns), *r = cJSON_Parse(rows);
    oo_buf b;
    oo_buf_init(&b);
    run_export_rows(c, r, &b);
    cJSON_Delete(c);
    cJSON_Delete(r);
    return oo_buf_steal(&b);
}

static void formulas_are_text(void)
{
    char *csv = rows_csv("[\"cell\"]",
        "[{\"cell\": \"=1+1\"}, {\"cell\": \"+1+1\"}, {\"cell\": \"-2+3+cmd|' /C calc'!A0\"}, {\"cell\": \"@SUM(A1:A2)\"},"
        " {\"cell\": \"\\t=1+1\"}, {\"cell\": \"\\r=1+1\"}, {\"cell\": \"=HYPERLINK(\\\"http://x\\\",\\\"a,b\\\")\"},"
        " {\"cell\": \"-\"}, {\"cell\": \"- 5\"}, {\"cell\": \"-1e\"}, {\"cell\": \"+\"}]");
    CHECK_STR(csv, "cell\n"
                   "\"'=1+1\"\n"
                   "\"'+1+1\"\n"
                   "\"'-2+3+cmd|' /C calc'!A0\"\n"
                   "\"'@SUM(A1:A2)\"\n"
                   "\"'\t=1+1\"\n"
                   "\"'\r=1+1\"\n"
                   "\"'=HYPERLINK(\"\"http://x\"\",\"\"a,b\"\")\"\n"
                   "\"'-\"\n"
                   "\"'- 5\"\n"
                   "\"'-1e\"\n"
                   "\"'+\"\n");
    free(csv);
}

static void numbers_stay_numbers(void)
{
    /* strings that are plain numbers (a trade log's P/L, "-12.50"), JSON numbers, and text that
     * only holds a trigger character later on */
    char *csv = rows_csv("[\"P/L\", \"n\", \"text\"]",
        "[{\"P/L\": \"-12.50\", \"n\": -3.25, \"text\": \"a=b\"}, {\"P/L\": \"+7\", \"n\": -1e-7, \"text\": \"1 - 2\"},"
        " {\"P/L\": \"-0.5E+3\", \"n\": 0, \"text\": \"x@y\"}, {\"P/L\": \".5\", \"n\": 1, \"text\": \"\"}]");
    CHECK_STR(csv, "P/L,n,text\n"
                   "-12.50,-3.25,a=b\n"
                   "+7,-1e-07,1 - 2\n"
                   "-0.5E+3,0,x@y\n"
                   ".5,1,\n");
    free(csv);
}

/* The run export: parameter names in the header and their text values go through the same rule. */
static void run_export(void)
{
    cJSON *tasks = cJSON_Parse("[{\"id\": 1, \"stage\": 0, \"status\": \"completed\", \"values\": "
                               "{\"=cmd\": \"-1+1\", \"delta\": -5}, \"pl\": -120.5}]");
    cJSON *metrics = cJSON_Parse("[{\"key\": \"pl\", \"column\": \"pl\"}]");
    oo_buf b;
    oo_buf_init(&b);
    run_export_csv(tasks, metrics, &b);
    CHECK_STR(b.data, "task_id,stage,status,\"'=cmd\",delta,pl\n"
                      "1,0,completed,\"'-1+1\",-5,-120.5\n");
    oo_buf_free(&b);
    cJSON_Delete(tasks);
    cJSON_Delete(metrics);
}

int main(void)
{
    formulas_are_text();
    numbers_stay_numbers();
    run_export();
    return tl_finish();
}
