-- Reporting views (spec §6.4): the three "materialized views" (tables refreshed
-- incrementally by <app>.clickstream_refresh_views_sp) and the two plain views.
SET client_min_messages = warning;
SELECT clickstream.create_app('vw_app', 'proj', 'Asia/Shanghai', partition_interval => 'month');

-- the tables and views with their columns
SELECT c.relname, c.relkind,
       pg_catalog.string_agg(a.attname || ' ' || format_type(a.atttypid, a.atttypmod), ', ' ORDER BY a.attnum) AS columns
  FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0
 WHERE c.relnamespace = 'vw_app'::regnamespace
   AND c.relname IN ('clickstream_acquisition_intra_day_user_mv', 'clickstream_lifecycle_view_v2',
                     'clickstream_retention_base_view', 'clickstream_lifecycle_weekly_view_v3',
                     'clickstream_retention_view_v3')
 GROUP BY c.relname, c.relkind ORDER BY c.relname;

-- vw_check: each table against the spec's definition (§6.4) evaluated as a plain query in
-- the app's current time zone; missing and extra count rows (with duplicates) that differ.
CREATE FUNCTION vw_check(p_schema text)
RETURNS TABLE (mv text, spec_rows bigint, missing bigint, extra bigint)
LANGUAGE plpgsql SET TimeZone = 'UTC'
AS $$
DECLARE
    v_tz text := (SELECT time_zone FROM clickstream.apps WHERE schema_name = p_schema);
    v_spec text;
BEGIN
    FOR mv, v_spec IN VALUES
        ('clickstream_acquisition_intra_day_user_mv', format(
            'SELECT DISTINCT date_trunc(''hour'', (e.event_timestamp AT TIME ZONE ''UTC'') AT TIME ZONE %2$L) AS event_date,
                    e.platform, COALESCE(u.user_id, e.user_pseudo_id) AS active_users,
                    CASE WHEN e.event_name = ''_first_open'' THEN COALESCE(u.user_id, e.user_pseudo_id) END AS new_users
               FROM %1$I.clickstream_event_base_view e JOIN %1$I.user_v2 u USING (user_pseudo_id)', p_schema, v_tz)),
        ('clickstream_lifecycle_view_v2', format(
            'SELECT DISTINCT user_pseudo_id, platform,
                    date_trunc(''week'', (event_timestamp AT TIME ZONE ''UTC'') AT TIME ZONE %2$L) AS time_period_week
               FROM %1$I.event_v2 WHERE event_name = ''_session_start''', p_schema, v_tz)),
        ('clickstream_retention_base_view', format(
            'SELECT DISTINCT user_pseudo_id, platform, first_date, day_diff FROM (
                 SELECT e.user_pseudo_id, e.platform,
                        (to_timestamp(u.first_touch_time_msec / 1000) AT TIME ZONE %2$L)::date AS first_date,
                        ((e.event_timestamp AT TIME ZONE ''UTC'') AT TIME ZONE %2$L)::date
                          - (to_timestamp(u.first_touch_time_msec / 1000) AT TIME ZONE %2$L)::date AS day_diff
                   FROM %1$I.clickstream_event_base_view e JOIN %1$I.user_v2 u USING (user_pseudo_id)
                  WHERE u.first_touch_time_msec IS NOT NULL
                    AND e.event_timestamp >= to_timestamp(u.first_touch_time_msec / 1000) AT TIME ZONE ''UTC'') x
              WHERE day_diff <= 42', p_schema, v_tz))
    LOOP
        EXECUTE format('SELECT (SELECT count(*) FROM (%1$s) s),
                               (SELECT count(*) FROM ((%1$s) EXCEPT ALL SELECT * FROM %2$I.%3$I) m),
                               (SELECT count(*) FROM (SELECT * FROM %2$I.%3$I EXCEPT ALL (%1$s)) x)',
                       v_spec, p_schema, mv)
           INTO spec_rows, missing, extra;
        RETURN NEXT;
    END LOOP;
END
$$;

-- Data.  Shanghai is UTC+8; local weeks start on Mondays 2024-05-06 (W1), 05-13 (W2),
-- 05-20 (W3), 05-27 (W4), 06-03 (W5).  Times below are UTC; "local" means Shanghai.
SELECT clickstream._ensure_partitions('vw_app.event_v2', ARRAY['2024-05-01', '2024-06-01']::timestamp[]);
INSERT INTO vw_app.event_v2 (event_timestamp, event_id, event_time_msec, event_name, project_id, app_id,
                             user_pseudo_id, platform, created_time)
VALUES
  -- pa (user id alice), Web, first touch 05-06 10:00 local (02:00 UTC)
  ('2024-05-06 02:00:00', 'a1', 1, '_first_open',      'proj', 'vw_app', 'pa', 'Web', '2024-07-01'),
  ('2024-05-06 02:00:01', 'a2', 1, '_session_start',   'proj', 'vw_app', 'pa', 'Web', '2024-07-01'),
  -- Sunday 05-12 in UTC but Monday 05-13 00:30 local: week W2, local hour 05-13 00:00
  ('2024-05-12 16:30:00', 'a3', 1, '_session_start',   'proj', 'vw_app', 'pa', 'Web', '2024-07-01'),
  ('2024-05-27 01:00:00', 'a4', 1, '_session_start',   'proj', 'vw_app', 'pa', 'Web', '2024-07-01'),
  -- local 06-17: day_diff 42 (kept); local 06-18 00:30: day_diff 43 (not in retention)
  ('2024-06-17 03:00:00', 'a5', 1, '_user_engagement', 'proj', 'vw_app', 'pa', 'Web', '2024-07-01'),
  ('2024-06-17 16:30:00', 'a6', 1, '_user_engagement', 'proj', 'vw_app', 'pa', 'Web', '2024-07-01'),
  -- pb (no user id), Android and Web, first touch 05-10 12:00 local, first active 05-13
  ('2024-05-13 02:00:00', 'b1', 1, '_session_start',   'proj', 'vw_app', 'pb', 'Android', '2024-07-01'),
  ('2024-05-13 03:00:00', 'b2', 1, '_session_start',   'proj', 'vw_app', 'pb', 'Web', '2024-07-01'),
  ('2024-05-20 02:00:00', 'b3', 1, '_session_start',   'proj', 'vw_app', 'pb', 'Android', '2024-07-01'),
  -- pc (no user id), Web, first touch 05-07 04:00:00.999 UTC: c1 starts before it (in
  -- lifecycle, not in retention); c2 at 04:00:00.5 counts, as first touch is truncated to
  -- whole seconds (integer division of the milliseconds)
  ('2024-05-07 00:00:00', 'c1', 1, '_session_start',   'proj', 'vw_app', 'pc', 'Web', '2024-07-01'),
  ('2024-05-07 04:00:00.5', 'c2', 1, '_page_view',     'proj', 'vw_app', 'pc', 'Web', '2024-07-01'),
  -- pd (user id dave), Web, first touch 05-06 20:00 local
  ('2024-05-06 12:30:00', 'd1', 1, '_first_open',      'proj', 'vw_app', 'pd', 'Web', '2024-07-01'),
  ('2024-05-13 13:00:00', 'd2', 1, '_page_view',       'proj', 'vw_app', 'pd', 'Web', '2024-07-01'),
  -- pz: no user_v2 row: in lifecycle (read from event_v2), nowhere else
  ('2024-05-20 05:00:00', 'z1', 1, '_session_start',   'proj', 'vw_app', 'pz', 'Web', '2024-07-01');
INSERT INTO vw_app.user_v2 (event_timestamp, user_pseudo_id, user_id, first_touch_time_msec, created_time)
VALUES ('2024-06-17', 'pa', 'alice', extract(epoch FROM timestamp '2024-05-06 02:00:00')::bigint * 1000, '2024-07-01'),
       ('2024-05-20', 'pb', NULL,    extract(epoch FROM timestamp '2024-05-10 04:00:00')::bigint * 1000, '2024-07-01'),
       ('2024-05-07', 'pc', NULL,    extract(epoch FROM timestamp '2024-05-07 04:00:00')::bigint * 1000 + 999, '2024-07-01'),
       ('2024-05-13', 'pd', 'dave',  extract(epoch FROM timestamp '2024-05-06 12:00:00')::bigint * 1000, '2024-07-01');
CALL vw_app.clickstream_event_base_view_sp('2024-01-01', '2024-12-31');

-- create_app computed the (empty) tables; this first refresh is incremental: the base
-- rows written make 7 local days dirty (05-06, 05-07, 05-13, 05-20, 05-27, 06-17,
-- 06-18), event_v2's new rows 5 local weeks (W1-W4 and 06-17), and all 4 users are new
CALL clickstream.refresh_reporting_views('vw_app');
SELECT log_msg FROM vw_app.clickstream_log_v2 ORDER BY id DESC LIMIT 1;
SELECT * FROM vw_check('vw_app');

-- intra-day users, local hours: pa is alice (new user on the _first_open hour, so that hour
-- has a row with new_users and one without, from a2); a3 is in local hour 05-13 00:00;
-- pb counts once per platform; pz is absent (no user_v2 row)
SELECT * FROM vw_app.clickstream_acquisition_intra_day_user_mv ORDER BY event_date, platform, active_users, new_users;
-- retention base: pa day 0 (a1, a2), 7 (a3), 21 (a4), 42 (a5) but not 43 (a6); pb 3 on
-- both platforms and 10 on Android; pc day 0 from c2 only; pd 0 and 7
SELECT * FROM vw_app.clickstream_retention_base_view ORDER BY user_pseudo_id, platform, day_diff;
SELECT * FROM vw_app.clickstream_lifecycle_view_v2 ORDER BY user_pseudo_id, time_period_week, platform;

-- Lifecycle weeks, per user over all platforms ordered by (week, platform):
--   pa  W1 Web NEW (next W2: no churn); W2 Web RETAINED (next W4: churn); W4 Web RETURN (churn)
--   pb  W2 Android NEW (next row same week, lead_size 0: churn); W2 Web lag_size 0: NULL
--       (next W3: no churn); W3 Android RETAINED (churn)
--   pc  W1 Web NEW (churn)          pz  W3 Web NEW (churn)
-- so: W1 Web NEW 2 (pa, pc); W2 Web RETAINED 1; W2 Android NEW 1; W2 Web NULL 1;
-- W3 Android RETAINED 1; W3 Web NEW 1; W4 Web RETURN 1; and the churns one week later,
-- negative: W2 Web -1 (pc), W3 Web -1 (pa), W3 Android -1 (pb), W4 Android -1 (pb),
-- W4 Web -1 (pz), W5 Web -1 (pa)
SELECT * FROM vw_app.clickstream_lifecycle_weekly_view_v3 ORDER BY time_period, platform, this_week_value;

-- Retention cohorts: pb has no activity on its first day on either platform (min
-- day_diff 3): left out.  Web 05-06 cohort: pa, pd (2): day 0 both, day 7 both (a3 is
-- local 05-13), day 21 pa, day 42 pa.  Web 05-07: pc alone, day 0.
SELECT * FROM vw_app.clickstream_retention_view_v3 ORDER BY platform, first_date, day_diff;

-- nothing loaded since: nothing recomputed
CALL vw_app.clickstream_refresh_views_sp();
SELECT log_msg FROM vw_app.clickstream_log_v2 ORDER BY id DESC LIMIT 1;

-- pb logs in as bob: its rows on every day it was active (local 05-13, 05-20) change;
-- the pb rows disappear from the intra-day table
UPDATE vw_app.user_v2 SET user_id = 'bob', created_time = '2024-07-02' WHERE user_pseudo_id = 'pb';
CALL vw_app.clickstream_refresh_views_sp();
SELECT log_msg FROM vw_app.clickstream_log_v2 ORDER BY id DESC LIMIT 1;
SELECT * FROM vw_app.clickstream_acquisition_intra_day_user_mv WHERE active_users IN ('pb', 'bob') ORDER BY 1, 2;
SELECT * FROM vw_check('vw_app');

-- b3 is delivered again as a _screen_view (same key): W3 is recomputed and pb's W3
-- Android row goes, so pb's W2 Web row becomes its last week (churn)
UPDATE vw_app.event_v2 SET event_name = '_screen_view', created_time = '2024-07-02' WHERE event_id = 'b3';
CALL vw_app.clickstream_event_base_view_sp('2024-05-20 02:00', '2024-05-20 02:00');
CALL vw_app.clickstream_refresh_views_sp();
SELECT log_msg FROM vw_app.clickstream_log_v2 ORDER BY id DESC LIMIT 1;
SELECT * FROM vw_app.clickstream_lifecycle_view_v2 WHERE user_pseudo_id = 'pb' ORDER BY 3, 2;
--   W3 Android RETAINED and W4 Android CHURN are gone; W3 Android CHURN -1 (pb's W2 Android
--   row, lead_size 0); W3 Web CHURN -2 (pa and pb's W2 Web row)
SELECT * FROM vw_app.clickstream_lifecycle_weekly_view_v3 ORDER BY time_period, platform, this_week_value;
SELECT * FROM vw_check('vw_app');

-- a new day: a new user pe opens the app on local 06-18; one day, one week, one user
INSERT INTO vw_app.event_v2 (event_timestamp, event_id, event_time_msec, event_name, project_id, app_id,
                             user_pseudo_id, platform, created_time)
VALUES ('2024-06-18 01:00', 'e1', 1, '_first_open', 'proj', 'vw_app', 'pe', 'iOS', '2024-07-03'),
       ('2024-06-18 01:01', 'e2', 1, '_session_start', 'proj', 'vw_app', 'pe', 'iOS', '2024-07-03');
INSERT INTO vw_app.user_v2 (event_timestamp, user_pseudo_id, user_id, first_touch_time_msec, created_time)
VALUES ('2024-06-18', 'pe', NULL, extract(epoch FROM timestamp '2024-06-18 01:00:00')::bigint * 1000, '2024-07-03');
CALL vw_app.clickstream_event_base_view_sp('2024-06-18', '2024-06-19');
CALL vw_app.clickstream_refresh_views_sp();
SELECT log_msg FROM vw_app.clickstream_log_v2 ORDER BY id DESC LIMIT 1;
SELECT * FROM vw_app.clickstream_retention_view_v3 WHERE platform = 'iOS';
SELECT * FROM vw_check('vw_app');

-- retention deletes everything before 05-13 00:00 UTC from event_v2 and the base table:
-- the tables drop the older days and weeks, and recompute the boundary day (local 05-13,
-- which loses a3, 05-12 16:30 UTC) and week (W2, which loses a3 too)
DELETE FROM vw_app.event_v2 WHERE event_timestamp < '2024-05-13';
DELETE FROM vw_app.clickstream_event_base_view WHERE event_timestamp < '2024-05-13';
CALL vw_app.clickstream_refresh_views_sp();
SELECT log_msg FROM vw_app.clickstream_log_v2 ORDER BY id DESC LIMIT 1;
SELECT min(event_date) FROM vw_app.clickstream_acquisition_intra_day_user_mv;
SELECT * FROM vw_app.clickstream_lifecycle_view_v2 WHERE user_pseudo_id = 'pa' ORDER BY 3;
SELECT * FROM vw_check('vw_app');

-- a new time zone (spec §13 item 26): create_app recomputes the tables in it
SELECT clickstream.create_app('vw_app', 'proj', 'UTC', partition_interval => 'month');
SELECT time_zone FROM vw_app.clickstream_reporting_views_state;
SELECT log_msg, count(*) OVER () AS full_refreshes
  FROM vw_app.clickstream_log_v2 WHERE log_msg LIKE 'full refresh%' ORDER BY id DESC LIMIT 1;
SELECT * FROM vw_check('vw_app');
-- d2 (13:00 UTC) is now in hour 13:00 of 05-13, not 21:00
SELECT * FROM vw_app.clickstream_acquisition_intra_day_user_mv WHERE active_users = 'dave';
-- same zone again: no further full refresh
SELECT clickstream.create_app('vw_app', 'proj', 'UTC', partition_interval => 'month');
SELECT count(*) AS full_refreshes FROM vw_app.clickstream_log_v2 WHERE log_msg LIKE 'full refresh%';

-- a full recomputation by hand gives the same rows
CALL clickstream.rebuild_reporting_views('vw_app');
SELECT * FROM vw_check('vw_app');

-- A half-hour zone: the UTC hour 18:00-19:00 is 23:30-00:30 in Kolkata, so a dirty UTC hour
-- makes two local days dirty; k1 (18:45 UTC) is on 05-07 local, hour 00:00.  The user is
-- known before the event arrives, so only the dirty hour can bring 05-07 in.
SELECT clickstream.create_app('vw_kol', 'proj', 'Asia/Kolkata', partition_interval => 'month');
INSERT INTO vw_kol.user_v2 (event_timestamp, user_pseudo_id, first_touch_time_msec, created_time)
VALUES ('2024-05-06', 'pk', extract(epoch FROM timestamp '2024-05-06 18:45')::bigint * 1000, '2024-07-01');
CALL vw_kol.clickstream_refresh_views_sp();
SELECT clickstream._ensure_partitions('vw_kol.event_v2', ARRAY['2024-05-01']::timestamp[]);
INSERT INTO vw_kol.event_v2 (event_timestamp, event_id, event_time_msec, event_name, project_id, app_id,
                             user_pseudo_id, platform, created_time)
VALUES ('2024-05-06 18:45', 'k1', 1, '_first_open', 'proj', 'vw_kol', 'pk', 'Web', '2024-07-02');
CALL vw_kol.clickstream_event_base_view_sp('2024-05-06', '2024-05-07');
CALL vw_kol.clickstream_refresh_views_sp();
SELECT log_msg FROM vw_kol.clickstream_log_v2 ORDER BY id DESC LIMIT 1;
SELECT * FROM vw_kol.clickstream_acquisition_intra_day_user_mv;
SELECT * FROM vw_kol.clickstream_retention_base_view;
SELECT * FROM vw_check('vw_kol');
SELECT clickstream.drop_app('vw_kol');

-- errors
\set VERBOSITY terse
CALL clickstream.refresh_reporting_views('no_such_app');
\set VERBOSITY default

DROP FUNCTION vw_check(text);
-- later tests list the apps: leave none behind
SELECT clickstream.drop_app('vw_app');
