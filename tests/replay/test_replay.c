/* `oo-automator replay` as a user runs it: recordings that must pass, recordings that must fail
 * with a message naming the step and each selector's reason (and leave their evidence),
 * malformed recordings refused with the JSON path, and Chromium killed mid-replay: the engine
 * reports it and exits promptly, leaving no process behind. */
#include "testlib.h"
#include "httpd.h"
#include "base/util.h"
#include "base/buf.h"
#include <dirent.h>
#include <signal.h>
#include <fcntl.h>
#include <spawn.h>
#include <time.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;
static const char *BIN, *DIR_;
static char *tmp;

typedef struct { int code; char *out, *err; } result;

static pid_t spawn_replay(const char *rec, const char *artifacts, const char *outf, const char *errf)
{
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, outf, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&fa, 2, errf, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    char *argv[] = {(char *)BIN, "replay", (char *)rec, "--artifacts", (char *)artifacts, "-v", NULL};
    pid_t pid;
    if (posix_spawn(&pid, BIN, &fa, NULL, argv, environ) != 0) { perror("spawn"); exit(2); }
    posix_spawn_file_actions_destroy(&fa);
    return pid;
}

static result run(const char *rec, const char *artifacts)
{
    char *outf = oo_asprintf("%s/out.txt", tmp), *errf = oo_asprintf("%s/err.txt", tmp);
    pid_t pid = spawn_replay(rec, artifacts, outf, errf);
    int st = 0;
    waitpid(pid, &st, 0);
    result r = {WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st), oo_read_file(outf, NULL, NULL), oo_read_file(errf, NULL, NULL)};
    free(outf);
    free(errf);
    return r;
}

static void done(result *r) { free(r->out); free(r->err); }

/* Replays n recordings, two at a time (each with its own Chromium): the suite's wall time
 * is mostly Chromium starting, which overlaps well even on two cores. */
static void run_all(char **recs, char **arts, result *out, int n)
{
    enum { PAR = 2 };
    pid_t pids[PAR] = {0};
    int slot_job[PAR];
    int next = 0, running = 0;
    while (next < n || running) {
        for (int k = 0; k < PAR && next < n; k++) {
            if (pids[k]) continue;
            char *outf = oo_asprintf("%s/out-%d.txt", tmp, next), *errf = oo_asprintf("%s/err-%d.txt", tmp, next);
            pids[k] = spawn_replay(recs[next], arts[next], outf, errf);
            slot_job[k] = next++;
            running++;
            free(outf);
            free(errf);
        }
        int st = 0;
        pid_t pid = waitpid(-1, &st, 0);
        if (pid < 0) break;
        for (int k = 0; k < PAR; k++) {
            if (pids[k] != pid) continue;
            int j = slot_job[k];
            char *outf = oo_asprintf("%s/out-%d.txt", tmp, j), *errf = oo_asprintf("%s/err-%d.txt", tmp, j);
            out[j] = (result){WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st), oo_read_file(outf, NULL, NULL),
                              oo_read_file(errf, NULL, NULL)};
            free(outf);
            free(errf);
            pids[k] = 0;
            running--;
        }
    }
}

static char *path_of(const char *sub, const char *name) { return oo_asprintf("%s/recordings/%s/%s", DIR_, sub, name); }

static int count_files(const char *dir)
{
    DIR *d = opendir(dir);
    int n = 0;
    struct dirent *e;
    while (d && (e = readdir(d))) if (e->d_name[0] != '.') n++;
    if (d) closedir(d);
    return n;
}

/* pids of live chromium processes whose parent chain reaches `root` */
static int chromium_child_of(pid_t root)
{
    DIR *d = opendir("/proc");
    struct dirent *e;
    int found = 0;
    while ((e = readdir(d))) {
        int pid = atoi(e->d_name);
        if (pid <= 0) continue;
        char path[64], buf[512];
        snprintf(path, sizeof path, "/proc/%d/stat", pid);
        FILE *f = fopen(path, "r");
        if (!f) continue;
        int ppid = 0;
        char comm[256] = "", state = 0;
        if (fgets(buf, sizeof buf, f)) sscanf(buf, "%*d (%255[^)]) %c %d", comm, &state, &ppid);
        fclose(f);
        if (ppid == root && state != 'Z' && strstr(comm, "chrom")) { found = pid; break; }
    }
    closedir(d);
    return found;
}

int main(void)
{
    BIN = getenv("OO_BIN");
    DIR_ = getenv("OO_REPLAY_DIR");
    REQUIRE(BIN && DIR_);
    tmp = tl_tmpdir("replay");
    char *pages = oo_asprintf("%s/pages", DIR_);
    tl_httpd *srv = tl_httpd_start(pages);
    char base[64];
    snprintf(base, sizeof base, "http://127.0.0.1:%d", tl_httpd_port(srv));
    setenv("BASE", base, 1);
    setenv("WHO", "Ada", 1);
    char *home = oo_asprintf("%s/home", tmp);
    setenv("HOME", home, 1);
    unsetenv("OO_DATA_DIR");

    /* recordings that pass */
    const char *pass[] = {"basic.json", "widgets.json", "frames.json", "popup.json", "sticky-footer.json", "late.json"};
    enum { NPASS = sizeof pass / sizeof pass[0] };
    /* recordings that fail: exit 1, the step, the selectors and why, the evidence */
    struct { const char *file, *expect1, *expect2; int artifacts; } fails[] = {
        {"missing.json", "step 1 (click) failed", "#no-such-button: no element matches", 4},
        {"covered.json", "step 1 (click) failed", "intercepts pointer events", 4},
        {"title.json", "step 0 (navigate) failed", "the recording expects \"Another title\"", 4},
        {"unset-variable.json", "{{SURELY_NOT_SET_ANYWHERE}} is not set", "step 0 (change)", 0},
        /* a step on a popup that never opens: its target URL is named */
        {"popup-never.json", "step 1 (click) failed: no page at the step's target http://127.0.0.1:", "/never-opened.html opened within 800 ms", 4},
    };
    enum { NFAIL = sizeof fails / sizeof fails[0] };
    char *recs[NPASS + NFAIL], *arts[NPASS + NFAIL];
    result results[NPASS + NFAIL];
    for (int i = 0; i < NPASS; i++) {
        recs[i] = path_of("pass", pass[i]);
        arts[i] = oo_asprintf("%s/art-pass-%d", tmp, i);
    }
    for (int i = 0; i < NFAIL; i++) {
        recs[NPASS + i] = path_of("fail", fails[i].file);
        arts[NPASS + i] = oo_asprintf("%s/art-fail-%d", tmp, i);
    }
    run_all(recs, arts, results, NPASS + NFAIL);
    for (size_t i = 0; i < NPASS; i++) {
        char *rec = recs[i], *art = arts[i];
        result r = results[i];
        CHECK_MSG(r.code == 0, "%s: exit %d\n%s%s", pass[i], r.code, r.out ? r.out : "", r.err ? r.err : "");
        CHECK_MSG(r.out && strstr(r.out, "replayed "), "%s: summary line", pass[i]);
        CHECK(count_files(art) == 0);   /* nothing kept when nothing failed */
        done(&r);
        free(rec);
        free(art);
    }

    for (size_t i = 0; i < NFAIL; i++) {
        char *rec = recs[NPASS + i], *art = arts[NPASS + i];
        result r = results[NPASS + i];
        CHECK_MSG(r.code == 1, "%s: exit %d, expected 1", fails[i].file, r.code);
        CHECK_MSG(r.err && strstr(r.err, fails[i].expect1) && strstr(r.err, fails[i].expect2), "%s: stderr:\n%s", fails[i].file, r.err ? r.err : "");
        if (fails[i].artifacts) {
            CHECK_MSG(count_files(art) == fails[i].artifacts, "%s: %d artifacts", fails[i].file, count_files(art));
            char *png = oo_asprintf("%s/step-01-click.png", art);
            if (!strcmp(fails[i].file, "missing.json")) {
                size_t n = 0;
                char *data = oo_read_file(png, &n, NULL);
                CHECK(data && n > 100 && !memcmp(data, "\x89PNG", 4));
                free(data);
                /* the same evidence as a failed task's (replay/evidence.c): the network log too */
                char *net = oo_asprintf("%s/step-01-click.network.json", art);
                char *log = oo_read_file(net, NULL, NULL);
                CHECK_MSG(log && log[0] == '[', "%s", net);
                free(log);
                free(net);
            }
            free(png);
        }
        done(&r);
        free(rec);
        free(art);
    }

    /* malformed recordings: exit 2 with the JSON path, what was expected and what was found */
    struct { const char *file, *expect; } bad[] = {
        {"selector-number.json", "steps[0].selectors[0]: expected a string or an array of strings, found number 5"},
        {"unknown-type.json", "steps[0].type: expected one of setViewport"},
        {"no-url.json", "steps[0].url: expected a string, found nothing"},
        {"truncated.json", "not valid JSON (line 1"},
        {"steps-object.json", "steps: expected an array of steps, found an object"},
        {"bad-operator.json", "operator \">=\", \"==\" or \"<=\""},
        {"no-title.json", "no-title.json: title: expected the recording's title (a string), found nothing"},
        {"no-steps.json", "no-steps.json: steps: expected an array of steps, found nothing"},
        {"trailing.json", "trailing.json: not valid JSON (line 2, column 1)"},
        {"viewport-height.json", "steps[0].height: expected a height from 1 to 10000 pixels, found number 0"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char *rec = path_of("malformed", bad[i].file);
        result r = run(rec, tmp);
        CHECK_MSG(r.code == 2, "%s: exit %d, expected 2", bad[i].file, r.code);
        CHECK_MSG(r.err && strstr(r.err, bad[i].expect), "%s: stderr: %s", bad[i].file, r.err ? r.err : "");
        CHECK_MSG(r.err && strchr(r.err, '\n') == r.err + strlen(r.err) - 1, "%s: one line", bad[i].file);
        done(&r);
        free(rec);
    }
    result r = run("/nonexistent/recording.json", tmp);
    CHECK(r.code == 2 && r.err && strstr(r.err, "cannot read /nonexistent/recording.json"));
    done(&r);

    /* Chromium killed in the middle of a replay: reported, prompt exit, nothing left behind */
    {
        char *rec = path_of("fail", "forever.json");
        char *outf = oo_asprintf("%s/k-out.txt", tmp), *errf = oo_asprintf("%s/k-err.txt", tmp);
        pid_t pid = spawn_replay(rec, tmp, outf, errf);
        int chrome = 0;
        /* wait for step 1 to start (the replay prints step 0's line when it passed) */
        for (int64_t until = oo_now_ms() + 30000; oo_now_ms() < until;) {
            char *out = oo_read_file(outf, NULL, NULL);
            int started = out && strstr(out, "[0] navigate");
            free(out);
            if (started && (chrome = chromium_child_of(pid))) break;
            struct timespec ts = {0, 20 * 1000 * 1000};
            nanosleep(&ts, NULL);   /* the test watches another process's output file: no event to wait on */
        }
        CHECK(chrome > 0);
        int64_t t0 = oo_now_ms();
        if (chrome > 0) kill(chrome, SIGKILL);
        int st = 0;
        waitpid(pid, &st, 0);
        CHECK(oo_now_ms() - t0 < 10000);
        CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 1);
        char *err = oo_read_file(errf, NULL, NULL);
        CHECK_MSG(err && strstr(err, "step 1 (waitForExpression) failed") && (strstr(err, "Chromium") || strstr(err, "browser")), "%s", err ? err : "");
        free(err);
        CHECK(chromium_child_of(pid) == 0);
        free(rec);
        free(outf);
        free(errf);
    }

    tl_httpd_stop(srv);
    free(pages);
    free(home);
    free(tmp);
    return tl_finish();
}
