// duckdb-read.mjs: how long DuckDB, on one thread, takes to read a Parquet
// file into its own table (the reference for our reader core).
//   node duckdb-read.mjs FILE.parquet
import { DuckDBInstance } from '@duckdb/node-api';

const db = await DuckDBInstance.create(':memory:');
const con = await db.connect();
await con.run('SET threads = 1');
const t0 = process.hrtime.bigint();
await con.run(`CREATE TABLE t AS SELECT * FROM read_parquet('${process.argv[2]}')`);
const secs = Number(process.hrtime.bigint() - t0) / 1e9;
console.log(`duckdb_read_parquet_1_thread ${secs.toFixed(3)}`);
