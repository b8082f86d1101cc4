-- file:// objects: listing, reading, size cap, errors.
-- The fixture directory is made by the server itself (COPY ... TO PROGRAM,
-- as the superuser running the tests), so it belongs to the server's OS user.
COPY (SELECT 1) TO PROGRAM 'rm -rf /tmp/pg_clickstream_regress_objstore && mkdir -p /tmp/pg_clickstream_regress_objstore/data/sub /tmp/pg_clickstream_regress_objstore/data/events-dir; cat >/dev/null';
COPY (SELECT 'a,1' UNION ALL SELECT 'b,2') TO '/tmp/pg_clickstream_regress_objstore/data/events-1.csv';
COPY (SELECT 'c,3') TO '/tmp/pg_clickstream_regress_objstore/data/events-2.csv';
COPY (SELECT 'nested') TO '/tmp/pg_clickstream_regress_objstore/data/sub/n.txt';
COPY (SELECT 'in a dir named like the prefix') TO '/tmp/pg_clickstream_regress_objstore/data/events-dir/x.txt';
COPY (SELECT repeat('x', 2000)) TO '/tmp/pg_clickstream_regress_objstore/data/big.txt';

-- a directory prefix lists recursively, sorted by URL
SELECT url, size, etag IS NOT NULL AS has_etag, last_modified IS NOT NULL AS has_mtime
  FROM clickstream.list_objects('file:///tmp/pg_clickstream_regress_objstore/data/');
-- a name prefix: every path starting with it, directories included
SELECT url FROM clickstream.list_objects('file:///tmp/pg_clickstream_regress_objstore/data/events-');
-- nothing there: no rows, no error
SELECT count(*) FROM clickstream.list_objects('file:///tmp/pg_clickstream_regress_objstore/missing/');

SELECT convert_from(clickstream.read_object('file:///tmp/pg_clickstream_regress_objstore/data/events-1.csv'), 'UTF8');
SELECT length(clickstream.read_object('file:///tmp/pg_clickstream_regress_objstore/data/big.txt'));

-- the size cap
SET clickstream.read_object_max_size = '1kB';
SELECT length(clickstream.read_object('file:///tmp/pg_clickstream_regress_objstore/data/big.txt'));
SELECT length(clickstream.read_object('file:///tmp/pg_clickstream_regress_objstore/data/events-2.csv'));
RESET clickstream.read_object_max_size;

-- missing object, directory
SELECT clickstream.read_object('file:///tmp/pg_clickstream_regress_objstore/data/nope.csv');
SELECT clickstream.read_object('file:///tmp/pg_clickstream_regress_objstore/data/sub');

COPY (SELECT 1) TO PROGRAM 'rm -rf /tmp/pg_clickstream_regress_objstore; cat >/dev/null';
