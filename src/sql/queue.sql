
-- The load queue (docs/worker.md; spec §3.2-§3.4): one row per object to load, its ODS
-- table and app parsed from the path, its status and its history.  Rows are written by
-- enqueue/discover and by the loader (clickstream.load_next_batch).

CREATE TABLE @extschema@.load_queue (
    url             text        NOT NULL,
    object_size     bigint,
    etag            text,
    project_id      text,
    app_id          text        NOT NULL,
    ods_table       text        NOT NULL,
    status          text        NOT NULL DEFAULT 'NEW',
    attempts        integer     NOT NULL DEFAULT 0,
    last_error      text,
    registered_at   timestamptz NOT NULL DEFAULT pg_catalog.now(),
    next_attempt_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
    updated_at      timestamptz NOT NULL DEFAULT pg_catalog.now(),
    loaded_at       timestamptz,
    batch_id        bigint,
    rows_loaded     bigint,
    CONSTRAINT load_queue_pkey PRIMARY KEY (url),
    CONSTRAINT load_queue_status_check
        CHECK (status IN ('NEW', 'ENQUEUE', 'PROCESSING', 'LOADED', 'FAILED')),
    CONSTRAINT load_queue_ods_table_check
        CHECK (ods_table IN ('event_v2', 'item_v2', 'session', 'user_v2')),
    CONSTRAINT load_queue_attempts_check CHECK (attempts >= 0)
);
COMMENT ON TABLE @extschema@.load_queue IS
    'Objects to load into ODS tables, with their status (NEW, ENQUEUE, PROCESSING, LOADED, FAILED)';
-- the loader's candidate scan: due NEW files in arrival order
CREATE INDEX load_queue_new_idx ON @extschema@.load_queue (next_attempt_at, registered_at)
    WHERE status = 'NEW';
CREATE INDEX load_queue_app_table_idx ON @extschema@.load_queue (app_id, ods_table, status);
SELECT pg_catalog.pg_extension_config_dump('@extschema@.load_queue', '');

-- Polled prefixes (clickstream.add_source).
CREATE TABLE @extschema@.sources (
    prefix_url     text        NOT NULL,
    project_id     text,
    poll_interval  interval    NOT NULL DEFAULT '1 minute',
    enabled        boolean     NOT NULL DEFAULT true,
    last_polled_at timestamptz,
    last_queued    bigint,
    last_error     text,
    created_at     timestamptz NOT NULL DEFAULT pg_catalog.now(),
    CONSTRAINT sources_pkey PRIMARY KEY (prefix_url),
    CONSTRAINT sources_poll_interval_check CHECK (poll_interval >= interval '1 second')
);
COMMENT ON TABLE @extschema@.sources IS
    'Object-store prefixes the worker lists every poll_interval to queue new objects';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.sources', '');

-- History of load attempts, one row per batch (pruned after clickstream.batch_history_age).
CREATE SEQUENCE @extschema@.load_batch_id_seq;
CREATE TABLE @extschema@.load_batches (
    batch_id    bigint      NOT NULL,
    app_id      text        NOT NULL,
    ods_table   text        NOT NULL,
    status      text        NOT NULL,
    files       integer     NOT NULL,
    bytes       bigint,
    rows_loaded bigint,
    rows_merged bigint,
    load_method text,
    fallback_cause text,
    urls        text[]      NOT NULL,
    started_at  timestamptz NOT NULL,
    finished_at timestamptz NOT NULL,
    worker_pid  integer     NOT NULL DEFAULT pg_catalog.pg_backend_pid(),
    error       text,
    CONSTRAINT load_batches_pkey PRIMARY KEY (batch_id),
    CONSTRAINT load_batches_status_check CHECK (status IN ('LOADED', 'FAILED')),
    CONSTRAINT load_batches_load_method_check CHECK (load_method IN ('direct', 'staged', 'fallback')),
    CONSTRAINT load_batches_fallback_cause_check
        CHECK (fallback_cause IN ('key conflict', 'no partition', 'deadlock')),
    CONSTRAINT load_batches_fallback_has_cause_check
        CHECK ((load_method = 'fallback') = (fallback_cause IS NOT NULL))
);
COMMENT ON TABLE @extschema@.load_batches IS
    'One row per batch the loader ran: files, rows, timings, and the error of a failed batch';
CREATE INDEX load_batches_finished_at_idx ON @extschema@.load_batches (finished_at);
-- the loader looks up a table's latest batches (_tries_direct_copy)
CREATE INDEX load_batches_app_id_ods_table_idx ON @extschema@.load_batches (app_id, ods_table, batch_id);

-- Only roles allowed to read a URL may queue it: the worker loads as a superuser.
CREATE FUNCTION @extschema@._check_url_privilege()
RETURNS trigger
LANGUAGE plpgsql
AS $$
DECLARE
    v_url text := pg_catalog.to_jsonb(NEW) ->> TG_ARGV[0];
BEGIN
    IF v_url ~* '^file:' AND NOT pg_catalog.pg_has_role(current_user, 'pg_read_server_files', 'USAGE') THEN
        RAISE EXCEPTION 'permission denied to queue server file "%"', v_url
            USING ERRCODE = 'insufficient_privilege',
                  HINT = 'Queuing file:// URLs needs the privileges of pg_read_server_files.';
    END IF;
    RETURN NEW;
END
$$;
-- (WHEN: the function only runs for file:// URLs, not for every queued object)
CREATE TRIGGER load_queue_check_url BEFORE INSERT OR UPDATE OF url ON @extschema@.load_queue
    FOR EACH ROW WHEN (NEW.url ~* '^file:')
    EXECUTE FUNCTION @extschema@._check_url_privilege('url');
CREATE TRIGGER sources_check_url BEFORE INSERT OR UPDATE OF prefix_url ON @extschema@.sources
    FOR EACH ROW WHEN (NEW.prefix_url ~* '^file:')
    EXECUTE FUNCTION @extschema@._check_url_privilege('prefix_url');

GRANT SELECT, INSERT, UPDATE, DELETE ON @extschema@.apps, @extschema@.load_queue,
    @extschema@.sources TO clickstream_loader;
GRANT SELECT ON @extschema@.load_batches TO clickstream_loader;
GRANT USAGE ON SEQUENCE @extschema@.load_batch_id_seq TO clickstream_loader;

-- parse_ods_url: the ODS table and app of an object, from the pipeline layout
-- <prefix><table>/partition_app=<app>/... (spec §2.8, §3.3); no row if the path does not
-- follow it.  app is as written in the path (see create_app for its schema name).
CREATE FUNCTION @extschema@.parse_ods_url(url text, OUT ods_table text, OUT app text)
RETURNS SETOF record
LANGUAGE sql IMMUTABLE STRICT
AS $$
    SELECT m[1], m[2]
      FROM pg_catalog.regexp_match($1, '/(event_v2|item_v2|user_v2|session)/partition_app=([^/]+)/[^/]') m
     WHERE m IS NOT NULL;
$$;
COMMENT ON FUNCTION @extschema@.parse_ods_url(text) IS
    'The ODS table and app id of an object URL in the pipeline layout <table>/partition_app=<app>/';

-- _queue_objects: (re)queue objects whose app and ODS table are known: a new object, or a
-- changed one (another etag, or no etag to compare), becomes NEW; the same url and etag
-- again changes nothing.  A row being loaded is locked by the loader, so this waits for that
-- load to commit and then queues the object again.  Returns how many were queued.
CREATE FUNCTION @extschema@._queue_objects(p_urls text[], p_sizes bigint[], p_etags text[],
                                           p_projects text[], p_apps text[], p_tables text[])
RETURNS bigint
LANGUAGE sql
AS $$
    WITH queued AS (
        INSERT INTO @extschema@.load_queue AS q (url, object_size, etag, project_id, app_id, ods_table)
        SELECT o.url, o.size, o.etag, o.project, o.app, o.ods_table
          FROM ROWS FROM (pg_catalog.unnest(p_urls), pg_catalog.unnest(p_sizes), pg_catalog.unnest(p_etags),
                          pg_catalog.unnest(p_projects), pg_catalog.unnest(p_apps), pg_catalog.unnest(p_tables))
               AS o(url, size, etag, project, app, ods_table)
         ORDER BY o.url
        ON CONFLICT (url) DO UPDATE
            SET object_size = EXCLUDED.object_size, etag = EXCLUDED.etag,
                project_id = EXCLUDED.project_id, app_id = EXCLUDED.app_id,
                ods_table = EXCLUDED.ods_table, status = 'NEW', attempts = 0, last_error = NULL,
                registered_at = pg_catalog.now(), next_attempt_at = pg_catalog.now(),
                updated_at = pg_catalog.now(), loaded_at = NULL, batch_id = NULL, rows_loaded = NULL
            WHERE q.etag IS DISTINCT FROM EXCLUDED.etag
               OR (EXCLUDED.etag IS NULL AND q.status <> 'NEW')
        RETURNING 1
    )
    SELECT pg_catalog.count(*) FROM queued;
$$;

CREATE FUNCTION @extschema@.enqueue(url text, size bigint DEFAULT NULL, etag text DEFAULT NULL)
RETURNS boolean
LANGUAGE plpgsql
AS $$
#variable_conflict use_column
DECLARE
    p_url     ALIAS FOR $1;
    p_size    ALIAS FOR $2;
    p_etag    ALIAS FOR $3;
    v_table   text;
    v_app     text;
    v_app_id  text;
    v_project text;
    v_rows    bigint;
BEGIN
    IF p_url IS NULL THEN
        RAISE EXCEPTION 'url must not be null' USING ERRCODE = 'null_value_not_allowed';
    END IF;
    SELECT p.ods_table, p.app INTO v_table, v_app FROM @extschema@.parse_ods_url(p_url) p;
    IF v_table IS NULL THEN
        RAISE EXCEPTION 'cannot tell the ODS table and app of "%"', p_url
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = 'The path must contain <table>/partition_app=<app>/<file>, with <table> one of event_v2, item_v2, session, user_v2.';
    END IF;
    SELECT a.app_id, a.project_id INTO v_app_id, v_project
      FROM @extschema@.apps a WHERE a.schema_name = @extschema@._app_schema(v_app);
    IF NOT FOUND THEN
        RAISE EXCEPTION 'app "%" of "%" is not registered', v_app, p_url
            USING ERRCODE = 'undefined_object',
                  HINT = pg_catalog.format('Create it first: SELECT clickstream.create_app(%L);', v_app);
    END IF;

    v_rows := @extschema@._queue_objects(ARRAY[p_url], ARRAY[p_size], ARRAY[p_etag],
                                         ARRAY[v_project], ARRAY[v_app_id], ARRAY[v_table]);
    IF v_rows > 0 THEN
        PERFORM @extschema@.wake_worker();
    END IF;
    RETURN v_rows > 0;
END
$$;
COMMENT ON FUNCTION @extschema@.enqueue(text, bigint, text) IS
    'Queue an object for loading (idempotent: the same url and etag is ignored); true if queued';

-- _loadable_name: objects discover() queues: data files by suffix (Parquet, CSV, JSON lines,
-- optionally compressed); never hidden or marker files (Spark's _SUCCESS, .crc, manifests).
CREATE FUNCTION @extschema@._loadable_name(p_url text)
RETURNS boolean
LANGUAGE sql IMMUTABLE STRICT
AS $$
    SELECT pg_catalog.regexp_replace($1, '^.*/', '') !~ '^[._]'
       AND $1 ~* '\.(parquet|csv|json|jsonl|ndjson)(\.(gz|gzip|zst|zstd))?$';
$$;

CREATE FUNCTION @extschema@.discover(prefix_url text)
RETURNS bigint
LANGUAGE plpgsql
AS $$
DECLARE
    v_queued  bigint;
    v_unknown text[];
BEGIN
    -- The whole listing in one insert (_queue_objects), not one enqueue() per object: the
    -- first poll of a prefix of 20,000 objects takes 2 s, not 8.  Objects already queued
    -- with the same etag are left out first, as the upsert would lock (write) each of their
    -- rows on every poll.
    WITH listed AS MATERIALIZED (
        SELECT DISTINCT ON (o.url) o.url, o.size, o.etag, p.ods_table, p.app, a.app_id, a.project_id
          FROM @extschema@.list_objects($1) o
         CROSS JOIN LATERAL @extschema@.parse_ods_url(o.url) p
          LEFT JOIN @extschema@.apps a
                 ON a.schema_name::text = @extschema@._app_schema_folded(p.app)
         WHERE @extschema@._loadable_name(o.url)
           AND NOT EXISTS (SELECT 1 FROM @extschema@.load_queue q
                            WHERE q.url = o.url AND (o.etag IS NULL OR q.etag = o.etag))
         ORDER BY o.url
    )
    SELECT (SELECT @extschema@._queue_objects(pg_catalog.array_agg(l.url), pg_catalog.array_agg(l.size),
                                              pg_catalog.array_agg(l.etag), pg_catalog.array_agg(l.project_id),
                                              pg_catalog.array_agg(l.app_id), pg_catalog.array_agg(l.ods_table))
              FROM listed l WHERE l.app_id IS NOT NULL),
           (SELECT pg_catalog.array_agg(DISTINCT l.app ORDER BY l.app) FROM listed l WHERE l.app_id IS NULL)
      INTO v_queued, v_unknown;
    IF v_queued > 0 THEN
        PERFORM @extschema@.wake_worker();
    END IF;
    IF v_unknown IS NOT NULL THEN
        -- found again by the next discovery, once the app exists
        RAISE WARNING 'objects under "%" of unregistered apps were skipped', $1
            USING DETAIL = 'Apps: ' || pg_catalog.array_to_string(v_unknown, ', ') || '.',
                  HINT = 'Register them with clickstream.create_app().';
    END IF;
    RETURN v_queued;
END
$$;
COMMENT ON FUNCTION @extschema@.discover(text) IS
    'List a prefix and queue every new or changed object of a registered app; returns the number queued';

CREATE FUNCTION @extschema@.add_source(
    prefix_url text,
    project_id text DEFAULT NULL,
    poll_interval interval DEFAULT '1 minute')
RETURNS void
LANGUAGE plpgsql
AS $$
#variable_conflict use_column
BEGIN
    IF $1 !~ '^(s3|file)://' THEN
        RAISE EXCEPTION 'cannot poll "%"', $1
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = 'Only s3:// and file:// prefixes can be listed.';
    END IF;
    INSERT INTO @extschema@.sources AS s (prefix_url, project_id, poll_interval)
    VALUES ($1, $2, $3)
    ON CONFLICT (prefix_url) DO UPDATE
        SET project_id = EXCLUDED.project_id, poll_interval = EXCLUDED.poll_interval,
            enabled = true, last_polled_at = NULL;
    -- the worker polls a new source at once
    PERFORM @extschema@.wake_worker();
END
$$;
COMMENT ON FUNCTION @extschema@.add_source(text, text, interval) IS
    'Have the worker list a prefix every poll_interval and queue new objects';

CREATE FUNCTION @extschema@.drop_source(prefix_url text)
RETURNS void
LANGUAGE plpgsql
AS $$
BEGIN
    DELETE FROM @extschema@.sources s WHERE s.prefix_url = $1;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'source "%" does not exist', $1 USING ERRCODE = 'undefined_object';
    END IF;
END
$$;
COMMENT ON FUNCTION @extschema@.drop_source(text) IS 'Stop polling a prefix';

-- poll_sources: discover() every enabled source whose poll_interval has elapsed.  A source
-- that fails (unreachable store, bad credentials) gets the error in last_error and a
-- WARNING; the others still run.  Returns the objects queued.
CREATE FUNCTION @extschema@.poll_sources()
RETURNS bigint
LANGUAGE plpgsql
AS $$
DECLARE
    v_src    record;
    v_n      bigint;
    v_total  bigint := 0;
    v_msg    text;
BEGIN
    FOR v_src IN
        SELECT prefix_url FROM @extschema@.sources
         WHERE enabled AND (last_polled_at IS NULL OR last_polled_at + poll_interval <= pg_catalog.now())
         ORDER BY prefix_url
           FOR UPDATE SKIP LOCKED
    LOOP
        BEGIN
            v_n := @extschema@.discover(v_src.prefix_url);
            UPDATE @extschema@.sources
               SET last_polled_at = pg_catalog.now(), last_queued = v_n, last_error = NULL
             WHERE prefix_url = v_src.prefix_url;
            v_total := v_total + v_n;
        EXCEPTION WHEN OTHERS THEN
            GET STACKED DIAGNOSTICS v_msg = MESSAGE_TEXT;
            UPDATE @extschema@.sources
               SET last_polled_at = pg_catalog.now(), last_queued = 0, last_error = v_msg
             WHERE prefix_url = v_src.prefix_url;
            RAISE WARNING 'could not poll source "%": %', v_src.prefix_url, v_msg;
        END;
    END LOOP;
    RETURN v_total;
END
$$;
COMMENT ON FUNCTION @extschema@.poll_sources() IS
    'Discover every source that is due; returns the number of objects queued';

CREATE FUNCTION @extschema@.retry_failed(
    app_id text DEFAULT NULL,
    ods_table text DEFAULT NULL,
    url_pattern text DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql
AS $$
#variable_conflict use_column
DECLARE
    v_rows bigint;
BEGIN
    -- FAILED files, and files waiting for a retry, become due now with a fresh budget
    UPDATE @extschema@.load_queue
       SET status = 'NEW', attempts = 0, next_attempt_at = pg_catalog.now(),
           updated_at = pg_catalog.now()
     WHERE (status = 'FAILED' OR (status = 'NEW' AND attempts > 0))
       AND ($1 IS NULL OR app_id = $1)
       AND ($2 IS NULL OR ods_table = $2)
       AND ($3 IS NULL OR url LIKE $3);
    GET DIAGNOSTICS v_rows = ROW_COUNT;
    IF v_rows > 0 THEN
        PERFORM @extschema@.wake_worker();
    END IF;
    RETURN v_rows;
END
$$;
COMMENT ON FUNCTION @extschema@.retry_failed(text, text, text) IS
    'Queue FAILED files (and files waiting for a retry) again, now; returns the number requeued';

CREATE VIEW @extschema@.load_status AS
SELECT app_id,
       ods_table,
       pg_catalog.count(*) FILTER (WHERE status = 'NEW' AND attempts = 0) AS new_files,
       pg_catalog.count(*) FILTER (WHERE status = 'NEW' AND attempts > 0) AS retrying_files,
       pg_catalog.count(*) FILTER (WHERE status IN ('ENQUEUE', 'PROCESSING')) AS in_progress_files,
       pg_catalog.count(*) FILTER (WHERE status = 'LOADED') AS loaded_files,
       pg_catalog.count(*) FILTER (WHERE status = 'FAILED') AS failed_files,
       COALESCE(pg_catalog.sum(object_size) FILTER (WHERE status = 'NEW'), 0) AS waiting_bytes,
       COALESCE(pg_catalog.sum(object_size) FILTER (WHERE status = 'LOADED'), 0) AS loaded_bytes,
       COALESCE(pg_catalog.sum(rows_loaded) FILTER (WHERE status = 'LOADED'), 0) AS loaded_rows,
       pg_catalog.now() - pg_catalog.min(registered_at) FILTER (WHERE status = 'NEW') AS oldest_waiting_age,
       pg_catalog.max(loaded_at) AS last_loaded_at
  FROM @extschema@.load_queue
 GROUP BY app_id, ods_table;
COMMENT ON VIEW @extschema@.load_status IS
    'Per app and ODS table: files per status, bytes, rows, age of the oldest waiting file';
GRANT SELECT ON @extschema@.load_status TO clickstream_loader;
