// gen.mjs: writes Parquet fixtures with DuckDB and, for each, the expected
// rows as rendered by DuckDB itself (to_json of every row, one per line).
// Our reader never produces expected values.
//
//   node gen.mjs OUTDIR              small fixtures (committed under test/data/parquet)
//   node gen.mjs --large OUTDIR      large fixtures for run.sh and benchmarks (not committed)
//   node gen.mjs --expect OUTDIR FILE...
//                                    only write OUTDIR/<name>.jsonl for existing Parquet
//                                    files written by other engines (shared/fixtures/spark)
//
// Each fixture is described in FIXTURES below; README.md in the output
// directory lists them with the exact COPY statement used.
import { DuckDBInstance } from '@duckdb/node-api';
import fs from 'node:fs';
import path from 'node:path';

const args = process.argv.slice(2);
const large = args[0] === '--large';
const expectOnly = args[0] === '--expect';
if (large || expectOnly) args.shift();

const inst = await DuckDBInstance.create(':memory:');
const con = await inst.connect();
await con.run("SET TimeZone='UTC'");
await con.run('SET threads=1');
await con.run("CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy', 'ecstatic')");

// Every scalar type DuckDB writes, with nulls, extremes and special values.
const TYPES_SQL = `
SELECT
  i::INTEGER AS id,
  CASE WHEN i % 7 = 3 THEN NULL ELSE i % 2 = 0 END AS b,
  CASE WHEN i % 11 = 5 THEN NULL WHEN i = 0 THEN -128 WHEN i = 1 THEN 127 ELSE (i * 37) % 256 - 128 END::TINYINT AS i8,
  CASE WHEN i = 0 THEN -32768 WHEN i = 1 THEN 32767 ELSE (i * 1031) % 65536 - 32768 END::SMALLINT AS i16,
  CASE WHEN i = 0 THEN -2147483648 WHEN i = 1 THEN 2147483647 ELSE (i * 2654435761) % 4294967296 - 2147483648 END::INTEGER AS i32,
  CASE WHEN i = 0 THEN (-9223372036854775807 - 1)::BIGINT WHEN i = 1 THEN 9223372036854775807 ELSE (hash(i) >> 1)::BIGINT - 4611686018427387904 END::BIGINT AS i64,
  (i % 256)::UTINYINT AS u8,
  ((i * 257) % 65536)::USMALLINT AS u16,
  CASE WHEN i = 1 THEN 4294967295 ELSE i * 3 END::UINTEGER AS u32,
  CASE WHEN i = 1 THEN 18446744073709551615 WHEN i = 2 THEN 9223372036854775808 ELSE i END::UBIGINT AS u64,
  CASE i % 13 WHEN 0 THEN 'nan'::FLOAT WHEN 1 THEN 'inf'::FLOAT WHEN 2 THEN '-inf'::FLOAT WHEN 3 THEN -0.0::FLOAT
    WHEN 4 THEN 3.4028235e38::FLOAT WHEN 5 THEN 1.4e-45::FLOAT WHEN 6 THEN NULL ELSE (i / 7.0)::FLOAT END AS f32,
  CASE i % 13 WHEN 0 THEN 'nan'::DOUBLE WHEN 1 THEN 'inf'::DOUBLE WHEN 2 THEN '-inf'::DOUBLE WHEN 3 THEN -0.0::DOUBLE
    WHEN 4 THEN 1.7976931348623157e308 WHEN 5 THEN 5e-324 WHEN 6 THEN NULL ELSE i / 7.0 END::DOUBLE AS f64,
  (((i * 13) % 19999 - 9999) / 10)::DECIMAL(5, 1) AS dec_i32,
  (((i * 7919) % 2000000 - 1000000) / 1000.0)::DECIMAL(18, 6) AS dec_i64,
  CASE WHEN i = 0 THEN -99999999999999999999999999.999999999999::DECIMAL(38, 12)
       WHEN i = 1 THEN 99999999999999999999999999.999999999999::DECIMAL(38, 12)
       ELSE (((i * 104729) % 1000003 - 500000) / 7.0)::DECIMAL(38, 12) END AS dec_flba,
  CASE i % 9 WHEN 0 THEN '' WHEN 1 THEN NULL WHEN 2 THEN 'héllo wörld ✓ 😀' WHEN 3 THEN repeat('x', 300)
    WHEN 4 THEN 'tab	nl' || chr(10) || '"q" \\ ' || chr(1) ELSE 'str' || (i % 17)::VARCHAR END AS s,
  CASE i % 5 WHEN 0 THEN NULL WHEN 1 THEN ''::BLOB WHEN 2 THEN '\\x00\\x01\\xFF\\x80'::BLOB ELSE ('blob' || i::VARCHAR)::BLOB END AS bl,
  CASE i WHEN 0 THEN DATE '0001-01-01' WHEN 1 THEN DATE '9999-12-31' WHEN 2 THEN DATE '1969-12-31'
    ELSE DATE '1970-01-01' + (i * 37 - 5000)::INTEGER END AS d,
  CASE WHEN i % 10 = 9 THEN NULL ELSE TIME '00:00:00' + to_microseconds((i * 123456789) % 86400000000) END AS t,
  CASE i WHEN 0 THEN TIMESTAMP '1677-09-22 00:00:00' WHEN 1 THEN TIMESTAMP '2262-04-11 23:47:16'
    WHEN 2 THEN TIMESTAMP '1969-12-31 23:59:59.999999'
    ELSE TIMESTAMP '2024-01-01 00:00:00' + to_microseconds(i * 3600123457 - 1000000000000) END AS ts,
  (TIMESTAMP '2024-01-01 00:00:00' + to_microseconds(i * 3600123457))::TIMESTAMP_MS AS ts_ms,
  (TIMESTAMP '2024-01-01 00:00:00' + to_microseconds(i * 3600123457))::TIMESTAMP_NS + to_microseconds(0) AS ts_ns_us,
  make_timestamp_ns(1704067200000000000 + i * 3600123456789) AS ts_ns,
  (TIMESTAMP '2024-01-01 00:00:00' + to_microseconds(i * 3600123457))::TIMESTAMP_S AS ts_s,
  (TIMESTAMP '2000-06-01 12:00:00' + to_microseconds(i * 86400123457))::TIMESTAMPTZ AS tstz,
  CASE WHEN i % 4 = 0 THEN NULL ELSE md5(i::VARCHAR)::UUID END AS u,
  (['sad', 'ok', 'happy', 'ecstatic'])[1 + i % 4]::mood AS e,
  CASE WHEN i % 3 = 0 THEN NULL ELSE ('{"a":' || i::VARCHAR || ',"b":[true,null,"x"]}')::JSON END AS j
FROM range(%ROWS%) r(i)`;

// Nested types: structs, lists, maps, every level nullable, empty containers.
const NESTED_SQL = `
SELECT
  i::INTEGER AS id,
  CASE WHEN i % 5 = 0 THEN NULL ELSE {'a': i, 'b': CASE WHEN i % 3 = 0 THEN NULL ELSE 'x' || i::VARCHAR END,
    'c': {'d': i * 1.5, 'e': CASE WHEN i % 4 = 0 THEN NULL ELSE [i, NULL, i + 1] END}} END AS st,
  CASE i % 6 WHEN 0 THEN NULL WHEN 1 THEN []::INTEGER[] WHEN 2 THEN [NULL]::INTEGER[]
    ELSE range(i % 9)::INTEGER[] END AS li,
  CASE i % 5 WHEN 0 THEN NULL WHEN 1 THEN []::VARCHAR[] ELSE ['a' || i::VARCHAR, NULL, '', 'zz'] END AS ls,
  CASE i % 7 WHEN 0 THEN NULL WHEN 1 THEN [] ELSE [{'k': 'p' || i::VARCHAR, 'v': i}, NULL, {'k': NULL, 'v': NULL}] END AS lst,
  CASE i % 4 WHEN 0 THEN NULL WHEN 1 THEN MAP {}::MAP(VARCHAR, VARCHAR)
    ELSE MAP {'k1': 'v' || i::VARCHAR, 'k2': NULL, 'k3': ''} END AS m,
  CASE i % 3 WHEN 0 THEN NULL ELSE MAP {i: [i, i], i + 1: NULL} END AS mil,
  CASE i % 8 WHEN 0 THEN NULL WHEN 1 THEN [[]] WHEN 2 THEN [NULL, [NULL]]
    ELSE [[i, i + 1], [], NULL, [i * 2]] END::BIGINT[][] AS ll,
  [MAP {'x': {'y': [i::DOUBLE, NULL]}}] AS deep,
  {'ts': TIMESTAMP '2020-01-01' + to_microseconds(i * 1000001), 'dt': DATE '2020-01-01' + i::INTEGER,
   'dec': (i * 3)::DECIMAL(10, 2), 'u': md5(i::VARCHAR)::UUID, 'bl': ('b' || i::VARCHAR)::BLOB} AS typed
FROM range(%ROWS%) r(i)`;

// Many row groups (DuckDB's row groups hold at least 2,048 rows).
const ROWGROUPS_SQL = `
SELECT i::INTEGER AS id, i % 7 = 0 AS b, 'k' || (i % 13)::VARCHAR AS s,
  CASE WHEN i % 5 = 0 THEN NULL ELSE i * 1.5 END AS d,
  CASE WHEN i % 4 = 0 THEN NULL ELSE range(i % 4)::INTEGER[] END AS l
FROM range(%ROWS%) r(i)`;

// Strings that defeat dictionaries (forcing dictionary fallback in DuckDB).
const STRINGS_SQL = `
SELECT i::INTEGER AS id,
  md5(i::VARCHAR) || repeat('y', i % 50) AS uniq,
  CASE WHEN i % 3 = 0 THEN NULL ELSE 'common' || (i % 3)::VARCHAR END AS few,
  CASE WHEN i % 2 = 0 THEN '' ELSE NULL END AS empty_or_null
FROM range(%ROWS%) r(i)`;

// Event-shaped rows for benchmarks: many flat columns plus maps and a list.
const EVENTS_SQL = `
SELECT
  'evt-' || md5(i::VARCHAR) AS event_id,
  (['page_view', 'click', 'scroll', 'purchase', 'login', '_session_start'])[1 + i % 6] AS event_name,
  TIMESTAMP '2024-03-01' + to_microseconds(i * 1000003) AS event_timestamp,
  'app-' || (i % 5)::VARCHAR AS app_id,
  'user-' || (i % 50000)::VARCHAR AS user_pseudo_id,
  CASE WHEN i % 3 = 0 THEN NULL ELSE 'uid-' || (i % 20000)::VARCHAR END AS user_id,
  (['Apple', 'Samsung', 'Huawei', 'Xiaomi', 'Google'])[1 + i % 5] AS device_mobile_brand_name,
  'model-' || (i % 300)::VARCHAR AS device_mobile_model_name,
  (['iOS', 'Android'])[1 + i % 2] AS device_operating_system,
  ((i % 20)::VARCHAR || '.' || (i % 7)::VARCHAR) AS device_operating_system_version,
  (1080 + (i % 4) * 360)::BIGINT AS device_screen_width,
  (1920 + (i % 3) * 200)::BIGINT AS device_screen_height,
  (['zh', 'en', 'fr', 'de'])[1 + i % 4] AS device_system_language,
  ((i % 24) * 3600 - 43200)::BIGINT AS device_time_zone_offset_seconds,
  (['United States', 'China', 'Germany', 'France', 'Japan'])[1 + i % 5] AS geo_country,
  'city-' || (i % 1000)::VARCHAR AS geo_city,
  (['North America', 'Asia', 'Europe'])[1 + i % 3] AS geo_continent,
  'region-' || (i % 50)::VARCHAR AS geo_region,
  (['google', 'direct', 'facebook', 'bing'])[1 + i % 4] AS traffic_source_source,
  (['organic', 'cpc', 'referral'])[1 + i % 3] AS traffic_source_medium,
  'campaign-' || (i % 40)::VARCHAR AS traffic_source_campaign,
  (i * 0.37)::DOUBLE AS event_value_in_usd,
  (i % 1000)::BIGINT AS event_bundle_sequence_id,
  DATE '2024-03-01' + (i / 100000)::INTEGER AS event_date,
  'sess-' || (i / 20)::VARCHAR AS session_id,
  (i % 20)::INTEGER AS session_number,
  (i * 17 % 100000)::BIGINT AS engagement_time_msec,
  'https://example.com/p/' || (i % 5000)::VARCHAR AS page_url,
  'Page title ' || (i % 5000)::VARCHAR AS page_title,
  'https://ref.example.org/' || (i % 777)::VARCHAR AS page_referrer,
  (i % 2 = 0) AS is_first_visit,
  MAP {'_session_id': 'sess-' || (i / 20)::VARCHAR, '_page_url': '/p/' || (i % 5000)::VARCHAR, 'value': (i % 100)::VARCHAR} AS custom_parameters,
  MAP {'_user_name': 'name-' || (i % 20000)::VARCHAR, '_user_age': (18 + i % 60)::VARCHAR} AS user_properties,
  CASE WHEN i % 10 = 0 THEN MAP {'sku': 'sku-' || (i % 999)::VARCHAR, 'price': (i % 100)::VARCHAR} ELSE NULL END AS items,
  CASE WHEN i % 4 = 0 THEN ['tag' || (i % 10)::VARCHAR, 'tag' || (i % 7)::VARCHAR] ELSE [] END AS tags
FROM range(%ROWS%) r(i)`;

const CODECS = ['uncompressed', 'snappy', 'gzip', 'zstd', 'brotli', 'lz4', 'lz4_raw'];

const FIXTURES = [];
if (!large) {
  for (const codec of CODECS)
    FIXTURES.push({ name: `types_${codec}`, sql: TYPES_SQL, rows: 400, opts: `COMPRESSION ${codec}` });
  FIXTURES.push({ name: 'types_v2', sql: TYPES_SQL, rows: 400, opts: 'COMPRESSION zstd, PARQUET_VERSION V2' });
  FIXTURES.push({ name: 'types_v2_nodict', sql: TYPES_SQL, rows: 400, opts: 'COMPRESSION snappy, PARQUET_VERSION V2, DICTIONARY_SIZE_LIMIT 0' });
  FIXTURES.push({ name: 'types_v1_nodict', sql: TYPES_SQL, rows: 400, opts: 'COMPRESSION uncompressed, DICTIONARY_SIZE_LIMIT 0' });
  FIXTURES.push({ name: 'types_rowgroups', sql: ROWGROUPS_SQL, rows: 10000, opts: 'COMPRESSION snappy, ROW_GROUP_SIZE 2048' });
  FIXTURES.push({ name: 'nested_v1', sql: NESTED_SQL, rows: 300, opts: 'COMPRESSION snappy' });
  FIXTURES.push({ name: 'nested_v2', sql: NESTED_SQL, rows: 300, opts: 'COMPRESSION zstd, PARQUET_VERSION V2' });
  FIXTURES.push({ name: 'nested_nodict', sql: NESTED_SQL, rows: 300, opts: 'COMPRESSION gzip, DICTIONARY_SIZE_LIMIT 0' });
  FIXTURES.push({ name: 'strings_v1', sql: STRINGS_SQL, rows: 1500, opts: 'COMPRESSION snappy' });
  FIXTURES.push({ name: 'strings_v2', sql: STRINGS_SQL, rows: 1500, opts: 'COMPRESSION lz4_raw, PARQUET_VERSION V2' });
  FIXTURES.push({ name: 'empty', sql: TYPES_SQL, rows: 0, opts: 'COMPRESSION snappy' });
  FIXTURES.push({ name: 'empty_nested', sql: NESTED_SQL, rows: 0, opts: 'COMPRESSION zstd' });
  FIXTURES.push({ name: 'one_row', sql: NESTED_SQL, rows: 1, opts: 'COMPRESSION uncompressed' });
} else {
  FIXTURES.push({ name: 'large_types', sql: TYPES_SQL, rows: 200000, opts: 'COMPRESSION snappy, ROW_GROUP_SIZE 50000' });
  FIXTURES.push({ name: 'large_types_v2', sql: TYPES_SQL, rows: 200000, opts: 'COMPRESSION zstd, PARQUET_VERSION V2, ROW_GROUP_SIZE 60000' });
  FIXTURES.push({ name: 'large_nested', sql: NESTED_SQL, rows: 100000, opts: 'COMPRESSION snappy' });
  FIXTURES.push({ name: 'events_1m', sql: EVENTS_SQL, rows: 1000000, opts: 'COMPRESSION snappy, ROW_GROUP_SIZE 122880', noExpect: true });
}

async function writeExpected(file, out) {
  const fd = fs.openSync(out, 'w');
  const reader = await con.runAndReadAll(
    `SELECT to_json(__pq_row)::VARCHAR AS j FROM read_parquet('${file.replaceAll("'", "''")}') __pq_row`);
  for (const row of reader.getRows())
    fs.writeSync(fd, row[0] + '\n');
  fs.closeSync(fd);
}

if (expectOnly) {
  const dir = args.shift();
  fs.mkdirSync(dir, { recursive: true });
  for (const f of args)
    await writeExpected(f, path.join(dir, path.basename(f).replace(/\.parquet$/, '') + '.jsonl'));
  process.exit(0);
}

const outDir = args[0];
if (!outDir) {
  console.error('usage: node gen.mjs [--large] OUTDIR | --expect OUTDIR FILE...');
  process.exit(2);
}
fs.mkdirSync(outDir, { recursive: true });
const readme = [];
for (const fx of FIXTURES) {
  const file = path.join(outDir, fx.name + '.parquet');
  const copy = `COPY (${fx.sql.replace('%ROWS%', String(fx.rows))}) TO '${file}' (FORMAT parquet, ${fx.opts})`;
  await con.run(copy);
  if (!fx.noExpect)
    await writeExpected(file, path.join(outDir, fx.name + '.jsonl'));
  readme.push(`| \`${fx.name}.parquet\` | ${fx.rows} | \`${fx.opts}\` |`);
  console.log('wrote', file);
}
const version = (await con.runAndReadAll('SELECT version()')).getRows()[0][0];
fs.writeFileSync(path.join(outDir, 'FIXTURES.md'),
  `Generated by tools/gen-parquet-fixtures/gen.mjs with DuckDB ${version} (npm @duckdb/node-api).\n\n` +
  '| file | rows | COPY options |\n|---|---|---|\n' + readme.join('\n') + '\n');
