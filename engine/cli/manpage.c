/* manpage: oo-automator(1), rendered in roff from the command table, the same text --help
 * prints (summaries, usages, details, every option), plus the settings config.c knows and the
 * sections a manual page has beyond --help (files, exit status, examples). The build runs
 * this through a small generator (engine/manpage_main.c), so the page never drifts from
 * --help. Writes to a caller's FILE; holds no memory past a call. */
#include "cli/manpage.h"
#include "cli/commands.h"
#include "base/config.h"
#include "base/util.h"
#include <string.h>

/* Text as roff: backslashes escaped, `code` in bold, hyphens kept literal, and no line may
 * start with a control character. */
static void roff_text(FILE *f, const char *s, size_t n)
{
    int bold = 0, bol = 1;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (bol && (c == '.' || c == '\'')) fputs("\\&", f);
        bol = c == '\n';
        if (c == '\\') fputs("\\e", f);
        else if (c == '-') fputs("\\-", f);
        else if (c == '`') { fputs(bold ? "\\fR" : "\\fB", f); bold = !bold; }
        else fputc(c, f);
    }
    if (bold) fputs("\\fR", f);
}

static void roff_str(FILE *f, const char *s) { roff_text(f, s, strlen(s)); }

/* A --help paragraph: its lines joined (roff fills them again); lines indented by two spaces
 * are shown as they are (examples). */
static void roff_block(FILE *f, const char *s)
{
    int literal = 0;
    while (*s) {
        size_t n = strcspn(s, "\n");
        int indented = !strncmp(s, "  ", 2);
        if (indented != literal) {
            fputs(indented ? ".PP\n.RS 4\n.nf\n" : ".fi\n.RE\n.PP\n", f);
            literal = indented;
        }
        roff_text(f, s, n);
        fputc('\n', f);
        s += n;
        if (*s) s++;
    }
    if (literal) fputs(".fi\n.RE\n", f);
}

static void roff_opts(FILE *f, const cli_opt *opts)
{
    for (const cli_opt *o = opts; o && o->name; o++) {
        fputs(".TP\n", f);
        if (o->short_name) fprintf(f, "\\fB\\-%c\\fR, ", o->short_name);
        fputs("\\fB\\-\\-", f);
        roff_str(f, o->name);
        fputs("\\fR", f);
        if (o->arg) { fputs(" \\fI", f); roff_str(f, o->arg); fputs("\\fR", f); }
        fputc('\n', f);
        roff_str(f, o->help ? o->help : "");
        fputc('\n', f);
    }
}

static void section_commands(FILE *f)
{
    fputs(".SH COMMANDS\n", f);
    for (const cli_cmd *c = cli_commands(); c->name; c++) {
        fputs(".SS \"oo\\-automator ", f);
        roff_str(f, c->usage);
        fputs("\"\n", f);
        roff_str(f, c->summary);
        fputs(".\n", f);
        if (c->details && *c->details) {
            fputs(".PP\n", f);
            roff_block(f, c->details);
        }
        if (c->opts && c->opts->name) {
            fputs(".PP\nOptions:\n.RS 4\n", f);
            roff_opts(f, c->opts);
            fputs(".RE\n", f);
        }
    }
}

/* What each setting is, for the page; config.c owns the settings themselves (a setting it
 * gains shows up below even before it gets a line here). */
static const struct { const char *env, *what; } setting_help[] = {
    {"OO_EMAIL", "The account's email, filled into the recordings' {{OO_EMAIL}}."},
    {"OO_PASSWORD", "The account's password. Never printed, logged, stored in the database or put in an "
                    "artifact. The dashboard's Settings keep it in <data dir>/password (mode 0600)."},
    {"OO_BASE_URL", "Where the site is (default: the address lua/oo/site.lua names)."},
    {"OO_BROWSERS", "Browsers working at once, 1 to 8 (default 2)."},
    {"OO_HEADLESS", "1 (default) runs Chromium without windows, 0 shows them."},
    {"OO_DB_PATH", "The SQLite database (default <data dir>/oo_automator.db)."},
    {"OO_DATA_DIR", "Results, failure artifacts and the database (default ~/.local/share/oo-automator, "
                    "or $XDG_DATA_HOME/oo-automator)."},
    {"OO_PORT", "The dashboard's port (default 8000)."},
    {"OO_CHROMIUM", "The Chromium executable (default: chromium, chromium-browser or google-chrome on PATH)."},
    {"OO_RECORDINGS", "A folder of your own recordings; each file there replaces the installed one of that name."},
    {"OO_PARAMETERS_PATH", "Folders (colon-separated) of your own parameter scripts."},
    {"OO_LUA_PATH", "Folders (colon-separated) of your own Lua modules and modes."},
    {"OO_RATE_LIMIT", "At most this many backtests a minute (default 10; 0 = no limit)."},
    {"OO_PIPELINE", "Tabs each browser works with, 1 to 4, or auto (the default: 2, one running a backtest "
                    "while the other prepares the next, as long as the browsers are at most 1.5 a core; else 1)."},
    {"OO_BACKTEST_TIMEOUT", "Seconds one backtest may take, 5 to 3600 (default 300)."},
    {"OO_BLOCK_REQUESTS", "1 (the default): the run's browsers never fetch images, web fonts, media or the "
                          "analytics and chat hosts listed in lua/oo/site.lua; 0 loads everything."},
    {"OO_LEASE_MS", "How long an engine holds a task without renewing it, 1000 to 86400000 ms (default 60000): "
                    "an engine that dies gives its tasks back after this."},
    {"OO_LUA_MEMORY_MB", "Memory a command's Lua may use, 16 to 65536 MiB (default 512)."},
    {"OO_HOME", "Where lua/, parameters/, recordings/, web/ and examples/ are found (default: "
                "../share/oo-automator beside the program, so an unpacked or relocated installation works "
                "from any prefix)."},
    {"OO_SIM", "The oo-sim executable `demo` starts (default: oo-sim beside oo-automator)."},
    {"OO_RETRY_COOLDOWN", "Seconds to wait, once the queue drains, before the tasks that failed only for passing "
                          "trouble get their one more round, 0 to 3600 (default 60)."},
    {"OO_OUTAGE_WAIT", "Minutes a run waits for OptionOmega when it cannot be reached at all (no connection, no "
                       "name, no internet), 0 to 1440 (default 30): the workers hold and try again with growing "
                       "pauses, using up no attempt; past this the run is paused (exit 75) and `resume` continues it."},
    {"OO_TOKEN", "The dashboard's token (serve): every request for data (/api, /ws) must carry it as "
                 "Authorization: Bearer (the page keeps it from #token= once, for its own origin only); required when --host is not a "
                 "loopback address. Set here, in ./.env or the config file, it stays out of the process list, "
                 "where any user of the machine reads a --token. Masked in every log."},
    {NULL, NULL},
};

static void section_environment(FILE *f)
{
    fputs(".SH ENVIRONMENT\n", f);
    roff_str(f, cli_config_help);
    fputs("\nThe files hold KEY=value lines with the names below (# starts a comment).\n", f);
    for (int k = 0; k < OO_CFG_COUNT; k++) {
        const char *env = oo_config_env_name((oo_cfg_key)k), *what = NULL;
        for (int i = 0; setting_help[i].env; i++)
            if (!strcmp(setting_help[i].env, env)) what = setting_help[i].what;
        fputs(".TP\n\\fB", f);
        roff_str(f, env);
        fputs("\\fR\n", f);
        roff_str(f, what ? what : "See README.md.");
        fputc('\n', f);
    }
}

static const char rest[] =
    ".SH FILES\n"
    ".TP\n\\fI~/.config/oo\\-automator/config\\fR, \\fI./.env\\fR\nSettings (see ENVIRONMENT).\n"
    ".TP\n\\fI<data dir>/oo_automator.db\\fR\nEvery run, task, result, trade, failure and event (SQLite, WAL).\n"
    ".TP\n\\fI<data dir>/runs/<id>/\\fR\nA failed attempt's screenshot, HTML and console log.\n"
    ".TP\n\\fI<prefix>/share/oo\\-automator/\\fR\nThe recordings, parameter scripts, Lua library, examples and the "
    "dashboard.\n"
    ".SH EXIT STATUS\n"
    ".TP\n\\fB0\\fR\nDone (for \\fBdoctor\\fR: every check passed).\n"
    ".TP\n\\fB1\\fR\nSomething failed; the message says what, where and how to fix it.\n"
    ".TP\n\\fB2\\fR\nA bad flag, argument, file or setting.\n"
    ".TP\n\\fB75\\fR\n\\fBrun \\-\\-no\\-wait\\fR or \\fBresume \\-\\-no\\-wait\\fR: another run works the same account; nothing "
    "was started.\n"
    ".TP\n\\fB130\\fR\nInterrupted (Ctrl\\-C): running tasks went back to the queue; \\fBresume\\fR continues.\n"
    ".SH EXAMPLES\n"
    ".nf\n"
    "oo\\-automator doctor \\-\\-login\n"
    "oo\\-automator run examples/delta_sweep.lua\n"
    "oo\\-automator run \\-\\-url URL \\-\\-param delta \\-\\-start 5 \\-\\-end 50 \\-\\-step 1 \\-\\-browsers 2\n"
    "oo\\-automator status \\-\\-run\\-id 3\n"
    "oo\\-automator export \\-\\-run\\-id 3 \\-\\-format csv \\-\\-output delta.csv\n"
    "oo\\-automator serve\n"
    "source <(oo\\-automator completion bash)\n"
    ".fi\n"
    ".SH SEE ALSO\n"
    "\\fBchromium\\fR(1), \\fBsqlite3\\fR(1); README.md in \\fI<prefix>/share/doc/oo\\-automator\\fR.\n";

void cli_manpage(FILE *f)
{
    fprintf(f, ".\\\" oo-automator(1), generated from the command table by the build: edit engine/cli/ instead.\n"
               ".TH OO\\-AUTOMATOR 1 \"\" \"oo\\-automator %s\" \"User Commands\"\n.nh\n.ad l\n", oo_version());
    fputs(".SH NAME\noo\\-automator \\- automate OptionOmega backtests: sweeps, grids and staged optimizations\n"
          ".SH SYNOPSIS\n\\fBoo\\-automator\\fR [\\fIGLOBAL OPTIONS\\fR] \\fICOMMAND\\fR [\\fIOPTIONS\\fR]\n.br\n"
          "\\fBoo\\-automator\\fR \\fICOMMAND\\fR \\fB\\-\\-help\\fR\n.br\n\\fBoo\\-automator \\-\\-version\\fR\n"
          ".SH DESCRIPTION\n", f);
    roff_block(f, cli_about);
    fputs(".SH GLOBAL OPTIONS\nEvery command takes these, before or after its name.\n", f);
    roff_opts(f, cli_global_opts);
    fputs(".TP\n\\fB\\-\\-version\\fR\nPrint the version, the libraries' and Chromium's (before the command).\n", f);
    section_commands(f);
    section_environment(f);
    fputs(rest, f);
}
