
-- Modeling layer: spec §6.4 (materialized and plain views).  Placeholder until built.
CREATE FUNCTION @extschema@._create_model_views(p_schema name, p_time_zone text)
RETURNS void
LANGUAGE plpgsql
AS $fn$
BEGIN
END
$fn$;
