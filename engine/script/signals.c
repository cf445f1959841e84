/* signals: Ctrl-C (SIGINT) and SIGTERM while a command runs Lua (script.h). A signal is
 * counted and written to a self-pipe that an event loop watches (a run stops cleanly from its
 * loop). Lua code that keeps the CPU without coming back to the loop (`while true do end` in a
 * run script, an optimize_by function, a parameter script) would never see it: the handler
 * also sets a count hook on the state's running coroutine (lua_sethook may be called from a
 * signal handler), which raises a typed {code = "cancelled"} error once 10^6 instructions have
 * passed and nobody took the signal. The globals are what a signal handler needs: one command,
 * one state, one set of handlers per process. */
#include "script/script.h"
#include "base/util.h"
#include <errno.h>
#include <fcntl.h>
#include <lauxlib.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#define BUSY_INSTRUCTIONS 1000000

static int g_pipe[2] = {-1, -1};
static volatile sig_atomic_t g_received, g_taken;
static lua_State *volatile g_main;          /* the state's main thread */
static lua_State *volatile g_running;       /* the coroutine the scheduler resumed last */
static struct sigaction g_old_int, g_old_term;
static int g_on;

static void busy_hook(lua_State *L, lua_Debug *ar)
{
    (void)ar;
    lua_sethook(L, NULL, 0, 0);
    if (g_taken >= g_received) return;       /* the loop took the signal meanwhile */
    script_error(L, OO_E_CANCELLED, "interrupted (Ctrl-C or SIGTERM) while Lua code was busy");
}

static void on_signal(int sig)
{
    int saved = errno;
    g_received++;
    unsigned char b = (unsigned char)sig;
    if (g_pipe[1] >= 0) {
        ssize_t w = write(g_pipe[1], &b, 1);
        (void)w;
    }
    lua_State *co = g_running, *L = g_main;
    if (co) lua_sethook(co, busy_hook, LUA_MASKCOUNT, BUSY_INSTRUCTIONS);
    if (L && L != co) lua_sethook(L, busy_hook, LUA_MASKCOUNT, BUSY_INSTRUCTIONS);
    errno = saved;
}

int script_signals_on(oo_script *s, oo_err *err)
{
    if (g_on) return 0;
    if (pipe(g_pipe) != 0) return oo_err_set(err, OO_E_IO, "cannot create the signal pipe: %s", strerror(errno));
    for (int i = 0; i < 2; i++) {
        fcntl(g_pipe[i], F_SETFL, O_NONBLOCK);
        fcntl(g_pipe[i], F_SETFD, FD_CLOEXEC);
    }
    g_received = g_taken = 0;
    g_main = script_state(s);
    g_running = NULL;
    struct sigaction sa = {0};
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &g_old_int);
    sigaction(SIGTERM, &sa, &g_old_term);
    g_on = 1;
    return 1;
}

void script_signals_off(void)
{
    if (!g_on) return;
    sigaction(SIGINT, &g_old_int, NULL);
    sigaction(SIGTERM, &g_old_term, NULL);
    g_main = g_running = NULL;
    close(g_pipe[0]);
    close(g_pipe[1]);
    g_pipe[0] = g_pipe[1] = -1;
    g_on = 0;
}

int script_signals_watch_fd(void)
{
    return g_pipe[0] >= 0 ? fcntl(g_pipe[0], F_DUPFD_CLOEXEC, 0) : -1;
}

int script_signals_received(void) { return g_received; }

int script_signals_take(void)
{
    unsigned char b[64];
    while (g_pipe[0] >= 0 && read(g_pipe[0], b, sizeof b) > 0) {}
    int n = g_received - g_taken;
    g_taken = g_received;
    return n;
}

void script_signals_running(lua_State *co) { g_running = co; }
