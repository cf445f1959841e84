/* util: time, files and paths shared by every room. Returned strings are heap-allocated and
 * owned by the caller unless said otherwise. */
#ifndef OO_BASE_UTIL_H
#define OO_BASE_UTIL_H
#include <stddef.h>
#include <stdint.h>
#include "base/err.h"

/* Milliseconds on the monotonic clock (for deadlines) and on the wall clock (for storage). */
int64_t oo_now_ms(void);
int64_t oo_now_us(void);   /* monotonic microseconds, for measuring */
int64_t oo_wall_ms(void);
/* ISO-8601 UTC "2026-11-24T22:01:59Z" of a wall-clock time in ms, into out (>= 32 bytes). */
void oo_iso_time(int64_t wall_ms, char *out, size_t outlen);

/* Reads a whole file; *len_out (if given) gets its size. NULL + err on failure. */
char *oo_read_file(const char *path, size_t *len_out, oo_err *err);
/* Writes a file atomically (a temporary file of its own, mode 0600, then rename). */
int oo_write_file(const char *path, const void *data, size_t len, oo_err *err);
int oo_mkdir_p(const char *path, oo_err *err);
/* Removes a directory tree; missing is fine. */
int oo_rm_rf(const char *path);
int oo_file_exists(const char *path);
int oo_dir_exists(const char *path);
char *oo_path_join(const char *a, const char *b);
/* Directory of the running executable (from /proc/self/exe). */
char *oo_exe_dir(void);

/* The resource root holding lua/, parameters/, recordings/, web/, vendor/, examples/:
 * $OO_HOME if set, else <exe>/../share/oo-automator (an install), else the source tree the
 * binary was built from. Never NULL; the returned string is owned by this module. */
const char *oo_resource_root(void);
/* <resource root>/<rel>, caller frees. */
char *oo_resource_path(const char *rel);

const char *oo_version(void);
/* This process's peak resident memory in kB (VmHWM; children such as Chromium excluded), -1 if unknown. */
long oo_peak_rss_kb(void);
#endif
