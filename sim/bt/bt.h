/* bt: oo-sim's options backtest engine.
 *
 * A deterministic synthetic market (1-minute bars of an SPX-like underlying from 2013-01-02 to
 * 2026-11-20 with a VIX-like volatility series, trends, gaps and crashes; same seed, same
 * market), options priced with Black-Scholes, and a strategy simulator that follows the
 * configuration of sim/CONFIG.md: entries with their filters, strikes by delta / premium /
 * % OTM, sizing from funds and margin, exits on profit target, stop loss, early exit time,
 * underlying movement, delta, short/long ratio or expiry, commissions and slippage.
 *
 * Ownership: bt_market is built once and read-only afterwards (safe to share across threads);
 * bt_config and bt_result are owned by the caller and freed with their _free functions.
 * Strings returned by bt_*_json / bt_result_tradelog_csv are malloc'd; the caller frees them.
 */
#ifndef OO_SIM_BT_H
#define OO_SIM_BT_H
#include <stddef.h>
#include <stdint.h>

typedef struct bt_market bt_market;
typedef struct bt_config bt_config;
typedef struct bt_result bt_result;

/* Builds the market for a seed (fast: well under a second). NULL only on out of memory. */
bt_market *bt_market_new(uint64_t seed);
void bt_market_free(bt_market *m);
/* First and last trading dates of the market, "YYYY-MM-DD". */
const char *bt_market_first_date(const bt_market *m);
const char *bt_market_last_date(const bt_market *m);

/* Parses and validates a configuration (sim/CONFIG.md). On error returns NULL and writes a
 * message naming the field ("legs[1].dte: expected a number >= 0, found \"x\"") into err. */
bt_config *bt_config_parse(const char *json, char *err, size_t errlen);
/* The configuration back as canonical JSON (every field, fixed key order). */
char *bt_config_json(const bt_config *c);
void bt_config_free(bt_config *c);

/* Runs the backtest. Deterministic: same market and configuration, same result. */
bt_result *bt_run(const bt_market *m, const bt_config *c);
void bt_result_free(bt_result *r);

/* {"metrics": {...}, "equity": [[date, value], ...]} as in sim/CONFIG.md. */
char *bt_result_json(const bt_result *r);
/* The trade log as a JSON array of row objects (keys = the CSV header names). */
char *bt_result_trades_json(const bt_result *r);
/* The trade log as OptionOmega's CSV (exact header and legs format, CRLF-free, one row per trade). */
char *bt_result_tradelog_csv(const bt_result *r);

/* Metrics for direct use (tests, the server's formatting). */
typedef struct bt_metrics {
    double pl, cagr, max_drawdown, mar, win_percentage, total_premium, capture_rate;
    double starting_capital, ending_capital;
    int trades, winners;
    double avg_per_trade, avg_winner, avg_loser, max_winner, max_loser, avg_minutes_in_trade;
} bt_metrics;
const bt_metrics *bt_result_metrics(const bt_result *r);
int bt_result_trade_count(const bt_result *r);

#endif
