/* bt_bench: how fast oo-sim computes backtests. Prints the market build time and, for a few
 * strategies over two years, the median of 5 runs. Usage: bt_bench [SOURCE_DIR] */
#include "bt/bt.h"
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static int cmp(const void *a, const void *b) { double x = *(const double *)a, y = *(const double *)b; return (x > y) - (x < y); }

int main(void)
{
    double t0 = now_ms();
    bt_market *m = bt_market_new(20130102);
    printf("market build: %.1f ms (%s .. %s)\n", now_ms() - t0, bt_market_first_date(m), bt_market_last_date(m));
    const char *names[] = {"0DTE put credit spread", "0DTE iron condor", "45-DTE strangle (SPY, weekly)", "call calendar (weekly)"};
    const char *cfgs[] = {
        "{\"startDate\":\"2024-01-02\",\"endDate\":\"2025-12-31\",\"legs\":[{\"side\":\"sell\",\"type\":\"put\",\"value\":16},{\"side\":\"buy\",\"type\":\"put\",\"value\":-50,\"linked\":true}],\"pl\":{\"profitTarget\":50,\"stopLoss\":200}}",
        "{\"startDate\":\"2024-01-02\",\"endDate\":\"2025-12-31\",\"legs\":[{\"side\":\"sell\",\"type\":\"put\",\"value\":10},{\"side\":\"buy\",\"type\":\"put\",\"value\":-25,\"linked\":true},{\"side\":\"sell\",\"type\":\"call\",\"value\":10},{\"side\":\"buy\",\"type\":\"call\",\"value\":25,\"linked\":true}],\"pl\":{\"profitTarget\":40,\"stopLoss\":150}}",
        "{\"ticker\":\"SPY\",\"startDate\":\"2024-01-02\",\"endDate\":\"2025-12-31\",\"legs\":[{\"side\":\"sell\",\"type\":\"put\",\"value\":16,\"dte\":45},{\"side\":\"sell\",\"type\":\"call\",\"value\":16,\"dte\":45}],\"funds\":{\"marginAllocationPct\":15},\"entry\":{\"frequency\":\"weekly\",\"weekdays\":[1]},\"pl\":{\"profitTarget\":50,\"stopLoss\":200}}",
        "{\"strikeMode\":\"otm\",\"startDate\":\"2024-01-02\",\"endDate\":\"2025-12-31\",\"legs\":[{\"side\":\"sell\",\"type\":\"call\",\"value\":0,\"dte\":7},{\"side\":\"buy\",\"type\":\"call\",\"value\":0,\"dte\":35}],\"entry\":{\"frequency\":\"weekly\",\"weekdays\":[1]},\"pl\":{\"profitTarget\":25,\"stopLoss\":50}}",
    };
    for (int i = 0; i < 4; i++) {
        char err[256];
        bt_config *c = bt_config_parse(cfgs[i], err, sizeof err);
        if (!c) { printf("%s: %s\n", names[i], err); return 1; }
        double t[5];
        int trades = 0;
        for (int k = 0; k < 5; k++) {
            double a = now_ms();
            bt_result *r = bt_run(m, c);
            t[k] = now_ms() - a;
            trades = bt_result_metrics(r)->trades;
            bt_result_free(r);
        }
        qsort(t, 5, sizeof t[0], cmp);
        printf("2-year backtest, %-30s %7.1f ms median (%d trades)\n", names[i], t[2], trades);
        bt_config_free(c);
    }
    bt_market_free(m);
    return 0;
}
