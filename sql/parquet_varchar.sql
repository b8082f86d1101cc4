-- Parquet strings into varchar(n).  A value of at most n characters loads as it
-- is, also when its UTF-8 bytes exceed n; a longer one is refused as COPY
-- refuses it ("value too long").  Short values take a fast path that builds
-- the datum directly; the others go through varchar's input function: both
-- paths are exercised here.
\getenv abs_srcdir PG_ABS_SRCDIR
\set d '/tmp/pg_clickstream_regress/parquet'
\set pq 'file://' :d
\set copy_fixtures 'mkdir -p ' :d ' && cp ' :abs_srcdir '/test/data/parquet/*.parquet ' :d
COPY (SELECT 1) TO PROGRAM :'copy_fixtures';
-- types_snappy.parquet (400 rows, DuckDB) has in column s: 45 '' , 45 NULL,
-- 45 'héllo wörld ✓ 😀' (15 characters, 22 bytes), 45 of 300 'x', 44 with
-- tab, newline, quote, backslash and \x01 (14 characters), 108 'str0'..'str9'
-- and 68 'str10'..'str16'.

-- varchar(300): everything fits, lengths are characters
CREATE TABLE pv300 (id int, s varchar(300));
SELECT clickstream.copy_from_url('pv300', :'pq' || '/types_snappy.parquet');
SELECT length(s) AS chars, octet_length(s) AS bytes, count(*)
FROM pv300 GROUP BY 1, 2 ORDER BY 1, 2;
-- unlimited varchar: the same values, compared with varchar(300)'s
CREATE TABLE pvu (id int, s varchar);
SELECT clickstream.copy_from_url('pvu', :'pq' || '/types_snappy.parquet');
SELECT count(*) AS same FROM pvu JOIN pv300 USING (id)
WHERE pvu.s IS NOT DISTINCT FROM pv300.s;

-- varchar(15): the 22-byte value of 15 characters loads (input function
-- path); the 300-character one is an error, skipped here under max_errors
CREATE TABLE pv15 (id int, s varchar(15));
SELECT clickstream.copy_from_url('pv15', :'pq' || '/types_snappy.parquet');
SET client_min_messages = warning;
SELECT clickstream.copy_from_url('pv15', :'pq' || '/types_snappy.parquet',
                                 options => '{"max_errors": 45}');
RESET client_min_messages;
-- 400 - 45 = 355 rows; the multibyte value 45 times
SELECT count(*) AS rows, count(*) FILTER (WHERE s = 'héllo wörld ✓ 😀') AS multibyte
FROM pv15;
-- varchar(14): the 14-character value still fits (fast path, 14 bytes)
CREATE TABLE pv14 (id int, s varchar(14));
SET client_min_messages = warning;
SELECT clickstream.copy_from_url('pv14', :'pq' || '/types_snappy.parquet',
                                 options => '{"max_errors": 90}');
RESET client_min_messages;
-- 400 - 45 (300 x) - 45 (15 characters) = 310
SELECT count(*) AS rows, count(*) FILTER (WHERE length(s) = 14) AS fourteen FROM pv14;
DROP TABLE pv300, pvu, pv15, pv14;
