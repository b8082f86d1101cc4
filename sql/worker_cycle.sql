-- clickstream.run_load_cycle(): batches of queued files loaded, merged and completed in
-- this session, one transaction per batch; a poison file is isolated, retried, then FAILED.
-- (The background worker runs the same SQL: see test/t/1*_worker_*.pl.)
SET client_min_messages = warning;
SELECT clickstream.wake_worker();   -- loads the library, so its settings exist here
CREATE SCHEMA regress_worker;
CREATE FUNCTION regress_worker.write(p_name text, p_content text)
RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    v_path text := '/tmp/pg_clickstream_regress_worker/p/' || p_name;
BEGIN
    EXECUTE format('COPY (SELECT %L) TO PROGRAM %L',
        replace(encode(convert_to(p_content, 'UTF8'), 'base64'), E'\n', ''),
        format('mkdir -p "$(dirname %s)" && base64 -d > %s', v_path, v_path));
    RETURN 'file://' || v_path;
END
$$;
-- an event line: key (id, ts), a name and a user
CREATE FUNCTION regress_worker.ev(p_id text, p_ts text, p_name text, p_user text DEFAULT 'u1')
RETURNS text LANGUAGE sql AS $$
    SELECT json_build_object('event_timestamp', p_ts, 'event_id', p_id, 'event_time_msec', 1,
                             'event_name', p_name, 'project_id', 'proj', 'app_id', 'cyc',
                             'user_pseudo_id', p_user, 'created_time', '2000-01-01T00:00:00',
                             'custom_parameters', json_build_object('k', json_build_object('value', p_id, 'type', 'string')))::text
$$;
COPY (SELECT 1) TO PROGRAM 'rm -rf /tmp/pg_clickstream_regress_worker; cat >/dev/null';
SELECT clickstream.create_app('cyc', 'proj');

-- four tables; event_v2 gets two good files with a duplicate key across them, a poison file
-- (a row without event_id) between them, and a file of another month
SELECT clickstream.enqueue(regress_worker.write('event_v2/partition_app=cyc/partition_year=2024/partition_month=01/partition_day=01/a.jsonl',
    regress_worker.ev('e1', '2024-01-01T10:00:00', 'first') || E'\n' ||
    regress_worker.ev('e2', '2024-01-01T10:00:01', 'a') || E'\n'));
SELECT clickstream.enqueue(regress_worker.write('event_v2/partition_app=cyc/partition_year=2024/partition_month=01/partition_day=01/b-poison.jsonl',
    regress_worker.ev('e3', '2024-01-01T10:00:02', 'ok') || E'\n' ||
    '{"event_timestamp": "2024-01-01T10:00:03", "event_time_msec": 1, "event_name": "no id", "project_id": "p", "app_id": "cyc", "user_pseudo_id": "u"}' || E'\n'));
SELECT clickstream.enqueue(regress_worker.write('event_v2/partition_app=cyc/partition_year=2024/partition_month=01/partition_day=01/c.jsonl',
    regress_worker.ev('e1', '2024-01-01T10:00:00', 'second') || E'\n'));
SELECT clickstream.enqueue(regress_worker.write('event_v2/partition_app=cyc/partition_year=2024/partition_month=02/partition_day=01/d.jsonl',
    regress_worker.ev('e4', '2024-02-01T00:00:00', 'february') || E'\n'));
SELECT clickstream.enqueue(regress_worker.write('item_v2/partition_app=cyc/partition_year=2024/partition_month=01/partition_day=01/a.jsonl',
    '{"event_timestamp": "2024-01-01T10:00:00", "event_id": "e1", "event_name": "view_item", "user_pseudo_id": "u1", "item_id": "i1", "price": 9.5}' || E'\n'));
SELECT clickstream.enqueue(regress_worker.write('session/partition_app=cyc/partition_year=2024/partition_month=01/partition_day=01/a.jsonl',
    '{"event_timestamp": "2024-01-01T10:00:00", "user_pseudo_id": "u1", "session_id": "s1", "session_source": "Direct"}' || E'\n' ||
    '{"event_timestamp": "2024-01-01T10:00:05", "user_pseudo_id": "u1", "session_id": "s1", "session_source": "google"}' || E'\n'));
SELECT clickstream.enqueue(regress_worker.write('user_v2/partition_app=cyc/partition_year=2024/partition_month=01/partition_day=01/a.jsonl',
    '{"event_timestamp": "2024-01-01T10:00:00", "user_pseudo_id": "u1", "user_id": "alice", "user_properties": {"plan": {"value": "pro", "type": "string", "set_time_msec": 1}}}' || E'\n'));

SET clickstream.retry_delay = '1h';
SET clickstream.max_attempts = 3;
CALL clickstream.run_load_cycle();

-- the poison file waits for a retry; every other file is loaded, with its row count
SELECT ods_table, regexp_replace(url, '^.*/partition_app=cyc/', '') AS file, status, attempts,
       rows_loaded, next_attempt_at > now() + interval '50 minutes' AS retry_later,
       split_part(regexp_replace(last_error, 'clickstream_stage_[0-9]+', 'clickstream_stage_N'), ' (', 1) AS error,
       regexp_replace(substring(last_error from '\[.*\] SQLSTATE .*$'), 'file://\S*/', '') AS error_context
  FROM clickstream.load_queue ORDER BY ods_table, url;
-- the batch history: the event batch failed as a whole, then its files went one by one
SELECT batch_id - (SELECT min(batch_id) FROM clickstream.load_batches) AS batch, ods_table, status,
       files, rows_loaded, rows_merged, load_method, fallback_cause, error IS NOT NULL AS has_error
  FROM clickstream.load_batches ORDER BY batch_id;
-- the duplicate across files: the one loaded last wins; partitions per month
SELECT event_id, event_name, custom_parameters, tableoid::regclass AS partition
  FROM cyc.event_v2 ORDER BY event_id;
SELECT item_id, price FROM cyc.item_v2;
SELECT session_id, session_source FROM cyc.session;
SELECT user_id, user_properties FROM cyc.user_v2;
SELECT app_id, ods_table, new_files, retrying_files, loaded_files, failed_files, loaded_rows
  FROM clickstream.load_status ORDER BY ods_table;

-- created_time is the load time, not the file's, whether a batch went straight into the
-- table (a.jsonl, d.jsonl) or through the staged merge (c.jsonl, a key already loaded)
SELECT event_id, created_time > now() AT TIME ZONE 'UTC' - interval '1 hour' AS created_at_load
  FROM cyc.event_v2 ORDER BY event_id;

-- a row of a month its path does not name (no partition prepared): the direct copy fails
-- on the missing partition and the staged merge creates it.  (The batches above fell
-- back; with them in the history the next event batches would not try a direct copy.)
DELETE FROM clickstream.load_batches WHERE ods_table = 'event_v2';
SELECT clickstream.enqueue(regress_worker.write('event_v2/partition_app=cyc/partition_year=2024/partition_month=03/partition_day=31/late.jsonl',
    regress_worker.ev('e5', '2024-04-01T00:30:00', 'april') || E'\n'));
CALL clickstream.run_load_cycle();
SELECT event_id, tableoid::regclass AS partition, created_time > now() AT TIME ZONE 'UTC' - interval '1 hour' AS created_at_load
  FROM cyc.event_v2 WHERE event_id = 'e5';
SELECT q.status, q.rows_loaded, b.load_method, b.fallback_cause
  FROM clickstream.load_queue q JOIN clickstream.load_batches b USING (batch_id)
 WHERE q.url LIKE '%late.jsonl';
-- a missing partition is a one-off: the next batch tries a direct copy again
SELECT clickstream._tries_direct_copy('cyc', 'event_v2') AS next_tries_direct;

-- nothing due: a cycle does nothing
CALL clickstream.run_load_cycle();

-- with no delay the poison file is retried at once, up to max_attempts, then FAILED
SET clickstream.retry_delay = 0;
SELECT clickstream.retry_failed();
CALL clickstream.run_load_cycle();
SELECT regexp_replace(url, '^.*/', '') AS file, status, attempts FROM clickstream.load_queue
 WHERE status <> 'LOADED';

-- fixed upstream and requeued: it loads; its good row e3 was never merged before
SELECT regress_worker.write('event_v2/partition_app=cyc/partition_year=2024/partition_month=01/partition_day=01/b-poison.jsonl',
    regress_worker.ev('e3', '2024-01-01T10:00:02', 'fixed') || E'\n') IS NOT NULL AS rewritten;
SELECT clickstream.retry_failed(url_pattern => '%b-poison%');
CALL clickstream.run_load_cycle();
SELECT event_id, event_name FROM cyc.event_v2 ORDER BY 1;

-- a re-delivered file (no etag: queued again) loads again and changes nothing: its direct
-- copy falls back, and the merge upserts at once, without a plain INSERT that would fail
-- on the same key: 2 INSERT statements on the table (counted by a sequence, which the
-- rollback of the direct attempt does not undo)
DELETE FROM clickstream.load_batches WHERE ods_table = 'event_v2';
CREATE SEQUENCE regress_worker.insert_statements;
CREATE FUNCTION regress_worker.count_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM nextval('regress_worker.insert_statements');
    RETURN NULL;
END $$;
CREATE TRIGGER count_insert BEFORE INSERT ON cyc.event_v2
    FOR EACH STATEMENT EXECUTE FUNCTION regress_worker.count_insert();
SELECT clickstream.enqueue(url) FROM clickstream.load_queue WHERE url LIKE '%event_v2%/a.jsonl';
CALL clickstream.run_load_cycle();
SELECT last_value AS insert_statements FROM regress_worker.insert_statements;
DROP TRIGGER count_insert ON cyc.event_v2;
SELECT count(*) AS events FROM cyc.event_v2;
SELECT load_method FROM clickstream.load_batches ORDER BY batch_id DESC LIMIT 1;
SELECT status, rows_loaded FROM clickstream.load_queue WHERE url LIKE '%event_v2%/a.jsonl';

-- after a batch fell back, the table's next 4 batches are staged without a direct attempt,
-- and the 5th tries again: a re-delivered session (u1, s1), then five new ones, one per batch
DELETE FROM clickstream.load_batches WHERE ods_table = 'session';
SET clickstream.batch_max_files = 1;
SELECT count(clickstream.enqueue(regress_worker.write(
           format('session/partition_app=cyc/partition_year=2024/partition_month=01/partition_day=04/r%s.jsonl', i),
           format('{"event_timestamp": "2024-01-04T00:00:00", "user_pseudo_id": "u1", "session_id": "%s"}',
                  CASE WHEN i = 0 THEN 's1' ELSE 'r' || i END) || E'\n')))
  FROM generate_series(0, 5) i;
CALL clickstream.run_load_cycle();
RESET clickstream.batch_max_files;
SELECT regexp_replace(b.urls[1], '^.*/', '') AS file, b.load_method, b.fallback_cause, b.rows_merged
  FROM clickstream.load_batches b
 WHERE b.ods_table = 'session' AND b.urls[1] LIKE '%partition_day=04%' ORDER BY b.batch_id;
SELECT session_id, session_source FROM cyc.session ORDER BY session_id;

-- batch_max_files: 5 files, 2 per batch -> 3 batches
SET clickstream.batch_max_files = 2;
SELECT clickstream.enqueue(regress_worker.write(format('user_v2/partition_app=cyc/partition_year=2024/partition_month=01/partition_day=02/%s.jsonl', i),
    format('{"event_timestamp": "2024-01-02T00:00:0%s", "user_pseudo_id": "u%s"}', i, i) || E'\n'))
  FROM generate_series(1, 5) i;
CALL clickstream.run_load_cycle();
SELECT count(*) AS users FROM cyc.user_v2;
RESET clickstream.batch_max_files;
-- batch_max_bytes: 5 files of about 650 bytes, at most 1 kB a batch -> one file each
SET clickstream.batch_max_bytes = '1kB';
SELECT count(*) FROM (
    SELECT regress_worker.write(format('user_v2/partition_app=cyc/partition_year=2024/partition_month=01/partition_day=03/%s.jsonl', i),
        format('{"event_timestamp": "2024-01-03T00:00:0%s", "user_pseudo_id": "v%s", "user_properties_json_str": "%s"}', i, i, repeat('x', 600)) || E'\n')
      FROM generate_series(1, 5) i) w;
SELECT bool_and(clickstream.enqueue(url, size, etag)), min(size) > 600 AS big
  FROM clickstream.list_objects('file:///tmp/pg_clickstream_regress_worker/p/user_v2/partition_app=cyc/partition_year=2024/partition_month=01/partition_day=03/');
CALL clickstream.run_load_cycle();
RESET clickstream.batch_max_bytes;
SELECT count(*) AS users FROM cyc.user_v2;

-- a file that vanished is an error naming it (mandatory manifest entry)
SELECT clickstream.enqueue('file:///tmp/pg_clickstream_regress_worker/p/session/partition_app=cyc/gone.jsonl');
CALL clickstream.run_load_cycle();
SELECT status, attempts, regexp_replace(last_error, 'file://\S*/', '') AS last_error
  FROM clickstream.load_queue WHERE url LIKE '%gone%';

-- history pruning
SET clickstream.batch_history_age = '1min';
UPDATE clickstream.load_batches SET finished_at = finished_at - interval '2 minutes'
 WHERE batch_id = (SELECT min(batch_id) FROM clickstream.load_batches);
SELECT clickstream.prune_batches();

-- a file left PROCESSING by something that committed it goes back to NEW
UPDATE clickstream.load_queue SET status = 'PROCESSING' WHERE url LIKE '%gone%';
SELECT clickstream.recover_queue();

-- A day's first batch: the files of a day without a partition fill a new table that then
-- becomes the day's partition, its indexes built in bulk (an index build records the
-- table's row count in reltuples; rows inserted one by one leave it at -1).  Files of a day
-- with a partition go into the table.  A file with a row of another day (1 July's file
-- holds a row of 30 June) sends its day's files through the table: 1 July gets an empty
-- partition and the row goes to 30 June's.
DELETE FROM clickstream.load_queue;
DELETE FROM clickstream.load_batches;
SELECT count(clickstream.enqueue(u)) FROM unnest(ARRAY[
    regress_worker.write('event_v2/partition_app=cyc/partition_year=2024/partition_month=06/partition_day=30/a.jsonl',
        regress_worker.ev('j1', '2024-06-30T01:00:00', 'june') || E'\n' || regress_worker.ev('j2', '2024-06-30T23:59:59', 'june') || E'\n'),
    regress_worker.write('event_v2/partition_app=cyc/partition_year=2024/partition_month=06/partition_day=30/b.jsonl',
        regress_worker.ev('j3', '2024-06-30T00:00:00', 'june') || E'\n'),
    regress_worker.write('event_v2/partition_app=cyc/partition_year=2024/partition_month=07/partition_day=01/a.jsonl',
        regress_worker.ev('j4', '2024-07-01T00:00:00', 'july') || E'\n' || regress_worker.ev('j5', '2024-06-30T12:00:00', 'late') || E'\n'),
    regress_worker.write('event_v2/partition_app=cyc/partition_year=2024/partition_month=01/partition_day=01/j.jsonl',
        regress_worker.ev('j6', '2024-01-01T12:00:00', 'january') || E'\n'),
    regress_worker.write('item_v2/partition_app=cyc/partition_year=2024/partition_month=7/partition_day=1/a.jsonl',
        '{"event_timestamp": "2024-07-01T10:00:00", "event_id": "j4", "event_name": "view_item", "user_pseudo_id": "u1", "item_id": "i1"}' || E'\n')]) u;
CALL clickstream.run_load_cycle();
SELECT ods_table, files, rows_loaded, load_method FROM clickstream.load_batches ORDER BY batch_id;
SELECT c.relname, c.reltuples,
       (SELECT count(*) FROM (SELECT tableoid FROM cyc.event_v2 UNION ALL SELECT tableoid FROM cyc.item_v2) x
         WHERE x.tableoid = c.oid) AS rows,
       (SELECT count(*) FROM pg_index WHERE indrelid = c.oid) AS indexes
  FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
 WHERE i.inhparent IN ('cyc.event_v2'::regclass, 'cyc.item_v2'::regclass)
   AND c.relname ~ '_p2024(0630|0701)$'
 ORDER BY 1;
SELECT count(*) AS bounds_constraints_left FROM pg_constraint WHERE conname = 'clickstream_partition_bounds';
SELECT event_id, event_timestamp, tableoid::regclass FROM cyc.event_v2 WHERE event_id LIKE 'j%' ORDER BY 1;

-- a path whose day does not exist (31 April) goes through the table: 1 May has no
-- partition, so the direct copy falls back and the merge creates the partition
DELETE FROM clickstream.load_batches;
SELECT clickstream.enqueue(regress_worker.write('event_v2/partition_app=cyc/partition_year=2024/partition_month=04/partition_day=31/a.jsonl',
    regress_worker.ev('m1', '2024-05-01T00:00:00', 'may') || E'\n')) IS NOT NULL AS queued;
CALL clickstream.run_load_cycle();
SELECT ods_table, files, rows_loaded, load_method, fallback_cause FROM clickstream.load_batches;
SELECT event_id, tableoid::regclass FROM cyc.event_v2 WHERE event_id = 'm1';

DELETE FROM clickstream.load_queue;
DELETE FROM clickstream.load_batches;
SELECT clickstream.drop_app('cyc');
DROP SCHEMA regress_worker CASCADE;
COPY (SELECT 1) TO PROGRAM 'rm -rf /tmp/pg_clickstream_regress_worker; cat >/dev/null';
