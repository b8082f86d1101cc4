
-- Modeling layer: spec §5 (metadata scan, registry, catalog).  Placeholder until built.
CREATE FUNCTION @extschema@._create_model_metadata(p_schema name)
RETURNS void
LANGUAGE plpgsql
AS $fn$
BEGIN
END
$fn$;
