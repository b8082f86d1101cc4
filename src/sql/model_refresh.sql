
-- Modeling layer: spec §7 (refresh orchestration), §8 (retention).  Placeholder until built.
