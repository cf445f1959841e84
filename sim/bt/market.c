/* market: the deterministic synthetic market of oo-sim. Trading days 2013-01-02..2026-11-20
 * (weekends and the main US market holidays skipped), 390 one-minute closes a day of an
 * SPX-like index with a VIX-like volatility that mean-reverts, spikes in sell-offs and moves
 * against the index; regime trends, overnight gaps, and crashes on known dates (Feb 2018,
 * Feb-Mar 2020, 2022's bear market). Same seed, same market. */
#include "bt/internal.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t splitmix(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static double uniform(uint64_t *s) { return ((splitmix(s) >> 11) + 0.5) * (1.0 / 9007199254740992.0); }

static double normal(uint64_t *s)
{
    double u = uniform(s), v = uniform(s);
    return sqrt(-2.0 * log(u)) * cos(6.283185307179586 * v);
}

/* days since 1970-01-01 of a civil date, and back (Howard Hinnant's algorithms) */
int bt_days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    int era = (y >= 0 ? y : y - 399) / 400;
    int yoe = y - era * 400;
    int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void bt_civil_from_days(int z, int *y, int *m, int *d)
{
    z += 719468;
    int era = (z >= 0 ? z : z - 146096) / 146097;
    int doe = z - era * 146097;
    int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int yy = yoe + era * 400;
    int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp + (mp < 10 ? 3 : -9);
    *y = yy + (*m <= 2);
}

static int weekday(int days) { return (int)(((days % 7) + 11) % 7); } /* 0 = Sunday */

/* n-th weekday (0=Sun) of a month; n = -1 for the last one */
static int nth_weekday(int y, int m, int wd, int n)
{
    if (n > 0) {
        int first = bt_days_from_civil(y, m, 1);
        int off = (wd - weekday(first) + 7) % 7;
        return first + off + 7 * (n - 1);
    }
    int last = (m == 12 ? bt_days_from_civil(y + 1, 1, 1) : bt_days_from_civil(y, m + 1, 1)) - 1;
    int off = (weekday(last) - wd + 7) % 7;
    return last - off;
}

static int observed(int days)
{
    int w = weekday(days);
    if (w == 6) return days - 1;
    if (w == 0) return days + 1;
    return days;
}

static int is_holiday(int days)
{
    int y, m, d;
    bt_civil_from_days(days, &y, &m, &d);
    if (days == observed(bt_days_from_civil(y, 1, 1))) return 1;
    if (days == nth_weekday(y, 1, 1, 3)) return 1;            /* Martin Luther King Jr. Day */
    if (days == nth_weekday(y, 2, 1, 3)) return 1;            /* Presidents' Day */
    if (days == nth_weekday(y, 5, 1, -1)) return 1;           /* Memorial Day */
    if (y >= 2022 && days == observed(bt_days_from_civil(y, 6, 19))) return 1;
    if (days == observed(bt_days_from_civil(y, 7, 4))) return 1;
    if (days == nth_weekday(y, 9, 1, 1)) return 1;            /* Labor Day */
    if (days == nth_weekday(y, 11, 4, 4)) return 1;           /* Thanksgiving */
    if (days == observed(bt_days_from_civil(y, 12, 25))) return 1;
    return 0;
}

/* Scripted stress: extra daily drift and VIX level over known episodes. */
static void episode(int days, double *drift, double *vix_target)
{
    struct { int y0, m0, d0, y1, m1, d1; double drift, vix; } ep[] = {
        {2015, 8, 18, 2015, 8, 26, -0.012, 28},
        {2018, 1, 29, 2018, 2, 9, -0.011, 30},
        {2018, 10, 3, 2018, 12, 24, -0.0035, 25},
        {2020, 2, 20, 2020, 3, 23, -0.016, 60},
        {2020, 3, 24, 2020, 6, 8, 0.0075, 35},
        {2022, 1, 4, 2022, 10, 12, -0.0014, 29},
        {2025, 4, 2, 2025, 4, 8, -0.025, 45},
        {2025, 4, 9, 2025, 5, 15, 0.006, 25},
    };
    for (size_t i = 0; i < sizeof ep / sizeof ep[0]; i++) {
        int a = bt_days_from_civil(ep[i].y0, ep[i].m0, ep[i].d0), b = bt_days_from_civil(ep[i].y1, ep[i].m1, ep[i].d1);
        if (days >= a && days <= b) { *drift += ep[i].drift; *vix_target = ep[i].vix; return; }
    }
}

bt_market *bt_market_new(uint64_t seed)
{
    bt_market *m = calloc(1, sizeof *m);
    if (!m) return NULL;
    int first = bt_days_from_civil(2013, 1, 2), last = bt_days_from_civil(2026, 11, 20);
    int cap = last - first + 1;
    m->day = malloc(sizeof *m->day * (size_t)cap);
    m->open = malloc(sizeof *m->open * (size_t)cap);
    m->vix = malloc(sizeof *m->vix * (size_t)cap);
    m->close = malloc(sizeof *m->close * (size_t)cap * BT_BARS);
    if (!m->day || !m->open || !m->vix || !m->close) { bt_market_free(m); return NULL; }
    uint64_t s = seed;
    double price = 1462.4, vix = 15.5, regime = 0.0006;
    int n = 0;
    for (int d = first; d <= last; d++) {
        int w = weekday(d);
        if (w == 0 || w == 6 || is_holiday(d)) continue;
        if (uniform(&s) < 1.0 / 60) regime = 0.00062 + 0.0005 * normal(&s);  /* a new trend now and then */
        double drift = regime, target = 16.0;
        episode(d, &drift, &target);
        /* VIX: log mean reversion toward the target, shocks, jumps */
        double lv = log(vix) + 0.08 * (log(target) - log(vix)) + 0.07 * normal(&s);
        if (uniform(&s) < 0.01) lv += 0.25 + 0.2 * uniform(&s);
        vix = fmin(fmax(exp(lv), 9.0), 85.0);
        double sigma_day = vix / 100.0 / sqrt(252.0) * 0.85;
        /* overnight gap, larger when the VIX is high, sometimes a real gap */
        double gap = 0.25 * sigma_day * normal(&s) + drift * 0.3;
        if (uniform(&s) < 0.03) gap += (uniform(&s) < 0.6 ? -1 : 1) * sigma_day * (1.0 + 1.5 * uniform(&s));
        double open = price * exp(gap);
        double sig_min = sigma_day / sqrt((double)BT_BARS), mu_min = drift * 0.7 / BT_BARS;
        double p = open;
        float *bars = m->close + (size_t)n * BT_BARS;
        for (int b = 0; b < BT_BARS; b++) {
            /* U-shaped intraday volatility: busier at the open and the close */
            double x = (b - 195.0) / 195.0, shape = 0.75 + 0.5 * x * x;
            p *= exp(mu_min + sig_min * shape * normal(&s));
            bars[b] = (float)p;
        }
        m->day[n] = d;
        m->open[n] = (float)open;
        m->vix[n] = (float)vix;
        price = p;
        /* the VIX answers the day's move */
        vix *= exp(-4.0 * log(p / open));
        n++;
    }
    m->ndays = n;
    snprintf(m->first_date, sizeof m->first_date, "%s", bt_date_str(m->day[0]).s);
    snprintf(m->last_date, sizeof m->last_date, "%s", bt_date_str(m->day[n - 1]).s);
    return m;
}

void bt_market_free(bt_market *m)
{
    if (!m) return;
    free(m->day);
    free(m->open);
    free(m->vix);
    free(m->close);
    free(m);
}

const char *bt_market_first_date(const bt_market *m) { return m->first_date; }
const char *bt_market_last_date(const bt_market *m) { return m->last_date; }

bt_datestr bt_date_str(int days)
{
    bt_datestr r;
    int y, mo, d;
    bt_civil_from_days(days, &y, &mo, &d);
    /* y, mo, d are in range for any date the market holds; the modulos say so to the compiler,
     * whose format-truncation check (a Release build) cannot see it */
    snprintf(r.s, sizeof r.s, "%04u-%02u-%02u", (unsigned)y % 10000u, (unsigned)mo % 100u, (unsigned)d % 100u);
    return r;
}

int bt_parse_date(const char *s, int *days)
{
    int y, m, d;
    char tail;
    if (!s || sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3) return -1;
    if (m < 1 || m > 12 || d < 1 || d > 31) return -1;
    int z = bt_days_from_civil(y, m, d);
    int yy, mm, dd;
    bt_civil_from_days(z, &yy, &mm, &dd);
    if (yy != y || mm != m || dd != d) return -1;
    *days = z;
    return 0;
}

/* index of the first trading day >= days (ndays when none) */
int bt_market_index(const bt_market *m, int days)
{
    int lo = 0, hi = m->ndays;
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (m->day[mid] < days) lo = mid + 1; else hi = mid;
    }
    return lo;
}
