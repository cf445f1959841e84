/* stats for Lua: the kernels of script/stats.h on Lua arrays of numbers.
 *   stats.random(seed, count[, bound]) -> integers (below bound when given, else raw 64-bit words)
 *   stats.uniform(seed, count)         -> doubles in [0, 1)
 *   stats.quantiles(values, {q...})    -> the type-7 quantile of values at each q
 *   stats.bootstrap(values, {paths = 10000, length = #values, seed = 1, start = 0,
 *                   steps = {...}, band_quantiles = {...}})
 *        -> {final = {...}, drawdown = {...} (each path's deepest fall), bands = {{q1, q2, ...} per step}}
 *   stats.spa(series, {reps = 1000, block = T^(1/3), seed = 1}): series is a list of K lists
 *        of T numbers -> {stat, p_consistent, p_lower, p_upper, rc_stat, rc_p, best, reps, block,
 *        models = {{mean, omega, t, p_single, p_adjusted}, ...}}
 *   stats.sign_flip(values, {reps = 10000, seed = 1}) -> p
 * Bad arguments raise an error naming the function and the argument. Scratch arrays are Lua
 * userdata, so an error raised half-way leaks nothing (the collector frees them). */
#include "script/script.h"
#include "script/stats.h"
#include <lauxlib.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAX_N 50000000
#define MAX_WORK 4000000000.0   /* draws (paths x length) or multiply-adds (reps x T x K) */

/* Scratch memory owned by the Lua state: a userdata pushed on the stack. */
static void *scratch(lua_State *L, size_t bytes) { return lua_newuserdatauv(L, bytes ? bytes : 1, 0); }

/* A Lua array of finite numbers at idx, copied into scratch memory (pushed); *n its length. */
static double *numbers(lua_State *L, int idx, const char *fn, const char *what, size_t *n)
{
    if (lua_type(L, idx) != LUA_TTABLE) luaL_error(L, "stats.%s: %s must be a list of numbers", fn, what);
    lua_Integer len = luaL_len(L, idx);
    if (len < 1 || len > MAX_N) luaL_error(L, "stats.%s: %s must be a list of 1 to %d numbers", fn, what, MAX_N);
    double *v = scratch(L, (size_t)len * sizeof *v);
    for (lua_Integer i = 1; i <= len; i++) {
        lua_rawgeti(L, idx, i);
        int ok = 0;
        double x = lua_tonumberx(L, -1, &ok);
        lua_pop(L, 1);
        if (!ok || !isfinite(x)) luaL_error(L, "stats.%s: %s[%d] is not a finite number", fn, what, (int)i);
        v[i - 1] = x;
    }
    *n = (size_t)len;
    return v;
}

static lua_Integer opt_int(lua_State *L, int idx, const char *key, lua_Integer def, lua_Integer lo, lua_Integer hi,
                           const char *fn)
{
    if (lua_type(L, idx) != LUA_TTABLE) return def;
    lua_getfield(L, idx, key);
    lua_Integer v = def;
    if (!lua_isnil(L, -1)) {
        int ok = 0;
        v = lua_tointegerx(L, -1, &ok);
        if (!ok || v < lo || v > hi) luaL_error(L, "stats.%s: %s must be a whole number from %I to %I", fn, key, lo, hi);
    }
    lua_pop(L, 1);
    return v;
}

static double opt_num(lua_State *L, int idx, const char *key, double def, const char *fn)
{
    if (lua_type(L, idx) != LUA_TTABLE) return def;
    lua_getfield(L, idx, key);
    double v = def;
    if (!lua_isnil(L, -1)) {
        int ok = 0;
        v = lua_tonumberx(L, -1, &ok);
        if (!ok || !isfinite(v)) luaL_error(L, "stats.%s: %s must be a finite number", fn, key);
    }
    lua_pop(L, 1);
    return v;
}

static void push_array(lua_State *L, const double *v, size_t n)
{
    lua_createtable(L, (int)n, 0);
    for (size_t i = 0; i < n; i++) {
        lua_pushnumber(L, v[i]);
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
}

static void set_num(lua_State *L, const char *k, double v)
{
    lua_pushnumber(L, v);
    lua_setfield(L, -2, k);
}

static int l_random(lua_State *L)
{
    stats_rng r;
    stats_rng_seed(&r, (uint64_t)luaL_checkinteger(L, 1));
    lua_Integer count = luaL_checkinteger(L, 2);
    if (count < 0 || count > MAX_N) return luaL_error(L, "stats.random: count must be 0 to %d", MAX_N);
    lua_Integer bound = luaL_optinteger(L, 3, 0);
    if (bound < 0) return luaL_error(L, "stats.random: bound must be positive");
    lua_createtable(L, (int)count, 0);
    for (lua_Integer i = 1; i <= count; i++) {
        uint64_t x = bound ? stats_rng_below(&r, (uint64_t)bound) : stats_rng_next(&r);
        lua_pushinteger(L, (lua_Integer)x);
        lua_rawseti(L, -2, i);
    }
    return 1;
}

static int l_uniform(lua_State *L)
{
    stats_rng r;
    stats_rng_seed(&r, (uint64_t)luaL_checkinteger(L, 1));
    lua_Integer count = luaL_checkinteger(L, 2);
    if (count < 0 || count > MAX_N) return luaL_error(L, "stats.uniform: count must be 0 to %d", MAX_N);
    lua_createtable(L, (int)count, 0);
    for (lua_Integer i = 1; i <= count; i++) {
        lua_pushnumber(L, stats_rng_double(&r));
        lua_rawseti(L, -2, i);
    }
    return 1;
}

/* The quantiles in the list at idx, each checked to lie in [0, 1]. */
static double *quantile_list(lua_State *L, int idx, const char *fn, const char *what, size_t *nq)
{
    double *q = numbers(L, idx, fn, what, nq);
    for (size_t i = 0; i < *nq; i++)
        if (q[i] < 0 || q[i] > 1) luaL_error(L, "stats.%s: %s[%d] must be from 0 to 1", fn, what, (int)i + 1);
    return q;
}

static int l_quantiles(lua_State *L)
{
    size_t n, nq;
    double *v = numbers(L, 1, "quantiles", "values", &n);
    double *q = quantile_list(L, 2, "quantiles", "quantiles", &nq);
    stats_sort(v, n);
    lua_createtable(L, (int)nq, 0);
    for (size_t i = 0; i < nq; i++) {
        lua_pushnumber(L, stats_quantile_sorted(v, n, q[i]));
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    return 1;
}

/* The checkpoints of opts.steps (ascending, within 1..length), in scratch memory. */
static size_t *bootstrap_steps(lua_State *L, size_t length, size_t *nsteps)
{
    *nsteps = 0;
    lua_getfield(L, 2, "steps");
    int has = lua_type(L, -1) == LUA_TTABLE;
    lua_pop(L, 1);
    if (!has) return NULL;
    lua_getfield(L, 2, "steps");
    size_t n;
    double *raw = numbers(L, lua_gettop(L), "bootstrap", "steps", &n);
    size_t *steps = scratch(L, n * sizeof *steps);
    for (size_t i = 0; i < n; i++) {
        if (raw[i] != floor(raw[i]) || raw[i] < 1 || raw[i] > (double)length || (i && raw[i] <= raw[i - 1]))
            luaL_error(L, "stats.bootstrap: steps must ascend within 1..length (%d)", (int)length);
        steps[i] = (size_t)raw[i];
    }
    *nsteps = n;
    return steps;
}

/* {{q1, q2, ...} per step} from the levels of every path at every step. */
static void push_bands(lua_State *L, double *levels, size_t nsteps, size_t paths, const double *q, size_t nq)
{
    lua_createtable(L, (int)nsteps, 0);
    for (size_t s = 0; s < nsteps; s++) {
        lua_createtable(L, (int)nq, 0);
        for (size_t j = 0; j < nq; j++) {
            lua_pushnumber(L, stats_quantile_select(levels + s * paths, paths, q[j]));
            lua_rawseti(L, -2, (lua_Integer)j + 1);
        }
        lua_rawseti(L, -2, (lua_Integer)s + 1);
    }
}

static int l_bootstrap(lua_State *L)
{
    size_t n, nsteps = 0, nq = 0;
    double *v = numbers(L, 1, "bootstrap", "values", &n);
    if (!lua_isnoneornil(L, 2)) luaL_checktype(L, 2, LUA_TTABLE);
    stats_paths p = {0};
    p.paths = (size_t)opt_int(L, 2, "paths", 10000, 1, 10000000, "bootstrap");
    p.length = (size_t)opt_int(L, 2, "length", (lua_Integer)n, 1, 10000000, "bootstrap");
    p.seed = (uint64_t)opt_int(L, 2, "seed", 1, LUA_MININTEGER, LUA_MAXINTEGER, "bootstrap");
    p.start = opt_num(L, 2, "start", 0, "bootstrap");
    if ((double)p.paths * (double)p.length > MAX_WORK)
        return luaL_error(L, "stats.bootstrap: paths x length must stay under %.0f", MAX_WORK);
    double *q = NULL;
    if (lua_type(L, 2) == LUA_TTABLE) {
        p.steps = bootstrap_steps(L, p.length, &p.nsteps);
        nsteps = p.nsteps;
        lua_getfield(L, 2, "band_quantiles");
        if (!lua_isnil(L, -1)) q = quantile_list(L, lua_gettop(L), "bootstrap", "band_quantiles", &nq);
    }
    if (nsteps && !nq) return luaL_error(L, "stats.bootstrap: steps need band_quantiles");
    if ((double)nsteps * (double)p.paths > MAX_N) return luaL_error(L, "stats.bootstrap: too many steps x paths");
    p.final = scratch(L, p.paths * sizeof *p.final);
    p.drawdown = scratch(L, p.paths * sizeof *p.drawdown);
    p.levels = nsteps ? scratch(L, nsteps * p.paths * sizeof *p.levels) : NULL;
    stats_bootstrap_paths(v, n, &p);
    lua_createtable(L, 0, 3);
    push_array(L, p.final, p.paths);
    lua_setfield(L, -2, "final");
    push_array(L, p.drawdown, p.paths);
    lua_setfield(L, -2, "drawdown");
    if (nsteps) {
        push_bands(L, p.levels, nsteps, p.paths, q, nq);
        lua_setfield(L, -2, "bands");
    }
    return 1;
}

/* The series at index 1 as a T x K row-major matrix in scratch memory. */
static double *spa_matrix(lua_State *L, size_t *T_out, size_t *K_out)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_Integer K = luaL_len(L, 1);
    if (K < 1 || K > 100000) luaL_error(L, "stats.spa: expected a list of 1 to 100000 series");
    size_t T = 0;
    double *d = NULL;
    for (lua_Integer k = 1; k <= K; k++) {
        lua_rawgeti(L, 1, k);
        size_t n;
        double *col = numbers(L, lua_gettop(L), "spa", "each series", &n);
        if (k == 1) {
            T = n;
            if (T < 2) luaL_error(L, "stats.spa: each series needs at least 2 observations");
            d = scratch(L, T * (size_t)K * sizeof *d);
            lua_replace(L, 3);   /* keep the matrix referenced in slot 3 (col stays in slot 5) */
        } else if (n != T) {
            luaL_error(L, "stats.spa: series %d has %d observations, the first has %d", (int)k, (int)n, (int)T);
        }
        for (size_t t = 0; t < T; t++) d[t * (size_t)K + (size_t)(k - 1)] = col[t];
        lua_settop(L, 3);
    }
    *T_out = T;
    *K_out = (size_t)K;
    return d;
}

static int l_spa(lua_State *L)
{
    if (!lua_isnoneornil(L, 2)) luaL_checktype(L, 2, LUA_TTABLE);
    lua_settop(L, 3);   /* 1 series, 2 opts, 3 the matrix */
    size_t T, K;
    double *d = spa_matrix(L, &T, &K);
    stats_spa s = {0};
    s.reps = (size_t)opt_int(L, 2, "reps", 1000, 1, 1000000, "spa");
    s.block = opt_num(L, 2, "block", round(cbrt((double)T)), "spa");
    s.seed = (uint64_t)opt_int(L, 2, "seed", 1, LUA_MININTEGER, LUA_MAXINTEGER, "spa");
    if (s.block < 1 || s.block > (double)T) return luaL_error(L, "stats.spa: block must be from 1 to the series' length");
    if ((double)s.reps * (double)T * (double)K > MAX_WORK) return luaL_error(L, "stats.spa: reps x T x K must stay under %.0f", MAX_WORK);
    s.models = scratch(L, K * sizeof *s.models);
    stats_spa_test(d, T, K, &s);
    lua_createtable(L, 0, 11);
    set_num(L, "stat", s.stat);
    set_num(L, "p_consistent", s.p_consistent);
    set_num(L, "p_lower", s.p_lower);
    set_num(L, "p_upper", s.p_upper);
    set_num(L, "rc_stat", s.rc_stat);
    set_num(L, "rc_p", s.rc_p);
    set_num(L, "reps", (double)s.reps);
    set_num(L, "block", s.block);
    lua_pushinteger(L, (lua_Integer)s.best + 1);
    lua_setfield(L, -2, "best");
    lua_createtable(L, (int)K, 0);
    for (size_t k = 0; k < K; k++) {
        const stats_spa_model *m = &s.models[k];
        lua_createtable(L, 0, 5);
        set_num(L, "mean", m->mean);
        set_num(L, "omega", m->omega);
        set_num(L, "t", m->t);
        set_num(L, "p_single", m->p_single);
        set_num(L, "p_adjusted", m->p_adjusted);
        lua_rawseti(L, -2, (lua_Integer)k + 1);
    }
    lua_setfield(L, -2, "models");
    return 1;
}

static int l_sign_flip(lua_State *L)
{
    size_t n;
    double *x = numbers(L, 1, "sign_flip", "values", &n);
    if (!lua_isnoneornil(L, 2)) luaL_checktype(L, 2, LUA_TTABLE);
    size_t reps = (size_t)opt_int(L, 2, "reps", 10000, 1, 10000000, "sign_flip");
    uint64_t seed = (uint64_t)opt_int(L, 2, "seed", 1, LUA_MININTEGER, LUA_MAXINTEGER, "sign_flip");
    if ((double)reps * (double)n > MAX_WORK) return luaL_error(L, "stats.sign_flip: reps x values must stay under %.0f", MAX_WORK);
    lua_pushnumber(L, stats_sign_flip(x, n, reps, seed));
    return 1;
}

int script_open_stats(lua_State *L)
{
    static const luaL_Reg fns[] = {{"random", l_random}, {"uniform", l_uniform}, {"quantiles", l_quantiles},
                                   {"bootstrap", l_bootstrap}, {"spa", l_spa}, {"sign_flip", l_sign_flip},
                                   {NULL, NULL}};
    luaL_newlib(L, fns);
    return 1;
}
