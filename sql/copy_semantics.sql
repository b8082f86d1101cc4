-- Rows go in with the target's full semantics, as with COPY.
\set d '/tmp/pg_clickstream_regress/semantics'
SELECT regress_util.write_text(:'d' || '/rows.jsonl', concat_ws(E'\n',
    '{"day": "2024-01-01", "id": 1, "v": "a"}',
    '{"day": "2024-02-01", "id": 2, "v": "b"}',
    '{"day": "2024-01-15", "id": 3, "v": "c"}') || E'\n');

-- partitioned target: rows are routed
CREATE TABLE p (day date NOT NULL, id int, v text) PARTITION BY RANGE (day);
CREATE TABLE p_jan PARTITION OF p FOR VALUES FROM ('2024-01-01') TO ('2024-02-01');
CREATE TABLE p_feb (v text, id int, day date NOT NULL);   -- other column order
ALTER TABLE p ATTACH PARTITION p_feb FOR VALUES FROM ('2024-02-01') TO ('2024-03-01');
SELECT clickstream.copy_from_url('p', 'file://' || :'d' || '/rows.jsonl');
SELECT tableoid::regclass, * FROM p ORDER BY id;
-- no partition for a row: an error naming the line
SELECT regress_util.write_text(:'d' || '/nopart.jsonl', E'{"day": "2025-01-01", "id": 9}\n');
SELECT clickstream.copy_from_url('p', 'file://' || :'d' || '/nopart.jsonl');

-- triggers: BEFORE ROW may change or skip rows; statement triggers see a
-- transition table; identity and generated columns are filled
CREATE TABLE t (
    seq bigint GENERATED ALWAYS AS IDENTITY,
    day date, id int, v text,
    v_upper text GENERATED ALWAYS AS (upper(v)) STORED,
    CHECK (id < 100));
CREATE TABLE t_log (msg text);
CREATE FUNCTION t_before_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.id = 2 THEN RETURN NULL; END IF;
    NEW.v := NEW.v || '!';
    RETURN NEW;
END $$;
CREATE FUNCTION t_after_stmt_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO t_log SELECT 'inserted ' || count(*) FROM new_rows;
    RETURN NULL;
END $$;
CREATE TRIGGER t_b BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION t_before_trigger();
CREATE TRIGGER t_a AFTER INSERT ON t REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION t_after_stmt_trigger();
SELECT clickstream.copy_from_url('t', 'file://' || :'d' || '/rows.jsonl');
SELECT * FROM t ORDER BY id;
SELECT * FROM t_log;

-- "defaults": listed columns are never read from the file and always get their default
-- (the worker loads event_v2 with {"defaults": ["created_time"]}); by position they are
-- skipped like generated columns; a name the table lacks or a non-array is an error
CREATE TABLE dflt (id int, v text DEFAULT 'from default', loaded timestamp DEFAULT '2000-01-01');
SELECT clickstream.copy_from_url('dflt', 'file://' || :'d' || '/rows.jsonl', options => '{"defaults": ["V"]}');
SELECT regress_util.write_text(:'d' || '/dflt.csv', E'id,v,loaded\n7,seven,1999-12-31\n');
SELECT clickstream.copy_from_url('dflt', 'file://' || :'d' || '/dflt.csv',
                                 options => '{"header": true, "defaults": ["loaded"]}');
SELECT regress_util.write_text(:'d' || '/dflt_pos.csv', E'eight,1999-12-31\n');
SELECT clickstream.copy_from_url('dflt', 'file://' || :'d' || '/dflt_pos.csv',
                                 options => '{"column_match": "position", "defaults": ["id"]}');
SELECT * FROM dflt ORDER BY id NULLS LAST, v;
SELECT clickstream.copy_from_url('dflt', 'file://' || :'d' || '/rows.jsonl', options => '{"defaults": ["nope"]}');
SELECT clickstream.copy_from_url('dflt', 'file://' || :'d' || '/rows.jsonl', options => '{"defaults": "v"}');

-- CHECK constraint and unique index: errors name the line; nothing stays
SELECT regress_util.write_text(:'d' || '/check.jsonl', E'{"id": 5}\n{"id": 500}\n');
SELECT clickstream.copy_from_url('t', 'file://' || :'d' || '/check.jsonl');
CREATE TABLE u (id int PRIMARY KEY);
SELECT regress_util.write_text(:'d' || '/dup.jsonl', E'{"id": 1}\n{"id": 2}\n{"id": 1}\n');
SELECT clickstream.copy_from_url('u', 'file://' || :'d' || '/dup.jsonl');
SELECT count(*) FROM u;

-- many rows: batches of multi-inserts with an index
SELECT regress_util.write_text(:'d' || '/many.csv',
    (SELECT string_agg(i || E'\n', '') FROM generate_series(1, 5000) i));
SELECT clickstream.copy_from_url('u', 'file://' || :'d' || '/many.csv');
SELECT count(*), sum(id) FROM u;

-- not a table
CREATE VIEW vw AS SELECT * FROM u;
SELECT clickstream.copy_from_url('vw', 'file://' || :'d' || '/many.csv');

-- progress is visible in pg_stat_progress_copy (checked from the same
-- session through a trigger that looks at its own row)
CREATE TABLE prog (id int);
CREATE TABLE prog_seen (command text, type text, tuples bigint, bytes_total bigint);
CREATE FUNCTION prog_peek_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.id = 3000 THEN
        INSERT INTO prog_seen SELECT command, type, tuples_processed, bytes_total
        FROM pg_stat_progress_copy WHERE pid = pg_backend_pid();
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER prog_peek BEFORE INSERT ON prog FOR EACH ROW EXECUTE FUNCTION prog_peek_trigger();
SELECT clickstream.copy_from_url('prog', 'file://' || :'d' || '/many.csv');
SELECT command, type, tuples >= 2048 AS progressed, bytes_total FROM prog_seen;
