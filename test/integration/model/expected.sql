-- expected.sql: the reporting layer of one app computed by DuckDB straight from the app's
-- Parquet files, written from the spec (../shared/spec/clickstream-model.md §6), never from
-- pg_clickstream's SQL.  duck.mjs substitutes {{DATA}} (the directory holding event_v2/,
-- session/, user_v2/), {{APP}} and {{TZ}} (the app's IANA time zone), then runs the
-- statements in order.  Every exp_* table is what the PostgreSQL object of the same name
-- (without exp_) must hold; duck.mjs compares them.
--
-- Differences in wording between the spec and this file are deliberate simplifications
-- that give the same rows:
--   * "day window of d in tz" (event_timestamp in [UTC of d 00:00 local, UTC of d+1 00:00
--     local)) is the same as "the local date of event_timestamp is d", so every summary is
--     computed for all days at once, grouped by that local date (ev_date below).
--   * the merges of spec §3.9 are replaced by their steady state: one event per
--     (event_id, event_timestamp), one session per (user_pseudo_id, session_id), and per
--     user_pseudo_id the user_v2 row with the greatest event_timestamp (the generator's
--     users change no attribute that matters between days, and each day's file is newer).
SET TimeZone = 'UTC';

-- ODS tables after the merges ----------------------------------------------------------------
CREATE TABLE ods_event AS
SELECT * FROM read_parquet('{{DATA}}/event_v2/partition_app={{APP}}/**/*.parquet')
QUALIFY row_number() OVER (PARTITION BY event_id, event_timestamp ORDER BY created_time DESC) = 1;

CREATE TABLE ods_session AS
SELECT * FROM read_parquet('{{DATA}}/session/partition_app={{APP}}/**/*.parquet')
QUALIFY row_number() OVER (PARTITION BY user_pseudo_id, session_id ORDER BY event_timestamp DESC) = 1;

CREATE TABLE ods_user AS
SELECT * FROM read_parquet('{{DATA}}/user_v2/partition_app={{APP}}/**/*.parquet')
QUALIFY row_number() OVER (PARTITION BY user_pseudo_id ORDER BY event_timestamp DESC) = 1;

-- §6.2 clickstream_event_base_view: event_v2 LEFT JOIN session, the columns the reports use
CREATE TABLE base AS
SELECT e.event_timestamp, e.event_id, e.event_name, e.user_pseudo_id, e.user_id, e.session_id,
       e.event_value, e.platform, e.geo_country, e.geo_city, e.app_version,
       e.device_mobile_model_name, e.device_ua_device, e.device_operating_system, e.device_ua_os,
       e.device_operating_system_version, e.device_ua_os_version, e.device_ua_browser,
       e.device_screen_width, e.device_screen_height, e.device_ua_device_category,
       e.page_view_page_title, e.page_view_page_url_path, e.screen_view_screen_name,
       e.screen_view_screen_id,
       CASE WHEN e.page_view_entrances THEN 'true' ELSE 'false' END AS page_view_entrances,
       CASE WHEN e.screen_view_entrances THEN 'true' ELSE 'false' END AS screen_view_entrances,
       e.user_engagement_time_msec, e.session_duration,
       s.session_source, s.session_medium, s.session_campaign, s.session_clid_platform,
       s.session_channel_group,
       CASE WHEN e.event_name IN ('_page_view', '_screen_view') THEN e.session_id END AS view_session_indicator,
       CASE WHEN e.event_name IN ('_page_view', '_screen_view') THEN e.event_id END AS view_event_indicator
  FROM ods_event e
  LEFT JOIN ods_session s ON s.user_pseudo_id = e.user_pseudo_id AND s.session_id = e.session_id;

-- §6.3 clickstream_event_view_v3: base INNER JOIN user_v2, plus the local date of the event
CREATE TABLE v3 AS
SELECT b.*,
       u.user_id AS latest_user_id, u.first_touch_time_msec, u.first_visit_date,
       u.first_traffic_source, u.first_traffic_medium, u.first_traffic_campaign,
       u.first_traffic_clid_platform, u.first_traffic_channel_group, u.first_app_install_source,
       coalesce(u.user_id, b.user_pseudo_id) AS merged_user_id,
       CASE WHEN b.event_name = '_first_open' THEN coalesce(u.user_id, b.user_pseudo_id) END AS new_user_indicator,
       CASE WHEN CAST(b.event_timestamp AS DATE) = u.first_visit_date THEN 'true' ELSE 'false' END AS is_first_day_event,
       CAST(timezone('{{TZ}}', CAST(b.event_timestamp AS TIMESTAMPTZ)) AS DATE) AS ev_date,
       b.event_name IN ('_page_view', '_screen_view') AS is_view
  FROM base b
  JOIN ods_user u ON u.user_pseudo_id = b.user_pseudo_id;

CREATE TABLE exp_clickstream_event_view_v3 AS
SELECT event_id, event_timestamp, merged_user_id, new_user_indicator, is_first_day_event,
       page_view_entrances, view_event_indicator
  FROM v3;

-- §6.6.1 new users (distinct user_pseudo_id with _first_open) per country and city
CREATE TABLE exp_clickstream_acquisition_country_new_user AS
SELECT ev_date AS event_date, platform, geo_country, geo_city,
       count(DISTINCT user_pseudo_id) FILTER (WHERE event_name = '_first_open') AS user_count
  FROM v3 GROUP BY ALL
HAVING count(DISTINCT user_pseudo_id) FILTER (WHERE event_name = '_first_open') > 0;

-- §6.6.2 users per traffic dimension: the seven "first" types over _first_open events (user
-- attributes), the six "Session" types over all events (the session's attribution)
CREATE TABLE traffic_dims AS
SELECT ev_date, platform, merged_user_id, event_name, session_id, t.aggregation_type, t.aggregation_dim
  FROM v3, LATERAL (VALUES
    ('User First Traffic Source', first_traffic_source, true),
    ('User First Traffic Source / Medium', first_traffic_source || ' / ' || first_traffic_medium, true),
    ('User First Traffic Medium', first_traffic_medium, true),
    ('User First Traffic Campaign', first_traffic_campaign, true),
    ('User First Traffic Clid Platform', first_traffic_clid_platform, true),
    ('User First Traffic Channel Group', first_traffic_channel_group, true),
    ('App First Install Source', first_app_install_source, true),
    ('Session Traffic Source', session_source, false),
    ('Session Traffic Medium', session_medium, false),
    ('Session Traffic Source / Medium', session_source || ' / ' || session_medium, false),
    ('Session Traffic Campaign', session_campaign, false),
    ('Session Traffic Clid Platform', session_clid_platform, false),
    ('Session Traffic Channel Group', session_channel_group, false)) t(aggregation_type, aggregation_dim, first_open_only)
 WHERE NOT t.first_open_only OR event_name = '_first_open';

CREATE TABLE exp_clickstream_acquisition_day_traffic_source_user AS
SELECT DISTINCT ev_date AS event_date, platform, aggregation_type, aggregation_dim, merged_user_id AS user_id
  FROM traffic_dims;

-- §6.6.3 sessions and engagement per traffic dimension.
-- A: per (merged user, session) of the day
CREATE TABLE acq_a AS
SELECT ev_date, merged_user_id, session_id,
       count(DISTINCT event_id) AS event_count,
       count(*) FILTER (WHERE is_view) AS session_views,
       max(session_duration) AS session_duration,
       sum(user_engagement_time_msec) AS user_engagement_time_msec,
       CASE WHEN count(*) FILTER (WHERE is_view) > 1 OR max(session_duration) > 10000
                 OR sum(user_engagement_time_msec) > 10000000 THEN 1 ELSE 0 END AS session_indicator,
       CASE WHEN bool_or(event_name = '_first_open') THEN 1 ELSE 0 END AS new_user_indicator
  FROM v3 WHERE session_id IS NOT NULL GROUP BY ALL;
-- B: per (session, platform, merged user) of the day, the max of each dimension
CREATE TABLE acq_b AS
SELECT ev_date, session_id, platform, merged_user_id,
       max(first_traffic_source) AS first_traffic_source, max(first_traffic_medium) AS first_traffic_medium,
       max(first_traffic_campaign) AS first_traffic_campaign, max(first_traffic_clid_platform) AS first_traffic_clid_platform,
       max(first_traffic_channel_group) AS first_traffic_channel_group, max(first_app_install_source) AS first_app_install_source,
       max(session_source) AS session_source, max(session_medium) AS session_medium,
       max(session_campaign) AS session_campaign, max(session_clid_platform) AS session_clid_platform,
       max(session_channel_group) AS session_channel_group
  FROM v3 WHERE session_id IS NOT NULL GROUP BY ALL;
CREATE TABLE acq_ab AS
SELECT b.ev_date, b.platform, b.merged_user_id, t.aggregation_type, t.aggregation_dim,
       a.event_count, a.session_indicator, a.new_user_indicator, a.user_engagement_time_msec
  FROM acq_b b
  JOIN acq_a a ON a.ev_date = b.ev_date AND a.session_id = b.session_id AND a.merged_user_id = b.merged_user_id,
  LATERAL (VALUES
    ('User First Traffic Source', b.first_traffic_source),
    ('User First Traffic Source / Medium', b.first_traffic_source || ' / ' || b.first_traffic_medium),
    ('User First Traffic Medium', b.first_traffic_medium),
    ('User First Traffic Campaign', b.first_traffic_campaign),
    ('User First Traffic Clid Platform', b.first_traffic_clid_platform),
    ('User First Traffic Channel Group', b.first_traffic_channel_group),
    ('App First Install Source', b.first_app_install_source),
    ('Session Traffic Source', b.session_source),
    ('Session Traffic Medium', b.session_medium),
    ('Session Traffic Source / Medium', b.session_source || ' / ' || b.session_medium),
    ('Session Traffic Campaign', b.session_campaign),
    ('Session Traffic Clid Platform', b.session_clid_platform),
    ('Session Traffic Channel Group', b.session_channel_group)) t(aggregation_type, aggregation_dim);
-- engagement_rate and the swapped Channel Group columns are spec §13 items 7 and 8: the
-- columns rate_original (integer division by the event count) and rate_fixed (engaged
-- sessions / sessions) let duck.mjs accept the documented choice; total/avg are the fixed
-- (unswapped) order, duck.mjs also tries the original swap for that one type.
CREATE TABLE exp_clickstream_acquisition_day_user_acquisition AS
SELECT ev_date AS event_date, aggregation_type, aggregation_dim, platform, merged_user_id AS user_id,
       sum(new_user_indicator) AS new_user_count,
       count(*) AS session_count,
       sum(session_indicator) AS engagement_session_count,
       sum(session_indicator) // sum(event_count) AS rate_original,
       sum(session_indicator) / count(*) AS rate_fixed,
       coalesce(sum(user_engagement_time_msec) FILTER (WHERE session_indicator = 1), 0) / 1000.0 AS total_user_engagement_time_seconds,
       coalesce(sum(user_engagement_time_msec) FILTER (WHERE session_indicator = 1), 0) / 1000.0
           / greatest(sum(session_indicator), 1) AS avg_user_engagement_time_seconds,
       sum(event_count) AS event_count
  FROM acq_ab GROUP BY ALL;

-- §6.6.4 per user and day: new users (distinct user_pseudo_id with _first_open), views
CREATE TABLE exp_clickstream_acquisition_day_user_view_cnt AS
SELECT ev_date AS event_date, platform, merged_user_id AS active_users,
       count(DISTINCT user_pseudo_id) FILTER (WHERE event_name = '_first_open') AS new_users,
       count(DISTINCT event_id) FILTER (WHERE is_view) AS view_count
  FROM v3 GROUP BY ALL;

-- §6.6.5 entrances.  Screen types: the original tests page_view_entrances (spec §13 item
-- 10); screen_flag says which flag the row came from, duck.mjs accepts either choice.
CREATE TABLE entrance_src AS
SELECT ev_date, platform, event_id, t.aggregation_type, t.aggregation_dim, t.flag, t.screen_flag
  FROM v3, LATERAL (VALUES
    ('Page Title', page_view_page_title, event_name = '_page_view' AND page_view_entrances = 'true', NULL),
    ('Page URL Path', page_view_page_url_path, event_name = '_page_view' AND page_view_entrances = 'true', NULL),
    ('Screen Name', screen_view_screen_name, event_name = '_screen_view' AND page_view_entrances = 'true', 'page'),
    ('Screen Class', screen_view_screen_id, event_name = '_screen_view' AND page_view_entrances = 'true', 'page'),
    ('Screen Name', screen_view_screen_name, event_name = '_screen_view' AND screen_view_entrances = 'true', 'screen'),
    ('Screen Class', screen_view_screen_id, event_name = '_screen_view' AND screen_view_entrances = 'true', 'screen')
  ) t(aggregation_type, aggregation_dim, flag, screen_flag)
 WHERE t.flag AND t.aggregation_dim IS NOT NULL;
CREATE TABLE exp_clickstream_engagement_entrance AS
SELECT ev_date AS event_date, platform, aggregation_type, aggregation_dim,
       count(DISTINCT event_id) AS entrance_count, screen_flag
  FROM entrance_src GROUP BY ALL;

-- §6.6.6 exits: per type, the last event of the kind with a dimension, per session and day
CREATE TABLE exp_clickstream_engagement_exit AS
WITH x AS (
    SELECT ev_date, platform, session_id, event_timestamp, t.aggregation_type, t.aggregation_dim
      FROM v3, LATERAL (VALUES
        ('Screen Name', screen_view_screen_name, event_name = '_screen_view'),
        ('Screen Class', screen_view_screen_id, event_name = '_screen_view'),
        ('Page Title', page_view_page_title, event_name = '_page_view'),
        ('Page URL Path', page_view_page_url_path, event_name = '_page_view')) t(aggregation_type, aggregation_dim, kind)
     WHERE t.kind AND t.aggregation_dim IS NOT NULL
    QUALIFY row_number() OVER (PARTITION BY ev_date, aggregation_type, session_id ORDER BY event_timestamp DESC) = 1)
SELECT ev_date AS event_date, platform, aggregation_type, aggregation_dim, count(*) AS exit_count
  FROM x GROUP BY ALL;

-- §6.6.7 events per user and name
CREATE TABLE exp_clickstream_engagement_event_name AS
SELECT ev_date AS event_date, platform, merged_user_id AS user_id, event_name,
       sum(event_value) AS event_value, count(DISTINCT event_id) AS event_count
  FROM v3 GROUP BY ALL;

-- §6.6.8 KPIs: sessions per (platform, session, merged user) of the day, engaged when more
-- than one view or a duration over 10,000 ms (no engagement-time clause here)
CREATE TABLE exp_clickstream_engagement_kpi AS
WITH s AS (
    SELECT ev_date, platform, session_id, merged_user_id,
           sum(user_engagement_time_msec) AS uet,
           CASE WHEN count(*) FILTER (WHERE is_view) > 1 OR max(session_duration) > 10000 THEN 1 ELSE 0 END AS ind
      FROM v3 GROUP BY ALL)
SELECT ev_date AS event_date, platform,
       sum(ind) / count(DISTINCT merged_user_id) AS avg_engaged_session_per_user,
       coalesce(sum(uet) FILTER (WHERE ind = 1), 0) / greatest(sum(ind), 1) / 1000 AS avg_engagement_time_per_session_seconds,
       coalesce(sum(uet) FILTER (WHERE ind = 1), 0) / count(DISTINCT merged_user_id) / 1000 AS avg_engagement_time_per_user_seconds
  FROM s GROUP BY ALL;

-- §6.6.9 and §6.6.10: the four (type, dimension) pairs over all events of the day
CREATE TABLE psv AS
SELECT ev_date, platform, merged_user_id, event_id, session_id, user_engagement_time_msec,
       t.aggregation_type, t.aggregation_dim, t.is_kind
  FROM v3, LATERAL (VALUES
    ('Page Title', page_view_page_title, event_name = '_page_view'),
    ('Page URL Path', page_view_page_url_path, event_name = '_page_view'),
    ('Screen Name', screen_view_screen_name, event_name = '_screen_view'),
    ('Screen Class', screen_view_screen_id, event_name = '_screen_view')) t(aggregation_type, aggregation_dim, is_kind);
CREATE TABLE exp_clickstream_engagement_page_screen_view AS
SELECT ev_date AS event_date, platform, aggregation_type, aggregation_dim,
       count(DISTINCT event_id) FILTER (WHERE is_kind) AS view_count
  FROM psv GROUP BY ALL;
CREATE TABLE exp_clickstream_engagement_page_screen_view_detail AS
SELECT ev_date AS event_date, platform, aggregation_type, aggregation_dim, merged_user_id AS user_id,
       sum(user_engagement_time_msec) / 1000 AS user_engagement_time_seconds,
       count(DISTINCT event_id) AS event_count,
       count(DISTINCT event_id) FILTER (WHERE is_kind) AS view_count,
       count(DISTINCT session_id) AS session_count
  FROM psv GROUP BY ALL;

-- §6.6.11 daily events and views
CREATE TABLE exp_clickstream_engagement_day_event_view AS
SELECT ev_date AS event_date, platform, count(DISTINCT event_id) AS event_count,
       count(DISTINCT view_event_indicator) AS view_count
  FROM v3 GROUP BY ALL;

-- §6.6.12 active-user facts
CREATE TABLE exp_clickstream_retention_dau_wau AS
SELECT DISTINCT ev_date AS event_date, platform, merged_user_id FROM v3;

-- §6.6.13 daily event count
CREATE TABLE exp_clickstream_retention_event_overtime AS
SELECT ev_date AS event_date, platform, count(DISTINCT event_id) AS event_count FROM v3 GROUP BY ALL;

-- §6.6.14 new vs returning: NEW when the day is the local date of the first touch
CREATE TABLE exp_clickstream_retention_user_new_return AS
SELECT ev_date AS event_date, platform,
       CASE WHEN ev_date = CAST(timezone('{{TZ}}', CAST(epoch_ms(first_touch_time_msec // 1000 * 1000) AS TIMESTAMPTZ)) AS DATE)
            THEN 'NEW' ELSE 'RETURNING' END AS user_type,
       count(DISTINCT merged_user_id) AS user_count
  FROM v3 GROUP BY ALL;

-- §6.6.15 crash facts
CREATE TABLE exp_clickstream_device_crash_rate AS
SELECT DISTINCT ev_date AS event_date, platform, app_version, merged_user_id,
       CASE WHEN event_name = '_app_exception' THEN merged_user_id END AS crashed_user_id
  FROM v3;

-- §6.6.16 devices per user
CREATE TABLE exp_clickstream_device_user_device AS
SELECT ev_date AS event_date, merged_user_id AS user_id, platform,
       coalesce(device_mobile_model_name, device_ua_device) AS device, app_version,
       coalesce(device_operating_system, device_ua_os, 'null') AS operating_system,
       coalesce(device_operating_system_version, device_ua_os_version, 'null') AS operating_system_version,
       device_ua_browser,
       coalesce(CAST(device_screen_width AS VARCHAR), '') || ' x ' || coalesce(CAST(device_screen_height AS VARCHAR), '') AS device_screen_resolution,
       device_ua_device, device_ua_device_category,
       count(DISTINCT event_id) AS event_count
  FROM v3 GROUP BY ALL;

-- §6.4 materialized views (over every event, no day window) --------------------------------
CREATE TABLE exp_clickstream_acquisition_intra_day_user_mv AS
SELECT DISTINCT date_trunc('hour', timezone('{{TZ}}', CAST(event_timestamp AS TIMESTAMPTZ))) AS event_date,
       platform, merged_user_id AS active_users, new_user_indicator AS new_users
  FROM v3;

CREATE TABLE exp_clickstream_lifecycle_view_v2 AS
SELECT DISTINCT user_pseudo_id, platform,
       date_trunc('week', timezone('{{TZ}}', CAST(event_timestamp AS TIMESTAMPTZ))) AS time_period_week
  FROM ods_event WHERE event_name = '_session_start';

CREATE TABLE exp_clickstream_retention_base_view AS
WITH x AS (
    SELECT user_pseudo_id, platform,
           CAST(timezone('{{TZ}}', CAST(epoch_ms(first_touch_time_msec // 1000 * 1000) AS TIMESTAMPTZ)) AS DATE) AS first_date,
           ev_date
      FROM v3
     WHERE first_touch_time_msec IS NOT NULL
       AND event_timestamp >= epoch_ms(first_touch_time_msec // 1000 * 1000))
SELECT DISTINCT user_pseudo_id, platform, first_date, ev_date - first_date AS day_diff
  FROM x WHERE ev_date - first_date <= 42;

-- §6.4 views over the MVs.  The weekly view orders a user's rows by week only, so a user
-- with two platforms in one week makes lag/lead arbitrary; the variant column holds the
-- view for a platform tie-break in byte order ('bytes') and in case-blind order ('nocase')
-- (the collation decides), and duck.mjs says which one PostgreSQL matched.
CREATE TABLE exp_clickstream_lifecycle_weekly_view_v3 AS
WITH tie(variant) AS (VALUES ('bytes'), ('nocase')),
l AS (
    SELECT v.*, tie.variant,
           lag(time_period_week) OVER w AS lag_week, lead(time_period_week) OVER w AS lead_week
      FROM exp_clickstream_lifecycle_view_v2 v, tie
    WINDOW w AS (PARTITION BY tie.variant, user_pseudo_id
                 ORDER BY time_period_week, CASE WHEN tie.variant = 'bytes' THEN platform ELSE lower(platform) END)),
s AS (
    SELECT variant, time_period_week, platform, user_pseudo_id,
           CASE WHEN lag_week IS NULL THEN '1-NEW'
                WHEN date_diff('day', lag_week, time_period_week) // 7 = 1 THEN '2-RETAINED-ACTIVE'
                WHEN date_diff('day', lag_week, time_period_week) // 7 > 1 THEN '3-RETURN' END AS this_week_value,
           CASE WHEN lead_week IS NOT NULL AND date_diff('day', time_period_week, lead_week) // 7 = 1 THEN NULL
                ELSE '0-CHURN' END AS next_week_churn
      FROM l),
t AS (
    SELECT variant, time_period_week, platform, this_week_value, next_week_churn, count(DISTINCT user_pseudo_id) AS total_users
      FROM s GROUP BY ALL)
SELECT variant, time_period_week AS time_period, platform, this_week_value, sum(total_users) AS "sum"
  FROM t GROUP BY variant, time_period_week, platform, this_week_value
UNION
SELECT variant, time_period_week + INTERVAL 7 DAY, platform, '0-CHURN', -sum(total_users)
  FROM t WHERE next_week_churn IS NOT NULL GROUP BY variant, time_period_week, platform;

CREATE TABLE exp_clickstream_retention_view_v3 AS
WITH keep AS (
    SELECT * FROM exp_clickstream_retention_base_view r
     WHERE NOT EXISTS (
        SELECT 1 FROM exp_clickstream_retention_base_view x
         WHERE x.platform = r.platform AND x.user_pseudo_id = r.user_pseudo_id
         GROUP BY x.platform, x.user_pseudo_id HAVING min(x.day_diff) > 0)),
tot AS (SELECT platform, first_date, count(DISTINCT user_pseudo_id) AS total_users FROM keep GROUP BY ALL),
ret AS (SELECT platform, first_date, day_diff, count(DISTINCT user_pseudo_id) AS returned_user_count FROM keep GROUP BY ALL)
SELECT ret.platform, ret.first_date, ret.day_diff, ret.returned_user_count, tot.total_users
  FROM ret JOIN tot USING (platform, first_date);
