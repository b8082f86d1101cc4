-- Modeling layer: the sixteen daily summary tables and their <table>_sp(day, timezone, ndays)
-- procedures (spec §6.5-§6.6), created in every app schema by clickstream._create_model
-- (model.sql), after the base table and clickstream_event_view_v3 (model_reporting.sql).
-- Reference and the decisions on spec §13: docs/model-summary.md.
--
-- Each procedure recomputes ndays local days, newest first: for day d it deletes the rows
-- with event_date = d and inserts the rows computed from clickstream_event_view_v3 in the
-- day window of d (spec §6.1).  Every query filters event_timestamp on that window, so an
-- index on the base table's event_timestamp bounds the work by the day's rows, not by
-- history.  A call is atomic: on any error nothing of the call remains, the error is logged
-- to <app>.clickstream_log_v2 and re-raised.

-- _summary_check_args: the argument checks shared by the sixteen procedures.
-- Raises 22004 for a NULL day or time zone, 22023 for ndays < 1 (an unknown time zone
-- fails with 22023 at the first AT TIME ZONE).
CREATE FUNCTION @extschema@._summary_check_args(p_day date, p_time_zone text, p_ndays integer)
RETURNS void
LANGUAGE plpgsql
STABLE
AS $fn$
BEGIN
    IF p_day IS NULL OR p_time_zone IS NULL THEN
        RAISE EXCEPTION 'day and timezone must not be null'
            USING ERRCODE = 'null_value_not_allowed';
    END IF;
    IF p_ndays IS NULL OR p_ndays < 1 THEN
        RAISE EXCEPTION 'ndays must be at least 1, not %', COALESCE(p_ndays::text, 'NULL')
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = 'ndays is the number of days recomputed, ending with day.';
    END IF;
END
$fn$;

-- _create_summary_sp: (re)create the procedure <schema>.<table>_sp around p_insert, an
-- INSERT into <schema>.<table> that may use v_day (the reporting day, the original's
-- "current_date"), v_start and v_end (its day window as UTC wall times, spec §6.1), p_tz
-- (the time zone argument) and the constants of p_declare (PL/pgSQL declarations).  The procedure's signature is the original's (day date, timezone varchar,
-- ndays integer).
CREATE FUNCTION @extschema@._create_summary_sp(p_schema name, p_table name, p_insert text,
                                               p_declare text DEFAULT '')
RETURNS void
LANGUAGE plpgsql
AS $fn$
BEGIN
    EXECUTE pg_catalog.format($ddl$
        CREATE OR REPLACE PROCEDURE %1$I.%3$I(day date, timezone varchar, ndays integer)
        LANGUAGE plpgsql
        SET TimeZone = 'UTC'
        SET jit = off   -- see clickstream_event_base_view_sp
        AS $body$
        DECLARE
            p_day   ALIAS FOR $1;
            p_tz    ALIAS FOR $2;
            p_ndays ALIAS FOR $3;
            v_day   date;
            v_start timestamp;
            v_end   timestamp;
            %4$s
        BEGIN
            PERFORM @extschema@._summary_check_args(p_day, p_tz, p_ndays);
            -- one refresh of a table at a time (two concurrent delete-then-insert runs of a
            -- day would both insert); readers are not blocked
            LOCK TABLE %1$I.%2$I IN SHARE ROW EXCLUSIVE MODE;
            -- newest day first, as the original
            FOR i IN 0 .. p_ndays - 1 LOOP
                v_day := p_day - i;
                v_start := (v_day::timestamp AT TIME ZONE p_tz) AT TIME ZONE 'UTC';
                v_end := ((v_day + 1)::timestamp AT TIME ZONE p_tz) AT TIME ZONE 'UTC';
                DELETE FROM %1$I.%2$I WHERE event_date = v_day;
                %5$s;
            END LOOP;
        EXCEPTION WHEN OTHERS THEN
            -- the block's work is rolled back already: log, then fail the call
            CALL %1$I.sp_clickstream_log(%2$L, 'error', 'error message:' || SQLERRM);
            RAISE INFO 'error message:%%', SQLERRM;
            RAISE;
        END
        $body$$ddl$,
        p_schema, p_table, p_table || '_sp', p_declare, p_insert);
END
$fn$;

-- The sixteen tables (spec §6.6; original names, column order and types, except
-- clickstream_acquisition_day_user_view_cnt.new_users: bigint, §13 item 11), then their
-- procedures in the refresh order of spec §7.2.  p_time_zone is not used: the procedures
-- take the time zone at call time.
CREATE FUNCTION @extschema@._create_model_summary(p_schema name, p_time_zone text)
RETURNS void
LANGUAGE plpgsql
SET client_min_messages = warning
AS $fn$
DECLARE
    v_ts constant text := 'update_timestamp timestamp DEFAULT (pg_catalog.now() AT TIME ZONE ''UTC'')';
    -- engaged session (spec §6.1, §13 item 9: the original code's thresholds, all strict)
    v_engaged constant text :=
        'c_min_views constant bigint := 1;              -- engaged: more than 1 view event,
            c_min_duration_ms constant bigint := 10000;     -- or max session_duration > 10 000 ms';
    v_engaged_acq constant text := v_engaged ||
        '
            c_min_engagement_ms constant bigint := 10000000; -- or (acquisition only) Σ user_engagement_time_msec > 10 000 000 ms';
    -- the traffic-source aggregation types of §6.6.2 and §6.6.3 as a VALUES list over the
    -- row alias %1$s: (aggregation_type, aggregation_dim, first_open_only)
    v_traffic constant text := $v$(VALUES
               ('User First Traffic Source', %1$s.first_traffic_source::text, true),
               ('User First Traffic Source / Medium', %1$s.first_traffic_source || ' / ' || %1$s.first_traffic_medium, true),
               ('User First Traffic Medium', %1$s.first_traffic_medium, true),
               ('User First Traffic Campaign', %1$s.first_traffic_campaign, true),
               ('User First Traffic Clid Platform', %1$s.first_traffic_clid_platform, true),
               ('User First Traffic Channel Group', %1$s.first_traffic_channel_group, true),
               ('App First Install Source', %1$s.first_app_install_source, true),
               ('Session Traffic Source', %1$s.session_source, false),
               ('Session Traffic Medium', %1$s.session_medium, false),
               ('Session Traffic Source / Medium', %1$s.session_source || ' / ' || %1$s.session_medium, false),
               ('Session Traffic Campaign', %1$s.session_campaign, false),
               ('Session Traffic Clid Platform', %1$s.session_clid_platform, false),
               ('Session Traffic Channel Group', %1$s.session_channel_group, false))
               AS x (aggregation_type, aggregation_dim, first_open_only)$v$;
    v_traffic_e constant text := pg_catalog.format(v_traffic, 'e');
    v_traffic_j constant text := pg_catalog.format(v_traffic, 'j');
    -- the page and screen aggregation types of §6.6.5, §6.6.6, §6.6.9, §6.6.10 over the row
    -- alias e: (aggregation_type, view_event, entrance, aggregation_dim); screens use
    -- screen_view_entrances (§13 item 10)
    v_views constant text := $v$(VALUES
               ('Page Title', '_page_view', e.page_view_entrances, e.page_view_page_title::text),
               ('Page URL Path', '_page_view', e.page_view_entrances, e.page_view_page_url_path),
               ('Screen Name', '_screen_view', e.screen_view_entrances, e.screen_view_screen_name),
               ('Screen Class', '_screen_view', e.screen_view_entrances, e.screen_view_screen_id))
               AS x (aggregation_type, view_event, entrance, aggregation_dim)$v$;
    v_table text;
BEGIN
    EXECUTE pg_catalog.format($ddl$
        CREATE TABLE IF NOT EXISTS %1$I.clickstream_acquisition_day_user_view_cnt (
            event_date date, platform varchar(255), active_users varchar(255), new_users bigint,
            view_count bigint)$ddl$, p_schema);
    EXECUTE pg_catalog.format($ddl$
        CREATE TABLE IF NOT EXISTS %1$I.clickstream_acquisition_country_new_user (
            event_date date, platform varchar(255), geo_country varchar(255), geo_city varchar(255),
            user_count bigint, %2$s)$ddl$, p_schema, v_ts);
    EXECUTE pg_catalog.format($ddl$
        CREATE TABLE IF NOT EXISTS %1$I.clickstream_acquisition_day_traffic_source_user (
            event_date date, platform varchar(255), aggregation_type varchar(255),
            aggregation_dim text, user_id varchar(255), %2$s)$ddl$, p_schema, v_ts);
    EXECUTE pg_catalog.format($ddl$
        CREATE TABLE IF NOT EXISTS %1$I.clickstream_acquisition_day_user_acquisition (
            event_date date, aggregation_type varchar(255), aggregation_dim text,
            platform varchar(255), user_id varchar(255), new_user_count bigint, session_count bigint,
            engagement_session_count bigint, engagement_rate real,
            total_user_engagement_time_seconds real, avg_user_engagement_time_seconds real,
            event_count bigint, %2$s)$ddl$, p_schema, v_ts);
    EXECUTE pg_catalog.format($ddl$
        CREATE TABLE IF NOT EXISTS %1$I.clickstream_engagement_day_event_view (
            event_date date, platform varchar(255), event_count bigint, view_count bigint,
            %2$s)$ddl$, p_schema, v_ts);
    EXECUTE pg_catalog.format($ddl$
        CREATE TABLE IF NOT EXISTS %1$I.clickstream_engagement_entrance (
            event_date date, platform varchar(255), aggregation_type varchar(255),
            aggregation_dim text, entrance_count bigint, %2$s)$ddl$, p_schema, v_ts);
    EXECUTE pg_catalog.format($ddl$
        CREATE TABLE IF NOT EXISTS %1$I.clickstream_engagement_event_name (
            event_date date, platform varchar(255), user_id varchar(255), event_name varchar(255),
            event_value real, event_count bigint, %2$s)$ddl$, p_schema, v_ts);
    EXECUTE pg_catalog.format($ddl$
        CREATE TABLE IF NOT EXISTS %1$I.clickstream_engagement_exit (
            event_date date, platform varchar(255), aggregation_type varchar(255),
            aggregation_dim text, exit_count bigint, %2$s)$ddl$, p_schema, v_ts);
    EXECUTE pg_catalog.format($ddl$
        CREATE TABLE IF NOT EXISTS %1$I.clickstream_engagement_kpi (
            event_date date, platform varchar(255), avg_engaged_session_per_user real,
            avg_engagement_time_per_session_seconds real, avg_engagement_time_per_user_seconds real,
            %2$s)$ddl$, p_schema, v_ts);
    EXECUTE pg_catalog.format($ddl$
        CREATE TABLE IF NOT EXISTS %1$I.clickstream_engagement_page_screen_view (
            event_date date, platform varchar(255), aggregation_type varchar(255),
            aggregation_dim text, view_count bigint, %2$s)$ddl$, p_schema, v_ts);
    EXECUTE pg_catalog.format($ddl$
        CREATE TABLE IF NOT EXISTS %1$I.clickstream_engagement_page_screen_view_detail (
            event_date date, platform varchar(255), aggregation_type varchar(255),
            aggregation_dim text, user_id varchar(255), user_engagement_time_seconds real,
            event_count bigint, view_count bigint, session_count bigint, %2$s)$ddl$, p_schema, v_ts);
    EXECUTE pg_catalog.format($ddl$
        CREATE TABLE IF NOT EXISTS %1$I.clickstream_retention_dau_wau (
            event_date date, platform varchar(255), merged_user_id varchar(255), %2$s)$ddl$,
        p_schema, v_ts);
    EXECUTE pg_catalog.format($ddl$
        CREATE TABLE IF NOT EXISTS %1$I.clickstream_retention_event_overtime (
            event_date date, platform varchar(255), event_count bigint, %2$s)$ddl$, p_schema, v_ts);
    EXECUTE pg_catalog.format($ddl$
        CREATE TABLE IF NOT EXISTS %1$I.clickstream_retention_user_new_return (
            event_date date, platform varchar(255), user_type varchar(50), user_count bigint,
            %2$s)$ddl$, p_schema, v_ts);
    EXECUTE pg_catalog.format($ddl$
        CREATE TABLE IF NOT EXISTS %1$I.clickstream_device_crash_rate (
            event_date date, platform varchar(255), app_version varchar(255),
            merged_user_id varchar(255), crashed_user_id varchar(255), %2$s)$ddl$, p_schema, v_ts);
    EXECUTE pg_catalog.format($ddl$
        CREATE TABLE IF NOT EXISTS %1$I.clickstream_device_user_device (
            event_date date, user_id varchar(255), platform varchar(255), device varchar(255),
            app_version text, operating_system text, operating_system_version text,
            device_ua_browser text, device_screen_resolution text, device_ua_device text,
            device_ua_device_category text, event_count bigint, %2$s)$ddl$, p_schema, v_ts);

    -- every procedure deletes one event_date at a time
    FOREACH v_table IN ARRAY ARRAY[
        'clickstream_acquisition_country_new_user', 'clickstream_acquisition_day_traffic_source_user',
        'clickstream_acquisition_day_user_acquisition', 'clickstream_engagement_day_event_view',
        'clickstream_engagement_entrance', 'clickstream_engagement_exit', 'clickstream_engagement_kpi',
        'clickstream_engagement_page_screen_view_detail', 'clickstream_engagement_page_screen_view',
        'clickstream_engagement_event_name', 'clickstream_retention_dau_wau',
        'clickstream_retention_event_overtime', 'clickstream_retention_user_new_return',
        'clickstream_acquisition_day_user_view_cnt', 'clickstream_device_crash_rate',
        'clickstream_device_user_device']
    LOOP
        EXECUTE pg_catalog.format('CREATE INDEX IF NOT EXISTS %I ON %I.%I (event_date)',
                                  v_table || '_event_date_idx', p_schema, v_table);
    END LOOP;

    -- 1 (§6.6.1): distinct pseudonymous ids with a _first_open, per country and city
    PERFORM @extschema@._create_summary_sp(p_schema, 'clickstream_acquisition_country_new_user', pg_catalog.format($sql$
        INSERT INTO %1$I.clickstream_acquisition_country_new_user
               (event_date, platform, geo_country, geo_city, user_count)
        SELECT v_day, e.platform, e.geo_country, e.geo_city, count(DISTINCT e.user_pseudo_id)
          FROM %1$I.clickstream_event_view_v3 e
         WHERE e.event_timestamp >= v_start AND e.event_timestamp < v_end
           AND e.event_name = '_first_open'
         GROUP BY e.platform, e.geo_country, e.geo_city
    $sql$, p_schema));

    -- 2 (§6.6.2): distinct (type, dim, merged user); first-touch types from _first_open only.
    -- The day's events are first reduced to their distinct attributions (a few per session)
    -- so that the 13-way unpivot works on those, not on every event.
    PERFORM @extschema@._create_summary_sp(p_schema, 'clickstream_acquisition_day_traffic_source_user', pg_catalog.format($sql$
        INSERT INTO %1$I.clickstream_acquisition_day_traffic_source_user
               (event_date, platform, aggregation_type, aggregation_dim, user_id)
        SELECT DISTINCT v_day, e.platform, x.aggregation_type, x.aggregation_dim, e.merged_user_id
          FROM (SELECT DISTINCT e.platform, e.merged_user_id, e.event_name = '_first_open' AS first_open,
                       e.first_traffic_source, e.first_traffic_medium, e.first_traffic_campaign,
                       e.first_traffic_clid_platform, e.first_traffic_channel_group,
                       e.first_app_install_source, e.session_source, e.session_medium,
                       e.session_campaign, e.session_clid_platform, e.session_channel_group
                  FROM %1$I.clickstream_event_view_v3 e
                 WHERE e.event_timestamp >= v_start AND e.event_timestamp < v_end) e
         CROSS JOIN LATERAL %2$s
         WHERE NOT x.first_open_only OR e.first_open
    $sql$, p_schema, v_traffic_e));

    -- 3 (§6.6.3): sessions per (merged user, session) joined to their attribution; the
    -- engagement rate is engaged sessions / sessions (§13 item 7) and the two time columns
    -- are in place for every type (§13 item 8)
    PERFORM @extschema@._create_summary_sp(p_schema, 'clickstream_acquisition_day_user_acquisition', pg_catalog.format($sql$
        INSERT INTO %1$I.clickstream_acquisition_day_user_acquisition
               (event_date, aggregation_type, aggregation_dim, platform, user_id, new_user_count,
                session_count, engagement_session_count, engagement_rate,
                total_user_engagement_time_seconds, avg_user_engagement_time_seconds, event_count)
        WITH a AS (
            SELECT e.merged_user_id AS user_id, e.session_id,
                   count(DISTINCT e.event_id) AS event_count,
                   count(DISTINCT e.view_event_indicator) AS session_views,
                   max(e.session_duration) AS session_duration,
                   COALESCE(sum(e.user_engagement_time_msec), 0) AS user_engagement_time_msec,
                   max(CASE WHEN e.event_name = '_first_open' THEN 1 ELSE 0 END) AS new_user_indicator
              FROM %1$I.clickstream_event_view_v3 e
             WHERE e.event_timestamp >= v_start AND e.event_timestamp < v_end
             GROUP BY e.merged_user_id, e.session_id
        ), b AS (
            SELECT e.session_id, e.platform, e.merged_user_id AS user_id,
                   max(e.first_traffic_source) AS first_traffic_source,
                   max(e.first_traffic_medium) AS first_traffic_medium,
                   max(e.first_traffic_campaign) AS first_traffic_campaign,
                   max(e.first_traffic_clid_platform) AS first_traffic_clid_platform,
                   max(e.first_traffic_channel_group) AS first_traffic_channel_group,
                   max(e.first_app_install_source) AS first_app_install_source,
                   max(e.session_source) AS session_source,
                   max(e.session_medium) AS session_medium,
                   max(e.session_campaign) AS session_campaign,
                   max(e.session_clid_platform) AS session_clid_platform,
                   max(e.session_channel_group) AS session_channel_group
              FROM %1$I.clickstream_event_view_v3 e
             WHERE e.event_timestamp >= v_start AND e.event_timestamp < v_end
             GROUP BY e.session_id, e.platform, e.merged_user_id
        ), j AS (
            SELECT b.*, a.event_count, a.new_user_indicator, a.user_engagement_time_msec,
                   CASE WHEN a.session_views > c_min_views
                          OR a.session_duration > c_min_duration_ms
                          OR a.user_engagement_time_msec > c_min_engagement_ms
                        THEN 1 ELSE 0 END AS session_indicator
              FROM b JOIN a ON a.session_id = b.session_id AND a.user_id = b.user_id
        )
        SELECT v_day, x.aggregation_type, x.aggregation_dim, j.platform, j.user_id,
               sum(j.new_user_indicator),
               count(*),
               sum(j.session_indicator),
               (sum(j.session_indicator)::double precision / count(*))::real,
               (sum(j.user_engagement_time_msec * j.session_indicator)::double precision / 1000)::real,
               (sum(j.user_engagement_time_msec * j.session_indicator)::double precision / 1000
                / GREATEST(sum(j.session_indicator), 1))::real,
               sum(j.event_count)::bigint
          FROM j
         CROSS JOIN LATERAL %2$s
         GROUP BY x.aggregation_type, x.aggregation_dim, j.platform, j.user_id
    $sql$, p_schema, v_traffic_j), v_engaged_acq);

    -- 4 (§6.6.11): events and views per platform
    PERFORM @extschema@._create_summary_sp(p_schema, 'clickstream_engagement_day_event_view', pg_catalog.format($sql$
        INSERT INTO %1$I.clickstream_engagement_day_event_view
               (event_date, platform, event_count, view_count)
        SELECT v_day, e.platform, count(DISTINCT e.event_id), count(DISTINCT e.view_event_indicator)
          FROM %1$I.clickstream_event_view_v3 e
         WHERE e.event_timestamp >= v_start AND e.event_timestamp < v_end
         GROUP BY e.platform
    $sql$, p_schema));

    -- 5 (§6.6.5): first views of a session; screens by screen_view_entrances (§13 item 10)
    PERFORM @extschema@._create_summary_sp(p_schema, 'clickstream_engagement_entrance', pg_catalog.format($sql$
        INSERT INTO %1$I.clickstream_engagement_entrance
               (event_date, platform, aggregation_type, aggregation_dim, entrance_count)
        SELECT v_day, e.platform, x.aggregation_type, x.aggregation_dim, count(DISTINCT e.event_id)
          FROM %1$I.clickstream_event_view_v3 e
         CROSS JOIN LATERAL %2$s
         WHERE e.event_timestamp >= v_start AND e.event_timestamp < v_end
           AND e.event_name = x.view_event AND x.entrance = 'true' AND x.aggregation_dim IS NOT NULL
         GROUP BY e.platform, x.aggregation_type, x.aggregation_dim
    $sql$, p_schema, v_views));

    -- 6 (§6.6.6): per type, the last view of each session (ties: greatest event_id) counts
    PERFORM @extschema@._create_summary_sp(p_schema, 'clickstream_engagement_exit', pg_catalog.format($sql$
        INSERT INTO %1$I.clickstream_engagement_exit
               (event_date, platform, aggregation_type, aggregation_dim, exit_count)
        SELECT v_day, s.platform, s.aggregation_type, s.aggregation_dim, count(*)
          FROM (SELECT e.platform, x.aggregation_type, x.aggregation_dim,
                       pg_catalog.row_number() OVER (PARTITION BY x.aggregation_type, e.session_id
                                                     ORDER BY e.event_timestamp DESC, e.event_id DESC) AS rn
                  FROM %1$I.clickstream_event_view_v3 e
                 CROSS JOIN LATERAL %2$s
                 WHERE e.event_timestamp >= v_start AND e.event_timestamp < v_end
                   AND e.event_name = x.view_event AND x.aggregation_dim IS NOT NULL
                   AND e.session_id IS NOT NULL) s
         WHERE s.rn = 1
         GROUP BY s.platform, s.aggregation_type, s.aggregation_dim
    $sql$, p_schema, v_views));

    -- 7 (§6.6.8): KPIs over the sessions of (platform, session, merged user)
    PERFORM @extschema@._create_summary_sp(p_schema, 'clickstream_engagement_kpi', pg_catalog.format($sql$
        INSERT INTO %1$I.clickstream_engagement_kpi
               (event_date, platform, avg_engaged_session_per_user,
                avg_engagement_time_per_session_seconds, avg_engagement_time_per_user_seconds)
        WITH s AS (
            SELECT e.platform, e.session_id, e.merged_user_id,
                   COALESCE(sum(e.user_engagement_time_msec), 0) AS user_engagement_time_msec,
                   CASE WHEN count(DISTINCT e.view_event_indicator) > c_min_views
                          OR max(e.session_duration) > c_min_duration_ms
                        THEN 1 ELSE 0 END AS session_indicator
              FROM %1$I.clickstream_event_view_v3 e
             WHERE e.event_timestamp >= v_start AND e.event_timestamp < v_end
             GROUP BY e.platform, e.session_id, e.merged_user_id
        )
        SELECT v_day, s.platform,
               (sum(s.session_indicator)::double precision / count(DISTINCT s.merged_user_id))::real,
               (sum(s.user_engagement_time_msec * s.session_indicator)::double precision
                / GREATEST(sum(s.session_indicator), 1) / 1000)::real,
               (sum(s.user_engagement_time_msec * s.session_indicator)::double precision
                / count(DISTINCT s.merged_user_id) / 1000)::real
          FROM s
         GROUP BY s.platform
    $sql$, p_schema), v_engaged);

    -- 8 (§6.6.10): per page/screen and merged user; NULL dims and non-view events included
    PERFORM @extschema@._create_summary_sp(p_schema, 'clickstream_engagement_page_screen_view_detail', pg_catalog.format($sql$
        INSERT INTO %1$I.clickstream_engagement_page_screen_view_detail
               (event_date, platform, aggregation_type, aggregation_dim, user_id,
                user_engagement_time_seconds, event_count, view_count, session_count)
        SELECT v_day, e.platform, x.aggregation_type, x.aggregation_dim, e.merged_user_id,
               (COALESCE(sum(e.user_engagement_time_msec), 0)::double precision / 1000)::real,
               count(DISTINCT e.event_id),
               count(DISTINCT e.event_id) FILTER (WHERE e.event_name = x.view_event),
               count(DISTINCT e.session_id)
          FROM %1$I.clickstream_event_view_v3 e
         CROSS JOIN LATERAL %2$s
         WHERE e.event_timestamp >= v_start AND e.event_timestamp < v_end
         GROUP BY e.platform, x.aggregation_type, x.aggregation_dim, e.merged_user_id
    $sql$, p_schema, v_views));

    -- 9 (§6.6.9): views per page/screen; NULL dims and zero counts included
    PERFORM @extschema@._create_summary_sp(p_schema, 'clickstream_engagement_page_screen_view', pg_catalog.format($sql$
        INSERT INTO %1$I.clickstream_engagement_page_screen_view
               (event_date, platform, aggregation_type, aggregation_dim, view_count)
        SELECT v_day, e.platform, x.aggregation_type, x.aggregation_dim,
               count(DISTINCT e.event_id) FILTER (WHERE e.event_name = x.view_event)
          FROM %1$I.clickstream_event_view_v3 e
         CROSS JOIN LATERAL %2$s
         WHERE e.event_timestamp >= v_start AND e.event_timestamp < v_end
         GROUP BY e.platform, x.aggregation_type, x.aggregation_dim
    $sql$, p_schema, v_views));

    -- 10 (§6.6.7): value and count per merged user and event name
    PERFORM @extschema@._create_summary_sp(p_schema, 'clickstream_engagement_event_name', pg_catalog.format($sql$
        INSERT INTO %1$I.clickstream_engagement_event_name
               (event_date, platform, user_id, event_name, event_value, event_count)
        SELECT v_day, e.platform, e.merged_user_id, e.event_name, sum(e.event_value)::real,
               count(DISTINCT e.event_id)
          FROM %1$I.clickstream_event_view_v3 e
         WHERE e.event_timestamp >= v_start AND e.event_timestamp < v_end
         GROUP BY e.platform, e.merged_user_id, e.event_name
    $sql$, p_schema));

    -- 11 (§6.6.12): active merged users
    PERFORM @extschema@._create_summary_sp(p_schema, 'clickstream_retention_dau_wau', pg_catalog.format($sql$
        INSERT INTO %1$I.clickstream_retention_dau_wau (event_date, platform, merged_user_id)
        SELECT DISTINCT v_day, e.platform, e.merged_user_id
          FROM %1$I.clickstream_event_view_v3 e
         WHERE e.event_timestamp >= v_start AND e.event_timestamp < v_end
    $sql$, p_schema));

    -- 12 (§6.6.13): events per platform
    PERFORM @extschema@._create_summary_sp(p_schema, 'clickstream_retention_event_overtime', pg_catalog.format($sql$
        INSERT INTO %1$I.clickstream_retention_event_overtime (event_date, platform, event_count)
        SELECT v_day, e.platform, count(DISTINCT e.event_id)
          FROM %1$I.clickstream_event_view_v3 e
         WHERE e.event_timestamp >= v_start AND e.event_timestamp < v_end
         GROUP BY e.platform
    $sql$, p_schema));

    -- 13 (§6.6.14): NEW when the day is the local date of the user's first touch (user_v2,
    -- whole seconds as the original), RETURNING otherwise, unknown first touch included
    PERFORM @extschema@._create_summary_sp(p_schema, 'clickstream_retention_user_new_return', pg_catalog.format($sql$
        INSERT INTO %1$I.clickstream_retention_user_new_return
               (event_date, platform, user_type, user_count)
        SELECT v_day, e.platform,
               CASE WHEN (pg_catalog.to_timestamp(e.first_touch_time_msec / 1000) AT TIME ZONE p_tz)::date = v_day
                    THEN 'NEW' ELSE 'RETURNING' END AS user_type,
               count(DISTINCT e.merged_user_id)
          FROM %1$I.clickstream_event_view_v3 e
         WHERE e.event_timestamp >= v_start AND e.event_timestamp < v_end
         GROUP BY e.platform, user_type
    $sql$, p_schema));

    -- 14 (§6.6.4): per merged user: pseudonymous ids with a _first_open (bigint, §13 item
    -- 11) and views
    PERFORM @extschema@._create_summary_sp(p_schema, 'clickstream_acquisition_day_user_view_cnt', pg_catalog.format($sql$
        INSERT INTO %1$I.clickstream_acquisition_day_user_view_cnt
               (event_date, platform, active_users, new_users, view_count)
        SELECT v_day, e.platform, e.merged_user_id,
               count(DISTINCT e.user_pseudo_id) FILTER (WHERE e.event_name = '_first_open'),
               count(DISTINCT e.view_event_indicator)
          FROM %1$I.clickstream_event_view_v3 e
         WHERE e.event_timestamp >= v_start AND e.event_timestamp < v_end
         GROUP BY e.platform, e.merged_user_id
    $sql$, p_schema));

    -- 15 (§6.6.15): a user with and without crashes on one app version gives two rows
    PERFORM @extschema@._create_summary_sp(p_schema, 'clickstream_device_crash_rate', pg_catalog.format($sql$
        INSERT INTO %1$I.clickstream_device_crash_rate
               (event_date, platform, app_version, merged_user_id, crashed_user_id)
        SELECT DISTINCT v_day, e.platform, e.app_version, e.merged_user_id,
               CASE WHEN e.event_name = '_app_exception' THEN e.merged_user_id END
          FROM %1$I.clickstream_event_view_v3 e
         WHERE e.event_timestamp >= v_start AND e.event_timestamp < v_end
    $sql$, p_schema));

    -- 16 (§6.6.16): events per merged user and device description
    PERFORM @extschema@._create_summary_sp(p_schema, 'clickstream_device_user_device', pg_catalog.format($sql$
        INSERT INTO %1$I.clickstream_device_user_device
               (event_date, user_id, platform, device, app_version, operating_system,
                operating_system_version, device_ua_browser, device_screen_resolution,
                device_ua_device, device_ua_device_category, event_count)
        SELECT v_day, e.merged_user_id, e.platform, d.device, e.app_version, d.operating_system,
               d.operating_system_version, e.device_ua_browser, d.device_screen_resolution,
               e.device_ua_device, e.device_ua_device_category, count(DISTINCT e.event_id)
          FROM %1$I.clickstream_event_view_v3 e
         CROSS JOIN LATERAL (SELECT
               COALESCE(e.device_mobile_model_name, e.device_ua_device) AS device,
               COALESCE(e.device_operating_system, e.device_ua_os, 'null') AS operating_system,
               COALESCE(e.device_operating_system_version, e.device_ua_os_version, 'null') AS operating_system_version,
               COALESCE(e.device_screen_width::text, '') || ' x ' || COALESCE(e.device_screen_height::text, '')
                   AS device_screen_resolution) AS d
         WHERE e.event_timestamp >= v_start AND e.event_timestamp < v_end
         GROUP BY e.merged_user_id, e.platform, d.device, e.app_version, d.operating_system,
                  d.operating_system_version, e.device_ua_browser, d.device_screen_resolution,
                  e.device_ua_device, e.device_ua_device_category
    $sql$, p_schema));
END
$fn$;
