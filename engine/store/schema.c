/* schema: the store's migrations, in order. Migration N brings a database from user_version
 * N-1 to N; each runs in its own transaction. Never edit a released migration: add one. */
#include "store/schema.h"
#include <stddef.h>

static const char *const migrations[] = {
    /* 1: the design's tables, plus events, settings, leases and configuration hashes */
    "CREATE TABLE tests ("
    "  id INTEGER PRIMARY KEY,"
    "  url TEXT NOT NULL UNIQUE,"
    "  name TEXT,"
    "  last_run_at TIMESTAMP,"
    "  run_count INTEGER NOT NULL DEFAULT 0,"
    "  deleted_at TIMESTAMP,"
    "  created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP);"
    "CREATE INDEX idx_tests_url ON tests(url);"
    "CREATE INDEX idx_tests_name ON tests(name);"
    "CREATE INDEX idx_tests_last_run ON tests(last_run_at DESC);"
    "CREATE TABLE runs ("
    "  id INTEGER PRIMARY KEY,"
    "  test_id INTEGER REFERENCES tests(id),"
    "  name TEXT,"
    "  mode TEXT NOT NULL,"
    "  config JSON NOT NULL,"
    "  status TEXT NOT NULL DEFAULT 'pending'"
    "    CHECK (status IN ('pending','running','paused','completed','failed','cancelled')),"
    "  browsers INTEGER NOT NULL DEFAULT 2,"
    "  error TEXT,"
    "  started_at TIMESTAMP,"
    "  completed_at TIMESTAMP,"
    "  created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP);"
    "CREATE INDEX idx_runs_status ON runs(status);"
    "CREATE INDEX idx_runs_test ON runs(test_id);"
    "CREATE TABLE tasks ("
    "  id INTEGER PRIMARY KEY,"
    "  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
    "  stage INTEGER NOT NULL DEFAULT 1,"
    "  seq INTEGER NOT NULL,"
    "  parameter_values JSON NOT NULL,"
    "  config_hash TEXT,"
    "  status TEXT NOT NULL DEFAULT 'pending'"
    "    CHECK (status IN ('pending','running','completed','failed','skipped')),"
    "  attempts INTEGER NOT NULL DEFAULT 0,"
    "  error TEXT,"
    "  lease_owner TEXT,"
    "  lease_expires_at INTEGER,"
    "  started_at TIMESTAMP,"
    "  completed_at TIMESTAMP,"
    "  created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,"
    "  UNIQUE (run_id, seq));"
    "CREATE INDEX idx_tasks_run_id ON tasks(run_id);"
    "CREATE INDEX idx_tasks_status ON tasks(status);"
    "CREATE INDEX idx_tasks_queue ON tasks(run_id, status, stage, seq);"
    "CREATE TABLE results ("
    "  id INTEGER PRIMARY KEY,"
    "  task_id INTEGER UNIQUE REFERENCES tasks(id) ON DELETE CASCADE,"
    "  test_id INTEGER REFERENCES tests(id),"
    "  config_hash TEXT,"
    "  pl REAL, cagr REAL, max_drawdown REAL, win_percentage REAL, capture_rate REAL, mar REAL,"
    "  total_premium REAL, starting_capital REAL, ending_capital REAL, trades_count INTEGER,"
    "  winners INTEGER, avg_per_trade REAL, avg_winner REAL, avg_loser REAL, max_winner REAL,"
    "  max_loser REAL, avg_minutes_in_trade REAL,"
    "  metrics JSON,"
    "  config JSON,"
    "  raw_data JSON,"
    "  cached_from INTEGER REFERENCES results(id),"
    "  created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP);"
    "CREATE INDEX idx_results_task_id ON results(task_id);"
    "CREATE INDEX idx_results_cache ON results(test_id, config_hash);"
    "CREATE TABLE trades ("
    "  id INTEGER PRIMARY KEY,"
    "  result_id INTEGER NOT NULL REFERENCES results(id) ON DELETE CASCADE,"
    "  trade_data JSON NOT NULL,"
    "  created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP);"
    "CREATE INDEX idx_trades_result ON trades(result_id);"
    "CREATE TABLE failures ("
    "  id INTEGER PRIMARY KEY,"
    "  task_id INTEGER REFERENCES tasks(id) ON DELETE CASCADE,"
    "  attempt_number INTEGER,"
    "  failure_type TEXT,"
    "  error_message TEXT,"
    "  screenshot_path TEXT,"
    "  html_path TEXT,"
    "  console_log JSON,"
    "  network_log_path TEXT,"
    "  created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP);"
    "CREATE INDEX idx_failures_task_id ON failures(task_id);"
    "CREATE TABLE events ("
    "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  run_id INTEGER,"
    "  kind TEXT NOT NULL,"
    "  payload JSON,"
    "  created_at TIMESTAMP DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')));"
    "CREATE INDEX idx_events_run ON events(run_id, id);"
    "CREATE TABLE settings ("
    "  key TEXT PRIMARY KEY,"
    "  value TEXT);",

    /* 2: timing baselines: how long each step of each recording took, run by run (a step is
     * its recording's file name, its index and its type) */
    "CREATE TABLE step_timings ("
    "  id INTEGER PRIMARY KEY,"
    "  run_id INTEGER REFERENCES runs(id) ON DELETE CASCADE,"
    "  task_id INTEGER REFERENCES tasks(id) ON DELETE CASCADE,"
    "  recording TEXT NOT NULL,"
    "  step INTEGER NOT NULL,"
    "  step_type TEXT NOT NULL,"
    "  ms REAL NOT NULL,"
    "  created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP);"
    "CREATE INDEX idx_step_timings_step ON step_timings(recording, step, step_type, id);"
    "CREATE INDEX idx_step_timings_run ON step_timings(run_id);",

    /* 3: a run keeps the text of the script it was created from (resume runs what was stored,
     * not what the file says today); runs may wait in the queue ('queued'); engine names the
     * engine (host:pid) working a run and engine_seen_at (ms since the epoch) when it last
     * said so. A CHECK cannot change in place: the table is rebuilt (the store runs every
     * migration with foreign keys off, and checks them before it commits). */
    "CREATE TABLE runs_v2 ("
    "  id INTEGER PRIMARY KEY,"
    "  test_id INTEGER REFERENCES tests(id),"
    "  name TEXT,"
    "  mode TEXT NOT NULL,"
    "  config JSON NOT NULL,"
    "  script TEXT,"
    "  status TEXT NOT NULL DEFAULT 'pending'"
    "    CHECK (status IN ('pending','queued','running','paused','completed','failed','cancelled')),"
    "  browsers INTEGER NOT NULL DEFAULT 2,"
    "  error TEXT,"
    "  engine TEXT,"
    "  engine_seen_at INTEGER,"
    "  started_at TIMESTAMP,"
    "  completed_at TIMESTAMP,"
    "  created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP);"
    "INSERT INTO runs_v2(id, test_id, name, mode, config, status, browsers, error, started_at, completed_at,"
    "                    created_at)"
    "  SELECT id, test_id, name, mode, config, status, browsers, error, started_at, completed_at, created_at"
    "  FROM runs;"
    "DROP TABLE runs;"
    "ALTER TABLE runs_v2 RENAME TO runs;"
    "CREATE INDEX idx_runs_status ON runs(status);"
    "CREATE INDEX idx_runs_test ON runs(test_id);",

    /* 4: one engine per account. A run remembers the account (the OptionOmega login) its engine
     * works with, and since when it waits in the account's queue (queued_at, ms since the
     * epoch: runs start in that order); a task, how many extra rounds it was given after
     * failing (retries: the automatic round after transient trouble, `retry` by hand); the
     * dashboards serving this database (url, engine = host:pid, seen_at: when it last said
     * so), so that `run` can say where to watch. */
    "ALTER TABLE runs ADD COLUMN account TEXT;"
    "ALTER TABLE runs ADD COLUMN queued_at INTEGER;"
    "CREATE INDEX idx_runs_account ON runs(account, status);"
    "ALTER TABLE tasks ADD COLUMN retries INTEGER NOT NULL DEFAULT 0;"
    "CREATE TABLE dashboards ("
    "  id INTEGER PRIMARY KEY,"
    "  url TEXT NOT NULL,"
    "  engine TEXT NOT NULL,"
    "  started_at INTEGER NOT NULL,"
    "  seen_at INTEGER NOT NULL);",
};

int store_schema_count(void) { return (int)(sizeof migrations / sizeof migrations[0]); }

const char *store_schema_migration(int version)
{
    if (version < 1 || version > store_schema_count()) return NULL;
    return migrations[version - 1];
}
