-- Metadata scan (spec §5; docs/model-metadata.md): registry, sp_scan_metadata and its
-- result tables, the store step into clickstream.metadata_catalog, and the workflow.
-- Every expected number is worked out in the comments from the rows inserted here.
SET client_min_messages = warning;
\set SHOW_CONTEXT never
SET TimeZone = 'America/New_York';   -- the scan must not depend on the session's zone

-- the annotations shipped with the extension: 103 = 79 event_v2 + 10 session + 14 user_v2,
-- of which 60 + 5 + 11 are scanned (spec §5.2)
SELECT table_name, property_type, count(*) AS columns, count(*) FILTER (WHERE scan_value) AS scanned
  FROM clickstream.metadata_columns GROUP BY 1, 2 ORDER BY 1;
SELECT name, data_type, category, scan_value, display_name ->> 'en-US' AS display
  FROM clickstream.metadata_columns
 WHERE name IN ('device_time_zone_offset_seconds', 'first_visit_date', 'screen_view_entrances',
                'session_clid', 'user_id')
 ORDER BY name;

SELECT clickstream.create_app('meta_app', 'proj_m', partition_interval => 'month');
-- the registry exists after create_app, one row per annotation
SELECT property_type, scan_value, count(*) FROM meta_app.property_array_temp_table GROUP BY 1, 2 ORDER BY 1, 2;

-- convert_json_list (§5.3, §13 item 19): null entries, entries without a value or type,
-- and non-object entries are skipped; values are cut to 100 characters
SELECT clickstream.convert_json_list(
    '{"b": {"value": "2", "type": "number"}, "a": {"value": "x", "type": "string", "set_time_msec": 5},
      "gone": null, "novalue": {"type": "string"}, "nullvalue": {"value": null, "type": "string"},
      "notype": {"value": "1"}, "scalar": 3}');
SELECT length(clickstream.convert_json_list(pg_catalog.format('{"k": {"value": "%s", "type": "string"}}',
                                                              repeat('y', 150)))::jsonb -> 0 ->> 'value');
SELECT clickstream.convert_json_list('{}'), clickstream.convert_json_list('[1]');

SELECT clickstream._ensure_partitions('meta_app.event_v2',
    ARRAY['2024-02-01', '2024-03-01', '2024-04-01']::timestamp[]);

-- Events.  The main scan window is [2024-03-01, 2024-03-03) (UTC days 1 and 2 of March).
INSERT INTO meta_app.event_v2 (event_timestamp, event_id, event_time_msec, event_name, project_id, app_id,
                               user_pseudo_id, platform, geo_country, page_view_page_title,
                               page_view_entrances, sdk_version, sdk_name, custom_parameters,
                               custom_parameters_json_str) VALUES
-- e0: one second before the window: only the first (all-history) scan sees it
('2024-02-29 23:59:59', 'e0', 0, 'early', 'proj_m', 'meta_app', 'u1', 'Web', 'CA', NULL, NULL, NULL, NULL, NULL, NULL),
-- e1: the window's first instant.  Custom "gone" (null) and "novalue" are skipped.
('2024-03-01 00:00:00', 'e1', 0, 'view', 'proj_m', 'meta_app', 'u1', 'Web', 'US', 't1', true, '1.0', 'js',
 '{"color": {"value": "red", "type": "string"}, "gone": null, "novalue": {"type": "string"}}', '{}'),
('2024-03-01 10:00:00', 'e2', 0, 'view', 'proj_m', 'meta_app', 'u1', 'Web', 'US', 't2', false, NULL, NULL,
 '{"color": {"value": "blue", "type": "string"}}', '{}'),
('2024-03-01 11:00:00', 'e3', 0, 'view', 'proj_m', 'meta_app', 'u2', 'Android', 'FR', 't3', NULL, NULL, NULL,
 '{"color": {"value": "red", "type": "string"}}', '{}'),
-- e4: custom_parameters_json_str is NULL, so its custom parameters are not scanned (the
-- original's length(...) < 50000 test is not true for NULL)
('2024-03-01 12:00:00', 'e4', 0, 'buy', 'proj_m', 'meta_app', 'u2', 'Web', 'DE', NULL, NULL, NULL, NULL,
 '{"color": {"value": "green", "type": "string"}}', NULL),
-- e5: the window's last second; a 120-character custom value is cut to 100
('2024-03-02 23:59:59', 'e5', 0, 'view', 'proj_m', 'meta_app', 'u2', 'Android', 'US', NULL, NULL, '2.0', NULL,
 pg_catalog.format('{"color": {"value": "%s", "type": "string"}}', repeat('x', 120))::jsonb, '{}'),
-- e6: the end instant is not scanned
('2024-03-03 00:00:00', 'e6', 0, 'view', 'proj_m', 'meta_app', 'u1', 'Web', 'JP', NULL, NULL, NULL, NULL, NULL, NULL),
-- e7: event '_' is left out of event_metadata but its properties are scanned
('2024-03-02 05:00:00', 'e7', 0, '_', 'proj_m', 'meta_app', 'u1', 'Web', 'US', NULL, NULL, NULL, NULL, NULL, NULL),
-- e8: an empty value is not a value; a 50,000-character json_str skips the custom parameters
('2024-03-02 06:00:00', 'e8', 0, 'view', 'proj_m', 'meta_app', 'u1', 'Web', '', NULL, NULL, NULL, NULL,
 '{"color": {"value": "purple", "type": "string"}}', repeat('x', 50000));

INSERT INTO meta_app.session (event_timestamp, user_pseudo_id, session_id, session_source) VALUES
('2024-03-01 08:00:00', 'u1', 's1', 'google'),
('2024-03-02 09:00:00', 'u2', 's2', 'google'),
('2024-02-01 00:00:00', 'u3', 's3', 'bing');          -- outside the window

-- Users: scanned over the whole table, whatever the window
INSERT INTO meta_app.user_v2 (event_timestamp, user_pseudo_id, first_visit_date, first_traffic_source,
                              user_properties, user_properties_json_str) VALUES
('2024-03-01', 'u1', '2024-03-01', 'google',
 '{"level": {"value": "3", "type": "number", "set_time_msec": 1},
   "login_timestamp": {"value": "123", "type": "number"},
   "nullv": {"value": null, "type": "string"}}', '{}'),
('2023-01-01', 'u2', '2023-01-01', 'google', '{"level": {"value": "5", "type": "number"}}', '{}'),
('2024-03-01', 'u3', NULL, 'bing', '{"level": {"value": "3", "type": "number"}}', NULL),
('2024-03-01', 'u4', NULL, 'yahoo', NULL, NULL);

-- argument errors
CALL meta_app.sp_scan_metadata(0, '2024-03-03', NULL);
CALL meta_app.sp_scan_metadata(20, NULL, NULL);

-- Scan A: top 2 values, window [2024-03-01, 2024-03-03)
CALL meta_app.sp_scan_metadata(2, '2024-03-03', '2024-03-01');

-- event_metadata: day 1: view = e1 e2 e3 (platforms Android, Web; sdk 1.0 / js from e1),
-- buy = e4; day 2: view = e5 e8 (e6 is the end instant, e7 is '_'); no 'early' (e0)
SELECT id, month, prefix, project_id, app_id, day_number, count, event_name, platform, sdk_version, sdk_name
  FROM meta_app.event_metadata ORDER BY day_number, event_name;

-- geo_country, limit 2: day 1 US 2 (e1 e2), then DE and FR 1 each: the tie goes to the
-- smaller value, DE; FR is cut.  Day 2: US 2 (e5 e7); e8's '' is not a value.
-- page_view_page_title keeps up to 50 values: t1 t2 t3 all stay on day 1.
-- page_view_entrances: booleans as 'true'/'false'; e3's NULL is not counted.
-- platform: day 1 Web 3 (e1 e2 e4) Android 1 (e3); day 2 Web 2 (e7 e8) Android 1 (e5).
-- Preset parameters have event_name_set '' and platform '' (their working rows carry '').
SELECT id, month, prefix, day_number, category, event_name_set, property_name, value_type, property_value,
       count, platform
  FROM meta_app.event_parameter_metadata
 WHERE property_name IN ('geo_country', 'page_view_page_title', 'page_view_entrances', 'platform')
 ORDER BY property_name, day_number, count DESC, property_value;

-- session_source over the session table: day 1 google (s1), day 2 google (s2); project and
-- app are the project id and the schema name
SELECT id, month, project_id, app_id, day_number, category, property_value, count
  FROM meta_app.event_parameter_metadata WHERE property_name = 'session_source' ORDER BY day_number;

-- custom parameter color (category 'event'), ranked per day, platform and event name:
-- day 1 Web/view: blue 1, red 1 (both within the top 2); Android/view: red 1.  Grouped per
-- value: red 2 from Web and Android, blue 1.  e4's green and e8's purple are not scanned.
-- Day 2 Android/view: 100 x's from e5.
SELECT id, day_number, category, event_name_set, left(property_value, 10) AS value,
       length(property_value) AS len, count, platform
  FROM meta_app.event_parameter_metadata WHERE category = 'event' ORDER BY day_number, property_value;

-- only the annotated, scanned columns appear (8 preset event columns have values here:
-- app_id, geo_country, page_view_entrances, page_view_page_title, platform, project_id,
-- sdk_name, sdk_version), plus session_source and the custom color
SELECT property_name, count(*) AS rows FROM meta_app.event_parameter_metadata GROUP BY 1 ORDER BY 1;

-- user attributes (whole user_v2, limit 2), dated today:
-- first_traffic_source: google 2, then bing 1 and yahoo 1 tie: bing stays;
-- first_visit_date: 2023-01-01 and 2024-03-01 once each (ISO text whatever the DateStyle);
-- custom level: '3' once (u3's properties are skipped: json_str NULL), '5' once;
-- login_timestamp is left out (name contains "timestamp"); nullv has no value
SELECT id, prefix, project_id, app_id, category, property_name, value_type, value_enum,
       month = '#' || to_char(now() AT TIME ZONE 'UTC', 'YYYYMM') AS this_month,
       day_number = extract(day FROM now() AT TIME ZONE 'UTC') AS today
  FROM meta_app.user_attribute_metadata ORDER BY property_name;

-- the log of the scan (spec §5.3 messages, in order)
SELECT log_name, log_level, log_msg FROM meta_app.clickstream_log_v2 WHERE log_name = 'sp_scan_metadata' ORDER BY id;

-- Scan B: the first scan (no start) covers all history before the end: e0 appears
CALL meta_app.sp_scan_metadata(20, '2024-03-03', NULL);
SELECT month, day_number, event_name, count FROM meta_app.event_metadata ORDER BY month, day_number, event_name;

-- create_app again (idempotent): the registry is rebuilt, the results stay
SELECT clickstream.create_app('meta_app', 'proj_m', partition_interval => 'month');
SELECT (SELECT count(*) FROM meta_app.property_array_temp_table) AS registry,
       (SELECT count(*) FROM meta_app.event_metadata) AS events;

-- Store (spec §5.4).  Scan A again, then store it.
SELECT clickstream.scan_metadata_app('meta_app', '2024-03-03', '2024-03-01', 2);
-- items per kind: 2 events (view, buy), 10 scanned parameters, 3 user attributes, plus the
-- unscanned annotations written on every run: 19 event + 5 session parameters, 3 user columns
SELECT split_part(prefix, '#', 1) AS kind, month, count(*) FROM clickstream.metadata_catalog
 WHERE source_app_id = 'meta_app' GROUP BY 1, 2 ORDER BY 1, 2;
-- event view: day1 3 events, day2 2; latestCount is the count of the highest day (2);
-- summary lists are the union over the days
SELECT id, month, origin_month, prefix, name, days -> 'day1' AS day1, days -> 'day2' ->> 'count' AS day2_count,
       summary - 'associatedParameters' AS summary
  FROM clickstream.metadata_catalog WHERE id = 'proj_m#meta_app#view';
-- associatedParameters of view: the custom color (whose events are 'view') and every preset
-- or unscanned annotation (their associated events are all event names of event_v2); buy
-- has no color (e4's custom parameters were not scanned)
SELECT name, jsonb_array_length(summary -> 'associatedParameters') AS parameters,
       summary -> 'associatedParameters' @> '[{"name": "color", "category": "event", "valueType": "string"}]' AS has_color,
       summary -> 'associatedParameters' @> '[{"name": "session_clid", "category": "event_outer", "valueType": "string"}]' AS has_unscanned
  FROM clickstream.metadata_catalog WHERE id IN ('proj_m#meta_app#view', 'proj_m#meta_app#buy') ORDER BY name;
-- custom color: per day the values by count; platform and events from the rows
SELECT id, month, name, category, value_type, days, summary
  FROM clickstream.metadata_catalog WHERE id = 'proj_m#meta_app#event#color#string';
-- preset geo_country: associatedEvents = all event names of event_v2 (including '_' and
-- 'early', outside the window), platforms = all platforms, on the summary and every day
SELECT days, summary FROM clickstream.metadata_catalog WHERE id = 'proj_m#meta_app#geo#geo_country#string';
-- user attributes: value_enum parsed (the count follows the last underscore)
SELECT name, category, value_type, summary, days = jsonb_build_object('day' || extract(day FROM now() AT TIME ZONE 'UTC'),
                                                                   summary) AS day_is_summary
  FROM clickstream.metadata_catalog WHERE id LIKE 'proj_m#meta_app#user%' AND summary ? 'valueEnum' ORDER BY name;
-- an unscanned annotation: month latest, no days, all platforms and event names
SELECT id, month, origin_month = '#' || to_char(now() AT TIME ZONE 'UTC', 'YYYYMM') AS this_month, prefix, days, summary
  FROM clickstream.metadata_catalog WHERE id IN ('proj_m#meta_app#event_outer#session_clid#string',
                                                 'proj_m#meta_app#user_outer#user_id#string') ORDER BY id;

-- Rescan of day 1 after two more DE events, limit 1: the day's valueEnum keeps its order,
-- DE's count becomes 3 (replaced, not added), US keeps 2; the event day is replaced (5)
INSERT INTO meta_app.event_v2 (event_timestamp, event_id, event_time_msec, event_name, project_id, app_id,
                               user_pseudo_id, platform, geo_country) VALUES
('2024-03-01 13:00:00', 'e10', 0, 'view', 'proj_m', 'meta_app', 'u1', 'Web', 'DE'),
('2024-03-01 14:00:00', 'e11', 0, 'view', 'proj_m', 'meta_app', 'u1', 'Web', 'DE');
SELECT clickstream.scan_metadata_app('meta_app', '2024-03-02', '2024-03-01', 1) -> 'detail' ->> 'status';
SELECT days -> 'day1' -> 'valueEnum' AS day1, days -> 'day2' -> 'valueEnum' AS day2, summary -> 'valueEnum' AS summary
  FROM clickstream.metadata_catalog WHERE id = 'proj_m#meta_app#geo#geo_country#string';
SELECT days -> 'day1' ->> 'count' AS day1, days -> 'day2' ->> 'count' AS day2, summary ->> 'latestCount' AS latest
  FROM clickstream.metadata_catalog WHERE id = 'proj_m#meta_app#view';

-- Month versioning: February (e0: geo CA) is older than the latest (March): stored under
-- its own month; April becomes latest and March moves under '#202403'
SELECT clickstream.scan_metadata_app('meta_app', '2024-03-01', '2024-02-01') -> 'detail' ->> 'status';
SELECT id, month, origin_month, days -> 'day29' -> 'valueEnum' AS day29
  FROM clickstream.metadata_catalog WHERE id = 'proj_m#meta_app#geo#geo_country#string' ORDER BY origin_month;
INSERT INTO meta_app.event_v2 (event_timestamp, event_id, event_time_msec, event_name, project_id, app_id,
                               user_pseudo_id, platform, geo_country) VALUES
('2024-04-01 12:00:00', 'e12', 0, 'view', 'proj_m', 'meta_app', 'u1', 'Web', 'GB');
SELECT clickstream.scan_metadata_app('meta_app', '2024-04-02', '2024-04-01') -> 'detail' ->> 'status';
SELECT id, month, origin_month, jsonb_object_keys(days) AS day
  FROM clickstream.metadata_catalog WHERE id IN ('proj_m#meta_app#geo#geo_country#string', 'proj_m#meta_app#view')
 ORDER BY id, origin_month;

-- Workflow (spec §5.1).  A second app for the automatic scan.
SELECT clickstream.create_app('flow_app', 'proj_m', partition_interval => 'month');
SELECT clickstream._ensure_partitions('flow_app.event_v2', ARRAY['2024-05-01']::timestamp[]);
INSERT INTO flow_app.event_v2 (event_timestamp, event_id, event_time_msec, event_name, project_id, app_id,
                               user_pseudo_id, platform) VALUES
('2024-05-01 10:00:00', 'f1', 0, 'open', 'proj_m', 'flow_app', 'u1', 'Web'),
('2024-05-02 10:00:00', 'f2', 0, 'open', 'proj_m', 'flow_app', 'u1', 'Web');
-- first run: due (no state); the end date is the day of the newest event loaded (the ETL
-- watermark, 2024-05-02), and everything before it is scanned: only f1
SELECT clickstream.scan_metadata_due('flow_app');
-- the modeler (model_refresh.sql) finds the scan through scan_metadata_due(text): both apps
-- are due (meta_app was only scanned by hand)
SELECT app_id, task FROM clickstream.model_tasks_due() WHERE task = 'scan' ORDER BY app_id;
SELECT r ->> 'status' AS status, r ->> 'scanStartDate' AS scan_start, r ->> 'scanEndDate' AS scan_end
  FROM clickstream.scan_metadata('flow_app') r;
SELECT day_number, event_name, count FROM flow_app.event_metadata;
SELECT app_id, task FROM clickstream.model_tasks_due() WHERE task = 'scan' ORDER BY app_id;
SELECT project, key, value ->> 'lastScanEndDate' AS last_end, app_id FROM clickstream.workflow_state ORDER BY key;
SELECT id, month, summary ->> 'latestScanDate' AS latest_scan_date FROM clickstream.metadata_catalog
 WHERE id LIKE 'PROJECT_SUMMARY#%';
-- second run at once: not due (1440 minutes by default)
SELECT clickstream.scan_metadata_due('flow_app'), clickstream.scan_metadata('flow_app') ->> 'status';
-- 25 hours later (the saved start moved back), with data up to 2024-05-04: the window is
-- [2024-05-02, 2024-05-04): f2 and f3
INSERT INTO flow_app.event_v2 (event_timestamp, event_id, event_time_msec, event_name, project_id, app_id,
                               user_pseudo_id, platform) VALUES
('2024-05-03 10:00:00', 'f3', 0, 'open', 'proj_m', 'flow_app', 'u1', 'Web'),
('2024-05-04 10:00:00', 'f4', 0, 'open', 'proj_m', 'flow_app', 'u1', 'Web');
UPDATE clickstream.workflow_state
   SET value = jsonb_set(value, '{lastJobStartTimestamp}', to_jsonb((value ->> 'lastJobStartTimestamp')::bigint - 25 * 3600000))
 WHERE key = 'scan_metadata:flow_app';
SELECT clickstream.scan_metadata_due('flow_app');
SELECT r ->> 'status' AS status, r ->> 'scanStartDate' AS scan_start, r ->> 'scanEndDate' AS scan_end
  FROM clickstream.scan_metadata('flow_app') r;
SELECT day_number, event_name, count FROM flow_app.event_metadata ORDER BY day_number;
-- the interval is at least 60 minutes
SELECT clickstream.scan_metadata_due('flow_app', 59);
-- the workflow procedure with LoadDataFlow: each app is scanned only when due (NOTICE per app)
SET client_min_messages = notice;
CALL clickstream.run_metadata_scan('LoadDataFlow', NULL, NULL, 'flow_app');
-- a day later, with data up to 2024-05-06: the window [2024-05-04, 2024-05-06) holds f4 only
INSERT INTO flow_app.event_v2 (event_timestamp, event_id, event_time_msec, event_name, project_id, app_id,
                               user_pseudo_id, platform) VALUES
('2024-05-06 10:00:00', 'f5', 0, 'open', 'proj_m', 'flow_app', 'u1', 'Web');
UPDATE clickstream.workflow_state
   SET value = jsonb_set(value, '{lastJobStartTimestamp}', to_jsonb((value ->> 'lastJobStartTimestamp')::bigint - 25 * 3600000))
 WHERE key = 'scan_metadata:flow_app';
CALL clickstream.run_metadata_scan('LoadDataFlow', NULL, NULL, 'flow_app');
SET client_min_messages = warning;
SELECT day_number, event_name, count FROM flow_app.event_metadata ORDER BY day_number;
SELECT value ->> 'lastScanEndDate' FROM clickstream.workflow_state WHERE key = 'scan_metadata:flow_app';

-- manual runs: dates checked, end capped at today, state untouched (stays 2024-05-06)
CALL clickstream.run_metadata_scan('', '2024-5-01');
CALL clickstream.run_metadata_scan('', '2024-05-03', '2024-05-02');
CALL clickstream.run_metadata_scan('', NULL, NULL, 'flow_app, nope');
CALL clickstream.run_metadata_scan('', '2024-05-01', '2024-05-02', 'flow_app');
SELECT day_number, event_name, count FROM flow_app.event_metadata ORDER BY day_number;
SELECT value ->> 'lastScanEndDate' FROM clickstream.workflow_state WHERE key = 'scan_metadata:flow_app';
-- a failing app is logged in its own log and named by the error; the other app still ran
ALTER TABLE flow_app.event_v2 RENAME COLUMN geo_country TO geo_country_renamed;
CALL clickstream.run_metadata_scan('', '2024-03-01', '2024-03-03', 'flow_app,meta_app');
SELECT log_name, log_level, log_msg FROM flow_app.clickstream_log_v2 WHERE log_level = 'error';
SELECT day_number, event_name, count FROM meta_app.event_metadata ORDER BY day_number, event_name;
ALTER TABLE flow_app.event_v2 RENAME COLUMN geo_country_renamed TO geo_country;
-- the procedure commits per app: not inside a transaction block
BEGIN;
CALL clickstream.run_metadata_scan('', '2024-05-01', '2024-05-02', 'flow_app');
ROLLBACK;

-- drop_app removes the app's catalog items and state
SELECT clickstream.drop_app('flow_app');
SELECT count(*) FROM clickstream.metadata_catalog WHERE source_app_id = 'flow_app' OR app_id = 'flow_app';
SELECT count(*) FROM clickstream.workflow_state WHERE key = 'scan_metadata:flow_app';
SELECT clickstream.drop_app('meta_app');
SELECT count(*) FROM clickstream.metadata_catalog;   -- only the project summary item is left
