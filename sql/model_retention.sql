-- <app>.sp_clear_expired_data (spec §8, with §13 items 1, 6 and 16): every cut-off is the
-- newest row of the same table minus N days; rows strictly older go; whole expired
-- partitions are dropped and the boundary partition keeps the exact cut-off.
SET client_min_messages = warning;
\set SHOW_CONTEXT never
SELECT clickstream.create_app('rt_app', 'p1', 'UTC', partition_interval => 'month');
-- the test's own summary-like tables and base table, whatever create_app made
DROP TABLE IF EXISTS rt_app.clickstream_event_base_view CASCADE;
CREATE TABLE rt_app.clickstream_event_base_view (event_timestamp timestamp, n integer);
CREATE TABLE rt_app.rt_sum1 (event_date date, n integer);
CREATE TABLE rt_app.rt_sum2 (event_date date, n integer);
CREATE TABLE rt_app.rt_nodate (n integer);
SELECT clickstream._ensure_partitions('rt_app.event_v2', ARRAY['2024-01-01', '2024-02-01', '2024-03-01']::timestamp[]);
SELECT clickstream._ensure_partitions('rt_app.item_v2', ARRAY['2024-01-01', '2024-02-01']::timestamp[]);

-- event_v2: newest 2024-03-20 12:00; N = 30 gives the cut-off 2024-02-19 12:00.
--   January lies before it entirely: its partition is dropped (2 rows);
--   February is the boundary: 02-01 and 02-19 11:59:59 go, 02-19 12:00 (= cut-off) stays;
--   March is untouched.
INSERT INTO rt_app.event_v2 (event_timestamp, event_id, event_time_msec, event_name, project_id, app_id, user_pseudo_id)
SELECT t::timestamp, 'e' || i, 0, 'x', 'p1', 'rt_app', 'u1'
  FROM unnest(ARRAY['2024-01-05 00:00', '2024-01-31 23:59:59', '2024-02-01 00:00', '2024-02-19 11:59:59',
                    '2024-02-19 12:00', '2024-03-01 00:00', '2024-03-20 12:00']) WITH ORDINALITY a(t, i);
-- item_v2 has its own newest row, 2024-02-25 00:00: cut-off 2024-01-26 00:00, in January
INSERT INTO rt_app.item_v2 (event_timestamp, event_id, event_name, user_pseudo_id, item_id)
SELECT t::timestamp, 'e' || i, 'x', 'u1', 'i' || i
  FROM unnest(ARRAY['2024-01-20 00:00', '2024-01-26 00:00', '2024-02-25 00:00']) WITH ORDINALITY a(t, i);
-- session: newest 2024-03-10; cut-off 2024-02-09: s1 goes
INSERT INTO rt_app.session (event_timestamp, user_pseudo_id, session_id)
VALUES ('2024-02-08', 'u1', 's1'), ('2024-02-09', 'u1', 's2'), ('2024-03-10', 'u2', 's3');
-- the base table (§13.16): newest 2024-06-01; cut-off 2024-05-02: the April row goes
INSERT INTO rt_app.clickstream_event_base_view VALUES ('2024-04-30', 1), ('2024-05-02', 2), ('2024-06-01', 3);
-- logs and status rows: cut-offs from their own newest log_date (2024-12-31): 2024-12-01
-- (create_app may have logged already: start from an empty log)
TRUNCATE rt_app.clickstream_log_v2;
INSERT INTO rt_app.clickstream_log_v2 (log_name, log_level, log_msg, log_date)
VALUES ('old', 'info', 'goes', '2024-11-30'), ('kept', 'info', 'stays', '2024-12-01'),
       ('new', 'info', 'stays', '2024-12-31');
INSERT INTO rt_app.refresh_mv_sp_status (refresh_name, refresh_type, refresh_date, triggerred_by, log_date)
VALUES ('a', 'SP', '2023-01-01', 'WORK_FLOW', '2023-01-01'), ('b', 'SP', '2024-01-01', 'WORK_FLOW', '2024-01-01');
-- summary tables: rt_sum1 newest 2024-03-31 (cut-off 03-01: 02-29 goes); rt_sum2 empty
INSERT INTO rt_app.rt_sum1 VALUES ('2024-02-29', 1), ('2024-03-01', 2), ('2024-03-31', 3);

-- unknown or unsuitable tables fail the call before anything is deleted
CALL rt_app.sp_clear_expired_data(30, 'rt_sum1,rt_nosuch');
CALL rt_app.sp_clear_expired_data(30, 'rt_nodate');
CALL rt_app.sp_clear_expired_data(0, '');
SELECT count(*) FROM rt_app.event_v2;

CALL rt_app.sp_clear_expired_data(30, ' rt_sum1 , rt_sum2,');
SELECT tableoid::regclass, event_timestamp FROM rt_app.event_v2 ORDER BY 2;
SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
 WHERE i.inhparent = 'rt_app.event_v2'::regclass ORDER BY 1;
SELECT event_timestamp FROM rt_app.item_v2 ORDER BY 1;
SELECT session_id FROM rt_app.session ORDER BY 1;
SELECT event_timestamp FROM rt_app.clickstream_event_base_view ORDER BY 1;
SELECT log_name, log_level, log_msg FROM rt_app.clickstream_log_v2 ORDER BY id;
SELECT refresh_name FROM rt_app.refresh_mv_sp_status;
SELECT event_date FROM rt_app.rt_sum1 ORDER BY 1;

-- §13.6: without the session key (as in the original), duplicates of (session_id,
-- user_pseudo_id) are collapsed to the row with the latest event_timestamp
ALTER TABLE rt_app.session DROP CONSTRAINT session_pkey;
INSERT INTO rt_app.session (event_timestamp, user_pseudo_id, session_id, session_source)
VALUES ('2024-03-01', 'u1', 's2', 'older'), ('2024-03-05', 'u1', 's2', 'latest'),
       ('2024-03-09', 'u2', 's3', 'older than the 03-10 row'), ('2024-03-09', 'u3', 's3', 'other user');
CALL rt_app.sp_clear_expired_data(30, '');
SELECT session_id, user_pseudo_id, event_timestamp, session_source FROM rt_app.session ORDER BY 1, 2;

-- §13.1: a failing step is logged and raised; the steps before it stay done, those after
-- it do not run (rt_sum2 comes after rt_bad).  With a new newest event, 2024-05-01, and
-- N = 60 the cut-off is 2024-03-02: February's partition goes, 03-01 goes, 03-20 stays.
CREATE TABLE rt_app.rt_bad (event_date text);
INSERT INTO rt_app.rt_bad VALUES ('not a date');
SELECT clickstream._ensure_partitions('rt_app.event_v2', ARRAY['2024-05-01']::timestamp[]);
INSERT INTO rt_app.event_v2 (event_timestamp, event_id, event_time_msec, event_name, project_id, app_id, user_pseudo_id)
VALUES ('2024-05-01', 'e9', 0, 'x', 'p1', 'rt_app', 'u1');
INSERT INTO rt_app.rt_sum2 VALUES ('2023-01-01', 1), ('2024-01-01', 2);
CALL rt_app.sp_clear_expired_data(60, 'rt_bad,rt_sum2');
\echo :LAST_ERROR_SQLSTATE
SELECT event_timestamp FROM rt_app.event_v2 ORDER BY 1;
SELECT count(*) FROM rt_app.rt_sum2;
SELECT log_name, log_level, log_msg FROM rt_app.clickstream_log_v2 WHERE log_level = 'error';

-- the worker's task: the app's retention days (set_model_settings, else
-- clickstream.retention_days = 365) and the summary tables the app has
SELECT clickstream.set_model_settings('rt_app', retention_days => 10);
SELECT retention_days FROM clickstream.app_model_settings WHERE app_id = 'rt_app';
CALL clickstream.run_model_task('rt_app', 'retention');
-- newest 2024-05-01: the cut-off 2024-04-21 leaves only it (March's partition is dropped)
SELECT tableoid::regclass, event_timestamp FROM rt_app.event_v2 ORDER BY 1;
SELECT retention_on = (now() AT TIME ZONE 'UTC')::date, retention_status, retention_detail
  FROM clickstream.model_state WHERE app_id = 'rt_app';
SELECT count(*) FROM clickstream.model_tasks_due() WHERE app_id = 'rt_app' AND task = 'retention';
SELECT clickstream.set_model_settings('rt_app', retention_days => 0);
SELECT clickstream.set_model_settings('rt_app', retention_days => -3);
SELECT clickstream.set_model_settings('rt_app', refresh_mode => 'sometimes');
SELECT retention_days FROM clickstream.app_model_settings WHERE app_id = 'rt_app';
SELECT clickstream.drop_app('rt_app');

-- daily partitions (the default): the days before the cut-off are dropped whole; the
-- boundary day keeps the exact cut-off.  Newest 2024-03-05 12:00, N = 2: cut-off
-- 2024-03-03 12:00, so 03-01 and 03-02 go as partitions, 03-03 loses its morning row.
SELECT clickstream.create_app('rt_day', 'p1');
SELECT clickstream._ensure_partitions('rt_day.event_v2',
    ARRAY['2024-03-01', '2024-03-02', '2024-03-03', '2024-03-05']::timestamp[]);
INSERT INTO rt_day.event_v2 (event_timestamp, event_id, event_time_msec, event_name, project_id, app_id, user_pseudo_id)
SELECT t::timestamp, 'e' || i, 0, 'x', 'p1', 'rt_day', 'u1'
  FROM unnest(ARRAY['2024-03-01 08:00', '2024-03-02 23:59:59', '2024-03-03 11:59:59',
                    '2024-03-03 12:00', '2024-03-05 12:00']) WITH ORDINALITY a(t, i);
SELECT * FROM clickstream._expire_table('rt_day.event_v2', 'event_timestamp', 2);
SELECT tableoid::regclass, event_timestamp FROM rt_day.event_v2 ORDER BY 2;
SELECT clickstream.drop_app('rt_day');
