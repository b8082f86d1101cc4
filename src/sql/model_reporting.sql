
-- Modeling layer: spec §6.2-6.3 (base table, event view).  Placeholder until built.
CREATE FUNCTION @extschema@._create_model_reporting(p_schema name, p_time_zone text)
RETURNS void
LANGUAGE plpgsql
AS $fn$
BEGIN
END
$fn$;
