-- Summary day windows across a daylight-saving change (spec §6.1: local midnight to local
-- midnight, converted to UTC).  America/New_York moved from EST (UTC-5) to EDT (UTC-4) on
-- 2024-03-10, so that local day is 23 hours long: [03-10 05:00, 03-11 04:00) UTC.
--   n1 2024-03-10 04:59:59 UTC = 03-09 23:59:59 EST -> 03-09
--   n2 2024-03-10 05:00:00 UTC = 03-10 00:00:00 EST -> 03-10 (start inclusive)
--   n3 2024-03-11 03:59:59 UTC = 03-10 23:59:59 EDT -> 03-10
--   n4 2024-03-11 04:00:00 UTC = 03-11 00:00:00 EDT -> 03-11 (end exclusive for 03-10)
-- With a fixed UTC-5 offset n3 and n4 would both fall on 03-10.
SET client_min_messages = warning;
SELECT clickstream.create_app('dst_app', 'proj', 'America/New_York', partition_interval => 'month');
SELECT clickstream._ensure_partitions('dst_app.event_v2', ARRAY[timestamp '2024-03-01']) > 0 AS partitions;
INSERT INTO dst_app.event_v2 (event_id, event_timestamp, event_time_msec, event_name, platform,
       user_pseudo_id, session_id, project_id, app_id)
VALUES ('n1', '2024-03-10 04:59:59', 0, 'click', 'Web', 'u1', 's1', 'proj', 'dst_app'),
       ('n2', '2024-03-10 05:00:00', 0, 'click', 'Web', 'u1', 's1', 'proj', 'dst_app'),
       ('n3', '2024-03-11 03:59:59', 0, 'click', 'Web', 'u1', 's2', 'proj', 'dst_app'),
       ('n4', '2024-03-11 04:00:00', 0, 'click', 'Web', 'u1', 's2', 'proj', 'dst_app');
-- first touch 2024-03-10 05:30 UTC = 00:30 EST on 03-10: NEW on 03-10 only
INSERT INTO dst_app.user_v2 (event_timestamp, user_pseudo_id, first_touch_time_msec)
VALUES ('2024-03-10 05:30', 'u1', (extract(epoch FROM timestamp '2024-03-10 05:30') * 1000)::bigint);
CALL dst_app.clickstream_event_base_view_sp('2024-01-01', '2025-01-01', NULL);

-- three days ending 03-11: 03-09 has n1, 03-10 has n2 and n3, 03-11 has n4
CALL dst_app.clickstream_retention_event_overtime_sp('2024-03-11', 'America/New_York', 3);
SELECT event_date, platform, event_count FROM dst_app.clickstream_retention_event_overtime ORDER BY 1;
-- NEW only on 03-10; 03-09 (an event before the recorded first touch) and 03-11 are
-- RETURNING, as the spec's "otherwise" says
CALL dst_app.clickstream_retention_user_new_return_sp('2024-03-11', 'America/New_York', 3);
SELECT event_date, platform, user_type, user_count FROM dst_app.clickstream_retention_user_new_return ORDER BY 1;
-- the same days in UTC: 03-10 holds n1 and n2, 03-11 holds n3 and n4, 03-09 none (its
-- earlier row is deleted and nothing replaces it)
CALL dst_app.clickstream_retention_event_overtime_sp('2024-03-11', 'UTC', 3);
SELECT event_date, platform, event_count FROM dst_app.clickstream_retention_event_overtime ORDER BY 1;
SELECT clickstream.drop_app('dst_app');
