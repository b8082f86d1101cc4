-- Reporting base (spec §6.2, §6.3): clickstream_event_base_view (a table),
-- clickstream_event_base_view_sp and clickstream_event_view_v3.
SET client_min_messages = warning;
SELECT clickstream.create_app('rep_app', 'proj', 'Asia/Shanghai', partition_interval => 'month');

-- the base table: 114 columns in the spec's order, partitioned like event_v2, its keys
SELECT pg_catalog.string_agg(attname, ', ' ORDER BY attnum) = pg_catalog.btrim(pg_catalog.regexp_replace($$
event_timestamp, event_id, event_time_msec, event_name, user_pseudo_id, user_id, session_id,
event_value, event_value_currency, event_bundle_sequence_id, ingest_time_msec, created_time,
device_mobile_brand_name, device_mobile_model_name, device_manufacturer, device_carrier,
device_network_type, device_operating_system, device_operating_system_version, device_vendor_id,
device_advertising_id, device_system_language, device_time_zone_offset_seconds, device_ua_browser,
device_ua_browser_version, device_ua_os, device_ua_os_version, device_ua_device,
device_ua_device_category, device_screen_width, device_screen_height, device_viewport_width,
device_viewport_height, device_ua_string, geo_continent, geo_sub_continent, geo_country,
geo_region, geo_metro, geo_city, geo_locale, traffic_source_source, traffic_source_medium,
traffic_source_campaign, traffic_source_content, traffic_source_term, traffic_source_campaign_id,
traffic_source_clid_platform, traffic_source_clid, traffic_source_channel_group,
traffic_source_category, user_first_touch_time_msec, app_package_id, app_version, app_title,
app_install_source, platform, project_id, app_id, screen_view_screen_name, screen_view_screen_id,
screen_view_screen_unique_id, screen_view_previous_screen_name, screen_view_previous_screen_id,
screen_view_previous_screen_unique_id, screen_view_previous_time_msec,
screen_view_engagement_time_msec, screen_view_entrances, page_view_page_referrer,
page_view_page_referrer_title, page_view_previous_time_msec, page_view_engagement_time_msec,
page_view_page_title, page_view_page_url, page_view_page_url_path, page_view_hostname,
page_view_latest_referrer, page_view_latest_referrer_host, page_view_entrances,
app_start_is_first_time, upgrade_previous_app_version, upgrade_previous_os_version,
search_key, search_term, outbound_link_classes, outbound_link_domain, outbound_link_id,
outbound_link_url, outbound_link, user_engagement_time_msec, scroll_engagement_time_msec,
sdk_error_code, sdk_error_message, sdk_version, sdk_name, app_exception_message,
app_exception_stack, custom_parameters_json_str, custom_parameters, session_duration,
session_number, session_start_time_msec, session_source, session_medium,
session_campaign, session_content, session_term,
session_campaign_id, session_clid_platform, session_clid,
session_channel_group, session_source_category,
view_session_indicator, view_event_indicator$$, '\s+', ' ', 'g')) AS spec_order,
       count(*) AS columns
  FROM pg_attribute WHERE attrelid = 'rep_app.clickstream_event_base_view'::regclass AND attnum > 0;
-- types differing from event_v2's, and every column whose type does not come from event_v2
SELECT a.attname, format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull
  FROM pg_attribute a
  LEFT JOIN pg_attribute e ON e.attrelid = 'rep_app.event_v2'::regclass AND e.attname = a.attname
 WHERE a.attrelid = 'rep_app.clickstream_event_base_view'::regclass AND a.attnum > 0
   AND (e.attname IS NULL OR format_type(a.atttypid, a.atttypmod) <> format_type(e.atttypid, e.atttypmod)
        OR a.attnotnull)
 ORDER BY a.attnum;
SELECT relkind, pg_get_partkeydef(oid) FROM pg_class WHERE oid = 'rep_app.clickstream_event_base_view'::regclass;
SELECT pg_get_indexdef(indexrelid) AS index
  FROM pg_index WHERE indrelid = 'rep_app.clickstream_event_base_view'::regclass ORDER BY 1;

-- view_v3: the 114 base columns, then the 20 of spec §6.3 in order
SELECT count(*) AS columns,
       pg_catalog.string_agg(attname, ', ' ORDER BY attnum) FILTER (WHERE attnum > 114) AS added
  FROM pg_attribute WHERE attrelid = 'rep_app.clickstream_event_view_v3'::regclass AND attnum > 0;

-- Data (explicit-range part; fixed dates).  Shanghai is UTC+8.
SELECT clickstream._ensure_partitions('rep_app.event_v2', ARRAY['2024-05-14', '2024-05-16']::timestamp[]);
INSERT INTO rep_app.event_v2 (event_timestamp, event_id, event_time_msec, event_name, project_id, app_id,
       user_pseudo_id, user_id, session_id, platform, session_duration, session_number, session_start_time_msec,
       device_ua, screen_view_entrances, page_view_entrances, app_start_is_first_time, outbound_link,
       page_view_page_url_query_parameters, process_info, created_time)
VALUES
  -- e0: one microsecond before the range below: left out
  ('2024-05-14 23:59:59.999999', 'e0', 1, '_session_start', 'proj', 'rep_app', 'u1', NULL, 's1', 'Android', 5, 99, 7, NULL, NULL, NULL, NULL, NULL, NULL, NULL, '2024-05-17 01:00'),
  -- e1: exactly the start of the range: kept; a session row exists for (u1, s1)
  ('2024-05-15 00:00:00', 'e1', 1, '_session_start', 'proj', 'rep_app', 'u1', 'ev-user', 's1', 'Android', 5, 99, 7, '{"string": "Mozilla/5.0", "other": "x"}', NULL, NULL, true, NULL, '{"a": "b"}', '{"rid": "r"}', '2024-05-17 01:00'),
  -- e2: 23:30 local on the 15th; a screen view (view indicators set), all four flags true
  ('2024-05-15 15:30:00', 'e2', 2, '_screen_view', 'proj', 'rep_app', 'u1', NULL, 's1', 'Android', 6, 99, 7, '{}', true, true, true, true, NULL, NULL, '2024-05-17 01:00'),
  -- e3: 00:10 local on the 16th, same session (spans local midnight); a page view, flags false
  ('2024-05-15 16:10:00', 'e3', 3, '_page_view', 'proj', 'rep_app', 'u1', NULL, 's1', 'Android', 7, 99, 7, NULL, false, false, false, false, NULL, NULL, '2024-05-17 01:00'),
  -- e4: u2 has no user_v2 row: in the base table, not in view_v3; session s9 has no row
  ('2024-05-16 03:00:00', 'e4', 4, '_first_open', 'proj', 'rep_app', 'u2', NULL, 's9', 'iOS', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, '2024-05-17 01:00'),
  -- e5: u3 (no user id): merged user id is the pseudo id; _first_open
  ('2024-05-16 04:00:00', 'e5', 5, '_first_open', 'proj', 'rep_app', 'u3', NULL, NULL, 'Web', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, '2024-05-17 01:00'),
  -- e6: exactly the end of the range: kept
  ('2024-05-16 16:00:00', 'e6', 6, '_user_engagement', 'proj', 'rep_app', 'u3', NULL, NULL, 'Web', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, '2024-05-17 01:00'),
  -- e7: one microsecond after the end: left out
  ('2024-05-16 16:00:00.000001', 'e7', 7, '_user_engagement', 'proj', 'rep_app', 'u3', NULL, NULL, 'Web', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, '2024-05-17 01:00');
-- the session row supplies session_number / start / attribution (the event's own
-- session_number 99 and start 7 are not used); session_duration stays the event's
INSERT INTO rep_app.session (event_timestamp, user_pseudo_id, session_id, user_id, session_number, session_start_time_msec,
       session_source, session_medium, session_campaign, session_content, session_term, session_campaign_id,
       session_clid_platform, session_clid, session_channel_group, session_source_category)
VALUES ('2024-05-15', 'u1', 's1', 'sess-user', 1, 1715731200000, 'google', 'cpc', 'spring', 'c', 't', 'cid',
        'gclid', 'g1', 'Paid Search', 'Search');
INSERT INTO rep_app.user_v2 (event_timestamp, user_pseudo_id, user_id, first_touch_time_msec, first_visit_date,
       first_traffic_source, user_properties)
VALUES ('2024-05-16', 'u1', 'alice', 1715731200000, '2024-05-15', 'google', '{"plan": {"value": "pro"}}'),
       ('2024-05-16', 'u3', NULL, 1715832000000, '2024-05-16', NULL, NULL);

-- explicit range, inclusive at both ends: e1 .. e6 (e0 and e7 are one microsecond out)
CALL rep_app.clickstream_event_base_view_sp('2024-05-15 00:00:00', '2024-05-16 16:00:00', 24);
SELECT event_id, event_timestamp, user_id, session_id, created_time, tableoid::regclass AS partition
  FROM rep_app.clickstream_event_base_view ORDER BY event_timestamp;
-- the partitions read and written have statistics now (a fresh partition, planned as
-- empty, made the summaries' joins slow); with fresh statistics nothing is analyzed again
SELECT c.oid::regclass AS partition, c.reltuples >= 0 AS has_statistics
  FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
 WHERE i.inhparent IN ('rep_app.event_v2'::regclass, 'rep_app.clickstream_event_base_view'::regclass)
 ORDER BY 1::text;
SELECT clickstream._analyze_stale_partitions('rep_app.event_v2', '2024-05-15', '2024-05-16 16:00');
-- rows written by the caller in this transaction count: many new rows, analyzed again
SELECT clickstream._analyze_stale_partitions('rep_app.event_v2', '2024-05-15', '2024-05-16 16:00', 1000);
-- derived columns: device_ua's "string" ('{}' has none: NULL); the flags as 'true'/'false'
-- (NULL becomes 'false'); session columns from the session row (e4, e5, e6 have none);
-- view indicators only on the screen and page views e2, e3
SELECT event_id, device_ua_string, screen_view_entrances AS sv_ent, page_view_entrances AS pv_ent,
       app_start_is_first_time AS first_time, outbound_link, session_duration, session_number,
       session_start_time_msec, session_source, session_medium, session_channel_group,
       view_session_indicator, view_event_indicator
  FROM rep_app.clickstream_event_base_view ORDER BY event_timestamp;
SELECT event_id, session_campaign, session_content, session_term, session_campaign_id,
       session_clid_platform, session_clid, session_source_category
  FROM rep_app.clickstream_event_base_view WHERE event_id = 'e1';
-- the base table's hours that the views refresh will recompute (UTC)
SELECT event_hour FROM rep_app.clickstream_event_base_view_dirty ORDER BY 1;
SELECT log_level, log_msg FROM rep_app.clickstream_log_v2 ORDER BY id;

-- view_v3: e4 is gone (u2 has no user_v2 row).  merged_user_id: alice for u1 (user_v2's
-- user id beats the event's 'ev-user'), u3's pseudo id for u3.  new_user_indicator only on
-- the _first_open e5.  is_first_day_event compares the UTC date with first_visit_date
-- (spec §13 item 14): e3 is on the 16th in Shanghai but on the 15th in UTC, so 'true'.
SELECT event_id, user_id, latest_user_id, merged_user_id, new_user_indicator, is_first_day_event,
       first_traffic_source, user_properties
  FROM rep_app.clickstream_event_view_v3 ORDER BY event_timestamp;

-- re-delivered event: the loader replaces e5 in event_v2 (newest load wins, spec §3.9);
-- the next explicit refresh replaces the whole base row (one row, new values)
SELECT clickstream.stage_table('rep_app.event_v2') AS stage \gset
INSERT INTO :stage (event_timestamp, event_id, event_time_msec, event_name, project_id, app_id, user_pseudo_id, platform)
VALUES ('2024-05-16 04:00:00', 'e5', 55, '_page_view', 'proj', 'rep_app', 'u3', 'Web');
SELECT clickstream.merge_event_v2('rep_app.event_v2', :'stage');
CALL rep_app.clickstream_event_base_view_sp('2024-05-16 04:00:00', '2024-05-16 04:00:00');
SELECT event_id, event_time_msec, event_name, view_event_indicator,
       created_time > '2024-05-17 01:00' AS reloaded, count(*) OVER () AS base_rows
  FROM rep_app.clickstream_event_base_view WHERE event_id = 'e5';

-- errors: the call fails (and says so) on bad arguments
\set VERBOSITY terse
CALL rep_app.clickstream_event_base_view_sp('2024-05-17', '2024-05-16', 24);
CALL rep_app.clickstream_event_base_view_sp(NULL, NULL, NULL);
CALL rep_app.clickstream_event_base_view_sp(NULL, '2024-05-16', -1);
\set VERBOSITY default

-- Incremental mode, on a second app (UTC) with times relative to now.  :'n' is now in UTC
-- truncated to the minute, so the procedure's own now is at most a minute later.
SELECT clickstream.create_app('inc_app', partition_interval => 'month');
SELECT date_trunc('minute', now() AT TIME ZONE 'UTC') AS n \gset
SELECT clickstream._ensure_partitions('inc_app.event_v2',
           ARRAY[:'n'::timestamp - interval '40 hours', :'n'::timestamp, :'n'::timestamp + interval '1 hour']);
INSERT INTO inc_app.event_v2 (event_timestamp, event_id, event_time_msec, event_name, project_id, app_id, user_pseudo_id, platform, created_time)
VALUES (:'n'::timestamp - interval '2 hours',  'a', 1, 'x', 'p', 'inc_app', 'u', 'Web', :'n'::timestamp - interval '90 minutes'),
       -- b is 30 hours old: beyond the 24-hour freshness
       (:'n'::timestamp - interval '30 hours', 'b', 1, 'x', 'p', 'inc_app', 'u', 'Web', :'n'::timestamp - interval '80 minutes'),
       -- c was loaded 10 days ago (still within the 365-day start of an empty base table)
       (:'n'::timestamp - interval '1 hour',   'c', 1, 'x', 'p', 'inc_app', 'u', 'Web', :'n'::timestamp - interval '10 days');
-- first run: the base table is empty, so the range starts 365 days ago: a and c
CALL inc_app.clickstream_event_base_view_sp(NULL, NULL, 24);
SELECT event_id FROM inc_app.clickstream_event_base_view ORDER BY 1;
SELECT log_msg ~ '^refresh time range:\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)? - ' AS range_logged,
       substring(log_msg from ':(.*) - ')::timestamp BETWEEN :'n'::timestamp - interval '365 days'
                                                    AND :'n'::timestamp - interval '364 days' AS starts_365_days_ago
  FROM inc_app.clickstream_log_v2 WHERE log_msg LIKE 'refresh time range:%' ORDER BY id DESC LIMIT 1;
-- d: fresh, but loaded (100 min ago) before the newest load already in the base table
-- (a, 90 min ago): the next run starts at that load time and does not see d, as in the
-- original.  e: loaded 5 minutes ago: seen.  a is reloaded with another platform: replaced.
INSERT INTO inc_app.event_v2 (event_timestamp, event_id, event_time_msec, event_name, project_id, app_id, user_pseudo_id, platform, created_time)
VALUES (:'n'::timestamp - interval '3 hours', 'd', 1, 'x', 'p', 'inc_app', 'u', 'Web', :'n'::timestamp - interval '100 minutes'),
       (:'n'::timestamp - interval '1 hour',  'e', 1, 'x', 'p', 'inc_app', 'u', 'Web', :'n'::timestamp - interval '5 minutes');
UPDATE inc_app.event_v2 SET platform = 'iOS', created_time = :'n'::timestamp - interval '1 minute' WHERE event_id = 'a';
CALL inc_app.clickstream_event_base_view_sp(NULL, NULL, 24);
SELECT event_id, platform FROM inc_app.clickstream_event_base_view ORDER BY 1;
SELECT substring(log_msg from ':(.*) - ')::timestamp = :'n'::timestamp - interval '90 minutes' AS started_at_newest_load
  FROM inc_app.clickstream_log_v2 WHERE log_msg LIKE 'refresh time range:%' ORDER BY id DESC LIMIT 1;
-- a larger freshness does not reach b either: b's load (80 min ago) is older than the
-- newest load now in the base table (a, 1 min ago)
CALL inc_app.clickstream_event_base_view_sp(NULL, NULL, 48);
SELECT event_id FROM inc_app.clickstream_event_base_view ORDER BY 1;
-- one explicit range picks up whatever incremental runs missed (b and d)
CALL inc_app.clickstream_event_base_view_sp(:'n'::timestamp - interval '2 days', :'n'::timestamp);
SELECT event_id FROM inc_app.clickstream_event_base_view ORDER BY 1;
-- freshness 0: only events not older than now; nothing new loaded, nothing written
CALL inc_app.clickstream_event_base_view_sp(NULL, NULL, 0);
SELECT log_msg FROM inc_app.clickstream_log_v2 ORDER BY id DESC LIMIT 1;

-- create_app again keeps everything (idempotent)
SELECT clickstream.create_app('rep_app', 'proj', 'Asia/Shanghai', partition_interval => 'month');
SELECT count(*) FROM rep_app.clickstream_event_base_view;

-- later tests list the apps: leave none behind
SELECT clickstream.drop_app('rep_app');
SELECT clickstream.drop_app('inc_app');
