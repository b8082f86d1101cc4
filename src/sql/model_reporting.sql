-- Modeling layer, part 3: the reporting base of spec §6.2-6.3 (docs/model-reporting.md).
--   <app>.clickstream_event_base_view      a TABLE: event_v2 joined with session, 114 columns
--   <app>.clickstream_event_base_view_sp   its incremental (or explicit-range) upsert
--   <app>.clickstream_event_view_v3        the base table joined with user_v2: what reports read
-- clickstream._create_model (model.sql) calls _create_model_reporting for every app.

-- The base table's column list (spec §6.2 order), and the expression of each column over
-- "event_v2 e LEFT JOIN session s".  Shared by the DDL and by both SELECTs of the procedure.
CREATE FUNCTION @extschema@._reporting_base_columns()
RETURNS text
LANGUAGE sql IMMUTABLE
AS $fn$
SELECT pg_catalog.regexp_replace(pg_catalog.btrim($cols$
            event_timestamp, event_id, event_time_msec, event_name, user_pseudo_id, user_id,
            session_id, event_value, event_value_currency, event_bundle_sequence_id,
            ingest_time_msec, created_time, device_mobile_brand_name, device_mobile_model_name,
            device_manufacturer, device_carrier, device_network_type, device_operating_system,
            device_operating_system_version, device_vendor_id, device_advertising_id,
            device_system_language, device_time_zone_offset_seconds, device_ua_browser,
            device_ua_browser_version, device_ua_os, device_ua_os_version, device_ua_device,
            device_ua_device_category, device_screen_width, device_screen_height,
            device_viewport_width, device_viewport_height, device_ua_string, geo_continent,
            geo_sub_continent, geo_country, geo_region, geo_metro, geo_city, geo_locale,
            traffic_source_source, traffic_source_medium, traffic_source_campaign,
            traffic_source_content, traffic_source_term, traffic_source_campaign_id,
            traffic_source_clid_platform, traffic_source_clid, traffic_source_channel_group,
            traffic_source_category, user_first_touch_time_msec, app_package_id, app_version,
            app_title, app_install_source, platform, project_id, app_id,
            screen_view_screen_name, screen_view_screen_id, screen_view_screen_unique_id,
            screen_view_previous_screen_name, screen_view_previous_screen_id,
            screen_view_previous_screen_unique_id, screen_view_previous_time_msec,
            screen_view_engagement_time_msec, screen_view_entrances, page_view_page_referrer,
            page_view_page_referrer_title, page_view_previous_time_msec,
            page_view_engagement_time_msec, page_view_page_title, page_view_page_url,
            page_view_page_url_path, page_view_hostname, page_view_latest_referrer,
            page_view_latest_referrer_host, page_view_entrances, app_start_is_first_time,
            upgrade_previous_app_version, upgrade_previous_os_version, search_key, search_term,
            outbound_link_classes, outbound_link_domain, outbound_link_id, outbound_link_url,
            outbound_link, user_engagement_time_msec, scroll_engagement_time_msec,
            sdk_error_code, sdk_error_message, sdk_version, sdk_name, app_exception_message,
            app_exception_stack, custom_parameters_json_str, custom_parameters,
            session_duration, session_number, session_start_time_msec, session_source,
            session_medium, session_campaign, session_content, session_term,
            session_campaign_id, session_clid_platform, session_clid, session_channel_group,
            session_source_category, view_session_indicator, view_event_indicator$cols$, E' \n'), '\s+', ' ', 'g')
$fn$;

CREATE FUNCTION @extschema@._reporting_base_select()
RETURNS text
LANGUAGE sql IMMUTABLE
AS $fn$
SELECT $sel$
               e.event_timestamp,
               e.event_id,
               e.event_time_msec,
               e.event_name,
               e.user_pseudo_id,
               e.user_id,
               e.session_id,
               e.event_value,
               e.event_value_currency,
               e.event_bundle_sequence_id,
               e.ingest_time_msec,
               e.created_time,
               e.device_mobile_brand_name,
               e.device_mobile_model_name,
               e.device_manufacturer,
               e.device_carrier,
               e.device_network_type,
               e.device_operating_system,
               e.device_operating_system_version,
               e.device_vendor_id,
               e.device_advertising_id,
               e.device_system_language,
               e.device_time_zone_offset_seconds,
               e.device_ua_browser,
               e.device_ua_browser_version,
               e.device_ua_os,
               e.device_ua_os_version,
               e.device_ua_device,
               e.device_ua_device_category,
               e.device_screen_width,
               e.device_screen_height,
               e.device_viewport_width,
               e.device_viewport_height,
               e.device_ua ->> 'string' AS device_ua_string,
               e.geo_continent,
               e.geo_sub_continent,
               e.geo_country,
               e.geo_region,
               e.geo_metro,
               e.geo_city,
               e.geo_locale,
               e.traffic_source_source,
               e.traffic_source_medium,
               e.traffic_source_campaign,
               e.traffic_source_content,
               e.traffic_source_term,
               e.traffic_source_campaign_id,
               e.traffic_source_clid_platform,
               e.traffic_source_clid,
               e.traffic_source_channel_group,
               e.traffic_source_category,
               e.user_first_touch_time_msec,
               e.app_package_id,
               e.app_version,
               e.app_title,
               e.app_install_source,
               e.platform,
               e.project_id,
               e.app_id,
               e.screen_view_screen_name,
               e.screen_view_screen_id,
               e.screen_view_screen_unique_id,
               e.screen_view_previous_screen_name,
               e.screen_view_previous_screen_id,
               e.screen_view_previous_screen_unique_id,
               e.screen_view_previous_time_msec,
               e.screen_view_engagement_time_msec,
               CASE WHEN e.screen_view_entrances THEN 'true' ELSE 'false' END AS screen_view_entrances,
               e.page_view_page_referrer,
               e.page_view_page_referrer_title,
               e.page_view_previous_time_msec,
               e.page_view_engagement_time_msec,
               e.page_view_page_title,
               e.page_view_page_url,
               e.page_view_page_url_path,
               e.page_view_hostname,
               e.page_view_latest_referrer,
               e.page_view_latest_referrer_host,
               CASE WHEN e.page_view_entrances THEN 'true' ELSE 'false' END AS page_view_entrances,
               CASE WHEN e.app_start_is_first_time THEN 'true' ELSE 'false' END AS app_start_is_first_time,
               e.upgrade_previous_app_version,
               e.upgrade_previous_os_version,
               e.search_key,
               e.search_term,
               e.outbound_link_classes,
               e.outbound_link_domain,
               e.outbound_link_id,
               e.outbound_link_url,
               CASE WHEN e.outbound_link THEN 'true' ELSE 'false' END AS outbound_link,
               e.user_engagement_time_msec,
               e.scroll_engagement_time_msec,
               e.sdk_error_code,
               e.sdk_error_message,
               e.sdk_version,
               e.sdk_name,
               e.app_exception_message,
               e.app_exception_stack,
               e.custom_parameters_json_str,
               e.custom_parameters,
               e.session_duration,
               s.session_number,
               s.session_start_time_msec,
               s.session_source,
               s.session_medium,
               s.session_campaign,
               s.session_content,
               s.session_term,
               s.session_campaign_id,
               s.session_clid_platform,
               s.session_clid,
               s.session_channel_group,
               s.session_source_category,
               CASE WHEN e.event_name IN ('_page_view', '_screen_view') THEN e.session_id END AS view_session_indicator,
               CASE WHEN e.event_name IN ('_page_view', '_screen_view') THEN e.event_id END AS view_event_indicator$sel$
$fn$;

CREATE FUNCTION @extschema@._create_model_reporting(p_schema name, p_time_zone text)
RETURNS void
LANGUAGE plpgsql
SET client_min_messages = warning
AS $fn$
DECLARE
    v_cols   text := @extschema@._reporting_base_columns();
    v_select text := @extschema@._reporting_base_select();
    v_set    text;
    v_ddl    text;
    v_insert text;
BEGIN
    -- spec §6.2, §2.7: daily or monthly partitions on event_timestamp like event_v2 (by the
    -- procedure, clickstream._ensure_partitions); the upsert key (event_timestamp, event_id)
    -- also serves day-window scans; created_time drives the incremental refresh;
    -- (user_pseudo_id, event_timestamp) lets the reporting views refresh find one user's rows.
    -- Column types: as in event_v2 (the session_* attribution columns: as in session), but
    -- device_ua_string text, the four flags varchar(5) ('true'/'false'), the view
    -- indicators varchar(255).
    SELECT pg_catalog.string_agg(pg_catalog.format('%I %s%s', c.name,
               CASE WHEN c.name = 'device_ua_string' THEN 'text'
                    WHEN c.name IN ('screen_view_entrances', 'page_view_entrances',
                                    'app_start_is_first_time', 'outbound_link') THEN 'varchar(5)'
                    WHEN c.name IN ('view_session_indicator', 'view_event_indicator') THEN 'varchar(255)'
                    ELSE pg_catalog.format_type(COALESCE(ae.atttypid, asn.atttypid),
                                                COALESCE(ae.atttypmod, asn.atttypmod)) END,
               CASE WHEN c.name IN ('event_timestamp', 'event_id', 'event_name', 'user_pseudo_id')
                    THEN ' NOT NULL' ELSE '' END), ', ' ORDER BY c.ord)
      INTO v_ddl
      FROM pg_catalog.regexp_split_to_table(v_cols, ', ') WITH ORDINALITY c(name, ord)
      LEFT JOIN pg_catalog.pg_attribute ae
             ON ae.attrelid = pg_catalog.format('%I.event_v2', p_schema)::regclass AND ae.attname = c.name
      LEFT JOIN pg_catalog.pg_attribute asn
             ON asn.attrelid = pg_catalog.format('%I.session', p_schema)::regclass AND asn.attname = c.name;
    EXECUTE pg_catalog.format($ddl$
        CREATE TABLE IF NOT EXISTS %I.clickstream_event_base_view (
            %s,
            CONSTRAINT clickstream_event_base_view_event_timestamp_event_id_key
                UNIQUE (event_timestamp, event_id)
        ) PARTITION BY RANGE (event_timestamp)$ddl$, p_schema, v_ddl);
    EXECUTE pg_catalog.format(
        'CREATE INDEX IF NOT EXISTS clickstream_event_base_view_created_time_idx
             ON %I.clickstream_event_base_view (created_time)', p_schema);
    EXECUTE pg_catalog.format(
        'CREATE INDEX IF NOT EXISTS clickstream_event_base_view_user_pseudo_id_idx
             ON %I.clickstream_event_base_view (user_pseudo_id, event_timestamp)', p_schema);

    -- UTC hours whose base rows the procedure (re)wrote since the reporting views were last
    -- refreshed (model_views.sql consumes them).
    EXECUTE pg_catalog.format($ddl$
        CREATE TABLE IF NOT EXISTS %I.clickstream_event_base_view_dirty (
            event_hour timestamp NOT NULL,
            CONSTRAINT clickstream_event_base_view_dirty_pkey PRIMARY KEY (event_hour)
        )$ddl$, p_schema);

    -- spec §6.3: every base column, then the user's columns; events without a user_v2 row
    -- are left out (inner join, spec §13 item 13); is_first_day_event compares the UTC date
    -- (spec §13 item 14)
    EXECUTE pg_catalog.format($ddl$
        CREATE OR REPLACE VIEW %I.clickstream_event_view_v3 AS
        SELECT e.*,
               u.user_id AS latest_user_id,
               u.first_touch_time_msec,
               u.first_visit_date,
               u.first_referrer,
               u.first_traffic_category,
               u.first_traffic_source,
               u.first_traffic_medium,
               u.first_traffic_campaign,
               u.first_traffic_content,
               u.first_traffic_term,
               u.first_traffic_campaign_id,
               u.first_traffic_clid_platform,
               u.first_traffic_clid,
               u.first_traffic_channel_group,
               u.first_app_install_source,
               u.user_properties_json_str,
               u.user_properties,
               COALESCE(u.user_id, e.user_pseudo_id)::varchar(255) AS merged_user_id,
               (CASE WHEN e.event_name = '_first_open'
                     THEN COALESCE(u.user_id, e.user_pseudo_id) END)::varchar(255) AS new_user_indicator,
               (CASE WHEN e.event_timestamp::date = u.first_visit_date
                     THEN 'true' ELSE 'false' END)::varchar(5) AS is_first_day_event
          FROM %1$I.clickstream_event_base_view e
          JOIN %1$I.user_v2 u ON u.user_pseudo_id = e.user_pseudo_id$ddl$, p_schema);

    -- the upsert both modes share; %s is the mode's WHERE clause
    SELECT pg_catalog.string_agg(pg_catalog.format('%1$I = EXCLUDED.%1$I', c), ', ')
      INTO v_set
      FROM pg_catalog.regexp_split_to_table(v_cols, ', ') c
     WHERE c NOT IN ('event_timestamp', 'event_id');
    v_insert := pg_catalog.format($sql$
            WITH upserted AS (
                INSERT INTO %1$I.clickstream_event_base_view AS b (%2$s)
                SELECT %3$s
                  FROM %1$I.event_v2 e
                  LEFT JOIN %1$I.session s
                         ON s.user_pseudo_id = e.user_pseudo_id AND s.session_id = e.session_id
                 WHERE %%s
                ON CONFLICT (event_timestamp, event_id) DO UPDATE SET %4$s
                RETURNING b.event_timestamp
            ), hours AS (
                INSERT INTO %1$I.clickstream_event_base_view_dirty (event_hour)
                SELECT DISTINCT pg_catalog.date_trunc('hour', event_timestamp) FROM upserted
                ON CONFLICT DO NOTHING
            )
            SELECT pg_catalog.count(*) FROM upserted$sql$,
        p_schema, v_cols, v_select, v_set);

    PERFORM @extschema@._create_base_view_sp(p_schema, v_insert);
END
$fn$;

-- _oldest_open_xact: the start (UTC) of the oldest transaction still open in this database,
-- other than the caller's and those of sessions that never load ODS rows (autovacuum, the
-- modeler); NULL when there is none.  The base table's incremental refresh must not read
-- past it: the transaction may yet commit rows whose created_time (its start) lies before
-- rows already committed.  SECURITY DEFINER: pg_stat_activity hides other roles'
-- transaction starts from ordinary users (the result, one instant, reveals little).
CREATE FUNCTION @extschema@._oldest_open_xact()
RETURNS timestamp
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_oldest timestamp;
BEGIN
    -- within a transaction pg_stat_activity is a snapshot taken at the first read
    PERFORM pg_catalog.pg_stat_clear_snapshot();
    SELECT pg_catalog.min(a.xact_start) AT TIME ZONE 'UTC' INTO v_oldest
      FROM pg_catalog.pg_stat_activity a
     WHERE a.datname = pg_catalog.current_database()
       AND a.pid <> pg_catalog.pg_backend_pid()
       AND a.xact_start IS NOT NULL
       AND a.backend_type NOT IN ('autovacuum worker', 'pg_clickstream modeler',
                                  'pg_clickstream modeler task');
    RETURN v_oldest;
END
$$;

-- _create_base_view_sp: (re)create <app>.clickstream_event_base_view_sp (spec §6.2).
-- p_insert is the upsert statement with a %s for the mode's WHERE clause; it takes
-- $1 = start, $2 = end, $3 = lower bound of event_timestamp (incremental mode) and returns
-- the number of rows written.
CREATE FUNCTION @extschema@._create_base_view_sp(p_schema name, p_insert text)
RETURNS void
LANGUAGE plpgsql
AS $fn$
BEGIN
    EXECUTE pg_catalog.format($ddl$
        CREATE OR REPLACE PROCEDURE %1$I.clickstream_event_base_view_sp(
            p_start_time timestamp DEFAULT NULL,
            p_end_time timestamp DEFAULT NULL,
            fressness_in_hours integer DEFAULT 24)
        LANGUAGE plpgsql
        SET TimeZone = 'UTC'
        -- times in log rows and messages as in the original: 2024-05-16 10:00:00
        SET DateStyle = 'ISO, YMD'
        -- no JIT: it compiles the expressions of every partition's scan (a month of daily
        -- partitions made the history refresh 2.6 times slower, two thirds of it in LLVM),
        -- and these queries are short enough for the interpreter
        SET jit = off
        AS $body$
        DECLARE
            v_now      timestamp := pg_catalog.now() AT TIME ZONE 'UTC';
            v_explicit boolean := p_start_time IS NOT NULL AND p_end_time IS NOT NULL;
            v_start    timestamp;
            v_end      timestamp;
            v_since    timestamp;
            v_sql      text;
            v_rows     bigint;
            v_days     timestamp[];
            v_from     timestamp;
            v_to       timestamp;
        BEGIN
            IF v_explicit THEN
                IF p_start_time > p_end_time THEN
                    RAISE EXCEPTION 'start time %% is after end time %%', p_start_time, p_end_time
                        USING ERRCODE = 'invalid_parameter_value';
                END IF;
                v_start := p_start_time;
                v_end := p_end_time;
                CALL %1$I.sp_clickstream_log('clickstream_event_base_view', 'info',
                    'refresh with custom time range:' || v_start || ' - ' || v_end);
                -- inclusive at both ends (spec §6.2)
                v_sql := pg_catalog.format(%2$L, 'e.event_timestamp >= $1 AND e.event_timestamp <= $2');
            ELSE
                IF fressness_in_hours IS NULL OR fressness_in_hours < 0 THEN
                    RAISE EXCEPTION 'fressness_in_hours must be a number of hours >= 0, not %%',
                                    COALESCE(fressness_in_hours::text, 'NULL')
                        USING ERRCODE = 'invalid_parameter_value';
                END IF;
                v_since := v_now - pg_catalog.make_interval(hours => fressness_in_hours);
                -- where the last refresh stopped: the newest load time among fresh base rows
                SELECT pg_catalog.max(created_time) INTO v_start
                  FROM %1$I.clickstream_event_base_view WHERE event_timestamp >= v_since;
                v_start := COALESCE(v_start, v_now - interval '365 days');
                -- loads stamp created_time with their transaction's start and may commit
                -- in another order: stop short of the oldest open transaction, whose rows
                -- the next refresh (from the newest load time read here) still gets
                v_end := LEAST(v_now, @extschema@._oldest_open_xact() - interval '1 microsecond');
                CALL %1$I.sp_clickstream_log('clickstream_event_base_view', 'info',
                    'refresh time range:' || v_start || ' - ' || v_end);
                v_sql := pg_catalog.format(%2$L,
                    'e.created_time >= $1 AND e.created_time <= $2 AND e.event_timestamp >= $3');
            END IF;
            -- the days read and written, for the statistics of their partitions
            v_from := CASE WHEN v_explicit THEN v_start ELSE v_since END;
            v_to := CASE WHEN v_explicit THEN v_end ELSE 'infinity' END;
            PERFORM @extschema@._analyze_stale_partitions(%4$L::regclass, v_from, v_to);

            BEGIN
                EXECUTE v_sql INTO v_rows USING v_start, v_end, v_since;
            EXCEPTION WHEN check_violation THEN
                -- "no partition of relation found for row": create the partitions the
                -- candidate rows need, then once more (any other violation fails again)
                EXECUTE pg_catalog.format(
                    'SELECT pg_catalog.array_agg(DISTINCT pg_catalog.date_trunc(''day'', e.event_timestamp))
                       FROM %1$I.event_v2 e WHERE %%s',
                    CASE WHEN v_explicit THEN 'e.event_timestamp >= $1 AND e.event_timestamp <= $2'
                         ELSE 'e.created_time >= $1 AND e.created_time <= $2 AND e.event_timestamp >= $3' END)
                   INTO v_days USING v_start, v_end, v_since;
                PERFORM @extschema@._ensure_partitions(%3$L::regclass, v_days);
                EXECUTE v_sql INTO v_rows USING v_start, v_end, v_since;
            END;
            -- the summaries read these rows next
            PERFORM @extschema@._analyze_stale_partitions(%3$L::regclass, v_from, v_to, v_rows);
            CALL %1$I.sp_clickstream_log('clickstream_event_base_view', 'info',
                'refreshed ' || v_rows || ' rows');
        EXCEPTION WHEN OTHERS THEN
            -- spec §6.2: log, say so, fail the call (the log row survives only when the
            -- caller records it after its rollback, as clickstream.refresh_app does)
            CALL %1$I.sp_clickstream_log('clickstream_event_base_view', 'error', 'error message:' || SQLERRM);
            RAISE INFO 'clickstream_event_base_view: error message: %%', SQLERRM;
            RAISE;
        END
        $body$$ddl$,
        p_schema, p_insert,
        pg_catalog.format('%I.clickstream_event_base_view', p_schema),
        pg_catalog.format('%I.event_v2', p_schema));
    EXECUTE pg_catalog.format($ddl$
        COMMENT ON PROCEDURE %I.clickstream_event_base_view_sp(timestamp, timestamp, integer) IS
            'Upsert event_v2 rows (joined with session) into clickstream_event_base_view: loaded since the last refresh and at most fressness_in_hours old, or with event_timestamp in [p_start_time, p_end_time]'$ddl$,
        p_schema);
END
$fn$;
