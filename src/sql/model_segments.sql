
-- Modeling layer: spec §9.2 (user segments).  Placeholder until built.
CREATE FUNCTION @extschema@._create_model_segments(p_schema name)
RETURNS void
LANGUAGE plpgsql
AS $fn$
BEGIN
END
$fn$;
