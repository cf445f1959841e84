/* args: the command line's option parser and the shape of a command. Every command declares
 * its options; the parser gives one precise line for anything wrong (exit 2). The global
 * options (--db, --data-dir, -v, --json, --help) are understood by every command. */
#ifndef OO_CLI_ARGS_H
#define OO_CLI_ARGS_H

typedef struct cli_opt {
    const char *name;       /* "run-id" for --run-id */
    char short_name;        /* 'v' or 0 */
    const char *arg;        /* "N" when it takes a value, NULL for a switch */
    const char *help;
} cli_opt;

#define CLI_MAX_ARGS 64

typedef struct cli_args {
    const char *command;
    int npos;
    const char *pos[CLI_MAX_ARGS];
    int nopt;
    struct { const cli_opt *opt; const char *value; } opt[CLI_MAX_ARGS];
    int help;               /* --help / -h was given */
} cli_args;

typedef struct cli_cmd {
    const char *name;
    const char *summary;    /* one line for `oo-automator --help` */
    const char *usage;      /* "run [SCRIPT.lua] [OPTIONS]" */
    const char *details;    /* what it does, for `oo-automator CMD --help` */
    const cli_opt *opts;    /* terminated by {0} */
    int min_pos, max_pos;   /* positional argument count (max -1 = any) */
    int (*fn)(const struct cli_cmd *cmd, cli_args *a);
} cli_cmd;

/* Parses argv (argv[0] is the command name) into a; global options are applied to the config.
 * Returns 0, or 2 after printing one line on stderr. Remaining-args commands (lua) stop
 * parsing at the first positional when stop_at_pos is set. */
int cli_parse(const cli_cmd *cmd, int argc, char **argv, cli_args *a, int stop_at_pos);
/* Applies one global option (--db, --data-dir, -v, --json) if opt is one; 1 when handled,
 * 0 when not a global option, -1 (message printed) on a bad value. */
int cli_global_option(const char *name, const char *value);
extern const cli_opt cli_global_opts[];

const char *cli_get(const cli_args *a, const char *name);     /* last value, or NULL */
int cli_has(const cli_args *a, const char *name);
/* Whether Chromium runs without windows: --headed says no; else OO_HEADLESS (environment,
 * config file, the dashboard's Settings), headless by default. */
int cli_headless(const cli_args *a);
/* Integer option with bounds; prints the one-line error and returns -1 when bad, 0 when
 * absent (*out untouched), 1 when set. */
int cli_get_int(const cli_args *a, const char *name, long lo, long hi, long *out);

/* One line "oo-automator: <msg>; see oo-automator CMD --help", returns 2. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* One line "oo-automator: <msg>" for a failure that is not a usage error, returns 1. */
int cli_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void cli_print_help(const cli_cmd *cmd);
#endif
