
-- Modeling layer: user segments (spec §9.2) and, through _create_model_retention
-- (model_refresh.sql), the app's sp_clear_expired_data (spec §8).  docs/model-refresh.md.
--
-- sp_user_segment runs the caller's segment query with the caller's privileges (every
-- routine here is SECURITY INVOKER): a segment can only hold users the caller could read.

-- _user_segment: the body of <app>.sp_user_segment for schema p_schema.
--   1. a segment_job row, 'Pending', committed (visible to monitors);
--   2. in one transaction, one run of a segment at a time (advisory lock): 'In Progress',
--      run the query into temp_segment_user, replace the segment's segment_user rows with
--      its distinct non-null ids, count, sample 50 user_v2 rows, optionally COPY the
--      segment's users and the summary to CSV files, 'Completed' with the summary;
--   3. on error: the job becomes 'Failed' with the error, logged, and the error is raised.
-- Must be called outside a transaction block (it commits).
CREATE PROCEDURE @extschema@._user_segment(
    p_schema name,
    p_segment_id text,
    p_sql text,
    p_output_path text,
    INOUT job_id bigint,
    INOUT segment_user_number bigint,
    INOUT total_user_number bigint,
    INOUT job_end_time bigint,
    INOUT sample_data jsonb)
LANGUAGE plpgsql
AS $$
DECLARE
    v_failed boolean := false;
    v_msg    text;
    v_state  text;
    v_detail text;
    v_hint   text;
    v_query  boolean := false;
BEGIN
    IF p_segment_id IS NULL OR p_segment_id = '' OR pg_catalog.length(p_segment_id) > 255 THEN
        RAISE EXCEPTION 'invalid segment id'
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = 'A segment id is a non-empty string of at most 255 characters.';
    END IF;
    IF p_sql IS NULL OR pg_catalog.btrim(p_sql) = '' THEN
        RAISE EXCEPTION 'the segment query must not be empty' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF p_output_path ~* '^[a-z][a-z0-9+.-]*://' THEN
        RAISE EXCEPTION 'cannot export a segment to "%"', p_output_path
            USING ERRCODE = 'feature_not_supported',
                  HINT = 'Give a directory of the database server (the files are written with COPY), or NULL to only get the summary and the sample.';
    END IF;

    EXECUTE pg_catalog.format(
        'INSERT INTO %I.segment_job (segment_id, status, segment_sql, output_path)
         VALUES ($1, ''Pending'', $2, $3) RETURNING job_id', p_schema)
      INTO job_id USING p_segment_id, p_sql, p_output_path;
    COMMIT;

    BEGIN
        -- a run waits while another run of the same segment is in progress
        PERFORM pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('clickstream.segment'),
                                                 pg_catalog.hashtext(p_schema || '.' || p_segment_id));
        EXECUTE pg_catalog.format(
            'UPDATE %I.segment_job SET status = ''In Progress'',
                    started_at = pg_catalog.now() AT TIME ZONE ''UTC'' WHERE job_id = $1', p_schema)
          USING job_id;
        IF pg_catalog.to_regclass('pg_temp.temp_segment_user') IS NOT NULL THEN
            DROP TABLE pg_temp.temp_segment_user;
        END IF;
        CREATE TEMPORARY TABLE temp_segment_user (user_id varchar(255)) ON COMMIT DROP;
        -- one column of user_pseudo_id values, despite its name (spec §9.2)
        v_query := true;
        EXECUTE 'INSERT INTO pg_temp.temp_segment_user (user_id) SELECT * FROM ('
                || p_sql || E'\n) AS segment_query';
        v_query := false;
        EXECUTE pg_catalog.format('DELETE FROM %I.segment_user WHERE segment_id = $1', p_schema)
          USING p_segment_id;
        EXECUTE pg_catalog.format(
            'INSERT INTO %I.segment_user (segment_id, user_id)
             SELECT DISTINCT $1, user_id FROM pg_temp.temp_segment_user WHERE user_id IS NOT NULL', p_schema)
          USING p_segment_id;
        SELECT pg_catalog.count(DISTINCT user_id) INTO segment_user_number FROM pg_temp.temp_segment_user;
        EXECUTE pg_catalog.format('SELECT pg_catalog.count(DISTINCT user_pseudo_id) FROM %I.user_v2', p_schema)
           INTO total_user_number;
        EXECUTE pg_catalog.format(
            'SELECT pg_catalog.jsonb_agg(pg_catalog.to_jsonb(u) ORDER BY u.user_pseudo_id)
               FROM (SELECT * FROM %I.user_v2
                      WHERE user_pseudo_id IN (SELECT user_id FROM pg_temp.temp_segment_user)
                      ORDER BY user_pseudo_id LIMIT 50) u', p_schema)
           INTO sample_data;
        job_end_time := pg_catalog.floor(EXTRACT(epoch FROM pg_catalog.clock_timestamp()) * 1000);
        IF p_output_path IS NOT NULL THEN
            -- COPY checks the caller's right to write server files (pg_write_server_files)
            EXECUTE pg_catalog.format(
                'COPY (SELECT * FROM %I.user_v2
                        WHERE user_pseudo_id IN (SELECT user_id FROM pg_temp.temp_segment_user)
                        ORDER BY user_pseudo_id) TO %L WITH (FORMAT csv, HEADER)',
                p_schema, p_output_path || 'segment_000.csv');
            EXECUTE pg_catalog.format(
                'COPY (SELECT %s AS segment_user_number, %s AS total_user_number, %s AS job_end_time)
                   TO %L WITH (FORMAT csv, HEADER)',
                segment_user_number, total_user_number, job_end_time,
                p_output_path || 'segment-summary_000.csv');
        END IF;
        EXECUTE pg_catalog.format(
            'UPDATE %I.segment_job
                SET status = ''Completed'', segment_user_number = $2, total_user_number = $3,
                    job_end_time = $4, sample_data = $5,
                    finished_at = pg_catalog.now() AT TIME ZONE ''UTC''
              WHERE job_id = $1', p_schema)
          USING job_id, segment_user_number, total_user_number, job_end_time, sample_data;
    EXCEPTION WHEN OTHERS THEN
        GET STACKED DIAGNOSTICS v_msg = MESSAGE_TEXT, v_state = RETURNED_SQLSTATE,
                                v_detail = PG_EXCEPTION_DETAIL, v_hint = PG_EXCEPTION_HINT;
        v_failed := true;
        IF v_query AND v_state = '42601' AND COALESCE(v_hint, '') = '' THEN
            v_hint := 'The segment query must be one SELECT returning one column of user_pseudo_id values.';
        END IF;
    END;
    IF v_failed THEN
        EXECUTE pg_catalog.format(
            'UPDATE %I.segment_job SET status = ''Failed'', error = $2,
                    finished_at = pg_catalog.now() AT TIME ZONE ''UTC'' WHERE job_id = $1', p_schema)
          USING job_id, v_msg;
        EXECUTE pg_catalog.format('CALL %I.sp_clickstream_log($1, $2, $3)', p_schema)
          USING 'sp_user_segment', 'error', 'error message:' || v_msg;
        COMMIT;
        PERFORM @extschema@._reraise(pg_catalog.format('segment "%s" failed: %s', p_segment_id, v_msg),
                                     v_state, v_detail, v_hint);
    END IF;
    COMMIT;
END
$$;

-- Per app (called by _create_model, idempotent): segment_user, segment_job,
-- sp_user_segment, and the retention procedure of model_refresh.sql.
CREATE FUNCTION @extschema@._create_model_segments(p_schema name)
RETURNS void
LANGUAGE plpgsql
AS $fn$
BEGIN
    -- spec §9.2 (sort key segment_id: an index)
    EXECUTE pg_catalog.format($ddl$
        CREATE TABLE IF NOT EXISTS %I.segment_user (
            segment_id varchar(255) NOT NULL,
            user_id varchar(255) NOT NULL
        )$ddl$, p_schema);
    EXECUTE pg_catalog.format(
        'CREATE INDEX IF NOT EXISTS segment_user_segment_id_idx ON %I.segment_user (segment_id)', p_schema);

    -- one row per run of sp_user_segment (the original's job records)
    EXECUTE pg_catalog.format($ddl$
        CREATE TABLE IF NOT EXISTS %I.segment_job (
            job_id bigint GENERATED ALWAYS AS IDENTITY,
            segment_id varchar(255) NOT NULL,
            status varchar(20) NOT NULL DEFAULT 'Pending',
            segment_sql text NOT NULL,
            output_path text,
            segment_user_number bigint,
            total_user_number bigint,
            job_end_time bigint,
            sample_data jsonb,
            error text,
            run_by name NOT NULL DEFAULT CURRENT_USER,
            created_at timestamp NOT NULL DEFAULT (pg_catalog.now() AT TIME ZONE 'UTC'),
            started_at timestamp,
            finished_at timestamp,
            CONSTRAINT segment_job_pkey PRIMARY KEY (job_id),
            CONSTRAINT segment_job_status_check
                CHECK (status IN ('Pending', 'In Progress', 'Completed', 'Failed'))
        )$ddl$, p_schema);
    EXECUTE pg_catalog.format(
        'CREATE INDEX IF NOT EXISTS segment_job_segment_id_idx ON %I.segment_job (segment_id, job_id)', p_schema);

    -- spec §9.2's signature; s3_path is a server directory here (or NULL), iam_role is
    -- accepted and ignored
    EXECUTE pg_catalog.format($ddl$
        CREATE OR REPLACE PROCEDURE %1$I.sp_user_segment(
            segment_id text, sql text, s3_path text DEFAULT NULL, iam_role text DEFAULT NULL,
            INOUT job_id bigint DEFAULT NULL, INOUT segment_user_number bigint DEFAULT NULL,
            INOUT total_user_number bigint DEFAULT NULL, INOUT job_end_time bigint DEFAULT NULL,
            INOUT sample_data jsonb DEFAULT NULL)
        LANGUAGE plpgsql
        AS $body$
        BEGIN
            CALL @extschema@._user_segment(%1$L, segment_id, sql, s3_path, job_id,
                                           segment_user_number, total_user_number, job_end_time,
                                           sample_data);
        END
        $body$$ddl$, p_schema);

    PERFORM @extschema@._create_model_retention(p_schema);
END
$fn$;
