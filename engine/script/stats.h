/* stats: generic resampling kernels, fast where Lua would be slow, exposed to Lua as the `stats`
 * module (script/lua_stats.c). Nothing here knows of trades or OptionOmega: values are numbers,
 * paths are running sums, series are columns of a matrix.
 *
 *   a seeded generator      xoshiro256** seeded through splitmix64; integers below n by
 *                           Lemire's method (multiply, reject the biased low part); doubles
 *                           in [0, 1) from the top 53 bits. Same seed, same numbers, anywhere.
 *   quantiles               linear interpolation between order statistics (Hyndman & Fan type 7,
 *                           numpy's default): h = (n - 1) q, x[floor h] + (h - floor h)(x[floor h + 1] - x[floor h]).
 *   bootstrap paths         resample values with replacement into paths of a given length; for
 *                           each path its final sum and its deepest fall below the running peak
 *                           of start + running sum (as a fraction of that peak), and the levels at
 *                           checkpoints (for percentile bands).
 *   SPA / Reality Check     Hansen's test for superior predictive ability and White's Reality
 *                           Check over K series of T observations (is any mean above zero?),
 *                           with Politis and Romano's stationary bootstrap.
 *   sign flip               the permutation (randomization) test of a mean above zero.
 *
 * Ownership: callers own every array they pass and every output array (sized as documented);
 * functions allocate only scratch space, freed before they return. Nothing prints.
 */
#ifndef OO_SCRIPT_STATS_H
#define OO_SCRIPT_STATS_H
#include <stddef.h>
#include <stdint.h>

typedef struct stats_rng { uint64_t s[4]; } stats_rng;

void stats_rng_seed(stats_rng *r, uint64_t seed);
uint64_t stats_rng_next(stats_rng *r);
/* Uniform in [0, n); n >= 1. */
uint64_t stats_rng_below(stats_rng *r, uint64_t n);
/* Uniform in [0, 1). */
double stats_rng_double(stats_rng *r);

/* Sorts v ascending (NaNs are not expected). */
void stats_sort(double *v, size_t n);
/* The type-7 quantile of sorted values; n >= 1, 0 <= q <= 1. */
double stats_quantile_sorted(const double *sorted, size_t n, double q);
/* The type-7 quantile of unsorted values, reordering v (quickselect, linear time). */
double stats_quantile_select(double *v, size_t n, double q);

typedef struct stats_paths {
    size_t paths;            /* number of paths, >= 1 */
    size_t length;           /* values drawn per path, >= 1 */
    uint64_t seed;
    double start;            /* the level before the first value, > 0 (peaks start here) */
    const size_t *steps;     /* checkpoints (1..length: after that many values), may be NULL */
    size_t nsteps;
    /* outputs, each owned by the caller: */
    double *final;           /* [paths]: the sum of the path's values */
    double *drawdown;        /* [paths]: the deepest fall, min over the path of level / running peak - 1 (<= 0) */
    double *levels;          /* [nsteps * paths]: start + running sum at each checkpoint, step-major; may be NULL */
} stats_paths;

/* Draws p.paths paths of p.length values from v[0..n) with replacement (path after path, value
 * after value, from one generator). Values are drawn as stats_rng_below(n) indices. */
void stats_bootstrap_paths(const double *v, size_t n, stats_paths *p);

typedef struct stats_spa_model {     /* one series' figures */
    double mean;                     /* its mean */
    double omega;                    /* the bootstrap standard deviation of sqrt(T) * mean */
    double t;                        /* sqrt(T) * mean / omega (0 when omega is 0) */
    double p_single;                 /* bootstrap p-value of this series alone (mean > 0) */
    double p_adjusted;               /* the same against the max over all series (single-step) */
} stats_spa_model;

typedef struct stats_spa {
    size_t reps;                     /* bootstrap resamples, >= 1 */
    double block;                    /* mean block length of the stationary bootstrap, >= 1 */
    uint64_t seed;
    /* outputs: */
    double stat;                     /* Hansen's T_SPA = max(0, max_k t_k) */
    double p_consistent, p_lower, p_upper;   /* SPA_c, SPA_l, SPA_u */
    double rc_stat, rc_p;            /* White's Reality Check: max_k sqrt(T) mean_k and its p */
    size_t best;                     /* the series with the largest t */
    stats_spa_model *models;         /* [K], owned by the caller */
} stats_spa;

/* Hansen's SPA and White's Reality Check on d (T rows of K columns, row-major: d[t * K + k]),
 * every series against a benchmark of zero. Returns 0, or -1 when T < 2 or K < 1. */
int stats_spa_test(const double *d, size_t T, size_t K, stats_spa *s);

/* One-sided sign-flip permutation p-value of mean(x) > 0: (1 + #{flipped sums >= sum}) / (1 +
 * reps), each flip of x[i] decided by bit i % 64 of a fresh generator word per 64 values. */
double stats_sign_flip(const double *x, size_t n, size_t reps, uint64_t seed);
#endif
