-- Secrets: a clickstream_s3 server plus a user mapping per user.
SET clickstream.http_max_retries = 0;

SELECT clickstream.create_secret('regress_scoped', 'AKIDREGRESS1', 'regress-secret-value-1',
                                 region => 'eu-west-3',
                                 endpoint => 'http://127.0.0.1:1',
                                 url_style => 'path',
                                 scope => 's3://regress-bucket/');
SELECT clickstream.create_secret('regress_default', 'AKIDREGRESS2', 'regress-secret-value-2',
                                 session_token => 'regress-token',
                                 endpoint => 'http://127.0.0.1:2/');

SELECT s.srvname, s.srvoptions
  FROM pg_foreign_server s JOIN pg_foreign_data_wrapper w ON w.oid = s.srvfdw
 WHERE w.fdwname = 'clickstream_s3' ORDER BY 1;
-- the owner sees the keys
SELECT srvname, usename = current_user AS mine, umoptions
  FROM pg_user_mappings WHERE srvname LIKE 'regress%' ORDER BY 1;

-- another role does not
CREATE ROLE regress_secrets_other;
SET ROLE regress_secrets_other;
SELECT srvname, umoptions FROM pg_user_mappings WHERE srvname LIKE 'regress%' ORDER BY 1;
SELECT count(*) FROM pg_user_mapping;
RESET ROLE;
CREATE USER MAPPING FOR regress_secrets_other SERVER regress_scoped OPTIONS (password 'hunter2');

-- the longest matching scope wins; the unscoped secret matches the rest
-- (the endpoints tell which secret was used; nothing listens there)
CREATE FUNCTION pg_temp.try_read(p_url text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    v_message text;
    v_detail text;
BEGIN
    PERFORM clickstream.read_object(p_url);
    RETURN 'read';
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS v_message = MESSAGE_TEXT, v_detail = PG_EXCEPTION_DETAIL;
    RETURN v_message || ' / ' || regexp_replace(v_detail, ' after [0-9]+ ms', '');
END
$$;
SELECT pg_temp.try_read('s3://regress-bucket/key');
SELECT pg_temp.try_read('s3://regress-bucket-2/key');
SELECT pg_temp.try_read('s3://other-bucket/key');

-- option validation; user mapping values are never echoed
CREATE SERVER regress_bad FOREIGN DATA WRAPPER clickstream_s3 OPTIONS (bucket 'x');
CREATE SERVER regress_bad FOREIGN DATA WRAPPER clickstream_s3 OPTIONS (url_style 'sideways');
CREATE SERVER regress_bad FOREIGN DATA WRAPPER clickstream_s3 OPTIONS (scope 'https://x/');
CREATE SERVER regress_bad FOREIGN DATA WRAPPER clickstream_s3 OPTIONS (endpoint 'ftp://x');
CREATE SERVER regress_bad FOREIGN DATA WRAPPER clickstream_s3 OPTIONS (region 'a', region 'b');
SELECT clickstream.create_secret('regress_bad', 'k', 's', url_style => 'sideways');
SELECT count(*) FROM pg_foreign_server WHERE srvname = 'regress_bad';
-- a second secret of the same name: the error names the server, not the keys
SELECT clickstream.create_secret('regress_scoped', 'AKIDREGRESS3', 'regress-secret-value-3');
SELECT clickstream.create_secret(NULL, 'k', 's');

-- creating secrets needs clickstream_loader (USAGE on the wrapper)
SET ROLE regress_secrets_other;
SELECT clickstream.create_secret('regress_other', 'k', 's');
RESET ROLE;
GRANT clickstream_loader TO regress_secrets_other;
SET ROLE regress_secrets_other;
SELECT clickstream.create_secret('regress_other', 'AKIDOTHER', 'other-secret');
SELECT srvname, umoptions FROM pg_user_mappings WHERE srvname LIKE 'regress%' ORDER BY 1;
-- and it cannot drop someone else's
SELECT clickstream.drop_secret('regress_scoped');
SELECT clickstream.drop_secret('regress_other');
RESET ROLE;

SELECT clickstream.drop_secret('regress_scoped');
SELECT clickstream.drop_secret('regress_default');
SELECT clickstream.drop_secret('regress_scoped');
SELECT count(*) FROM pg_user_mappings WHERE srvname LIKE 'regress%';
DROP ROLE regress_secrets_other;
RESET clickstream.http_max_retries;
