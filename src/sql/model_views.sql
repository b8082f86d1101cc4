-- Modeling layer, part 5: the "materialized views" and plain views of spec §6.4
-- (docs/model-reporting.md).  The three MVs are tables with exactly the spec's columns and
-- rows, kept up to date incrementally by <app>.clickstream_refresh_views_sp(), so that a
-- refresh costs in proportion to the rows loaded since the previous one, not to history:
--   clickstream_acquisition_intra_day_user_mv  recomputed per local day touched
--   clickstream_retention_base_view            recomputed per local day touched
--   clickstream_lifecycle_view_v2              recomputed per local week touched
-- A full recomputation (p_full => true, clickstream.rebuild_reporting_views) gives the same
-- rows; it runs by itself on the first refresh and when the app's time zone changed.

CREATE FUNCTION @extschema@._create_model_views(p_schema name, p_time_zone text)
RETURNS void
LANGUAGE plpgsql
SET client_min_messages = warning
AS $fn$
DECLARE
    v_state_tz text;
BEGIN
    -- spec §6.4 MV 1; event_date is the local hour (timestamp)
    EXECUTE pg_catalog.format($ddl$
        CREATE TABLE IF NOT EXISTS %I.clickstream_acquisition_intra_day_user_mv (
            event_date timestamp,
            platform varchar(255),
            active_users varchar(255),
            new_users varchar(255),
            CONSTRAINT clickstream_acquisition_intra_day_user_mv_key
                UNIQUE NULLS NOT DISTINCT (event_date, platform, active_users, new_users)
        )$ddl$, p_schema);
    -- spec §6.4 MV 2; time_period_week is the local Monday 00:00
    EXECUTE pg_catalog.format($ddl$
        CREATE TABLE IF NOT EXISTS %I.clickstream_lifecycle_view_v2 (
            user_pseudo_id varchar(255),
            platform varchar(255),
            time_period_week timestamp,
            CONSTRAINT clickstream_lifecycle_view_v2_key
                UNIQUE NULLS NOT DISTINCT (time_period_week, user_pseudo_id, platform)
        )$ddl$, p_schema);
    -- spec §6.4 MV 3; a row comes from an event on local day first_date + day_diff, which
    -- the second index finds
    EXECUTE pg_catalog.format($ddl$
        CREATE TABLE IF NOT EXISTS %I.clickstream_retention_base_view (
            user_pseudo_id varchar(255),
            platform varchar(255),
            first_date date,
            day_diff integer,
            CONSTRAINT clickstream_retention_base_view_key
                UNIQUE NULLS NOT DISTINCT (first_date, user_pseudo_id, platform, day_diff)
        )$ddl$, p_schema);
    EXECUTE pg_catalog.format(
        'CREATE INDEX IF NOT EXISTS clickstream_retention_base_view_event_day_idx
             ON %I.clickstream_retention_base_view ((first_date + day_diff))', p_schema);

    -- bookkeeping of the incremental refresh: one row
    --   time_zone       the zone the three tables are rendered in
    --   event_v2_mark   event_v2 rows loaded after it are not yet in the lifecycle table
    --   user_v2_mark    same for user_v2 rows (user id and first touch feed two tables)
    --   base_low, session_start_low  the oldest base row / _session_start event seen: when
    --                   retention removes older rows, the tables drop what came from them
    EXECUTE pg_catalog.format($ddl$
        CREATE TABLE IF NOT EXISTS %I.clickstream_reporting_views_state (
            time_zone text NOT NULL,
            event_v2_mark timestamp,
            user_v2_mark timestamp,
            base_low timestamp,
            session_start_low timestamp,
            refreshed_at timestamp NOT NULL
        )$ddl$, p_schema);
    -- the user id and first touch each user's rows were last computed with
    EXECUTE pg_catalog.format($ddl$
        CREATE TABLE IF NOT EXISTS %I.clickstream_reporting_views_user (
            user_pseudo_id varchar(255) NOT NULL,
            user_id varchar(255),
            first_touch_time_msec bigint,
            CONSTRAINT clickstream_reporting_views_user_pkey PRIMARY KEY (user_pseudo_id)
        )$ddl$, p_schema);
    -- find what changed cheaply: user_v2 rows by load time; _session_start events by time
    EXECUTE pg_catalog.format(
        'CREATE INDEX IF NOT EXISTS user_v2_created_time_idx ON %I.user_v2 (created_time)', p_schema);
    EXECUTE pg_catalog.format(
        'CREATE INDEX IF NOT EXISTS event_v2_session_start_idx ON %I.event_v2 (event_timestamp)
          WHERE event_name = ''_session_start''', p_schema);

    PERFORM @extschema@._create_refresh_views_sp(p_schema, p_time_zone);
    PERFORM @extschema@._create_model_plain_views(p_schema);

    -- first creation, or a new time zone (spec §13 item 26): compute the tables afresh
    EXECUTE pg_catalog.format('SELECT time_zone FROM %I.clickstream_reporting_views_state', p_schema)
       INTO v_state_tz;
    IF v_state_tz IS DISTINCT FROM p_time_zone THEN
        EXECUTE pg_catalog.format('CALL %I.clickstream_refresh_views_sp(true)', p_schema);
    END IF;
END
$fn$;

-- _create_refresh_views_sp: (re)create <app>.clickstream_refresh_views_sp(p_full boolean),
-- rendered with the app's time zone.  Local time of a UTC wall time ts: L(ts) =
-- ts AT TIME ZONE 'UTC' AT TIME ZONE tz; UTC wall time of a local time t: t AT TIME ZONE tz
-- AT TIME ZONE 'UTC' (spec §1.2).
CREATE FUNCTION @extschema@._create_refresh_views_sp(p_schema name, p_time_zone text)
RETURNS void
LANGUAGE plpgsql
AS $fn$
BEGIN
    EXECUTE pg_catalog.format($ddl$
        CREATE OR REPLACE PROCEDURE %1$I.clickstream_refresh_views_sp(p_full boolean DEFAULT false)
        LANGUAGE plpgsql
        SET TimeZone = 'UTC'
        SET jit = off   -- see clickstream_event_base_view_sp
        AS $body$
        DECLARE
            v_tz      CONSTANT text := %2$L;
            v_now     timestamp := pg_catalog.now() AT TIME ZONE 'UTC';
            v_st      record;
            v_changed bigint;
            v_days    date[];
            v_more    date[];
            v_weeks   timestamp[];
            v_low     timestamp;
            v_ss_low  timestamp;
            v_emark   timestamp;
            v_umark   timestamp;
            v_day     date;
            v_week    timestamp;
            v_full    boolean;
        BEGIN
            -- one refresh of the app's views at a time
            PERFORM pg_catalog.pg_advisory_xact_lock(%3$L::regclass::oid::integer, 2);
            SELECT * INTO v_st FROM %1$I.clickstream_reporting_views_state;
            v_full := p_full OR NOT FOUND;
            IF v_full OR v_st.time_zone IS DISTINCT FROM v_tz THEN
                -- the definitions of spec §6.4 over all rows
                TRUNCATE %1$I.clickstream_acquisition_intra_day_user_mv,
                         %1$I.clickstream_lifecycle_view_v2,
                         %1$I.clickstream_retention_base_view,
                         %1$I.clickstream_reporting_views_user;
                DELETE FROM %1$I.clickstream_event_base_view_dirty;
                INSERT INTO %1$I.clickstream_acquisition_intra_day_user_mv
                SELECT DISTINCT pg_catalog.date_trunc('hour', e.event_timestamp AT TIME ZONE 'UTC' AT TIME ZONE v_tz),
                       e.platform,
                       COALESCE(u.user_id, e.user_pseudo_id),
                       CASE WHEN e.event_name = '_first_open' THEN COALESCE(u.user_id, e.user_pseudo_id) END
                  FROM %1$I.clickstream_event_base_view e
                  JOIN %1$I.user_v2 u ON u.user_pseudo_id = e.user_pseudo_id;
                INSERT INTO %1$I.clickstream_lifecycle_view_v2
                SELECT DISTINCT e.user_pseudo_id, e.platform,
                       pg_catalog.date_trunc('week', e.event_timestamp AT TIME ZONE 'UTC' AT TIME ZONE v_tz)
                  FROM %1$I.event_v2 e
                 WHERE e.event_name = '_session_start';
                INSERT INTO %1$I.clickstream_retention_base_view
                SELECT DISTINCT r.user_pseudo_id, r.platform, r.first_date, r.event_day - r.first_date
                  FROM (SELECT e.user_pseudo_id, e.platform,
                               (pg_catalog.to_timestamp(u.first_touch_time_msec / 1000) AT TIME ZONE v_tz)::date AS first_date,
                               (e.event_timestamp AT TIME ZONE 'UTC' AT TIME ZONE v_tz)::date AS event_day
                          FROM %1$I.clickstream_event_base_view e
                          JOIN %1$I.user_v2 u ON u.user_pseudo_id = e.user_pseudo_id
                         WHERE u.first_touch_time_msec IS NOT NULL
                           AND e.event_timestamp >= pg_catalog.to_timestamp(u.first_touch_time_msec / 1000) AT TIME ZONE 'UTC') r
                 WHERE r.event_day - r.first_date <= 42;
                INSERT INTO %1$I.clickstream_reporting_views_user
                SELECT user_pseudo_id, user_id, first_touch_time_msec FROM %1$I.user_v2;
                DELETE FROM %1$I.clickstream_reporting_views_state;
                INSERT INTO %1$I.clickstream_reporting_views_state
                SELECT v_tz,
                       (SELECT pg_catalog.max(created_time) FROM %1$I.event_v2),
                       (SELECT pg_catalog.max(created_time) FROM %1$I.user_v2),
                       (SELECT pg_catalog.min(event_timestamp) FROM %1$I.clickstream_event_base_view),
                       (SELECT pg_catalog.min(event_timestamp) FROM %1$I.event_v2 WHERE event_name = '_session_start'),
                       v_now;
                CALL %1$I.sp_clickstream_log('clickstream_reporting_views', 'info',
                    'full refresh in time zone ' || v_tz);
                RETURN;
            END IF;

            -- rows loaded after the marks are new to these tables (a load's rows share
            -- one created_time, so the rows at a mark were all seen)
            v_umark := COALESCE(v_st.user_v2_mark, '-infinity');
            v_emark := COALESCE(v_st.event_v2_mark, '-infinity');

            -- 1. users whose user id or first touch changed (or who are new) since the
            --    last refresh: their rows may change on every day they were active (v_more:
            --    those local days).  A semi-join, not "= ANY (array of the users)": the
            --    planner estimates an array's selectivity element by element for every
            --    partition, which took 1.2 GB for 115,000 users over 30 daily partitions.
            WITH changed AS (
                SELECT u.user_pseudo_id, u.user_id, u.first_touch_time_msec
                  FROM %1$I.user_v2 u
                  LEFT JOIN %1$I.clickstream_reporting_views_user m ON m.user_pseudo_id = u.user_pseudo_id
                 WHERE u.created_time > v_umark
                   AND (m.user_pseudo_id IS NULL
                        OR m.user_id IS DISTINCT FROM u.user_id
                        OR m.first_touch_time_msec IS DISTINCT FROM u.first_touch_time_msec)
            ), remembered AS (
                INSERT INTO %1$I.clickstream_reporting_views_user AS m
                SELECT * FROM changed
                ON CONFLICT (user_pseudo_id) DO UPDATE
                   SET user_id = EXCLUDED.user_id, first_touch_time_msec = EXCLUDED.first_touch_time_msec
            )
            SELECT pg_catalog.count(*),
                   (SELECT pg_catalog.array_agg(DISTINCT (e.event_timestamp AT TIME ZONE 'UTC' AT TIME ZONE v_tz)::date)
                      FROM %1$I.clickstream_event_base_view e
                     WHERE e.user_pseudo_id IN (SELECT c.user_pseudo_id FROM changed c))
              INTO v_changed, v_more
              FROM changed;
            SELECT COALESCE(pg_catalog.max(created_time), v_umark) INTO v_umark
              FROM %1$I.user_v2 WHERE created_time > v_umark;

            -- 2. local days to recompute: those of the base rows written since the last
            --    refresh (a UTC hour can straddle local midnight in zones with a
            --    half-hour offset), and those where a changed user was active
            WITH h AS (DELETE FROM %1$I.clickstream_event_base_view_dirty RETURNING event_hour)
            SELECT pg_catalog.array_agg(DISTINCT d) INTO v_days
              FROM h, LATERAL (VALUES ((h.event_hour AT TIME ZONE 'UTC' AT TIME ZONE v_tz)::date),
                                      (((h.event_hour + interval '1 hour' - interval '1 microsecond')
                                          AT TIME ZONE 'UTC' AT TIME ZONE v_tz)::date)) x(d);
            v_days := COALESCE(v_days, '{}') || COALESCE(v_more, '{}');

            -- 3. retention removed base rows below the oldest one seen last time: drop
            --    the rows of earlier days, recompute the first remaining day
            SELECT pg_catalog.min(event_timestamp) INTO v_low FROM %1$I.clickstream_event_base_view;
            IF v_low IS NULL THEN
                DELETE FROM %1$I.clickstream_acquisition_intra_day_user_mv;
                DELETE FROM %1$I.clickstream_retention_base_view;
                v_days := NULL;
            ELSIF v_low > v_st.base_low THEN
                DELETE FROM %1$I.clickstream_acquisition_intra_day_user_mv
                 WHERE event_date < pg_catalog.date_trunc('day', v_low AT TIME ZONE 'UTC' AT TIME ZONE v_tz);
                DELETE FROM %1$I.clickstream_retention_base_view
                 WHERE first_date + day_diff < (v_low AT TIME ZONE 'UTC' AT TIME ZONE v_tz)::date;
                v_days := COALESCE(v_days, '{}') || (v_low AT TIME ZONE 'UTC' AT TIME ZONE v_tz)::date;
            END IF;

            -- 4. each day: delete its rows, insert them again from the day window
            SELECT pg_catalog.array_agg(DISTINCT d) INTO v_days FROM pg_catalog.unnest(v_days) d;
            FOREACH v_day IN ARRAY COALESCE(v_days, '{}') LOOP
                DELETE FROM %1$I.clickstream_acquisition_intra_day_user_mv
                 WHERE event_date >= v_day::timestamp AND event_date < (v_day + 1)::timestamp;
                INSERT INTO %1$I.clickstream_acquisition_intra_day_user_mv
                SELECT DISTINCT pg_catalog.date_trunc('hour', e.event_timestamp AT TIME ZONE 'UTC' AT TIME ZONE v_tz),
                       e.platform,
                       COALESCE(u.user_id, e.user_pseudo_id),
                       CASE WHEN e.event_name = '_first_open' THEN COALESCE(u.user_id, e.user_pseudo_id) END
                  FROM %1$I.clickstream_event_base_view e
                  JOIN %1$I.user_v2 u ON u.user_pseudo_id = e.user_pseudo_id
                 WHERE e.event_timestamp >= v_day::timestamp AT TIME ZONE v_tz AT TIME ZONE 'UTC'
                   AND e.event_timestamp < (v_day + 1)::timestamp AT TIME ZONE v_tz AT TIME ZONE 'UTC';
                DELETE FROM %1$I.clickstream_retention_base_view WHERE first_date + day_diff = v_day;
                INSERT INTO %1$I.clickstream_retention_base_view
                SELECT DISTINCT r.user_pseudo_id, r.platform, r.first_date, v_day - r.first_date
                  FROM (SELECT e.user_pseudo_id, e.platform,
                               (pg_catalog.to_timestamp(u.first_touch_time_msec / 1000) AT TIME ZONE v_tz)::date AS first_date
                          FROM %1$I.clickstream_event_base_view e
                          JOIN %1$I.user_v2 u ON u.user_pseudo_id = e.user_pseudo_id
                         WHERE e.event_timestamp >= v_day::timestamp AT TIME ZONE v_tz AT TIME ZONE 'UTC'
                           AND e.event_timestamp < (v_day + 1)::timestamp AT TIME ZONE v_tz AT TIME ZONE 'UTC'
                           AND u.first_touch_time_msec IS NOT NULL
                           AND e.event_timestamp >= pg_catalog.to_timestamp(u.first_touch_time_msec / 1000) AT TIME ZONE 'UTC') r
                 WHERE v_day - r.first_date <= 42;
            END LOOP;

            -- 5. lifecycle: the local weeks of the event_v2 rows loaded since the last
            --    refresh (any event: a reloaded event may have stopped being a
            --    _session_start), and the retention boundary as in step 3
            SELECT pg_catalog.array_agg(DISTINCT pg_catalog.date_trunc('week', event_timestamp AT TIME ZONE 'UTC' AT TIME ZONE v_tz)),
                   COALESCE(pg_catalog.max(created_time), v_emark)
              INTO v_weeks, v_emark
              FROM %1$I.event_v2 WHERE created_time > v_emark;
            SELECT pg_catalog.min(event_timestamp) INTO v_ss_low
              FROM %1$I.event_v2 WHERE event_name = '_session_start';
            IF v_ss_low IS NULL THEN
                DELETE FROM %1$I.clickstream_lifecycle_view_v2;
                v_weeks := NULL;
            ELSIF v_ss_low > v_st.session_start_low THEN
                DELETE FROM %1$I.clickstream_lifecycle_view_v2
                 WHERE time_period_week < pg_catalog.date_trunc('week', v_ss_low AT TIME ZONE 'UTC' AT TIME ZONE v_tz);
                v_weeks := COALESCE(v_weeks, '{}')
                           || pg_catalog.date_trunc('week', v_ss_low AT TIME ZONE 'UTC' AT TIME ZONE v_tz);
            END IF;
            SELECT pg_catalog.array_agg(DISTINCT w) INTO v_weeks FROM pg_catalog.unnest(v_weeks) w;
            FOREACH v_week IN ARRAY COALESCE(v_weeks, '{}') LOOP
                DELETE FROM %1$I.clickstream_lifecycle_view_v2 WHERE time_period_week = v_week;
                INSERT INTO %1$I.clickstream_lifecycle_view_v2
                SELECT DISTINCT e.user_pseudo_id, e.platform, v_week
                  FROM %1$I.event_v2 e
                 WHERE e.event_name = '_session_start'
                   AND e.event_timestamp >= v_week AT TIME ZONE v_tz AT TIME ZONE 'UTC'
                   AND e.event_timestamp < (v_week + interval '7 days') AT TIME ZONE v_tz AT TIME ZONE 'UTC';
            END LOOP;

            UPDATE %1$I.clickstream_reporting_views_state
               SET event_v2_mark = NULLIF(v_emark, '-infinity'),
                   user_v2_mark = NULLIF(v_umark, '-infinity'),
                   base_low = v_low,
                   session_start_low = v_ss_low,
                   refreshed_at = v_now;
            CALL %1$I.sp_clickstream_log('clickstream_reporting_views', 'info',
                pg_catalog.format('refreshed %%s days, %%s weeks, %%s changed users',
                    COALESCE(pg_catalog.cardinality(v_days), 0), COALESCE(pg_catalog.cardinality(v_weeks), 0),
                    v_changed));
        EXCEPTION WHEN OTHERS THEN
            CALL %1$I.sp_clickstream_log('clickstream_reporting_views', 'error', 'error message:' || SQLERRM);
            RAISE INFO 'clickstream_reporting_views: error message: %%', SQLERRM;
            RAISE;
        END
        $body$$ddl$,
        p_schema, p_time_zone, pg_catalog.format('%I.clickstream_reporting_views_state', p_schema));
    EXECUTE pg_catalog.format($ddl$
        COMMENT ON PROCEDURE %I.clickstream_refresh_views_sp(boolean) IS
            'Bring clickstream_acquisition_intra_day_user_mv, clickstream_lifecycle_view_v2 and clickstream_retention_base_view up to date (incrementally, or fully with p_full)'$ddl$,
        p_schema);
END
$fn$;

-- _create_model_plain_views: the two plain views of spec §6.4 over the tables above.
CREATE FUNCTION @extschema@._create_model_plain_views(p_schema name)
RETURNS void
LANGUAGE plpgsql
AS $fn$
BEGIN
    -- Weekly lifecycle.  Weeks are compared per user over all platforms (spec §13 item 15);
    -- a user active on two platforms in one week has two rows of that week, which the
    -- original orders arbitrarily: here the platform breaks the tie, so that the result is
    -- stable.  Such a second row has lag_size 0: neither NEW, RETAINED nor RETURN (NULL),
    -- and the first one has lead_size 0: CHURN, as in the original.
    EXECUTE pg_catalog.format($ddl$
        CREATE OR REPLACE VIEW %1$I.clickstream_lifecycle_weekly_view_v3 AS
        WITH lag_lead AS (
            SELECT user_pseudo_id, platform, time_period_week,
                   pg_catalog.lag(time_period_week) OVER w AS lag_week,
                   pg_catalog.lead(time_period_week) OVER w AS lead_week
              FROM %1$I.clickstream_lifecycle_view_v2
            WINDOW w AS (PARTITION BY user_pseudo_id ORDER BY time_period_week, platform)
        ), sized AS (
            SELECT *, (time_period_week::date - lag_week::date) / 7 AS lag_size,
                      (lead_week::date - time_period_week::date) / 7 AS lead_size
              FROM lag_lead
        ), staged AS (
            SELECT time_period_week, platform, user_pseudo_id,
                   CASE WHEN lag_week IS NULL THEN '1-NEW'
                        WHEN lag_size = 1 THEN '2-RETAINED-ACTIVE'
                        WHEN lag_size > 1 THEN '3-RETURN' END AS this_week_value,
                   CASE WHEN lead_size = 1 THEN NULL ELSE '0-CHURN' END AS next_week_churn
              FROM sized
        ), counted AS (
            SELECT time_period_week, platform, this_week_value, next_week_churn,
                   pg_catalog.count(DISTINCT user_pseudo_id) AS total_users
              FROM staged
             GROUP BY time_period_week, platform, this_week_value, next_week_churn
        )
        SELECT time_period_week AS time_period, platform, this_week_value::varchar(255) AS this_week_value,
               pg_catalog.sum(total_users)::bigint AS sum
          FROM counted
         GROUP BY time_period_week, platform, this_week_value
        UNION
        SELECT time_period_week + interval '7 days', platform, '0-CHURN',
               -pg_catalog.sum(total_users)::bigint
          FROM counted
         WHERE next_week_churn IS NOT NULL
         GROUP BY time_period_week, platform$ddl$, p_schema);

    -- Retention cohorts.  A (platform, user) with no activity on its first day is left
    -- out everywhere; the joins on platform are equalities, as in the original, so rows
    -- with a NULL platform do not appear.
    EXECUTE pg_catalog.format($ddl$
        CREATE OR REPLACE VIEW %1$I.clickstream_retention_view_v3 AS
        WITH except_user AS (
            SELECT platform, user_pseudo_id
              FROM %1$I.clickstream_retention_base_view
             GROUP BY platform, user_pseudo_id
            HAVING pg_catalog.min(day_diff) > 0
        ), kept AS (
            SELECT r.*
              FROM %1$I.clickstream_retention_base_view r
             WHERE NOT EXISTS (SELECT 1 FROM except_user x
                                WHERE x.platform = r.platform AND x.user_pseudo_id = r.user_pseudo_id)
        ), cohort AS (
            SELECT platform, first_date, pg_catalog.count(DISTINCT user_pseudo_id) AS total_users
              FROM kept GROUP BY platform, first_date
        ), returned AS (
            SELECT platform, first_date, day_diff,
                   pg_catalog.count(DISTINCT user_pseudo_id) AS returned_user_count
              FROM kept GROUP BY platform, first_date, day_diff
        )
        SELECT r.platform, r.first_date, r.day_diff, r.returned_user_count, c.total_users
          FROM returned r
          JOIN cohort c ON c.platform = r.platform AND c.first_date = r.first_date$ddl$, p_schema);
END
$fn$;

-- refresh_reporting_views: the entry point of the view phase after the base table (spec
-- §7.2 step 3, items 2-4) for one app.  full => true recomputes everything.
CREATE PROCEDURE @extschema@.refresh_reporting_views(app_id text, full boolean DEFAULT false)
LANGUAGE plpgsql
AS $fn$
DECLARE
    v_schema name;
BEGIN
    SELECT a.schema_name INTO v_schema FROM @extschema@.apps a WHERE a.app_id = $1;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'app "%" does not exist', $1
            USING ERRCODE = 'undefined_object',
                  HINT = 'SELECT app_id FROM clickstream.apps lists the apps.';
    END IF;
    EXECUTE pg_catalog.format('CALL %I.clickstream_refresh_views_sp($1)', v_schema) USING COALESCE($2, false);
END
$fn$;
COMMENT ON PROCEDURE @extschema@.refresh_reporting_views(text, boolean) IS
    'Refresh the three reporting "materialized views" of an app: incrementally, or fully with full => true';

-- rebuild_reporting_views: recompute the three tables from scratch (after deleting ODS
-- rows by hand, for instance); a new time zone given to create_app does it by itself.
CREATE PROCEDURE @extschema@.rebuild_reporting_views(app_id text)
LANGUAGE sql
AS $fn$
    CALL @extschema@.refresh_reporting_views($1, true);
$fn$;
COMMENT ON PROCEDURE @extschema@.rebuild_reporting_views(text) IS
    'Recompute the three reporting "materialized views" of an app from all rows';
