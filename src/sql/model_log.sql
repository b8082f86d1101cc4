
-- Modeling layer, part 1: per-app logging and refresh bookkeeping (spec §9.1, §7.6).
-- Created in every app schema by clickstream._create_model (model.sql), which
-- clickstream.create_app calls.  Every modeling routine logs through
-- <app>.sp_clickstream_log.

-- BI readers: SELECT on the app's reporting objects (spec §11.2).
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'clickstream_reader') THEN
        CREATE ROLE clickstream_reader NOLOGIN;
    END IF;
END
$$;

CREATE FUNCTION @extschema@._create_model_log(p_schema name)
RETURNS void
LANGUAGE plpgsql
SET client_min_messages = warning
AS $fn$
BEGIN
    -- spec §9.1: no keys; message as text (§13 item 23)
    EXECUTE pg_catalog.format($ddl$
        CREATE TABLE IF NOT EXISTS %I.clickstream_log_v2 (
            id bigint GENERATED ALWAYS AS IDENTITY,
            log_name varchar(256),
            log_level varchar(32),
            log_msg text,
            log_date timestamp DEFAULT (pg_catalog.now() AT TIME ZONE 'UTC')
        )$ddl$, p_schema);
    EXECUTE pg_catalog.format(
        'CREATE INDEX IF NOT EXISTS clickstream_log_v2_log_date_idx ON %I.clickstream_log_v2 (log_date)',
        p_schema);

    -- spec §7.6 (the misspelt triggerred_by is kept for compatibility)
    EXECUTE pg_catalog.format($ddl$
        CREATE TABLE IF NOT EXISTS %I.refresh_mv_sp_status (
            refresh_name varchar(255),
            refresh_type varchar(10),
            refresh_date date,
            triggerred_by varchar(50),
            log_date timestamp DEFAULT (pg_catalog.now() AT TIME ZONE 'UTC')
        )$ddl$, p_schema);

    -- One procedure serves both original names (PostgreSQL procedures can commit, and
    -- logging must never fail the caller's work, so the handler only reports).
    EXECUTE pg_catalog.format($ddl$
        CREATE OR REPLACE PROCEDURE %1$I.sp_clickstream_log(name text, level text, msg text)
        LANGUAGE plpgsql
        SET TimeZone = 'UTC'
        AS $body$
        BEGIN
            INSERT INTO %1$I.clickstream_log_v2 (log_name, log_level, log_msg)
            VALUES (pg_catalog.left(name, 256), pg_catalog.left(level, 32), pg_catalog.left(msg, 65535));
        EXCEPTION WHEN OTHERS THEN
            RAISE INFO 'sp_clickstream_log: could not log (%%): %%', name, SQLERRM;
        END
        $body$$ddl$, p_schema);
    EXECUTE pg_catalog.format($ddl$
        CREATE OR REPLACE PROCEDURE %1$I.sp_clickstream_log_non_atomic(name text, level text, msg text)
        LANGUAGE plpgsql
        AS $body$
        BEGIN
            CALL %1$I.sp_clickstream_log(name, level, msg);
        END
        $body$$ddl$, p_schema);
END
$fn$;

-- _log: write a log row into an app's clickstream_log_v2 by app id.  Rows written inside a
-- transaction that later rolls back are lost, so callers that must record a failure (the
-- worker, refresh_app) call this after their ROLLBACK, in a transaction of its own (spec
-- §9.1: error rows must survive the failed work).
CREATE FUNCTION @extschema@._log(p_app_id text, p_name text, p_level text, p_msg text)
RETURNS void
LANGUAGE plpgsql
AS $fn$
DECLARE
    v_schema name;
BEGIN
    SELECT schema_name INTO v_schema FROM @extschema@.apps WHERE app_id = p_app_id;
    IF FOUND THEN
        EXECUTE pg_catalog.format('CALL %I.sp_clickstream_log($1, $2, $3)', v_schema)
            USING p_name, p_level, p_msg;
    END IF;
END
$fn$;
