// to-parquet.mjs: DuckDB rewrites the benchmark's JSON-lines files as one
// Snappy Parquet file (row groups of 122,880 rows, as issue 3 asks), typed
// from the benchmark table's DDL, with the jsonb columns as Parquet MAPs (the
// shape the clickstream ETL writes).  Our code never writes the Parquet.
//
//   node to-parquet.mjs DDL_FILE OUT.parquet IN.jsonl.gz...
import { DuckDBInstance } from '@duckdb/node-api';
import fs from 'node:fs';

const [ddlFile, out, ...inputs] = process.argv.slice(2);
const ddl = fs.readFileSync(ddlFile, 'utf8');

// PostgreSQL column types of the DDL -> DuckDB types
const duckType = (name, pg) => {
  if (pg === 'jsonb')
    return name === 'custom_parameters'
      ? 'MAP(VARCHAR, STRUCT(value VARCHAR, type VARCHAR))'
      : 'MAP(VARCHAR, VARCHAR)';
  if (pg.startsWith('timestamp')) return 'TIMESTAMP';
  if (pg.startsWith('varchar') || pg === 'text') return 'VARCHAR';
  if (pg === 'bigint') return 'BIGINT';
  if (pg === 'integer') return 'INTEGER';
  if (pg === 'double precision') return 'DOUBLE';
  if (pg === 'boolean') return 'BOOLEAN';
  if (pg === 'date') return 'DATE';
  throw new Error(`no DuckDB type for ${name} ${pg}`);
};
const columns = [];
for (const line of ddl.split('\n')) {
  const m = line.match(/^\s+([a-z_0-9]+)\s+(.+?)(\s+NOT NULL)?,?$/);
  if (m) columns.push([m[1], duckType(m[1], m[2])]);
}
const spec = '{' + columns.map(([n, t]) => `'${n}': '${t}'`).join(', ') + '}';
const files = '[' + inputs.map((f) => `'${f}'`).join(', ') + ']';

const db = await DuckDBInstance.create(':memory:');
const con = await db.connect();
await con.run('SET threads = 2');
await con.run(`COPY (SELECT * FROM read_json(${files}, format = 'newline_delimited',
                 columns = ${spec}))
               TO '${out}' (FORMAT parquet, COMPRESSION snappy, ROW_GROUP_SIZE 122880)`);
const r = await con.runAndReadAll(`SELECT count(*)::BIGINT AS n FROM '${out}'`);
console.log(`wrote ${r.getRows()[0][0]} rows to ${out}`);
