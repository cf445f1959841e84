/* config: the dialog's JSON (sim/CONFIG.md) parsed strictly into a bt_config, and back as
 * canonical JSON. Missing fields take the dialog's defaults; unknown fields, wrong types and
 * out-of-range values are errors naming the field path, what was expected and what was found. */
#include "bt/internal.h"
#include <cjson/cJSON.h>
#include <math.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct { char *err; size_t errlen; int failed; } pctx;

static void fail(pctx *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail(pctx *p, const char *fmt, ...)
{
    if (p->failed) return;
    p->failed = 1;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->err, p->errlen, fmt, ap);
    va_end(ap);
}

static const char *found(const cJSON *v, char *buf, size_t n)
{
    if (!v) return "nothing";
    if (cJSON_IsString(v)) { snprintf(buf, n, "\"%.40s\"", v->valuestring); return buf; }
    if (cJSON_IsNumber(v)) { snprintf(buf, n, "%g", v->valuedouble); return buf; }
    if (cJSON_IsBool(v)) return cJSON_IsTrue(v) ? "true" : "false";
    if (cJSON_IsNull(v)) return "null";
    if (cJSON_IsArray(v)) return "an array";
    return "an object";
}

static void check_keys(pctx *p, const cJSON *o, const char *path, const char *const *allowed)
{
    const cJSON *e;
    cJSON_ArrayForEach(e, o) {
        int ok = 0;
        for (int i = 0; allowed[i]; i++) ok |= !strcmp(e->string, allowed[i]);
        if (!ok) fail(p, "%s%s%s: unknown field", path, *path ? "." : "", e->string);
    }
}

static double num(pctx *p, const cJSON *o, const char *path, const char *k, double def, double lo, double hi)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    char buf[64];
    if (!v) return def;
    if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble)) {
        fail(p, "%s.%s: expected a number, found %s", path, k, found(v, buf, sizeof buf));
        return def;
    }
    if (v->valuedouble < lo || v->valuedouble > hi) {
        fail(p, "%s.%s: expected a number from %g to %g, found %g", path, k, lo, hi, v->valuedouble);
        return def;
    }
    return v->valuedouble;
}

static int integer(pctx *p, const cJSON *o, const char *path, const char *k, int def, int lo, int hi)
{
    double d = num(p, o, path, k, def, lo, hi);
    if (d != floor(d)) { fail(p, "%s.%s: expected a whole number, found %g", path, k, d); return def; }
    return (int)d;
}

static int boolean(pctx *p, const cJSON *o, const char *path, const char *k, int def)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    char buf[64];
    if (!v) return def;
    if (!cJSON_IsBool(v)) { fail(p, "%s.%s: expected true or false, found %s", path, k, found(v, buf, sizeof buf)); return def; }
    return cJSON_IsTrue(v);
}

static int choice(pctx *p, const cJSON *o, const char *path, const char *k, const char *const *opts, int def)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    char buf[64];
    if (!v) return def;
    if (cJSON_IsString(v))
        for (int i = 0; opts[i]; i++)
            if (!strcmp(v->valuestring, opts[i])) return i;
    char list[200] = "";
    for (int i = 0; opts[i]; i++) {
        strncat(list, i ? ", " : "", sizeof list - strlen(list) - 1);
        strncat(list, opts[i], sizeof list - strlen(list) - 1);
    }
    fail(p, "%s%s%s: expected one of %s, found %s", path, *path ? "." : "", k, list, found(v, buf, sizeof buf));
    return def;
}

/* "HH:MM" between 09:30 and 16:00 -> minutes after 09:30 */
static int time_of_day(pctx *p, const cJSON *o, const char *path, const char *k, int def)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    char buf[64];
    if (!v) return def;
    int h, m;
    char tail;
    if (!cJSON_IsString(v) || sscanf(v->valuestring, "%2d:%2d%c", &h, &m, &tail) != 2 || m > 59 ||
        h * 60 + m < 9 * 60 + 30 || h * 60 + m > 16 * 60) {
        fail(p, "%s.%s: expected a time from 09:30 to 16:00 as HH:MM, found %s", path, k, found(v, buf, sizeof buf));
        return def;
    }
    return h * 60 + m - (9 * 60 + 30);
}

static const cJSON *object(pctx *p, const cJSON *root, const char *k)
{
    const cJSON *o = cJSON_GetObjectItemCaseSensitive(root, k);
    char buf[64];
    if (!o) return NULL;
    if (!cJSON_IsObject(o)) { fail(p, "%s: expected an object, found %s", k, found(o, buf, sizeof buf)); return NULL; }
    return o;
}

/* A section's fields ("funds", "entry", ...): one table drives both the strict parse and the
 * canonical JSON, so a field's key, default, range and place in the output are written once. */
typedef enum { F_NUM, F_INT, F_BOOL, F_CHOICE, F_TIME, F_WEEKDAYS } fkind;
typedef struct {
    const char *key;
    fkind kind;
    size_t off;                      /* of the double or int in bt_config */
    double def, lo, hi;              /* F_TIME: lo..hi minutes after 09:30 the field accepts */
    const char *const *opts;         /* F_CHOICE */
    const char *range;               /* F_TIME: what to say outside lo..hi */
} field;
typedef struct { const char *name; const field *fields; size_t n; } section;

#define AT(m) offsetof(bt_config, m)
#define NUM(k, m, d, lo, hi) {k, F_NUM, AT(m), d, lo, hi, NULL, NULL}
#define INT(k, m, d, lo, hi) {k, F_INT, AT(m), d, lo, hi, NULL, NULL}
#define BOOL(k, m, d) {k, F_BOOL, AT(m), d, 0, 1, NULL, NULL}
#define CHOICE(k, m, opts) {k, F_CHOICE, AT(m), 0, 0, 0, opts, NULL}

static const char *const units[] = {"%", "$", NULL};
static const char *const freqs[] = {"daily", "weekly", "monthly", NULL};

static const field funds_fields[] = {
    NUM("startingFunds", funds.starting_funds, 100000, 1000, 1e9),
    NUM("marginAllocationPct", funds.margin_pct, 10, 0.01, 100),
    INT("maxOpenPositions", funds.max_open, 0, 0, 1000),
    INT("maxContractsPerTrade", funds.max_contracts, 0, 0, 100000),
    BOOL("ignoreMargin", funds.ignore_margin, 0),
    BOOL("pruneOldest", funds.prune_oldest, 0),
    NUM("maxAllocationAmount", funds.max_allocation, 0, 0, 1e9),
};
static const field entry_fields[] = {
    {"time", F_TIME, AT(entry.time), 2, 2, 389, NULL, "entries are from 09:32 to 15:59"},
    CHOICE("frequency", entry.frequency, freqs),
    {"weekdays", F_WEEKDAYS, AT(entry.weekdays), 0x3e, 0, 0, NULL, NULL},
    BOOL("floatingEntryTime", entry.floating, 0),
    BOOL("useVix", entry.use_vix, 0),
    NUM("minVix", entry.min_vix, 0, 0, 200),
    NUM("maxVix", entry.max_vix, 100, 0, 200),
    BOOL("useTechnicalIndicators", entry.use_rsi, 0),
    NUM("minRsi", entry.min_rsi, 0, 0, 100),
    NUM("maxRsi", entry.max_rsi, 100, 0, 100),
    BOOL("useGaps", entry.use_gaps, 0),
    NUM("minGapUp", entry.min_gap_up, 0, 0, 100),
    NUM("maxGapUp", entry.max_gap_up, 0, 0, 100),
    NUM("minGapDown", entry.min_gap_down, 0, 0, 100),
    NUM("maxGapDown", entry.max_gap_down, 0, 0, 100),
    BOOL("useIntradayMovement", entry.use_move, 0),
    NUM("minMoveUp", entry.min_move_up, 0, 0, 100),
    NUM("maxMoveUp", entry.max_move_up, 0, 0, 100),
    NUM("minMoveDown", entry.min_move_down, 0, 0, 100),
    NUM("maxMoveDown", entry.max_move_down, 0, 0, 100),
};
static const field pl_fields[] = {
    NUM("profitTarget", pl.pt, 50, 0, 100000),
    CHOICE("profitTargetUnit", pl.pt_dollars, units),
    NUM("stopLoss", pl.sl, 0, 0, 100000),
    CHOICE("stopLossUnit", pl.sl_dollars, units),
    BOOL("perLegStopLoss", pl.per_leg_sl, 0),
};
static const field exit_fields[] = {
    BOOL("useEarlyExit", exit.use_early, 0),
    {"earlyExitTime", F_TIME, AT(exit.early_time), 375, 0, BT_BARS, NULL, NULL},
    BOOL("useUnderlyingMovement", exit.use_move, 0),
    NUM("exitMoveUp", exit.move_up, 0, 0, 100),
    NUM("exitMoveDown", exit.move_down, 0, 0, 100),
    BOOL("useDelta", exit.use_delta, 0),
    NUM("exitBelowPositionDelta", exit.below_delta, 0, -1000, 1000),
    NUM("exitAbovePositionDelta", exit.above_delta, 0, -1000, 1000),
    BOOL("useShortLongRatio", exit.use_ratio, 0),
    NUM("exitSlRatioBelow", exit.ratio_below, 0, 0, 1000),
    NUM("exitSlRatioAbove", exit.ratio_above, 0, 0, 1000),
    BOOL("useVix", exit.use_vix, 0),
    NUM("exitVixMovesUp", exit.vix_up, 0, 0, 200),
    NUM("exitVixMovesDown", exit.vix_down, 0, 0, 200),
};
static const field misc_fields[] = {
    BOOL("useCommissions", misc.use_comm, 0),
    NUM("openingCommission", misc.open_comm, 0, 0, 100),
    NUM("closingCommission", misc.close_comm, 0, 0, 100),
    BOOL("useSlippage", misc.use_slip, 0),
    NUM("entrySlippage", misc.entry_slip, 0, 0, 100),
    NUM("exitSlippage", misc.exit_slip, 0, 0, 100),
    NUM("stopLossSlippage", misc.sl_slip, 0, 0, 100),
    BOOL("useEntryShortLongRatio", misc.use_entry_ratio, 0),
    NUM("minEntrySlRatio", misc.min_entry_ratio, 0, 0, 1000),
    NUM("maxEntrySlRatio", misc.max_entry_ratio, 0, 0, 1000),
    BOOL("useMinMaxEntryPremium", misc.use_premium, 0),
    NUM("minEntryPremium", misc.min_premium, 0, 0, 100000),
    NUM("maxEntryPremium", misc.max_premium, 0, 0, 100000),
    BOOL("reEnterTrades", misc.reenter, 0),
    BOOL("closeOpenTradesOnCompletion", misc.close_on_completion, 1),
};
#define SECTION(name, f) {name, f, sizeof f / sizeof f[0]}
static const section funds_section = SECTION("funds", funds_fields), entry_section = SECTION("entry", entry_fields),
                     pl_section = SECTION("pl", pl_fields), exit_section = SECTION("exit", exit_fields),
                     misc_section = SECTION("misc", misc_fields);

/* entry.weekdays: a list of 1 (Monday) to 5, as bits; Monday to Friday when not given. */
static int weekdays(pctx *p, const cJSON *o, int def)
{
    const cJSON *wd = o ? cJSON_GetObjectItemCaseSensitive(o, "weekdays") : NULL;
    if (!wd) return def;
    int bits = 0;
    const cJSON *x;
    if (!cJSON_IsArray(wd)) fail(p, "entry.weekdays: expected a list of weekdays 1 (Monday) to 5");
    else cJSON_ArrayForEach(x, wd) {
        if (!cJSON_IsNumber(x) || x->valueint < 1 || x->valueint > 5) { fail(p, "entry.weekdays: expected weekdays 1 (Monday) to 5"); break; }
        bits |= 1 << x->valueint;
    }
    return bits;
}

static void parse_field(pctx *p, const cJSON *o, const char *path, const field *f, bt_config *c)
{
    void *at = (char *)c + f->off;
    switch (f->kind) {
    case F_NUM: *(double *)at = num(p, o, path, f->key, f->def, f->lo, f->hi); break;
    case F_INT: *(int *)at = integer(p, o, path, f->key, (int)f->def, (int)f->lo, (int)f->hi); break;
    case F_BOOL: *(int *)at = boolean(p, o, path, f->key, (int)f->def); break;
    case F_CHOICE: *(int *)at = choice(p, o, path, f->key, f->opts, (int)f->def); break;
    case F_WEEKDAYS: *(int *)at = weekdays(p, o, (int)f->def); break;
    case F_TIME: {
        int t = time_of_day(p, o, path, f->key, (int)f->def);
        if (f->range && (t < f->lo || t > f->hi)) fail(p, "%s.%s: %s", path, f->key, f->range);
        *(int *)at = t;
        break;
    }
    }
}

/* A section: an object (or absent: every default) with only its own fields. */
static void parse_section(pctx *p, const cJSON *root, const section *s, bt_config *c)
{
    const cJSON *o = object(p, root, s->name);
    const char *allowed[32];
    size_t n = 0;
    for (; n < s->n && n < 31; n++) allowed[n] = s->fields[n].key;
    allowed[n] = NULL;
    if (o) check_keys(p, o, s->name, allowed);
    for (size_t i = 0; i < s->n; i++) parse_field(p, o, s->name, &s->fields[i], c);
}

/* startDate and endDate: real dates inside the market's data, in order. */
static void parse_dates(pctx *p, const cJSON *root, bt_config *c)
{
    const char *dk[2] = {"startDate", "endDate"};
    const char *dd[2] = {"2022-01-03", "2023-12-29"};
    int *dv[2] = {&c->start_day, &c->end_day};
    for (int i = 0; i < 2; i++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, dk[i]);
        char buf[64];
        const char *s = v ? cJSON_GetStringValue(v) : dd[i];
        if (!s || bt_parse_date(s, dv[i]) != 0) fail(p, "%s: expected a date YYYY-MM-DD, found %s", dk[i], found(v, buf, sizeof buf));
    }
    int lo = bt_days_from_civil(2013, 1, 2), hi = bt_days_from_civil(2026, 11, 20);
    if (!p->failed && (c->start_day < lo || c->end_day > hi))
        fail(p, "startDate/endDate: data covers 2013-01-02 to 2026-11-20, found %s to %s",
             bt_date_str(c->start_day).s, bt_date_str(c->end_day).s);
    if (!p->failed && c->end_day < c->start_day) fail(p, "endDate: is before startDate");
    snprintf(c->start_date, sizeof c->start_date, "%s", bt_date_str(c->start_day).s);
    snprintf(c->end_date, sizeof c->end_date, "%s", bt_date_str(c->end_day).s);
}

/* One leg: its fields, and a strike value that makes sense for the strike mode. */
static void parse_leg(pctx *p, const cJSON *l, const char *path, bt_config *c)
{
    static const char *const lk[] = {"side", "type", "qty", "value", "dte", "linked", NULL};
    static const char *const sides[] = {"buy", "sell", NULL}, *const types[] = {"put", "call", NULL};
    check_keys(p, l, path, lk);
    bt_leg *g = &c->legs[c->nlegs];
    g->sell = choice(p, l, path, "side", sides, 1);
    g->call = choice(p, l, path, "type", types, 0);
    g->qty = integer(p, l, path, "qty", 1, 1, 1000);
    g->value = num(p, l, path, "value", 16, -10000, 10000);
    g->dte = integer(p, l, path, "dte", 0, 0, 365);
    g->linked = boolean(p, l, path, "linked", 0);
    if (g->linked && c->nlegs == 0) fail(p, "%s.linked: the first leg has no leg above to link to", path);
    if (!g->linked && c->strike_mode == BT_DELTA && (fabs(g->value) < 1 || fabs(g->value) > 99))
        fail(p, "%s.value: a delta must be from 1 to 99, found %g", path, g->value);
    if (!g->linked && c->strike_mode == BT_PREMIUM && g->value <= 0)
        fail(p, "%s.value: a premium must be above 0, found %g", path, g->value);
    if (!g->linked && c->strike_mode == BT_OTM && (g->value < -50 || g->value > 50))
        fail(p, "%s.value: %% out of the money must be from -50 to 50, found %g", path, g->value);
}

static void parse_legs(pctx *p, const cJSON *root, bt_config *c)
{
    const cJSON *legs = cJSON_GetObjectItemCaseSensitive(root, "legs");
    if (!cJSON_IsArray(legs) || cJSON_GetArraySize(legs) < 1 || cJSON_GetArraySize(legs) > BT_MAX_LEGS) {
        fail(p, "legs: expected a list of 1 to %d legs", BT_MAX_LEGS);
        return;
    }
    const cJSON *l;
    cJSON_ArrayForEach(l, legs) {
        char path[32];
        snprintf(path, sizeof path, "legs[%d]", c->nlegs);
        if (!cJSON_IsObject(l)) { fail(p, "%s: expected an object", path); break; }
        parse_leg(p, l, path, c);
        c->nlegs++;
    }
}

static const char *const tickers[] = {"SPX", "SPY", "QQQ", "IWM", NULL};
static const char *const strike_modes[] = {"delta", "premium", "otm", NULL};

/* The whole configuration, field by field in the dialog's order; the first error is kept. */
static void parse_config(pctx *p, const cJSON *root, bt_config *c)
{
    static const char *const top[] = {"ticker", "startDate", "endDate", "strikeMode", "useExactDte", "legs",
                                      "funds", "entry", "pl", "exit", "misc", NULL};
    check_keys(p, root, "", top);
    snprintf(c->ticker, sizeof c->ticker, "%s", tickers[choice(p, root, "", "ticker", tickers, 0)]);
    parse_dates(p, root, c);
    c->strike_mode = (bt_strike_mode)choice(p, root, "", "strikeMode", strike_modes, 0);
    c->use_exact_dte = boolean(p, root, "", "useExactDte", 0);
    parse_legs(p, root, c);
    parse_section(p, root, &funds_section, c);
    parse_section(p, root, &entry_section, c);
    if (c->entry.min_rsi > c->entry.max_rsi) fail(p, "entry.minRsi: %g is above maxRsi %g", c->entry.min_rsi, c->entry.max_rsi);
    parse_section(p, root, &pl_section, c);
    parse_section(p, root, &exit_section, c);
    parse_section(p, root, &misc_section, c);
}

bt_config *bt_config_parse(const char *json, char *err, size_t errlen)
{
    char dummy[8];
    pctx p = {err ? err : dummy, err ? errlen : sizeof dummy, 0};
    if (!json) { fail(&p, "no configuration"); return NULL; }
    cJSON *root = cJSON_Parse(json);
    if (!root) {
        const char *at = cJSON_GetErrorPtr();
        fail(&p, "the configuration is not valid JSON (near \"%.20s\")", at ? at : "");
        return NULL;
    }
    if (!cJSON_IsObject(root)) { fail(&p, "the configuration must be a JSON object"); cJSON_Delete(root); return NULL; }
    bt_config *c = calloc(1, sizeof *c);
    parse_config(&p, root, c);
    cJSON_Delete(root);
    if (p.failed) { free(c); return NULL; }
    return c;
}

void bt_config_free(bt_config *c) { free(c); }

static void add_time(cJSON *o, const char *k, int minutes)
{
    char buf[16];
    int t = minutes + 9 * 60 + 30;
    snprintf(buf, sizeof buf, "%02d:%02d", t / 60, t % 60);
    cJSON_AddStringToObject(o, k, buf);
}

static void add_field(cJSON *o, const field *f, const bt_config *c)
{
    const void *at = (const char *)c + f->off;
    switch (f->kind) {
    case F_NUM: cJSON_AddNumberToObject(o, f->key, *(const double *)at); break;
    case F_INT: cJSON_AddNumberToObject(o, f->key, *(const int *)at); break;
    case F_BOOL: cJSON_AddBoolToObject(o, f->key, *(const int *)at); break;
    case F_CHOICE: cJSON_AddStringToObject(o, f->key, f->opts[*(const int *)at]); break;
    case F_TIME: add_time(o, f->key, *(const int *)at); break;
    case F_WEEKDAYS: {
        cJSON *wd = cJSON_AddArrayToObject(o, f->key);
        for (int i = 1; i <= 5; i++)
            if (*(const int *)at & (1 << i)) cJSON_AddItemToArray(wd, cJSON_CreateNumber(i));
        break;
    }
    }
}

static void add_section(cJSON *r, const section *s, const bt_config *c)
{
    cJSON *o = cJSON_AddObjectToObject(r, s->name);
    for (size_t i = 0; i < s->n; i++) add_field(o, &s->fields[i], c);
}

static void add_legs(cJSON *r, const bt_config *c)
{
    cJSON *legs = cJSON_AddArrayToObject(r, "legs");
    for (int i = 0; i < c->nlegs; i++) {
        const bt_leg *g = &c->legs[i];
        cJSON *l = cJSON_CreateObject();
        cJSON_AddStringToObject(l, "side", g->sell ? "sell" : "buy");
        cJSON_AddStringToObject(l, "type", g->call ? "call" : "put");
        cJSON_AddNumberToObject(l, "qty", g->qty);
        cJSON_AddNumberToObject(l, "value", g->value);
        cJSON_AddNumberToObject(l, "dte", g->dte);
        cJSON_AddBoolToObject(l, "linked", g->linked);
        cJSON_AddItemToArray(legs, l);
    }
}

char *bt_config_json(const bt_config *c)
{
    cJSON *r = cJSON_CreateObject();
    cJSON_AddStringToObject(r, "ticker", c->ticker);
    cJSON_AddStringToObject(r, "startDate", c->start_date);
    cJSON_AddStringToObject(r, "endDate", c->end_date);
    cJSON_AddStringToObject(r, "strikeMode", strike_modes[c->strike_mode]);
    cJSON_AddBoolToObject(r, "useExactDte", c->use_exact_dte);
    add_legs(r, c);
    add_section(r, &funds_section, c);
    add_section(r, &entry_section, c);
    add_section(r, &pl_section, c);
    add_section(r, &exit_section, c);
    add_section(r, &misc_section, c);
    char *s = cJSON_PrintUnformatted(r);
    cJSON_Delete(r);
    return s;
}
