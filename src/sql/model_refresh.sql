
-- Modeling layer: refresh orchestration (spec §7), retention (spec §8) and the modeling
-- tasks the modeler worker runs between load cycles (docs/model-refresh.md).
--
-- The procedures here commit after every unit of work (a base-table refresh, a view
-- refresh, one summary procedure, one retention step), so a long refresh never holds the
-- locks of everything it touched; they must therefore be CALLed outside a transaction
-- block.  PL/pgSQL cannot COMMIT inside a block with an exception handler, so each unit
-- runs in a handler block of its own and the failure is logged, committed and re-raised
-- after that block.  Procedures that commit cannot carry a SET clause either: instead of
-- SET TimeZone = 'UTC' they convert every instant explicitly (AT TIME ZONE), so the
-- session's time zone never matters.

-- Per-app settings of the modeling tasks; NULL means "the server setting"
-- (clickstream.retention_days, clickstream.refresh_mode).
CREATE TABLE @extschema@.app_model_settings (
    app_id         text NOT NULL,
    retention_days integer,
    refresh_mode   text,
    CONSTRAINT app_model_settings_pkey PRIMARY KEY (app_id),
    CONSTRAINT app_model_settings_app_id_fkey FOREIGN KEY (app_id)
        REFERENCES @extschema@.apps (app_id) ON DELETE CASCADE,
    CONSTRAINT app_model_settings_retention_days_check CHECK (retention_days BETWEEN 1 AND 36500),
    CONSTRAINT app_model_settings_refresh_mode_check CHECK (refresh_mode IN ('all', 'none', 'no_report'))
);
COMMENT ON TABLE @extschema@.app_model_settings IS
    'Per-app retention days and refresh mode (NULL: the server setting); see set_model_settings()';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.app_model_settings', '');
GRANT SELECT ON @extschema@.app_model_settings TO PUBLIC;

-- What the modeling tasks last did, per app (the original keeps this in its workflow state).
CREATE TABLE @extschema@.model_state (
    app_id                  text NOT NULL,
    -- refresh (§7): refresh_triggered_at is the worker's "lastRefreshTime" (§7.1), the
    -- start of the last automatic refresh; the interval is measured from it
    refresh_triggered_at    timestamptz,
    refresh_started_at      timestamptz,
    refresh_finished_at     timestamptz,
    refresh_status          text,
    refresh_detail          text,
    refresh_date            date,
    -- ETL watermark: the newest event_timestamp loaded (UTC), and the created_time up to
    -- which event_v2 has been looked at for it
    watermark               timestamp,
    watermark_checked_at    timestamp,
    -- retention (§8): the UTC day of the last daily run
    retention_on            date,
    retention_finished_at   timestamptz,
    retention_status        text,
    retention_detail        text,
    -- metadata scan (§5.1), started by the worker
    scan_attempted_at       timestamptz,
    scan_status             text,
    scan_detail             text,
    CONSTRAINT model_state_pkey PRIMARY KEY (app_id),
    CONSTRAINT model_state_app_id_fkey FOREIGN KEY (app_id)
        REFERENCES @extschema@.apps (app_id) ON DELETE CASCADE
);
COMMENT ON TABLE @extschema@.model_state IS
    'Per app: last refresh, retention and metadata-scan runs of the modeling tasks, and the ETL watermark';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.model_state', '');
GRANT SELECT ON @extschema@.model_state TO PUBLIC;

-- _app: an app's schema, time zone and settings; raises when the app is not registered.
CREATE FUNCTION @extschema@._app(p_app_id text,
                                 OUT schema_name name, OUT time_zone text,
                                 OUT retention_days integer, OUT refresh_mode text)
LANGUAGE plpgsql STABLE
AS $$
BEGIN
    SELECT a.schema_name, a.time_zone, s.retention_days, s.refresh_mode
      INTO schema_name, time_zone, retention_days, refresh_mode
      FROM @extschema@.apps a
      LEFT JOIN @extschema@.app_model_settings s ON s.app_id = a.app_id
     WHERE a.app_id = p_app_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'app "%" does not exist', p_app_id
            USING ERRCODE = 'undefined_object',
                  HINT = 'SELECT app_id FROM clickstream.apps lists the apps.';
    END IF;
END
$$;

-- _reraise: raise an error caught earlier (message, SQLSTATE, detail, hint), for procedures
-- that had to leave their handler block to log and commit first.
CREATE FUNCTION @extschema@._reraise(p_msg text, p_state text, p_detail text, p_hint text)
RETURNS void
LANGUAGE plpgsql
AS $$
BEGIN
    IF NULLIF(p_detail, '') IS NULL AND NULLIF(p_hint, '') IS NULL THEN
        RAISE EXCEPTION USING MESSAGE = p_msg, ERRCODE = p_state;
    ELSIF NULLIF(p_hint, '') IS NULL THEN
        RAISE EXCEPTION USING MESSAGE = p_msg, ERRCODE = p_state, DETAIL = p_detail;
    ELSIF NULLIF(p_detail, '') IS NULL THEN
        RAISE EXCEPTION USING MESSAGE = p_msg, ERRCODE = p_state, HINT = p_hint;
    END IF;
    RAISE EXCEPTION USING MESSAGE = p_msg, ERRCODE = p_state, DETAIL = p_detail, HINT = p_hint;
END
$$;

-- set_model_settings: per-app retention days and refresh mode.  NULL leaves a value as it
-- is; 'default' (refresh_mode) or 0 (retention_days) go back to the server setting.
CREATE FUNCTION @extschema@.set_model_settings(app_id text,
                                               retention_days integer DEFAULT NULL,
                                               refresh_mode text DEFAULT NULL)
RETURNS void
LANGUAGE plpgsql
AS $$
#variable_conflict use_column
DECLARE
    p_app_id ALIAS FOR $1;
    p_days   ALIAS FOR $2;
    p_mode   ALIAS FOR $3;
BEGIN
    PERFORM @extschema@._app(p_app_id);
    IF p_days IS NOT NULL AND p_days <> 0 AND p_days NOT BETWEEN 1 AND 36500 THEN
        RAISE EXCEPTION 'retention days must be between 1 and 36500, not %', p_days
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Pass 0 to use clickstream.retention_days again.';
    END IF;
    IF p_mode IS NOT NULL AND p_mode NOT IN ('all', 'none', 'no_report', 'default') THEN
        RAISE EXCEPTION 'invalid refresh mode "%"', p_mode
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Use all, none, no_report, or default (the server setting).';
    END IF;
    INSERT INTO @extschema@.app_model_settings AS s (app_id, retention_days, refresh_mode)
    VALUES (p_app_id, NULLIF(p_days, 0), NULLIF(p_mode, 'default'))
    ON CONFLICT (app_id) DO UPDATE
        SET retention_days = CASE WHEN p_days IS NULL THEN s.retention_days ELSE NULLIF(p_days, 0) END,
            refresh_mode = CASE WHEN p_mode IS NULL THEN s.refresh_mode ELSE NULLIF(p_mode, 'default') END;
END
$$;
COMMENT ON FUNCTION @extschema@.set_model_settings(text, integer, text) IS
    'Set an app''s retention days (0: server default) and refresh mode (''default'': server default)';

-- _model_state: make sure the app has a model_state row.
CREATE FUNCTION @extschema@._model_state(p_app_id text)
RETURNS void
LANGUAGE sql
AS $$
    INSERT INTO @extschema@.model_state (app_id) VALUES ($1) ON CONFLICT (app_id) DO NOTHING;
$$;

-- etl_watermark: the newest event_timestamp (UTC) loaded into the app's event_v2, or NULL
-- when it has no event.  The original uses the end of the ETL job's window (§7.1); we have
-- no ETL job, and the newest event loaded is its closest equivalent.  Incremental: only
-- rows created (loaded) since the last look, less a day of margin for long batches that
-- committed late, are read, through the created_time index; the result is remembered.
CREATE FUNCTION @extschema@.etl_watermark(app_id text)
RETURNS timestamp
LANGUAGE plpgsql
SET TimeZone = 'UTC'
AS $$
DECLARE
    v_app     record := @extschema@._app($1);
    v_state   record;
    v_now     timestamp := pg_catalog.now() AT TIME ZONE 'UTC';
    v_newest  timestamp;
BEGIN
    PERFORM @extschema@._model_state($1);
    SELECT watermark, watermark_checked_at INTO v_state
      FROM @extschema@.model_state s WHERE s.app_id = $1 FOR UPDATE;
    EXECUTE pg_catalog.format('SELECT pg_catalog.max(event_timestamp) FROM %I.event_v2 WHERE created_time >= $1',
                              v_app.schema_name)
       INTO v_newest
      USING COALESCE(v_state.watermark_checked_at - interval '1 day', '-infinity');
    UPDATE @extschema@.model_state s
       SET watermark = GREATEST(s.watermark, v_newest), watermark_checked_at = v_now
     WHERE s.app_id = $1;
    RETURN GREATEST(v_state.watermark, v_newest);
END
$$;
COMMENT ON FUNCTION @extschema@.etl_watermark(text) IS
    'Newest event_timestamp loaded into the app''s event_v2 (UTC), the refresh''s ETL watermark';

-- The sixteen summary procedures and tables, in the order of spec §7.2.
CREATE FUNCTION @extschema@.summary_tables()
RETURNS text[]
LANGUAGE sql IMMUTABLE
AS $$
    SELECT ARRAY['clickstream_acquisition_country_new_user',
                 'clickstream_acquisition_day_traffic_source_user',
                 'clickstream_acquisition_day_user_acquisition',
                 'clickstream_engagement_day_event_view',
                 'clickstream_engagement_entrance',
                 'clickstream_engagement_exit',
                 'clickstream_engagement_kpi',
                 'clickstream_engagement_page_screen_view_detail',
                 'clickstream_engagement_page_screen_view',
                 'clickstream_engagement_event_name',
                 'clickstream_retention_dau_wau',
                 'clickstream_retention_event_overtime',
                 'clickstream_retention_user_new_return',
                 'clickstream_acquisition_day_user_view_cnt',
                 'clickstream_device_crash_rate',
                 'clickstream_device_user_device'];
$$;
COMMENT ON FUNCTION @extschema@.summary_tables() IS
    'The sixteen daily summary tables in refresh order (spec 7.2); each has a procedure <name>_sp';

-- _has_procedure: does schema p_schema hold a procedure named p_name (any arguments)?
CREATE FUNCTION @extschema@._has_procedure(p_schema name, p_name name)
RETURNS boolean
LANGUAGE sql STABLE
AS $$
    SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_proc p
                     JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
                    WHERE n.nspname = $1 AND p.proname = $2 AND p.prokind = 'p');
$$;

-- _refresh_view_units: the statements of the view phase after the base table (§7.2 step 3,
-- items 2-4).  The app's clickstream_refresh_views_sp() when it has one (docs/model-reporting.md:
-- the three "materialized views" kept up to date incrementally); otherwise REFRESH
-- MATERIALIZED VIEW of the three MVs, in order, each one that exists (CONCURRENTLY when it
-- is populated and has a unique index, so readers are not blocked).
CREATE FUNCTION @extschema@._refresh_view_units(p_schema name)
RETURNS text[]
LANGUAGE plpgsql STABLE
AS $$
DECLARE
    v_units text[] := '{}';
    v_mv    text;
    v_rel   oid;
BEGIN
    IF @extschema@._has_procedure(p_schema, 'clickstream_refresh_views_sp') THEN
        RETURN ARRAY[pg_catalog.format('CALL %I.clickstream_refresh_views_sp()', p_schema)];
    END IF;
    FOREACH v_mv IN ARRAY ARRAY['clickstream_acquisition_intra_day_user_mv',
                                'clickstream_lifecycle_view_v2',
                                'clickstream_retention_base_view']
    LOOP
        SELECT c.oid INTO v_rel FROM pg_catalog.pg_class c
         WHERE c.relnamespace = (SELECT oid FROM pg_catalog.pg_namespace WHERE nspname = p_schema)
           AND c.relname = v_mv AND c.relkind = 'm';
        CONTINUE WHEN NOT FOUND;
        v_units := v_units || pg_catalog.format('REFRESH MATERIALIZED VIEW %s%I.%I',
            CASE WHEN (SELECT c.relispopulated FROM pg_catalog.pg_class c WHERE c.oid = v_rel)
                      AND EXISTS (SELECT 1 FROM pg_catalog.pg_index i
                                   WHERE i.indrelid = v_rel AND i.indisunique AND i.indisvalid
                                     AND i.indpred IS NULL AND i.indexprs IS NULL)
                 THEN 'CONCURRENTLY ' ELSE '' END,
            p_schema, v_mv);
    END LOOP;
    RETURN v_units;
END
$$;

-- refresh_app: spec §7.2 for one app, synchronously (docs/model-refresh.md).
--   day                 report day of the summary procedures (default: the local date, in
--                       the app's time zone, of refresh_end_time)
--   refresh_end_time    default: the ETL watermark minus one day, or now minus one day
--                       when the app has no event (§13.21)
--   refresh_start_time  optional: widens the base-table look-back and the report days
--   force               false: skip the summaries when a WORK_FLOW status row already
--                       covers the day (the worker passes false); true (default, as for a
--                       manual start in the original) always computes them
--   mode                all | none | no_report (default: the app's setting, else
--                       clickstream.refresh_mode)
-- Returns status ('done', 'views only', 'skipped: ...'), the report day and the number of
-- units run.  Fails on the first failing unit (logged first), before any status row.
CREATE PROCEDURE @extschema@.refresh_app(
    app_id text,
    day date DEFAULT NULL,
    refresh_end_time timestamptz DEFAULT NULL,
    refresh_start_time timestamptz DEFAULT NULL,
    force boolean DEFAULT true,
    mode text DEFAULT NULL,
    INOUT status text DEFAULT NULL,
    INOUT refresh_date date DEFAULT NULL,
    INOUT units integer DEFAULT NULL)
LANGUAGE plpgsql
AS $$
#variable_conflict use_variable
DECLARE
    p_app_id   ALIAS FOR $1;
    p_day      ALIAS FOR $2;
    p_end      ALIAS FOR $3;
    p_start    ALIAS FOR $4;
    p_force    ALIAS FOR $5;
    p_mode     ALIAS FOR $6;
    v_app      record;
    v_mode     text;
    v_force    boolean := COALESCE(p_force, true);
    v_hours    integer;
    v_ndays    integer;
    v_end      timestamptz;
    v_done     date;
    v_reports  boolean;
    v_sp       text;
    v_stmts    text[] := '{}';
    v_names    text[] := '{}';
    v_skip     text;
    v_failed   boolean;
    v_msg      text;
    v_state    text;
    v_detail   text;
    v_hint     text;
    v_lock1    integer := pg_catalog.hashtext('clickstream.refresh');
    v_lock2    integer := pg_catalog.hashtext(p_app_id);
BEGIN
    v_app := @extschema@._app(p_app_id);
    v_mode := pg_catalog.lower(COALESCE(p_mode, v_app.refresh_mode,
                                        @extschema@._setting('clickstream.refresh_mode', 'all')));
    IF v_mode NOT IN ('all', 'none', 'no_report') THEN
        RAISE EXCEPTION 'invalid refresh mode "%"', v_mode
            USING ERRCODE = 'invalid_parameter_value', HINT = 'Use all, none or no_report.';
    END IF;
    IF p_start IS NOT NULL AND p_start > COALESCE(p_end, pg_catalog.now()) THEN
        RAISE EXCEPTION 'refresh start time is after the end time'
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = pg_catalog.format('Start %s UTC, end %s UTC.',
                      pg_catalog.to_char(p_start AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS'),
                      pg_catalog.to_char(COALESCE(p_end, pg_catalog.now()) AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS'));
    END IF;
    units := 0;

    -- Everything below commits unit by unit; commit now, so that a call inside a
    -- transaction block fails here, before the lock is taken.
    COMMIT;

    IF v_mode = 'none' THEN
        status := 'skipped: refresh mode none';
        PERFORM @extschema@._model_state(p_app_id);
        UPDATE @extschema@.model_state s
           SET refresh_started_at = pg_catalog.now(), refresh_finished_at = pg_catalog.now(),
               refresh_status = 'skipped', refresh_detail = status
         WHERE s.app_id = p_app_id;
        COMMIT;
        RETURN;
    END IF;

    -- view phase: the base table, then the three materialized views (§7.2 step 3)
    v_hours := CEIL(EXTRACT(epoch FROM @extschema@._setting('clickstream.data_freshness', '24h')::interval) / 3600);
    IF p_start IS NOT NULL
       AND pg_catalog.floor(EXTRACT(epoch FROM pg_catalog.now() - p_start) / 3600) + 1 > 0 THEN
        v_hours := pg_catalog.floor(EXTRACT(epoch FROM pg_catalog.now() - p_start) / 3600) + 1;
    END IF;
    IF NOT @extschema@._has_procedure(v_app.schema_name, 'clickstream_event_base_view_sp') THEN
        RAISE EXCEPTION 'procedure %.clickstream_event_base_view_sp does not exist', v_app.schema_name
            USING ERRCODE = 'undefined_function',
                  HINT = pg_catalog.format('Run clickstream.create_app(%L) again to create the reporting objects.', p_app_id);
    END IF;
    v_stmts := v_stmts || pg_catalog.format('CALL %I.clickstream_event_base_view_sp(NULL, NULL, %s)',
                                            v_app.schema_name, v_hours);
    v_names := v_names || 'clickstream_event_base_view_sp'::text;
    SELECT v_stmts || pg_catalog.array_agg(u),
           v_names || pg_catalog.array_agg(pg_catalog.split_part(pg_catalog.split_part(u, '.', -1), '(', 1))
      INTO v_stmts, v_names
      FROM pg_catalog.unnest(@extschema@._refresh_view_units(v_app.schema_name)) u;

    -- SP phase (§7.2 step 4)
    v_reports := v_mode = 'all';
    IF v_reports THEN
        v_end := COALESCE(p_end,
                          (COALESCE(@extschema@.etl_watermark(p_app_id) AT TIME ZONE 'UTC', pg_catalog.now())
                           - interval '1 day'));
        refresh_date := COALESCE(p_day, (v_end AT TIME ZONE v_app.time_zone)::date);
        IF NOT v_force THEN
            EXECUTE pg_catalog.format(
                'SELECT pg_catalog.max(refresh_date) FROM %I.refresh_mv_sp_status WHERE triggerred_by = ''WORK_FLOW''',
                v_app.schema_name) INTO v_done;
            IF v_done >= refresh_date THEN
                v_reports := false;
                v_skip := 'summaries already computed for ' || pg_catalog.to_char(v_done, 'YYYY-MM-DD');
            END IF;
        END IF;
    END IF;
    IF v_reports THEN
        v_ndays := @extschema@._setting('clickstream.refresh_report_days', '1')::integer;
        IF p_start IS NOT NULL THEN
            IF p_end IS NOT NULL OR p_day IS NULL THEN
                -- whole days between the local start and end times, truncated, plus one
                v_ndays := pg_catalog.floor(EXTRACT(epoch FROM (v_end AT TIME ZONE v_app.time_zone)
                                                             - (p_start AT TIME ZONE v_app.time_zone)) / 86400) + 1;
            ELSE
                v_ndays := refresh_date - (p_start AT TIME ZONE v_app.time_zone)::date + 1;
            END IF;
        END IF;
        FOREACH v_sp IN ARRAY @extschema@.summary_tables() LOOP
            v_sp := v_sp || '_sp';
            IF NOT @extschema@._has_procedure(v_app.schema_name, v_sp::name) THEN
                RAISE EXCEPTION 'procedure %.% does not exist', v_app.schema_name, v_sp
                    USING ERRCODE = 'undefined_function',
                          HINT = pg_catalog.format('Run clickstream.create_app(%L) again to create the summary procedures.', p_app_id);
            END IF;
            v_stmts := v_stmts || pg_catalog.format('CALL %I.%I(%L, %L, %s)', v_app.schema_name, v_sp,
                                                    refresh_date, v_app.time_zone, v_ndays);
            v_names := v_names || v_sp;
        END LOOP;
    END IF;

    -- "another refresh is running" (§7.2 step 1): per app, held across the commits; taken
    -- last, after everything that can fail, so that no error leaves it held
    PERFORM @extschema@._model_state(p_app_id);
    UPDATE @extschema@.model_state s
       SET refresh_started_at = pg_catalog.now(), refresh_finished_at = NULL,
           refresh_status = 'running', refresh_detail = NULL, refresh_date = refresh_date
     WHERE s.app_id = p_app_id;
    -- A run of this session cancelled outside a unit (below) may have left the lock held,
    -- and a session's advisory locks stack: release what this session holds first (no
    -- other run of it can be going on).
    WHILE EXISTS (SELECT 1 FROM pg_catalog.pg_locks l
                   WHERE l.locktype = 'advisory' AND l.pid = pg_catalog.pg_backend_pid()
                     AND l.classid = v_lock1::oid AND l.objid = v_lock2::oid AND l.objsubid = 2) LOOP
        PERFORM pg_catalog.pg_advisory_unlock(v_lock1, v_lock2);
    END LOOP;
    IF NOT pg_catalog.pg_try_advisory_lock(v_lock1, v_lock2) THEN
        ROLLBACK;
        status := 'skipped: another refresh of this app is running';
        RETURN;
    END IF;
    COMMIT;

    FOR i IN 1 .. pg_catalog.cardinality(v_stmts) LOOP
        v_failed := false;
        BEGIN
            EXECUTE v_stmts[i];
        EXCEPTION WHEN OTHERS OR query_canceled THEN
            -- (a cancel or statement_timeout too: the lock must not outlive the run)
            GET STACKED DIAGNOSTICS v_msg = MESSAGE_TEXT, v_state = RETURNED_SQLSTATE,
                                    v_detail = PG_EXCEPTION_DETAIL, v_hint = PG_EXCEPTION_HINT;
            v_failed := true;
        END;
        IF v_failed THEN
            -- the unit's work is rolled back; the log row and the state survive it
            EXECUTE pg_catalog.format('CALL %I.sp_clickstream_log($1, $2, $3)', v_app.schema_name)
              USING v_names[i], 'error', 'error message:' || v_msg;
            UPDATE @extschema@.model_state s
               SET refresh_finished_at = pg_catalog.now(), refresh_status = 'failed',
                   refresh_detail = v_names[i] || ': ' || v_msg
             WHERE s.app_id = p_app_id;
            COMMIT;
            PERFORM pg_catalog.pg_advisory_unlock(v_lock1, v_lock2);
            PERFORM @extschema@._reraise(
                pg_catalog.format('refresh of app "%s" failed in %s: %s', p_app_id, v_names[i], v_msg),
                v_state, v_detail, v_hint);
        END IF;
        units := i;
        COMMIT;
    END LOOP;

    -- §7.2 step 4.6 / §7.6: one row, after the last procedure, only on full success
    IF v_reports THEN
        EXECUTE pg_catalog.format(
            'INSERT INTO %I.refresh_mv_sp_status (refresh_name, refresh_type, refresh_date, triggerred_by)
             VALUES (''clickstream_device_user_device_sp'', ''SP'', $1, $2)', v_app.schema_name)
          USING refresh_date, CASE WHEN v_force THEN 'MANUALLY' ELSE 'WORK_FLOW' END;
        status := 'done';
    ELSIF v_skip IS NOT NULL THEN
        status := 'views only: ' || v_skip;
    ELSE
        status := 'views only: refresh mode no_report';
        refresh_date := NULL;
    END IF;
    EXECUTE pg_catalog.format('CALL %I.sp_clickstream_log($1, $2, $3)', v_app.schema_name)
      USING 'refresh_app', 'info',
            pg_catalog.format('%s units refreshed (%s)%s', units, status,
                              CASE WHEN v_reports THEN pg_catalog.format(', report day %s, %s day(s)', pg_catalog.to_char(refresh_date, 'YYYY-MM-DD'), v_ndays) ELSE '' END);
    UPDATE @extschema@.model_state s
       SET refresh_finished_at = pg_catalog.now(), refresh_status = 'succeeded', refresh_detail = status,
           refresh_date = refresh_date
     WHERE s.app_id = p_app_id;
    COMMIT;
    PERFORM pg_catalog.pg_advisory_unlock(v_lock1, v_lock2);
END
$$;
COMMENT ON PROCEDURE @extschema@.refresh_app(text, date, timestamptz, timestamptz, boolean, text, text, date, integer) IS
    'Refresh an app''s base table, materialized views and daily summaries (spec 7), committing each unit';

-- _range_partitions: the partitions of a range-partitioned table with their bounds (NULL
-- when they are not a single FROM ('...') TO ('...') range, e.g. a default partition).
CREATE FUNCTION @extschema@._range_partitions(p_table regclass)
RETURNS TABLE (part regclass, lower_bound timestamp, upper_bound timestamp)
LANGUAGE sql STABLE
AS $$
    SELECT c.oid::regclass, b[1]::timestamp, b[2]::timestamp
      FROM pg_catalog.pg_inherits i
      JOIN pg_catalog.pg_class c ON c.oid = i.inhrelid
      LEFT JOIN LATERAL pg_catalog.regexp_match(pg_catalog.pg_get_expr(c.relpartbound, c.oid),
                                                '^FOR VALUES FROM \(''([^'']*)''\) TO \(''([^'']*)''\)$') b ON true
     WHERE i.inhparent = $1;
$$;

-- _analyze_stale_partitions: ANALYZE the partitions of p_parent that overlap [p_from, p_to]
-- and whose statistics are missing (never analyzed) or stale (more than a tenth of their
-- rows changed since; p_written: rows the caller has just written into the range, which
-- the statistics system does not count before its commit).  A day's partition gets its
-- rows moments before the model reads them, before autovacuum gets to it; planned as an
-- empty table, one summary query over a new day of 100,000 events ran for minutes instead
-- of seconds.  Partitions the caller may not analyze (not their owner) are left alone.
-- Returns the partitions analyzed.
CREATE FUNCTION @extschema@._analyze_stale_partitions(p_parent regclass, p_from timestamp,
                                                      p_to timestamp, p_written bigint DEFAULT 0)
RETURNS integer
LANGUAGE plpgsql
AS $$
DECLARE
    v_part record;
    v_done integer := 0;
BEGIN
    FOR v_part IN
        SELECT p.part, c.reltuples, COALESCE(s.n_mod_since_analyze, 0) AS changed,
               pg_catalog.sum(GREATEST(c.reltuples, 0)) OVER () AS total
          FROM @extschema@._range_partitions(p_parent) p
          JOIN pg_catalog.pg_class c ON c.oid = p.part
          LEFT JOIN pg_catalog.pg_stat_all_tables s ON s.relid = p.part
         WHERE (p.upper_bound IS NULL OR p.upper_bound > p_from)
           AND (p.lower_bound IS NULL OR p.lower_bound <= p_to)
           AND pg_catalog.pg_has_role(c.relowner, 'MEMBER')
    LOOP
        CONTINUE WHEN v_part.reltuples >= 0
                  AND v_part.changed <= 50 + 0.1 * v_part.reltuples
                  AND p_written <= 50 + 0.1 * v_part.total;
        -- the row count is what matters (an empty-looking table is what misleads), plus
        -- the columns the model filters and joins on: a full ANALYZE of a hundred columns
        -- took 1.7 s per day's partition
        EXECUTE pg_catalog.format('ANALYZE %s (%s)', v_part.part,
            (SELECT pg_catalog.string_agg(pg_catalog.quote_ident(a.attname), ', ' ORDER BY a.attnum)
               FROM pg_catalog.pg_attribute a
              WHERE a.attrelid = v_part.part AND a.attnum > 0 AND NOT a.attisdropped
                AND a.attname IN ('event_timestamp', 'event_id', 'event_name', 'user_pseudo_id',
                                  'session_id', 'platform')));
        v_done := v_done + 1;
    END LOOP;
    RETURN v_done;
END
$$;

-- _expire_table: delete the rows of p_table whose p_column is older than the newest value of
-- p_column minus p_days days (spec §8: cut-offs are relative to the newest row of the same
-- table, not to now).  For a range-partitioned table the partitions lying entirely before
-- the cut-off are dropped (waiting at most 5 s for the lock on the parent, else their rows
-- are deleted instead) and the boundary partition keeps the exact cut-off.  Returns the
-- cut-off (NULL for an empty table), the rows deleted and the partitions dropped.
CREATE FUNCTION @extschema@._expire_table(p_table regclass, p_column name, p_days integer,
                                          OUT cutoff timestamp, OUT rows_deleted bigint,
                                          OUT partitions_dropped integer)
LANGUAGE plpgsql
SET TimeZone = 'UTC'
SET jit = off   -- see clickstream_event_base_view_sp (model_reporting.sql)
AS $$
DECLARE
    v_newest  timestamp;
    v_max     timestamp;
    v_part    record;
    v_rows    bigint;
    v_timeout text := pg_catalog.current_setting('lock_timeout');
BEGIN
    rows_deleted := 0;
    partitions_dropped := 0;
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_partitioned_table WHERE partrelid = p_table) THEN
        EXECUTE pg_catalog.format('SELECT pg_catalog.max(%I)::timestamp FROM %s', p_column, p_table)
           INTO v_newest;
        IF v_newest IS NULL THEN
            RETURN;
        END IF;
        cutoff := v_newest - p_days * interval '1 day';
        EXECUTE pg_catalog.format('DELETE FROM %s WHERE %I < $1', p_table, p_column) USING cutoff;
        GET DIAGNOSTICS rows_deleted = ROW_COUNT;
        RETURN;
    END IF;

    -- the newest value: from the newest non-empty partition, without reading older ones
    -- (partitions of unknown bounds are read first, always)
    FOR v_part IN SELECT * FROM @extschema@._range_partitions(p_table)
                   ORDER BY upper_bound IS NOT NULL, upper_bound DESC
    LOOP
        EXECUTE pg_catalog.format('SELECT pg_catalog.max(%I)::timestamp FROM %s', p_column, v_part.part)
           INTO v_max;
        v_newest := GREATEST(v_newest, v_max);
        EXIT WHEN v_newest IS NOT NULL AND v_part.upper_bound IS NOT NULL;
    END LOOP;
    IF v_newest IS NULL THEN
        RETURN;
    END IF;
    cutoff := v_newest - p_days * interval '1 day';

    FOR v_part IN SELECT * FROM @extschema@._range_partitions(p_table) ORDER BY lower_bound LOOP
        IF v_part.upper_bound IS NOT NULL AND v_part.upper_bound <= cutoff THEN
            -- every row is older than the cut-off: drop the partition
            BEGIN
                PERFORM pg_catalog.set_config('lock_timeout', '5s', true);
                EXECUTE pg_catalog.format('SELECT pg_catalog.count(*) FROM %s', v_part.part) INTO v_rows;
                EXECUTE pg_catalog.format('DROP TABLE %s', v_part.part);
                partitions_dropped := partitions_dropped + 1;
            EXCEPTION WHEN lock_not_available THEN
                EXECUTE pg_catalog.format('DELETE FROM %s WHERE %I < $1', v_part.part, p_column) USING cutoff;
                GET DIAGNOSTICS v_rows = ROW_COUNT;
            END;
            PERFORM pg_catalog.set_config('lock_timeout', v_timeout, true);
            rows_deleted := rows_deleted + v_rows;
        ELSIF v_part.lower_bound IS NULL OR v_part.lower_bound < cutoff THEN
            -- the boundary partition (or one of unknown bounds): the exact cut-off
            EXECUTE pg_catalog.format('DELETE FROM %s WHERE %I < $1', v_part.part, p_column) USING cutoff;
            GET DIAGNOSTICS v_rows = ROW_COUNT;
            rows_deleted := rows_deleted + v_rows;
        END IF;
    END LOOP;
END
$$;

-- _clear_expired_data: spec §8 for the app schema p_schema; <app>.sp_clear_expired_data
-- calls it.  Steps in the spec's order, each committed on its own; §13 item 1: a failing
-- step is logged (as the original does) and then raised, leaving the earlier steps
-- committed.  §13 item 6: the session de-duplication keeps the latest row of a key;
-- §13 item 16: clickstream_event_base_view expires like event_v2.
CREATE PROCEDURE @extschema@._clear_expired_data(p_schema name, p_days integer, p_table_names text)
LANGUAGE plpgsql
AS $$
DECLARE
    v_label  text[] := '{}';
    v_kind   text[] := '{}';
    v_table  text[] := '{}';
    v_column text[] := '{}';
    v_name   text;
    v_rel    regclass;
    v_res    record;
    v_rows   bigint;
    v_report text[] := '{}';
    v_failed boolean;
    v_msg    text;
    v_state  text;
    v_detail text;
BEGIN
    IF p_days IS NULL OR p_days < 1 THEN
        RAISE EXCEPTION 'retention_range_days must be at least 1, not %', COALESCE(p_days::text, 'NULL')
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    -- a plan of the steps; unknown summary tables fail the call before anything is deleted
    v_label := ARRAY['event_v2', 'item_v2', 'clickstream_event_base_view', 'session (duplicates)',
                     'session', 'clickstream_log_v2', 'refresh_mv_sp_status'];
    v_kind := ARRAY['expire', 'expire', 'expire', 'dedup', 'expire', 'expire', 'expire'];
    v_table := ARRAY['event_v2', 'item_v2', 'clickstream_event_base_view', 'session',
                     'session', 'clickstream_log_v2', 'refresh_mv_sp_status'];
    v_column := ARRAY['event_timestamp', 'event_timestamp', 'event_timestamp', NULL,
                      'event_timestamp', 'log_date', 'log_date'];
    FOR v_name IN SELECT pg_catalog.btrim(n) FROM pg_catalog.regexp_split_to_table(COALESCE(p_table_names, ''), ',') n
                   WHERE pg_catalog.btrim(n) <> ''
    LOOP
        v_rel := pg_catalog.to_regclass(pg_catalog.format('%I.%I', p_schema, v_name));
        IF v_rel IS NULL THEN
            RAISE EXCEPTION 'table %.% does not exist', p_schema, v_name
                USING ERRCODE = 'undefined_table',
                      HINT = 'table_names lists summary tables of the app, separated by commas.';
        END IF;
        IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_attribute
                        WHERE attrelid = v_rel AND attname = 'event_date' AND NOT attisdropped) THEN
            RAISE EXCEPTION 'table %.% has no column event_date', p_schema, v_name
                USING ERRCODE = 'undefined_column';
        END IF;
        v_label := v_label || v_name;
        v_kind := v_kind || 'expire'::text;
        v_table := v_table || v_name;
        v_column := v_column || 'event_date'::text;
    END LOOP;
    v_label := v_label || 'mv_tbl__ods_events_streaming_mv__0'::text;
    v_kind := v_kind || 'streaming'::text;
    v_table := v_table || 'mv_tbl__ods_events_streaming_mv__0'::text;
    v_column := v_column || 'approximate_arrival_timestamp'::text;
    COMMIT;

    FOR i IN 1 .. pg_catalog.cardinality(v_kind) LOOP
        v_rel := pg_catalog.to_regclass(pg_catalog.format('%I.%I', p_schema, v_table[i]));
        -- the base table and the streaming table are optional
        CONTINUE WHEN v_rel IS NULL AND v_table[i] IN ('clickstream_event_base_view',
                                                                  'mv_tbl__ods_events_streaming_mv__0');
        v_failed := false;
        BEGIN
            IF v_rel IS NULL THEN
                RAISE EXCEPTION 'table %.% does not exist', p_schema, v_table[i]
                    USING ERRCODE = 'undefined_table';
            END IF;
            CASE v_kind[i]
            WHEN 'expire' THEN
                SELECT * INTO v_res FROM @extschema@._expire_table(v_rel, v_column[i]::name, p_days);
                v_report := v_report || pg_catalog.format('%s: %s rows%s', v_label[i], v_res.rows_deleted,
                    CASE WHEN v_res.partitions_dropped > 0
                         THEN pg_catalog.format(' (%s partitions dropped)', v_res.partitions_dropped) ELSE '' END);
            WHEN 'dedup' THEN
                -- the primary key (user_pseudo_id, session_id) rules duplicates out: skip the scan
                v_rows := 0;
                IF NOT EXISTS (
                    SELECT 1 FROM pg_catalog.pg_index x
                     WHERE x.indrelid = v_rel AND x.indisunique AND x.indpred IS NULL AND x.indnkeyatts = 2
                       AND (SELECT pg_catalog.array_agg(a.attname::text ORDER BY a.attname)
                              FROM pg_catalog.pg_attribute a
                             WHERE a.attrelid = v_rel AND a.attnum = ANY (x.indkey))
                           = ARRAY['session_id', 'user_pseudo_id']) THEN
                    EXECUTE pg_catalog.format(
                        'DELETE FROM %1$s s USING (
                             SELECT r FROM (SELECT ctid AS r,
                                                   pg_catalog.row_number() OVER (PARTITION BY session_id, user_pseudo_id
                                                                                 ORDER BY event_timestamp DESC NULLS LAST, ctid DESC) AS n
                                              FROM %1$s) x
                              WHERE n > 1) d
                          WHERE s.ctid = d.r', v_rel);
                    GET DIAGNOSTICS v_rows = ROW_COUNT;
                END IF;
                v_report := v_report || pg_catalog.format('%s: %s rows', v_label[i], v_rows);
            WHEN 'streaming' THEN
                EXECUTE pg_catalog.format('DELETE FROM %s WHERE approximate_arrival_timestamp < $1', v_rel)
                  USING (pg_catalog.now() AT TIME ZONE 'UTC')::date - 1;
                GET DIAGNOSTICS v_rows = ROW_COUNT;
                v_report := v_report || pg_catalog.format('%s: %s rows', v_label[i], v_rows);
            END CASE;
        EXCEPTION WHEN OTHERS THEN
            GET STACKED DIAGNOSTICS v_msg = MESSAGE_TEXT, v_state = RETURNED_SQLSTATE,
                                    v_detail = PG_EXCEPTION_DETAIL;
            v_failed := true;
        END;
        IF v_failed THEN
            EXECUTE pg_catalog.format('CALL %I.sp_clickstream_log($1, $2, $3)', p_schema)
              USING 'sp_clear_expired_data', 'error', 'error message:' || v_msg;
            COMMIT;
            PERFORM @extschema@._reraise(
                pg_catalog.format('retention of %s.%s failed: %s', p_schema, v_table[i], v_msg),
                v_state, v_detail, NULL);
        END IF;
        COMMIT;
    END LOOP;
    EXECUTE pg_catalog.format('CALL %I.sp_clickstream_log($1, $2, $3)', p_schema)
      USING 'sp_clear_expired_data', 'info',
            pg_catalog.format('expired data older than %s days: %s', p_days, pg_catalog.array_to_string(v_report, ', '));
    COMMIT;
END
$$;

-- _create_model_retention: the app's sp_clear_expired_data (spec §8), a wrapper of
-- clickstream._clear_expired_data.  Called from _create_model_segments.
CREATE FUNCTION @extschema@._create_model_retention(p_schema name)
RETURNS void
LANGUAGE plpgsql
AS $fn$
BEGIN
    EXECUTE pg_catalog.format($ddl$
        CREATE OR REPLACE PROCEDURE %1$I.sp_clear_expired_data(retention_range_days integer, table_names text)
        LANGUAGE plpgsql
        AS $body$
        BEGIN
            CALL @extschema@._clear_expired_data(%1$L, retention_range_days, table_names);
        END
        $body$$ddl$, p_schema);
END
$fn$;

-- model_tasks_due: the modeling tasks due now, in the order the worker runs them: per app,
--   refresh    files were loaded for the app since its last automatic refresh started (or
--              ever, before the first one), clickstream.refresh_interval has passed since
--              that start, and its refresh mode is not none (§7.1);
--   scan       clickstream.scan_metadata_due(app_id) says so (when the metadata scan is
--              installed) and the last attempt is an hour old (§5.1);
--   retention  once a UTC day, from clickstream.retention_hour on (§8).
CREATE FUNCTION @extschema@.model_tasks_due()
RETURNS TABLE (app_id text, task text)
LANGUAGE plpgsql
AS $$
#variable_conflict use_column
DECLARE
    v_now      timestamptz := pg_catalog.now();
    v_interval interval := @extschema@._setting('clickstream.refresh_interval', '120min')::interval;
    v_mode     text := @extschema@._setting('clickstream.refresh_mode', 'all');
    v_hour     integer := @extschema@._setting('clickstream.retention_hour', '17')::integer;
    v_app      record;
BEGIN
    FOR v_app IN
        SELECT a.app_id, s.refresh_triggered_at, s.retention_on, s.scan_attempted_at,
               COALESCE(m.refresh_mode, v_mode) AS refresh_mode
          FROM @extschema@.apps a
          LEFT JOIN @extschema@.model_state s ON s.app_id = a.app_id
          LEFT JOIN @extschema@.app_model_settings m ON m.app_id = a.app_id
         ORDER BY a.app_id
    LOOP
        IF v_app.refresh_mode <> 'none'
           AND (v_app.refresh_triggered_at IS NULL OR v_now - v_app.refresh_triggered_at >= v_interval)
           AND (CASE WHEN v_app.refresh_triggered_at IS NULL
                     THEN EXISTS (SELECT 1 FROM @extschema@.load_queue q
                                   WHERE q.app_id = v_app.app_id AND q.status = 'LOADED')
                     ELSE EXISTS (SELECT 1 FROM @extschema@.load_batches b
                                   WHERE b.finished_at > v_app.refresh_triggered_at
                                     AND b.app_id = v_app.app_id AND b.status = 'LOADED')
                END) THEN
            app_id := v_app.app_id;
            task := 'refresh';
            RETURN NEXT;
        END IF;
        IF v_app.scan_attempted_at IS NULL OR v_now - v_app.scan_attempted_at >= interval '1 hour' THEN
            IF @extschema@.scan_metadata_due(v_app.app_id) THEN
                app_id := v_app.app_id;
                task := 'scan';
                RETURN NEXT;
            END IF;
        END IF;
        IF EXTRACT(hour FROM v_now AT TIME ZONE 'UTC') >= v_hour
           AND (v_app.retention_on IS NULL OR v_app.retention_on < (v_now AT TIME ZONE 'UTC')::date) THEN
            app_id := v_app.app_id;
            task := 'retention';
            RETURN NEXT;
        END IF;
    END LOOP;
END
$$;
COMMENT ON FUNCTION @extschema@.model_tasks_due() IS
    'Modeling tasks (refresh, scan, retention) due now per app, in the order the modeler runs them';

-- run_model_task: one modeling task of one app, as the worker runs it.  Marks the task
-- started (committed first, so a failing task is not retried at once), then:
--   refresh    refresh_app(app, refresh_end_time => watermark - 1 day, force => false)
--   scan       clickstream.scan_metadata(app_id)
--   retention  clickstream._clear_expired_data with the app's retention days and the
--              summary tables it has
-- Errors propagate (logged by the task itself; the worker records them in model_state).
CREATE PROCEDURE @extschema@.run_model_task(app_id text, task text)
LANGUAGE plpgsql
AS $$
#variable_conflict use_variable
DECLARE
    p_app_id ALIAS FOR $1;
    p_task   ALIAS FOR $2;
    v_app    record := @extschema@._app(p_app_id);
    v_wm     timestamp;
    v_end    timestamptz;
    v_status text;
    v_date   date;
    v_units  integer;
    v_days   integer;
    v_names  text;
BEGIN
    IF p_task NOT IN ('refresh', 'scan', 'retention') THEN
        RAISE EXCEPTION 'unknown modeling task "%"', p_task
            USING ERRCODE = 'invalid_parameter_value', HINT = 'Tasks are refresh, scan and retention.';
    END IF;
    PERFORM @extschema@._model_state(p_app_id);
    CASE p_task
    WHEN 'refresh' THEN
        UPDATE @extschema@.model_state s SET refresh_triggered_at = pg_catalog.now() WHERE s.app_id = p_app_id;
        v_wm := @extschema@.etl_watermark(p_app_id);
        COMMIT;
        -- §7.1 and §13.21: the day before the watermark, or before now without one
        v_end := COALESCE(v_wm AT TIME ZONE 'UTC', pg_catalog.now()) - interval '1 day';
        CALL @extschema@.refresh_app(p_app_id, NULL, v_end, NULL, false, NULL, v_status, v_date, v_units);
    WHEN 'scan' THEN
        UPDATE @extschema@.model_state s
           SET scan_attempted_at = pg_catalog.now(), scan_status = 'running', scan_detail = NULL
         WHERE s.app_id = p_app_id;
        COMMIT;
        -- docs/model-metadata.md: a jsonb whose status is SUCCEED, or SKIP (not due, or
        -- another scan of the app is running); errors are raised
        v_status := @extschema@.scan_metadata(p_app_id) ->> 'status';
        UPDATE @extschema@.model_state s
           SET scan_status = CASE WHEN v_status = 'SKIP' THEN 'skipped' ELSE 'succeeded' END,
               scan_detail = v_status
         WHERE s.app_id = p_app_id;
        COMMIT;
    WHEN 'retention' THEN
        UPDATE @extschema@.model_state s
           SET retention_on = (pg_catalog.now() AT TIME ZONE 'UTC')::date, retention_status = 'running',
               retention_detail = NULL, retention_finished_at = NULL
         WHERE s.app_id = p_app_id;
        COMMIT;
        v_days := COALESCE(v_app.retention_days,
                           @extschema@._setting('clickstream.retention_days', '365')::integer);
        SELECT pg_catalog.string_agg(t, ',' ORDER BY o) INTO v_names
          FROM pg_catalog.unnest(@extschema@.summary_tables()) WITH ORDINALITY AS u(t, o)
         WHERE pg_catalog.to_regclass(pg_catalog.format('%I.%I', v_app.schema_name, t)) IS NOT NULL;
        CALL @extschema@._clear_expired_data(v_app.schema_name, v_days, v_names);
        UPDATE @extschema@.model_state s
           SET retention_status = 'succeeded', retention_finished_at = pg_catalog.now(),
               retention_detail = pg_catalog.format('%s days', v_days)
         WHERE s.app_id = p_app_id;
        COMMIT;
    END CASE;
END
$$;
COMMENT ON PROCEDURE @extschema@.run_model_task(text, text) IS
    'Run one modeling task (refresh, scan, retention) of an app as the modeler worker does';

-- _model_task_failed: record a failed task in model_state and the app's log; the worker
-- calls it in a transaction of its own after rolling the task back.
CREATE FUNCTION @extschema@._model_task_failed(p_app_id text, p_task text, p_error text)
RETURNS void
LANGUAGE plpgsql
AS $$
BEGIN
    PERFORM @extschema@._model_state(p_app_id);
    UPDATE @extschema@.model_state s
       SET refresh_status = CASE WHEN p_task = 'refresh' THEN 'failed' ELSE refresh_status END,
           refresh_detail = CASE WHEN p_task = 'refresh' AND refresh_status IS DISTINCT FROM 'failed'
                                 THEN p_error ELSE refresh_detail END,
           refresh_finished_at = CASE WHEN p_task = 'refresh' THEN pg_catalog.now() ELSE refresh_finished_at END,
           scan_status = CASE WHEN p_task = 'scan' THEN 'failed' ELSE scan_status END,
           scan_detail = CASE WHEN p_task = 'scan' THEN p_error ELSE scan_detail END,
           retention_status = CASE WHEN p_task = 'retention' THEN 'failed' ELSE retention_status END,
           retention_detail = CASE WHEN p_task = 'retention' THEN p_error ELSE retention_detail END,
           retention_finished_at = CASE WHEN p_task = 'retention' THEN pg_catalog.now() ELSE retention_finished_at END
     WHERE s.app_id = p_app_id;
    PERFORM @extschema@._log(p_app_id, 'clickstream_modeler', 'error',
                             pg_catalog.format('%s failed: %s', p_task, p_error));
END
$$;

-- run_model_cycle: every due modeling task, in this session (for installs without the
-- modeler worker, e.g. from cron).  Must be called outside a transaction block; stops at
-- the first failing task (which is marked started, so the next cycle goes on with others).
CREATE PROCEDURE @extschema@.run_model_cycle(INOUT tasks integer DEFAULT NULL)
LANGUAGE plpgsql
AS $$
DECLARE
    v_task record;
BEGIN
    tasks := 0;
    FOR v_task IN SELECT * FROM @extschema@.model_tasks_due() LOOP
        CALL @extschema@.run_model_task(v_task.app_id, v_task.task);
        tasks := tasks + 1;
    END LOOP;
END
$$;
COMMENT ON PROCEDURE @extschema@.run_model_cycle(integer) IS
    'Run every due modeling task (refresh, scan, retention) in this session, committing each unit';
