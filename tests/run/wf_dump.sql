-- Every task of run 1 with its result and the P/L of its trades (a cached result's at its
-- origin): what compare.lua and walkforward_check.lua read (sqlite3 -json DB <wf_dump.sql).
SELECT t.id AS task_id, t.status, t.stage, t.parameter_values AS task_values,
    r.metrics AS metrics, (SELECT COUNT(*) FROM trades WHERE result_id = COALESCE(r.cached_from, r.id)) AS trades,
    (SELECT COALESCE(SUM(CAST(json_extract(x.trade_data, '$."P/L"') AS REAL)), 0) FROM trades x
     WHERE x.result_id = COALESCE(r.cached_from, r.id)) AS trades_pl
    FROM tasks t LEFT JOIN results r ON r.task_id = t.id WHERE t.run_id = 1 ORDER BY t.seq;
