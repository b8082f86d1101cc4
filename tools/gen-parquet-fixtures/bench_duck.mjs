// bench_duck.mjs FILE: DuckDB's own time to read FILE on one thread, for
// comparison with `pqdump --bench FILE` (test/unit/parquet/bench.sh).
//   - hash all columns: decodes every value (no materialization)
//   - create table: decodes and stores every value in a DuckDB table
import { DuckDBInstance } from '@duckdb/node-api';

const f = process.argv[2].replaceAll("'", "''");
const inst = await DuckDBInstance.create(':memory:');
const c = await inst.connect();
await c.run('SET threads=1');
for (const [label, sql] of [
  ['hash all columns', `SELECT sum(hash(COLUMNS(*))) FROM read_parquet('${f}')`],
  ['create table', `CREATE OR REPLACE TEMP TABLE t AS SELECT * FROM read_parquet('${f}')`],
]) {
  const t0 = process.hrtime.bigint();
  await c.run(sql);
  const t1 = process.hrtime.bigint();
  console.log(`duckdb ${label}: ${(Number(t1 - t0) / 1e9).toFixed(3)} s`);
}
