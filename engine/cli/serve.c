/* serve: the dashboard. Flags are checked now; the h2o server comes with the dashboard work. */
#include "cli/commands.h"
#include "base/config.h"
#include <stdio.h>
#include <string.h>

const cli_opt cli_serve_opts[] = {
    {"port", 0, "N", "port to listen on (default 8000; env OO_PORT)"},
    {"host", 0, "ADDR", "address to listen on (default 127.0.0.1)"},
    {"token", 0, "TOKEN", "required when --host is not a loopback address; every request must carry it"},
    {0},
};

int cli_cmd_serve(const cli_cmd *cmd, cli_args *a)
{
    (void)cmd;
    oo_err err = {0};
    if (cli_get(a, "port") && oo_config_set_flag(oo_cfg(), OO_CFG_PORT, cli_get(a, "port"), "--port", &err) != 0)
        return cli_usage_error("serve", "%s", err.msg);
    const char *host = cli_get(a, "host") ? cli_get(a, "host") : "127.0.0.1";
    int loopback = !strcmp(host, "127.0.0.1") || !strcmp(host, "localhost") || !strcmp(host, "::1");
    if (!loopback && !(cli_get(a, "token") && *cli_get(a, "token")))
        return cli_usage_error("serve", "listening on %s exposes the dashboard: give --token TOKEN too", host);
    return cli_fail("serve: the dashboard is not part of this build yet (it would listen on %s:%d)", host,
                    oo_config_int(oo_cfg(), OO_CFG_PORT));
}
