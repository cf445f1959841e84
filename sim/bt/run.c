/* run: the strategy simulator. Day by day and minute by minute over the market: entries at
 * the entry time when the filters pass, strikes by delta / premium / % OTM, sizing from funds
 * and margin, exits on the configured conditions or at expiry, commissions and slippage.
 * Open positions are checked every minute on their expiry day and every 5 minutes before it
 * (multi-day positions move slowly; this keeps a 45-DTE backtest fast). */
#include "bt/internal.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHECK_EVERY 5

typedef struct {
    int sell, call, qty, expiry;     /* expiry: market day index */
    double strike, entry_px;
} pleg;

typedef struct {
    int entry_day, entry_bar, nlegs, contracts;
    pleg legs[BT_MAX_LEGS];
    double S0, vix0, premium;        /* premium: net credit per share (debit < 0) */
    double margin, open_comm, max_profit, max_loss, ratio0, gap, move;
    int first_expiry;             /* the position closes when its first leg expires */
} position;

typedef struct {
    int open_day, open_bar, close_day, close_bar, open_epoch, close_epoch;
    double S_open, S_close, premium, close_cost, pnl, pnl_pct, funds_at_close, margin;
    double open_comm, close_comm, ratio_open, ratio_close, vix_open, vix_close, gap, move;
    double max_profit, max_loss, minutes;
    int contracts;
    const char *reason;
    char legs[512];
} trade;

struct bt_result {
    bt_metrics m;
    int ntrades, cap;
    trade *trades;
    int ndays;
    int *eq_day;
    double *equity;
};

static double scale_of(const char *ticker)
{
    if (!strcmp(ticker, "SPY")) return 0.1;
    if (!strcmp(ticker, "QQQ")) return 0.086;
    if (!strcmp(ticker, "IWM")) return 0.038;
    return 1.0;
}

typedef struct {
    const bt_market *m;
    const bt_config *c;
    double scale, grid;
} sim;

static double price_at(const sim *s, int day, int bar) { return s->m->close[(size_t)day * BT_BARS + bar] * s->scale; }

static double vix_at(const sim *s, int day, int bar)
{
    double open = s->m->open[day], now = s->m->close[(size_t)day * BT_BARS + bar];
    return s->m->vix[day] * exp(-4.0 * log(now / open));
}

static double years_to(int day, int bar, int expiry)
{
    double minutes = (BT_BARS - (bar + 1)) + (double)BT_BARS * (expiry - day);
    return fmax(minutes, 0.5) / (BT_BARS * 252.0);
}

static double leg_price(const sim *s, const pleg *l, int day, int bar)
{
    double S = price_at(s, day, bar), T = years_to(day, bar, l->expiry);
    if (day == l->expiry && bar == BT_BARS - 1) return l->call ? fmax(S - l->strike, 0) : fmax(l->strike - S, 0);
    return bt_option_price(l->call, S, l->strike, T, bt_implied_vol(vix_at(s, day, bar), S, l->strike, T));
}

static double round_strike(const sim *s, double K) { return fmax(s->grid, round(K / s->grid) * s->grid); }

/* The strike of a leg whose |delta| (or price) is closest to the target. */
static double pick_strike(const sim *s, const bt_leg *g, double S, double T, double vix)
{
    if (s->c->strike_mode == BT_OTM) {
        double pct = g->value / 100.0;
        return round_strike(s, g->call ? S * (1 + pct) : S * (1 - pct));
    }
    double target = s->c->strike_mode == BT_DELTA ? fabs(g->value) / 100.0 : g->value;
    double lo = S * 0.4, hi = S * 1.6;
    for (int it = 0; it < 60; it++) {
        double K = 0.5 * (lo + hi), vol = bt_implied_vol(vix, S, K, T);
        double v = s->c->strike_mode == BT_DELTA ? fabs(bt_option_delta(g->call, S, K, T, vol)) : bt_option_price(g->call, S, K, T, vol);
        /* call: value falls as K rises; put: value rises with K */
        if ((g->call && v > target) || (!g->call && v < target)) lo = K; else hi = K;
    }
    double K = round_strike(s, 0.5 * (lo + hi)), best = K, bestd = 1e18;
    for (int k = -1; k <= 1; k++) {
        double Kk = K + k * s->grid, vol = bt_implied_vol(vix, S, Kk, T);
        double v = s->c->strike_mode == BT_DELTA ? fabs(bt_option_delta(g->call, S, Kk, T, vol)) : bt_option_price(g->call, S, Kk, T, vol);
        if (fabs(v - target) < bestd) { bestd = fabs(v - target); best = Kk; }
    }
    return best;
}

static double rsi14(const sim *s, int day, int bar)
{
    double gain = 0, loss = 0;
    size_t at = (size_t)day * BT_BARS + bar;
    if (at < 14) return 50;
    for (int k = 0; k < 14; k++) {
        double d = s->m->close[at - k] - s->m->close[at - k - 1];
        if (d > 0) gain += d; else loss -= d;
    }
    if (loss == 0) return 100;
    return 100.0 - 100.0 / (1.0 + gain / loss);
}

/* Value of the position per share: cost to close (short legs bought back, long legs sold),
 * short/long value ratio, and position delta (in delta points per set). */
static void value(const sim *s, const position *p, int day, int bar, double *cost, double *ratio, double *pdelta)
{
    double c = 0, sv = 0, lv = 0, d = 0;
    double S = price_at(s, day, bar), vix = vix_at(s, day, bar);
    for (int i = 0; i < p->nlegs; i++) {
        const pleg *l = &p->legs[i];
        double px = leg_price(s, l, day, bar);
        c += (l->sell ? px : -px) * l->qty;
        if (l->sell) sv += px * l->qty; else lv += px * l->qty;
        if (pdelta && l->expiry >= day) {
            double T = years_to(day, bar, l->expiry);
            double dl = bt_option_delta(l->call, S, l->strike, T, bt_implied_vol(vix, S, l->strike, T));
            d += (l->sell ? -dl : dl) * l->qty * 100;
        }
    }
    *cost = c;
    if (ratio) *ratio = lv > 1e-9 ? sv / lv : 0;
    if (pdelta) *pdelta = d;
}

static void format_legs(const sim *s, const position *p, char *out, size_t n)
{
    static const char *mon[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    size_t used = 0;
    out[0] = '\0';
    for (int i = 0; i < p->nlegs && used < n; i++) {
        const pleg *l = &p->legs[i];
        int y, m, d;
        bt_civil_from_days(s->m->day[l->expiry], &y, &m, &d);
        used += (size_t)snprintf(out + used, n - used, "%s%d %s %d %g %c %s %.2f", i ? " | " : "", l->qty * p->contracts,
                                 mon[m - 1], d, l->strike, l->call ? 'C' : 'P', l->sell ? "STO" : "BTO", l->entry_px);
    }
}

static trade *new_trade(bt_result *r)
{
    if (r->ntrades == r->cap) {
        r->cap = r->cap ? r->cap * 2 : 256;
        trade *t = realloc(r->trades, sizeof *t * (size_t)r->cap);
        if (!t) abort();
        r->trades = t;
    }
    trade *t = &r->trades[r->ntrades++];
    memset(t, 0, sizeof *t);
    return t;
}

static double cents(double x) { return round(x * 100.0) / 100.0; }

/* Closes a position at (day, bar) with its reason; returns the trade's P/L. */
static double close_position(const sim *s, bt_result *r, position *p, int day, int bar, const char *reason, double funds)
{
    const bt_config *c = s->c;
    double cost, ratio;
    value(s, p, day, bar, &cost, &ratio, NULL);
    int expired = !strcmp(reason, "Expired");
    double slip = 0;
    if (c->misc.use_slip && !expired) slip = !strcmp(reason, "Stop Loss") ? c->misc.sl_slip : c->misc.exit_slip;
    int legs_qty = 0;
    for (int i = 0; i < p->nlegs; i++) legs_qty += p->legs[i].qty;
    cost += slip * legs_qty;
    double close_comm = (c->misc.use_comm && !expired) ? c->misc.close_comm * p->contracts * legs_qty : 0;
    trade *t = new_trade(r);
    t->open_day = p->entry_day;
    t->open_bar = p->entry_bar;
    t->close_day = day;
    t->close_bar = bar;
    t->open_epoch = s->m->day[p->entry_day];
    t->close_epoch = s->m->day[day];
    t->S_open = p->S0;
    t->S_close = price_at(s, day, bar);
    t->premium = cents(p->premium * 100);
    t->close_cost = cents(cost * 100);
    t->contracts = p->contracts;
    t->pnl = cents((p->premium - cost) * 100 * p->contracts - p->open_comm - close_comm);
    t->pnl_pct = fabs(p->premium) > 1e-9 ? t->pnl / (fabs(p->premium) * 100 * p->contracts) * 100 : 0;
    t->funds_at_close = cents(funds + t->pnl);
    t->margin = cents(p->margin * p->contracts);
    t->open_comm = cents(p->open_comm);
    t->close_comm = cents(close_comm);
    t->ratio_open = p->ratio0;
    t->ratio_close = ratio;
    t->vix_open = p->vix0;
    t->vix_close = vix_at(s, day, bar);
    t->gap = p->gap;
    t->move = p->move;
    t->max_profit = cents(fmax(p->max_profit, t->pnl));
    t->max_loss = cents(fmin(p->max_loss, t->pnl));
    t->minutes = (double)(day - p->entry_day) * BT_BARS + (bar - p->entry_bar);
    t->reason = reason;
    format_legs(s, p, t->legs, sizeof t->legs);
    return t->pnl;
}

/* Margin per set: for defined risk, the worst loss at expiry; with naked short legs, a
 * Reg-T-like 20% rule on the riskier side (max(20% of S - OTM amount, 10% of S) per short);
 * for debits across expiries (calendars), the debit. */
static double margin_per_set(const position *p, double S)
{
    int same_expiry = 1, net[2] = {0, 0};
    double nearest[2] = {1e18, 1e18};
    for (int i = 0; i < p->nlegs; i++) {
        const pleg *l = &p->legs[i];
        same_expiry &= l->expiry == p->legs[0].expiry;
        net[l->call] += l->sell ? l->qty : -l->qty;
        if (l->sell) {
            double otm = l->call ? l->strike - S : S - l->strike;
            if (otm < nearest[l->call]) nearest[l->call] = otm;
        }
    }
    if (p->premium < 0 && !same_expiry) return -p->premium * 100;
    if (net[0] > 0 || net[1] > 0) {
        double req = 0;
        for (int t = 0; t < 2; t++)
            if (net[t] > 0) req = fmax(req, net[t] * fmax(0.2 * S - fmax(nearest[t], 0), 0.1 * S) * 100);
        return req;
    }
    double worst = 0;
    for (int k = 0; k <= 200; k++) {
        double X = S * (0.5 + 1.0 * k / 200.0), pay = p->premium;
        for (int i = 0; i < p->nlegs; i++) {
            const pleg *l = &p->legs[i];
            double intr = l->call ? fmax(X - l->strike, 0) : fmax(l->strike - X, 0);
            pay -= (l->sell ? intr : -intr) * l->qty;
        }
        worst = fmin(worst, pay);
    }
    return fmax(-worst * 100, p->premium < 0 ? -p->premium * 100 : 50.0);
}

/* The position's legs at (day, bar): strikes, expiries and entry prices. 0 when a leg's expiry
 * is not in the data (or not exactly its DTE with useExactDte). */
static int open_legs(const sim *s, position *p, int day, int bar, double S, double vix)
{
    const bt_config *c = s->c;
    p->nlegs = c->nlegs;
    for (int i = 0; i < c->nlegs; i++) {
        const bt_leg *g = &c->legs[i];
        pleg *l = &p->legs[i];
        int target = s->m->day[day] + g->dte;
        int e = bt_market_index(s->m, target);
        if (e >= s->m->ndays) return 0;                         /* no such expiry in the data */
        if (c->use_exact_dte && s->m->day[e] != target) return 0;
        l->sell = g->sell;
        l->call = g->call;
        l->qty = g->qty;
        l->expiry = e;
        double T = years_to(day, bar, e);
        l->strike = g->linked ? round_strike(s, p->legs[i - 1].strike + g->value) : pick_strike(s, g, S, T, vix);
        double px = bt_option_price(l->call, S, l->strike, T, bt_implied_vol(vix, S, l->strike, T));
        if (c->misc.use_slip) px = l->sell ? fmax(px - c->misc.entry_slip, 0) : px + c->misc.entry_slip;
        l->entry_px = round(px * 100) / 100;
        p->premium += (l->sell ? l->entry_px : -l->entry_px) * l->qty;
        if (i == 0 || e < p->first_expiry) p->first_expiry = e;
    }
    return 1;
}

/* The entry filters on the opened legs: the short/long ratio and the premium bands. */
static int entry_allowed(const sim *s, position *p, int day, int bar)
{
    const bt_config *c = s->c;
    double ratio;
    double cost;
    value(s, p, day, bar, &cost, &ratio, NULL);
    p->ratio0 = ratio;
    if (c->misc.use_entry_ratio) {
        if (ratio < c->misc.min_entry_ratio) return 0;
        if (c->misc.max_entry_ratio > 0 && ratio > c->misc.max_entry_ratio) return 0;
    }
    if (c->misc.use_premium) {
        double prem = fabs(p->premium);
        if (prem < c->misc.min_premium) return 0;
        if (c->misc.max_premium > 0 && prem > c->misc.max_premium) return 0;
    }
    return 1;
}

/* How many sets the funds allow (margin allocation, buying power left, the caps); 0 = none. */
static int contracts_for(const bt_config *c, const position *p, double funds, double used)
{
    if (funds <= 0) return 0;
    double alloc = funds * c->funds.margin_pct / 100.0;
    if (c->funds.max_allocation > 0) alloc = fmin(alloc, c->funds.max_allocation);
    if (!c->funds.ignore_margin) alloc = fmin(alloc, funds - used);  /* buying power left */
    int n = (int)floor(alloc / p->margin);
    if (n < 1) {
        if (!c->funds.ignore_margin) return 0;
        n = 1;
    }
    if (c->funds.max_contracts > 0 && n > c->funds.max_contracts) n = c->funds.max_contracts;
    return n;
}

static int try_open(const sim *s, position *p, int day, int bar, double funds, double used, double gap, double move)
{
    const bt_config *c = s->c;
    double S = price_at(s, day, bar), vix = vix_at(s, day, bar);
    memset(p, 0, sizeof *p);
    p->entry_day = day;
    p->entry_bar = bar;
    p->S0 = S;
    p->vix0 = vix;
    p->gap = gap;
    p->move = move;
    if (!open_legs(s, p, day, bar, S, vix)) return 0;
    if (fabs(p->premium) < 0.01) return 0;
    if (!entry_allowed(s, p, day, bar)) return 0;
    p->margin = margin_per_set(p, S);
    int n = contracts_for(c, p, funds, used);
    if (n < 1) return 0;
    p->contracts = n;
    int legs_qty = 0;
    for (int i = 0; i < p->nlegs; i++) legs_qty += p->legs[i].qty;
    p->open_comm = c->misc.use_comm ? c->misc.open_comm * n * legs_qty : 0;
    return 1;
}

static int entry_day_allowed(const sim *s, int day)
{
    const bt_config *c = s->c;
    int y, m, d;
    bt_civil_from_days(s->m->day[day], &y, &m, &d);
    if (c->entry.frequency == 1) {
        int wd = (int)(((s->m->day[day] % 7) + 11) % 7);
        return (c->entry.weekdays >> wd) & 1;
    }
    if (c->entry.frequency == 2) {
        if (day == 0) return 1;
        int y2, m2, d2;
        bt_civil_from_days(s->m->day[day - 1], &y2, &m2, &d2);
        return m2 != m;
    }
    return 1;
}

static int filters_pass(const sim *s, int day, int bar, double gap, double move)
{
    const bt_config *c = s->c;
    if (c->entry.use_vix) {
        double v = vix_at(s, day, bar);
        if (v < c->entry.min_vix || v > c->entry.max_vix) return 0;
    }
    if (c->entry.use_rsi) {
        double r = rsi14(s, day, bar);
        if (r < c->entry.min_rsi || r > c->entry.max_rsi) return 0;
    }
    if (c->entry.use_gaps) {
        if (gap >= 0) {
            if (gap < c->entry.min_gap_up) return 0;
            if (c->entry.max_gap_up > 0 && gap > c->entry.max_gap_up) return 0;
        } else {
            if (-gap < c->entry.min_gap_down) return 0;
            if (c->entry.max_gap_down > 0 && -gap > c->entry.max_gap_down) return 0;
        }
    }
    if (c->entry.use_move) {
        if (move >= 0) {
            if (move < c->entry.min_move_up) return 0;
            if (c->entry.max_move_up > 0 && move > c->entry.max_move_up) return 0;
        } else {
            if (-move < c->entry.min_move_down) return 0;
            if (c->entry.max_move_down > 0 && -move > c->entry.max_move_down) return 0;
        }
    }
    return 1;
}

/* The exit reason at (day, bar), or NULL. Updates the position's max profit / loss. */
static const char *exit_reason(const sim *s, position *p, int day, int bar)
{
    const bt_config *c = s->c;
    double cost, ratio, pd;
    value(s, p, day, bar, &cost, &ratio, c->exit.use_delta ? &pd : NULL);
    double pnl_set = (p->premium - cost) * 100, base = fabs(p->premium) * 100;
    double pnl = pnl_set * p->contracts;
    if (pnl > p->max_profit) p->max_profit = pnl;
    if (pnl < p->max_loss) p->max_loss = pnl;
    if (c->pl.pt > 0 && pnl_set >= (c->pl.pt_dollars ? c->pl.pt : base * c->pl.pt / 100)) return "Profit Target";
    if (c->pl.sl > 0 && -pnl_set >= (c->pl.sl_dollars ? c->pl.sl : base * c->pl.sl / 100)) return "Stop Loss";
    double S = price_at(s, day, bar), mv = (S / p->S0 - 1) * 100;
    if (c->exit.use_move) {
        if (c->exit.move_up > 0 && mv >= c->exit.move_up) return "Underlying Movement";
        if (c->exit.move_down > 0 && -mv >= c->exit.move_down) return "Underlying Movement";
    }
    if (c->exit.use_delta) {
        if (c->exit.below_delta != 0 && pd < c->exit.below_delta) return "Delta";
        if (c->exit.above_delta != 0 && pd > c->exit.above_delta) return "Delta";
    }
    if (c->exit.use_ratio && ratio > 0) {
        if (c->exit.ratio_below > 0 && ratio < c->exit.ratio_below) return "Short/Long Ratio";
        if (c->exit.ratio_above > 0 && ratio > c->exit.ratio_above) return "Short/Long Ratio";
    }
    if (c->exit.use_vix) {
        double dv = vix_at(s, day, bar) - p->vix0;
        if (c->exit.vix_up > 0 && dv >= c->exit.vix_up) return "VIX";
        if (c->exit.vix_down > 0 && -dv >= c->exit.vix_down) return "VIX";
    }
    if (c->exit.use_early && day == p->first_expiry && bar >= c->exit.early_time - 1) return "Early Exit";
    return NULL;
}

/* The open positions and the money realized so far. */
typedef struct { position *open; int nopen; double realized, funds0; } book;
#define BT_MAX_OPEN 512

/* Closes the positions whose exit condition holds at (day, bar). Returns 1 when one opened
 * today closed early and misc.reEnterTrades asks for a new entry. */
static int run_exits(const sim *s, bt_result *r, book *b, int day, int bar)
{
    int reentry = 0;
    for (int i = 0; i < b->nopen; i++) {
        position *p = &b->open[i];
        int on_expiry = day >= p->first_expiry;
        if (!(on_expiry || bar % CHECK_EVERY == 0 || bar == BT_BARS - 1)) continue;
        const char *why = exit_reason(s, p, day, bar);
        if (!why && bar == BT_BARS - 1 && day >= p->first_expiry) why = "Expired";
        if (!why) continue;
        b->realized += close_position(s, r, p, day, bar, why, b->funds0 + b->realized);
        if (s->c->misc.reenter && strcmp(why, "Expired") && p->entry_day == day) reentry = 1;
        b->open[i--] = b->open[--b->nopen];
    }
    return reentry;
}

/* An entry at (day, bar) when the filters pass and there is room (pruning the oldest
 * position when maxOpenPositions is reached and pruneOldest is on). */
static void run_entry(const sim *s, bt_result *r, book *b, int day, int bar, double gap, double move)
{
    const bt_config *c = s->c;
    if (!filters_pass(s, day, bar, gap, move)) return;
    if (c->funds.max_open > 0 && b->nopen >= c->funds.max_open) {
        if (!c->funds.prune_oldest) return;
        int oldest = 0;
        for (int i = 1; i < b->nopen; i++)
            if (b->open[i].entry_day < b->open[oldest].entry_day) oldest = i;
        b->realized += close_position(s, r, &b->open[oldest], day, bar, "Pruned", b->funds0 + b->realized);
        b->open[oldest] = b->open[--b->nopen];
    }
    if (b->nopen >= BT_MAX_OPEN) return;
    double used = 0;
    for (int i = 0; i < b->nopen; i++) used += b->open[i].margin * b->open[i].contracts;
    if (try_open(s, &b->open[b->nopen], day, bar, b->funds0 + b->realized, used, gap, move)) b->nopen++;
}

/* One trading day, bar by bar: exits first, then the entry (and re-entries); the day's equity. */
static void run_day(const sim *s, bt_result *r, book *b, int day)
{
    const bt_config *c = s->c;
    int entry_bar = c->entry.time - 1;
    /* the market's first day has no day before it: no gap (RSI starts neutral, see rsi14) */
    double open_px = s->m->open[day] * s->scale;
    double prev_close = day > 0 ? price_at(s, day - 1, BT_BARS - 1) : open_px;
    double gap = (open_px / prev_close - 1) * 100;
    int want_entry = entry_day_allowed(s, day), reentry = 0;
    for (int bar = 0; bar < BT_BARS; bar++) {
        if (run_exits(s, r, b, day, bar)) reentry = 1;
        if ((want_entry && bar == entry_bar) || (reentry && bar > entry_bar && bar < BT_BARS - 1)) {
            double move = (price_at(s, day, bar) / open_px - 1) * 100;
            if (bar == entry_bar) want_entry = 0;
            reentry = 0;
            run_entry(s, r, b, day, bar, gap, move);
        }
    }
    r->eq_day[r->ndays] = s->m->day[day];
    r->equity[r->ndays++] = b->funds0 + b->realized;
}

/* The result's metrics, from its trades and its daily equity. */
static void compute_metrics(bt_result *r, const bt_config *c, double funds0)
{
    bt_metrics *mt = &r->m;
    mt->starting_capital = funds0;
    double win_sum = 0, loss_sum = 0, minutes = 0, pl = 0;
    mt->max_winner = 0;
    mt->max_loser = 0;
    for (int i = 0; i < r->ntrades; i++) {
        const trade *t = &r->trades[i];
        pl += t->pnl;
        minutes += t->minutes;
        if (t->premium > 0) mt->total_premium += t->premium * t->contracts;
        if (t->pnl > 0) { mt->winners++; win_sum += t->pnl; if (t->pnl > mt->max_winner) mt->max_winner = t->pnl; }
        else { loss_sum += t->pnl; if (t->pnl < mt->max_loser) mt->max_loser = t->pnl; }
    }
    mt->trades = r->ntrades;
    mt->pl = cents(pl);
    mt->ending_capital = cents(funds0 + pl);
    mt->win_percentage = r->ntrades ? (double)mt->winners / r->ntrades : 0;
    mt->avg_per_trade = r->ntrades ? pl / r->ntrades : 0;
    mt->avg_winner = mt->winners ? win_sum / mt->winners : 0;
    mt->avg_loser = r->ntrades - mt->winners ? loss_sum / (r->ntrades - mt->winners) : 0;
    mt->avg_minutes_in_trade = r->ntrades ? minutes / r->ntrades : 0;
    mt->capture_rate = mt->total_premium > 0 ? pl / mt->total_premium : 0;
    double peak = funds0, dd = 0;
    for (int i = 0; i < r->ndays; i++) {
        if (r->equity[i] > peak) peak = r->equity[i];
        double d = r->equity[i] / peak - 1;
        if (d < dd) dd = d;
    }
    mt->max_drawdown = dd;
    double years = (c->end_day - c->start_day + 1) / 365.25;
    mt->cagr = (mt->ending_capital > 0 && years > 0) ? pow(mt->ending_capital / funds0, 1.0 / years) - 1 : -1;
    mt->mar = dd < 0 ? mt->cagr / -dd : 0;
}

bt_result *bt_run(const bt_market *m, const bt_config *c)
{
    sim s = {m, c, scale_of(c->ticker), strcmp(c->ticker, "SPX") ? 1.0 : 5.0};
    bt_result *r = calloc(1, sizeof *r);
    int first = bt_market_index(m, c->start_day), last = bt_market_index(m, c->end_day + 1) - 1;
    int ndays = last >= first ? last - first + 1 : 0;
    r->eq_day = calloc((size_t)ndays + 1, sizeof *r->eq_day);
    r->equity = calloc((size_t)ndays + 1, sizeof *r->equity);
    book b = {calloc(BT_MAX_OPEN, sizeof *b.open), 0, 0, c->funds.starting_funds};
    for (int day = first; day <= last; day++) run_day(&s, r, &b, day);
    for (int i = 0; i < b.nopen && c->misc.close_on_completion; i++)
        b.realized += close_position(&s, r, &b.open[i], last, BT_BARS - 1, "Backtest Completed", b.funds0 + b.realized);
    if (r->ndays) r->equity[r->ndays - 1] = b.funds0 + b.realized;
    free(b.open);
    compute_metrics(r, c, b.funds0);
    return r;
}

void bt_result_free(bt_result *r)
{
    if (!r) return;
    free(r->trades);
    free(r->eq_day);
    free(r->equity);
    free(r);
}

const bt_metrics *bt_result_metrics(const bt_result *r) { return &r->m; }

int bt_result_trade_count(const bt_result *r) { return r->ntrades; }

/* ---- output ------------------------------------------------------------------------------ */
#include <cjson/cJSON.h>

static const char *const header[] = {"Date Opened", "Time Opened", "Opening Price", "Legs", "Premium", "Closing Price",
    "Date Closed", "Time Closed", "Avg. Closing Cost", "Reason For Close", "P/L", "P/L %", "No. of Contracts",
    "Funds at Close", "Margin Req.", "Strategy", "Opening Commissions + Fees", "Closing Commissions + Fees",
    "Opening Short/Long Ratio", "Closing Short/Long Ratio", "Opening VIX", "Closing VIX", "Gap", "Movement",
    "Max Profit", "Max Loss", NULL};

static void bar_time(int bar, char *out, size_t n)
{
    int t = 9 * 60 + 30 + bar + 1;
    snprintf(out, n, "%02d:%02d:00", t / 60, t % 60);
}

/* The 26 fields of a trade as strings (numbers rounded as OptionOmega prints them). */
static void trade_fields(const trade *t, char f[26][512])
{
    snprintf(f[0], 512, "%s", bt_date_str(t->open_epoch).s);
    bar_time(t->open_bar, f[1], 512);
    snprintf(f[2], 512, "%.2f", t->S_open);
    snprintf(f[3], 512, "%s", t->legs);
    snprintf(f[4], 512, "%.2f", t->premium);
    snprintf(f[5], 512, "%.2f", t->S_close);
    snprintf(f[6], 512, "%s", bt_date_str(t->close_epoch).s);
    bar_time(t->close_bar, f[7], 512);
    snprintf(f[8], 512, "%.2f", t->close_cost);
    snprintf(f[9], 512, "%s", t->reason);
    snprintf(f[10], 512, "%.2f", t->pnl);
    snprintf(f[11], 512, "%.2f", t->pnl_pct);
    snprintf(f[12], 512, "%d", t->contracts);
    snprintf(f[13], 512, "%.2f", t->funds_at_close);
    snprintf(f[14], 512, "%.2f", t->margin);
    f[15][0] = '\0';
    snprintf(f[16], 512, "%.2f", t->open_comm);
    snprintf(f[17], 512, "%.2f", t->close_comm);
    snprintf(f[18], 512, "%.3f", t->ratio_open);
    snprintf(f[19], 512, "%.3f", t->ratio_close);
    snprintf(f[20], 512, "%.2f", t->vix_open);
    snprintf(f[21], 512, "%.2f", t->vix_close);
    snprintf(f[22], 512, "%.2f", t->gap);
    snprintf(f[23], 512, "%.2f", t->move);
    snprintf(f[24], 512, "%.2f", t->max_profit);
    snprintf(f[25], 512, "%.2f", t->max_loss);
}

/* numeric columns go into JSON as numbers */
static int numeric_col(int i) { return !(i == 0 || i == 1 || i == 3 || i == 6 || i == 7 || i == 9 || i == 15); }

char *bt_result_trades_json(const bt_result *r)
{
    cJSON *arr = cJSON_CreateArray();
    char f[26][512];
    for (int i = 0; i < r->ntrades; i++) {
        trade_fields(&r->trades[i], f);
        cJSON *o = cJSON_CreateObject();
        for (int k = 0; header[k]; k++) {
            if (numeric_col(k)) cJSON_AddNumberToObject(o, header[k], atof(f[k]));
            else cJSON_AddStringToObject(o, header[k], f[k]);
        }
        cJSON_AddItemToArray(arr, o);
    }
    char *s = cJSON_PrintUnformatted(arr);
    cJSON_Delete(arr);
    return s;
}

static void csv_put(char **buf, size_t *len, size_t *cap, const char *s)
{
    int quote = strpbrk(s, ",\"\n") != NULL;
    size_t need = strlen(s) * 2 + 4;
    if (*len + need >= *cap) {
        while (*len + need >= *cap) *cap = *cap ? *cap * 2 : 4096;
        char *nb = realloc(*buf, *cap);
        if (!nb) abort();
        *buf = nb;
    }
    char *o = *buf + *len;
    if (quote) *o++ = '"';
    for (; *s; s++) {
        if (*s == '"') *o++ = '"';
        *o++ = *s;
    }
    if (quote) *o++ = '"';
    *len = (size_t)(o - *buf);
    (*buf)[*len] = '\0';
}

static void csv_raw(char **buf, size_t *len, size_t *cap, char ch)
{
    if (*len + 2 >= *cap) {
        *cap = *cap ? *cap * 2 : 4096;
        char *nb = realloc(*buf, *cap);
        if (!nb) abort();
        *buf = nb;
    }
    (*buf)[(*len)++] = ch;
    (*buf)[*len] = '\0';
}

char *bt_result_tradelog_csv(const bt_result *r)
{
    char *buf = NULL;
    size_t len = 0, cap = 0;
    char f[26][512];
    for (int k = 0; header[k]; k++) {
        if (k) csv_raw(&buf, &len, &cap, ',');
        csv_put(&buf, &len, &cap, header[k]);
    }
    csv_raw(&buf, &len, &cap, '\n');
    for (int i = 0; i < r->ntrades; i++) {
        trade_fields(&r->trades[i], f);
        for (int k = 0; k < 26; k++) {
            if (k) csv_raw(&buf, &len, &cap, ',');
            csv_put(&buf, &len, &cap, f[k]);
        }
        csv_raw(&buf, &len, &cap, '\n');
    }
    return buf;
}

char *bt_result_json(const bt_result *r)
{
    const bt_metrics *m = &r->m;
    cJSON *o = cJSON_CreateObject();
    cJSON *mt = cJSON_AddObjectToObject(o, "metrics");
    cJSON_AddNumberToObject(mt, "pl", m->pl);
    cJSON_AddNumberToObject(mt, "cagr", m->cagr);
    cJSON_AddNumberToObject(mt, "maxDrawdown", m->max_drawdown);
    cJSON_AddNumberToObject(mt, "mar", m->mar);
    cJSON_AddNumberToObject(mt, "winPercentage", m->win_percentage);
    cJSON_AddNumberToObject(mt, "totalPremium", cents(m->total_premium));
    cJSON_AddNumberToObject(mt, "captureRate", m->capture_rate);
    cJSON_AddNumberToObject(mt, "startingCapital", m->starting_capital);
    cJSON_AddNumberToObject(mt, "endingCapital", m->ending_capital);
    cJSON_AddNumberToObject(mt, "trades", m->trades);
    cJSON_AddNumberToObject(mt, "winners", m->winners);
    cJSON_AddNumberToObject(mt, "avgPerTrade", cents(m->avg_per_trade));
    cJSON_AddNumberToObject(mt, "avgWinner", cents(m->avg_winner));
    cJSON_AddNumberToObject(mt, "avgLoser", cents(m->avg_loser));
    cJSON_AddNumberToObject(mt, "maxWinner", m->max_winner);
    cJSON_AddNumberToObject(mt, "maxLoser", m->max_loser);
    cJSON_AddNumberToObject(mt, "avgMinutesInTrade", round(m->avg_minutes_in_trade));
    cJSON *eq = cJSON_AddArrayToObject(o, "equity");
    for (int i = 0; i < r->ndays; i++) {
        cJSON *pt = cJSON_CreateArray();
        cJSON_AddItemToArray(pt, cJSON_CreateString(bt_date_str(r->eq_day[i]).s));
        cJSON_AddItemToArray(pt, cJSON_CreateNumber(cents(r->equity[i])));
        cJSON_AddItemToArray(eq, pt);
    }
    char *s = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return s;
}
