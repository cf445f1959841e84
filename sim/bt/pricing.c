/* pricing: Black-Scholes on the sim's volatility surface (VIX-based level, put skew). */
#include "bt/internal.h"
#include <math.h>

#define RATE 0.04

static double ncdf(double x) { return 0.5 * erfc(-x / sqrt(2.0)); }

double bt_implied_vol(double vix, double S, double K, double T)
{
    double base = vix / 100.0 * 0.92;
    double z = log(K / S) / (base * sqrt(fmax(T, 1e-5)));
    double iv = base * (1.0 - 0.11 * z + 0.025 * z * z);
    return fmin(fmax(iv, 0.45 * base), 3.0 * base);
}

double bt_option_price(int call, double S, double K, double T, double vol)
{
    if (T <= 1e-9 || vol <= 0) return call ? fmax(S - K, 0) : fmax(K - S, 0);
    double sq = vol * sqrt(T);
    double d1 = (log(S / K) + (RATE + 0.5 * vol * vol) * T) / sq, d2 = d1 - sq;
    double disc = exp(-RATE * T);
    double p = call ? S * ncdf(d1) - K * disc * ncdf(d2) : K * disc * ncdf(-d2) - S * ncdf(-d1);
    return fmax(p, 0.0);
}

double bt_option_delta(int call, double S, double K, double T, double vol)
{
    if (T <= 1e-9 || vol <= 0) return call ? (S > K) : -(S < K);
    double d1 = (log(S / K) + (RATE + 0.5 * vol * vol) * T) / (vol * sqrt(T));
    return call ? ncdf(d1) : ncdf(d1) - 1.0;
}
