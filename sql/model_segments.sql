-- <app>.segment_user, segment_job and sp_user_segment (spec §9.2): the caller's query
-- fills the segment (replacing its earlier members), the call returns the summary and a
-- sample of the segment's user_v2 rows, and the query runs with the caller's privileges.
SET client_min_messages = warning;
\set SHOW_CONTEXT never
SELECT clickstream.create_app('sg_app', 'p1');
-- five users u1..u5 (u5 twice in event_v2); u9 exists in event_v2 only
INSERT INTO sg_app.user_v2 (event_timestamp, user_pseudo_id, user_id)
SELECT '2024-03-01', 'u' || i, 'id' || i FROM generate_series(1, 5) i;

-- 1. a segment of u1, u2 and u9: segment_user_number counts the query's distinct ids (3,
--    u9 included, as the original counts its temporary table); total_user_number the
--    distinct users of user_v2 (5); the sample holds the user_v2 rows of the segment (u1, u2)
-- (the procedure's result row is kept in psql variables r_*, to show the stable parts)
CALL sg_app.sp_user_segment('seg1', $$SELECT 'u1' UNION ALL SELECT 'u2' UNION ALL SELECT 'u9'$$) \gset r_
SELECT :r_job_id = (SELECT max(job_id) FROM sg_app.segment_job) AS job_id_is_the_new_job,
       :r_segment_user_number AS segment_user_number, :r_total_user_number AS total_user_number,
       :r_job_end_time BETWEEN extract(epoch FROM now() - interval '1 minute') * 1000
                           AND extract(epoch FROM clock_timestamp()) * 1000 AS job_end_time_is_now,
       jsonb_path_query_array(:'r_sample_data', '$[*].user_pseudo_id') AS sample_users,
       (SELECT array_agg(k ORDER BY k) FROM jsonb_object_keys(:'r_sample_data'::jsonb -> 0) k)
       = (SELECT array_agg(attname::text ORDER BY attname) FROM pg_attribute
           WHERE attrelid = 'sg_app.user_v2'::regclass AND attnum > 0 AND NOT attisdropped) AS whole_user_v2_rows;
SELECT segment_id, user_id FROM sg_app.segment_user ORDER BY 1, 2;
SELECT segment_id, status, segment_user_number, total_user_number, error IS NULL AS no_error,
       started_at IS NOT NULL AND finished_at >= started_at AS timed
  FROM sg_app.segment_job ORDER BY job_id;

-- 2. replace semantics: running seg1 again replaces its members; seg2 is left alone.
--    Duplicates and NULLs from the query become one row each / none.
CALL sg_app.sp_user_segment('seg2', 'SELECT user_pseudo_id FROM sg_app.user_v2 WHERE user_id IN (''id4'', ''id5'')') \gset r_
CALL sg_app.sp_user_segment('seg1', $$SELECT 'u3' UNION ALL SELECT 'u3' UNION ALL SELECT NULL$$) \gset r_
SELECT :r_segment_user_number AS segment_user_number, jsonb_array_length(:'r_sample_data') AS sample_rows;
SELECT segment_id, user_id FROM sg_app.segment_user ORDER BY 1, 2;
-- an empty segment: no members, no sample
CALL sg_app.sp_user_segment('seg1', 'SELECT user_pseudo_id FROM sg_app.user_v2 WHERE false') \gset r_
SELECT :r_segment_user_number AS segment_user_number, :{?r_sample_data} AS has_sample,
       (SELECT count(*) FROM sg_app.segment_user WHERE segment_id = 'seg1') AS members;

-- 3. a failing query: the job is Failed with the error, the error is logged and raised with
--    its SQLSTATE, and the segment keeps its members
CALL sg_app.sp_user_segment('seg2', 'SELECT no_such_column FROM sg_app.user_v2');
\echo :LAST_ERROR_SQLSTATE
CALL sg_app.sp_user_segment('seg2', 'SELECT user_pseudo_id, user_id FROM sg_app.user_v2');
SELECT status, error FROM sg_app.segment_job WHERE segment_id = 'seg2' ORDER BY job_id;
SELECT log_name, log_level, log_msg FROM sg_app.clickstream_log_v2 WHERE log_level = 'error' ORDER BY id;
SELECT user_id FROM sg_app.segment_user WHERE segment_id = 'seg2' ORDER BY 1;
CALL sg_app.sp_user_segment('', 'SELECT 1');
CALL sg_app.sp_user_segment('seg3', '  ');
CALL sg_app.sp_user_segment('seg3', 'SELECT 1', 's3://bucket/segments/');
\echo :LAST_ERROR_SQLSTATE
BEGIN;
CALL sg_app.sp_user_segment('seg3', 'SELECT ''u1''');
ROLLBACK;

-- 4. privileges: the query and the export run as the caller (SECURITY INVOKER).  A role
--    that may write segments and read event_v2, but not read user_v2, cannot build a
--    segment (the summary reads user_v2) nor read user_v2 through the query.
CREATE ROLE regress_segment_writer;
GRANT USAGE ON SCHEMA sg_app TO regress_segment_writer;
GRANT SELECT ON sg_app.event_v2 TO regress_segment_writer;
GRANT SELECT, INSERT, UPDATE, DELETE ON sg_app.segment_user, sg_app.segment_job TO regress_segment_writer;
SET ROLE regress_segment_writer;
CALL sg_app.sp_user_segment('seg4', 'SELECT user_pseudo_id FROM sg_app.event_v2');
\echo :LAST_ERROR_SQLSTATE
CALL sg_app.sp_user_segment('seg4', 'SELECT user_pseudo_id FROM sg_app.user_v2');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
SELECT segment_id, status, run_by, error FROM sg_app.segment_job WHERE segment_id = 'seg4' ORDER BY job_id;
SELECT count(*) FROM sg_app.segment_user WHERE segment_id = 'seg4';
-- with SELECT on user_v2 it works; writing files still needs pg_write_server_files
GRANT SELECT ON sg_app.user_v2 TO regress_segment_writer;
SET ROLE regress_segment_writer;
CALL sg_app.sp_user_segment('seg4', 'SELECT user_pseudo_id FROM sg_app.event_v2 UNION SELECT ''u1''') \gset r_
SELECT :r_segment_user_number AS segment_user_number, :r_total_user_number AS total_user_number;
CALL sg_app.sp_user_segment('seg4', 'SELECT ''u2''', '/tmp/regress_segment_');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
SELECT user_id FROM sg_app.segment_user WHERE segment_id = 'seg4' ORDER BY 1;

-- 5. the optional export (a superuser here): segment_000.csv with the segment's user_v2
--    rows and a header, segment-summary_000.csv with the three numbers
SELECT 'regress_segment_' || pg_backend_pid() || '_' AS prefix \gset
CALL sg_app.sp_user_segment('seg5', $$SELECT 'u4' UNION ALL SELECT 'u5'$$, '/tmp/' || :'prefix') \gset r_
CREATE TEMPORARY TABLE sg_lines (line text);
SELECT format('COPY sg_lines FROM %L', '/tmp/' || :'prefix' || 'segment_000.csv') AS copy_users \gset
:copy_users;
SELECT split_part(line, ',', 1) AS first_field, count(*) FROM sg_lines GROUP BY 1 ORDER BY 1;
TRUNCATE sg_lines;
SELECT format('COPY sg_lines FROM %L', '/tmp/' || :'prefix' || 'segment-summary_000.csv') AS copy_summary \gset
:copy_summary;
SELECT replace(line, :'r_job_end_time', '<job_end_time>') FROM sg_lines;

SELECT clickstream.drop_app('sg_app');
DROP ROLE regress_segment_writer;
SELECT format('COPY (SELECT 1) TO PROGRAM %L', 'rm -f /tmp/' || :'prefix' || '*.csv') AS cleanup \gset
:cleanup;
