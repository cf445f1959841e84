/* bt_metrics: prints bt_run's canonical result JSON for a configuration file, with the market
 * seed oo-sim uses, so the server test can compare the server's metrics with the library's.
 * usage: bt_metrics CONFIG.json  (stdout: {"metrics":{...},"equity":[...]}) */
#include "bt/bt.h"
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    if (argc != 2) { fprintf(stderr, "usage: bt_metrics CONFIG.json\n"); return 2; }
    FILE *f = fopen(argv[1], "rb");
    if (!f) { perror(argv[1]); return 1; }
    static char buf[1 << 20];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    char err[300];
    bt_config *c = bt_config_parse(buf, err, sizeof err);
    if (!c) { fprintf(stderr, "bt_metrics: %s\n", err); return 1; }
    bt_market *m = bt_market_new(20130102);  /* oo-sim's built-in market seed (sim/state.c) */
    bt_result *r = bt_run(m, c);
    char *j = bt_result_json(r);
    puts(j);
    free(j);
    bt_result_free(r);
    bt_config_free(c);
    bt_market_free(m);
    return 0;
}
