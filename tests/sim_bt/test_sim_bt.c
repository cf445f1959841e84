/* oo-sim's backtest engine: a real model, deterministic, strict about its input, and each of
 * the nine automated parameters moves the results the way a trader expects. */
#include "testlib.h"
#include "bt/bt.h"
#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>

static bt_market *M;

/* A 0DTE SPX put credit spread over 2024-2025 with one field overridden by `extra`, a JSON
 * object merged at the top level, e.g. {"pl": {"profitTarget": 25}}. */
static char *config(const char *extra)
{
    cJSON *c = cJSON_Parse("{\"ticker\":\"SPX\",\"startDate\":\"2024-01-02\",\"endDate\":\"2025-12-31\","
        "\"legs\":[{\"side\":\"sell\",\"type\":\"put\",\"qty\":1,\"value\":16,\"dte\":0},"
        "{\"side\":\"buy\",\"type\":\"put\",\"qty\":1,\"value\":-50,\"dte\":0,\"linked\":true}],"
        "\"entry\":{\"time\":\"10:00\"},\"pl\":{\"profitTarget\":50,\"stopLoss\":0}}");
    if (extra) {
        cJSON *x = cJSON_Parse(extra), *e;
        cJSON_ArrayForEach(e, x) {
            cJSON *have = cJSON_GetObjectItem(c, e->string);
            if (cJSON_IsObject(have) && cJSON_IsObject(e)) {
                cJSON *f;
                cJSON_ArrayForEach(f, e) {
                    cJSON *dup = cJSON_Duplicate(f, 1);
                    if (cJSON_GetObjectItem(have, f->string)) cJSON_ReplaceItemInObject(have, f->string, dup);
                    else cJSON_AddItemToObject(have, f->string, dup);
                }
            } else if (have) {
                cJSON_ReplaceItemInObject(c, e->string, cJSON_Duplicate(e, 1));
            } else {
                cJSON_AddItemToObject(c, e->string, cJSON_Duplicate(e, 1));
            }
        }
        cJSON_Delete(x);
    }
    char *s = cJSON_PrintUnformatted(c);
    cJSON_Delete(c);
    return s;
}

typedef struct { bt_metrics m; char *csv; } run_out;

static run_out run(const char *extra)
{
    char err[256] = "";
    char *js = config(extra);
    bt_config *c = bt_config_parse(js, err, sizeof err);
    if (!c) { fprintf(stderr, "config %s: %s\n", js, err); exit(2); }
    bt_result *r = bt_run(M, c);
    run_out o = {*bt_result_metrics(r), bt_result_tradelog_csv(r)};
    bt_result_free(r);
    bt_config_free(c);
    free(js);
    return o;
}

/* How many trade-log rows have `reason` as Reason For Close (column 10). */
static int count_reason(const char *csv, const char *reason)
{
    int n = 0;
    char needle[64];
    snprintf(needle, sizeof needle, ",%s,", reason);
    for (const char *p = strstr(csv, needle); p; p = strstr(p + 1, needle)) n++;
    return n;
}

/* Sum of the P/L column and the latest Time Closed, parsed back from the CSV. */
static double csv_pl_sum(const char *csv, char *latest_close_time)
{
    double sum = 0;
    const char *line = strchr(csv, '\n') + 1;
    if (latest_close_time) strcpy(latest_close_time, "00:00:00");
    while (*line) {
        /* split fields, honouring quotes */
        char field[30][256];
        int f = 0, q = 0;
        size_t k = 0;
        const char *p = line;
        for (; *p && *p != '\n'; p++) {
            if (*p == '"') { q = !q; continue; }
            if (*p == ',' && !q) { field[f][k] = 0; f++; k = 0; continue; }
            if (k < 255) field[f][k++] = *p;
        }
        field[f][k] = 0;
        sum += atof(field[10]);
        if (latest_close_time && strcmp(field[7], latest_close_time) > 0) strcpy(latest_close_time, field[7]);
        line = *p ? p + 1 : p;
    }
    return sum;
}

/* The earliest Date Opened and latest Date Closed of a trade log (YYYY-MM-DD sorts as text);
 * returns the number of trades. */
static int csv_date_bounds(const char *csv, char first_open[16], char last_close[16])
{
    int n = 0;
    strcpy(first_open, "9999-99-99");
    strcpy(last_close, "0000-00-00");
    for (const char *line = strchr(csv, '\n') + 1; *line; n++) {
        char opened[16] = "", closed[16] = "";
        int f = 0, q = 0;
        size_t k = 0;
        const char *p = line;
        for (; *p && *p != '\n'; p++) {
            if (*p == '"') { q = !q; continue; }
            if (*p == ',' && !q) { f++; k = 0; continue; }
            char *into = f == 0 ? opened : f == 6 ? closed : NULL;
            if (into && k < 15) { into[k++] = *p; into[k] = 0; }
        }
        if (strcmp(opened, first_open) < 0) strcpy(first_open, opened);
        if (strcmp(closed, last_close) > 0) strcpy(last_close, closed);
        line = *p ? p + 1 : p;
    }
    return n;
}

/* A backtest trades exactly within its dates: its first trade opens on the first trading day of
 * the window (2013-01-02 included: the market's first day needs no day before it), and no trade
 * closes after the end date, even with days to expiry left (closed at the end). */
static void test_dates_honoured(void)
{
    static const struct { const char *start, *end, *extra, *first_open; } cases[] = {
        {"2013-01-02", "2013-03-28", NULL, "2013-01-02"},
        {"2016-01-02", "2016-06-30", NULL, "2016-01-04"},           /* a Saturday: Monday is the first day */
        {"2020-02-29", "2020-12-31", NULL, "2020-03-02"},           /* leap day, a Saturday */
        {"2021-03-01", "2021-04-30", "{\"legs\":[{\"side\":\"sell\",\"type\":\"put\",\"qty\":1,\"value\":16,\"dte\":10},"
            "{\"side\":\"buy\",\"type\":\"put\",\"qty\":1,\"value\":-50,\"dte\":10,\"linked\":true}]}", "2021-03-01"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char extra[1024];
        snprintf(extra, sizeof extra, "%s", cases[i].extra ? cases[i].extra : "{}");
        cJSON *x = cJSON_Parse(extra);
        cJSON_AddStringToObject(x, "startDate", cases[i].start);
        cJSON_AddStringToObject(x, "endDate", cases[i].end);
        char *js = cJSON_PrintUnformatted(x);
        cJSON_Delete(x);
        run_out o = run(js);
        char first[16], last[16];
        int n = csv_date_bounds(o.csv, first, last);
        CHECK_MSG(n > 5 && n == o.m.trades, "%s..%s: %d trades in the log, %d counted", cases[i].start, cases[i].end, n, o.m.trades);
        CHECK_MSG(!strcmp(first, cases[i].first_open), "%s..%s: first trade opens %s, expected %s", cases[i].start, cases[i].end, first, cases[i].first_open);
        CHECK_MSG(strcmp(last, cases[i].end) <= 0, "%s..%s: a trade closes %s, after the end", cases[i].start, cases[i].end, last);
        free(o.csv);
        free(js);
    }
}

static void test_determinism_and_model(void)
{
    bt_market *m2 = bt_market_new(20130102);
    CHECK_STR(bt_market_first_date(m2), "2013-01-02");
    CHECK_STR(bt_market_last_date(m2), "2026-11-20");
    run_out a = run(NULL), b = run(NULL);
    CHECK_STR(a.csv, b.csv);
    CHECK(a.m.pl == b.m.pl && a.m.cagr == b.m.cagr);
    /* a different seed is a different market */
    char err[64];
    char *js = config(NULL);
    bt_config *c = bt_config_parse(js, err, sizeof err);
    bt_result *r = bt_run(m2, c);
    CHECK(bt_result_metrics(r)->pl == a.m.pl);   /* same seed, same market */
    bt_result_free(r);
    bt_market *m3 = bt_market_new(7);
    r = bt_run(m3, c);
    CHECK(bt_result_metrics(r)->pl != a.m.pl);
    bt_result_free(r);
    bt_market_free(m3);
    bt_config_free(c);
    free(js);
    bt_market_free(m2);

    /* the results are a model's: trades happen, win and lose, and add up */
    CHECK(a.m.trades > 400);
    CHECK(a.m.winners > 0 && a.m.winners < a.m.trades);
    CHECK(fabs(a.m.ending_capital - (a.m.starting_capital + a.m.pl)) < 0.011);
    CHECK(a.m.max_drawdown < 0);
    CHECK(fabs(a.m.mar - a.m.cagr / -a.m.max_drawdown) < 1e-9);
    CHECK(a.m.total_premium > 0 && fabs(a.m.capture_rate - a.m.pl / a.m.total_premium) < 1e-9);
    CHECK(a.m.avg_winner > 0 && a.m.avg_loser < 0);
    CHECK(a.m.max_winner >= a.m.avg_winner && a.m.max_loser <= a.m.avg_loser);
    CHECK(fabs(a.m.win_percentage - (double)a.m.winners / a.m.trades) < 1e-12);

    /* the trade log: the exact header, and its P/L column sums to the P/L to the cent */
    const char *header = "Date Opened,Time Opened,Opening Price,Legs,Premium,Closing Price,Date Closed,"
        "Time Closed,Avg. Closing Cost,Reason For Close,P/L,P/L %,No. of Contracts,Funds at Close,Margin Req.,"
        "Strategy,Opening Commissions + Fees,Closing Commissions + Fees,Opening Short/Long Ratio,"
        "Closing Short/Long Ratio,Opening VIX,Closing VIX,Gap,Movement,Max Profit,Max Loss\n";
    CHECK(strncmp(a.csv, header, strlen(header)) == 0);
    double sum = csv_pl_sum(a.csv, NULL);
    CHECK_MSG(fabs(sum - a.m.pl) < 0.005, "trade log sums to %.2f, P/L is %.2f", sum, a.m.pl);
    /* legs look like OptionOmega's: "2 Jan 3 4700 P STO 1.20 | 2 Jan 3 4650 P BTO 0.40" */
    const char *row = strchr(a.csv, '\n') + 1;
    int q, d;
    char mon[4], right, act[4];
    double k, px;
    CHECK(sscanf(strchr(row, ',') + 1, "%*[^,],%*[^,],%d %3s %d %lf %c %3s %lf", &q, mon, &d, &k, &right, act, &px) == 7);
    CHECK(right == 'P' && !strcmp(act, "STO"));
    CHECK(strstr(row, " | ") != NULL);
    free(a.csv);
    free(b.csv);
}

static void test_parse_errors(void)
{
    struct { const char *json, *expect; } cases[] = {
        {"not json", "not valid JSON"},
        {"[1,2]", "must be a JSON object"},
        {"{\"legs\":[]}", "legs: expected a list of 1 to 8 legs"},
        {"{\"legs\":[{\"side\":\"short\"}]}", "legs[0].side: expected one of buy, sell, found \"short\""},
        {"{\"legs\":[{\"value\":\"abc\"}]}", "legs[0].value: expected a number, found \"abc\""},
        {"{\"legs\":[{\"dte\":-1}]}", "legs[0].dte: expected a number from 0 to 365"},
        {"{\"legs\":[{\"linked\":true}]}", "legs[0].linked: the first leg has no leg above"},
        {"{\"legs\":[{}],\"pl\":{\"profitTarget\":\"abc\"}}", "pl.profitTarget: expected a number, found \"abc\""},
        {"{\"legs\":[{}],\"pl\":{\"stopLos\":1}}", "pl.stopLos: unknown field"},
        {"{\"legs\":[{}],\"tickr\":\"SPX\"}", "tickr: unknown field"},
        {"{\"legs\":[{}],\"entry\":{\"time\":\"8:00\"}}", "entry.time: expected a time from 09:30 to 16:00"},
        {"{\"legs\":[{}],\"startDate\":\"2010-01-01\"}", "data covers 2013-01-02 to 2026-11-20"},
        {"{\"legs\":[{}],\"startDate\":\"2024-02-30\"}", "startDate: expected a date YYYY-MM-DD"},
        {"{\"legs\":[{}],\"startDate\":\"2025-01-02\",\"endDate\":\"2024-01-02\"}", "endDate: is before startDate"},
        {"{\"legs\":[{}],\"entry\":{\"minRsi\":70,\"maxRsi\":30}}", "entry.minRsi: 70 is above maxRsi 30"},
        {"{\"legs\":[{\"value\":0}]}", "legs[0].value: a delta must be from 1 to 99"},
        {"{\"legs\":[{}],\"funds\":5}", "funds: expected an object"},
        {"{\"legs\":[{}],\"entry\":{\"time\":\"09:31\",\"frequency\":\"yearly\"}}", "entry.time: entries are from 09:32 to 15:59"},
        {"{\"legs\":[{}],\"entry\":{\"weekdays\":[0]}}", "entry.weekdays: expected weekdays 1 (Monday) to 5"},
        {"{\"legs\":[{}],\"entry\":{\"weekdays\":3}}", "entry.weekdays: expected a list of weekdays"},
        {"{\"legs\":[{}],\"exit\":{\"earlyExitTime\":\"16:01\"}}", "exit.earlyExitTime: expected a time from 09:30 to 16:00"},
        {"{\"legs\":[{}],\"funds\":{\"maxOpenPositions\":1.5}}", "funds.maxOpenPositions: expected a whole number, found 1.5"},
        {"{\"legs\":[{}],\"pl\":{\"stopLossUnit\":\"x\"}}", "pl.stopLossUnit: expected one of %, $, found \"x\""},
        {"{\"legs\":[{}],\"misc\":{\"reEnterTrades\":1}}", "misc.reEnterTrades: expected true or false, found 1"},
        {"{\"legs\":[{}],\"exit\":{\"useVix\":true,\"vix\":1}}", "exit.vix: unknown field"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char err[256] = "";
        bt_config *c = bt_config_parse(cases[i].json, err, sizeof err);
        CHECK_MSG(c == NULL, "accepted %s", cases[i].json);
        CHECK_MSG(strstr(err, cases[i].expect) != NULL, "%s -> \"%s\", expected \"%s\"", cases[i].json, err, cases[i].expect);
        bt_config_free(c);
    }
    CHECK(bt_config_parse(NULL, NULL, 0) == NULL);
    /* the canonical JSON parses back to the same configuration */
    char err[128];
    char *js = config("{\"entry\":{\"time\":\"11:15\",\"frequency\":\"weekly\",\"weekdays\":[1,3]}}");
    bt_config *c = bt_config_parse(js, err, sizeof err);
    char *canon = bt_config_json(c);
    bt_config *c2 = bt_config_parse(canon, err, sizeof err);
    REQUIRE(c2 != NULL);
    char *canon2 = bt_config_json(c2);
    CHECK_STR(canon, canon2);
    CHECK(strstr(canon, "\"time\":\"11:15\"") && strstr(canon, "\"weekdays\":[1,3]"));
    free(js); free(canon); free(canon2);
    bt_config_free(c);
    bt_config_free(c2);
}

/* Every field of a configuration with nothing but one default leg, in the canonical order:
 * tests/sim_bt/defaults.json holds them: sim/CONFIG.md's example dialog field by field, but one
 * sell-put leg at 16 delta and stopLoss 0 (none: a stop is opted into), written before the
 * parser became table-driven and checked against it then. */
static void test_canonical_defaults(void)
{
    char err[128] = "";
    bt_config *c = bt_config_parse("{\"legs\":[{}]}", err, sizeof err);
    REQUIRE(c != NULL);
    char *canon = bt_config_json(c);
    char *path = NULL;
    REQUIRE(asprintf(&path, "%s/tests/sim_bt/defaults.json", getenv("OO_SOURCE_DIR")) > 0);
    FILE *f = fopen(path, "r");
    REQUIRE(f != NULL);
    char want[4096] = "";
    size_t n = fread(want, 1, sizeof want - 1, f);
    fclose(f);
    while (n && (want[n - 1] == '\n' || want[n - 1] == '\r')) want[--n] = '\0';
    CHECK_STR(canon, want);
    free(path);
    free(canon);
    bt_config_free(c);
}

static void test_parameters_move_results(void)
{
    run_out base = run(NULL);

    /* delta: a higher short-put delta collects more premium */
    run_out d10 = run("{\"legs\":[{\"side\":\"sell\",\"type\":\"put\",\"value\":10},{\"side\":\"buy\",\"type\":\"put\",\"value\":-50,\"linked\":true}]}");
    run_out d30 = run("{\"legs\":[{\"side\":\"sell\",\"type\":\"put\",\"value\":30},{\"side\":\"buy\",\"type\":\"put\",\"value\":-50,\"linked\":true}]}");
    CHECK_MSG(d30.m.total_premium > base.m.total_premium && base.m.total_premium > d10.m.total_premium,
              "premium by delta: 10d %.0f, 16d %.0f, 30d %.0f", d10.m.total_premium, base.m.total_premium, d30.m.total_premium);

    /* RSI: a band lets fewer trades in */
    run_out rsi = run("{\"entry\":{\"useTechnicalIndicators\":true,\"minRsi\":40,\"maxRsi\":60}}");
    CHECK_MSG(rsi.m.trades < base.m.trades && rsi.m.trades > 0, "RSI band: %d trades vs %d", rsi.m.trades, base.m.trades);

    /* profit target: tighter -> more winners, shorter trades */
    run_out pt25 = run("{\"pl\":{\"profitTarget\":25}}"), pt90 = run("{\"pl\":{\"profitTarget\":90}}");
    CHECK_MSG(pt25.m.win_percentage > pt90.m.win_percentage, "win%% PT25 %.3f vs PT90 %.3f", pt25.m.win_percentage, pt90.m.win_percentage);
    CHECK(pt25.m.avg_minutes_in_trade < pt90.m.avg_minutes_in_trade);
    CHECK(count_reason(pt25.csv, "Profit Target") > count_reason(pt90.csv, "Profit Target"));

    /* stop loss: a tight one stops more trades out */
    run_out sl100 = run("{\"pl\":{\"stopLoss\":100}}"), sl300 = run("{\"pl\":{\"stopLoss\":300}}");
    CHECK_INT(count_reason(base.csv, "Stop Loss"), 0);
    CHECK_MSG(count_reason(sl100.csv, "Stop Loss") > count_reason(sl300.csv, "Stop Loss") && count_reason(sl300.csv, "Stop Loss") > 0,
              "stop losses: SL100 %d, SL300 %d", count_reason(sl100.csv, "Stop Loss"), count_reason(sl300.csv, "Stop Loss"));
    CHECK(sl100.m.max_loser > base.m.max_loser);

    /* entry time: a later 0DTE entry is in the trade for less time and prices differently */
    run_out late = run("{\"entry\":{\"time\":\"14:00\"}}");
    CHECK(late.m.avg_minutes_in_trade < base.m.avg_minutes_in_trade);
    CHECK(late.m.total_premium < base.m.total_premium);

    /* exit time: with early exit at 12:00 no trade is held past it */
    run_out early = run("{\"exit\":{\"useEarlyExit\":true,\"earlyExitTime\":\"12:00\"}}");
    char latest[16];
    csv_pl_sum(early.csv, latest);
    CHECK_MSG(strcmp(latest, "12:00:00") <= 0, "latest close %s", latest);
    CHECK(count_reason(early.csv, "Early Exit") > 0);
    CHECK(early.m.pl != base.m.pl);

    /* short/long ratio exit: trades close on it, and the results move */
    run_out ratio = run("{\"exit\":{\"useShortLongRatio\":true,\"exitSlRatioAbove\":12}}");
    CHECK(count_reason(ratio.csv, "Short/Long Ratio") > 0);
    CHECK(ratio.m.pl != base.m.pl);

    /* entry short/long ratio: a minimum filters entries */
    run_out eratio = run("{\"misc\":{\"useEntryShortLongRatio\":true,\"minEntrySlRatio\":6}}");
    CHECK_MSG(eratio.m.trades < base.m.trades && eratio.m.trades > 0, "entry S/L ratio: %d trades vs %d", eratio.m.trades, base.m.trades);

    /* underlying movement: a 0.5%% move down closes trades */
    run_out move = run("{\"exit\":{\"useUnderlyingMovement\":true,\"exitMoveDown\":0.5}}");
    CHECK(count_reason(move.csv, "Underlying Movement") > 0);
    CHECK(move.m.pl != base.m.pl);

    /* and every parameter's trade log still adds up */
    run_out *all[] = {&d10, &d30, &rsi, &pt25, &pt90, &sl100, &sl300, &late, &early, &ratio, &eratio, &move};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
        CHECK(fabs(csv_pl_sum(all[i]->csv, NULL) - all[i]->m.pl) < 0.005);
        free(all[i]->csv);
    }
    free(base.csv);
}

static void test_saved_strategies(void)
{
    const char *dir = getenv("OO_SOURCE_DIR");
    const char *files[] = {"01-spx-0dte-put-credit-spread", "02-spx-iron-condor", "03-spy-strangle-45dte",
                           "04-spx-call-calendar", "05-qqq-7dte-put-spread"};
    for (size_t i = 0; i < 5; i++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/sim/bt/strategies/%s.json", dir ? dir : ".", files[i]);
        FILE *f = fopen(path, "rb");
        REQUIRE(f != NULL);
        static char buf[1 << 16];
        size_t n = fread(buf, 1, sizeof buf - 1, f);
        fclose(f);
        buf[n] = 0;
        cJSON *j = cJSON_Parse(buf);
        REQUIRE(j != NULL);
        CHECK(cJSON_IsString(cJSON_GetObjectItem(j, "name")));
        char *cfg = cJSON_PrintUnformatted(cJSON_GetObjectItem(j, "config"));
        char err[256] = "";
        bt_config *c = bt_config_parse(cfg, err, sizeof err);
        CHECK_MSG(c != NULL, "%s: %s", files[i], err);
        if (c) {
            bt_result *r = bt_run(M, c);
            const bt_metrics *m = bt_result_metrics(r);
            CHECK_MSG(m->trades > 20, "%s: %d trades", files[i], m->trades);
            char *csv = bt_result_tradelog_csv(r);
            CHECK(fabs(csv_pl_sum(csv, NULL) - m->pl) < 0.005);
            free(csv);
            bt_result_free(r);
            bt_config_free(c);
        }
        free(cfg);
        cJSON_Delete(j);
    }
}

int main(void)
{
    M = bt_market_new(20130102);
    REQUIRE(M != NULL);
    test_determinism_and_model();
    test_parse_errors();
    test_canonical_defaults();
    test_parameters_move_results();
    test_saved_strategies();
    test_dates_honoured();
    bt_market_free(M);
    return tl_finish();
}
