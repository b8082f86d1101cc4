
-- Loading: copy_from_url and copy_from_manifest (src/loader/loader.c).

CREATE FUNCTION @extschema@.copy_from_url(
    target regclass,
    url text,
    format text DEFAULT 'auto',
    options jsonb DEFAULT '{}')
RETURNS bigint
LANGUAGE C VOLATILE
AS 'MODULE_PATHNAME', 'pg_clickstream_copy_from_url';
COMMENT ON FUNCTION @extschema@.copy_from_url(regclass, text, text, jsonb) IS
    'Load one object (s3://, http(s)://, file://) into a table; returns the rows loaded';

CREATE FUNCTION @extschema@.copy_from_manifest(
    target regclass,
    manifest_url text,
    format text DEFAULT 'auto',
    options jsonb DEFAULT '{}')
RETURNS bigint
LANGUAGE C VOLATILE
AS 'MODULE_PATHNAME', 'pg_clickstream_copy_from_manifest';
COMMENT ON FUNCTION @extschema@.copy_from_manifest(regclass, text, text, jsonb) IS
    'Load every entry of a Redshift-style manifest object; all or nothing; returns the rows loaded';

CREATE FUNCTION @extschema@.copy_from_manifest(
    target regclass,
    manifest jsonb,
    format text DEFAULT 'auto',
    options jsonb DEFAULT '{}')
RETURNS bigint
LANGUAGE C VOLATILE
AS 'MODULE_PATHNAME', 'pg_clickstream_copy_from_manifest_jsonb';
COMMENT ON FUNCTION @extschema@.copy_from_manifest(regclass, jsonb, text, jsonb) IS
    'Load every entry of an inline manifest; all or nothing; returns the rows loaded';

CREATE FUNCTION @extschema@.copy_from_manifest_entries(
    target regclass,
    manifest jsonb,
    format text DEFAULT 'auto',
    options jsonb DEFAULT '{}')
RETURNS TABLE (entry integer, url text, rows_loaded bigint)
LANGUAGE C VOLATILE
AS 'MODULE_PATHNAME', 'pg_clickstream_copy_from_manifest_entries';
COMMENT ON FUNCTION @extschema@.copy_from_manifest_entries(regclass, jsonb, text, jsonb) IS
    'Load every entry of an inline manifest in one call; all or nothing; returns each entry''s rows';

-- Rows skipped under a max_errors budget.  Each role sees its own rows; the
-- loader writes them as the table's owner, so callers need no privilege.
CREATE SEQUENCE @extschema@.load_id_seq;

CREATE TABLE @extschema@.load_errors (
    load_id     bigint      NOT NULL,
    url         text        NOT NULL,
    line        bigint,
    column_name text,
    raw_value   text,
    message     text        NOT NULL,
    loaded_by   name        NOT NULL,
    logged_at   timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE @extschema@.load_errors IS
    'Rows rejected by loads run with a max_errors budget';
CREATE INDEX load_errors_load_id_idx ON @extschema@.load_errors (load_id);
ALTER TABLE @extschema@.load_errors ENABLE ROW LEVEL SECURITY;
CREATE POLICY load_errors_own_rows ON @extschema@.load_errors
    FOR SELECT USING (loaded_by = current_user);
GRANT SELECT ON @extschema@.load_errors TO PUBLIC;
