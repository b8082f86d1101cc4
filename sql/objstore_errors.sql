-- URL kinds, privileges and the link-local rule.  No test here reaches the
-- network: refused addresses fail before connecting, and 127.0.0.1:1 refuses.
SET clickstream.http_max_retries = 0;

-- unsupported URLs name the URL
SELECT clickstream.read_object('ftp://example.com/x');
SELECT clickstream.read_object('file://relative/path');
SELECT clickstream.read_object('s3:///no-bucket');
SELECT clickstream.read_object('/tmp/no-scheme');
SELECT * FROM clickstream.list_objects('gs://bucket/');
-- http servers cannot be listed
SELECT * FROM clickstream.list_objects('http://127.0.0.1:1/dir/');

-- link-local addresses (cloud metadata services) are refused
SELECT clickstream.read_object('http://169.254.169.254/latest/meta-data/');
SELECT clickstream.read_object('http://[fe80::1]:8080/x');
-- only a superuser may allow them
CREATE ROLE regress_objstore_nobody;
SET ROLE regress_objstore_nobody;
SET clickstream.allow_link_local = on;
RESET ROLE;

-- connection failures are clear, and never show a presigned query string
\set VERBOSITY terse
SELECT clickstream.read_object('http://127.0.0.1:1/x?X-Amz-Signature=abcdef');
\set VERBOSITY default

-- privileges: file:// needs pg_read_server_files, network URLs clickstream_loader
SET ROLE regress_objstore_nobody;
SELECT clickstream.read_object('file:///etc/hostname');
SELECT clickstream.read_object('http://127.0.0.1:1/x');
SELECT * FROM clickstream.list_objects('s3://bucket/prefix/');
RESET ROLE;

GRANT pg_read_server_files TO regress_objstore_nobody;
GRANT clickstream_loader TO regress_objstore_nobody;
SET ROLE regress_objstore_nobody;
SELECT length(clickstream.read_object('file:///etc/hostname')) > 0 AS readable;
\set VERBOSITY terse
SELECT clickstream.read_object('http://127.0.0.1:1/x');
\set VERBOSITY default
RESET ROLE;

DROP ROLE regress_objstore_nobody;
RESET clickstream.http_max_retries;
