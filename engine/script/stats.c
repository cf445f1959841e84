/* stats: see stats.h. */
#include "script/stats.h"
#include "base/buf.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- generator ------------------------------------------------------------------------------ */

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

void stats_rng_seed(stats_rng *r, uint64_t seed)
{
    uint64_t x = seed;
    for (int i = 0; i < 4; i++) r->s[i] = splitmix64(&x);
}

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

uint64_t stats_rng_next(stats_rng *r)
{
    uint64_t *s = r->s;
    uint64_t out = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return out;
}

uint64_t stats_rng_below(stats_rng *r, uint64_t n)
{
    /* Lemire (2019): the high word of x * n is uniform once the low words below 2^64 mod n
     * are rejected */
    unsigned __int128 m = (unsigned __int128)stats_rng_next(r) * n;
    uint64_t low = (uint64_t)m;
    if (low < n) {
        uint64_t threshold = (0 - n) % n;
        while (low < threshold) {
            m = (unsigned __int128)stats_rng_next(r) * n;
            low = (uint64_t)m;
        }
    }
    return (uint64_t)(m >> 64);
}

double stats_rng_double(stats_rng *r) { return (double)(stats_rng_next(r) >> 11) * 0x1.0p-53; }

/* ---- quantiles ------------------------------------------------------------------------------ */

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

void stats_sort(double *v, size_t n) { qsort(v, n, sizeof *v, cmp_double); }

double stats_quantile_sorted(const double *sorted, size_t n, double q)
{
    double h = (double)(n - 1) * q;
    size_t lo = (size_t)floor(h);
    if (lo >= n - 1) return sorted[n - 1];
    return sorted[lo] + (h - (double)lo) * (sorted[lo + 1] - sorted[lo]);
}

static void swap(double *a, double *b)
{
    double t = *a;
    *a = *b;
    *b = t;
}

/* Reorders v so that v[k] is the k-th smallest, smaller ones before it, larger after. */
static void select_kth(double *v, size_t n, size_t k)
{
    size_t lo = 0, hi = n - 1;
    while (hi > lo) {
        size_t mid = lo + (hi - lo) / 2;   /* median of three as the pivot, moved to hi */
        if (v[mid] < v[lo]) swap(&v[mid], &v[lo]);
        if (v[hi] < v[lo]) swap(&v[hi], &v[lo]);
        if (v[mid] < v[hi]) swap(&v[mid], &v[hi]);
        double pivot = v[hi];
        size_t store = lo;
        for (size_t i = lo; i < hi; i++)
            if (v[i] < pivot) swap(&v[i], &v[store++]);
        swap(&v[store], &v[hi]);
        if (store == k) return;
        if (store < k) lo = store + 1;
        else hi = store - 1;
    }
}

double stats_quantile_select(double *v, size_t n, double q)
{
    double h = (double)(n - 1) * q;
    size_t lo = (size_t)floor(h);
    if (lo >= n - 1) lo = n - 1;
    select_kth(v, n, lo);
    if (lo == n - 1 || h == (double)lo) return v[lo];
    double next = v[lo + 1];                 /* the smallest of those above v[lo] */
    for (size_t i = lo + 2; i < n; i++)
        if (v[i] < next) next = v[i];
    return v[lo] + (h - (double)lo) * (next - v[lo]);
}

/* ---- bootstrap paths ------------------------------------------------------------------------ */

void stats_bootstrap_paths(const double *v, size_t n, stats_paths *p)
{
    stats_rng r;
    stats_rng_seed(&r, p->seed);
    for (size_t path = 0; path < p->paths; path++) {
        double level = p->start, peak = p->start, sum = 0, dd = 0;
        size_t next_step = 0;
        for (size_t i = 0; i < p->length; i++) {
            double x = v[stats_rng_below(&r, n)];
            sum += x;
            level = p->start + sum;
            if (level > peak) peak = level;
            else if (peak > 0) {
                double d = level / peak - 1;
                if (d < dd) dd = d;
            }
            while (p->levels && next_step < p->nsteps && p->steps[next_step] == i + 1)
                p->levels[next_step++ * p->paths + path] = level;
        }
        p->final[path] = sum;
        p->drawdown[path] = dd;
    }
}

/* ---- Hansen's SPA and White's Reality Check ---------------------------------------------------- */

/* One stationary-bootstrap resample of the row indices 0..T-1, as counts per row. */
static void stationary_counts(stats_rng *r, size_t T, double block, unsigned *counts)
{
    memset(counts, 0, T * sizeof *counts);
    double p_new = 1.0 / block;
    size_t i = (size_t)stats_rng_below(r, T);
    counts[i]++;
    for (size_t t = 1; t < T; t++) {
        if (stats_rng_double(r) < p_new) i = (size_t)stats_rng_below(r, T);
        else i = (i + 1) % T;
        counts[i]++;
    }
}

/* mstar[b * K + k]: the mean of series k in resample b. */
static void resample_means(const double *d, size_t T, size_t K, const stats_spa *s, double *mstar)
{
    stats_rng r;
    stats_rng_seed(&r, s->seed);
    unsigned *counts = oo_calloc(T, sizeof *counts);
    for (size_t b = 0; b < s->reps; b++) {
        double *acc = mstar + b * K;
        memset(acc, 0, K * sizeof *acc);
        stationary_counts(&r, T, s->block, counts);
        for (size_t t = 0; t < T; t++) {
            if (!counts[t]) continue;
            double c = counts[t];
            const double *row = d + t * K;
            for (size_t k = 0; k < K; k++) acc[k] += c * row[k];
        }
        for (size_t k = 0; k < K; k++) acc[k] /= (double)T;
    }
    free(counts);
}

/* Means, bootstrap standard deviations (of sqrt(T) * mean, around the sample mean, as Hansen
 * estimates omega from the resamples) and t statistics of every series. */
static void model_figures(const double *d, size_t T, size_t K, const double *mstar, stats_spa *s)
{
    double rt = sqrt((double)T);
    for (size_t k = 0; k < K; k++) {
        double m = 0;
        for (size_t t = 0; t < T; t++) m += d[t * K + k];
        m /= (double)T;
        double v = 0;
        for (size_t b = 0; b < s->reps; b++) {
            double z = rt * (mstar[b * K + k] - m);
            v += z * z;
        }
        stats_spa_model *md = &s->models[k];
        md->mean = m;
        md->omega = sqrt(v / (double)s->reps);
        md->t = md->omega > 0 ? rt * m / md->omega : 0;
        md->p_single = md->p_adjusted = 0;
    }
}

/* The recentred, studentized maximum of resample b: g is 'u' (by the mean: the least
 * favourable null), 'c' (Hansen's consistent rule: series far below zero are left at zero) or
 * 'l' (by max(mean, 0)). Never below 0: the benchmark itself is one of the candidates. */
static double resample_max(const double *mrow, size_t K, size_t T, const stats_spa *s, char g)
{
    double rt = sqrt((double)T), best = 0;
    double ll = log(log((double)T));
    double a_T = sqrt(ll > 0 ? 2 * ll : 0);
    for (size_t k = 0; k < K; k++) {
        const stats_spa_model *md = &s->models[k];
        if (md->omega <= 0) continue;
        double centre = md->mean;
        if (g == 'l') centre = md->mean > 0 ? md->mean : 0;
        else if (g == 'c' && md->mean < -md->omega / rt * a_T) centre = 0;
        double z = rt * (mrow[k] - centre) / md->omega;
        if (z > best) best = z;
    }
    return best;
}

static void spa_pvalues(size_t T, size_t K, const double *mstar, stats_spa *s)
{
    double rt = sqrt((double)T);
    size_t nu = 0, nc = 0, nl = 0, nrc = 0;
    for (size_t b = 0; b < s->reps; b++) {
        const double *mrow = mstar + b * K;
        double mu = resample_max(mrow, K, T, s, 'u');
        nu += mu >= s->stat;
        nc += resample_max(mrow, K, T, s, 'c') >= s->stat;
        nl += resample_max(mrow, K, T, s, 'l') >= s->stat;
        double v = -INFINITY;
        for (size_t k = 0; k < K; k++) {
            stats_spa_model *md = &s->models[k];
            double c = rt * (mrow[k] - md->mean);
            if (c > v) v = c;
            if (md->omega > 0) {
                md->p_single += c / md->omega >= md->t;
                md->p_adjusted += mu >= md->t;
            }
        }
        nrc += v >= s->rc_stat;
    }
    double B = (double)s->reps;
    s->p_upper = (double)nu / B;
    s->p_consistent = (double)nc / B;
    s->p_lower = (double)nl / B;
    s->rc_p = (double)nrc / B;
    for (size_t k = 0; k < K; k++) {
        stats_spa_model *md = &s->models[k];
        if (md->omega > 0) {
            md->p_single /= B;
            md->p_adjusted /= B;
        } else {
            md->p_single = md->p_adjusted = 1;   /* a constant series shows no edge */
        }
    }
}

int stats_spa_test(const double *d, size_t T, size_t K, stats_spa *s)
{
    if (T < 2 || K < 1 || s->reps < 1) return -1;
    if (s->block < 1) s->block = 1;
    double *mstar = oo_malloc(s->reps * K * sizeof *mstar);
    resample_means(d, T, K, s, mstar);
    model_figures(d, T, K, mstar, s);
    double rt = sqrt((double)T);
    s->stat = 0;
    s->rc_stat = -INFINITY;
    s->best = 0;
    for (size_t k = 0; k < K; k++) {
        const stats_spa_model *md = &s->models[k];
        if (md->t > s->stat) s->stat = md->t;
        if (md->t > s->models[s->best].t) s->best = k;
        if (rt * md->mean > s->rc_stat) s->rc_stat = rt * md->mean;
    }
    spa_pvalues(T, K, mstar, s);
    free(mstar);
    return 0;
}

/* ---- sign flip ------------------------------------------------------------------------------ */

double stats_sign_flip(const double *x, size_t n, size_t reps, uint64_t seed)
{
    double observed = 0;
    for (size_t i = 0; i < n; i++) observed += x[i];
    stats_rng r;
    stats_rng_seed(&r, seed);
    size_t hits = 0;
    for (size_t rep = 0; rep < reps; rep++) {
        double s = 0;
        uint64_t bits = 0;
        for (size_t i = 0; i < n; i++) {
            if (i % 64 == 0) bits = stats_rng_next(&r);
            s += (bits >> (i % 64)) & 1 ? x[i] : -x[i];
        }
        hits += s >= observed;
    }
    return (double)(hits + 1) / (double)(reps + 1);
}
