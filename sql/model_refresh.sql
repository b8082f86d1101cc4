-- clickstream.refresh_app (spec §7.2, §7.4, §7.6) and the modeler's task selection.
-- The reporting objects of the app are replaced by stubs that record each call in
-- rf_calls, so the test sees exactly which statements ran, in which order, with which
-- arguments; clickstream_engagement_kpi_sp (7th of the 16) fails while rf_fail has a row.
SET client_min_messages = warning;
\set SHOW_CONTEXT never
SELECT clickstream.create_app('rf_app', 'p1', 'Asia/Shanghai', partition_interval => 'month');
CREATE TABLE public.rf_calls (n serial, unit text);
CREATE TABLE public.rf_fail (msg text);
DO $do$
DECLARE
    r record;
BEGIN
    -- whatever create_app made (real reporting objects, when installed) makes way for stubs
    FOR r IN SELECT p.oid::regprocedure AS proc FROM pg_proc p
              WHERE p.pronamespace = 'rf_app'::regnamespace AND p.proname LIKE 'clickstream\_%\_sp'
    LOOP
        EXECUTE format('DROP PROCEDURE %s CASCADE', r.proc);
    END LOOP;
    FOR r IN SELECT c.oid::regclass AS rel, c.relkind FROM pg_class c
              WHERE c.relnamespace = 'rf_app'::regnamespace
                AND c.relname IN ('clickstream_acquisition_intra_day_user_mv', 'clickstream_lifecycle_view_v2',
                                  'clickstream_retention_base_view')
    LOOP
        EXECUTE format('DROP %s IF EXISTS %s CASCADE',
                       CASE r.relkind WHEN 'm' THEN 'MATERIALIZED VIEW' WHEN 'v' THEN 'VIEW' ELSE 'TABLE' END, r.rel);
    END LOOP;
    FOR r IN SELECT t, o FROM unnest(clickstream.summary_tables()) WITH ORDINALITY u(t, o) LOOP
        EXECUTE format($p$
            CREATE PROCEDURE rf_app.%I(day date, tz text, ndays integer)
            LANGUAGE plpgsql AS $b$
            BEGIN
                IF %L = 'clickstream_engagement_kpi' AND EXISTS (SELECT 1 FROM public.rf_fail WHERE msg = 'slow') THEN
                    PERFORM pg_sleep(30);
                ELSIF %L = 'clickstream_engagement_kpi' AND EXISTS (SELECT 1 FROM public.rf_fail) THEN
                    RAISE EXCEPTION 'kpi is broken' USING ERRCODE = 'division_by_zero', DETAIL = 'a stub failure';
                END IF;
                INSERT INTO public.rf_calls (unit) VALUES (%L || ' ' || day || ' ' || tz || ' ' || ndays);
            END $b$ $p$, r.t || '_sp', r.t, r.t, r.o || ' ' || r.t);
    END LOOP;
END
$do$;
CREATE PROCEDURE rf_app.clickstream_event_base_view_sp(p_start timestamp, p_end timestamp, hours integer)
LANGUAGE sql AS $$ INSERT INTO public.rf_calls (unit) VALUES ('base ' || hours) $$;
-- two of the three MVs: the one with a unique index is refreshed CONCURRENTLY; the missing
-- clickstream_retention_base_view is skipped (guarded by existence)
CREATE MATERIALIZED VIEW rf_app.clickstream_acquisition_intra_day_user_mv AS
    SELECT count(*) AS calls FROM public.rf_calls;
CREATE UNIQUE INDEX ON rf_app.clickstream_acquisition_intra_day_user_mv (calls);
CREATE MATERIALIZED VIEW rf_app.clickstream_lifecycle_view_v2 AS
    SELECT count(*) AS calls FROM public.rf_calls WITH NO DATA;
SELECT clickstream._refresh_view_units('rf_app');
TRUNCATE rf_app.clickstream_log_v2;

-- 1. a manual refresh of a given day: base table (24 h look-back), the two MVs, then the
--    16 procedures in the order of §7.2 with (day, the app's time zone, 1 day); one status
--    row MANUALLY (force defaults to true, as an absent forceRefresh in the original)
CALL clickstream.refresh_app('rf_app', '2024-03-05');
SELECT n, unit FROM rf_calls ORDER BY n;
-- the MVs ran after the base table (1 call recorded then) and before the procedures
SELECT calls FROM rf_app.clickstream_acquisition_intra_day_user_mv;
SELECT calls FROM rf_app.clickstream_lifecycle_view_v2;
SELECT refresh_name, refresh_type, refresh_date, triggerred_by FROM rf_app.refresh_mv_sp_status;
SELECT log_name, log_level, log_msg FROM rf_app.clickstream_log_v2 ORDER BY id;
SELECT refresh_status, refresh_detail, refresh_date FROM clickstream.model_state WHERE app_id = 'rf_app';

-- 2. mode none skips everything; no_report refreshes the views only, and writes no status row
TRUNCATE rf_calls;
CALL clickstream.refresh_app('rf_app', '2024-03-06', mode => 'none');
CALL clickstream.refresh_app('rf_app', '2024-03-06', mode => 'no_report');
SELECT string_agg(unit, ', ' ORDER BY n) FROM rf_calls;
SELECT count(*) FROM rf_app.refresh_mv_sp_status;
-- the app's own mode wins over the server setting; 'default' goes back to it
SELECT clickstream.set_model_settings('rf_app', refresh_mode => 'none');
CALL clickstream.refresh_app('rf_app', '2024-03-06');
SELECT clickstream.set_model_settings('rf_app', refresh_mode => 'default');
SELECT refresh_mode FROM clickstream.app_model_settings WHERE app_id = 'rf_app';
-- an app with clickstream_refresh_views_sp (docs/model-reporting.md) refreshes its views
-- through it, instead of the MVs
TRUNCATE rf_calls;
CREATE PROCEDURE rf_app.clickstream_refresh_views_sp(p_full boolean DEFAULT false)
LANGUAGE sql AS $$ INSERT INTO public.rf_calls (unit) VALUES ('views ' || p_full) $$;
CALL clickstream.refresh_app('rf_app', mode => 'no_report');
SELECT string_agg(unit, ', ' ORDER BY n) FROM rf_calls;
DROP PROCEDURE rf_app.clickstream_refresh_views_sp;

-- 3. force => false (the worker's call): the summaries run unless a WORK_FLOW row already
--    covers the day; the MANUALLY row of 2024-03-05 does not count
TRUNCATE rf_calls;
CALL clickstream.refresh_app('rf_app', '2024-03-05', force => false);
CALL clickstream.refresh_app('rf_app', '2024-03-05', force => false);
CALL clickstream.refresh_app('rf_app', '2024-03-04', force => false);
CALL clickstream.refresh_app('rf_app', '2024-03-06', force => false);
SELECT refresh_date, triggerred_by, count(*) FROM rf_app.refresh_mv_sp_status GROUP BY 1, 2 ORDER BY 1, 2;
-- 19 + 3 (views only) + 3 + 19 units
SELECT count(*) FROM rf_calls;
-- force => true recomputes a day already done
CALL clickstream.refresh_app('rf_app', '2024-03-06');

-- 4. the report day is the local date of refresh_end_time in the app's time zone:
--    20:00 UTC is 04:00 the next day in Shanghai
TRUNCATE rf_calls;
CALL clickstream.refresh_app('rf_app', refresh_end_time => '2024-03-05 20:00+00', mode => 'all');
-- refresh_start_time: ndays = whole days between the local start and end times + 1:
-- 2024-03-03 09:00 to 2024-03-05 12:00 is 2 days 3 hours, so 3 days
TRUNCATE rf_calls;
CALL clickstream.refresh_app('rf_app', refresh_end_time => '2024-03-05 12:00+00',
                             refresh_start_time => '2024-03-03 09:00+00');
SELECT unit FROM rf_calls WHERE unit LIKE '16 %';
-- and the base table's look-back becomes the hours since the start, rounded down, plus one
SELECT (regexp_match(unit, '^base (\d+)$'))[1]::integer
       - (floor(extract(epoch FROM now() - '2024-03-03 09:00+00'::timestamptz) / 3600) + 1) BETWEEN -1 AND 1
  FROM rf_calls WHERE unit LIKE 'base %';
-- with a day and a start time: the days from the start's local date to the day
TRUNCATE rf_calls;
CALL clickstream.refresh_app('rf_app', '2024-03-05', refresh_start_time => '2024-03-03 20:00+00');
SELECT unit FROM rf_calls WHERE unit LIKE '16 %';

-- 5. without a day or end time: the ETL watermark (newest loaded event, UTC) minus one day.
--    With no event at all: now minus one day (spec §13.21).
TRUNCATE rf_calls;
SELECT clickstream.etl_watermark('rf_app');
CALL clickstream.refresh_app('rf_app');
SELECT refresh_date = ((now() - interval '1 day') AT TIME ZONE 'Asia/Shanghai')::date FROM clickstream.model_state
 WHERE app_id = 'rf_app';
SELECT clickstream._ensure_partitions('rf_app.event_v2', ARRAY['2024-03-01']::timestamp[]);
INSERT INTO rf_app.event_v2 (event_timestamp, event_id, event_time_msec, event_name, project_id, app_id, user_pseudo_id)
VALUES ('2024-03-10 18:00', 'e1', 0, 'x', 'p1', 'rf_app', 'u1'),
       ('2024-03-08 10:00', 'e2', 0, 'x', 'p1', 'rf_app', 'u1');
SELECT clickstream.etl_watermark('rf_app');
-- 2024-03-10 18:00 UTC - 1 day = 2024-03-09 18:00 UTC = 2024-03-10 02:00 in Shanghai
CALL clickstream.refresh_app('rf_app');
-- an older event loaded later does not move the watermark back
INSERT INTO rf_app.event_v2 (event_timestamp, event_id, event_time_msec, event_name, project_id, app_id, user_pseudo_id)
VALUES ('2024-03-01 00:00', 'e3', 0, 'x', 'p1', 'rf_app', 'u1');
SELECT clickstream.etl_watermark('rf_app');

-- 6. a failing procedure fails the run: the 6 procedures before it ran and committed, none
--    after it, no status row; the error is logged (and kept) and raised with its SQLSTATE
TRUNCATE rf_calls;
INSERT INTO rf_fail VALUES ('on');
SELECT count(*) AS status_rows FROM rf_app.refresh_mv_sp_status \gset
CALL clickstream.refresh_app('rf_app', '2024-03-20');
\echo :LAST_ERROR_SQLSTATE
SELECT n, unit FROM rf_calls ORDER BY n;
SELECT count(*) = :status_rows AS no_new_status_row FROM rf_app.refresh_mv_sp_status;
SELECT log_name, log_level, log_msg FROM rf_app.clickstream_log_v2 WHERE log_level = 'error';
SELECT refresh_status, refresh_detail FROM clickstream.model_state WHERE app_id = 'rf_app';
-- the lock was released: the next run goes through
DELETE FROM rf_fail;
CALL clickstream.refresh_app('rf_app', '2024-03-20');
SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid();

-- a run cancelled in a unit (here by statement_timeout, during the 7th) is a failed run:
-- logged, its state says so, and its lock is released
TRUNCATE rf_calls;
INSERT INTO rf_fail VALUES ('slow');
SET statement_timeout = '2s';
CALL clickstream.refresh_app('rf_app', '2024-03-20');
\echo :LAST_ERROR_SQLSTATE
RESET statement_timeout;
DELETE FROM rf_fail;
SELECT count(*) AS units_before FROM rf_calls WHERE unit NOT LIKE 'base%';
SELECT log_msg FROM rf_app.clickstream_log_v2 WHERE log_level = 'error' ORDER BY id DESC LIMIT 1;
SELECT refresh_status, refresh_detail FROM clickstream.model_state WHERE app_id = 'rf_app';
SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid();

-- a lock this session still holds from a run that died outside a unit does not stack up:
-- the next run releases it, and afterwards none is held
SELECT pg_advisory_lock(hashtext('clickstream.refresh'), hashtext('rf_app'));
CALL clickstream.refresh_app('rf_app', '2024-03-20');
SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid();

-- 7. errors before anything runs
TRUNCATE rf_calls;
CALL clickstream.refresh_app('no_such_app');
CALL clickstream.refresh_app('rf_app', mode => 'some');
CALL clickstream.refresh_app('rf_app', refresh_end_time => '2024-03-01', refresh_start_time => '2024-03-02');
BEGIN;
CALL clickstream.refresh_app('rf_app', '2024-03-20');
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;
DROP PROCEDURE rf_app.clickstream_retention_dau_wau_sp;
CALL clickstream.refresh_app('rf_app', '2024-03-21');
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) FROM rf_calls;
SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid();

-- 8. the modeler's choice (model_tasks_due): a refresh is due once files were loaded for the
--    app, then again only when new batches loaded and clickstream.refresh_interval (120 min)
--    has passed since the last automatic refresh started
SELECT clickstream.create_app('rf_idle', partition_interval => 'month');
SELECT * FROM clickstream.model_tasks_due() WHERE task = 'refresh';
INSERT INTO clickstream.load_queue (url, app_id, ods_table, project_id, status, loaded_at)
VALUES ('file:///x/event_v2/partition_app=rf_app/a.jsonl', 'rf_app', 'event_v2', 'p1', 'LOADED', now());
SELECT * FROM clickstream.model_tasks_due() WHERE task = 'refresh';
UPDATE clickstream.model_state SET refresh_triggered_at = now() - interval '3 hours' WHERE app_id = 'rf_app';
SELECT * FROM clickstream.model_tasks_due() WHERE task = 'refresh';
INSERT INTO clickstream.load_batches (batch_id, app_id, ods_table, status, files, urls, started_at, finished_at)
VALUES (-1, 'rf_app', 'event_v2', 'LOADED', 1, '{}', now() - interval '1 hour', now() - interval '1 hour');
SELECT * FROM clickstream.model_tasks_due() WHERE task = 'refresh';
UPDATE clickstream.model_state SET refresh_triggered_at = now() - interval '119 minutes' WHERE app_id = 'rf_app';
SELECT * FROM clickstream.model_tasks_due() WHERE task = 'refresh';
-- retention is due once a UTC day from clickstream.retention_hour (17) on
SELECT (SELECT count(*) FROM clickstream.model_tasks_due() WHERE task = 'retention' AND app_id = 'rf_app')
       = CASE WHEN extract(hour FROM now() AT TIME ZONE 'UTC') >= 17 THEN 1 ELSE 0 END AS retention_due_by_hour;

-- the worker's refresh task: marks the trigger time, refreshes up to the watermark minus a
-- day with force => false: 2024-03-10 (section 5) has no WORK_FLOW row yet
UPDATE clickstream.model_state SET refresh_triggered_at = NULL WHERE app_id = 'rf_app';
CREATE PROCEDURE rf_app.clickstream_retention_dau_wau_sp(day date, tz text, ndays integer)
LANGUAGE sql AS $$ SELECT 1 $$;
CALL clickstream.run_model_task('rf_app', 'refresh');
SELECT refresh_date, triggerred_by FROM rf_app.refresh_mv_sp_status WHERE triggerred_by = 'WORK_FLOW' ORDER BY 1;
SELECT now() - refresh_triggered_at < interval '1 minute', refresh_status FROM clickstream.model_state
 WHERE app_id = 'rf_app';
SELECT * FROM clickstream.model_tasks_due() WHERE task = 'refresh';
CALL clickstream.run_model_task('rf_app', 'nap');
-- a failure the worker records from a new transaction
SELECT clickstream._model_task_failed('rf_app', 'scan', 'scan exploded');
SELECT scan_status, scan_detail FROM clickstream.model_state WHERE app_id = 'rf_app';
SELECT log_name, log_msg FROM rf_app.clickstream_log_v2 WHERE log_name = 'clickstream_modeler';

-- settings and state go with the app
SELECT clickstream.drop_app('rf_app');
SELECT count(*) FROM clickstream.model_state WHERE app_id = 'rf_app';
SELECT count(*) FROM clickstream.app_model_settings WHERE app_id = 'rf_app';
SELECT clickstream.drop_app('rf_idle');
DELETE FROM clickstream.load_batches WHERE batch_id = -1;
DROP TABLE rf_calls, rf_fail;
