#include "store/store.h"
#include "store/schema.h"
#include "base/alive.h"
#include "base/buf.h"
#include "base/util.h"
#include "base/text.h"
#include <sqlite3.h>
#include <stdio.h>
#include <strings.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define STMT_CACHE 64

struct oo_store {
    sqlite3 *db;
    char *path;
    int tx_depth;
    int tx_failed;
    int64_t engine_silence;        /* ms an engine may stay silent before it counts as gone */
    int readonly;                  /* store_open_readonly: nothing may be written */
    struct { const char *sql; sqlite3_stmt *st; } cache[STMT_CACHE];
    int ncache;
};

/* ---- helpers ------------------------------------------------------------------------------ */

static int db_err(oo_store *s, oo_err *err, const char *what)
{
    return oo_err_set(err, OO_E_DB, "%s: %s (database %s)", what, sqlite3_errmsg(s->db), s->path);
}

/* A statement prepared once per handle, keyed by the SQL literal's address; reset for use. */
static sqlite3_stmt *prep(oo_store *s, const char *sql, oo_err *err)
{
    for (int i = 0; i < s->ncache; i++)
        if (s->cache[i].sql == sql) {
            sqlite3_reset(s->cache[i].st);
            sqlite3_clear_bindings(s->cache[i].st);
            return s->cache[i].st;
        }
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
        db_err(s, err, "cannot prepare a query");
        return NULL;
    }
    if (s->ncache < STMT_CACHE) {
        s->cache[s->ncache].sql = sql;
        s->cache[s->ncache].st = st;
        s->ncache++;
    } else {
        /* never expected: more distinct queries than slots; keep working, uncached */
        sqlite3_finalize(s->cache[0].st);
        s->cache[0].sql = sql;
        s->cache[0].st = st;
    }
    return st;
}

static void bind_text(sqlite3_stmt *st, int i, const char *v)
{
    if (v) sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
    else sqlite3_bind_null(st, i);
}

static void bind_json(sqlite3_stmt *st, int i, const cJSON *v)
{
    if (!v) { sqlite3_bind_null(st, i); return; }
    char *txt = cJSON_PrintUnformatted(v);
    if (!txt) { sqlite3_bind_null(st, i); return; }
    sqlite3_bind_text(st, i, txt, -1, free);
}

static void bind_id(sqlite3_stmt *st, int i, int64_t v)
{
    if (v > 0) sqlite3_bind_int64(st, i, v);
    else sqlite3_bind_null(st, i);
}

static int is_json_column(const char *name)
{
    static const char *const cols[] = {"config", "values", "parameter_values", "payload",
                                       "metrics", "raw_data", "console_log", "trade_data", NULL};
    for (int i = 0; cols[i]; i++)
        if (!strcmp(name, cols[i])) return 1;
    return 0;
}

/* One row as a JSON object; JSON columns are parsed, parameter_values is named values. */
static cJSON *row_json(sqlite3_stmt *st)
{
    cJSON *o = cJSON_CreateObject();
    int n = sqlite3_column_count(st);
    for (int i = 0; i < n; i++) {
        const char *name = sqlite3_column_name(st, i);
        const char *key = !strcmp(name, "parameter_values") ? "values" : name;
        switch (sqlite3_column_type(st, i)) {
        case SQLITE_INTEGER:
            cJSON_AddItemToObject(o, key, cJSON_CreateNumber((double)sqlite3_column_int64(st, i)));
            break;
        case SQLITE_FLOAT:
            cJSON_AddItemToObject(o, key, cJSON_CreateNumber(sqlite3_column_double(st, i)));
            break;
        case SQLITE_NULL:
            cJSON_AddItemToObject(o, key, cJSON_CreateNull());
            break;
        default: {
            const char *txt = (const char *)sqlite3_column_text(st, i);
            cJSON *v = NULL;
            if (is_json_column(name) && txt) v = cJSON_Parse(txt);
            cJSON_AddItemToObject(o, key, v ? v : cJSON_CreateString(txt ? txt : ""));
        }
        }
    }
    return o;
}

/* Runs a prepared query and collects every row; NULL on error. */
static cJSON *rows_json(oo_store *s, sqlite3_stmt *st, oo_err *err, const char *what)
{
    cJSON *arr = cJSON_CreateArray();
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) cJSON_AddItemToArray(arr, row_json(st));
    if (rc != SQLITE_DONE) {
        cJSON_Delete(arr);
        db_err(s, err, what);
        sqlite3_reset(st);
        return NULL;
    }
    sqlite3_reset(st);
    return arr;
}

/* A single row or NULL; *found tells whether a row existed. */
static cJSON *one_json(oo_store *s, sqlite3_stmt *st, oo_err *err, const char *what, int *found)
{
    int rc = sqlite3_step(st);
    *found = 0;
    if (rc == SQLITE_ROW) {
        *found = 1;
        cJSON *o = row_json(st);
        sqlite3_reset(st);
        return o;
    }
    if (rc != SQLITE_DONE) db_err(s, err, what);
    sqlite3_reset(st);
    return NULL;
}

/* Steps a statement that returns no row; 0 ok. */
static int exec_step(oo_store *s, sqlite3_stmt *st, oo_err *err, const char *what)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) return db_err(s, err, what);
    return 0;
}

static int exec_sql(oo_store *s, const char *sql, oo_err *err, const char *what)
{
    char *msg = NULL;
    if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        oo_err_set(err, OO_E_DB, "%s: %s (database %s)", what, msg ? msg : "?", s->path);
        sqlite3_free(msg);
        return -1;
    }
    return 0;
}

/* ---- transactions ------------------------------------------------------------------------- */

int store_begin(oo_store *s, oo_err *err)
{
    if (s->readonly)
        return oo_err_set(err, OO_E_DB, "%s was opened for reading only: nothing can be changed here", s->path);
    if (s->tx_depth++ > 0) return 0;
    s->tx_failed = 0;
    if (exec_sql(s, "BEGIN IMMEDIATE", err, "cannot start a transaction") != 0) {
        s->tx_depth = 0;
        return -1;
    }
    return 0;
}

int store_commit(oo_store *s, oo_err *err)
{
    if (s->tx_depth <= 0) return 0;
    if (--s->tx_depth > 0) return 0;
    if (s->tx_failed) {
        exec_sql(s, "ROLLBACK", NULL, "rollback");
        return oo_err_set(err, OO_E_DB, "a transaction was rolled back after an error (database %s)", s->path);
    }
    if (exec_sql(s, "COMMIT", err, "cannot commit") != 0) {
        exec_sql(s, "ROLLBACK", NULL, "rollback");
        return -1;
    }
    return 0;
}

void store_rollback(oo_store *s)
{
    if (s->tx_depth <= 0) return;
    if (--s->tx_depth > 0) { s->tx_failed = 1; return; }
    exec_sql(s, "ROLLBACK", NULL, "rollback");
}

/* ---- open / migrate ----------------------------------------------------------------------- */

static int user_version(oo_store *s)
{
    sqlite3_stmt *st = NULL;
    int v = -1;
    if (sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return v;
}

/* The tables of the database; *ours_out: whether any of them is one of ours. */
static int count_tables(oo_store *s, int *ours_out)
{
    sqlite3_stmt *st = NULL;
    int tables = 0, ours = 0;
    if (sqlite3_prepare_v2(s->db, "SELECT name FROM sqlite_master WHERE type = 'table'", -1, &st, NULL) == SQLITE_OK)
        while (sqlite3_step(st) == SQLITE_ROW) {
            const char *n = (const char *)sqlite3_column_text(st, 0);
            tables++;
            ours |= n && (!strcmp(n, "runs") || !strcmp(n, "tasks"));
        }
    sqlite3_finalize(st);
    *ours_out = ours;
    return tables;
}

/* Tables, none of them ours: another program's file. */
static int foreign(oo_store *s)
{
    int ours;
    return count_tables(s, &ours) > 0 && !ours;
}

static int has_tables(oo_store *s)
{
    int ours;
    return count_tables(s, &ours) > 0;
}

/* Checks, reading only, that the file is an oo-automator database this build can use: not
 * another program's, not a newer version's. Nothing is written before this says yes. */
static int check_identity(oo_store *s, oo_err *err)
{
    int have = user_version(s);
    if (have < 0)
        return oo_err_set(err, OO_E_DB, "%s is not an SQLite database oo-automator can read (%s): check --db or OO_DB_PATH",
                          s->path, sqlite3_errmsg(s->db));
    int want = store_schema_count();
    if (have > want)
        return oo_err_set(err, OO_E_DB,
            "%s was written by a newer oo-automator (schema %d, this build knows %d): upgrade "
            "oo-automator or use another --db", s->path, have, want);
    if (have == 0 && foreign(s))
        return oo_err_set(err, OO_E_DB, "%s is another program's SQLite database (it has no oo-automator tables): "
                          "it was left as it is; give oo-automator its own file with --db", s->path);
    return 0;
}

/* Rows that break a foreign key after a migration: 0 when none, -1 with err naming the first. */
static int foreign_keys_hold(oo_store *s, oo_err *err)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(s->db, "PRAGMA foreign_key_check", -1, &st, NULL) != SQLITE_OK)
        return db_err(s, err, "cannot check foreign keys");
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        oo_err_set(err, OO_E_DB, "row %lld of %s refers to a missing row of %s (database %s)",
                   (long long)sqlite3_column_int64(st, 1), (const char *)sqlite3_column_text(st, 0),
                   (const char *)sqlite3_column_text(st, 2), s->path);
    else if (rc != SQLITE_DONE)
        db_err(s, err, "cannot check foreign keys");
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : -1;
}

/* One migration in one transaction; foreign keys are checked before it commits. */
static int migrate_to(oo_store *s, int v, oo_err *err)
{
    if (store_begin(s, err) != 0) return -1;
    char pragma[64];
    snprintf(pragma, sizeof pragma, "PRAGMA user_version = %d", v);
    if (exec_sql(s, store_schema_migration(v), err, "schema migration failed") != 0 ||
        exec_sql(s, pragma, err, "cannot set the schema version") != 0 || foreign_keys_hold(s, err) != 0) {
        oo_err_wrap(err, "migrating to schema %d", v);
        store_rollback(s);
        return -1;
    }
    return store_commit(s, err);
}

/* Brings the schema to the latest version (check_identity said the file is ours and not newer).
 * A migration may rebuild a table that others refer to (DROP then RENAME): with foreign keys
 * on, dropping it would cascade into its children, so they are off while migrations run (the
 * pragma is a no-op inside a transaction) and every migration checks them before it commits. */
static int migrate(oo_store *s, oo_err *err)
{
    int have = user_version(s), want = store_schema_count();
    if (have == want) return 0;
    if (exec_sql(s, "PRAGMA foreign_keys = OFF", err, "cannot turn foreign keys off to migrate") != 0) return -1;
    int rc = 0;
    for (int v = have + 1; v <= want && rc == 0; v++) rc = migrate_to(s, v, err);
    oo_err on = {0};
    if (exec_sql(s, "PRAGMA foreign_keys = ON", &on, "cannot turn foreign keys back on") != 0 && rc == 0) {
        *err = on;
        rc = -1;
    }
    return rc;
}

/* The database and its WAL and SHM are the user's alone (0600): SQLite gives new WAL and SHM
 * files the database's own mode, so one written under a lax umask by an older version is
 * tightened here, once. */
static void private_modes(const char *path)
{
    static const char *const suffix[] = {"", "-wal", "-shm", NULL};
    for (int i = 0; suffix[i]; i++) {
        char *p = oo_asprintf("%s%s", path, suffix[i]);
        struct stat st;
        if (stat(p, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 077) && st.st_uid == geteuid())
            chmod(p, 0600);
        free(p);
    }
}

/* A connection to path (opened as uri when given) with SQLite's open flags, its busy timeout
 * and extended codes set. A path that exists must be a regular file. */
static oo_store *open_handle(const char *path, const char *uri, int flags, oo_err *err)
{
    struct stat st;
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
        /* a FIFO would hang the first read, a device or folder would fail late and obscurely */
        oo_err_set(err, OO_E_DB, "%s is not a regular file (a database is one): check --db or OO_DB_PATH", path);
        return NULL;
    }
    oo_store *s = oo_calloc(1, sizeof *s);
    s->path = oo_strdup(path);
    s->engine_silence = 60000;
    if (sqlite3_open_v2(uri ? uri : path, &s->db, flags | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
        oo_err_set(err, OO_E_DB, "cannot open database %s: %s: check --db or OO_DB_PATH", path,
                   s->db ? sqlite3_errmsg(s->db) : "out of memory");
        store_close(s);
        return NULL;
    }
    sqlite3_busy_timeout(s->db, 15000);
    sqlite3_extended_result_codes(s->db, 1);
    return s;
}

oo_store *store_open(const char *path, oo_err *err)
{
    if (!path || !*path) {
        oo_err_set(err, OO_E_USAGE, "no database path: set --db or OO_DB_PATH");
        return NULL;
    }
    char *dir = oo_strdup(path);
    char *slash = strrchr(dir, '/');
    if (slash && slash != dir) {
        *slash = '\0';
        if (oo_mkdir_p(dir, err) != 0) {
            oo_err_wrap(err, "cannot create the database folder for %s", path);
            free(dir);
            return NULL;
        }
    }
    free(dir);
    oo_store *s = open_handle(path, NULL, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, err);
    if (!s) return NULL;
    if (check_identity(s, err) != 0) {
        store_close(s);
        return NULL;
    }
    private_modes(path);
    if (exec_sql(s, "PRAGMA foreign_keys = ON", err, "cannot enable foreign keys") != 0 ||
        exec_sql(s, "PRAGMA journal_mode = WAL", err, "cannot switch to WAL") != 0 ||
        exec_sql(s, "PRAGMA synchronous = NORMAL", err, "cannot set synchronous") != 0) {
        oo_err_wrap(err, "%s is not a usable oo-automator database", path);
        store_close(s);
        return NULL;
    }
    if (migrate(s, err) != 0) {
        store_close(s);
        return NULL;
    }
    return s;
}

/* "file:<path>?immutable=1", the path escaped as a URI needs. */
static char *immutable_uri(const char *path)
{
    oo_buf b;
    oo_buf_init(&b);
    oo_buf_puts(&b, "file:");
    for (const unsigned char *c = (const unsigned char *)path; *c; c++) {
        if (*c == '%' || *c == '?' || *c == '#' || *c <= ' ' || *c >= 0x7f) oo_buf_printf(&b, "%%%02X", *c);
        else oo_buf_putc(&b, (char)*c);
    }
    oo_buf_puts(&b, "?immutable=1");
    return oo_buf_steal(&b);
}

/* Read-only, and without leaving a trace: a read-only connection to a WAL database creates
 * its -wal and -shm files (and cannot remove them). When there is no -wal (no engine has
 * the database open, nothing waits for a checkpoint), the file alone is the whole database
 * and is opened as immutable: no lock, no file created, and a file in a folder this user may
 * not write is read too. Otherwise those files exist already and an ordinary read-only
 * connection shares them. Nothing is migrated; nothing that is not ours is read further. */
oo_store *store_open_readonly(const char *path, oo_err *err)
{
    if (!path || !*path) {
        oo_err_set(err, OO_E_USAGE, "no database path: set --db or OO_DB_PATH");
        return NULL;
    }
    struct stat st;
    if (stat(path, &st) != 0) {
        oo_err_set(err, OO_E_INPUT, "no database at %s yet: the first run creates it (or give --db)", path);
        return NULL;
    }
    char *wal = oo_asprintf("%s-wal", path);
    char *uri = oo_file_exists(wal) ? NULL : immutable_uri(path);
    oo_store *s = open_handle(path, uri, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, err);
    free(uri);
    free(wal);
    if (!s) return NULL;
    s->readonly = 1;
    if (check_identity(s, err) != 0) {
        store_close(s);
        return NULL;
    }
    int have = user_version(s), want = store_schema_count();
    if (have == 0 && !has_tables(s)) {
        oo_err_set(err, OO_E_INPUT, "no database at %s yet (an empty file): the first run creates it", path);
        store_close(s);
        return NULL;
    }
    if (have < want) {
        oo_err_set(err, OO_E_DB, "%s is at schema %d, this build uses %d: the next run or serve migrates it "
                   "(back it up first to keep using an older oo-automator)", path, have, want);
        store_close(s);
        return NULL;
    }
    return s;
}

void store_close(oo_store *s)
{
    if (!s) return;
    for (int i = 0; i < s->ncache; i++) sqlite3_finalize(s->cache[i].st);
    if (s->db) sqlite3_close(s->db);
    free(s->path);
    free(s);
}

const char *store_path(const oo_store *s) { return s->path; }
int store_schema_version(oo_store *s) { return user_version(s); }

/* ---- events ------------------------------------------------------------------------------- */

int64_t store_event_append(oo_store *s, int64_t run_id, const char *kind, const cJSON *payload,
                           oo_err *err)
{
    static const char sql[] = "INSERT INTO events(run_id, kind, payload) VALUES (?, ?, ?)";
    sqlite3_stmt *st = prep(s, sql, err);
    if (!st) return -1;
    bind_id(st, 1, run_id);
    bind_text(st, 2, kind);
    bind_json(st, 3, payload);
    if (exec_step(s, st, err, "cannot append an event") != 0) return -1;
    return sqlite3_last_insert_rowid(s->db);
}

cJSON *store_events_after(oo_store *s, int64_t after_id, int limit, oo_err *err)
{
    static const char sql[] =
        "SELECT id, run_id, kind, payload, created_at FROM events WHERE id > ? ORDER BY id LIMIT ?";
    sqlite3_stmt *st = prep(s, sql, err);
    if (!st) return NULL;
    sqlite3_bind_int64(st, 1, after_id);
    sqlite3_bind_int(st, 2, limit > 0 ? limit : 500);
    return rows_json(s, st, err, "cannot read events");
}

cJSON *store_run_events(oo_store *s, int64_t run_id, const char *kind, oo_err *err)
{
    static const char sql[] =
        "SELECT id, run_id, kind, payload, created_at FROM events WHERE run_id = ?1 AND (?2 IS NULL OR kind = ?2) "
        "ORDER BY id LIMIT 10000";
    sqlite3_stmt *st = prep(s, sql, err);
    if (!st) return NULL;
    sqlite3_bind_int64(st, 1, run_id);
    bind_text(st, 2, kind);
    return rows_json(s, st, err, "cannot read the run's events");
}

int64_t store_events_last_id(oo_store *s, oo_err *err)
{
    static const char sql[] = "SELECT COALESCE(MAX(id), 0) FROM events";
    sqlite3_stmt *st = prep(s, sql, err);
    if (!st) return -1;
    int64_t id = -1;
    if (sqlite3_step(st) == SQLITE_ROW) id = sqlite3_column_int64(st, 0);
    else db_err(s, err, "cannot read events");
    sqlite3_reset(st);
    return id;
}

/* An event whose payload is a few integer/string fields. */
static int event_simple(oo_store *s, int64_t run_id, const char *kind, oo_err *err,
                        const char *k1, int64_t v1, const char *k2, const char *v2)
{
    cJSON *p = cJSON_CreateObject();
    if (k1) cJSON_AddNumberToObject(p, k1, (double)v1);
    if (k2 && v2) cJSON_AddStringToObject(p, k2, v2);
    int64_t id = store_event_append(s, run_id, kind, p, err);
    cJSON_Delete(p);
    return id < 0 ? -1 : 0;
}

/* ---- tests -------------------------------------------------------------------------------- */

int64_t store_test_upsert(oo_store *s, const char *url, const char *name, oo_err *err)
{
    static const char sql[] =
        "INSERT INTO tests(url, name) VALUES (?, ?) "
        "ON CONFLICT(url) DO UPDATE SET name = COALESCE(excluded.name, tests.name), deleted_at = NULL "
        "RETURNING id";
    if (!url || !*url) return oo_err_set(err, OO_E_INPUT, "a test needs a URL");
    if (name && *name && oo_text_check_name(name, OO_NAME_MAX_CHARS, "the test's name", err) != 0) return -1;
    sqlite3_stmt *st = prep(s, sql, err);
    if (!st) return -1;
    bind_text(st, 1, url);
    bind_text(st, 2, (name && *name) ? name : NULL);
    int64_t id = -1;
    if (sqlite3_step(st) == SQLITE_ROW) id = sqlite3_column_int64(st, 0);
    else db_err(s, err, "cannot save the test");
    sqlite3_reset(st);
    return id;
}

#define TEST_COLS "id, url, name, last_run_at, run_count, created_at"

cJSON *store_test_get(oo_store *s, int64_t id, oo_err *err)
{
    static const char sql[] = "SELECT " TEST_COLS " FROM tests WHERE id = ? AND deleted_at IS NULL";
    sqlite3_stmt *st = prep(s, sql, err);
    if (!st) return NULL;
    sqlite3_bind_int64(st, 1, id);
    int found;
    cJSON *o = one_json(s, st, err, "cannot read the test", &found);
    if (!found && !err->code)
        oo_err_set(err, OO_E_INPUT, "no test %lld: see `oo-automator tests` for the saved ones", (long long)id);
    return o;
}

cJSON *store_tests_list(oo_store *s, int limit, oo_err *err)
{
    static const char sql[] =
        "SELECT " TEST_COLS " FROM tests WHERE deleted_at IS NULL "
        "ORDER BY last_run_at IS NULL, last_run_at DESC, id DESC LIMIT ?";
    sqlite3_stmt *st = prep(s, sql, err);
    if (!st) return NULL;
    sqlite3_bind_int(st, 1, limit > 0 ? limit : -1);
    return rows_json(s, st, err, "cannot list tests");
}

static int ci_contains(const char *hay, const char *needle, size_t n)
{
    if (!hay) return 0;
    size_t h = strlen(hay);
    for (size_t i = 0; i + n <= h; i++)
        if (strncasecmp(hay + i, needle, n) == 0) return 1;
    return 0;
}

/* Every whitespace-separated word of key occurs in text (case-insensitive). */
static int all_words(const char *text, const char *key)
{
    const char *p = key;
    int words = 0;
    while (*p) {
        while (*p == ' ' || *p == '\t') p++;
        const char *w = p;
        while (*p && *p != ' ' && *p != '\t') p++;
        if (p > w) {
            words++;
            if (!ci_contains(text, w, (size_t)(p - w))) return 0;
        }
    }
    return words > 0;
}

cJSON *store_test_find(oo_store *s, const char *key, oo_err *err)
{
    cJSON *all = store_tests_list(s, 0, err);
    if (!all) return NULL;
    cJSON *exact = cJSON_CreateArray(), *fuzzy = cJSON_CreateArray();
    char *end = NULL;
    long long id = strtoll(key, &end, 10);
    int numeric = end && *end == '\0' && *key;
    cJSON *t;
    while ((t = cJSON_DetachItemFromArray(all, 0))) {
        const char *url = cJSON_GetStringValue(cJSON_GetObjectItem(t, "url"));
        const char *name = cJSON_GetStringValue(cJSON_GetObjectItem(t, "name"));
        double tid = cJSON_GetNumberValue(cJSON_GetObjectItem(t, "id"));
        const char *slash = url ? strrchr(url, '/') : NULL;
        int is_exact = (numeric && (long long)tid == id) || (url && !strcmp(url, key)) ||
                       (slash && slash[1] && !strcmp(slash + 1, key)) ||
                       (name && !strcasecmp(name, key));
        if (is_exact) cJSON_AddItemToArray(exact, t);
        else if (all_words(name, key) || (url && ci_contains(url, key, strlen(key))))
            cJSON_AddItemToArray(fuzzy, t);
        else cJSON_Delete(t);
    }
    cJSON_Delete(all);
    while ((t = cJSON_DetachItemFromArray(fuzzy, 0))) cJSON_AddItemToArray(exact, t);
    cJSON_Delete(fuzzy);
    return exact;
}

int store_test_rename(oo_store *s, int64_t id, const char *name, oo_err *err)
{
    static const char sql[] = "UPDATE tests SET name = ? WHERE id = ? AND deleted_at IS NULL";
    if (name && *name && oo_text_check_name(name, OO_NAME_MAX_CHARS, "the test's name", err) != 0) return -1;
    sqlite3_stmt *st = prep(s, sql, err);
    if (!st) return -1;
    bind_text(st, 1, (name && *name) ? name : NULL);
    sqlite3_bind_int64(st, 2, id);
    if (exec_step(s, st, err, "cannot rename the test") != 0) return -1;
    if (sqlite3_changes(s->db) == 0)
        return oo_err_set(err, OO_E_INPUT, "no test %lld: see `oo-automator tests`", (long long)id);
    return 0;
}

int store_test_delete(oo_store *s, int64_t id, oo_err *err)
{
    static const char sql[] =
        "UPDATE tests SET deleted_at = CURRENT_TIMESTAMP WHERE id = ? AND deleted_at IS NULL";
    sqlite3_stmt *st = prep(s, sql, err);
    if (!st) return -1;
    sqlite3_bind_int64(st, 1, id);
    if (exec_step(s, st, err, "cannot delete the test") != 0) return -1;
    if (sqlite3_changes(s->db) == 0)
        return oo_err_set(err, OO_E_INPUT, "no test %lld: see `oo-automator tests`", (long long)id);
    return 0;
}

/* ---- runs --------------------------------------------------------------------------------- */

int64_t store_run_create(oo_store *s, int64_t test_id, const char *name, const char *mode,
                         const cJSON *config, int browsers, oo_err *err)
{
    static const char ins[] =
        "INSERT INTO runs(test_id, name, mode, config, browsers) VALUES (?, ?, ?, ?, ?)";
    static const char touch[] =
        "UPDATE tests SET last_run_at = CURRENT_TIMESTAMP, run_count = run_count + 1 WHERE id = ?";
    if (!mode || !*mode) return oo_err_set(err, OO_E_INPUT, "a run needs a mode");
    if (store_begin(s, err) != 0) return -1;
    sqlite3_stmt *st = prep(s, ins, err);
    if (!st) goto fail;
    bind_id(st, 1, test_id);
    bind_text(st, 2, name);
    bind_text(st, 3, mode);
    if (config) bind_json(st, 4, config);
    else sqlite3_bind_text(st, 4, "{}", -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 5, browsers > 0 ? browsers : 1);
    if (exec_step(s, st, err, "cannot create the run") != 0) goto fail;
    int64_t id = sqlite3_last_insert_rowid(s->db);
    if (test_id > 0) {
        st = prep(s, touch, err);
        if (!st) goto fail;
        sqlite3_bind_int64(st, 1, test_id);
        if (exec_step(s, st, err, "cannot update the test") != 0) goto fail;
    }
    if (event_simple(s, id, "run_created", err, "run_id", id, "mode", mode) != 0) goto fail;
    if (store_commit(s, err) != 0) return -1;
    return id;
fail:
    store_rollback(s);
    return -1;
}

#define RUN_SELECT \
    "SELECT r.id, r.test_id, t.url AS test_url, t.name AS test_name, r.name, r.mode, r.config, " \
    "r.status, r.browsers, r.error, r.started_at, r.completed_at, r.created_at, r.engine, r.engine_seen_at, " \
    "r.account, r.queued_at, " \
    "(SELECT COUNT(*) FROM tasks WHERE run_id = r.id) AS total, " \
    "(SELECT COUNT(*) FROM tasks WHERE run_id = r.id AND status = 'pending') AS pending, " \
    "(SELECT COUNT(*) FROM tasks WHERE run_id = r.id AND status = 'running') AS running, " \
    "(SELECT COUNT(*) FROM tasks WHERE run_id = r.id AND status = 'completed') AS completed, " \
    "(SELECT COUNT(*) FROM tasks WHERE run_id = r.id AND status = 'failed') AS failed, " \
    "(SELECT COUNT(*) FROM tasks WHERE run_id = r.id AND status = 'skipped') AS skipped " \
    "FROM runs r LEFT JOIN tests t ON t.id = r.test_id "

static void run_liveness(oo_store *s, cJSON *run, int64_t now);

/* Moves the count columns of a run row into a "counts" object; says whether its engine lives. */
static void run_counts(oo_store *s, cJSON *run)
{
    run_liveness(s, run, oo_wall_ms());
    static const char *const keys[] = {"total", "pending", "running", "completed", "failed", "skipped", NULL};
    cJSON *c = cJSON_CreateObject();
    for (int i = 0; keys[i]; i++) {
        cJSON *v = cJSON_DetachItemFromObject(run, keys[i]);
        if (v) cJSON_AddItemToObject(c, keys[i], v);
    }
    cJSON_AddItemToObject(run, "counts", c);
}

cJSON *store_run_get(oo_store *s, int64_t id, oo_err *err)
{
    static const char sql[] = RUN_SELECT "WHERE r.id = ?";
    sqlite3_stmt *st = prep(s, sql, err);
    if (!st) return NULL;
    sqlite3_bind_int64(st, 1, id);
    int found;
    cJSON *o = one_json(s, st, err, "cannot read the run", &found);
    if (!found) {
        if (!err->code) oo_err_set(err, OO_E_INPUT, "no run %lld: see `oo-automator list`", (long long)id);
        return NULL;
    }
    run_counts(s, o);
    return o;
}

cJSON *store_runs_list(oo_store *s, const store_run_filter *f, oo_err *err)
{
    static const char sql[] = RUN_SELECT
        "WHERE (?1 IS NULL OR r.test_id = ?1) "
        "AND (?2 IS NULL OR r.status = ?2 OR (?2 = 'interrupted' AND r.status IN ('running', 'queued'))) "
        "AND (?3 IS NULL OR r.mode = ?3) "
        "AND (?4 IS NULL OR instr(lower(COALESCE(r.name,'') || ' ' || COALESCE(t.name,'') || ' ' || COALESCE(t.url,'')), lower(?4)) > 0) "
        "ORDER BY r.id DESC LIMIT ?5 OFFSET ?6";
    store_run_filter none = {0};
    if (!f) f = &none;
    sqlite3_stmt *st = prep(s, sql, err);
    if (!st) return NULL;
    bind_id(st, 1, f->test_id);
    bind_text(st, 2, f->status);
    bind_text(st, 3, f->mode);
    bind_text(st, 4, (f->search && *f->search) ? f->search : NULL);
    sqlite3_bind_int(st, 5, f->limit > 0 ? f->limit : 100);
    sqlite3_bind_int(st, 6, f->offset > 0 ? f->offset : 0);
    cJSON *arr = rows_json(s, st, err, "cannot list runs");
    cJSON *r = arr ? arr->child : NULL;
    while (r) {       /* running and queued as they really are: a run whose engine is gone is not */
        cJSON *next = r->next;
        run_counts(s, r);
        const char *now = cJSON_GetStringValue(cJSON_GetObjectItem(r, "status"));
        if (f->status && now && strcmp(f->status, now)) cJSON_Delete(cJSON_DetachItemViaPointer(arr, r));
        r = next;
    }
    return arr;
}

static int valid_run_status(const char *st)
{
    static const char *const ok[] = {"pending", "queued", "running", "paused", "completed", "failed", "cancelled", NULL};
    for (int i = 0; ok[i]; i++)
        if (st && !strcmp(st, ok[i])) return 1;
    return 0;
}

int store_run_set_status(oo_store *s, int64_t id, const char *status, const char *error_msg,
                         oo_err *err)
{
    static const char sql[] =
        "UPDATE runs SET status = ?2, error = ?3, "
        "started_at = CASE WHEN ?2 = 'running' AND started_at IS NULL THEN CURRENT_TIMESTAMP ELSE started_at END, "
        "completed_at = CASE WHEN ?2 IN ('completed','failed','cancelled') THEN CURRENT_TIMESTAMP "
        "                    WHEN ?2 IN ('running','pending','paused') THEN NULL ELSE completed_at END "
        "WHERE id = ?1";
    if (!valid_run_status(status))
        return oo_err_set(err, OO_E_INPUT, "unknown run status \"%s\"", status ? status : "");
    if (store_begin(s, err) != 0) return -1;
    sqlite3_stmt *st = prep(s, sql, err);
    if (!st) goto fail;
    sqlite3_bind_int64(st, 1, id);
    bind_text(st, 2, status);
    bind_text(st, 3, error_msg);
    if (exec_step(s, st, err, "cannot change the run's status") != 0) goto fail;
    if (sqlite3_changes(s->db) == 0) {
        oo_err_set(err, OO_E_INPUT, "no run %lld: see `oo-automator list`", (long long)id);
        goto fail;
    }
    if (event_simple(s, id, "run_status", err, "run_id", id, "status", status) != 0) goto fail;
    return store_commit(s, err);
fail:
    store_rollback(s);
    return -1;
}

int store_run_set_script(oo_store *s, int64_t id, const char *text, oo_err *err)
{
    static const char sql[] = "UPDATE runs SET script = ? WHERE id = ?";
    sqlite3_stmt *st = prep(s, sql, err);
    if (!st) return -1;
    bind_text(st, 1, text);
    sqlite3_bind_int64(st, 2, id);
    if (exec_step(s, st, err, "cannot store the run's script") != 0) return -1;
    if (sqlite3_changes(s->db) == 0)
        return oo_err_set(err, OO_E_INPUT, "no run %lld: see `oo-automator list`", (long long)id);
    return 0;
}

char *store_run_script(oo_store *s, int64_t id, oo_err *err)
{
    static const char sql[] = "SELECT script FROM runs WHERE id = ?";
    sqlite3_stmt *st = prep(s, sql, err);
    if (!st) return NULL;
    sqlite3_bind_int64(st, 1, id);
    char *text = NULL;
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
        text = oo_strdup((const char *)sqlite3_column_text(st, 0));
    else if (rc == SQLITE_DONE)
        oo_err_set(err, OO_E_INPUT, "no run %lld: see `oo-automator list`", (long long)id);
    else if (rc != SQLITE_ROW)
        db_err(s, err, "cannot read the run's script");
    sqlite3_reset(st);
    return text;
}

int store_run_status(oo_store *s, int64_t id, char *buf, size_t n, oo_err *err)
{
    static const char sql[] = "SELECT status FROM runs WHERE id = ?";
    sqlite3_stmt *st = prep(s, sql, err);
    if (!st) return -1;
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st), out = 0;
    if (rc == SQLITE_ROW) snprintf(buf, n, "%s", (const char *)sqlite3_column_text(st, 0));
    else if (rc == SQLITE_DONE) out = oo_err_set(err, OO_E_INPUT, "no run %lld: see `oo-automator list`", (long long)id);
    else out = db_err(s, err, "cannot read the run's status");
    sqlite3_reset(st);
    return out;
}

/* One integer a query over a run's tasks answers; -1 on error. */
static int64_t run_number(oo_store *s, const char *sql, int64_t run_id, oo_err *err, const char *what)
{
    sqlite3_stmt *st = prep(s, sql, err);
    if (!st) return -1;
    sqlite3_bind_int64(st, 1, run_id);
    int64_t n = -1;
    if (sqlite3_step(st) == SQLITE_ROW) n = sqlite3_column_int64(st, 0);
    else db_err(s, err, what);
    sqlite3_reset(st);
    return n;
}

int store_run_open_tasks(oo_store *s, int64_t run_id, oo_err *err)
{
    static const char sql[] =
        "SELECT COUNT(*) FROM tasks WHERE run_id = ? AND status IN ('pending', 'running')";
    return (int)run_number(s, sql, run_id, err, "cannot count the run's open tasks");
}

int store_run_max_stage(oo_store *s, int64_t run_id, oo_err *err)
{
    static const char sql[] = "SELECT COALESCE(MAX(stage), 0) FROM tasks WHERE run_id = ?";
    return (int)run_number(s, sql, run_id, err, "cannot read the run's last stage");
}

cJSON *store_run_counts(oo_store *s, int64_t run_id, oo_err *err)
{
    static const char sql[] = "SELECT status, COUNT(*) FROM tasks WHERE run_id = ? GROUP BY status";
    static const char *const keys[] = {"pending", "running", "completed", "failed", "skipped", NULL};
    sqlite3_stmt *st = prep(s, sql, err);
    if (!st) return NULL;
    sqlite3_bind_int64(st, 1, run_id);
    int64_t n[5] = {0}, total = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *status = (const char *)sqlite3_column_text(st, 0);
        for (int i = 0; keys[i]; i++)
            if (status && !strcmp(status, keys[i])) n[i] = sqlite3_column_int64(st, 1);
        total += sqlite3_column_int64(st, 1);
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        db_err(s, err, "cannot count the run's tasks");
        return NULL;
    }
    cJSON *c = cJSON_CreateObject();
    cJSON_AddNumberToObject(c, "total", (double)total);
    for (int i = 0; keys[i]; i++) cJSON_AddNumberToObject(c, keys[i], (double)n[i]);
    return c;
}

cJSON *store_run_lease_owners(oo_store *s, int64_t run_id, oo_err *err)
{
    static const char sql[] =
        "SELECT DISTINCT lease_owner AS owner FROM tasks WHERE run_id = ? AND status = 'running' "
        "AND lease_owner IS NOT NULL ORDER BY lease_owner";
    sqlite3_stmt *st = prep(s, sql, err);
    if (!st) return NULL;
    sqlite3_bind_int64(st, 1, run_id);
    cJSON *rows = rows_json(s, st, err, "cannot read the run's leases");
    if (!rows) return NULL;
    cJSON *out = cJSON_CreateArray(), *r;
    cJSON_ArrayForEach(r, rows) cJSON_AddItemToArray(out, cJSON_DetachItemFromObject(r, "owner"));
    cJSON_Delete(rows);
    return out;
}

int store_run_release_owner(oo_store *s, int64_t run_id, const char *owner, oo_err *err)
{
    static const char sql[] =
        "UPDATE tasks SET status = 'pending', lease_owner = NULL, lease_expires_at = NULL "
        "WHERE run_id = ? AND status = 'running' AND lease_owner = ?";
    sqlite3_stmt *st = prep(s, sql, err);
    if (!st) return -1;
    sqlite3_bind_int64(st, 1, run_id);
    bind_text(st, 2, owner);
    if (exec_step(s, st, err, "cannot give the tasks back") != 0) return -1;
    return sqlite3_changes(s->db);
}

/* ---- tasks -------------------------------------------------------------------------------- */

int store_tasks_add(oo_store *s, int64_t run_id, const cJSON *tasks, oo_err *err)
{
    static const char next_seq[] = "SELECT COALESCE(MAX(seq), 0) FROM tasks WHERE run_id = ?";
    static const char ins[] =
        "INSERT INTO tasks(run_id, stage, seq, parameter_values, config_hash) VALUES (?, ?, ?, ?, ?)";
    if (!cJSON_IsArray(tasks)) return oo_err_set(err, OO_E_INPUT, "tasks: expected an array");
    if (store_begin(s, err) != 0) return -1;
    sqlite3_stmt *st = prep(s, next_seq, err);
    if (!st) goto fail;
    sqlite3_bind_int64(st, 1, run_id);
    int64_t seq = 0;
    if (sqlite3_step(st) == SQLITE_ROW) seq = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    int n = 0;
    const cJSON *t;
    cJSON_ArrayForEach(t, tasks) {
        const cJSON *values = cJSON_GetObjectItem(t, "values");
        if (!cJSON_IsObject(values)) {
            oo_err_set(err, OO_E_INPUT, "tasks[%d].values: expected an object", n);
            goto fail;
        }
        const cJSON *stage = cJSON_GetObjectItem(t, "stage");
        st = prep(s, ins, err);
        if (!st) goto fail;
        sqlite3_bind_int64(st, 1, run_id);
        sqlite3_bind_int(st, 2, cJSON_IsNumber(stage) ? stage->valueint : 1);
        sqlite3_bind_int64(st, 3, ++seq);
        bind_json(st, 4, values);
        bind_text(st, 5, cJSON_GetStringValue(cJSON_GetObjectItem(t, "config_hash")));
        if (exec_step(s, st, err, "cannot add a task") != 0) goto fail;
        n++;
    }
    cJSON *p = cJSON_CreateObject();
    cJSON_AddNumberToObject(p, "run_id", (double)run_id);
    cJSON_AddNumberToObject(p, "added", n);
    int64_t ev = store_event_append(s, run_id, "tasks_added", p, err);
    cJSON_Delete(p);
    if (ev < 0) goto fail;
    if (store_commit(s, err) != 0) return -1;
    return n;
fail:
    store_rollback(s);
    return -1;
}

#define TASK_COLS "id, run_id, stage, seq, parameter_values, config_hash, status, attempts, retries, " \
                  "error, lease_owner, lease_expires_at, started_at, completed_at"

int store_task_lease(oo_store *s, int64_t run_id, const char *owner, int64_t lease_ms,
                     cJSON **task_out, oo_err *err)
{
    static const char pick[] =
        "SELECT id FROM tasks WHERE run_id = ?1 AND (status = 'pending' OR "
        "(status = 'running' AND lease_expires_at IS NOT NULL AND lease_expires_at < ?2)) "
        "ORDER BY stage, seq LIMIT 1";
    static const char take[] =
        "UPDATE tasks SET status = 'running', lease_owner = ?2, lease_expires_at = ?3, "
        "started_at = CURRENT_TIMESTAMP WHERE id = ?1 RETURNING " TASK_COLS;
    *task_out = NULL;
    if (!owner || !*owner) return oo_err_set(err, OO_E_INPUT, "a lease needs an owner");
    if (store_begin(s, err) != 0) return -1;
    int64_t now = oo_wall_ms();
    sqlite3_stmt *st = prep(s, pick, err);
    if (!st) goto fail;
    sqlite3_bind_int64(st, 1, run_id);
    sqlite3_bind_int64(st, 2, now);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_DONE) {
        sqlite3_reset(st);
        return store_commit(s, err) == 0 ? 0 : -1;
    }
    if (rc != SQLITE_ROW) {
        db_err(s, err, "cannot pick a task");
        sqlite3_reset(st);
        goto fail;
    }
    int64_t id = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    st = prep(s, take, err);
    if (!st) goto fail;
    sqlite3_bind_int64(st, 1, id);
    bind_text(st, 2, owner);
    sqlite3_bind_int64(st, 3, now + (lease_ms != 0 ? lease_ms : 60000));
    int found;
    cJSON *task = one_json(s, st, err, "cannot lease the task", &found);
    if (!found) goto fail;
    cJSON *p = cJSON_CreateObject();
    cJSON_AddNumberToObject(p, "task_id", (double)id);
    cJSON_AddItemToObject(p, "values", cJSON_Duplicate(cJSON_GetObjectItem(task, "values"), 1));
    cJSON_AddStringToObject(p, "worker", owner);
    int64_t ev = store_event_append(s, run_id, "task_started", p, err);
    cJSON_Delete(p);
    if (ev < 0 || store_commit(s, err) != 0) {
        cJSON_Delete(task);
        if (ev < 0) goto fail;
        return -1;
    }
    *task_out = task;
    return 1;
fail:
    store_rollback(s);
    return -1;
}

int store_task_renew(oo_store *s, int64_t task_id, const char *owner, int64_t lease_ms, oo_err *err)
{
    static const char sql[] =
        "UPDATE tasks SET lease_expires_at = ? WHERE id = ? AND status = 'running' AND lease_owner = ?";
    sqlite3_stmt *st = prep(s, sql, err);
    if (!st) return -1;
    sqlite3_bind_int64(st, 1, oo_wall_ms() + lease_ms);
    sqlite3_bind_int64(st, 2, task_id);
    bind_text(st, 3, owner);
    if (exec_step(s, st, err, "cannot renew the lease") != 0) return -1;
    if (sqlite3_changes(s->db) == 0)
        return oo_err_set(err, OO_E_INPUT, "task %lld is no longer leased by %s", (long long)task_id, owner);
    return 0;
}

int store_task_release(oo_store *s, int64_t task_id, const char *owner, oo_err *err)
{
    static const char sql[] =
        "UPDATE tasks SET status = 'pending', lease_owner = NULL, lease_expires_at = NULL "
        "WHERE id = ? AND status = 'running' AND (? IS NULL OR lease_owner = ?3)";
    sqlite3_stmt *st = prep(s, sql, err);
    if (!st) return -1;
    sqlite3_bind_int64(st, 1, task_id);
    bind_text(st, 2, owner);
    bind_text(st, 3, owner);
    return exec_step(s, st, err, "cannot release the task");
}

int store_task_set_hash(oo_store *s, int64_t task_id, const char *config_hash, oo_err *err)
{
    static const char sql[] = "UPDATE tasks SET config_hash = ? WHERE id = ?";
    sqlite3_stmt *st = prep(s, sql, err);
    if (!st) return -1;
    bind_text(st, 1, config_hash);
    sqlite3_bind_int64(st, 2, task_id);
    return exec_step(s, st, err, "cannot store the configuration hash");
}

static double num_or_nan(const cJSON *o, const char *k, int *present)
{
    const cJSON *v = cJSON_GetObjectItem(o, k);
    *present = cJSON_IsNumber(v);
    return *present ? v->valuedouble : 0;
}

/* The result a task already has (its id), 0 when none, -1 on error. */
static int64_t existing_result(oo_store *s, int64_t task_id, oo_err *err)
{
    static const char sql[] = "SELECT id FROM results WHERE task_id = ?";
    sqlite3_stmt *st = prep(s, sql, err);
    if (!st) return -1;
    sqlite3_bind_int64(st, 1, task_id);
    int64_t id = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_reset(st);
    return id;
}

/* The task's run and test: 0, or -1 with err ("no task N"). */
static int task_run_and_test(oo_store *s, int64_t task_id, int64_t *run_id, int64_t *test_id, oo_err *err)
{
    static const char sql[] = "SELECT t.run_id, r.test_id FROM tasks t JOIN runs r ON r.id = t.run_id WHERE t.id = ?";
    sqlite3_stmt *st = prep(s, sql, err);
    if (!st) return -1;
    sqlite3_bind_int64(st, 1, task_id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *run_id = sqlite3_column_int64(st, 0);
        *test_id = sqlite3_column_type(st, 1) == SQLITE_NULL ? 0 : sqlite3_column_int64(st, 1);
    }
    sqlite3_reset(st);
    if (rc != SQLITE_ROW) return oo_err_set(err, OO_E_INPUT, "no task %lld", (long long)task_id);
    return 0;
}

/* The results row: the design's metric columns (the one place in C that names them), the whole
 * metrics as JSON, the configuration and the raw answer. Its id, or -1. */
static int64_t insert_result(oo_store *s, int64_t task_id, int64_t test_id, const cJSON *result, oo_err *err)
{
    static const char sql[] =
        "INSERT INTO results(task_id, test_id, config_hash, pl, cagr, max_drawdown, win_percentage, "
        "capture_rate, mar, total_premium, starting_capital, ending_capital, trades_count, winners, "
        "avg_per_trade, avg_winner, avg_loser, max_winner, max_loser, avg_minutes_in_trade, "
        "metrics, config, raw_data, cached_from) "
        "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";
    static const char *const metric_keys[] = {
        "pl", "cagr", "max_drawdown", "win_percentage", "capture_rate", "mar", "total_premium",
        "starting_capital", "ending_capital", "trades", "winners", "avg_per_trade", "avg_winner",
        "avg_loser", "max_winner", "max_loser", "avg_minutes_in_trade", NULL};
    const cJSON *metrics = cJSON_GetObjectItem(result, "metrics");
    sqlite3_stmt *st = prep(s, sql, err);
    if (!st) return -1;
    sqlite3_bind_int64(st, 1, task_id);
    bind_id(st, 2, test_id);
    bind_text(st, 3, cJSON_GetStringValue(cJSON_GetObjectItem(result, "config_hash")));
    for (int i = 0; metric_keys[i]; i++) {
        int present;
        double v = num_or_nan(metrics, metric_keys[i], &present);
        if (present) sqlite3_bind_double(st, 4 + i, v);
        else sqlite3_bind_null(st, 4 + i);
    }
    bind_json(st, 21, metrics);
    bind_json(st, 22, cJSON_GetObjectItem(result, "config"));
    bind_json(st, 23, cJSON_GetObjectItem(result, "raw_data"));
    const cJSON *cached = cJSON_GetObjectItem(result, "cached_from");
    bind_id(st, 24, cJSON_IsNumber(cached) ? (int64_t)cached->valuedouble : 0);
    if (exec_step(s, st, err, "cannot store the result") != 0) return -1;
    return sqlite3_last_insert_rowid(s->db);
}

/* The trades of a result; their number, or -1. */
static int insert_trades(oo_store *s, int64_t result_id, const cJSON *trades, oo_err *err)
{
    static const char sql[] = "INSERT INTO trades(result_id, trade_data) VALUES (?, ?)";
    const cJSON *t;
    int n = 0;
    cJSON_ArrayForEach(t, trades) {
        sqlite3_stmt *st = prep(s, sql, err);
        if (!st) return -1;
        sqlite3_bind_int64(st, 1, result_id);
        bind_json(st, 2, t);
        if (exec_step(s, st, err, "cannot store a trade") != 0) return -1;
        n++;
    }
    return n;
}

/* The task is completed (its successful attempt counted), with a task_completed event. */
static int mark_completed(oo_store *s, int64_t task_id, int64_t run_id, int64_t result_id, const cJSON *result,
                          int ntrades, oo_err *err)
{
    static const char sql[] =
        "UPDATE tasks SET status = 'completed', completed_at = CURRENT_TIMESTAMP, lease_owner = NULL, "
        "lease_expires_at = NULL, error = NULL, config_hash = COALESCE(?2, config_hash), "
        "attempts = attempts + 1 WHERE id = ?1";
    sqlite3_stmt *st = prep(s, sql, err);
    if (!st) return -1;
    sqlite3_bind_int64(st, 1, task_id);
    bind_text(st, 2, cJSON_GetStringValue(cJSON_GetObjectItem(result, "config_hash")));
    if (exec_step(s, st, err, "cannot complete the task") != 0) return -1;
    const cJSON *metrics = cJSON_GetObjectItem(result, "metrics");
    cJSON *p = cJSON_CreateObject();
    cJSON_AddNumberToObject(p, "task_id", (double)task_id);
    cJSON_AddNumberToObject(p, "result_id", (double)result_id);
    cJSON_AddNumberToObject(p, "trades", ntrades);
    if (metrics) cJSON_AddItemToObject(p, "metrics", cJSON_Duplicate(metrics, 1));
    if (cJSON_IsNumber(cJSON_GetObjectItem(result, "cached_from"))) cJSON_AddTrueToObject(p, "cached");
    int64_t ev = store_event_append(s, run_id, "task_completed", p, err);
    cJSON_Delete(p);
    return ev < 0 ? -1 : 0;
}

int64_t store_task_complete(oo_store *s, int64_t task_id, const cJSON *result,
                            const cJSON *trades, oo_err *err)
{
    if (store_begin(s, err) != 0) return -1;
    int64_t result_id = existing_result(s, task_id, err), run_id = 0, test_id = 0;
    if (result_id > 0) return store_commit(s, err) == 0 ? result_id : -1;   /* idempotent */
    if (result_id < 0 || task_run_and_test(s, task_id, &run_id, &test_id, err) != 0) goto fail;
    if ((result_id = insert_result(s, task_id, test_id, result, err)) < 0) goto fail;
    int ntrades = insert_trades(s, result_id, trades, err);
    if (ntrades < 0 || mark_completed(s, task_id, run_id, result_id, result, ntrades, err) != 0) goto fail;
    if (store_commit(s, err) != 0) return -1;
    return result_id;
fail:
    store_rollback(s);
    return -1;
}

/* A failed attempt counts; the task becomes `status` (pending: another attempt; failed or
 * skipped: for good), with its event. */
static int task_attempt_failed(oo_store *s, int64_t task_id, const char *error_msg, const char *status, oo_err *err)
{
    static const char sql[] =
        "UPDATE tasks SET attempts = attempts + 1, error = ?2, lease_owner = NULL, "
        "lease_expires_at = NULL, status = ?3, "
        "completed_at = CASE WHEN ?3 <> 'pending' THEN CURRENT_TIMESTAMP ELSE NULL END "
        "WHERE id = ?1 AND status <> 'completed' RETURNING run_id, attempts";
    if (store_begin(s, err) != 0) return -1;
    sqlite3_stmt *st = prep(s, sql, err);
    if (!st) goto fail;
    sqlite3_bind_int64(st, 1, task_id);
    bind_text(st, 2, error_msg);
    bind_text(st, 3, status);
    int rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        if (rc == SQLITE_DONE) oo_err_set(err, OO_E_INPUT, "no unfinished task %lld", (long long)task_id);
        else db_err(s, err, "cannot record the failure");
        sqlite3_reset(st);
        goto fail;
    }
    int64_t run_id = sqlite3_column_int64(st, 0);
    int attempts = sqlite3_column_int(st, 1);
    sqlite3_reset(st);
    cJSON *p = cJSON_CreateObject();
    cJSON_AddNumberToObject(p, "task_id", (double)task_id);
    cJSON_AddNumberToObject(p, "attempts", attempts);
    cJSON_AddBoolToObject(p, "final", strcmp(status, "pending") != 0);
    if (error_msg) cJSON_AddStringToObject(p, "error", error_msg);
    int64_t ev = store_event_append(s, run_id, !strcmp(status, "skipped") ? "task_skipped" : "task_failed", p, err);
    cJSON_Delete(p);
    if (ev < 0) goto fail;
    return store_commit(s, err);
fail:
    store_rollback(s);
    return -1;
}

int store_task_fail(oo_store *s, int64_t task_id, const char *error_msg, int final, oo_err *err)
{
    return task_attempt_failed(s, task_id, error_msg, final ? "failed" : "pending", err);
}

int store_task_skip(oo_store *s, int64_t task_id, const char *error_msg, oo_err *err)
{
    return task_attempt_failed(s, task_id, error_msg, "skipped", err);
}

cJSON *store_run_failed_tasks(oo_store *s, int64_t run_id, oo_err *err)
{
    static const char sql[] =
        "SELECT t.id, t.stage, t.seq, t.attempts, t.retries, "
        "(SELECT group_concat(DISTINCT f.failure_type) FROM failures f WHERE f.task_id = t.id) AS types "
        "FROM tasks t WHERE t.run_id = ? AND t.status = 'failed' ORDER BY t.stage, t.seq";
    sqlite3_stmt *st = prep(s, sql, err);
    if (!st) return NULL;
    sqlite3_bind_int64(st, 1, run_id);
    return rows_json(s, st, err, "cannot list the run's failed tasks");
}

/* One failed task (or all, id 0) of the run back to pending for another round; the count. */
static int retry_one(oo_store *s, int64_t run_id, int64_t id, oo_err *err)
{
    static const char sql[] =
        "UPDATE tasks SET status = 'pending', retries = retries + 1, error = NULL, completed_at = NULL, "
        "lease_owner = NULL, lease_expires_at = NULL WHERE run_id = ?1 AND status = 'failed' AND (?2 = 0 OR id = ?2)";
    sqlite3_stmt *st = prep(s, sql, err);
    if (!st) return -1;
    sqlite3_bind_int64(st, 1, run_id);
    sqlite3_bind_int64(st, 2, id);
    if (exec_step(s, st, err, "cannot put the task back in the queue") != 0) return -1;
    return sqlite3_changes(s->db);
}

int store_tasks_retry(oo_store *s, int64_t run_id, const cJSON *ids, const char *by, oo_err *err)
{
    if (store_begin(s, err) != 0) return -1;
    int n = 0, rc = 0;
    const cJSON *id;
    if (!ids) rc = n = retry_one(s, run_id, 0, err);
    cJSON_ArrayForEach(id, ids) {
        if (!cJSON_IsNumber(id) || (rc = retry_one(s, run_id, (int64_t)id->valuedouble, err)) < 0) break;
        n += rc;
    }
    if (rc < 0 || (ids && !cJSON_IsArray(ids))) {
        if (rc >= 0) oo_err_set(err, OO_E_INPUT, "tasks to retry: expected an array of ids");
        store_rollback(s);
        return -1;
    }
    cJSON *p = cJSON_CreateObject();
    cJSON_AddNumberToObject(p, "run_id", (double)run_id);
    cJSON_AddNumberToObject(p, "tasks", n);
    cJSON_AddStringToObject(p, "by", by ? by : "hand");
    int64_t ev = n > 0 ? store_event_append(s, run_id, "tasks_retried", p, err) : 0;
    cJSON_Delete(p);
    if (ev < 0) { store_rollback(s); return -1; }
    return store_commit(s, err) == 0 ? n : -1;
}

int store_run_reset_running(oo_store *s, int64_t run_id, oo_err *err)
{
    static const char sql[] =
        "UPDATE tasks SET status = 'pending', lease_owner = NULL, lease_expires_at = NULL "
        "WHERE run_id = ? AND status = 'running'";
    sqlite3_stmt *st = prep(s, sql, err);
    if (!st) return -1;
    sqlite3_bind_int64(st, 1, run_id);
    if (exec_step(s, st, err, "cannot reset the run's tasks") != 0) return -1;
    return sqlite3_changes(s->db);
}

#define RESULT_METRIC_COLS "r.pl, r.cagr, r.max_drawdown, r.win_percentage, r.capture_rate, r.mar, " \
    "r.total_premium, r.starting_capital, r.ending_capital, r.trades_count, r.winners, " \
    "r.avg_per_trade, r.avg_winner, r.avg_loser, r.max_winner, r.max_loser, r.avg_minutes_in_trade"

cJSON *store_run_tasks(oo_store *s, int64_t run_id, oo_err *err)
{
    static const char sql[] =
        "SELECT t.id, t.stage, t.seq, t.parameter_values, t.status, t.attempts, t.retries, t.error, "
        "t.lease_owner, t.config_hash, r.id AS result_id, r.cached_from, " RESULT_METRIC_COLS " "
        "FROM tasks t LEFT JOIN results r ON r.task_id = t.id WHERE t.run_id = ? ORDER BY t.stage, t.seq";
    sqlite3_stmt *st = prep(s, sql, err);
    if (!st) return NULL;
    sqlite3_bind_int64(st, 1, run_id);
    return rows_json(s, st, err, "cannot list the run's tasks");
}

cJSON *store_run_results(oo_store *s, int64_t run_id, oo_err *err)
{
    static const char sql[] =
        "SELECT t.id AS task_id, t.stage, t.seq, t.parameter_values, r.id AS result_id, "
        RESULT_METRIC_COLS ", r.metrics, r.config_hash, r.cached_from, r.created_at "
        "FROM tasks t JOIN results r ON r.task_id = t.id WHERE t.run_id = ? ORDER BY t.stage, t.seq";
    sqlite3_stmt *st = prep(s, sql, err);
    if (!st) return NULL;
    sqlite3_bind_int64(st, 1, run_id);
    return rows_json(s, st, err, "cannot list the run's results");
}

cJSON *store_backtest_seconds(oo_store *s, int runs, oo_err *err)
{
    static const char sql[] =
        "SELECT t.run_id, (julianday(t.completed_at) - julianday(t.started_at)) * 86400.0 AS seconds "
        "FROM tasks t JOIN results r ON r.task_id = t.id "
        "WHERE r.cached_from IS NULL AND t.started_at IS NOT NULL AND t.completed_at IS NOT NULL "
        "  AND t.run_id IN (SELECT t2.run_id FROM tasks t2 JOIN results r2 ON r2.task_id = t2.id "
        "                   WHERE r2.cached_from IS NULL GROUP BY t2.run_id ORDER BY t2.run_id DESC LIMIT ?) "
        "ORDER BY t.run_id DESC, t.id";
    sqlite3_stmt *st = prep(s, sql, err);
    if (!st) return NULL;
    sqlite3_bind_int(st, 1, runs > 0 ? runs : 10);
    return rows_json(s, st, err, "cannot read the recent backtests' times");
}

cJSON *store_result_cached(oo_store *s, int64_t test_id, const char *config_hash, oo_err *err)
{
    static const char sql[] =
        "SELECT r.id, r.metrics, r.config, r.raw_data, r.config_hash FROM results r "
        "WHERE r.test_id = ? AND r.config_hash = ? ORDER BY r.id LIMIT 1";
    if (!config_hash || !*config_hash) return NULL;
    sqlite3_stmt *st = prep(s, sql, err);
    if (!st) return NULL;
    bind_id(st, 1, test_id);
    bind_text(st, 2, config_hash);
    int found;
    return one_json(s, st, err, "cannot look up the result cache", &found);
}

cJSON *store_result_trades(oo_store *s, int64_t result_id, oo_err *err)
{
    /* a result served from the cache keeps no trades of its own: its trades are those of the
     * result it reuses (cached_from, followed to the first result that holds trades) */
    static const char sql[] =
        "WITH RECURSIVE chain(id, depth) AS ("
        "  SELECT ?1, 0"
        "  UNION ALL SELECT r.cached_from, c.depth + 1 FROM results r JOIN chain c ON r.id = c.id"
        "  WHERE r.cached_from IS NOT NULL AND c.depth < 32"
        "    AND NOT EXISTS (SELECT 1 FROM trades WHERE result_id = c.id)) "
        "SELECT trade_data FROM trades WHERE result_id = (SELECT id FROM chain ORDER BY depth DESC LIMIT 1) ORDER BY id";
    sqlite3_stmt *st = prep(s, sql, err);
    if (!st) return NULL;
    sqlite3_bind_int64(st, 1, result_id);
    cJSON *rows = rows_json(s, st, err, "cannot read trades");
    if (!rows) return NULL;
    cJSON *out = cJSON_CreateArray(), *r;
    cJSON_ArrayForEach(r, rows)
        cJSON_AddItemToArray(out, cJSON_DetachItemFromObject(r, "trade_data"));
    cJSON_Delete(rows);
    return out;
}

cJSON *store_result_get(oo_store *s, int64_t result_id, oo_err *err)
{
    static const char sql[] =
        "SELECT r.id, r.task_id, t.run_id, t.stage, t.seq, t.parameter_values, r.test_id, " RESULT_METRIC_COLS ", "
        "r.metrics, r.config, r.raw_data, r.config_hash, r.cached_from, r.created_at "
        "FROM results r LEFT JOIN tasks t ON t.id = r.task_id WHERE r.id = ?";
    sqlite3_stmt *st = prep(s, sql, err);
    if (!st) return NULL;
    sqlite3_bind_int64(st, 1, result_id);
    int found;
    cJSON *o = one_json(s, st, err, "cannot read the result", &found);
    if (!o && !found && !err->code) oo_err_set(err, OO_E_INPUT, "no result %lld", (long long)result_id);
    return o;
}

cJSON *store_result_trade_fields(oo_store *s, int64_t result_id, const cJSON *fields, oo_err *err)
{
    /* parsed here rather than with json_extract: one parse per trade, whatever the fields */
    static const char sql[] = "SELECT trade_data FROM trades WHERE result_id = ? ORDER BY id";
    int n = cJSON_GetArraySize(fields);
    const cJSON *f;
    if (!cJSON_IsArray(fields) || n < 1 || n > 64) {
        oo_err_set(err, OO_E_INPUT, "trade fields: expected a list of 1 to 64 names");
        return NULL;
    }
    cJSON_ArrayForEach(f, fields)
        if (!cJSON_IsString(f)) {
            oo_err_set(err, OO_E_INPUT, "trade fields: expected names (strings)");
            return NULL;
        }
    sqlite3_stmt *st = prep(s, sql, err);
    if (!st) return NULL;
    sqlite3_bind_int64(st, 1, result_id);
    cJSON *out = cJSON_CreateArray();
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        cJSON *all = cJSON_Parse((const char *)sqlite3_column_text(st, 0)), *row = cJSON_CreateObject();
        cJSON_ArrayForEach(f, fields) {
            cJSON *v = cJSON_DetachItemFromObjectCaseSensitive(all, f->valuestring);
            if (v) cJSON_AddItemToObject(row, f->valuestring, v);
        }
        cJSON_Delete(all);
        cJSON_AddItemToArray(out, row);
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) { cJSON_Delete(out); db_err(s, err, "cannot read trades"); return NULL; }
    return out;
}

/* ---- failures ----------------------------------------------------------------------------- */

int64_t store_failure_add(oo_store *s, const store_failure *f, oo_err *err)
{
    static const char sql[] =
        "INSERT INTO failures(task_id, attempt_number, failure_type, error_message, screenshot_path, "
        "html_path, console_log, network_log_path) VALUES (?,?,?,?,?,?,?,?)";
    sqlite3_stmt *st = prep(s, sql, err);
    if (!st) return -1;
    bind_id(st, 1, f->task_id);
    sqlite3_bind_int(st, 2, f->attempt);
    bind_text(st, 3, f->type);
    bind_text(st, 4, f->message);
    bind_text(st, 5, f->screenshot_path);
    bind_text(st, 6, f->html_path);
    bind_json(st, 7, f->console_log);
    bind_text(st, 8, f->network_log_path);
    if (exec_step(s, st, err, "cannot store the failure") != 0) return -1;
    return sqlite3_last_insert_rowid(s->db);
}

cJSON *store_failures_list(oo_store *s, int64_t run_id, oo_err *err)
{
    static const char sql[] =
        "SELECT f.id, f.task_id, t.parameter_values, f.attempt_number, f.failure_type, "
        "f.error_message, f.screenshot_path, f.html_path, f.network_log_path, f.created_at "
        "FROM failures f JOIN tasks t ON t.id = f.task_id WHERE t.run_id = ? ORDER BY f.id";
    sqlite3_stmt *st = prep(s, sql, err);
    if (!st) return NULL;
    sqlite3_bind_int64(st, 1, run_id);
    return rows_json(s, st, err, "cannot list failures");
}

cJSON *store_failure_get(oo_store *s, int64_t id, oo_err *err)
{
    static const char sql[] =
        "SELECT f.id, f.task_id, t.run_id, f.attempt_number, f.failure_type, f.error_message, "
        "f.screenshot_path, f.html_path, f.network_log_path, f.console_log, f.created_at "
        "FROM failures f LEFT JOIN tasks t ON t.id = f.task_id WHERE f.id = ?";
    sqlite3_stmt *st = prep(s, sql, err);
    if (!st) return NULL;
    sqlite3_bind_int64(st, 1, id);
    int found;
    cJSON *o = one_json(s, st, err, "cannot read the failure", &found);
    if (!found && !err->code) oo_err_set(err, OO_E_INPUT, "no failure %lld", (long long)id);
    return o;
}

/* ---- settings ----------------------------------------------------------------------------- */

char *store_setting_get(oo_store *s, const char *key, oo_err *err)
{
    static const char sql[] = "SELECT value FROM settings WHERE key = ?";
    sqlite3_stmt *st = prep(s, sql, err);
    if (!st) return NULL;
    bind_text(st, 1, key);
    char *v = NULL;
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
        v = oo_strdup((const char *)sqlite3_column_text(st, 0));
    sqlite3_reset(st);
    return v;
}

int store_setting_set(oo_store *s, const char *key, const char *value, oo_err *err)
{
    static const char sql[] =
        "INSERT INTO settings(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value";
    if (key && strstr(key, "password"))
        return oo_err_set(err, OO_E_INPUT, "settings: \"%s\" looks like a secret; secrets are never stored in the database", key);
    sqlite3_stmt *st = prep(s, sql, err);
    if (!st) return -1;
    bind_text(st, 1, key);
    bind_text(st, 2, value);
    return exec_step(s, st, err, "cannot store the setting");
}

/* ---- timing baselines ---------------------------------------------------------------------- */

int store_step_times_add(oo_store *s, int64_t run_id, int64_t task_id, const char *recording,
                         const cJSON *times, oo_err *err)
{
    static const char sql[] =
        "INSERT INTO step_timings(run_id, task_id, recording, step, step_type, ms) VALUES (?,?,?,?,?,?)";
    if (!recording || !*recording || !cJSON_IsArray(times))
        return oo_err_set(err, OO_E_INPUT, "step times: a recording's name and an array of {step, type, ms} are needed");
    if (store_begin(s, err) != 0) return -1;
    const cJSON *t;
    cJSON_ArrayForEach(t, times) {
        const cJSON *step = cJSON_GetObjectItem(t, "step"), *ms = cJSON_GetObjectItem(t, "ms");
        const char *type = cJSON_GetStringValue(cJSON_GetObjectItem(t, "type"));
        if (!cJSON_IsNumber(step) || !cJSON_IsNumber(ms) || !type || ms->valuedouble < 0) {
            store_rollback(s);
            return oo_err_set(err, OO_E_INPUT, "step times of %s: each needs a step index, a type and ms >= 0", recording);
        }
        sqlite3_stmt *st = prep(s, sql, err);
        if (!st) { store_rollback(s); return -1; }
        bind_id(st, 1, run_id);
        bind_id(st, 2, task_id);
        bind_text(st, 3, recording);
        sqlite3_bind_int(st, 4, step->valueint);
        bind_text(st, 5, type);
        sqlite3_bind_double(st, 6, ms->valuedouble);
        if (exec_step(s, st, err, "cannot store step times") != 0) { store_rollback(s); return -1; }
    }
    return store_commit(s, err);
}

/* The p-th percentile (nearest rank) of n sorted values. */
static double nearest_rank(const double *v, int n, double p)
{
    int k = (int)(p * n);
    if ((double)k < p * n) k++;   /* the rank is ceil(p n), counted from 1 */
    k--;
    return v[k < 0 ? 0 : k >= n ? n - 1 : k];
}

/* Rows {recording, step, step_type, ms} sorted by step then ms, grouped: one object a step
 * with n, p50, p95 and max. */
static cJSON *group_steps(oo_store *s, sqlite3_stmt *st, oo_err *err)
{
    cJSON *out = cJSON_CreateArray();
    double *v = NULL;
    int n = 0, cap = 0, rc;
    char *rec = NULL, *type = NULL;
    int step = -1;
    for (;;) {
        rc = sqlite3_step(st);
        const char *r = rc == SQLITE_ROW ? (const char *)sqlite3_column_text(st, 0) : NULL;
        const char *ty = rc == SQLITE_ROW ? (const char *)sqlite3_column_text(st, 2) : NULL;
        int sp = rc == SQLITE_ROW ? sqlite3_column_int(st, 1) : -1;
        if (n > 0 && (rc != SQLITE_ROW || sp != step || strcmp(r, rec) || strcmp(ty, type))) {
            cJSON *o = cJSON_CreateObject();
            cJSON_AddStringToObject(o, "recording", rec);
            cJSON_AddNumberToObject(o, "step", step);
            cJSON_AddStringToObject(o, "type", type);
            cJSON_AddNumberToObject(o, "n", n);
            cJSON_AddNumberToObject(o, "p50", nearest_rank(v, n, 0.50));
            cJSON_AddNumberToObject(o, "p95", nearest_rank(v, n, 0.95));
            cJSON_AddNumberToObject(o, "max", v[n - 1]);
            cJSON_AddItemToArray(out, o);
            n = 0;
        }
        if (rc != SQLITE_ROW) break;
        if (n == 0) { free(rec); free(type); rec = oo_strdup(r); type = oo_strdup(ty); step = sp; }
        if (n == cap) {
            cap = cap ? 2 * cap : 64;
            double *nv = oo_malloc((size_t)cap * sizeof *nv);
            if (n) memcpy(nv, v, (size_t)n * sizeof *v);
            free(v);
            v = nv;
        }
        v[n++] = sqlite3_column_double(st, 3);
    }
    free(v);
    free(rec);
    free(type);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) { cJSON_Delete(out); db_err(s, err, "cannot read step times"); return NULL; }
    return out;
}

cJSON *store_step_baselines(oo_store *s, const char *recording, int64_t before_run_id, int window,
                            oo_err *err)
{
    static const char sql[] =
        "SELECT recording, step, step_type, ms FROM ("
        "  SELECT recording, step, step_type, ms,"
        "    ROW_NUMBER() OVER (PARTITION BY recording, step, step_type ORDER BY id DESC) AS k"
        "  FROM step_timings WHERE (?1 IS NULL OR recording = ?1) AND (?2 = 0 OR run_id < ?2))"
        " WHERE k <= ?3 ORDER BY recording, step, step_type, ms";
    sqlite3_stmt *st = prep(s, sql, err);
    if (!st) return NULL;
    bind_text(st, 1, recording);
    sqlite3_bind_int64(st, 2, before_run_id > 0 ? before_run_id : 0);
    sqlite3_bind_int(st, 3, window > 0 ? window : 50);
    return group_steps(s, st, err);
}

static const cJSON *find_step(const cJSON *list, const cJSON *like)
{
    const cJSON *b;
    cJSON_ArrayForEach(b, list) {
        if (cJSON_GetObjectItem(b, "step")->valueint == cJSON_GetObjectItem(like, "step")->valueint &&
            !strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(b, "recording")), cJSON_GetStringValue(cJSON_GetObjectItem(like, "recording"))) &&
            !strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(b, "type")), cJSON_GetStringValue(cJSON_GetObjectItem(like, "type"))))
            return b;
    }
    return NULL;
}

static int by_ratio_desc(const void *a, const void *b)
{
    double x = cJSON_GetObjectItem(*(cJSON *const *)a, "ratio")->valuedouble;
    double y = cJSON_GetObjectItem(*(cJSON *const *)b, "ratio")->valuedouble;
    return (x < y) - (x > y);
}

/* The flagged steps of `now` against `base`, as new objects in `out`. */
static void flag_slow(const cJSON *now, const cJSON *base, double factor, cJSON *out)
{
    const cJSON *r;
    cJSON_ArrayForEach(r, now) {
        const cJSON *b = find_step(base, r);
        if (!b || cJSON_GetObjectItem(b, "n")->valueint < 5) continue;
        double p50 = cJSON_GetObjectItem(r, "p50")->valuedouble, p95 = cJSON_GetObjectItem(b, "p95")->valuedouble;
        if (!(p50 > factor * p95 && p50 > p95 + 250)) continue;
        cJSON *o = cJSON_Duplicate(r, 1);
        cJSON_DeleteItemFromObject(o, "p95");
        cJSON_DeleteItemFromObject(o, "max");
        cJSON_AddNumberToObject(o, "baseline_p95", p95);
        cJSON_AddNumberToObject(o, "baseline_n", cJSON_GetObjectItem(b, "n")->valueint);
        cJSON_AddNumberToObject(o, "ratio", p95 > 0 ? p50 / p95 : 0);
        cJSON_AddItemToArray(out, o);
    }
}

cJSON *store_run_slow_steps(oo_store *s, int64_t run_id, double factor, oo_err *err)
{
    static const char sql[] =
        "SELECT recording, step, step_type, ms FROM step_timings WHERE run_id = ? ORDER BY recording, step, step_type, ms";
    sqlite3_stmt *st = prep(s, sql, err);
    if (!st) return NULL;
    sqlite3_bind_int64(st, 1, run_id);
    cJSON *now = group_steps(s, st, err);
    if (!now) return NULL;
    cJSON *base = store_step_baselines(s, NULL, run_id, 0, err);
    if (!base) { cJSON_Delete(now); return NULL; }
    cJSON *flagged = cJSON_CreateArray();
    flag_slow(now, base, factor > 0 ? factor : 3, flagged);
    cJSON_Delete(now);
    cJSON_Delete(base);
    /* slowest first */
    int n = cJSON_GetArraySize(flagged);
    cJSON **items = oo_malloc((size_t)(n ? n : 1) * sizeof *items);
    for (int i = 0; i < n; i++) items[i] = cJSON_DetachItemFromArray(flagged, 0);
    qsort(items, (size_t)n, sizeof *items, by_ratio_desc);
    for (int i = 0; i < n; i++) cJSON_AddItemToArray(flagged, items[i]);
    free(items);
    return flagged;
}

/* ---- engines and the account queue ------------------------------------------------------------ */

void store_set_engine_silence(oo_store *s, int64_t ms)
{
    if (ms > 0) s->engine_silence = ms;
}

static int64_t int_field(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItem(o, k);
    return cJSON_IsNumber(v) ? (int64_t)v->valuedouble : 0;
}

static int row_alive(oo_store *s, const cJSON *row, int64_t now)
{
    return oo_engine_alive(cJSON_GetStringValue(cJSON_GetObjectItem(row, "engine")), int_field(row, "engine_seen_at"),
                           now, s->engine_silence);
}

/* A running or queued run whose engine is gone reads "interrupted"; engine_alive says it. */
static void run_liveness(oo_store *s, cJSON *run, int64_t now)
{
    const char *status = cJSON_GetStringValue(cJSON_GetObjectItem(run, "status"));
    int alive = row_alive(s, run, now);
    cJSON_AddBoolToObject(run, "engine_alive", alive);
    if (!status || (strcmp(status, "running") && strcmp(status, "queued")) || alive) return;
    cJSON_AddStringToObject(run, "stored_status", status);
    cJSON_ReplaceItemInObject(run, "status", cJSON_CreateString("interrupted"));
}

#define HOLDER_COLS "id, name, status, engine, engine_seen_at, account, queued_at"

/* The first live run of the account that is in the way of run_id (placed at my_place in the
 * queue): one that a live engine works, else one that waits from an earlier place. NULL and
 * err empty when none. */
static cJSON *account_ahead(oo_store *s, const char *account, int64_t run_id, int64_t my_place, int64_t now,
                            oo_err *err)
{
    static const char sql[] =
        "SELECT " HOLDER_COLS " FROM runs WHERE COALESCE(account, '') = ?1 AND id <> ?2 "
        "AND status IN ('running', 'queued') ORDER BY status = 'queued', queued_at, id";
    sqlite3_stmt *st = prep(s, sql, err);
    if (!st) return NULL;
    bind_text(st, 1, account);
    sqlite3_bind_int64(st, 2, run_id);
    cJSON *rows = rows_json(s, st, err, "cannot read the account's runs");
    cJSON *found = NULL, *r;
    cJSON_ArrayForEach(r, rows) {
        if (!row_alive(s, r, now)) continue;
        const char *status = cJSON_GetStringValue(cJSON_GetObjectItem(r, "status"));
        int64_t place = int_field(r, "queued_at");
        int64_t id = int_field(r, "id");
        if (!strcmp(status, "running") || place < my_place || (place == my_place && id < run_id)) {
            found = cJSON_DetachItemViaPointer(rows, r);
            break;
        }
    }
    cJSON_Delete(rows);
    return found;
}

/* A run_status event that also names the run in the way, when there is one. */
static int status_event(oo_store *s, int64_t run_id, const char *status, const cJSON *ahead, oo_err *err)
{
    cJSON *p = cJSON_CreateObject();
    cJSON_AddNumberToObject(p, "run_id", (double)run_id);
    cJSON_AddStringToObject(p, "status", status);
    if (ahead) cJSON_AddNumberToObject(p, "ahead", (double)int_field(ahead, "id"));
    int64_t id = store_event_append(s, run_id, "run_status", p, err);
    cJSON_Delete(p);
    return id < 0 ? -1 : 0;
}

/* Marks the run as the engine's: running now, or waiting in the queue (place: queued_at). */
static int claim_write(oo_store *s, int64_t run_id, const char *account, const char *engine, int64_t now,
                       int64_t place, oo_err *err)
{
    static const char take[] =
        "UPDATE runs SET status = 'running', engine = ?2, engine_seen_at = ?3, account = ?4, queued_at = NULL, "
        "error = NULL, completed_at = NULL, started_at = COALESCE(started_at, CURRENT_TIMESTAMP) WHERE id = ?1";
    static const char queue[] =
        "UPDATE runs SET status = 'queued', engine = ?2, engine_seen_at = ?3, account = ?4, queued_at = ?5, "
        "error = NULL, completed_at = NULL WHERE id = ?1";
    sqlite3_stmt *st = prep(s, place ? queue : take, err);
    if (!st) return -1;
    sqlite3_bind_int64(st, 1, run_id);
    bind_text(st, 2, engine);
    sqlite3_bind_int64(st, 3, now);
    bind_text(st, 4, account);
    if (place) sqlite3_bind_int64(st, 5, place);
    return exec_step(s, st, err, "cannot claim the run");
}

int store_run_claim(oo_store *s, int64_t run_id, const char *account, const char *engine, int flags,
                    cJSON **ahead, oo_err *err)
{
    int wait = (flags & STORE_CLAIM_F_WAIT) != 0;
    static const char me_q[] = "SELECT " HOLDER_COLS " FROM runs WHERE id = ?";
    if (ahead) *ahead = NULL;
    if (!account) account = "";
    if (!engine || !*engine) return oo_err_set(err, OO_E_INPUT, "a claim needs an engine");
    if (store_begin(s, err) != 0) return -1;
    int64_t now = oo_wall_ms();
    sqlite3_stmt *st = prep(s, me_q, err);
    if (!st) goto fail;
    sqlite3_bind_int64(st, 1, run_id);
    int found, rc = STORE_CLAIM_RUN;
    cJSON *me = one_json(s, st, err, "cannot read the run", &found), *in_way = NULL;
    if (!found) {
        if (!err->code) oo_err_set(err, OO_E_INPUT, "no run %lld: see `oo-automator list`", (long long)run_id);
        goto fail;
    }
    const char *status = cJSON_GetStringValue(cJSON_GetObjectItem(me, "status"));
    const char *holder = cJSON_GetStringValue(cJSON_GetObjectItem(me, "engine"));
    int held = !strcmp(status, "running") || !strcmp(status, "queued");
    if ((flags & STORE_CLAIM_F_AGAIN) && (strcmp(status, "queued") || !holder || strcmp(holder, engine))) {
        rc = STORE_CLAIM_GONE;
    } else if (held && holder && strcmp(holder, engine) && row_alive(s, me, now)) {
        rc = STORE_CLAIM_ELSEWHERE;
        in_way = me;
        me = NULL;
    } else {
        int queued = !strcmp(status, "queued") && int_field(me, "queued_at") > 0;
        int64_t place = queued ? int_field(me, "queued_at") : now;
        in_way = account_ahead(s, account, run_id, place, now, err);
        if (err->code) { cJSON_Delete(me); goto fail; }
        if (in_way) rc = STORE_CLAIM_WAIT;
        /* an event when the status or the engine changes: the dashboard hears of both */
        int changed = strcmp(status, in_way ? "queued" : "running") || !holder || strcmp(holder, engine);
        if ((!in_way || wait) && (claim_write(s, run_id, account, engine, now, in_way ? place : 0, err) != 0 ||
            (changed && status_event(s, run_id, in_way ? "queued" : "running", in_way, err) != 0))) {
            cJSON_Delete(me);
            cJSON_Delete(in_way);
            goto fail;
        }
    }
    cJSON_Delete(me);
    if (store_commit(s, err) != 0) { cJSON_Delete(in_way); return -1; }
    if (ahead) *ahead = in_way;
    else cJSON_Delete(in_way);
    return rc;
fail:
    store_rollback(s);
    return -1;
}

int store_run_heartbeat(oo_store *s, int64_t run_id, const char *engine, oo_err *err)
{
    static const char sql[] = "UPDATE runs SET engine_seen_at = ? WHERE id = ? AND engine = ?";
    sqlite3_stmt *st = prep(s, sql, err);
    if (!st) return -1;
    sqlite3_bind_int64(st, 1, oo_wall_ms());
    sqlite3_bind_int64(st, 2, run_id);
    bind_text(st, 3, engine);
    if (exec_step(s, st, err, "cannot renew the engine's hold on the run") != 0) return -1;
    if (sqlite3_changes(s->db) == 0)
        return oo_err_set(err, OO_E_INPUT, "run %lld is no longer worked by %s: another engine took it over",
                          (long long)run_id, engine);
    return 0;
}

int store_run_enqueue(oo_store *s, int64_t run_id, const char *account, const char *engine, oo_err *err)
{
    static const char sql[] =
        "UPDATE runs SET status = 'queued', engine = ?2, engine_seen_at = ?3, queued_at = ?3, account = ?4, "
        "error = NULL, completed_at = NULL WHERE id = ?1 AND COALESCE(engine, '') <> ?2 "
        "AND status NOT IN ('completed', 'cancelled')";
    if (store_begin(s, err) != 0) return -1;
    sqlite3_stmt *st = prep(s, sql, err);
    if (!st) goto fail;
    sqlite3_bind_int64(st, 1, run_id);
    bind_text(st, 2, engine);
    sqlite3_bind_int64(st, 3, oo_wall_ms());
    bind_text(st, 4, account ? account : "");
    if (exec_step(s, st, err, "cannot queue the run") != 0) goto fail;
    int queued = sqlite3_changes(s->db) > 0;
    if (queued && status_event(s, run_id, "queued", NULL, err) != 0) goto fail;
    if (store_commit(s, err) != 0) return -1;
    return queued;
fail:
    store_rollback(s);
    return -1;
}

cJSON *store_account_holder(oo_store *s, const char *account, oo_err *err)
{
    static const char sql[] =
        "SELECT " HOLDER_COLS " FROM runs WHERE COALESCE(account, '') = ? AND status IN ('running', 'queued') "
        "ORDER BY status = 'queued', queued_at, id";
    sqlite3_stmt *st = prep(s, sql, err);
    if (!st) return NULL;
    bind_text(st, 1, account ? account : "");
    cJSON *rows = rows_json(s, st, err, "cannot read the account's runs");
    cJSON *found = NULL, *r;
    int64_t now = oo_wall_ms();
    cJSON_ArrayForEach(r, rows)
        if (row_alive(s, r, now)) { found = cJSON_DetachItemViaPointer(rows, r); break; }
    cJSON_Delete(rows);
    return found;
}

/* ---- dashboards ------------------------------------------------------------------------------- */

int64_t store_dashboard_add(oo_store *s, const char *url, const char *engine, oo_err *err)
{
    static const char all[] = "SELECT id, engine, seen_at AS engine_seen_at FROM dashboards";
    static const char del[] = "DELETE FROM dashboards WHERE id = ?";
    static const char ins[] = "INSERT INTO dashboards(url, engine, started_at, seen_at) VALUES (?1, ?2, ?3, ?3)";
    if (store_begin(s, err) != 0) return -1;
    int64_t now = oo_wall_ms(), id = -1;
    sqlite3_stmt *st = prep(s, all, err);
    cJSON *rows = st ? rows_json(s, st, err, "cannot read the dashboards") : NULL, *r;
    if (!rows) goto done;
    cJSON_ArrayForEach(r, rows) {      /* the dead ones go */
        if (row_alive(s, r, now) && strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(r, "engine")), engine)) continue;
        if (!(st = prep(s, del, err))) goto done;
        sqlite3_bind_int64(st, 1, int_field(r, "id"));
        if (exec_step(s, st, err, "cannot forget a dashboard") != 0) goto done;
    }
    if (!(st = prep(s, ins, err))) goto done;
    bind_text(st, 1, url);
    bind_text(st, 2, engine);
    sqlite3_bind_int64(st, 3, now);
    if (exec_step(s, st, err, "cannot record the dashboard") == 0) id = sqlite3_last_insert_rowid(s->db);
done:
    cJSON_Delete(rows);
    if (id < 0) { store_rollback(s); return -1; }
    return store_commit(s, err) == 0 ? id : -1;
}

int store_dashboard_seen(oo_store *s, int64_t id, oo_err *err)
{
    static const char sql[] = "UPDATE dashboards SET seen_at = ? WHERE id = ?";
    sqlite3_stmt *st = prep(s, sql, err);
    if (!st) return -1;
    sqlite3_bind_int64(st, 1, oo_wall_ms());
    sqlite3_bind_int64(st, 2, id);
    return exec_step(s, st, err, "cannot renew the dashboard's record");
}

int store_dashboard_remove(oo_store *s, int64_t id, oo_err *err)
{
    static const char sql[] = "DELETE FROM dashboards WHERE id = ?";
    sqlite3_stmt *st = prep(s, sql, err);
    if (!st) return -1;
    sqlite3_bind_int64(st, 1, id);
    return exec_step(s, st, err, "cannot remove the dashboard's record");
}

char *store_dashboard_url(oo_store *s, oo_err *err)
{
    static const char sql[] = "SELECT url, engine, seen_at AS engine_seen_at FROM dashboards ORDER BY id DESC";
    sqlite3_stmt *st = prep(s, sql, err);
    if (!st) return NULL;
    cJSON *rows = rows_json(s, st, err, "cannot read the dashboards"), *r;
    char *url = NULL;
    int64_t now = oo_wall_ms();
    cJSON_ArrayForEach(r, rows)
        if (row_alive(s, r, now)) { url = oo_strdup(cJSON_GetStringValue(cJSON_GetObjectItem(r, "url"))); break; }
    cJSON_Delete(rows);
    return url;
}
