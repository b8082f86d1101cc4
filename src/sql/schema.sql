-- pg_clickstream install script (built from src/sql/*.sql by make)
\echo Use "CREATE EXTENSION pg_clickstream" to load this file. \quit

-- Members of this role may read network URLs (http, https, s3).
-- Reading server files needs pg_read_server_files instead.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'clickstream_loader') THEN
        CREATE ROLE clickstream_loader NOLOGIN;
    END IF;
END
$$;

GRANT USAGE ON SCHEMA @extschema@ TO PUBLIC;
