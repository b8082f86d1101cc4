-- The sixteen daily summary tables (spec §6.5-§6.6) on a small hand-made dataset.
-- Expected rows are worked out by hand below, table by table.
--
-- App time zone Asia/Shanghai (UTC+8, no DST).  Reporting day D = 2024-05-16: its window
-- is [2024-05-15 16:00, 2024-05-16 16:00) UTC; D-1 = 2024-05-15: [05-14 16:00, 05-15 16:00).
--
-- Users (user_v2; merged user id = COALESCE(user_id, user_pseudo_id)):
--   pA  Web      alice  first touch 2024-05-15 15:59:59.999 UTC: whole seconds (ms/1000, as the
--                       original) give 23:59:59 local on 05-15, so alice-through-pA is RETURNING on D
--   pA3 Web      alice  first touch 2024-05-15 17:00 UTC = 05-16 01:00 local: NEW on D (the UTC
--                       date, 05-15, would say otherwise)
--   pA2 Android  alice  first touch unknown (NULL): RETURNING
--   pB  Android  -      merged id 'pB', first touch 2024-05-01: RETURNING
--   pC  iOS      -      no user_v2 row: none of its events appears anywhere (§13 item 13)
-- So alice is active on two platforms (Web through pA and pA3, Android through pA2).
--
-- Sessions and events (UTC times; dur = session_duration ms, uet = user_engagement_time_msec):
--   sA1 (pA, Web; session attribution google / cpc / spring / Paid Search)
--     a0 16:59 05-15 _first_open; a1 17:00 _page_view Home /home (page entrance);
--     a2 17:05 _page_view Cart, path NULL; a3 17:06 add_to_cart value 9.5; max dur 6000
--     -> 2 views: engaged (both definitions)
--   sA3 (pA3, Web; bing / organic / - / Organic Search)
--     c1 02:00 05-16 _first_open; c2 02:01 _page_view Home /home (page entrance) dur 10001;
--     c3 02:05 _user_engagement uet 3000 -> 1 view, dur 10001 > 10000: engaged (both)
--   sA2 (pA2, Android; no session row, attribution NULL)
--     d1 03:00 _screen_view Main/MainActivity, screen_view_entrances true, page flag false,
--     dur 10000; d2 03:01 _app_exception -> 1 view, dur exactly 10000: not engaged
--   sB1 (pB, Android; newsletter / email / may / Email) spans local midnight:
--     b0 15:30 05-15 _session_start, b1 15:59:59 _screen_view Main (screen entrance) dur 11000
--     belong to D-1 (dur 11000 > 10000: engaged on D-1);
--     b2 16:00:00 (= 00:00 local, start of D, inclusive) _screen_view Detail dur 5000,
--     b3 16:01 _user_engagement uet 10 000 001 belong to D -> on D: 1 view, dur 5000, uet over
--     10 000 000: engaged for acquisition, not for the KPI (which ignores uet)
--   sB2 (pB, Android; Direct): e1 05:00 _screen_view Main (screen entrance) delivered twice,
--     the second copy with an ETL-adjusted timestamp 05:00:01 (same event_id, two base rows);
--     e2 05:02 _user_engagement uet exactly 10 000 000; dur 10000 -> 1 distinct view (2 rows),
--     dur and uet at the thresholds: not engaged
--   sB3 (pB, Android; newsletter / email / may / Email): f1 06:00 _screen_view Main with the
--     page flag true but screen_view_entrances false; f2 06:01 _screen_view Detail;
--     f3 06:02 _user_engagement uet 4000; dur 3000 -> 2 views: engaged (both)
--   sB4 (pB): h1 16:00 05-16 = 00:00 local on 05-17: outside D
--   sC1 (pC, iOS): g1 _first_open, g2 _screen_view on D: no user_v2 row, dropped
SET client_min_messages = warning;
SELECT clickstream.create_app('sum_app', 'proj', 'Asia/Shanghai', partition_interval => 'month');
SELECT clickstream._ensure_partitions('sum_app.event_v2', ARRAY[timestamp '2024-05-01']) > 0 AS partitions;

INSERT INTO sum_app.event_v2 (event_id, event_timestamp, event_time_msec, event_name, platform,
       user_pseudo_id, session_id, session_duration, user_engagement_time_msec, event_value,
       page_view_page_title, page_view_page_url_path, page_view_entrances,
       screen_view_screen_name, screen_view_screen_id, screen_view_entrances, project_id, app_id)
SELECT v.*, 'proj', 'sum_app' FROM (VALUES
  ('a0', timestamp '2024-05-15 16:59:00', 0::bigint, '_first_open', 'Web', 'pA', 'sA1', 0::bigint, NULL::bigint, NULL::float8, NULL, NULL, false, NULL, NULL, false),
  ('a1', '2024-05-15 17:00:00', 0, '_page_view', 'Web', 'pA', 'sA1', 1000, NULL, NULL, 'Home', '/home', true, NULL, NULL, false),
  ('a2', '2024-05-15 17:05:00', 0, '_page_view', 'Web', 'pA', 'sA1', 5000, NULL, NULL, 'Cart', NULL, false, NULL, NULL, false),
  ('a3', '2024-05-15 17:06:00', 0, 'add_to_cart', 'Web', 'pA', 'sA1', 6000, NULL, 9.5, NULL, NULL, false, NULL, NULL, false),
  ('c1', '2024-05-16 02:00:00', 0, '_first_open', 'Web', 'pA3', 'sA3', 0, NULL, NULL, NULL, NULL, false, NULL, NULL, false),
  ('c2', '2024-05-16 02:01:00', 0, '_page_view', 'Web', 'pA3', 'sA3', 10001, NULL, NULL, 'Home', '/home', true, NULL, NULL, false),
  ('c3', '2024-05-16 02:05:00', 0, '_user_engagement', 'Web', 'pA3', 'sA3', 10001, 3000, NULL, NULL, NULL, false, NULL, NULL, false),
  ('d1', '2024-05-16 03:00:00', 0, '_screen_view', 'Android', 'pA2', 'sA2', 10000, NULL, NULL, NULL, NULL, false, 'Main', 'MainActivity', true),
  ('d2', '2024-05-16 03:01:00', 0, '_app_exception', 'Android', 'pA2', 'sA2', 10000, NULL, NULL, NULL, NULL, false, NULL, NULL, false),
  ('b0', '2024-05-15 15:30:00', 0, '_session_start', 'Android', 'pB', 'sB1', 0, NULL, NULL, NULL, NULL, false, NULL, NULL, false),
  ('b1', '2024-05-15 15:59:59', 0, '_screen_view', 'Android', 'pB', 'sB1', 11000, NULL, NULL, NULL, NULL, false, 'Main', 'MainActivity', true),
  ('b2', '2024-05-15 16:00:00', 0, '_screen_view', 'Android', 'pB', 'sB1', 5000, NULL, NULL, NULL, NULL, false, 'Detail', 'DetailActivity', false),
  ('b3', '2024-05-15 16:01:00', 0, '_user_engagement', 'Android', 'pB', 'sB1', 5000, 10000001, NULL, NULL, NULL, false, NULL, NULL, false),
  ('e1', '2024-05-16 05:00:00', 0, '_screen_view', 'Android', 'pB', 'sB2', 10000, NULL, NULL, NULL, NULL, false, 'Main', 'MainActivity', true),
  ('e1', '2024-05-16 05:00:01', 0, '_screen_view', 'Android', 'pB', 'sB2', 10000, NULL, NULL, NULL, NULL, false, 'Main', 'MainActivity', true),
  ('e2', '2024-05-16 05:02:00', 0, '_user_engagement', 'Android', 'pB', 'sB2', 10000, 10000000, NULL, NULL, NULL, false, NULL, NULL, false),
  ('f1', '2024-05-16 06:00:00', 0, '_screen_view', 'Android', 'pB', 'sB3', 1000, NULL, NULL, NULL, NULL, true, 'Main', 'MainActivity', false),
  ('f2', '2024-05-16 06:01:00', 0, '_screen_view', 'Android', 'pB', 'sB3', 3000, NULL, NULL, NULL, NULL, false, 'Detail', 'DetailActivity', false),
  ('f3', '2024-05-16 06:02:00', 0, '_user_engagement', 'Android', 'pB', 'sB3', 3000, 4000, NULL, NULL, NULL, false, NULL, NULL, false),
  ('h1', '2024-05-16 16:00:00', 0, 'late_event', 'Android', 'pB', 'sB4', 0, NULL, NULL, NULL, NULL, false, NULL, NULL, false),
  ('g1', '2024-05-16 07:00:00', 0, '_first_open', 'iOS', 'pC', 'sC1', 0, NULL, NULL, NULL, NULL, false, NULL, NULL, false),
  ('g2', '2024-05-16 07:01:00', 0, '_screen_view', 'iOS', 'pC', 'sC1', 20000, NULL, NULL, NULL, NULL, true, 'Main', 'MainActivity', true)
) AS v;
UPDATE sum_app.event_v2 SET event_time_msec = (extract(epoch FROM event_timestamp) * 1000)::bigint;
-- device, geo and app version per pseudonymous user
UPDATE sum_app.event_v2 SET geo_country = 'CN', geo_city = 'Beijing', app_version = '1.0',
       device_ua_browser = 'Chrome', device_ua_os = 'Windows', device_ua_os_version = '10',
       device_screen_width = 1920, device_screen_height = 1080, device_ua_device_category = 'Desktop'
 WHERE user_pseudo_id = 'pA';
UPDATE sum_app.event_v2 SET geo_country = 'CN', geo_city = 'Beijing', app_version = '1.0',
       device_ua_browser = 'Safari', device_ua_os = 'macOS', device_ua_os_version = '14',
       device_ua_device = 'Mac', device_ua_device_category = 'Desktop'
 WHERE user_pseudo_id = 'pA3';
UPDATE sum_app.event_v2 SET geo_country = 'US', app_version = '2.0', device_mobile_model_name = 'Pixel 8',
       device_screen_width = 1080, device_screen_height = 2400
 WHERE user_pseudo_id = 'pA2';
UPDATE sum_app.event_v2 SET geo_country = 'US', geo_city = 'Boston', app_version = '2.0',
       device_mobile_model_name = 'Galaxy S23', device_operating_system = 'Android',
       device_operating_system_version = '13', device_screen_width = 1080, device_screen_height = 2340
 WHERE user_pseudo_id IN ('pB', 'pC');

INSERT INTO sum_app.user_v2 (event_timestamp, user_pseudo_id, user_id, first_touch_time_msec,
       first_traffic_source, first_traffic_medium, first_traffic_campaign, first_traffic_clid_platform,
       first_traffic_channel_group, first_app_install_source)
VALUES ('2024-05-15 16:59', 'pA', 'alice',
        (extract(epoch FROM timestamp '2024-05-15 15:59:59') * 1000)::bigint + 999,
        'google', 'cpc', 'spring', NULL, 'Paid Search', NULL),
       ('2024-05-16 02:00', 'pA3', 'alice', (extract(epoch FROM timestamp '2024-05-15 17:00') * 1000)::bigint,
        'bing', NULL, NULL, NULL, 'Organic Search', NULL),
       ('2024-05-16 03:00', 'pA2', 'alice', NULL, NULL, NULL, NULL, NULL, NULL, 'google_play'),
       ('2024-05-01 00:00', 'pB', NULL, (extract(epoch FROM timestamp '2024-05-01') * 1000)::bigint,
        'facebook', 'social', NULL, NULL, 'Organic Social', 'google_play');
INSERT INTO sum_app.session (event_timestamp, user_pseudo_id, session_id, session_source, session_medium,
       session_campaign, session_clid_platform, session_channel_group)
VALUES ('2024-05-15 16:59', 'pA', 'sA1', 'google', 'cpc', 'spring', NULL, 'Paid Search'),
       ('2024-05-16 02:00', 'pA3', 'sA3', 'bing', 'organic', NULL, NULL, 'Organic Search'),
       ('2024-05-15 15:30', 'pB', 'sB1', 'newsletter', 'email', 'may', NULL, 'Email'),
       ('2024-05-16 05:00', 'pB', 'sB2', NULL, NULL, NULL, NULL, 'Direct'),
       ('2024-05-16 06:00', 'pB', 'sB3', 'newsletter', 'email', 'may', NULL, 'Email');
CALL sum_app.clickstream_event_base_view_sp('2024-01-01', '2025-01-01', NULL);
SELECT count(*) AS base_rows FROM sum_app.clickstream_event_base_view;  -- 22 (e1 twice)

-- All sixteen for D and D-1 (ndays = 2, newest first), in the refresh order of spec §7.2.
CREATE TEMP TABLE summary_sp (ord int, sp text);
INSERT INTO summary_sp VALUES
  (1, 'clickstream_acquisition_country_new_user_sp'), (2, 'clickstream_acquisition_day_traffic_source_user_sp'),
  (3, 'clickstream_acquisition_day_user_acquisition_sp'), (4, 'clickstream_engagement_day_event_view_sp'),
  (5, 'clickstream_engagement_entrance_sp'), (6, 'clickstream_engagement_exit_sp'),
  (7, 'clickstream_engagement_kpi_sp'), (8, 'clickstream_engagement_page_screen_view_detail_sp'),
  (9, 'clickstream_engagement_page_screen_view_sp'), (10, 'clickstream_engagement_event_name_sp'),
  (11, 'clickstream_retention_dau_wau_sp'), (12, 'clickstream_retention_event_overtime_sp'),
  (13, 'clickstream_retention_user_new_return_sp'), (14, 'clickstream_acquisition_day_user_view_cnt_sp'),
  (15, 'clickstream_device_crash_rate_sp'), (16, 'clickstream_device_user_device_sp');
CREATE FUNCTION pg_temp.run_all(p_ndays int) RETURNS void LANGUAGE plpgsql AS $$
DECLARE r record;
BEGIN
    FOR r IN SELECT sp FROM summary_sp ORDER BY ord LOOP
        EXECUTE format('CALL sum_app.%I(%L, %L, %s)', r.sp, '2024-05-16', 'Asia/Shanghai', p_ndays);
    END LOOP;
END
$$;
SELECT pg_temp.run_all(2);

-- Every table has rows for exactly D-1 and D (h1 on 05-17 is in no window) and none from
-- iOS (pC has no user_v2 row).  D-1 has only pB's b0 and b1 and no _first_open, so
-- clickstream_acquisition_country_new_user is the one table with rows for D only.
CREATE FUNCTION pg_temp.summary_days(p_table text, OUT days text, OUT ios_rows bigint)
LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('SELECT string_agg(DISTINCT event_date::text, '','' ORDER BY event_date::text),
                           count(*) FILTER (WHERE platform = ''iOS'') FROM sum_app.%I', p_table)
       INTO days, ios_rows;
END
$$;
SELECT ord, t.tbl, d.days, d.ios_rows
  FROM summary_sp, LATERAL (SELECT left(sp, -3) AS tbl) t, LATERAL pg_temp.summary_days(t.tbl) d
 ORDER BY ord;

-- 1 clickstream_acquisition_country_new_user: distinct pseudonymous ids with a _first_open.
-- D: a0 (pA) and c1 (pA3), both Web, CN, Beijing -> 2 although both are alice (spec §6.1:
-- counted by user_pseudo_id here); g1 (iOS) has no user.
SELECT event_date, platform, geo_country, geo_city, user_count
  FROM sum_app.clickstream_acquisition_country_new_user ORDER BY 1, 2, 3, 4;

-- 2 clickstream_acquisition_day_traffic_source_user, D: first-touch types only from the
-- _first_open events a0 (pA: google / cpc / spring / Paid Search) and c1 (pA3: bing, medium
-- NULL so 'Source / Medium' is NULL, Organic Search): two rows per type for alice on Web,
-- one where both are NULL (clid platform, install source) -> 12 rows.  Session types over
-- every event: Web alice sA1 (google / cpc / spring / Paid Search) and sA3 (bing / organic /
-- NULL / Organic Search); Android alice sA2 (no session row, all NULL); Android pB sB1 = sB3
-- (newsletter / email / may / Email) and sB2 (NULL, Direct).  Per (platform, user) each type
-- has two values, except clid platform (always NULL) and alice on Android -> 2 x 11 + 6 = 28.
SELECT event_date, count(*) FILTER (WHERE aggregation_type LIKE 'User First%' OR aggregation_type LIKE 'App First%') AS first_touch_rows,
       count(*) FILTER (WHERE aggregation_type LIKE 'Session%') AS session_rows,
       count(DISTINCT aggregation_type) AS types
  FROM sum_app.clickstream_acquisition_day_traffic_source_user GROUP BY 1 ORDER BY 1;
SELECT platform, aggregation_type, aggregation_dim, user_id
  FROM sum_app.clickstream_acquisition_day_traffic_source_user
 WHERE event_date = '2024-05-16' ORDER BY 1, 2, 3, 4;
-- D-1: pB's b0/b1 in sB1 (no _first_open): the six session types, one row each
SELECT platform, aggregation_type, aggregation_dim, user_id
  FROM sum_app.clickstream_acquisition_day_traffic_source_user
 WHERE event_date = '2024-05-15' ORDER BY 1, 2, 3, 4;

-- 3 clickstream_acquisition_day_user_acquisition, D.  Sessions (merged user, session):
--   (alice, sA1) Web: 4 events, 2 views -> engaged, uet 0, new (a0)
--   (alice, sA3) Web: 3 events, dur 10001 -> engaged, uet 3000, new (c1)
--   (alice, sA2) Android: 2 events, 1 view, dur 10000 -> not engaged
--   (pB, sB1) Android: 2 events on D, uet 10 000 001 > 10 000 000 -> engaged (acquisition rule)
--   (pB, sB2) Android: 2 distinct events (e1 twice), 1 distinct view, dur 10000, uet
--                      10 000 000 -> not engaged
--   (pB, sB3) Android: 3 events, 2 views -> engaged, uet 4000
-- engagement_rate = engaged sessions / sessions (§13 item 7; the original's integer
-- division by events would give 0 on every row below); total = Σ uet of engaged sessions /
-- 1000; avg = total / max(engaged, 1).
--   User First Traffic Source: Web alice google (sA1: 1 1 1 1 0 0 4), bing (sA3: 1 1 1 1 3 3 3);
--     Android alice NULL (sA2: 0 1 0 0 0 0 2); Android pB facebook (sB1, sB2, sB3: new 0,
--     3 sessions, 2 engaged, rate 2/3, total (10000001 + 4000)/1000 = 10004.001, avg 5002.0005,
--     events 2 + 2 + 3 = 7)
--   Session Traffic Channel Group (§13 item 8: total and avg in place, not swapped):
--     Paid Search (sA1) and Organic Search (sA3) as above; alice Android NULL; pB Email (sB1,
--     sB3: 0 2 2 1 10004.001 5002.0005 5), Direct (sB2: 0 1 0 0 0 0 2)
--   Session Traffic Source / Medium: 'google / cpc', 'bing / organic', alice Android NULL,
--     'newsletter / email' (= Email above), pB NULL (= Direct above)
-- Rows per type: 4 for each first-touch type except clid platform and install source (3:
-- both alice pseudonymous ids give NULL), 5 for the session types except clid platform (3).
SELECT aggregation_type, count(*) AS rows
  FROM sum_app.clickstream_acquisition_day_user_acquisition
 WHERE event_date = '2024-05-16' GROUP BY 1 ORDER BY 1;
SELECT aggregation_type, aggregation_dim, platform, user_id, new_user_count, session_count,
       engagement_session_count, engagement_rate, total_user_engagement_time_seconds,
       avg_user_engagement_time_seconds, event_count
  FROM sum_app.clickstream_acquisition_day_user_acquisition
 WHERE event_date = '2024-05-16'
   AND aggregation_type IN ('User First Traffic Source', 'Session Traffic Channel Group',
                            'Session Traffic Source / Medium')
 ORDER BY 1, 2, 3, 4;
-- D-1: (pB, sB1) with b0, b1: 1 view but dur 11000 -> engaged, uet 0, 2 events
SELECT aggregation_type, aggregation_dim, platform, user_id, new_user_count, session_count,
       engagement_session_count, engagement_rate, total_user_engagement_time_seconds,
       avg_user_engagement_time_seconds, event_count
  FROM sum_app.clickstream_acquisition_day_user_acquisition
 WHERE event_date = '2024-05-15' AND aggregation_type = 'Session Traffic Channel Group';

-- 4 clickstream_engagement_day_event_view: distinct events and views.
-- D Web: a0-a3, c1-c3 = 7 events, views a1 a2 c2 = 3.  D Android: d1 d2 b2 b3 e1 e2 f1 f2 f3
-- = 9 (e1 twice counts once), views d1 b2 e1 f1 f2 = 5.  D-1 Android: b0 b1, 1 view.
SELECT event_date, platform, event_count, view_count
  FROM sum_app.clickstream_engagement_day_event_view ORDER BY 1, 2;

-- 5 clickstream_engagement_entrance.  Pages: a1 and c2 (page flag) -> Home 2, /home 2.
-- Screens use screen_view_entrances (§13 item 10): d1 and e1 (once) -> Main 2, MainActivity 2;
-- f1 has only the page flag and is not counted (the original would count f1 alone: Main 1).
-- D-1: b1 -> Main 1.
SELECT event_date, platform, aggregation_type, aggregation_dim, entrance_count
  FROM sum_app.clickstream_engagement_entrance ORDER BY 1, 2, 3, 4;

-- 6 clickstream_engagement_exit: the last view of each session with the dimension set.
-- D screens: sA2 d1 Main; sB1 b2 Detail (b1 is in D-1); sB2 e1 (05:00:01 copy) Main; sB3 f2
-- Detail -> Main 2, Detail 2 (classes alike).  Pages: sA1's last title is a2 Cart but its
-- last URL path is a1 /home (a2 has none); sA3 c2 Home, /home -> Title Cart 1, Home 1;
-- Path /home 2.  D-1: sB1 b1 Main.
SELECT event_date, platform, aggregation_type, aggregation_dim, exit_count
  FROM sum_app.clickstream_engagement_exit ORDER BY 1, 2, 3, 4;

-- 7 clickstream_engagement_event_name: Σ event_value and distinct events per merged user.
-- D Web alice: _first_open 2 (a0, c1), _page_view 3, add_to_cart 1 with 9.5,
-- _user_engagement 1; Android alice: _app_exception 1, _screen_view 1; Android pB:
-- _screen_view 4 (b2, e1, f1, f2), _user_engagement 3 (b3, e2, f3).  D-1: pB _session_start 1,
-- _screen_view 1.
SELECT event_date, platform, user_id, event_name, event_value, event_count
  FROM sum_app.clickstream_engagement_event_name ORDER BY 1, 2, 3, 4;

-- 8 clickstream_engagement_kpi (KPI rule: > 1 view or dur > 10000; uet ignored).
-- D Web: U = 1 (alice), sessions sA1 (2 views) and sA3 (dur 10001) engaged, E = 2,
-- T = 3000 (c3) -> 2, 3000 / 2 / 1000 = 1.5, 3000 / 1 / 1000 = 3.
-- D Android: U = 2 (alice, pB); sA2 (dur exactly 10000), sB1 (uet 10 000 001 but 1 view,
-- dur 5000) and sB2 (e1 twice = 1 view, dur 10000) are not engaged; sB3 is (2 views), E = 1,
-- T = 4000 -> 0.5, 4, 2.
-- D-1 Android: sB1 (b0, b1: dur 11000) engaged, U = 1, E = 1, T = 0 -> 1, 0, 0.
SELECT event_date, platform, avg_engaged_session_per_user, avg_engagement_time_per_session_seconds,
       avg_engagement_time_per_user_seconds
  FROM sum_app.clickstream_engagement_kpi ORDER BY 1, 2;

-- 9 clickstream_engagement_page_screen_view: every event grouped by each dimension, NULL
-- dims and zero counts kept.  D Web: titles Home (a1, c2) 2, Cart 1, NULL 0 (a0 a3 c1 c3 are
-- not page views); paths /home 2, NULL 1 (a2 is a page view without path); screens NULL 0.
-- D Android: pages NULL 0; Main (d1, e1, f1) 3, Detail (b2, f2) 2, NULL 0 (classes alike).
-- D-1 Android: pages NULL 0; Main 1, NULL 0.
SELECT event_date, platform, aggregation_type, aggregation_dim, view_count
  FROM sum_app.clickstream_engagement_page_screen_view ORDER BY 1, 2, 3, 4;

-- 10 clickstream_engagement_page_screen_view_detail, per merged user too:
-- (uet seconds, events, views, sessions).  D Web alice: Title Home (a1, c2) 0 2 2 2; Cart
-- (a2) 0 1 1 1; NULL (a0 a3 c1 c3) 3 4 0 2.  Path /home 0 2 2 2; NULL (a0 a2 a3 c1 c3) 3 5 1 2.
-- Screen name/class NULL: all 7, 3 7 0 2.  D Android alice: pages NULL (d1 d2) 0 2 0 1; Main
-- (d1) 0 1 1 1; screen NULL (d2) 0 1 0 1.  D Android pB: pages NULL (7 events, uet 10000001
-- + 10000000 + 4000 ms = 20004.001 s, stored as real: the nearest float4 is 20004.001953125,
-- shown 20004.002) 7 0 3; Main (e1 twice, f1) 0 2 2 2; Detail (b2, f2) 0 2 2 2; screen NULL
-- (b3 e2 f3) 20004.002 3 0 3.
SELECT event_date, platform, aggregation_type, aggregation_dim, user_id, user_engagement_time_seconds,
       event_count, view_count, session_count
  FROM sum_app.clickstream_engagement_page_screen_view_detail
 WHERE event_date = '2024-05-16' ORDER BY 1, 2, 3, 4, 5;
SELECT count(*) AS rows_d1 FROM sum_app.clickstream_engagement_page_screen_view_detail
 WHERE event_date = '2024-05-15';  -- pB: pages NULL x 2, Main, screen NULL x 2 = 6

-- 11 clickstream_retention_dau_wau: alice once per platform, pB; D-1 pB.
SELECT event_date, platform, merged_user_id FROM sum_app.clickstream_retention_dau_wau ORDER BY 1, 2, 3;

-- 12 clickstream_retention_event_overtime: D Web 7, Android 9; D-1 Android 2.
SELECT event_date, platform, event_count FROM sum_app.clickstream_retention_event_overtime ORDER BY 1, 2;

-- 13 clickstream_retention_user_new_return: D Web: alice through pA3 is NEW (first touch
-- 05-16 01:00 local) and through pA RETURNING (05-15 23:59:59 local after truncating to whole
-- seconds), so alice counts in both rows; Android: alice (pA2, unknown first touch) and pB
-- RETURNING 2.  D-1: pB RETURNING 1.
SELECT event_date, platform, user_type, user_count
  FROM sum_app.clickstream_retention_user_new_return ORDER BY 1, 2, 3;

-- 14 clickstream_acquisition_day_user_view_cnt: new_users = pseudonymous ids with a
-- _first_open (bigint, §13 item 11): Web alice 2 (pA, pA3), 3 views; Android alice 0, 1 view;
-- pB 0, 4 views (b2, e1, f1, f2).  D-1: pB 0, 1.
SELECT event_date, platform, active_users, new_users, view_count
  FROM sum_app.clickstream_acquisition_day_user_view_cnt ORDER BY 1, 2, 3;

-- 15 clickstream_device_crash_rate: alice on Android 2.0 with (d2) and without (d1) a crash
-- gives two rows; Web alice 1.0 and pB 2.0 without.  D-1: pB.
SELECT event_date, platform, app_version, merged_user_id, crashed_user_id
  FROM sum_app.clickstream_device_crash_rate ORDER BY 1, 2, 3, 4, 5;

-- 16 clickstream_device_user_device: D Web alice: pA (no model, no UA device: device NULL,
-- OS from the UA, 1920 x 1080) 4 events; pA3 (device Mac from the UA, no screen size: ' x ')
-- 3 events.  Android alice (Pixel 8, no OS at all: 'null' / 'null') 2; pB (Galaxy S23,
-- Android 13) 7.  D-1: pB 2.
SELECT event_date, user_id, platform, device, app_version, operating_system, operating_system_version,
       device_ua_browser, device_screen_resolution, device_ua_device, device_ua_device_category, event_count
  FROM sum_app.clickstream_device_user_device ORDER BY 1, 2, 3, 4, 5;

-- update_timestamp is the insert time in UTC
SELECT count(*) FILTER (WHERE abs(extract(epoch FROM update_timestamp - (now() AT TIME ZONE 'UTC'))) > 60) AS stale
  FROM sum_app.clickstream_retention_dau_wau;

-- Re-runs and failures ---------------------------------------------------------------------
\set VERBOSITY terse
CREATE FUNCTION pg_temp.try(p_sql text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE p_sql;
    RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ': ' || SQLERRM;
END
$$;
-- the contents of all sixteen tables, without update_timestamp
CREATE FUNCTION pg_temp.summary_digest() RETURNS text LANGUAGE plpgsql AS $$
DECLARE r record; v_part text; v_all text := '';
BEGIN
    FOR r IN SELECT left(sp, -3) AS tbl FROM summary_sp ORDER BY ord LOOP
        EXECUTE format('SELECT string_agg(t::text, ''|'' ORDER BY t::text)
                          FROM (SELECT (to_jsonb(x) - ''update_timestamp'') AS t FROM sum_app.%I x) s', r.tbl)
           INTO v_part;
        v_all := v_all || r.tbl || ':' || v_part || E'\n';
    END LOOP;
    RETURN md5(v_all);
END
$$;
SELECT pg_temp.summary_digest() AS before \gset

-- Idempotent: running D again (ndays 1) replaces D with the same rows, D-1 stays.
SELECT pg_temp.run_all(1);
SELECT pg_temp.summary_digest() = :'before' AS same_rows;

-- The time zone is the call's argument: in UTC, D is [05-16 00:00, 05-17 00:00), so Web
-- has c1-c3 (3) and Android d1 d2 e1 e2 f1 f2 f3 and h1 (8); then back to Asia/Shanghai.
CALL sum_app.clickstream_retention_event_overtime_sp('2024-05-16', 'UTC', 1);
SELECT event_date, platform, event_count FROM sum_app.clickstream_retention_event_overtime ORDER BY 1, 2;
CALL sum_app.clickstream_retention_event_overtime_sp('2024-05-16', 'Asia/Shanghai', 1);
SELECT pg_temp.summary_digest() = :'before' AS same_rows;

-- Arguments: checked before anything is deleted; an unknown time zone fails at the window.
SELECT pg_temp.try($$CALL sum_app.clickstream_retention_dau_wau_sp('2024-05-16', 'Asia/Shanghai', 0)$$);
SELECT pg_temp.try($$CALL sum_app.clickstream_retention_dau_wau_sp(NULL, 'Asia/Shanghai', 1)$$);
SELECT pg_temp.try($$CALL sum_app.clickstream_retention_dau_wau_sp('2024-05-16', NULL, 1)$$);
SELECT pg_temp.try($$CALL sum_app.clickstream_retention_dau_wau_sp('2024-05-16', 'Mars/Olympus', 1)$$);
SELECT pg_temp.summary_digest() = :'before' AS same_rows;

-- Atomic: a3 (add_to_cart, Web, D) leaves the base table, and day D-1 fails (a test trigger
-- rejects its rows).  D is processed first, but the failure of D-1 takes the new D rows back:
-- Web still counts 7 events, not 6.  The handler reports the error (INFO) and re-raises it
-- with its SQLSTATE; its log row in clickstream_log_v2 belongs to the failed transaction (the
-- caller, e.g. clickstream.refresh_app, logs the failure after its rollback).
DELETE FROM sum_app.clickstream_event_base_view WHERE event_id = 'a3';
CREATE FUNCTION pg_temp.reject_d1_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.event_date = '2024-05-15' THEN
        RAISE EXCEPTION 'rejected day %', NEW.event_date USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER reject_d1 BEFORE INSERT ON sum_app.clickstream_retention_event_overtime
    FOR EACH ROW EXECUTE FUNCTION pg_temp.reject_d1_trigger();
-- (the trigger also notes the lock the procedure holds on the table: SHARE ROW EXCLUSIVE,
-- so two refreshes of one table wait for each other while readers go on)
CREATE TEMP TABLE seen_locks (mode text);
CREATE FUNCTION pg_temp.note_lock_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO seen_locks SELECT mode FROM pg_locks
     WHERE relation = TG_RELID AND pid = pg_backend_pid() AND granted AND mode <> 'RowExclusiveLock';
    RETURN NEW;
END
$$;
CREATE TRIGGER note_lock BEFORE INSERT ON sum_app.clickstream_retention_event_overtime
    FOR EACH STATEMENT EXECUTE FUNCTION pg_temp.note_lock_trigger();
SELECT pg_temp.try($$CALL sum_app.clickstream_retention_event_overtime_sp('2024-05-16', 'Asia/Shanghai', 2)$$);
SELECT event_date, platform, event_count FROM sum_app.clickstream_retention_event_overtime ORDER BY 1, 2;
-- the same call at top level fails the statement
CALL sum_app.clickstream_retention_event_overtime_sp('2024-05-16', 'Asia/Shanghai', 2);
DROP TRIGGER reject_d1 ON sum_app.clickstream_retention_event_overtime;
-- without the trigger, D is recomputed: Web 6
CALL sum_app.clickstream_retention_event_overtime_sp('2024-05-16', 'Asia/Shanghai', 1);
SELECT DISTINCT mode FROM seen_locks;
DROP TRIGGER note_lock ON sum_app.clickstream_retention_event_overtime;
SELECT event_date, platform, event_count FROM sum_app.clickstream_retention_event_overtime ORDER BY 1, 2;

-- create_app again (another time zone) keeps the tables and their rows
SELECT clickstream.create_app('sum_app', 'proj', 'UTC', partition_interval => 'month');
SELECT count(*) AS rows FROM sum_app.clickstream_retention_event_overtime;
-- new_users is a count (§13 item 11)
SELECT format_type(atttypid, atttypmod) FROM pg_attribute
 WHERE attrelid = 'sum_app.clickstream_acquisition_day_user_view_cnt'::regclass AND attname = 'new_users';
-- names, order and types of every column (spec §6.6; varchar(65535) is text, §1.2)
SELECT t.ord, left(t.sp, -3) AS tbl,
       string_agg(a.attname || ' ' || format_type(a.atttypid, a.atttypmod), ', ' ORDER BY a.attnum) AS columns
  FROM summary_sp t JOIN pg_attribute a ON a.attrelid = ('sum_app.' || left(t.sp, -3))::regclass
 WHERE a.attnum > 0 AND NOT a.attisdropped
 GROUP BY 1, 2 ORDER BY 1;
SELECT clickstream.drop_app('sum_app');
