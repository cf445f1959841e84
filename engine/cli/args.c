#include "cli/args.h"
#include "base/log.h"
#include "base/buf.h"
#include "base/text.h"
#include "base/config.h"
#include "base/err.h"
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const cli_opt cli_global_opts[] = {
    {"db", 0, "PATH", "the SQLite database (default: <data dir>/oo_automator.db; env OO_DB_PATH)"},
    {"data-dir", 0, "DIR", "where results, artifacts and the database live (env OO_DATA_DIR)"},
    {"verbose", 'v', NULL, "say more (repeat for more still)"},
    {"json", 0, NULL, "JSON on stdout instead of text, for every command that prints data"},
    {"help", 'h', NULL, "this help"},
    {0},
};

/* An error line as the terminal shows it: secrets masked (base/log.h) and, line by line,
 * control characters escaped (base/text.h), so that a name or value it quotes can neither
 * reveal the password nor move the cursor. Caller frees. */
static char *shown_error(const char *msg)
{
    char *masked = oo_log_mask(msg);
    oo_buf b;
    oo_buf_init(&b);
    oo_buf_puts(&b, "");
    for (char *line = masked, *nl; line; line = nl ? nl + 1 : NULL) {
        nl = strchr(line, '\n');
        if (nl) *nl = '\0';
        char *t = oo_text_for_terminal(line);
        oo_buf_printf(&b, "%s%s", t, nl ? "\n" : "");
        free(t);
    }
    free(masked);
    return oo_buf_steal(&b);
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    char *shown = shown_error(msg);
    if (cmd) fprintf(stderr, "oo-automator: %s; see oo-automator %s --help\n", shown, cmd);
    else fprintf(stderr, "oo-automator: %s; see oo-automator --help\n", shown);
    free(shown);
    return 2;
}

int cli_fail(const char *fmt, ...)
{
    char msg[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    char *shown = shown_error(msg);
    fprintf(stderr, "oo-automator: %s\n", shown);
    free(shown);
    return 1;
}

int cli_global_option(const char *name, const char *value)
{
    oo_err err = {0};
    oo_config *c = oo_cfg();
    if (!strcmp(name, "verbose")) { c->verbose++; return 1; }
    if (!strcmp(name, "json")) { c->json = 1; return 1; }
    oo_cfg_key k;
    if (!strcmp(name, "db")) k = OO_CFG_DB_PATH;
    else if (!strcmp(name, "data-dir")) k = OO_CFG_DATA_DIR;
    else return 0;
    char flag[64];
    snprintf(flag, sizeof flag, "--%s", name);
    if (oo_config_set_flag(c, k, value, flag, &err) != 0) {
        fprintf(stderr, "oo-automator: %s\n", err.msg);
        return -1;
    }
    if (k == OO_CFG_DATA_DIR && c->source[OO_CFG_DB_PATH] == OO_SRC_DEFAULT) {
        /* the default database follows the data dir */
        free(c->value[OO_CFG_DB_PATH]);
        c->value[OO_CFG_DB_PATH] = NULL;
    }
    return 1;
}

static const cli_opt *find_long(const cli_opt *opts, const char *name, size_t n)
{
    for (const cli_opt *o = opts; o && o->name; o++)
        if (strlen(o->name) == n && !strncmp(o->name, name, n)) return o;
    for (const cli_opt *o = cli_global_opts; o->name; o++)
        if (strlen(o->name) == n && !strncmp(o->name, name, n)) return o;
    return NULL;
}

static const cli_opt *find_short(const cli_opt *opts, char c)
{
    for (const cli_opt *o = opts; o && o->name; o++)
        if (o->short_name == c) return o;
    for (const cli_opt *o = cli_global_opts; o->name; o++)
        if (o->short_name == c) return o;
    return NULL;
}

static int is_global(const cli_opt *o)
{
    return o >= cli_global_opts && o < cli_global_opts + sizeof cli_global_opts / sizeof cli_global_opts[0];
}

static int take(const cli_cmd *cmd, cli_args *a, const cli_opt *o, const char *value)
{
    if (!strcmp(o->name, "help")) { a->help = 1; return 0; }
    if (is_global(o)) return cli_global_option(o->name, value) < 0 ? 2 : 0;
    if (a->nopt >= CLI_MAX_ARGS) return cli_usage_error(cmd->name, "too many options");
    a->opt[a->nopt].opt = o;
    a->opt[a->nopt].value = value;
    a->nopt++;
    return 0;
}

int cli_parse(const cli_cmd *cmd, int argc, char **argv, cli_args *a, int stop_at_pos)
{
    memset(a, 0, sizeof *a);
    a->command = cmd->name;
    int only_pos = 0;
    for (int i = 1; i < argc; i++) {
        const char *s = argv[i];
        if (only_pos || s[0] != '-' || s[1] == '\0') {
            if (a->npos >= CLI_MAX_ARGS) return cli_usage_error(cmd->name, "too many arguments");
            a->pos[a->npos++] = s;
            if (stop_at_pos) only_pos = 1;
            continue;
        }
        if (!strcmp(s, "--")) { only_pos = 1; continue; }
        if (s[1] == '-') {
            const char *name = s + 2, *eq = strchr(name, '=');
            size_t n = eq ? (size_t)(eq - name) : strlen(name);
            const cli_opt *o = find_long(cmd->opts, name, n);
            if (!o) return cli_usage_error(cmd->name, "unknown option --%.*s for \"%s\"", (int)n, name, cmd->name);
            const char *value = NULL;
            if (o->arg) {
                if (eq) value = eq + 1;
                else if (i + 1 < argc) value = argv[++i];
                else return cli_usage_error(cmd->name, "--%s needs a value (%s)", o->name, o->arg);
            } else if (eq) {
                return cli_usage_error(cmd->name, "--%s takes no value", o->name);
            }
            int rc = take(cmd, a, o, value);
            if (rc) return rc;
        } else {
            for (const char *c = s + 1; *c; c++) {
                const cli_opt *o = find_short(cmd->opts, *c);
                if (!o) return cli_usage_error(cmd->name, "unknown option -%c for \"%s\"", *c, cmd->name);
                const char *value = NULL;
                if (o->arg) {
                    if (c[1]) value = c + 1;
                    else if (i + 1 < argc) value = argv[++i];
                    else return cli_usage_error(cmd->name, "-%c needs a value (%s)", *c, o->arg);
                }
                int rc = take(cmd, a, o, value);
                if (rc) return rc;
                if (value) break;
            }
        }
    }
    if (a->help) return 0;
    if (a->npos < cmd->min_pos)
        return cli_usage_error(cmd->name, "\"%s\" needs %s", cmd->name, cmd->usage);
    if (cmd->max_pos >= 0 && a->npos > cmd->max_pos)
        return cli_usage_error(cmd->name, "unexpected argument \"%s\" for \"%s\"", a->pos[cmd->max_pos], cmd->name);
    return 0;
}

const char *cli_get(const cli_args *a, const char *name)
{
    const char *v = NULL;
    for (int i = 0; i < a->nopt; i++)
        if (!strcmp(a->opt[i].opt->name, name)) v = a->opt[i].value ? a->opt[i].value : "";
    return v;
}

int cli_has(const cli_args *a, const char *name) { return cli_get(a, name) != NULL; }

int cli_headless(const cli_args *a)
{
    return cli_has(a, "headed") ? 0 : oo_config_int(oo_cfg(), OO_CFG_HEADLESS) != 0;
}

int cli_get_int(const cli_args *a, const char *name, long lo, long hi, long *out)
{
    const char *v = cli_get(a, name);
    if (!v) return 0;
    char *end;
    errno = 0;
    long n = strtol(v, &end, 10);
    if (errno || end == v || *end || n < lo || n > hi) {
        cli_usage_error(a->command, "--%s must be a whole number from %ld to %ld, found \"%s\"", name, lo, hi, v);
        return -1;
    }
    *out = n;
    return 1;
}

static void print_opts(const cli_opt *opts)
{
    for (const cli_opt *o = opts; o && o->name; o++) {
        char left[64];
        if (o->short_name)
            snprintf(left, sizeof left, "-%c, --%s%s%s", o->short_name, o->name, o->arg ? " " : "", o->arg ? o->arg : "");
        else
            snprintf(left, sizeof left, "    --%s%s%s", o->name, o->arg ? " " : "", o->arg ? o->arg : "");
        printf("  %-26s %s\n", left, o->help);
    }
}

void cli_print_help(const cli_cmd *cmd)
{
    printf("usage: oo-automator %s\n\n%s\n", cmd->usage, cmd->summary);
    if (cmd->details && *cmd->details) printf("\n%s\n", cmd->details);
    if (cmd->opts && cmd->opts->name) {
        printf("\noptions:\n");
        print_opts(cmd->opts);
    }
    printf("\nglobal options:\n");
    print_opts(cli_global_opts);
}
