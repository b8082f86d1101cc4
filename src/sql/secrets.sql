
-- S3 credentials (src/objstore/secrets.c, docs/objstore.md): a foreign server
-- of clickstream_s3 holds the non-secret settings, a user mapping the keys,
-- so PostgreSQL's privileges hide them from other roles.

CREATE FUNCTION @extschema@.s3_validator(text[], oid)
RETURNS void
AS 'MODULE_PATHNAME', 'pg_clickstream_s3_validator'
LANGUAGE C STRICT;

CREATE FOREIGN DATA WRAPPER clickstream_s3
    VALIDATOR @extschema@.s3_validator;

COMMENT ON FOREIGN DATA WRAPPER clickstream_s3 IS
'S3 credentials for pg_clickstream: servers hold endpoint, region, url_style and scope; user mappings hold key_id, secret and session_token';

-- Members of clickstream_loader may create their own secrets.
GRANT USAGE ON FOREIGN DATA WRAPPER clickstream_s3 TO clickstream_loader;

-- Builds the user mapping as a parse tree, so the secret is never part of
-- SQL text an error context or a log line could quote.
CREATE FUNCTION @extschema@._secret_user_mapping(name text, key_id text,
                                                 secret text, session_token text)
RETURNS void
AS 'MODULE_PATHNAME', 'pg_clickstream_secret_user_mapping'
LANGUAGE C;


CREATE FUNCTION @extschema@.create_secret(name text, key_id text, secret text,
                                          session_token text DEFAULT NULL,
                                          region text DEFAULT NULL,
                                          endpoint text DEFAULT NULL,
                                          url_style text DEFAULT NULL,
                                          scope text DEFAULT NULL)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_options text[] := '{}';
BEGIN
    IF create_secret.name IS NULL OR create_secret.key_id IS NULL
       OR create_secret.secret IS NULL THEN
        RAISE EXCEPTION 'name, key_id and secret must not be null'
            USING ERRCODE = 'null_value_not_allowed';
    END IF;
    IF create_secret.endpoint IS NOT NULL THEN
        v_options := v_options || format('endpoint %L', create_secret.endpoint);
    END IF;
    IF create_secret.region IS NOT NULL THEN
        v_options := v_options || format('region %L', create_secret.region);
    END IF;
    IF create_secret.url_style IS NOT NULL THEN
        v_options := v_options || format('url_style %L', create_secret.url_style);
    END IF;
    IF create_secret.scope IS NOT NULL THEN
        v_options := v_options || format('scope %L', create_secret.scope);
    END IF;

    EXECUTE format('CREATE SERVER %I FOREIGN DATA WRAPPER clickstream_s3%s',
                   create_secret.name,
                   CASE WHEN cardinality(v_options) > 0
                        THEN ' OPTIONS (' || array_to_string(v_options, ', ') || ')'
                        ELSE '' END);
    PERFORM @extschema@._secret_user_mapping(create_secret.name,
                                             create_secret.key_id,
                                             create_secret.secret,
                                             create_secret.session_token);
END
$$;

COMMENT ON FUNCTION @extschema@.create_secret(text, text, text, text, text, text, text, text) IS
'Create S3 credentials: a clickstream_s3 server with the settings and a user mapping for the current user with the keys';

CREATE FUNCTION @extschema@.drop_secret(name text)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF NOT EXISTS (SELECT 1
                     FROM pg_catalog.pg_foreign_server s
                     JOIN pg_catalog.pg_foreign_data_wrapper w ON w.oid = s.srvfdw
                    WHERE s.srvname = drop_secret.name
                      AND w.fdwname = 'clickstream_s3') THEN
        RAISE EXCEPTION 'secret "%" does not exist', drop_secret.name
            USING ERRCODE = 'undefined_object';
    END IF;
    EXECUTE format('DROP SERVER %I CASCADE', drop_secret.name);
END
$$;

COMMENT ON FUNCTION @extschema@.drop_secret(text) IS
'Drop S3 credentials created by create_secret, with their user mappings';
