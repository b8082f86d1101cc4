-- Who may load what: file:// needs pg_read_server_files, network URLs need
-- clickstream_loader, the target needs INSERT; row-level security refused.
\set d '/tmp/pg_clickstream_regress/security'
SELECT regress_util.write_text(:'d' || '/a.csv', E'1\n');
CREATE TABLE sec (id int);
CREATE ROLE regress_loader_plain;
CREATE ROLE regress_loader_files IN ROLE pg_read_server_files;
CREATE ROLE regress_loader_net IN ROLE clickstream_loader;
GRANT USAGE ON SCHEMA public TO regress_loader_plain, regress_loader_files, regress_loader_net;

SET ROLE regress_loader_plain;
SELECT clickstream.copy_from_url('sec', 'file://' || :'d' || '/a.csv');
SELECT clickstream.copy_from_url('sec', 'http://127.0.0.1:9/a.csv');
RESET ROLE;

-- may read files, but has no INSERT on the table yet
SET ROLE regress_loader_files;
SELECT clickstream.copy_from_url('sec', 'file://' || :'d' || '/a.csv');
SELECT * FROM clickstream.copy_from_manifest_entries('sec',
    jsonb_build_object('entries', jsonb_build_array(jsonb_build_object('url', 'file://' || :'d' || '/a.csv'))));
RESET ROLE;
GRANT INSERT ON sec TO regress_loader_files;
SET ROLE regress_loader_files;
SELECT clickstream.copy_from_url('sec', 'file://' || :'d' || '/a.csv');
SELECT clickstream.copy_from_url('sec', 'http://127.0.0.1:9/a.csv');
RESET ROLE;

-- column privileges count too
CREATE TABLE sec2 (id int, secret text);
GRANT INSERT (id) ON sec2 TO regress_loader_files;
SET ROLE regress_loader_files;
SELECT clickstream.copy_from_url('sec2', 'file://' || :'d' || '/a.csv');
RESET ROLE;

-- a network role may not read server files
GRANT INSERT ON sec TO regress_loader_net;
SET ROLE regress_loader_net;
SELECT clickstream.copy_from_url('sec', 'file://' || :'d' || '/a.csv');
SELECT * FROM clickstream.copy_from_manifest_entries('sec',
    jsonb_build_object('entries', jsonb_build_array(jsonb_build_object('url', 'file://' || :'d' || '/a.csv'))));
RESET ROLE;

-- row-level security: refused, as COPY FROM refuses it
CREATE TABLE sec_rls (id int);
ALTER TABLE sec_rls ENABLE ROW LEVEL SECURITY;
GRANT INSERT ON sec_rls TO regress_loader_files;
SET ROLE regress_loader_files;
SELECT clickstream.copy_from_url('sec_rls', 'file://' || :'d' || '/a.csv');
RESET ROLE;

-- relative file paths and link-local addresses are refused
SELECT clickstream.copy_from_url('sec', 'file://relative/a.csv');
SELECT clickstream.copy_from_url('sec', 'http://169.254.169.254/latest/meta-data.csv');

-- rejected rows: each role sees only its own in load_errors
SELECT regress_util.write_text(:'d' || '/bad.csv', E'x\n');
SET ROLE regress_loader_files;
SELECT clickstream.copy_from_url('sec', 'file://' || :'d' || '/bad.csv', options => '{"max_errors": 1}');
SELECT count(*) AS mine FROM clickstream.load_errors;
RESET ROLE;
SET ROLE regress_loader_net;
SELECT count(*) AS theirs FROM clickstream.load_errors;
RESET ROLE;

DROP TABLE sec, sec2, sec_rls;
DROP OWNED BY regress_loader_plain, regress_loader_files, regress_loader_net;
DROP ROLE regress_loader_plain, regress_loader_files, regress_loader_net;
