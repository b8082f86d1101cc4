
-- Modeling layer: spec §6.5-6.6 (sixteen daily summary tables).  Placeholder until built.
CREATE FUNCTION @extschema@._create_model_summary(p_schema name, p_time_zone text)
RETURNS void
LANGUAGE plpgsql
AS $fn$
BEGIN
END
$fn$;
