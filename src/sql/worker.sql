
-- The loader (docs/worker.md; spec §3.5-§3.9): batches of queued files are claimed, staged,
-- merged and marked LOADED in one transaction each, by the background worker
-- (src/worker/) or by clickstream.run_load_cycle() in any session.

-- wake_worker: wake the background workers when the current transaction commits (so they
-- see what it queued); a no-op without them.
CREATE FUNCTION @extschema@.wake_worker()
RETURNS void
LANGUAGE C VOLATILE PARALLEL UNSAFE
AS 'MODULE_PATHNAME', 'pg_clickstream_wake_worker';
COMMENT ON FUNCTION @extschema@.wake_worker() IS
    'Wake the loader workers at commit (enqueue, add_source and retry_failed call it)';

-- _setting: a loader setting as text, or p_default when the library has not defined it in
-- this session yet (settings come with the library; a session may not have loaded it).
CREATE FUNCTION @extschema@._setting(p_name text, p_default text)
RETURNS text
LANGUAGE sql STABLE
AS $$
    SELECT COALESCE(NULLIF(pg_catalog.current_setting($1, true), ''), $2);
$$;

-- _copy_files: copy the files into p_into, in order, in one call (so that the next files
-- download while one loads); returns each file's row count.
CREATE FUNCTION @extschema@._copy_files(p_into regclass, p_urls text[], p_sizes bigint[],
                                        p_options jsonb)
RETURNS bigint[]
LANGUAGE sql
AS $$
    SELECT pg_catalog.array_agg(e.rows_loaded ORDER BY e.entry)
      FROM @extschema@.copy_from_manifest_entries(
               p_into,
               pg_catalog.jsonb_build_object('entries', (
                   SELECT pg_catalog.jsonb_agg(
                              pg_catalog.jsonb_build_object('url', f.url, 'mandatory', true)
                              || CASE WHEN f.size IS NULL THEN '{}'::jsonb
                                      ELSE pg_catalog.jsonb_build_object('meta',
                                               pg_catalog.jsonb_build_object('content_length', f.size))
                                 END
                              ORDER BY f.n)
                     FROM ROWS FROM (pg_catalog.unnest(p_urls), pg_catalog.unnest(p_sizes))
                          WITH ORDINALITY AS f(url, size, n))),
               'auto', p_options) e;
$$;

-- _path_partition_start: the start of the partition (p_unit 'day' or 'month') that a file's
-- rows belong in, from partition_year=/partition_month=/partition_day= in its path (spec
-- §2.8), or NULL when the path does not say (no day for a daily table, or no such date).
CREATE FUNCTION @extschema@._path_partition_start(p_url text, p_unit text)
RETURNS timestamp
LANGUAGE sql IMMUTABLE
AS $$
    SELECT CASE WHEN p_unit = 'month' THEN mo.month
                WHEN m[3] IS NOT NULL
                     AND mo.month + (m[3]::integer - 1) * interval '1 day' < mo.month + interval '1 month'
                     AND m[3]::integer >= 1
                THEN mo.month + (m[3]::integer - 1) * interval '1 day'
           END
      FROM pg_catalog.regexp_match(p_url,
               '/partition_year=([0-9]{4})/partition_month=([0-9]{1,2})/(?:partition_day=([0-9]{1,2})/)?') m,
           LATERAL (SELECT pg_catalog.make_timestamp(m[1]::integer, m[2]::integer, 1, 0, 0, 0) AS month) mo
     WHERE m[2]::integer BETWEEN 1 AND 12;
$$;

-- _copy_some_files: copy the files at positions p_files of p_urls (a direct copy: every
-- created_time defaulted) into p_into; returns p_rows with their row counts set.
CREATE FUNCTION @extschema@._copy_some_files(p_into regclass, p_urls text[], p_sizes bigint[],
                                             p_files bigint[], p_rows bigint[])
RETURNS bigint[]
LANGUAGE plpgsql
AS $$
DECLARE
    v_counts bigint[];
BEGIN
    v_counts := @extschema@._copy_files(p_into,
                    (SELECT pg_catalog.array_agg(p_urls[i] ORDER BY i) FROM pg_catalog.unnest(p_files) i),
                    (SELECT pg_catalog.array_agg(p_sizes[i] ORDER BY i) FROM pg_catalog.unnest(p_files) i),
                    '{"defaults": ["created_time"]}');
    FOR i IN 1 .. pg_catalog.cardinality(p_files) LOOP
        p_rows[p_files[i]] := v_counts[i];
    END LOOP;
    RETURN p_rows;
END
$$;

-- _copy_files_direct: copy a batch's files straight into a partitioned ODS table (the
-- direct attempt of _load_files); returns each file's row count.  Files of a day (or
-- month) that has no partition yet (judged by their path) fill a new table of their own,
-- which then becomes the partition with its indexes built in bulk: for a day's first
-- batch that is about half the cost of maintaining the indexes row by row.  A file with a
-- row of another day sends its group to the table itself (rows routed to their own
-- partitions) in a partition created empty.  The other files are copied into the table.
-- Order does not matter here: a key twice in the batch fails the direct attempt anyway.
CREATE FUNCTION @extschema@._copy_files_direct(p_target regclass, p_urls text[], p_sizes bigint[])
RETURNS bigint[]
LANGUAGE plpgsql
AS $$
DECLARE
    v_unit    text := @extschema@._partition_unit(p_target);
    v_group   record;
    v_part    regclass;
    v_rest    bigint[] := '{}';
    v_rows    bigint[] := pg_catalog.array_fill(NULL::bigint, ARRAY[pg_catalog.cardinality(p_urls)]);
BEGIN
    FOR v_group IN
        SELECT f.start, pg_catalog.array_agg(f.n ORDER BY f.n) AS files
          FROM (SELECT u.n, @extschema@._path_partition_start(u.url, v_unit) AS start
                  FROM pg_catalog.unnest(p_urls) WITH ORDINALITY AS u(url, n)) f
         GROUP BY f.start
         ORDER BY f.start
    LOOP
        -- A day whose partition exists (or that the paths do not name) goes the usual way.
        -- Creators of the table's partitions take turns, and ATTACH holds the table's SHARE
        -- UPDATE EXCLUSIVE lock until commit anyway: a side-by-side batch waits in the
        -- claim, before it has inserted anything.
        IF NOT @extschema@._claim_new_partition(p_target, v_group.start) THEN
            v_rest := v_rest || v_group.files;
            CONTINUE;
        END IF;
        BEGIN
            v_part := @extschema@._new_partition_table(p_target, v_group.start);
            v_rows := @extschema@._copy_some_files(v_part, p_urls, p_sizes, v_group.files, v_rows);
            PERFORM @extschema@._attach_partition(p_target, v_part, v_group.start);
        EXCEPTION WHEN check_violation THEN
            -- a row of another day: an empty partition, and these files the usual way
            PERFORM @extschema@._ensure_partitions(p_target, ARRAY[v_group.start]);
            v_rest := v_rest || v_group.files;
        END;
    END LOOP;
    IF pg_catalog.cardinality(v_rest) > 0 THEN
        v_rows := @extschema@._copy_some_files(p_target, p_urls, p_sizes, v_rest, v_rows);
    END IF;
    RETURN v_rows;
END
$$;

-- _allows_concurrent_batches: whether batches of this ODS table may load side by side
-- under clickstream.concurrent_table_batches (see load_next_batch).  Only tables whose
-- staged merge survives a concurrent insert of one of its keys (its plain INSERT falls
-- back to the upsert on a unique violation: see _merge).
CREATE FUNCTION @extschema@._allows_concurrent_batches(p_table name)
RETURNS boolean
LANGUAGE sql IMMUTABLE
AS $$
    SELECT p_table IN ('event_v2', 'item_v2');
$$;

-- _tries_direct_copy: whether the next batch of an app's ODS table tries a direct copy
-- first (see _load_files): unless one of the table's last 4 batches fell back on a key
-- conflict.  A direct attempt that falls back costs the copy up to the first repeated key,
-- so a table whose files are often re-delivered (users are, in every file of a day they
-- were active) stages its batches, and tries again after 4 staged ones.  A missing
-- partition is a one-off (the staged merge creates it) and does not count.
CREATE FUNCTION @extschema@._tries_direct_copy(p_app_id text, p_table name)
RETURNS boolean
LANGUAGE sql STABLE
AS $$
    SELECT NOT EXISTS (
        SELECT 1
          FROM (SELECT b.fallback_cause
                  FROM @extschema@.load_batches b
                 WHERE b.app_id = p_app_id AND b.ods_table = p_table AND b.load_method IS NOT NULL
                 ORDER BY b.batch_id DESC
                 LIMIT 4) recent
         WHERE recent.fallback_cause = 'key conflict');
$$;

-- _load_files: load a batch of files into an ODS table with its merge rule (spec §3.9).
-- Runs in the caller's (sub)transaction; errors propagate.
--
-- When no key of a batch is in the table or twice in the batch, every merge rule of §3.9
-- comes down to a plain insert with created_time = now().  That is the usual case for new
-- events, items and sessions, so with p_try_direct the files are first copied straight into
-- the table, with created_time defaulted: this skips the staging table and the duplicate
-- scan (half the time of a batch).  A unique violation (a key already there, or twice in
-- the batch) or a row without a partition undoes that attempt (its subtransaction), and
-- the batch takes the staged merge.
--
-- load_method says which way the batch went: 'direct', 'staged' (not tried directly), or
-- 'fallback' (staged after the direct attempt was undone, for fallback_cause: 'key
-- conflict', 'no partition' or 'deadlock').
CREATE FUNCTION @extschema@._load_files(p_target regclass, p_urls text[], p_sizes bigint[],
                                        p_try_direct boolean,
                                        OUT file_rows bigint[], OUT rows_merged bigint,
                                        OUT load_method text, OUT fallback_cause text)
LANGUAGE plpgsql
AS $$
DECLARE
    v_stage regclass;
BEGIN
    IF p_try_direct THEN
        BEGIN
            IF EXISTS (SELECT 1 FROM pg_catalog.pg_partitioned_table WHERE partrelid = p_target) THEN
                file_rows := @extschema@._copy_files_direct(p_target, p_urls, p_sizes);
            ELSE
                file_rows := @extschema@._copy_files(p_target, p_urls, p_sizes,
                                                     '{"defaults": ["created_time"]}');
            END IF;
            SELECT pg_catalog.sum(r) INTO rows_merged FROM pg_catalog.unnest(file_rows) r;
            load_method := 'direct';
            RETURN;
        EXCEPTION
            WHEN unique_violation THEN
                -- a key already loaded (or twice in the batch): the merge upserts at once
                -- rather than try a plain insert that would fail the same way
                fallback_cause := 'key conflict';
            WHEN check_violation THEN
                -- a row of a day or month with no partition yet: the merge creates it
                fallback_cause := 'no partition';
            WHEN deadlock_detected THEN
                -- only between concurrent batches of the table (see load_next_batch)
                fallback_cause := 'deadlock';
        END;
    END IF;
    load_method := CASE WHEN fallback_cause IS NULL THEN 'staged' ELSE 'fallback' END;
    v_stage := @extschema@.stage_table(p_target);
    file_rows := @extschema@._copy_files(v_stage, p_urls, p_sizes, '{}');
    rows_merged := @extschema@._merge_batch(p_target, v_stage,
                                            fallback_cause IS NOT DISTINCT FROM 'key conflict');
    -- free the staged rows now rather than at the next batch
    EXECUTE pg_catalog.format('TRUNCATE %s', v_stage);
END
$$;

-- _try_batch: load files of one (app, table) as batch p_batch in a subtransaction.  On
-- success the files become LOADED; on failure nothing of the load remains and the error is
-- returned (NULL on success).  Either way a load_batches row records the attempt.
CREATE FUNCTION @extschema@._try_batch(p_batch bigint, p_app_id text, p_table text,
                                       p_target regclass, p_urls text[], p_sizes bigint[],
                                       p_try_direct boolean)
RETURNS text
LANGUAGE plpgsql
AS $$
DECLARE
    v_started timestamptz := pg_catalog.clock_timestamp();
    v_result  record;
    v_msg     text;
    v_detail  text;
    v_state   text;
    v_context text;
    v_error   text;
BEGIN
    BEGIN
        IF p_target IS NULL THEN
            RAISE EXCEPTION 'table %.% does not exist', p_app_id, p_table
                USING ERRCODE = 'undefined_table',
                      HINT = 'Recreate it with clickstream.create_app().';
        END IF;
        SELECT * INTO v_result FROM @extschema@._load_files(p_target, p_urls, p_sizes, p_try_direct);
        UPDATE @extschema@.load_queue q
           SET status = 'LOADED', rows_loaded = f.rows, loaded_at = pg_catalog.now(),
               updated_at = pg_catalog.now(), last_error = NULL, batch_id = p_batch
          FROM unnest(p_urls, v_result.file_rows) AS f(url, rows)
         WHERE q.url = f.url;
        INSERT INTO @extschema@.load_batches
            (batch_id, app_id, ods_table, status, files, bytes, rows_loaded, rows_merged,
             load_method, fallback_cause, urls, started_at, finished_at)
        VALUES (p_batch, p_app_id, p_table, 'LOADED', pg_catalog.cardinality(p_urls),
                (SELECT pg_catalog.sum(s) FROM pg_catalog.unnest(p_sizes) s),
                (SELECT pg_catalog.sum(r) FROM pg_catalog.unnest(v_result.file_rows) r),
                v_result.rows_merged, v_result.load_method, v_result.fallback_cause, p_urls, v_started,
                pg_catalog.clock_timestamp());
        RETURN NULL;
    EXCEPTION WHEN OTHERS THEN
        -- the subtransaction is gone: no staged row, no merged row, no status change
        GET STACKED DIAGNOSTICS v_msg = MESSAGE_TEXT, v_detail = PG_EXCEPTION_DETAIL,
                                v_state = RETURNED_SQLSTATE, v_context = PG_EXCEPTION_CONTEXT;
        -- the loader's own context line names the object, row and column
        v_error := v_msg || COALESCE(' (' || NULLIF(v_detail, '') || ')', '')
                   || COALESCE(' [' || (SELECT l FROM pg_catalog.regexp_split_to_table(v_context, E'\n') l
                                          WHERE l LIKE 'loading %' LIMIT 1) || ']', '')
                   || ' SQLSTATE ' || v_state;
    END;
    INSERT INTO @extschema@.load_batches
        (batch_id, app_id, ods_table, status, files, bytes, urls, started_at, finished_at, error)
    VALUES (p_batch, p_app_id, p_table, 'FAILED', pg_catalog.cardinality(p_urls),
            (SELECT pg_catalog.sum(s) FROM pg_catalog.unnest(p_sizes) s),
            p_urls, v_started, pg_catalog.clock_timestamp(), v_error);
    RETURN v_error;
END
$$;

-- _fail_file: count a failed attempt of one file: back to NEW with a retry due after
-- retry_delay * 2^(attempts - 1), or FAILED once max_attempts is reached.
CREATE FUNCTION @extschema@._fail_file(p_url text, p_batch bigint, p_error text)
RETURNS void
LANGUAGE plpgsql
AS $$
DECLARE
    v_max   integer := @extschema@._setting('clickstream.max_attempts', '5')::integer;
    v_delay interval := @extschema@._setting('clickstream.retry_delay', '120s')::interval;
BEGIN
    UPDATE @extschema@.load_queue
       SET attempts = attempts + 1,
           status = CASE WHEN attempts + 1 >= v_max THEN 'FAILED' ELSE 'NEW' END,
           next_attempt_at = pg_catalog.now()
                             + v_delay * pg_catalog.power(2, LEAST(attempts, 20))::integer,
           last_error = p_error, batch_id = p_batch, updated_at = pg_catalog.now()
     WHERE url = p_url;
END
$$;

CREATE FUNCTION @extschema@.load_next_batch()
RETURNS TABLE (batch_id bigint, app_id text, ods_table text, files integer,
               loaded_files integer, failed_files integer)
LANGUAGE plpgsql
AS $$
#variable_conflict use_column
DECLARE
    v_max_files integer := @extschema@._setting('clickstream.batch_max_files', '50')::integer;
    v_max_bytes bigint := pg_catalog.pg_size_bytes(@extschema@._setting('clickstream.batch_max_bytes', '1GB'));
    v_concurrent boolean := @extschema@._setting('clickstream.concurrent_table_batches', 'off')::boolean;
    v_lock_key  integer;
    v_side_by_side boolean;
    v_group     record;
    v_file      record;
    v_urls      text[] := '{}';
    v_sizes     bigint[] := '{}';
    v_bytes     bigint := 0;
    v_target    regclass;
    v_batch     bigint;
    v_single    bigint;
    v_direct    boolean;
    v_error     text;
    v_loaded    integer := 0;
    v_failed    integer := 0;
BEGIN
    -- Candidates: (app, table) groups with due NEW files, oldest first.  A group is loaded
    -- by one session at a time (advisory lock), so batches of one table never race on its
    -- keys or partitions and load in queue order; its files are locked too (FOR UPDATE SKIP
    -- LOCKED).  clickstream.concurrent_table_batches relaxes this for event_v2 and item_v2
    -- (_allows_concurrent_batches): concurrent inserts of one key wait for each other, the
    -- loser's direct copy fails and it upserts, so the batch that commits last wins the key.
    FOR v_group IN
        SELECT q.app_id, q.ods_table
          FROM @extschema@.load_queue q
         WHERE q.status = 'NEW' AND q.next_attempt_at <= pg_catalog.now()
         GROUP BY q.app_id, q.ods_table
         ORDER BY pg_catalog.min(q.registered_at)
    LOOP
        -- With clickstream.concurrent_table_batches, batches of the tables that
        -- _allows_concurrent_batches names share the group: each takes other files.
        v_side_by_side := v_concurrent AND @extschema@._allows_concurrent_batches(v_group.ods_table);
        v_lock_key := pg_catalog.hashtext(v_group.app_id || '/' || v_group.ods_table);
        CONTINUE WHEN NOT CASE
            WHEN v_side_by_side
            THEN pg_catalog.pg_try_advisory_xact_lock_shared(pg_catalog.hashtext('clickstream.load'), v_lock_key)
            ELSE pg_catalog.pg_try_advisory_xact_lock(pg_catalog.hashtext('clickstream.load'), v_lock_key)
        END;
        FOR v_file IN
            SELECT q.url, q.object_size
              FROM @extschema@.load_queue q
             WHERE q.app_id = v_group.app_id AND q.ods_table = v_group.ods_table
               AND q.status = 'NEW' AND q.next_attempt_at <= pg_catalog.now()
             ORDER BY q.registered_at, q.url
             LIMIT v_max_files
               FOR UPDATE SKIP LOCKED
        LOOP
            EXIT WHEN pg_catalog.cardinality(v_urls) > 0
                  AND v_bytes + COALESCE(v_file.object_size, 0) > v_max_bytes;
            v_urls := v_urls || v_file.url;
            v_sizes := v_sizes || v_file.object_size;
            v_bytes := v_bytes + COALESCE(v_file.object_size, 0);
        END LOOP;
        EXIT WHEN pg_catalog.cardinality(v_urls) > 0;
    END LOOP;
    IF pg_catalog.cardinality(v_urls) = 0 THEN
        RETURN;
    END IF;

    SELECT pg_catalog.to_regclass(pg_catalog.format('%I.%I', a.schema_name, v_group.ods_table))
      INTO v_target FROM @extschema@.apps a WHERE a.app_id = v_group.app_id;
    v_batch := pg_catalog.nextval('@extschema@.load_batch_id_seq');
    -- seen only by this transaction: a crash rolls it back to NEW, so nothing stays stuck
    UPDATE @extschema@.load_queue q SET status = 'PROCESSING', batch_id = v_batch
     WHERE q.url = ANY (v_urls);

    -- Side-by-side batches always try first: a deadlock between them then undoes a direct
    -- attempt (a fallback) rather than failing a batch.
    v_direct := v_side_by_side
                OR @extschema@._tries_direct_copy(v_group.app_id, v_group.ods_table);
    v_error := @extschema@._try_batch(v_batch, v_group.app_id, v_group.ods_table, v_target,
                                      v_urls, v_sizes, v_direct);
    IF v_error IS NULL THEN
        v_loaded := pg_catalog.cardinality(v_urls);
    ELSIF pg_catalog.cardinality(v_urls) = 1 THEN
        PERFORM @extschema@._fail_file(v_urls[1], v_batch, v_error);
        v_failed := 1;
    ELSE
        -- Isolate the bad file(s): load the batch's files one by one, so that the good ones
        -- are loaded now and only the bad ones wait for a retry.
        FOR i IN 1 .. pg_catalog.cardinality(v_urls) LOOP
            v_single := pg_catalog.nextval('@extschema@.load_batch_id_seq');
            v_error := @extschema@._try_batch(v_single, v_group.app_id, v_group.ods_table,
                                              v_target, v_urls[i:i], v_sizes[i:i], v_direct);
            IF v_error IS NULL THEN
                v_loaded := v_loaded + 1;
            ELSE
                PERFORM @extschema@._fail_file(v_urls[i], v_single, v_error);
                v_failed := v_failed + 1;
            END IF;
        END LOOP;
    END IF;

    RETURN QUERY SELECT v_batch, v_group.app_id, v_group.ods_table,
                        pg_catalog.cardinality(v_urls), v_loaded, v_failed;
END
$$;
COMMENT ON FUNCTION @extschema@.load_next_batch() IS
    'Claim, load, merge and complete one batch of queued files in the current transaction';

-- recover_queue: files left ENQUEUE or PROCESSING by something that committed them (the
-- loader itself never does) go back to NEW; rows locked by a running load are skipped.
CREATE FUNCTION @extschema@.recover_queue()
RETURNS bigint
LANGUAGE plpgsql
AS $$
DECLARE
    v_rows bigint;
BEGIN
    UPDATE @extschema@.load_queue q SET status = 'NEW', updated_at = pg_catalog.now()
     WHERE q.url IN (SELECT url FROM @extschema@.load_queue
                      WHERE status IN ('ENQUEUE', 'PROCESSING') FOR UPDATE SKIP LOCKED);
    GET DIAGNOSTICS v_rows = ROW_COUNT;
    RETURN v_rows;
END
$$;
COMMENT ON FUNCTION @extschema@.recover_queue() IS
    'Put files stuck in ENQUEUE/PROCESSING back to NEW; returns how many';

CREATE FUNCTION @extschema@.prune_batches()
RETURNS bigint
LANGUAGE plpgsql
AS $$
DECLARE
    v_age  interval := @extschema@._setting('clickstream.batch_history_age', '7d')::interval;
    v_rows bigint;
BEGIN
    DELETE FROM @extschema@.load_batches WHERE finished_at < pg_catalog.now() - v_age;
    GET DIAGNOSTICS v_rows = ROW_COUNT;
    RETURN v_rows;
END
$$;
COMMENT ON FUNCTION @extschema@.prune_batches() IS
    'Delete load_batches rows older than clickstream.batch_history_age; returns how many';

CREATE PROCEDURE @extschema@.run_load_cycle(
    INOUT batches integer DEFAULT NULL,
    INOUT loaded_files integer DEFAULT NULL,
    INOUT failed_files integer DEFAULT NULL)
LANGUAGE plpgsql
AS $$
DECLARE
    v_batch record;
BEGIN
    batches := 0;
    loaded_files := 0;
    failed_files := 0;
    PERFORM @extschema@.poll_sources();
    COMMIT;
    LOOP
        SELECT * INTO v_batch FROM @extschema@.load_next_batch();
        EXIT WHEN NOT FOUND;
        COMMIT;
        batches := batches + 1;
        loaded_files := loaded_files + v_batch.loaded_files;
        failed_files := failed_files + v_batch.failed_files;
    END LOOP;
    PERFORM @extschema@.prune_batches();
    COMMIT;
END
$$;
COMMENT ON PROCEDURE @extschema@.run_load_cycle(integer, integer, integer) IS
    'One load cycle in this session: poll sources, then load batches until none is due, committing each';
