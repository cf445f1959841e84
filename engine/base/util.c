#include "base/util.h"
#include "base/config.h"
#include "base/buf.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#ifndef OO_SOURCE_DIR
#define OO_SOURCE_DIR "."
#endif
#ifndef OO_DATA_INSTALL_DIR
#define OO_DATA_INSTALL_DIR "/usr/local/share/oo-automator"
#endif
#ifndef OO_VERSION
#define OO_VERSION "0.0.0"
#endif

const char *oo_version(void) { return OO_VERSION; }

int64_t oo_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t oo_now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int64_t oo_wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void oo_iso_time(int64_t wall_ms, char *out, size_t outlen)
{
    time_t t = (time_t)(wall_ms / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, outlen, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

char *oo_read_file(const char *path, size_t *len_out, oo_err *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        oo_err_set(err, OO_E_IO, "cannot read %s: %s", path, strerror(errno));
        return NULL;
    }
    oo_buf b;
    oo_buf_init(&b);
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) oo_buf_append(&b, chunk, n);
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        oo_buf_free(&b);
        oo_err_set(err, OO_E_IO, "cannot read %s: read error", path);
        return NULL;
    }
    if (len_out) *len_out = b.len;
    return oo_buf_steal(&b);
}

int oo_write_file(const char *path, const void *data, size_t len, oo_err *err)
{
    char *tmp = oo_asprintf("%s.tmp.%ld", path, (long)getpid());
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        oo_err_set(err, OO_E_IO, "cannot write %s: %s", path, strerror(errno));
        free(tmp);
        return -1;
    }
    const char *p = data;
    size_t left = len;
    while (left) {
        ssize_t w = write(fd, p, left);
        if (w < 0) {
            if (errno == EINTR) continue;
            oo_err_set(err, OO_E_IO, "cannot write %s: %s", path, strerror(errno));
            close(fd);
            unlink(tmp);
            free(tmp);
            return -1;
        }
        p += w;
        left -= (size_t)w;
    }
    close(fd);
    if (rename(tmp, path) != 0) {
        oo_err_set(err, OO_E_IO, "cannot write %s: %s", path, strerror(errno));
        unlink(tmp);
        free(tmp);
        return -1;
    }
    free(tmp);
    return 0;
}

int oo_mkdir_p(const char *path, oo_err *err)
{
    char *p = oo_strdup(path);
    for (char *s = p + 1; *s; s++) {
        if (*s != '/') continue;
        *s = '\0';
        if (mkdir(p, 0755) != 0 && errno != EEXIST) goto fail;
        *s = '/';
    }
    if (mkdir(p, 0755) != 0 && errno != EEXIST) goto fail;
    if (!oo_dir_exists(p)) { errno = ENOTDIR; goto fail; }
    free(p);
    return 0;
fail:
    oo_err_set(err, OO_E_IO, "cannot create directory %s: %s", p, strerror(errno));
    free(p);
    return -1;
}

int oo_rm_rf(const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0) return errno == ENOENT ? 0 : -1;
    if (!S_ISDIR(st.st_mode)) return unlink(path);
    DIR *d = opendir(path);
    if (!d) return -1;
    struct dirent *e;
    int rc = 0;
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        char *child = oo_path_join(path, e->d_name);
        if (oo_rm_rf(child) != 0) rc = -1;
        free(child);
    }
    closedir(d);
    if (rmdir(path) != 0) rc = -1;
    return rc;
}

int oo_file_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

int oo_dir_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

char *oo_path_join(const char *a, const char *b)
{
    if (!a || !*a || b[0] == '/') return oo_strdup(b);
    size_t la = strlen(a);
    return oo_asprintf("%s%s%s", a, a[la - 1] == '/' ? "" : "/", b);
}

char *oo_exe_dir(void)
{
    char buf[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
    if (n <= 0) return oo_strdup(".");
    buf[n] = '\0';
    char *slash = strrchr(buf, '/');
    if (slash) *slash = '\0';
    return oo_strdup(buf);
}

static char *g_root;

static int looks_like_root(const char *dir)
{
    char *p = oo_path_join(dir, "lua/oo");
    int ok = oo_dir_exists(p);
    free(p);
    return ok;
}

const char *oo_resource_root(void)
{
    if (g_root) return g_root;
    const char *env = oo_config_get(oo_cfg(), OO_CFG_HOME);
    if (env && *env) return g_root = oo_strdup(env);
    char *exe = oo_exe_dir();
    char *inst = oo_asprintf("%s/../share/oo-automator", exe);
    free(exe);
    if (looks_like_root(inst)) {
        char real[PATH_MAX];
        g_root = oo_strdup(realpath(inst, real) ? real : inst);
        free(inst);
        return g_root;
    }
    free(inst);
    if (looks_like_root(OO_DATA_INSTALL_DIR)) return g_root = oo_strdup(OO_DATA_INSTALL_DIR);
    return g_root = oo_strdup(OO_SOURCE_DIR);
}

char *oo_resource_path(const char *rel) { return oo_path_join(oo_resource_root(), rel); }

long oo_peak_rss_kb(void)
{
    char *status = oo_read_file("/proc/self/status", NULL, NULL);
    const char *hwm = status ? strstr(status, "VmHWM:") : NULL;
    long kb = hwm ? strtol(hwm + 6, NULL, 10) : -1;
    free(status);
    return kb;
}
