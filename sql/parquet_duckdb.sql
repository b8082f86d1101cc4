-- Parquet files written by DuckDB and Spark, loaded by copy_from_url and
-- compared value by value with DuckDB's own reading of the same files
-- (test/data/parquet/*.jsonl.gz: to_json of every row, written by DuckDB).
-- Our JSON-lines reader turns DuckDB's JSON into typed rows; DuckDB prints
-- NaN and Infinity bare, which JSON lacks, so they are quoted first.
\getenv abs_srcdir PG_ABS_SRCDIR
\set pq 'file://' :abs_srcdir '/test/data/parquet'
\set spark 'file://' :abs_srcdir '/../shared/fixtures/spark'

CREATE SCHEMA pq;
CREATE FUNCTION pq.quote_specials(p_line text) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
    SELECT regexp_replace(regexp_replace(p_line,
        '([:\[,])(-?Infinity|NaN)(?=[,}\]])', '\1"\2"', 'g'),
        '([:\[,])(-?Infinity|NaN)(?=[,}\]])', '\1"\2"', 'g')::jsonb
$$;
-- DuckDB's rendering of a BLOB: printable ASCII as is, other bytes as \xHH
CREATE FUNCTION pq.duck_blob(p bytea) RETURNS text
LANGUAGE sql IMMUTABLE STRICT AS $$
    SELECT coalesce(string_agg(CASE WHEN b BETWEEN 32 AND 126 AND b <> 92 THEN chr(b)
                           ELSE '\x' || upper(lpad(to_hex(b), 2, '0')) END, '' ORDER BY i), '')
    FROM generate_series(1, length(p)) i, LATERAL (SELECT get_byte(p, i - 1) AS b) x
$$;
-- DuckDB's lines of one fixture, as text
CREATE TABLE pq.lines (line text);
CREATE FUNCTION pq.load_lines(p_url text) RETURNS bigint
LANGUAGE plpgsql AS $$
BEGIN
    TRUNCATE pq.lines;
    RETURN clickstream.copy_from_url('pq.lines', p_url, 'csv',
        jsonb_build_object('delimiter', chr(1), 'quote', chr(2)));
END $$;

-- every scalar type DuckDB writes
CREATE TABLE pq.types (id int, b boolean, i8 smallint, i16 smallint, i32 int,
    i64 bigint, u8 smallint, u16 int, u32 bigint, u64 numeric, f32 real,
    f64 double precision, dec_i32 numeric(5,1), dec_i64 numeric(18,6),
    dec_flba numeric(38,12), s text, bl bytea, d date, t time, ts timestamp,
    ts_ms timestamp, ts_ns_us timestamp, ts_ns timestamp, ts_s timestamp,
    tstz timestamptz, u uuid, e text, j jsonb);
CREATE TABLE pq.types_duck (LIKE pq.types);
ALTER TABLE pq.types_duck ALTER bl TYPE text;

CREATE FUNCTION pq.check_types(p_name text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    v_loaded bigint;
    v_expected bigint;
    v_missing bigint;
    v_extra bigint;
BEGIN
    TRUNCATE pq.types, pq.types_duck;
    v_loaded := clickstream.copy_from_url('pq.types',
        current_setting('pq.dir') || '/' || p_name || '.parquet');
    v_expected := pq.load_lines(current_setting('pq.dir') || '/' || p_name || '.jsonl.gz');
    INSERT INTO pq.types_duck
        SELECT (jsonb_populate_record(NULL::pq.types_duck, pq.quote_specials(line))).* FROM pq.lines;
    SELECT count(*) INTO v_missing FROM (
        SELECT * FROM pq.types_duck
        EXCEPT ALL
        SELECT id, b, i8, i16, i32, i64, u8, u16, u32, u64, f32, f64, dec_i32, dec_i64,
               dec_flba, s, pq.duck_blob(bl), d, t, ts, ts_ms, ts_ns_us, ts_ns, ts_s,
               tstz, u, e, j FROM pq.types) x;
    SELECT count(*) INTO v_extra FROM (
        SELECT id, b, i8, i16, i32, i64, u8, u16, u32, u64, f32, f64, dec_i32, dec_i64,
               dec_flba, s, pq.duck_blob(bl), d, t, ts, ts_ms, ts_ns_us, ts_ns, ts_s,
               tstz, u, e, j FROM pq.types
        EXCEPT ALL
        SELECT * FROM pq.types_duck) x;
    RETURN format('%s rows, DuckDB %s, %s differ', v_loaded, v_expected, v_missing + v_extra);
END $$;

SELECT set_config('pq.dir', :'pq', false) IS NOT NULL AS dir_set;
SELECT name, pq.check_types(name) FROM unnest(ARRAY[
    'types_uncompressed', 'types_snappy', 'types_gzip', 'types_zstd', 'types_brotli',
    'types_lz4', 'types_lz4_raw', 'types_v2', 'types_v2_nodict', 'types_v1_nodict',
    'one_row', 'empty']) AS name;

-- spot checks that do not depend on the comparison machinery
TRUNCATE pq.types;
SELECT clickstream.copy_from_url('pq.types', :'pq' || '/types_snappy.parquet');
SELECT id, i64, u64, f32, f64, dec_flba, d, ts, ts_ns, tstz AT TIME ZONE 'UTC' AS tstz_utc, u
FROM pq.types WHERE id IN (0, 1) ORDER BY id;

-- strings: dictionary fallback, empty strings, all-null columns
CREATE TABLE pq.strings (id int, uniq text, few text, empty_or_null text);
SELECT clickstream.copy_from_url('pq.strings', :'pq' || '/strings_v2.parquet');
SELECT pq.load_lines(:'pq' || '/strings_v2.jsonl.gz');
SELECT count(*) AS differ FROM (
    (SELECT * FROM pq.strings EXCEPT ALL
     SELECT (jsonb_populate_record(NULL::pq.strings, line::jsonb)).* FROM pq.lines)
    UNION ALL
    (SELECT (jsonb_populate_record(NULL::pq.strings, line::jsonb)).* FROM pq.lines EXCEPT ALL
     SELECT * FROM pq.strings)) x;

-- Spark (parquet-mr) files and the many-row-group file: a table typed from
-- the file's schema (nested fields as jsonb), compared with DuckDB's reading
CREATE FUNCTION pq.pg_type(p_physical text, p_logical text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE
        WHEN p_physical IS NULL THEN 'jsonb'
        WHEN p_logical = 'DATE' THEN 'date'
        WHEN p_logical LIKE 'TIMESTAMP%' OR p_physical = 'INT96' THEN 'timestamp'
        WHEN p_logical LIKE 'DECIMAL%' THEN 'numeric'
        WHEN p_logical IN ('STRING', 'ENUM') THEN 'text'
        WHEN p_logical = 'JSON' THEN 'jsonb'
        WHEN p_physical = 'BOOLEAN' THEN 'boolean'
        WHEN p_physical = 'INT32' THEN 'integer'
        WHEN p_physical = 'INT64' THEN 'bigint'
        WHEN p_physical = 'FLOAT' THEN 'real'
        WHEN p_physical = 'DOUBLE' THEN 'double precision'
        ELSE 'bytea' END
$$;
CREATE FUNCTION pq.check_file(v_url text, p_expected text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    v_ddl text;
    v_loaded bigint;
    v_expected bigint;
    v_differ bigint;
BEGIN
    DROP TABLE IF EXISTS pq.any, pq.any_duck;
    SELECT string_agg(format('%I %s', name, pq.pg_type(physical_type, logical_type)),
                      ', ' ORDER BY position)
    INTO v_ddl
    FROM clickstream.parquet_schema(v_url) WHERE path <> '' AND path NOT LIKE '%.%';
    EXECUTE format('CREATE TABLE pq.any (%s)', v_ddl);
    CREATE TABLE pq.any_duck (LIKE pq.any);
    v_loaded := clickstream.copy_from_url('pq.any', v_url);
    v_expected := pq.load_lines(p_expected);
    INSERT INTO pq.any_duck
        SELECT (jsonb_populate_record(NULL::pq.any_duck, pq.quote_specials(line))).* FROM pq.lines;
    SELECT count(*) INTO v_differ FROM (
        (SELECT * FROM pq.any EXCEPT ALL SELECT * FROM pq.any_duck)
        UNION ALL
        (SELECT * FROM pq.any_duck EXCEPT ALL SELECT * FROM pq.any)) x;
    RETURN format('%s rows, DuckDB %s, %s differ', v_loaded, v_expected, v_differ);
END $$;
SET client_min_messages = warning;
SELECT f, pq.check_file(:'spark' || '/' || f || '.parquet', :'pq' || '/spark/' || f || '.jsonl.gz')
FROM unnest(ARRAY['ods_events_v1_enrich.snappy', 'user_v2_props_gtm.snappy']) AS f;
-- nested values: structs, lists, maps at any depth, as jsonb
SELECT f, pq.check_file(:'pq' || '/' || f || '.parquet', :'pq' || '/' || f || '.jsonl.gz')
FROM unnest(ARRAY['empty_nested', 'nested_v2', 'nested_nodict', 'nested_v1']) WITH ORDINALITY AS u(f, n) ORDER BY n;
-- the last one, nested_v1, stays in pq.any: two of its rows by hand
SELECT id, st, m, mil, ll, typed FROM pq.any WHERE id IN (2, 3) ORDER BY id;
-- many row groups (DuckDB's hold at least 2,048 rows), with a list column
SELECT pq.check_file(:'pq' || '/types_rowgroups.parquet', :'pq' || '/types_rowgroups.jsonl.gz');
RESET client_min_messages;
-- a nested leaf mapped to a column by path
CREATE TABLE pq.brands (event_id text, brand text, lang text, params jsonb);
SELECT clickstream.copy_from_url('pq.brands', :'spark' || '/ods_events_v1_enrich.snappy.parquet',
    options => '{"columns": {"brand": "device.mobile_brand_name", "lang": "DEVICE.System_Language", "params": "event_params"}}');
SELECT brand, lang, count(*), min(jsonb_array_length(params)) AS min_params
FROM pq.brands GROUP BY 1, 2 ORDER BY 1, 2;
