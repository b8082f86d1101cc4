-- Parquet: bad files and impossible mappings give clear errors naming the
-- file and where in it; nothing is loaded by a failing call.
\getenv abs_srcdir PG_ABS_SRCDIR
\set d '/tmp/pg_clickstream_regress/parquet'
\set pq 'file://' :d
-- the fixtures are copied to a fixed place, so that messages do not
-- depend on where the checkout is
\set copy_fixtures 'mkdir -p ' :d ' && cp ' :abs_srcdir '/test/data/parquet/*.parquet ' :d
COPY (SELECT 1) TO PROGRAM :'copy_fixtures';
CREATE TABLE pe (id int, s text, d date, j jsonb);

-- truncated and corrupted copies of a fixture
SELECT regress_util.write_file(:'d' || '/short.parquet', '\x50415231'::bytea);
SELECT clickstream.copy_from_url('pe', 'file://' || :'d' || '/short.parquet');
SELECT regress_util.write_file(:'d' || '/notparquet.parquet',
    convert_to(repeat('not a parquet file ', 10), 'UTF8'));
SELECT clickstream.copy_from_url('pe', 'file://' || :'d' || '/notparquet.parquet');
-- a real file with the header of its first page overwritten
SELECT regress_util.write_file(:'d' || '/mangled.parquet',
    overlay(pg_read_binary_file(:'d' || '/types_snappy.parquet')
            placing decode(repeat('ff', 24), 'hex') from 5));
SELECT clickstream.copy_from_url('pe', 'file://' || :'d' || '/mangled.parquet');
-- cut in the middle of the footer
SELECT regress_util.write_file(:'d' || '/cut.parquet',
    substring(pg_read_binary_file(:'d' || '/types_snappy.parquet')
              from 1 for 5000));
SELECT clickstream.copy_from_url('pe', 'file://' || :'d' || '/cut.parquet');
SELECT count(*) FROM pe;

-- type mismatches are found before any row is read, naming both types
CREATE TABLE pe_bad (b date);
SELECT clickstream.copy_from_url('pe_bad', :'pq' || '/types_snappy.parquet');
CREATE TABLE pe_nested (st int);
SELECT clickstream.copy_from_url('pe_nested', :'pq' || '/nested_v1.parquet');
-- a conversion that fails for some values: the value and row are named,
-- or the rows are skipped within a max_errors budget
CREATE TABLE pe_narrow (id int, u32 int);
SELECT clickstream.copy_from_url('pe_narrow', :'pq' || '/types_snappy.parquet');
-- (the NOTICE names a load id that depends on the tests run before)
SET client_min_messages = warning;
SELECT clickstream.copy_from_url('pe_narrow', :'pq' || '/types_snappy.parquet',
                                 options => '{"max_errors": 10}');
RESET client_min_messages;
SELECT count(*) FROM pe_narrow;
SELECT line, column_name, message FROM clickstream.load_errors
WHERE url LIKE '%types_snappy.parquet' ORDER BY line;

-- strict: every target column must be in the file, and every file column used
CREATE TABLE pe_strict (id int, uniq text, few text, empty_or_null text, extra text);
SELECT clickstream.copy_from_url('pe_strict', :'pq' || '/strings_v1.parquet', options => '{"strict": true}');
ALTER TABLE pe_strict DROP COLUMN extra, DROP COLUMN few;
SELECT clickstream.copy_from_url('pe_strict', :'pq' || '/strings_v1.parquet', options => '{"strict": true}');
ALTER TABLE pe_strict ADD COLUMN few text;
SELECT clickstream.copy_from_url('pe_strict', :'pq' || '/strings_v1.parquet', options => '{"strict": true}');
-- a path that is not in the file
SELECT clickstream.copy_from_url('pe_strict', :'pq' || '/strings_v1.parquet',
                                 options => '{"columns": {"few": "no.such.path"}}');
-- by position: the file's top-level fields in order
CREATE TABLE pe_pos (a int, b text);
SELECT clickstream.copy_from_url('pe_pos', :'pq' || '/strings_v1.parquet',
                                 options => '{"column_match": "position"}');
SELECT a, left(b, 8) FROM pe_pos ORDER BY a LIMIT 2;

-- "defaults": a column never read from the file, always its default
CREATE TABLE pe_def (id int, few text DEFAULT 'default');
SELECT clickstream.copy_from_url('pe_def', :'pq' || '/strings_v1.parquet', options => '{"defaults": ["few"]}');
SELECT few, count(*), count(id) FROM pe_def GROUP BY 1;

-- a page larger than clickstream.parquet_max_page_size is refused
SET clickstream.parquet_max_page_size = '1kB';
SELECT clickstream.copy_from_url('pe_strict', :'pq' || '/strings_v1.parquet');
RESET clickstream.parquet_max_page_size;

-- the footer helpers
SELECT position, name, path, physical_type, logical_type, repetition
FROM clickstream.parquet_schema(:'pq' || '/nested_v1.parquet') WHERE position < 8;
SELECT row_group, row_group_rows, column_index, path, physical_type, codec, null_count
FROM clickstream.parquet_metadata(:'pq' || '/types_rowgroups.parquet')
WHERE column_index < 2 AND row_group < 2 ORDER BY row_group, column_index;
SELECT * FROM clickstream.parquet_schema('file://' || :'d' || '/cut.parquet');

-- a unique violation found when the file's last rows get their index
-- entries (after the reader returned) still names the Parquet row
CREATE TABLE pe_unique (id int, few text UNIQUE);
SELECT clickstream.copy_from_url('pe_unique', :'pq' || '/strings_v1.parquet');
