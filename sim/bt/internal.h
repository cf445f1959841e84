/* internal: what the pieces of sim/bt share (not part of the public bt.h). */
#ifndef OO_SIM_BT_INTERNAL_H
#define OO_SIM_BT_INTERNAL_H
#include "bt/bt.h"

#define BT_BARS 390          /* one-minute bars, 09:30..15:59 closes */
#define BT_MAX_LEGS 8

struct bt_market {
    int ndays;
    int *day;                /* days since 1970-01-01 of each trading day */
    float *open;             /* the day's opening print */
    float *vix;              /* the VIX at the open */
    float *close;            /* ndays * BT_BARS one-minute closes */
    char first_date[16], last_date[16];
};

typedef struct { char s[16]; } bt_datestr;
bt_datestr bt_date_str(int days);
int bt_parse_date(const char *s, int *days);
int bt_days_from_civil(int y, int m, int d);
void bt_civil_from_days(int z, int *y, int *m, int *d);
int bt_market_index(const bt_market *m, int days);

typedef enum { BT_DELTA = 0, BT_PREMIUM, BT_OTM } bt_strike_mode;

typedef struct bt_leg {
    int sell;                /* 1 sell, 0 buy */
    int call;                /* 1 call, 0 put */
    int qty;
    double value;
    int dte;
    int linked;
} bt_leg;

struct bt_config {
    char ticker[8];
    int start_day, end_day;  /* days since epoch */
    char start_date[16], end_date[16];
    bt_strike_mode strike_mode;
    int use_exact_dte;
    int nlegs;
    bt_leg legs[BT_MAX_LEGS];
    struct { double starting_funds, margin_pct, max_allocation; int max_open, max_contracts, ignore_margin, prune_oldest; } funds;
    struct {
        int time;            /* minutes after 09:30 */
        int frequency;       /* 0 daily, 1 weekly, 2 monthly */
        int weekdays;        /* bit i = weekday i (1 = Monday) */
        int floating;
        int use_vix; double min_vix, max_vix;
        int use_rsi; double min_rsi, max_rsi;
        int use_gaps; double min_gap_up, max_gap_up, min_gap_down, max_gap_down;
        int use_move; double min_move_up, max_move_up, min_move_down, max_move_down;
    } entry;
    struct { double pt; int pt_dollars; double sl; int sl_dollars; int per_leg_sl; } pl;
    struct {
        int use_early; int early_time;
        int use_move; double move_up, move_down;
        int use_delta; double below_delta, above_delta;
        int use_ratio; double ratio_below, ratio_above;
        int use_vix; double vix_up, vix_down;
    } exit;
    struct {
        int use_comm; double open_comm, close_comm;
        int use_slip; double entry_slip, exit_slip, sl_slip;
        int use_entry_ratio; double min_entry_ratio, max_entry_ratio;
        int use_premium; double min_premium, max_premium;
        int reenter;
        int close_on_completion;
    } misc;
};

/* Black-Scholes with the sim's volatility surface. */
double bt_option_price(int call, double S, double K, double T, double vol);
double bt_option_delta(int call, double S, double K, double T, double vol);
double bt_implied_vol(double vix, double S, double K, double T);
#endif
