
-- Modeling layer: create_app calls _create_model to create (idempotently) an app's
-- modeling objects, part by part, in the creation order of spec §11.1.  Each part lives
-- in its own file (model_*.sql).
CREATE FUNCTION @extschema@._create_model(p_schema name, p_time_zone text)
RETURNS void
LANGUAGE plpgsql
SET client_min_messages = warning
AS $fn$
BEGIN
    PERFORM @extschema@._create_model_log(p_schema);
    PERFORM @extschema@._create_model_metadata(p_schema);
    PERFORM @extschema@._create_model_reporting(p_schema, p_time_zone);
    PERFORM @extschema@._create_model_summary(p_schema, p_time_zone);
    PERFORM @extschema@._create_model_views(p_schema, p_time_zone);
    PERFORM @extschema@._create_model_segments(p_schema);
    -- spec §11.2: the BI reader role sees the app's tables and views
    EXECUTE pg_catalog.format('GRANT USAGE ON SCHEMA %I TO clickstream_reader', p_schema);
    EXECUTE pg_catalog.format('GRANT SELECT ON ALL TABLES IN SCHEMA %I TO clickstream_reader', p_schema);
END
$fn$;
