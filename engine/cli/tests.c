/* tests: the saved OptionOmega tests — list, rename, delete. */
#include "cli/commands.h"
#include "base/config.h"
#include "base/text.h"
#include "store/store.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const cli_opt cli_tests_opts[] = {
    {"recent", 0, NULL, "only the 10 most recently run"},
    {0},
};

long long cli_resolve_test(struct oo_store *s, const char *key)
{
    oo_err err = {0};
    cJSON *found = store_test_find(s, key, &err);
    if (!found) { cli_fail("%s", err.msg); return 0; }
    int n = cJSON_GetArraySize(found);
    long long id = 0;
    if (n == 0) {
        cli_fail("no saved test matches \"%s\": see `oo-automator tests`", key);
    } else {
        const cJSON *first = cJSON_GetArrayItem(found, 0), *second = cJSON_GetArrayItem(found, 1);
        const char *name = cJSON_GetStringValue(cJSON_GetObjectItem(first, "name"));
        const char *url = cJSON_GetStringValue(cJSON_GetObjectItem(first, "url"));
        double fid = cJSON_GetNumberValue(cJSON_GetObjectItem(first, "id"));
        char idtxt[32];
        snprintf(idtxt, sizeof idtxt, "%.0f", fid);
        const char *slash = url ? strrchr(url, '/') : NULL;
        int exact = !strcmp(idtxt, key) || (url && !strcmp(url, key)) || (slash && !strcmp(slash + 1, key)) ||
                    (name && !strcasecmp(name, key));
        if (n > 1 && !exact) {
            const char *n2 = cJSON_GetStringValue(cJSON_GetObjectItem(second, "name"));
            cli_fail("\"%s\" matches %d tests (\"%s\", \"%s\"...): give its number from `oo-automator tests`",
                     key, n, name ? name : url, n2 ? n2 : "");
        } else {
            id = (long long)fid;
        }
    }
    cJSON_Delete(found);
    return id;
}

int cli_cmd_tests(const cli_cmd *cmd, cli_args *a)
{
    (void)cmd;
    const char *sub = a->npos ? a->pos[0] : NULL;
    if (sub && strcmp(sub, "rename") && strcmp(sub, "delete"))
        return cli_usage_error("tests", "unknown subcommand \"%s\" (rename or delete)", sub);
    if (sub && !strcmp(sub, "rename") && a->npos != 3) return cli_usage_error("tests", "tests rename needs ID and NAME");
    if (sub && !strcmp(sub, "delete") && a->npos != 2) return cli_usage_error("tests", "tests delete needs ID");
    oo_err bad = {0};
    if (sub && !strcmp(sub, "rename") && oo_text_check_name(a->pos[2], OO_NAME_MAX_CHARS, "NAME", &bad) != 0)
        return cli_usage_error("tests", "%s", bad.msg);
    if (!sub && a->npos) return cli_usage_error("tests", "unexpected argument");
    /* listing only reads: the database is not created, migrated or written for it */
    int missing = 0;
    oo_store *s = sub ? cli_open_store() : cli_open_store_readonly(&missing);
    if (!s && missing) {
        if (oo_cfg()->json) cli_print_json(cJSON_CreateArray());
        else printf("no saved tests yet: `oo-automator run` adds one\n");
        return 0;
    }
    if (!s) return 1;
    oo_err err = {0};
    int rc = 0;
    if (!sub) {
        cJSON *list = store_tests_list(s, cli_has(a, "recent") ? 10 : 0, &err);
        if (!list) rc = cli_fail("%s", err.msg);
        else if (oo_cfg()->json) cli_print_json(list);
        else {
            cli_for_terminal(list);   /* a stored name is shown, never obeyed by the terminal */
            if (cJSON_GetArraySize(list) == 0) printf("no saved tests yet: `oo-automator run` adds one\n");
            const cJSON *t;
            cJSON_ArrayForEach(t, list) {
                const char *name = cJSON_GetStringValue(cJSON_GetObjectItem(t, "name"));
                const char *last = cJSON_GetStringValue(cJSON_GetObjectItem(t, "last_run_at"));
                printf("[%.0f] %-32s %s  (%.0f runs%s%s)\n", cJSON_GetNumberValue(cJSON_GetObjectItem(t, "id")),
                       name ? name : "(unnamed)", cJSON_GetStringValue(cJSON_GetObjectItem(t, "url")),
                       cJSON_GetNumberValue(cJSON_GetObjectItem(t, "run_count")), last ? ", last " : "", last ? last : "");
            }
            cJSON_Delete(list);
        }
    } else {
        long long id = cli_resolve_test(s, a->pos[1]);
        if (!id) rc = 1;
        else if (!strcmp(sub, "rename")) {
            if (store_test_rename(s, id, a->pos[2], &err) != 0) rc = cli_fail("%s", err.msg);
            else if (oo_cfg()->json) cli_print_json(store_test_get(s, id, &err));
            else printf("test %lld is now \"%s\"\n", id, a->pos[2]);   /* checked above: plain text */
        } else {
            if (store_test_delete(s, id, &err) != 0) rc = cli_fail("%s", err.msg);
            else if (oo_cfg()->json) printf("{\"id\": %lld, \"deleted\": true}\n", id);
            else printf("test %lld removed from the history (its runs and results are kept)\n", id);
        }
    }
    store_close(s);
    return rc;
}
