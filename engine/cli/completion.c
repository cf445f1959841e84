/* completion: tab completion for bash, zsh and fish.
 *
 * `oo-automator completion bash|zsh|fish` prints a small script for the shell. At each TAB the
 * script hands the words typed so far to `oo-automator completion candidates -- WORDS...`,
 * and this module answers from the command table, the same one --help prints: commands,
 * options, and values. A value's kind comes from the table: choices written into a usage or
 * an option ("csv|json", "bash|zsh|fish"), an option whose help is the list of its values
 * ("a, b or c"), placeholders (FILE, SCRIPT.lua, DIR, TEST, RUN), and the options naming
 * saved things (--run-id, --test, --url, --param, --mode). Runs and tests come from the
 * database, opened read-only (completion never creates or migrates it); parameters and modes
 * from Lua (lua/oo/completion.lua). Files and folders are left to the shell.
 *
 * Answer format, one per line: "value<TAB>description", or a directive ":files [.ext]" or
 * ":dirs" asking the shell for its own file name completion. Everything here is on the stack or
 * freed before returning. */
#include "cli/completion.h"
#include "cli/commands.h"
#include "base/buf.h"
#include "base/config.h"
#include "script/script.h"
#include "store/store.h"
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef enum { V_NONE, V_WORDS, V_FILES, V_DIRS, V_RUNS, V_TESTS, V_TEST_URLS, V_PARAMS, V_MODES } vkind;

typedef struct vspec {
    vkind kind;
    char words[256];       /* V_WORDS: the choices, separated by '|' */
    char ext[16];          /* V_FILES: ".json" to prefer such files, or "" */
} vspec;

/* What the words typed so far say: the command, its positionals, what the last word is. */
typedef struct cstate {
    const cli_cmd *cmd;    /* NULL: no command yet */
    int npos;
    const char *pos[CLI_MAX_ARGS];
    const cli_opt *want;   /* the previous word is this option, which takes the current word */
    int rest_files;        /* after `lua FILE`: everything is the script's (files) */
    int lost;              /* an unknown command: nothing to offer */
} cstate;

static const char *cur_prefix = "";  /* only candidates starting with this are printed */
static const char *val_prefix = "";  /* put before each value ("--format=" for --format=c) */

static void emit(const char *value, const char *desc)
{
    size_t np = strlen(val_prefix), nc = strlen(cur_prefix);
    if (nc <= np ? strncmp(val_prefix, cur_prefix, nc) : strncmp(val_prefix, cur_prefix, np) || strncmp(value, cur_prefix + np, nc - np))
        return;
    if (!desc || !*desc) { printf("%s%s\n", val_prefix, value); return; }
    printf("%s%s\t", val_prefix, value);
    for (const char *c = desc; *c && *c != '\n'; c++) putchar(*c == '\t' ? ' ' : *c);
    putchar('\n');
}

/* ---- what kind of value a placeholder or an option takes ------------------------------- */

static int all_upper(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isupper((unsigned char)s[i]) && s[i] != '_') return 0;
    return n > 0;
}

/* "FILE", "SCRIPT.lua", "FILE.json", "DIR", "TEST", "RUN", "a|b|c", "rename" */
static void spec_of_token(const char *tok, vspec *v)
{
    memset(v, 0, sizeof *v);
    size_t n = strcspn(tok, ".");
    const char *dot = tok[n] ? tok + n : "";
    if (strchr(tok, '|') || (!all_upper(tok, n) && islower((unsigned char)tok[0]))) {
        v->kind = V_WORDS;
        snprintf(v->words, sizeof v->words, "%s", tok);
    } else if ((n == 4 && !strncmp(tok, "FILE", 4)) || (n == 4 && !strncmp(tok, "PATH", 4)) ||
               (n == 6 && !strncmp(tok, "SCRIPT", 6)) || (n == 6 && !strncmp(tok, "CONFIG", 6))) {
        v->kind = V_FILES;
        snprintf(v->ext, sizeof v->ext, "%s", dot);
    } else if (n == 3 && !strncmp(tok, "DIR", 3)) {
        v->kind = V_DIRS;
    } else if (n == 4 && !strncmp(tok, "TEST", 4)) {
        v->kind = V_TESTS;
    } else if (n == 3 && !strncmp(tok, "RUN", 3)) {
        v->kind = V_RUNS;
    }
}

/* An option's help that is just its values: "pending, running, paused or cancelled". */
static int help_choices(const char *help, vspec *v)
{
    oo_buf b;
    oo_buf_init(&b);
    const char *p = help;
    int words = 0, ok = 1;
    while (ok && *p) {
        size_t n = 0;
        while (islower((unsigned char)p[n]) || p[n] == '_' || p[n] == '-') n++;
        if (n == 0) { ok = 0; break; }
        if (words++) oo_buf_putc(&b, '|');
        oo_buf_append(&b, p, n);
        p += n;
        if (!strncmp(p, ", ", 2)) p += 2;
        else if (!strncmp(p, " or ", 4)) p += 4;
        else if (*p) ok = 0;
    }
    ok = ok && words >= 2 && b.len < sizeof v->words;
    if (ok) {
        memset(v, 0, sizeof *v);
        v->kind = V_WORDS;
        memcpy(v->words, b.data, b.len + 1);
    }
    oo_buf_free(&b);
    return ok;
}

static void spec_of_option(const cli_opt *o, vspec *v)
{
    static const struct { const char *name; vkind kind; } by_name[] = {
        {"run-id", V_RUNS}, {"test", V_TESTS}, {"test-id", V_TESTS}, {"url", V_TEST_URLS},
        {"param", V_PARAMS}, {"parameter", V_PARAMS}, {"mode", V_MODES}, {NULL, V_NONE}};
    memset(v, 0, sizeof *v);
    for (int i = 0; by_name[i].name; i++)
        if (!strcmp(o->name, by_name[i].name)) { v->kind = by_name[i].kind; return; }
    if (!o->arg) return;
    spec_of_token(o->arg, v);
    if (v->kind == V_NONE && o->help) help_choices(o->help, v);
}

/* ---- a command's positional arguments, from its usage line ----------------------------- */

#define MAX_ALTS 4
#define MAX_SLOTS 8

typedef struct alt {
    int n;
    char slot[MAX_SLOTS][64];
    int rest;               /* ends with ARGS...: any number more */
} alt;

static const cli_opt *find_opt(const cli_opt *opts, const char *name, size_t n)
{
    for (const cli_opt *o = opts; o && o->name; o++)
        if (strlen(o->name) == n && !strncmp(o->name, name, n)) return o;
    for (const cli_opt *o = cli_global_opts; o->name; o++)
        if (strlen(o->name) == n && !strncmp(o->name, name, n)) return o;
    return NULL;
}

/* "tests [--recent] | tests rename TEST NAME" -> {}, {rename, TEST, NAME} */
static int usage_alts(const cli_cmd *c, alt *alts)
{
    char buf[512], *save = NULL;
    snprintf(buf, sizeof buf, "%s", c->usage ? c->usage : "");
    int na = 0, first = 1, skip = 0;
    memset(alts, 0, sizeof(alt) * MAX_ALTS);
    for (char *t = strtok_r(buf, " ", &save); t; t = strtok_r(NULL, " ", &save)) {
        if (!strcmp(t, "|")) {
            if (na + 1 == MAX_ALTS) break;
            na++;
            first = 1;
            skip = 0;
            continue;
        }
        while (*t == '[' || *t == '(') t++;
        size_t len = strlen(t);
        while (len && (t[len - 1] == ']' || t[len - 1] == ')')) t[--len] = '\0';
        if (first) { first = 0; if (!strcmp(t, c->name)) continue; }
        if (skip) { skip = 0; continue; }
        if (t[0] == '-') {
            const char *name = t + strspn(t, "-");
            const cli_opt *o = find_opt(c->opts, name, strcspn(name, "="));
            skip = o && o->arg && !strchr(t, '=');
            continue;
        }
        if (!strcmp(t, "OPTIONS") || !*t) continue;
        if (len > 3 && !strcmp(t + len - 3, "...")) { alts[na].rest = 1; continue; }
        if (alts[na].n < MAX_SLOTS) snprintf(alts[na].slot[alts[na].n++], sizeof alts[na].slot[0], "%s", t);
    }
    return na + 1;
}

static int word_in(const char *words, const char *w)
{
    size_t n = strlen(w);
    for (const char *p = words; *p;) {
        size_t m = strcspn(p, "|");
        if (m == n && !strncmp(p, w, n)) return 1;
        p += m;
        if (*p) p++;
    }
    return 0;
}

/* Does what was typed so far (pos[0..npos-1]) fit this alternative? */
static int alt_fits(const alt *a, const cstate *st)
{
    for (int j = 0; j < st->npos; j++) {
        if (j >= a->n) return a->rest;
        vspec v;
        spec_of_token(a->slot[j], &v);
        if (v.kind == V_WORDS && !word_in(v.words, st->pos[j])) return 0;
    }
    return 1;
}

/* ---- values that live in the database or in Lua ----------------------------------------- */

static const char *jstr(const cJSON *o, const char *k)
{
    const char *s = cJSON_GetStringValue(cJSON_GetObjectItem(o, k));
    return s ? s : "";
}

static void emit_id(double id, const char *desc)
{
    char v[32];
    snprintf(v, sizeof v, "%.0f", id);
    emit(v, desc);
}

static void list_store(vkind kind)
{
    oo_err err = {0};
    oo_store *s = store_open_readonly(oo_config_get(oo_cfg(), OO_CFG_DB_PATH), &err);
    if (!s) return;
    const cJSON *r;
    if (kind == V_RUNS) {
        store_run_filter f = {.limit = 200};
        cJSON *runs = store_runs_list(s, &f, &err);
        cJSON_ArrayForEach(r, runs) {
            const char *name = *jstr(r, "name") ? jstr(r, "name") : *jstr(r, "test_name") ? jstr(r, "test_name") : jstr(r, "test_url");
            char *d = oo_asprintf("%s %s: %s", jstr(r, "status"), jstr(r, "mode"), name);
            emit_id(cJSON_GetNumberValue(cJSON_GetObjectItem(r, "id")), d);
            free(d);
        }
        cJSON_Delete(runs);
    } else {
        cJSON *tests = store_tests_list(s, 0, &err);
        cJSON_ArrayForEach(r, tests) {
            const char *name = jstr(r, "name");
            if (kind == V_TEST_URLS) emit(jstr(r, "url"), name);
            else emit_id(cJSON_GetNumberValue(cJSON_GetObjectItem(r, "id")), *name ? name : jstr(r, "url"));
        }
        cJSON_Delete(tests);
    }
    store_close(s);
}

static void list_lua(const char *fn)
{
    oo_err err = {0};
    script_opts so = {0};
    oo_script *sc = script_new(&so, &err);
    cJSON *list = sc ? script_call(sc, "oo.completion", fn, NULL, &err) : NULL;
    const cJSON *e;
    cJSON_ArrayForEach(e, list) emit(jstr(e, "value"), jstr(e, "description"));
    cJSON_Delete(list);
    script_free(sc);
}

static void list_words(const char *words)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%s", words);
    char *save = NULL;
    for (char *w = strtok_r(buf, "|", &save); w; w = strtok_r(NULL, "|", &save)) emit(w, NULL);
}

static void complete_value(const vspec *v)
{
    switch (v->kind) {
    case V_WORDS: list_words(v->words); break;
    case V_FILES: printf(":files%s%s\n", v->ext[0] ? " " : "", v->ext); break;
    case V_DIRS: printf(":dirs\n"); break;
    case V_RUNS: case V_TESTS: case V_TEST_URLS: list_store(v->kind); break;
    case V_PARAMS: list_lua("parameters"); break;
    case V_MODES: list_lua("modes"); break;
    case V_NONE: break;
    }
}

/* ---- reading the words typed so far ---------------------------------------------------- */

static const cli_cmd *find_cmd(const char *name)
{
    for (const cli_cmd *c = cli_commands(); c->name; c++)
        if (!strcmp(c->name, name)) return c;
    return NULL;
}

/* An option word ("--db", "--db=x", "-y", "-vv"): the option that takes the next word as its
 * value, or NULL. Global options with a value (--db, --data-dir) are applied, so that runs
 * and tests come from the database the command line names. */
static const cli_opt *option_word(const cli_opt *opts, int argc, char **w, int *i)
{
    const char *s = w[*i];
    const cli_opt *o = NULL;
    const char *value = NULL;
    if (s[1] == '-') {
        const char *name = s + 2, *eq = strchr(name, '=');
        o = find_opt(opts, name, eq ? (size_t)(eq - name) : strlen(name));
        if (eq) value = eq + 1;
    } else if (s[1]) {
        size_t n = strlen(s);
        for (const cli_opt *p = opts; p && p->name && !o; p++) if (p->short_name == s[n - 1]) o = p;
        for (const cli_opt *p = cli_global_opts; p->name && !o; p++) if (p->short_name == s[n - 1]) o = p;
    }
    if (!o || !o->arg) return NULL;
    if (!value) {
        if (*i + 1 >= argc) return o;      /* the word being completed is its value */
        value = w[++*i];
    }
    if (!strcmp(o->name, "db") || !strcmp(o->name, "data-dir")) cli_global_option(o->name, value);
    return NULL;
}

static void read_words(int argc, char **w, cstate *st)
{
    int only_pos = 0;
    alt alts[MAX_ALTS];
    int rest = 0;
    for (int i = 0; i < argc; i++) {
        const char *s = w[i];
        int is_opt = !only_pos && !st->rest_files && s[0] == '-' && s[1];
        if (is_opt && !strcmp(s, "--") && st->cmd) { only_pos = 1; continue; }
        if (is_opt) {
            st->want = option_word(st->cmd ? st->cmd->opts : NULL, argc, w, &i);
            continue;
        }
        if (!st->cmd) {
            if (!(st->cmd = find_cmd(s))) { st->lost = 1; return; }
            int na = usage_alts(st->cmd, alts);
            for (int k = 0; k < na; k++) rest |= alts[k].rest;
            continue;
        }
        if (st->npos < CLI_MAX_ARGS) st->pos[st->npos++] = s;
        if (rest) st->rest_files = 1;   /* `lua FILE ARGS...`: the rest is the script's */
    }
}

/* ---- what to offer for the word being completed ---------------------------------------- */

static void list_options(const cli_opt *opts)
{
    for (const cli_opt *o = opts; o && o->name; o++) {
        char *w = oo_asprintf("--%s", o->name);
        emit(w, o->help);
        free(w);
    }
}

static void complete_positional(const cstate *st)
{
    if (st->rest_files) { printf(":files\n"); return; }
    alt alts[MAX_ALTS];
    int na = usage_alts(st->cmd, alts);
    for (int k = 0; k < na; k++) {
        if (!alt_fits(&alts[k], st)) continue;
        vspec v = {0};
        if (st->npos < alts[k].n) spec_of_token(alts[k].slot[st->npos], &v);
        else if (alts[k].rest) v.kind = V_FILES;
        complete_value(&v);
    }
}

/* "--format=c": the values of --format, each written as "--format=csv". */
static void complete_inline_value(const cstate *st, const char *cur)
{
    const char *eq = strchr(cur, '=');
    const cli_opt *o = find_opt(st->cmd ? st->cmd->opts : NULL, cur + 2, (size_t)(eq - cur - 2));
    if (!o || !o->arg) return;
    vspec v;
    spec_of_option(o, &v);
    if (v.kind == V_FILES || v.kind == V_DIRS) return;   /* the shell's file names cannot take a prefix */
    char *prefix = oo_strndup(cur, (size_t)(eq - cur) + 1);
    val_prefix = prefix;
    complete_value(&v);
    val_prefix = "";
    free(prefix);
}

static int candidates(int argc, char **argv)
{
    const char *cur = argc > 0 ? argv[argc - 1] : "";
    cstate st = {0};
    read_words(argc > 0 ? argc - 1 : 0, argv, &st);
    cur_prefix = cur;
    if (st.lost) return 0;
    if (st.want) {
        vspec v;
        spec_of_option(st.want, &v);
        complete_value(&v);
    } else if (!strncmp(cur, "--", 2) && strchr(cur, '=')) {
        complete_inline_value(&st, cur);
    } else if (cur[0] == '-') {
        if (st.cmd) list_options(st.cmd->opts);
        else emit("--version", "print the version (and the libraries', Chromium's)");
        list_options(cli_global_opts);
    } else if (!st.cmd) {
        for (const cli_cmd *c = cli_commands(); c->name; c++) emit(c->name, c->summary);
    } else {
        complete_positional(&st);
    }
    fflush(stdout);
    return 0;
}

/* ---- the scripts ------------------------------------------------------------------------- */

static const char bash_script[] =
    "# bash completion for oo-automator                               -*- shell-script -*-\n"
    "# From `oo-automator completion bash`. At each TAB the program itself says what fits\n"
    "# (`oo-automator completion candidates -- WORDS...`), so this never goes stale.\n"
    "_oo_automator()\n"
    "{\n"
    "    local line=${COMP_LINE:0:COMP_POINT}\n"
    "    local -a words\n"
    "    read -r -a words <<< \"$line\"\n"
    "    [[ $line =~ [[:space:]]$ ]] && words+=(\"\")\n"
    "    local cur=${words[${#words[@]}-1]} prog=${words[0]}\n"
    "    [[ $prog == \"~/\"* ]] && prog=$HOME/${prog#\"~/\"}\n"
    "    local out\n"
    "    out=$(\"$prog\" completion candidates -- \"${words[@]:1}\" 2>/dev/null) || return 0\n"
    "    # bash completes the text after the last = or : of the word (COMP_WORDBREAKS)\n"
    "    local pre=${cur%\"${cur##*[=:]}\"} l ext= files= dirs=\n"
    "    COMPREPLY=()\n"
    "    while IFS= read -r l; do\n"
    "        case $l in\n"
    "            ':files'*) files=1; ext=${l#:files}; ext=${ext# } ;;\n"
    "            ':dirs') dirs=1 ;;\n"
    "            '') ;;\n"
    "            *) l=${l%%$'\\t'*}; COMPREPLY+=(\"${l#\"$pre\"}\") ;;\n"
    "        esac\n"
    "    done <<< \"$out\"\n"
    "    if [[ $files || $dirs ]]; then\n"
    "        compopt -o filenames 2>/dev/null\n"
    "        local f\n"
    "        while IFS= read -r f; do [[ $f ]] && COMPREPLY+=(\"$f\"); done < <(compgen -d -- \"$cur\")\n"
    "        if [[ $files ]]; then\n"
    "            while IFS= read -r f; do\n"
    "                [[ $f && ! -d $f ]] && COMPREPLY+=(\"$f\")\n"
    "            done < <(compgen -f ${ext:+-X \"!*$ext\"} -- \"$cur\")\n"
    "        fi\n"
    "    fi\n"
    "    return 0\n"
    "}\n"
    "complete -F _oo_automator oo-automator\n";

static const char zsh_script[] =
    "#compdef oo-automator\n"
    "# zsh completion for oo-automator, from `oo-automator completion zsh`. At each TAB the\n"
    "# program itself says what fits (`oo-automator completion candidates -- WORDS...`).\n"
    "_oo-automator() {\n"
    "  local -a lines vals descs\n"
    "  local l ext files=0 dirs=0 ret=1 prog=${~words[1]}\n"
    "  lines=(\"${(@f)$(\"$prog\" completion candidates -- \"${(@)words[2,CURRENT]}\" 2>/dev/null)}\")\n"
    "  for l in \"${lines[@]}\"; do\n"
    "    case $l in\n"
    "      (:files*) files=1; ext=${l#:files}; ext=${ext# } ;;\n"
    "      (:dirs) dirs=1 ;;\n"
    "      ('') ;;\n"
    "      (*$'\\t'*) vals+=(\"${l%%$'\\t'*}\"); descs+=(\"${l%%$'\\t'*} -- ${l#*$'\\t'}\") ;;\n"
    "      (*) vals+=(\"$l\"); descs+=(\"$l\") ;;\n"
    "    esac\n"
    "  done\n"
    "  (( ${#vals} )) && compadd -l -d descs -a vals && ret=0\n"
    "  if (( files )); then\n"
    "    if [[ -n $ext ]]; then _files -g \"*$ext\" && ret=0; else _files && ret=0; fi\n"
    "  elif (( dirs )); then\n"
    "    _files -/ && ret=0\n"
    "  fi\n"
    "  return ret\n"
    "}\n"
    "if [ \"$funcstack[1]\" = \"_oo-automator\" ]; then\n"
    "  _oo-automator \"$@\"\n"
    "else\n"
    "  compdef _oo-automator oo-automator\n"
    "fi\n";

static const char fish_script[] =
    "# fish completion for oo-automator, from `oo-automator completion fish`. At each TAB the\n"
    "# program itself says what fits (`oo-automator completion candidates -- WORDS...`).\n"
    "function __oo_automator_candidates\n"
    "    set -l words (commandline -opc) (commandline -ct)\n"
    "    set -l cur (commandline -ct)\n"
    "    for l in ($words[1] completion candidates -- $words[2..-1] 2>/dev/null)\n"
    "        switch $l\n"
    "            case ':files*'\n"
    "                set -l ext (string replace -r '^:files ?' '' -- $l)\n"
    "                __fish_complete_directories $cur ''\n"
    "                for f in $cur*$ext\n"
    "                    test -f $f; and echo $f\n"
    "                end\n"
    "            case ':dirs'\n"
    "                __fish_complete_directories $cur ''\n"
    "            case '*'\n"
    "                echo $l\n"
    "        end\n"
    "    end\n"
    "end\n"
    "complete -c oo-automator -f -a '(__oo_automator_candidates)'\n";

const char *cli_completion_script(const char *shell)
{
    return !strcmp(shell, "bash") ? bash_script : !strcmp(shell, "zsh") ? zsh_script
         : !strcmp(shell, "fish") ? fish_script : NULL;
}

int cli_cmd_completion(const cli_cmd *cmd, cli_args *a)
{
    (void)cmd;
    const char *what = a->pos[0];
    if (!strcmp(what, "candidates")) return candidates(a->npos - 1, (char **)a->pos + 1);
    if (a->npos > 1) return cli_usage_error("completion", "unexpected argument \"%s\"", a->pos[1]);
    const char *script = cli_completion_script(what);
    if (!script) return cli_usage_error("completion", "no completion for the shell \"%s\": bash, zsh or fish", what);
    fputs(script, stdout);
    return 0;
}
