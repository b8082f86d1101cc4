// duck.mjs: the DuckDB half of test/integration/model_duckdb.sh (and of bench/model_refresh.sh's
// data checks).  DuckDB comes from test/gen's node_modules (npm ci there first).
//
//   node duck.mjs mutate DATA APP...       rewrite the generated Parquet files of the apps so
//                                          that the spec's corner cases occur (see mutate())
//   node duck.mjs days DATA APP TZ         the local dates (in TZ) that hold events, one a line
//   node duck.mjs compare DATA APP TZ PROJECT PGDIR [TOPN [SCAN_END]]
//                                          compute every reporting and metadata object of the
//                                          app from the Parquet files (expected.sql and the
//                                          metadata SQL below, written from the spec) and
//                                          compare with PGDIR/<object>.csv, exported from
//                                          PostgreSQL.  Prints "ok:", "FAIL:" and "SKIP:" lines;
//                                          exits 1 if anything failed.  The metadata scan's
//                                          window is everything before SCAN_END (a date,
//                                          default 2100-01-01).
//
// DATA is the directory that holds event_v2/, item_v2/, session/ and user_v2/ (the
// generator's --out plus --prefix).  DUCK_COUNTS=1 prints the size of every expected object
// first (to see what a change of expected.sql did).
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, '../../gen/package.json'));
const { DuckDBInstance } = require('@duckdb/node-api');
const REGISTRY = path.join(here, '../../../../shared/spec/clickstream-metadata-columns.json');
const SEP = '#|!|#';

const sq = (s) => `'${String(s).replaceAll("'", "''")}'`;
const ident = (s) => `"${s.replaceAll('"', '""')}"`;

async function connect() {
    const inst = await DuckDBInstance.create(':memory:');
    const con = await inst.connect();
    await con.run("SET TimeZone = 'UTC'");
    return con;
}
const rows = async (con, sql) => (await con.runAndReadAll(sql)).getRows();

// run every statement of a script (statements end with ';' at the end of a line)
async function runScript(con, text) {
    const body = text.split('\n').filter((l) => !/^\s*--/.test(l)).join('\n');
    for (const stmt of body.split(/;\s*\n/)) {
        if (stmt.trim()) {
            try { await con.run(stmt); } catch (e) { throw new Error(`${e.message}\nin: ${stmt.slice(0, 3000)}`); }
        }
    }
}

function parquetFiles(dir) {
    const out = [];
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) out.push(...parquetFiles(p));
        else if (e.name.endsWith('.parquet')) out.push(p);
    }
    return out.sort();
}

// mutate: the generator's data is regular; these edits make the definitions that the spec
// distinguishes give different answers (both sides read the edited files):
//   * a user on two platforms: every sixth session of a user happens on another platform
//   * sessions exactly at the engagement thresholds: session_duration 10000 (not engaged),
//     10001 (engaged) and 0 (engaged only by views), and engagement times of exactly
//     10,000,000 and 10,000,001 ms (the acquisition-only clause)
//   * crashes: half the 'search' events become '_app_exception'
//   * merged users: two pseudonymous users share one business user_id (pairs 10k, 10k+1)
//   * events with no user_v2 row: users whose number is 5 modulo 13 lose their user_v2 rows
//   * a re-delivered event file: a tenth of day 2's events again, in the last day's directory
//   * sessions crossing midnight in UTC and in Asia/Shanghai: one in forty sessions starts at
//     23:59 UTC, one in forty at 15:59 UTC
async function mutate(data, apps) {
    const con = await connect();
    const uid = `CAST(split_part(user_pseudo_id, '-u', 2) AS BIGINT)`;
    const userId = `CASE WHEN user_id IS NOT NULL THEN 'user-' || CAST(${uid} // 2 AS VARCHAR) END`;
    // sessions moved to start at 23:59 UTC or 15:59 UTC (23:59 in Asia/Shanghai) of their day:
    // they cross midnight in the app's time zone
    const start = 'epoch_ms(session_start_time_msec)';
    const shift = (ts) => `CASE hash(session_id || 'm') % 40
        WHEN 0 THEN ${ts} - ${start} + date_trunc('day', ${start}) + INTERVAL '23 hours 59 minutes'
        WHEN 1 THEN ${ts} - ${start} + date_trunc('day', ${start}) + INTERVAL '15 hours 59 minutes'
        ELSE ${ts} END`;
    const edits = {
        event_v2: `REPLACE (
            ${shift('event_timestamp')} AS event_timestamp,
            epoch_ms(${shift('event_timestamp')}) AS event_time_msec,
            epoch_ms(${shift('epoch_ms(session_start_time_msec)')}) AS session_start_time_msec,
            CASE WHEN hash(session_id || 'p') % 6 = 0 THEN CASE WHEN platform = 'Web' THEN 'iOS' ELSE 'Web' END ELSE platform END AS platform,
            CASE hash(session_id || 'd') % 5 WHEN 0 THEN 10000 WHEN 1 THEN 10001 WHEN 2 THEN 0 ELSE session_duration END AS session_duration,
            CASE WHEN user_engagement_time_msec IS NULL THEN NULL
                 WHEN hash(event_id || 'e') % 30 = 0 THEN 10000000
                 WHEN hash(event_id || 'e') % 30 = 1 THEN 10000001 ELSE user_engagement_time_msec END AS user_engagement_time_msec,
            CASE WHEN event_name = 'search' AND hash(event_id || 'x') % 2 = 0 THEN '_app_exception' ELSE event_name END AS event_name,
            CASE WHEN event_name = 'search' AND hash(event_id || 'x') % 2 = 0 THEN 'java.lang.NullPointerException' ELSE app_exception_message END AS app_exception_message,
            ${userId} AS user_id)`,
        session: `REPLACE (${userId} AS user_id, ${shift('event_timestamp')} AS event_timestamp,
                           epoch_ms(${shift('epoch_ms(session_start_time_msec)')}) AS session_start_time_msec)`,
        user_v2: `REPLACE (${userId} AS user_id)`,
    };
    const where = { user_v2: `WHERE ${uid} % 13 <> 5` };
    for (const app of apps) {
        for (const [table, edit] of Object.entries(edits)) {
            for (const f of parquetFiles(path.join(data, table, `partition_app=${app}`))) {
                await con.run(`COPY (SELECT * ${edit} FROM read_parquet(${sq(f)}) ${where[table] || ''})
                               TO ${sq(f + '.tmp')} (FORMAT parquet, COMPRESSION snappy)`);
                fs.renameSync(f + '.tmp', f);
            }
        }
        // the copy lands in the last day's directory: it is loaded after day 2 was refreshed
        const ev = parquetFiles(path.join(data, 'event_v2', `partition_app=${app}`));
        const day2 = ev[Math.min(1, ev.length - 1)];
        const last = ev[ev.length - 1];
        await con.run(`COPY (SELECT * FROM read_parquet(${sq(day2)}) WHERE hash(event_id || 'r') % 10 = 0)
                       TO ${sq(path.join(path.dirname(last), 'part-09999-redelivered.c000.snappy.parquet'))} (FORMAT parquet, COMPRESSION snappy)`);
    }
}

async function days(data, app, tz) {
    const con = await connect();
    const r = await rows(con, `SELECT DISTINCT CAST(timezone(${sq(tz)}, CAST(event_timestamp AS TIMESTAMPTZ)) AS DATE)::VARCHAR AS d
                                 FROM read_parquet(${sq(`${data}/event_v2/partition_app=${app}/**/*.parquet`)}) ORDER BY d`);
    for (const [d] of r) console.log(d);
}

// --- the metadata scan (spec §5.3), as DuckDB SQL built from the property registry --------
function metadataSql(app, project, topn, scanEnd) {
    const reg = JSON.parse(fs.readFileSync(REGISTRY, 'utf8'));
    const scanned = (table) => reg.filter((c) => c.table === table && c.scanValue === 'true');
    const unpivot = (rel, cols, extra) => `
        SELECT ${extra}, r.category, p.property_name, left(p.property_value, 100) AS property_value, r.value_type
          FROM (SELECT * FROM (UNPIVOT (SELECT project_id AS ctx_project_id, app_id AS ctx_app_id, event_timestamp AS ctx_event_timestamp,
                                ${cols.map((c) => `CAST(${c.name} AS VARCHAR) AS ${c.name}`).join(', ')}
                           FROM ${rel})
                ON ${cols.map((c) => c.name).join(', ')} INTO NAME property_name VALUE property_value)) p
          JOIN registry r ON r.name = p.property_name AND r.tbl = ${sq(cols[0].table)}`;
    const regRows = reg.map((c) => `(${sq(c.name)}, ${sq(c.table)}, ${sq(c.category)}, ${sq(c.dataType)}, ${sq(c.scanValue)})`);
    const top = (name) => `CASE WHEN ${name} IN ('page_view_page_title', 'page_view_page_url', 'screen_view_screen_name', 'screen_view_screen_id') THEN 50 ELSE ${topn} END`;
    return `
CREATE TABLE registry AS SELECT * FROM (VALUES ${regRows.join(', ')}) t(name, tbl, category, value_type, scan_value);
-- the scan's window: everything before scanEnd 00:00 UTC (the first scan has no start)
CREATE TABLE ods_event_w AS SELECT * FROM ods_event WHERE event_timestamp < TIMESTAMP ${sq(scanEnd)};
CREATE TABLE ods_session_p AS SELECT ${sq(project)} AS project_id, ${sq(app)} AS app_id, *
  FROM ods_session WHERE event_timestamp < TIMESTAMP ${sq(scanEnd)};
-- steps 3-5: the working rows of the whole window (the test scans all history)
CREATE TABLE props AS
${unpivot('ods_event_w', scanned('event_v2'), "'' AS event_name, p.ctx_project_id AS project_id, p.ctx_app_id AS app_id, p.ctx_event_timestamp AS event_timestamp, '' AS platform")}
UNION ALL
${unpivot('ods_session_p', scanned('session'), "'' AS event_name, p.ctx_project_id AS project_id, p.ctx_app_id AS app_id, p.ctx_event_timestamp AS event_timestamp, '' AS platform")}
UNION ALL
SELECT e.event_name, e.project_id, e.app_id, e.event_timestamp, e.platform, 'event', kv.key,
       left(kv.value.value, 100), kv.value.type
  FROM ods_event_w e, UNNEST(map_entries(e.custom_parameters)) t(kv)
 WHERE e.custom_parameters IS NOT NULL AND length(e.custom_parameters_json_str) < 50000
   AND kv.value IS NOT NULL AND kv.value.value IS NOT NULL;
-- step 6
CREATE TABLE pcount AS
SELECT project_id, app_id, category, '#' || strftime(CAST(event_timestamp AS DATE), '%Y%m') AS month,
       day(CAST(event_timestamp AS DATE)) AS day_number, value_type, property_name, property_value,
       platform, event_name, count(*) AS parameter_count
  FROM props WHERE property_value IS NOT NULL AND property_value <> '' GROUP BY ALL;
-- a ranking partition with more values than the limit keeps an arbitrary subset on ties:
-- such (property, day) pairs are left out of the comparison
CREATE TABLE param_ambiguous AS
SELECT DISTINCT category, month, day_number, value_type, property_name FROM pcount
 GROUP BY project_id, app_id, category, month, day_number, value_type, property_name, platform, event_name
HAVING count(*) > ${top('property_name')};
-- in such a group with one ranking partition (preset properties: no platform, no event
-- name), the kept values must be: exactly the limit of them, every value counted more than
-- the limit-th, none counted less, each with its count
CREATE TABLE param_ambiguous_values AS
SELECT p.category, p.month, p.day_number, p.value_type, p.property_name, p.property_value, p.parameter_count,
       ${top('p.property_name')} AS lim,
       nth_value(p.parameter_count, ${top('p.property_name')}) OVER (
           PARTITION BY p.category, p.month, p.day_number, p.value_type, p.property_name ORDER BY p.parameter_count DESC
           ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS cut
  FROM pcount p JOIN param_ambiguous a USING (category, month, day_number, value_type, property_name)
 WHERE p.platform = '' AND p.event_name = '';
CREATE TABLE exp_event_parameter_metadata AS
SELECT project_id || '#' || app_id || '#' || category || '#' || property_name || '#' || value_type AS id,
       month, 'EVENT_PARAMETER#' || project_id || '#' || app_id AS prefix, project_id, app_id, day_number,
       category, string_agg(DISTINCT event_name, '${SEP}' ORDER BY event_name) AS event_name_set,
       property_name, value_type, property_value, sum(parameter_count) AS count,
       string_agg(DISTINCT platform, '${SEP}' ORDER BY platform) AS platform
  FROM pcount p
 WHERE NOT EXISTS (SELECT 1 FROM param_ambiguous a WHERE (a.category, a.month, a.day_number, a.value_type, a.property_name)
                                                         = (p.category, p.month, p.day_number, p.value_type, p.property_name))
 GROUP BY project_id, app_id, category, month, day_number, value_type, property_name, property_value;
-- step 7: user attributes over the whole user_v2
CREATE TABLE ods_user_p AS SELECT NULL AS project_id, NULL AS app_id, * FROM ods_user;
CREATE TABLE uattr AS
${unpivot('ods_user_p', scanned('user_v2'), 'p.ctx_project_id AS project_id')}
UNION ALL
SELECT NULL, 'user', kv.key, left(kv.value.value, 100), kv.value.type
  FROM ods_user u, UNNEST(map_entries(u.user_properties)) t(kv)
 WHERE u.user_properties IS NOT NULL AND length(u.user_properties_json_str) < 50000
   AND kv.value IS NOT NULL;
CREATE TABLE ucount AS
SELECT category, property_name, property_value, value_type, count(*) AS n
  FROM uattr WHERE property_name NOT LIKE '%timestamp%' AND property_value IS NOT NULL AND property_value <> ''
 GROUP BY ALL;
CREATE TABLE user_ambiguous AS
SELECT category, property_name, value_type FROM ucount GROUP BY ALL HAVING count(*) > ${topn};
CREATE TABLE exp_user_attribute_metadata AS
SELECT ${sq(project)} || '#' || ${sq(app)} || '#' || category || '#' || property_name || '#' || value_type AS id,
       'USER_ATTRIBUTE#' || ${sq(project)} || '#' || ${sq(app)} AS prefix, ${sq(project)} AS project_id,
       ${sq(app)} AS app_id, category, property_name, value_type,
       string_agg(property_value || '_' || CAST(n AS VARCHAR), '${SEP}' ORDER BY property_value) AS value_enum
  FROM ucount c
 WHERE NOT EXISTS (SELECT 1 FROM user_ambiguous a WHERE (a.category, a.property_name, a.value_type) = (c.category, c.property_name, c.value_type))
 GROUP BY ALL;
-- step 8: event names per UTC day
CREATE TABLE exp_event_metadata AS
SELECT project_id || '#' || app_id || '#' || event_name AS id, '#' || strftime(d, '%Y%m') AS month,
       'EVENT#' || project_id || '#' || app_id AS prefix, project_id, app_id, day(d) AS day_number,
       count(*) AS count, event_name,
       string_agg(DISTINCT platform, '${SEP}' ORDER BY platform) AS platform,
       string_agg(DISTINCT sdk_version, '${SEP}' ORDER BY sdk_version) AS sdk_version,
       string_agg(DISTINCT sdk_name, '${SEP}' ORDER BY sdk_name) AS sdk_name
  FROM (SELECT *, CAST(event_timestamp AS DATE) AS d FROM ods_event_w) e
 WHERE event_name <> '_' GROUP BY ALL;
`;
}

// --- comparison ----------------------------------------------------------------------------
// Per object: key columns compared exactly (as text, the multiset of rows), real columns
// within 1e-4 relative (NULL counts as 0: "a sum over no rows" may be stored either way),
// lists (#|!|#-joined) compared as sets (their order depends on collation).
const K = (s) => s.split(/\s+/).filter(Boolean);
const OBJECTS = [
    // the ODS tables after the loader's merges (checks the load and this comparison itself)
    { name: 'event_v2', keys: K('event_id event_timestamp event_name platform user_id user_pseudo_id session_id session_duration user_engagement_time_msec') },
    { name: 'session', keys: K('user_pseudo_id session_id event_timestamp user_id session_source session_medium session_channel_group') },
    { name: 'user_v2', keys: K('user_pseudo_id event_timestamp user_id first_touch_time_msec first_visit_date first_traffic_source') },
    { name: 'clickstream_event_base_view', keys: K('event_id event_timestamp event_name session_source session_channel_group view_session_indicator view_event_indicator page_view_entrances screen_view_entrances'), src: 'base' },
    { name: 'clickstream_event_view_v3', keys: K('event_id event_timestamp merged_user_id new_user_indicator is_first_day_event page_view_entrances view_event_indicator') },
    { name: 'clickstream_acquisition_country_new_user', keys: K('event_date platform geo_country geo_city user_count') },
    { name: 'clickstream_acquisition_day_traffic_source_user', keys: K('event_date platform aggregation_type aggregation_dim user_id') },
    { name: 'clickstream_acquisition_day_user_acquisition', keys: K('event_date aggregation_type aggregation_dim platform user_id new_user_count session_count engagement_session_count event_count'),
      reals: K('engagement_rate total_user_engagement_time_seconds avg_user_engagement_time_seconds'),
      variants: [
          { label: 'engagement_rate as the original (integer division by events), Channel Group columns fixed', rate: 'rate_original', swap: false },
          { label: 'engagement_rate fixed (engaged sessions / sessions), Channel Group columns fixed', rate: 'rate_fixed', swap: false },
          { label: 'engagement_rate as the original, Channel Group columns swapped as the original', rate: 'rate_original', swap: true },
          { label: 'engagement_rate fixed, Channel Group columns swapped as the original', rate: 'rate_fixed', swap: true },
      ] },
    { name: 'clickstream_acquisition_day_user_view_cnt', keys: K('event_date platform active_users new_users view_count') },
    { name: 'clickstream_engagement_entrance', keys: K('event_date platform aggregation_type aggregation_dim entrance_count'),
      variants: [
          { label: 'screen entrances flagged by page_view_entrances (the original, §13 item 10)', flag: 'page' },
          { label: 'screen entrances flagged by screen_view_entrances (§13 item 10 fixed)', flag: 'screen' },
      ] },
    { name: 'clickstream_engagement_exit', keys: K('event_date platform aggregation_type aggregation_dim exit_count') },
    { name: 'clickstream_engagement_event_name', keys: K('event_date platform user_id event_name event_count'), reals: K('event_value') },
    { name: 'clickstream_engagement_kpi', keys: K('event_date platform'),
      reals: K('avg_engaged_session_per_user avg_engagement_time_per_session_seconds avg_engagement_time_per_user_seconds') },
    { name: 'clickstream_engagement_page_screen_view', keys: K('event_date platform aggregation_type aggregation_dim view_count') },
    { name: 'clickstream_engagement_page_screen_view_detail', keys: K('event_date platform aggregation_type aggregation_dim user_id event_count view_count session_count'),
      reals: K('user_engagement_time_seconds') },
    { name: 'clickstream_engagement_day_event_view', keys: K('event_date platform event_count view_count') },
    { name: 'clickstream_retention_dau_wau', keys: K('event_date platform merged_user_id') },
    { name: 'clickstream_retention_event_overtime', keys: K('event_date platform event_count') },
    { name: 'clickstream_retention_user_new_return', keys: K('event_date platform user_type user_count') },
    { name: 'clickstream_device_crash_rate', keys: K('event_date platform app_version merged_user_id crashed_user_id') },
    { name: 'clickstream_device_user_device', keys: K('event_date user_id platform device app_version operating_system operating_system_version device_ua_browser device_screen_resolution device_ua_device device_ua_device_category event_count') },
    { name: 'clickstream_acquisition_intra_day_user_mv', keys: K('event_date platform active_users new_users') },
    { name: 'clickstream_lifecycle_view_v2', keys: K('user_pseudo_id platform time_period_week') },
    { name: 'clickstream_retention_base_view', keys: K('user_pseudo_id platform first_date day_diff') },
    { name: 'clickstream_lifecycle_weekly_view_v3', keys: K('time_period platform this_week_value sum'),
      variants: [
          { label: 'a user\'s rows of one week ordered by platform, byte order', where: "variant = 'bytes'" },
          { label: 'a user\'s rows of one week ordered by platform, case-blind', where: "variant = 'nocase'" },
      ] },
    { name: 'clickstream_retention_view_v3', keys: K('platform first_date day_diff returned_user_count total_users') },
    { name: 'event_metadata', keys: K('id month prefix project_id app_id day_number count event_name'), lists: K('platform sdk_version sdk_name'), metadata: true },
    { name: 'event_parameter_metadata', keys: K('id month prefix project_id app_id day_number category property_name value_type property_value count'),
      lists: K('event_name_set platform'), metadata: true },
    { name: 'user_attribute_metadata', keys: K('id prefix project_id app_id category property_name value_type'), lists: K('value_enum'), metadata: true },
];

const SUMMARY_ORDER = K(`clickstream_acquisition_country_new_user clickstream_acquisition_day_traffic_source_user
    clickstream_acquisition_day_user_acquisition clickstream_engagement_day_event_view clickstream_engagement_entrance
    clickstream_engagement_exit clickstream_engagement_kpi clickstream_engagement_page_screen_view_detail
    clickstream_engagement_page_screen_view clickstream_engagement_event_name clickstream_retention_dau_wau
    clickstream_retention_event_overtime clickstream_retention_user_new_return clickstream_acquisition_day_user_view_cnt
    clickstream_device_crash_rate clickstream_device_user_device`);

const normList = (c) => `array_to_string(list_sort(string_split(coalesce(${c}, ''), '${SEP}')), '${SEP}')`;

// select the compared columns of a relation as text (keys, lists) and double (reals)
function projection(o, rel, overrides = {}) {
    const cols = [];
    for (const k of o.keys) cols.push(`CAST(${overrides[k] || ident(k)} AS VARCHAR) AS ${ident(k)}`);
    for (const l of o.lists || []) cols.push(`${normList(`CAST(${overrides[l] || ident(l)} AS VARCHAR)`)} AS ${ident(l)}`);
    for (const r of o.reals || []) cols.push(`coalesce(CAST(${overrides[r] || ident(r)} AS DOUBLE), 0) AS ${ident(r)}`);
    return `SELECT ${cols.join(', ')} FROM ${rel}`;
}

// differences between two projected relations: rows only on one side (by keys and lists),
// then real columns out of tolerance for rows with equal keys
async function differences(con, o, exp, act) {
    const exact = [...o.keys, ...(o.lists || [])].map(ident).join(', ');
    const missing = await rows(con, `SELECT ${exact} FROM (${exp}) EXCEPT ALL SELECT ${exact} FROM (${act}) LIMIT 4`);
    const extra = await rows(con, `SELECT ${exact} FROM (${act}) EXCEPT ALL SELECT ${exact} FROM (${exp}) LIMIT 4`);
    const nMissing = (await rows(con, `SELECT count(*) FROM (SELECT ${exact} FROM (${exp}) EXCEPT ALL SELECT ${exact} FROM (${act}))`))[0][0];
    const nExtra = (await rows(con, `SELECT count(*) FROM (SELECT ${exact} FROM (${act}) EXCEPT ALL SELECT ${exact} FROM (${exp}))`))[0][0];
    let nReal = 0n, realSample = [];
    if ((o.reals || []).length) {
        const on = o.keys.map((k) => `e.${ident(k)} IS NOT DISTINCT FROM a.${ident(k)}`).join(' AND ');
        const bad = o.reals.map((r) => `abs(e.${ident(r)} - a.${ident(r)}) > 1e-4 * greatest(1, abs(e.${ident(r)}))`).join(' OR ');
        const q = `FROM (${exp}) e JOIN (${act}) a ON ${on} WHERE ${bad}`;
        nReal = (await rows(con, `SELECT count(*) ${q}`))[0][0];
        realSample = await rows(con, `SELECT ${o.keys.slice(0, 5).map((k) => `e.${ident(k)}`).join(', ')}, ${o.reals.map((r) => `e.${ident(r)} AS exp_${r}, a.${ident(r)} AS got_${r}`).join(', ')} ${q} LIMIT 3`);
    }
    return { nMissing: Number(nMissing), nExtra: Number(nExtra), nReal: Number(nReal), missing, extra, realSample };
}

const fmt = (r) => JSON.stringify(r, (k, v) => (typeof v === 'bigint' ? Number(v) : v));

async function compare(data, app, tz, project, pgdir, topn, scanEnd) {
    const con = await connect();
    const script = fs.readFileSync(path.join(here, 'expected.sql'), 'utf8')
        .replaceAll('{{DATA}}', data).replaceAll('{{APP}}', app).replaceAll('{{TZ}}', tz);
    await runScript(con, script);
    await con.run('CREATE TABLE exp_clickstream_event_base_view AS SELECT * FROM base');
    for (const [t, rel] of [['event_v2', 'ods_event'], ['session', 'ods_session'], ['user_v2', 'ods_user']]) {
        await con.run(`CREATE TABLE exp_${t} AS SELECT * FROM ${rel}`);
    }
    await runScript(con, metadataSql(app, project, topn, scanEnd));
    if (process.env.DUCK_COUNTS) {
        for (const o of OBJECTS) console.log(`exp_${o.name}: ${(await rows(con, `SELECT count(*) FROM exp_${o.name}`))[0][0]}`);
    }
    let failed = 0;
    const say = (s) => console.log(s);
    // the data must exercise what the definitions distinguish, or equal rows prove little
    const raw = `read_parquet('${data}/event_v2/partition_app=${app}/**/*.parquet')`;
    const coverage = [
        ['users active on two platforms in one day', `SELECT count(*) FROM (SELECT ev_date, merged_user_id FROM v3 GROUP BY ALL HAVING count(DISTINCT platform) > 1)`],
        ['sessions crossing local midnight', `SELECT count(*) FROM (SELECT session_id FROM v3 GROUP BY ALL HAVING count(DISTINCT ev_date) > 1)`],
        ['sessions of at most one view lasting exactly 10,000 ms (not engaged)', `SELECT count(*) FROM (SELECT session_id FROM v3 GROUP BY ALL HAVING count(*) FILTER (WHERE is_view) <= 1 AND max(session_duration) = 10000)`],
        ['sessions of at most one view lasting 10,001 ms (engaged)', `SELECT count(*) FROM (SELECT session_id FROM v3 GROUP BY ALL HAVING count(*) FILTER (WHERE is_view) <= 1 AND max(session_duration) = 10001)`],
        ['sessions with exactly two views and a duration of 0', `SELECT count(*) FROM (SELECT session_id FROM v3 GROUP BY ALL HAVING count(*) FILTER (WHERE is_view) = 2 AND max(session_duration) = 0)`],
        ['engagement times of exactly 10,000,000 ms', `SELECT count(*) FROM v3 WHERE user_engagement_time_msec = 10000000`],
        ['_app_exception events', `SELECT count(*) FROM v3 WHERE event_name = '_app_exception'`],
        ['business users behind two pseudonymous users', `SELECT count(*) FROM (SELECT merged_user_id FROM v3 GROUP BY ALL HAVING count(DISTINCT user_pseudo_id) > 1)`],
        ['events whose user has no user_v2 row', `SELECT count(*) FROM ods_event e WHERE NOT EXISTS (SELECT 1 FROM ods_user u WHERE u.user_pseudo_id = e.user_pseudo_id)`],
        ['events delivered twice', `SELECT (SELECT count(*) FROM ${raw}) - (SELECT count(*) FROM ods_event)`],
        ['screen views flagged as entrances', `SELECT count(*) FROM v3 WHERE event_name = '_screen_view' AND screen_view_entrances = 'true'`],
        ['users active on their first day and on a later one', `SELECT count(*) FROM (SELECT merged_user_id FROM v3 GROUP BY ALL
            HAVING bool_or(ev_date = CAST(timezone('${tz}', CAST(epoch_ms(first_touch_time_msec // 1000 * 1000) AS TIMESTAMPTZ)) AS DATE))
               AND bool_or(ev_date > CAST(timezone('${tz}', CAST(epoch_ms(first_touch_time_msec // 1000 * 1000) AS TIMESTAMPTZ)) AS DATE)))`],
    ];
    for (const [what, sql] of coverage) {
        const n = Number((await rows(con, sql))[0][0]);
        if (n > 0) say(`ok: ${app} data: ${n} ${what}`);
        else { failed++; say(`FAIL: ${app} data: no ${what} (the test data no longer exercises it)`); }
    }
    const amb = Number((await rows(con, `SELECT count(*) FROM (SELECT user_pseudo_id, time_period_week FROM exp_clickstream_lifecycle_view_v2 GROUP BY ALL HAVING count(*) > 1)`))[0][0]);
    for (const o of OBJECTS) {
        const csv = path.join(pgdir, `${o.name}.csv`);
        const label = `${app} (${tz}) ${o.name}`;
        if (!fs.existsSync(csv)) { say(`SKIP: ${label}: not in PostgreSQL (yet)`); continue; }
        await con.run(`CREATE OR REPLACE TABLE got AS SELECT * FROM read_csv(${sq(csv)}, header = true, all_varchar = true,
                                                                      allow_quoted_nulls = false, quote = '"', escape = '"')`);
        if (o.name === 'event_parameter_metadata') {
            // the groups where the top-N cut is arbitrary: checked apart, then left out
            const bad = await rows(con, `
                WITH g AS (SELECT * FROM got g WHERE EXISTS (SELECT 1 FROM param_ambiguous a
                             WHERE (a.category, a.month, CAST(a.day_number AS VARCHAR), a.value_type, a.property_name)
                                 = (g.category, g.month, g.day_number, g.value_type, g.property_name))),
                     e AS (SELECT * FROM param_ambiguous_values),
                     wrong AS (
                         SELECT 'kept ' || g.property_value || ' with count ' || g.count AS what FROM g
                          WHERE NOT EXISTS (SELECT 1 FROM e WHERE (e.category, e.month, CAST(e.day_number AS VARCHAR), e.value_type, e.property_name, e.property_value)
                                                                 = (g.category, g.month, g.day_number, g.value_type, g.property_name, g.property_value)
                                                              AND CAST(e.parameter_count AS VARCHAR) = g.count AND e.parameter_count >= e.cut)
                         UNION ALL
                         SELECT 'dropped ' || e.property_value FROM e
                          WHERE e.parameter_count > e.cut AND NOT EXISTS (SELECT 1 FROM g
                                WHERE (e.category, e.month, CAST(e.day_number AS VARCHAR), e.value_type, e.property_name, e.property_value)
                                    = (g.category, g.month, g.day_number, g.value_type, g.property_name, g.property_value))
                         UNION ALL
                         SELECT 'kept ' || count(*) || ' values of ' || property_name || ' on day ' || day_number FROM g
                          GROUP BY category, month, day_number, value_type, property_name
                         HAVING count(*) <> max(CASE WHEN property_name IN ('page_view_page_title', 'page_view_page_url', 'screen_view_screen_name', 'screen_view_screen_id') THEN 50 ELSE ${topn} END))
                SELECT (SELECT count(*) FROM g), (SELECT count(*) FROM wrong), (SELECT string_agg(what, '; ') FROM (SELECT what FROM wrong LIMIT 3))`);
            const [nAmb, nWrong, sample] = bad[0];
            if (Number(nWrong) === 0) say(`ok: ${label}: the ${nAmb} rows of the properties cut at the top-N limit are the most frequent values, with their counts`);
            else { failed++; say(`FAIL: ${label}: properties cut at the top-N limit: ${nWrong} problems: ${sample}`); }
            await con.run(`DELETE FROM got g WHERE EXISTS (SELECT 1 FROM param_ambiguous a
                             WHERE (a.category, a.month, CAST(a.day_number AS VARCHAR), a.value_type, a.property_name)
                                 = (g.category, g.month, g.day_number, g.value_type, g.property_name))`);
        }
        if (o.name === 'user_attribute_metadata') {
            await con.run(`DELETE FROM got g WHERE EXISTS (SELECT 1 FROM user_ambiguous a
                             WHERE (a.category, a.property_name, a.value_type) = (g.category, g.property_name, g.value_type))`);
        }
        const nExp = Number((await rows(con, `SELECT count(*) FROM exp_${o.name}`))[0][0]);
        const nGot = Number((await rows(con, 'SELECT count(*) FROM got'))[0][0]);
        if (o.name === 'clickstream_lifecycle_weekly_view_v3') {
            say(`ok: ${app} data: ${amb} (user, week) pairs with two platforms (the order of a user's rows within a week matters)`);
        }
        if (nExp === 0) { failed++; say(`FAIL: ${label}: the expected side is empty (the test data does not exercise it)`); continue; }
        const variants = o.variants || [{ label: null }];
        let best = null;
        const matching = [];
        for (const v of variants) {
            let exp;
            if (v.rate) {
                exp = projection(o, `exp_${o.name}`, {
                    engagement_rate: v.rate,
                    total_user_engagement_time_seconds: v.swap ? `CASE WHEN aggregation_type = 'Session Traffic Channel Group' THEN avg_user_engagement_time_seconds ELSE total_user_engagement_time_seconds END` : null,
                    avg_user_engagement_time_seconds: v.swap ? `CASE WHEN aggregation_type = 'Session Traffic Channel Group' THEN total_user_engagement_time_seconds ELSE avg_user_engagement_time_seconds END` : null,
                });
            } else if (v.where) {
                exp = projection(o, `(SELECT * FROM exp_${o.name} WHERE ${v.where})`);
            } else if (v.flag) {
                exp = projection(o, `(SELECT * EXCLUDE (screen_flag) FROM exp_${o.name} WHERE screen_flag IS NULL OR screen_flag = '${v.flag}')`);
            } else {
                exp = projection(o, `exp_${o.name}`);
            }
            const d = await differences(con, o, exp, projection(o, 'got'));
            d.variant = v.label;
            if (d.nMissing + d.nExtra + d.nReal === 0) matching.push(v.label);
            if (!best || d.nMissing + d.nExtra + d.nReal < best.nMissing + best.nExtra + best.nReal) best = d;
        }
        // every variant is tried: when two match, the data cannot tell the choices apart
        const how = matching.length > 1 ? ` [the data cannot tell apart: ${matching.join(' | ')}]`
            : best.variant ? ` [${best.variant}]` : '';
        if (best.nMissing + best.nExtra + best.nReal === 0) {
            say(`ok: ${label}: ${nGot} rows equal${how}`);
        } else {
            failed++;
            say(`FAIL: ${label}: expected ${nExp} rows, got ${nGot}; ${best.nMissing} expected rows missing, ${best.nExtra} unexpected, ${best.nReal} with other values${how}`);
            for (const r of best.missing) say(`    missing:    ${fmt(r)}`);
            for (const r of best.extra) say(`    unexpected: ${fmt(r)}`);
            for (const r of best.realSample) say(`    values:     ${fmt(r)}`);
        }
    }
    failed += await catalogCheck(con, app, tz, project, pgdir, say);
    return failed;
}

// catalogCheck: the event items of the metadata catalog (spec §5.4) against the expected
// event_metadata: one item per event name under month 'latest' (all test data is in one
// month), prefix EVENT#<project>#<app>#v3, dayN = {count, hasData, platform, sdkVersion,
// sdkName} for every scanned day, summary.latestCount = the count of the highest day, and
// summary.platform = the union of the days; user attribute items: dayN and summary valueEnum
// = the value_enum of user_attribute_metadata
async function catalogCheck(con, app, tz, project, pgdir, say) {
    const csv = path.join(pgdir, 'metadata_catalog.csv');
    const label = `${app} (${tz}) metadata_catalog`;
    if (!fs.existsSync(csv)) { say(`SKIP: ${label}: not in PostgreSQL (yet)`); return 0; }
    await con.run(`CREATE OR REPLACE TABLE cat AS SELECT * FROM read_csv(${sq(csv)}, header = true, all_varchar = true,
                                                                  allow_quoted_nulls = false, quote = '"', escape = '"')`);
    const set = (j) => `list_sort(CAST(${j} AS VARCHAR[]))`;
    const split = (c) => `list_sort(string_split(${c}, '${SEP}'))`;
    const problems = await rows(con, `
        WITH e AS (SELECT * FROM exp_event_metadata),
             c AS (SELECT * FROM cat WHERE prefix = 'EVENT#' || ${sq(project)} || '#' || ${sq(app)} || '#v3'),
             wrong AS (
                SELECT 'event ' || e.event_name || ' day ' || e.day_number || ': ' ||
                       coalesce(json_extract_string(c.days, '$.day' || e.day_number), 'missing') AS what
                  FROM e LEFT JOIN c ON c.id = e.id AND c.month = 'latest'
                 WHERE c.id IS NULL OR c.origin_month <> e.month OR c.name <> e.event_name
                    OR json_extract_string(c.days, '$.day' || e.day_number || '.count') IS DISTINCT FROM CAST(e.count AS VARCHAR)
                    OR json_extract_string(c.days, '$.day' || e.day_number || '.hasData') IS DISTINCT FROM 'true'
                    OR ${set(`json_extract(c.days, '$.day' || e.day_number || '.platform')`)} <> ${split('e.platform')}
                    OR ${set(`json_extract(c.days, '$.day' || e.day_number || '.sdkVersion')`)} <> ${split('e.sdk_version')}
                    OR ${set(`json_extract(c.days, '$.day' || e.day_number || '.sdkName')`)} <> ${split('e.sdk_name')}
                UNION ALL
                SELECT 'event item ' || c.id || ' has ' || len(json_keys(c.days)) || ' days, expected ' || count(e.id)
                  FROM c LEFT JOIN e ON e.id = c.id GROUP BY c.id, c.days HAVING len(json_keys(c.days)) <> count(e.id)
                UNION ALL
                SELECT 'event item ' || c.id || ': latestCount ' || coalesce(json_extract_string(c.summary, '$.latestCount'), 'missing')
                  FROM c JOIN (SELECT id, arg_max(count, day_number) AS last_count, list_sort(list_distinct(flatten(list(${split('platform')})))) AS platforms
                                 FROM e GROUP BY id) x ON x.id = c.id
                 WHERE json_extract_string(c.summary, '$.latestCount') IS DISTINCT FROM CAST(x.last_count AS VARCHAR)
                    OR ${set(`json_extract(c.summary, '$.platform')`)} <> x.platforms
                UNION ALL
                SELECT 'user attribute ' || u.id || ': ' || coalesce(c2.summary, 'missing')
                  FROM exp_user_attribute_metadata u
                  LEFT JOIN cat c2 ON c2.id = u.id AND c2.month = 'latest'
                 WHERE NOT EXISTS (SELECT 1 FROM user_ambiguous a WHERE (a.category, a.property_name, a.value_type) = (u.category, u.property_name, u.value_type))
                   AND (c2.id IS NULL
                        OR list_sort(list_transform(CAST(json_extract(c2.summary, '$.valueEnum') AS STRUCT(value VARCHAR, count BIGINT)[]),
                                                    x -> x.value || '_' || CAST(x.count AS VARCHAR)))
                           <> ${split('u.value_enum')}))
        SELECT (SELECT count(*) FROM c), (SELECT count(*) FROM wrong), (SELECT string_agg(what, ' | ') FROM (SELECT what FROM wrong LIMIT 3))`);
    const [nItems, nWrong, sample] = problems[0];
    if (Number(nItems) === 0) { say(`FAIL: ${label}: no event item`); return 1; }
    if (Number(nWrong) === 0) { say(`ok: ${label}: ${nItems} event items and the user attribute items match the scan`); return 0; }
    say(`FAIL: ${label}: ${nWrong} problems: ${sample}`);
    return 1;
}

async function main() {
    const [cmd, ...a] = process.argv.slice(2);
    if (cmd === 'mutate') return mutate(a[0], a.slice(1));
    if (cmd === 'days') return days(a[0], a[1], a[2]);
    if (cmd === 'objects') {
        // the 16 summary tables in the order of spec §7.2 (their procedures' call order), or
        // every object compared
        if (a[0] === 'summary') return console.log(SUMMARY_ORDER.join('\n'));
        return console.log(OBJECTS.map((o) => o.name).join('\n'));
    }
    if (cmd === 'compare') {
        const failed = await compare(a[0], a[1], a[2], a[3], a[4], Number(a[5] || 20), a[6] || '2100-01-01');
        if (failed) process.exitCode = 1;
        return;
    }
    throw new Error('usage: duck.mjs mutate|days|compare ...');
}

main().catch((e) => { process.stderr.write(`duck.mjs: ${e.stack || e.message}\n`); process.exit(2); });
