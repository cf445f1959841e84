/* config: the dialog's JSON (sim/CONFIG.md) parsed strictly into a bt_config, and back as
 * canonical JSON. Missing fields take the dialog's defaults; unknown fields, wrong types and
 * out-of-range values are errors naming the field path, what was expected and what was found. */
#include "bt/internal.h"
#include <cjson/cJSON.h>
#include <math.h>
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
    static const char *const top[] = {"ticker", "startDate", "endDate", "strikeMode", "useExactDte", "legs",
                                      "funds", "entry", "pl", "exit", "misc", NULL};
    check_keys(&p, root, "", top);
    static const char *const tickers[] = {"SPX", "SPY", "QQQ", "IWM", NULL};
    snprintf(c->ticker, sizeof c->ticker, "%s", tickers[choice(&p, root, "", "ticker", tickers, 0)]);
    const char *dk[2] = {"startDate", "endDate"};
    const char *dd[2] = {"2022-01-03", "2023-12-29"};
    int *dv[2] = {&c->start_day, &c->end_day};
    for (int i = 0; i < 2; i++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, dk[i]);
        char buf[64];
        const char *s = v ? cJSON_GetStringValue(v) : dd[i];
        if (!s || bt_parse_date(s, dv[i]) != 0) fail(&p, "%s: expected a date YYYY-MM-DD, found %s", dk[i], found(v, buf, sizeof buf));
    }
    int lo = bt_days_from_civil(2013, 1, 2), hi = bt_days_from_civil(2026, 11, 20);
    if (!p.failed && (c->start_day < lo || c->end_day > hi))
        fail(&p, "startDate/endDate: data covers 2013-01-02 to 2026-11-20, found %s to %s",
             bt_date_str(c->start_day).s, bt_date_str(c->end_day).s);
    if (!p.failed && c->end_day < c->start_day) fail(&p, "endDate: is before startDate");
    snprintf(c->start_date, sizeof c->start_date, "%s", bt_date_str(c->start_day).s);
    snprintf(c->end_date, sizeof c->end_date, "%s", bt_date_str(c->end_day).s);
    static const char *const modes[] = {"delta", "premium", "otm", NULL};
    c->strike_mode = (bt_strike_mode)choice(&p, root, "", "strikeMode", modes, 0);
    c->use_exact_dte = boolean(&p, root, "", "useExactDte", 0);

    const cJSON *legs = cJSON_GetObjectItemCaseSensitive(root, "legs");
    if (!cJSON_IsArray(legs) || cJSON_GetArraySize(legs) < 1 || cJSON_GetArraySize(legs) > BT_MAX_LEGS) {
        fail(&p, "legs: expected a list of 1 to %d legs", BT_MAX_LEGS);
    } else {
        const cJSON *l;
        cJSON_ArrayForEach(l, legs) {
            char path[32];
            snprintf(path, sizeof path, "legs[%d]", c->nlegs);
            if (!cJSON_IsObject(l)) { fail(&p, "%s: expected an object", path); break; }
            static const char *const lk[] = {"side", "type", "qty", "value", "dte", "linked", NULL};
            check_keys(&p, l, path, lk);
            static const char *const sides[] = {"buy", "sell", NULL}, *const types[] = {"put", "call", NULL};
            bt_leg *g = &c->legs[c->nlegs];
            g->sell = choice(&p, l, path, "side", sides, 1);
            g->call = choice(&p, l, path, "type", types, 0);
            g->qty = integer(&p, l, path, "qty", 1, 1, 1000);
            g->value = num(&p, l, path, "value", 16, -10000, 10000);
            g->dte = integer(&p, l, path, "dte", 0, 0, 365);
            g->linked = boolean(&p, l, path, "linked", 0);
            if (g->linked && c->nlegs == 0) fail(&p, "%s.linked: the first leg has no leg above to link to", path);
            if (!g->linked && c->strike_mode == BT_DELTA && (fabs(g->value) < 1 || fabs(g->value) > 99))
                fail(&p, "%s.value: a delta must be from 1 to 99, found %g", path, g->value);
            if (!g->linked && c->strike_mode == BT_PREMIUM && g->value <= 0)
                fail(&p, "%s.value: a premium must be above 0, found %g", path, g->value);
            if (!g->linked && c->strike_mode == BT_OTM && (g->value < -50 || g->value > 50))
                fail(&p, "%s.value: %% out of the money must be from -50 to 50, found %g", path, g->value);
            c->nlegs++;
        }
    }

    const cJSON *f = object(&p, root, "funds");
    static const char *const fk[] = {"startingFunds", "marginAllocationPct", "maxOpenPositions", "maxContractsPerTrade",
                                     "ignoreMargin", "pruneOldest", "maxAllocationAmount", NULL};
    if (f) check_keys(&p, f, "funds", fk);
    c->funds.starting_funds = num(&p, f, "funds", "startingFunds", 100000, 1000, 1e9);
    c->funds.margin_pct = num(&p, f, "funds", "marginAllocationPct", 10, 0.01, 100);
    c->funds.max_open = integer(&p, f, "funds", "maxOpenPositions", 0, 0, 1000);
    c->funds.max_contracts = integer(&p, f, "funds", "maxContractsPerTrade", 0, 0, 100000);
    c->funds.ignore_margin = boolean(&p, f, "funds", "ignoreMargin", 0);
    c->funds.prune_oldest = boolean(&p, f, "funds", "pruneOldest", 0);
    c->funds.max_allocation = num(&p, f, "funds", "maxAllocationAmount", 0, 0, 1e9);

    const cJSON *e = object(&p, root, "entry");
    static const char *const ek[] = {"time", "frequency", "weekdays", "floatingEntryTime", "useVix", "minVix", "maxVix",
        "useTechnicalIndicators", "minRsi", "maxRsi", "useGaps", "minGapUp", "maxGapUp", "minGapDown", "maxGapDown",
        "useIntradayMovement", "minMoveUp", "maxMoveUp", "minMoveDown", "maxMoveDown", NULL};
    if (e) check_keys(&p, e, "entry", ek);
    c->entry.time = time_of_day(&p, e, "entry", "time", 2);
    if (c->entry.time < 2 || c->entry.time > 389) fail(&p, "entry.time: entries are from 09:32 to 15:59");
    static const char *const freq[] = {"daily", "weekly", "monthly", NULL};
    c->entry.frequency = choice(&p, e, "entry", "frequency", freq, 0);
    c->entry.weekdays = 0x3e;
    const cJSON *wd = e ? cJSON_GetObjectItemCaseSensitive(e, "weekdays") : NULL;
    if (wd) {
        c->entry.weekdays = 0;
        const cJSON *x;
        if (!cJSON_IsArray(wd)) fail(&p, "entry.weekdays: expected a list of weekdays 1 (Monday) to 5");
        else cJSON_ArrayForEach(x, wd) {
            if (!cJSON_IsNumber(x) || x->valueint < 1 || x->valueint > 5) { fail(&p, "entry.weekdays: expected weekdays 1 (Monday) to 5"); break; }
            c->entry.weekdays |= 1 << x->valueint;
        }
    }
    c->entry.floating = boolean(&p, e, "entry", "floatingEntryTime", 0);
    c->entry.use_vix = boolean(&p, e, "entry", "useVix", 0);
    c->entry.min_vix = num(&p, e, "entry", "minVix", 0, 0, 200);
    c->entry.max_vix = num(&p, e, "entry", "maxVix", 100, 0, 200);
    c->entry.use_rsi = boolean(&p, e, "entry", "useTechnicalIndicators", 0);
    c->entry.min_rsi = num(&p, e, "entry", "minRsi", 0, 0, 100);
    c->entry.max_rsi = num(&p, e, "entry", "maxRsi", 100, 0, 100);
    c->entry.use_gaps = boolean(&p, e, "entry", "useGaps", 0);
    c->entry.min_gap_up = num(&p, e, "entry", "minGapUp", 0, 0, 100);
    c->entry.max_gap_up = num(&p, e, "entry", "maxGapUp", 0, 0, 100);
    c->entry.min_gap_down = num(&p, e, "entry", "minGapDown", 0, 0, 100);
    c->entry.max_gap_down = num(&p, e, "entry", "maxGapDown", 0, 0, 100);
    c->entry.use_move = boolean(&p, e, "entry", "useIntradayMovement", 0);
    c->entry.min_move_up = num(&p, e, "entry", "minMoveUp", 0, 0, 100);
    c->entry.max_move_up = num(&p, e, "entry", "maxMoveUp", 0, 0, 100);
    c->entry.min_move_down = num(&p, e, "entry", "minMoveDown", 0, 0, 100);
    c->entry.max_move_down = num(&p, e, "entry", "maxMoveDown", 0, 0, 100);
    if (c->entry.min_rsi > c->entry.max_rsi) fail(&p, "entry.minRsi: %g is above maxRsi %g", c->entry.min_rsi, c->entry.max_rsi);

    const cJSON *pl = object(&p, root, "pl");
    static const char *const pk[] = {"profitTarget", "profitTargetUnit", "stopLoss", "stopLossUnit", "perLegStopLoss", NULL};
    if (pl) check_keys(&p, pl, "pl", pk);
    static const char *const units[] = {"%", "$", NULL};
    c->pl.pt = num(&p, pl, "pl", "profitTarget", 50, 0, 100000);
    c->pl.pt_dollars = choice(&p, pl, "pl", "profitTargetUnit", units, 0);
    c->pl.sl = num(&p, pl, "pl", "stopLoss", 0, 0, 100000);
    c->pl.sl_dollars = choice(&p, pl, "pl", "stopLossUnit", units, 0);
    c->pl.per_leg_sl = boolean(&p, pl, "pl", "perLegStopLoss", 0);

    const cJSON *x = object(&p, root, "exit");
    static const char *const xk[] = {"useEarlyExit", "earlyExitTime", "useUnderlyingMovement", "exitMoveUp", "exitMoveDown",
        "useDelta", "exitBelowPositionDelta", "exitAbovePositionDelta", "useShortLongRatio", "exitSlRatioBelow",
        "exitSlRatioAbove", "useVix", "exitVixMovesUp", "exitVixMovesDown", NULL};
    if (x) check_keys(&p, x, "exit", xk);
    c->exit.use_early = boolean(&p, x, "exit", "useEarlyExit", 0);
    c->exit.early_time = time_of_day(&p, x, "exit", "earlyExitTime", 375);
    c->exit.use_move = boolean(&p, x, "exit", "useUnderlyingMovement", 0);
    c->exit.move_up = num(&p, x, "exit", "exitMoveUp", 0, 0, 100);
    c->exit.move_down = num(&p, x, "exit", "exitMoveDown", 0, 0, 100);
    c->exit.use_delta = boolean(&p, x, "exit", "useDelta", 0);
    c->exit.below_delta = num(&p, x, "exit", "exitBelowPositionDelta", 0, -1000, 1000);
    c->exit.above_delta = num(&p, x, "exit", "exitAbovePositionDelta", 0, -1000, 1000);
    c->exit.use_ratio = boolean(&p, x, "exit", "useShortLongRatio", 0);
    c->exit.ratio_below = num(&p, x, "exit", "exitSlRatioBelow", 0, 0, 1000);
    c->exit.ratio_above = num(&p, x, "exit", "exitSlRatioAbove", 0, 0, 1000);
    c->exit.use_vix = boolean(&p, x, "exit", "useVix", 0);
    c->exit.vix_up = num(&p, x, "exit", "exitVixMovesUp", 0, 0, 200);
    c->exit.vix_down = num(&p, x, "exit", "exitVixMovesDown", 0, 0, 200);

    const cJSON *m = object(&p, root, "misc");
    static const char *const mk[] = {"useCommissions", "openingCommission", "closingCommission", "useSlippage",
        "entrySlippage", "exitSlippage", "stopLossSlippage", "useEntryShortLongRatio", "minEntrySlRatio",
        "maxEntrySlRatio", "useMinMaxEntryPremium", "minEntryPremium", "maxEntryPremium", "reEnterTrades",
        "closeOpenTradesOnCompletion", NULL};
    if (m) check_keys(&p, m, "misc", mk);
    c->misc.use_comm = boolean(&p, m, "misc", "useCommissions", 0);
    c->misc.open_comm = num(&p, m, "misc", "openingCommission", 0, 0, 100);
    c->misc.close_comm = num(&p, m, "misc", "closingCommission", 0, 0, 100);
    c->misc.use_slip = boolean(&p, m, "misc", "useSlippage", 0);
    c->misc.entry_slip = num(&p, m, "misc", "entrySlippage", 0, 0, 100);
    c->misc.exit_slip = num(&p, m, "misc", "exitSlippage", 0, 0, 100);
    c->misc.sl_slip = num(&p, m, "misc", "stopLossSlippage", 0, 0, 100);
    c->misc.use_entry_ratio = boolean(&p, m, "misc", "useEntryShortLongRatio", 0);
    c->misc.min_entry_ratio = num(&p, m, "misc", "minEntrySlRatio", 0, 0, 1000);
    c->misc.max_entry_ratio = num(&p, m, "misc", "maxEntrySlRatio", 0, 0, 1000);
    c->misc.use_premium = boolean(&p, m, "misc", "useMinMaxEntryPremium", 0);
    c->misc.min_premium = num(&p, m, "misc", "minEntryPremium", 0, 0, 100000);
    c->misc.max_premium = num(&p, m, "misc", "maxEntryPremium", 0, 0, 100000);
    c->misc.reenter = boolean(&p, m, "misc", "reEnterTrades", 0);
    c->misc.close_on_completion = boolean(&p, m, "misc", "closeOpenTradesOnCompletion", 1);

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

char *bt_config_json(const bt_config *c)
{
    static const char *const modes[] = {"delta", "premium", "otm"}, *const freq[] = {"daily", "weekly", "monthly"};
    cJSON *r = cJSON_CreateObject();
    cJSON_AddStringToObject(r, "ticker", c->ticker);
    cJSON_AddStringToObject(r, "startDate", c->start_date);
    cJSON_AddStringToObject(r, "endDate", c->end_date);
    cJSON_AddStringToObject(r, "strikeMode", modes[c->strike_mode]);
    cJSON_AddBoolToObject(r, "useExactDte", c->use_exact_dte);
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
    cJSON *f = cJSON_AddObjectToObject(r, "funds");
    cJSON_AddNumberToObject(f, "startingFunds", c->funds.starting_funds);
    cJSON_AddNumberToObject(f, "marginAllocationPct", c->funds.margin_pct);
    cJSON_AddNumberToObject(f, "maxOpenPositions", c->funds.max_open);
    cJSON_AddNumberToObject(f, "maxContractsPerTrade", c->funds.max_contracts);
    cJSON_AddBoolToObject(f, "ignoreMargin", c->funds.ignore_margin);
    cJSON_AddBoolToObject(f, "pruneOldest", c->funds.prune_oldest);
    cJSON_AddNumberToObject(f, "maxAllocationAmount", c->funds.max_allocation);
    cJSON *e = cJSON_AddObjectToObject(r, "entry");
    add_time(e, "time", c->entry.time);
    cJSON_AddStringToObject(e, "frequency", freq[c->entry.frequency]);
    cJSON *wd = cJSON_AddArrayToObject(e, "weekdays");
    for (int i = 1; i <= 5; i++)
        if (c->entry.weekdays & (1 << i)) cJSON_AddItemToArray(wd, cJSON_CreateNumber(i));
    cJSON_AddBoolToObject(e, "floatingEntryTime", c->entry.floating);
    cJSON_AddBoolToObject(e, "useVix", c->entry.use_vix);
    cJSON_AddNumberToObject(e, "minVix", c->entry.min_vix);
    cJSON_AddNumberToObject(e, "maxVix", c->entry.max_vix);
    cJSON_AddBoolToObject(e, "useTechnicalIndicators", c->entry.use_rsi);
    cJSON_AddNumberToObject(e, "minRsi", c->entry.min_rsi);
    cJSON_AddNumberToObject(e, "maxRsi", c->entry.max_rsi);
    cJSON_AddBoolToObject(e, "useGaps", c->entry.use_gaps);
    cJSON_AddNumberToObject(e, "minGapUp", c->entry.min_gap_up);
    cJSON_AddNumberToObject(e, "maxGapUp", c->entry.max_gap_up);
    cJSON_AddNumberToObject(e, "minGapDown", c->entry.min_gap_down);
    cJSON_AddNumberToObject(e, "maxGapDown", c->entry.max_gap_down);
    cJSON_AddBoolToObject(e, "useIntradayMovement", c->entry.use_move);
    cJSON_AddNumberToObject(e, "minMoveUp", c->entry.min_move_up);
    cJSON_AddNumberToObject(e, "maxMoveUp", c->entry.max_move_up);
    cJSON_AddNumberToObject(e, "minMoveDown", c->entry.min_move_down);
    cJSON_AddNumberToObject(e, "maxMoveDown", c->entry.max_move_down);
    cJSON *pl = cJSON_AddObjectToObject(r, "pl");
    cJSON_AddNumberToObject(pl, "profitTarget", c->pl.pt);
    cJSON_AddStringToObject(pl, "profitTargetUnit", c->pl.pt_dollars ? "$" : "%");
    cJSON_AddNumberToObject(pl, "stopLoss", c->pl.sl);
    cJSON_AddStringToObject(pl, "stopLossUnit", c->pl.sl_dollars ? "$" : "%");
    cJSON_AddBoolToObject(pl, "perLegStopLoss", c->pl.per_leg_sl);
    cJSON *x = cJSON_AddObjectToObject(r, "exit");
    cJSON_AddBoolToObject(x, "useEarlyExit", c->exit.use_early);
    add_time(x, "earlyExitTime", c->exit.early_time);
    cJSON_AddBoolToObject(x, "useUnderlyingMovement", c->exit.use_move);
    cJSON_AddNumberToObject(x, "exitMoveUp", c->exit.move_up);
    cJSON_AddNumberToObject(x, "exitMoveDown", c->exit.move_down);
    cJSON_AddBoolToObject(x, "useDelta", c->exit.use_delta);
    cJSON_AddNumberToObject(x, "exitBelowPositionDelta", c->exit.below_delta);
    cJSON_AddNumberToObject(x, "exitAbovePositionDelta", c->exit.above_delta);
    cJSON_AddBoolToObject(x, "useShortLongRatio", c->exit.use_ratio);
    cJSON_AddNumberToObject(x, "exitSlRatioBelow", c->exit.ratio_below);
    cJSON_AddNumberToObject(x, "exitSlRatioAbove", c->exit.ratio_above);
    cJSON_AddBoolToObject(x, "useVix", c->exit.use_vix);
    cJSON_AddNumberToObject(x, "exitVixMovesUp", c->exit.vix_up);
    cJSON_AddNumberToObject(x, "exitVixMovesDown", c->exit.vix_down);
    cJSON *m = cJSON_AddObjectToObject(r, "misc");
    cJSON_AddBoolToObject(m, "useCommissions", c->misc.use_comm);
    cJSON_AddNumberToObject(m, "openingCommission", c->misc.open_comm);
    cJSON_AddNumberToObject(m, "closingCommission", c->misc.close_comm);
    cJSON_AddBoolToObject(m, "useSlippage", c->misc.use_slip);
    cJSON_AddNumberToObject(m, "entrySlippage", c->misc.entry_slip);
    cJSON_AddNumberToObject(m, "exitSlippage", c->misc.exit_slip);
    cJSON_AddNumberToObject(m, "stopLossSlippage", c->misc.sl_slip);
    cJSON_AddBoolToObject(m, "useEntryShortLongRatio", c->misc.use_entry_ratio);
    cJSON_AddNumberToObject(m, "minEntrySlRatio", c->misc.min_entry_ratio);
    cJSON_AddNumberToObject(m, "maxEntrySlRatio", c->misc.max_entry_ratio);
    cJSON_AddBoolToObject(m, "useMinMaxEntryPremium", c->misc.use_premium);
    cJSON_AddNumberToObject(m, "minEntryPremium", c->misc.min_premium);
    cJSON_AddNumberToObject(m, "maxEntryPremium", c->misc.max_premium);
    cJSON_AddBoolToObject(m, "reEnterTrades", c->misc.reenter);
    cJSON_AddBoolToObject(m, "closeOpenTradesOnCompletion", c->misc.close_on_completion);
    char *s = cJSON_PrintUnformatted(r);
    cJSON_Delete(r);
    return s;
}
