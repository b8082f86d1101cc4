// gen.mjs: realistic sample clickstream data for pg_clickstream, written by DuckDB as
// Snappy Parquet in the pipeline's layout (spec §2.8):
//
//   <out>/<prefix><table>/partition_app=<app>/partition_year=YYYY/partition_month=MM/
//         partition_day=DD/part-NNNNN-s<seed>.c000.snappy.parquet
//
// for the four ODS tables (event_v2, item_v2, session, user_v2), each with exactly the
// columns of spec §2.1-§2.4 in their order (names, and types mapped to Parquet the way
// the ETL writes them: maps for the SUPER columns).  The data: users with a first visit
// (_first_open), sessions with traffic attribution, page or screen views by platform,
// engagement, searches, banner clicks with custom parameters, and e-commerce events with
// their items.  Everything derives from hash(seed, ...), so a seed and the size parameters
// give the same files on every run.
//
//   node gen.mjs --out DIR [--prefix clickstream/] [--apps app1,app2] [--project project1]
//                [--events 10000] [--days 3] [--files 1] [--seed 42] [--start 2024-03-01]
//
// --events is per app (about 8.5 events per session, 3 sessions per user); --files is the
// number of files per table, app and day.  Prints a JSON summary: files, bytes, rows per
// table and the distinct business keys per table (the row counts after the merges).
import { DuckDBInstance } from '@duckdb/node-api';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

function parseArgs(argv) {
    const a = {
        prefix: 'clickstream/', apps: 'app1', project: 'project1', events: 10000, days: 3,
        files: 1, seed: 42, start: '2024-03-01',
        spec: path.join(here, '../../../shared/spec/clickstream-model.md'),
    };
    for (let i = 0; i < argv.length; i += 2) {
        const k = argv[i].replace(/^--/, '');
        if (!(k in a) && k !== 'out') throw new Error(`unknown option ${argv[i]}`);
        a[k] = argv[i + 1];
    }
    if (!a.out) throw new Error('--out DIR is required');
    for (const k of ['events', 'days', 'files', 'seed']) {
        a[k] = Number(a[k]);
        if (!Number.isInteger(a[k]) || a[k] < 0) throw new Error(`--${k} must be a whole number`);
    }
    if (!/^\d{4}-\d{2}-\d{2}$/.test(a.start)) throw new Error('--start must be YYYY-MM-DD');
    a.apps = a.apps.split(',').filter(Boolean);
    if (!a.apps.every((x) => /^[A-Za-z][A-Za-z0-9_]*$/.test(x))) throw new Error('bad --apps');
    return a;
}

// specColumns: {table: [{name, type}]} from the tables of spec §2.1-§2.4 (PostgreSQL types).
function specColumns(specPath) {
    const text = fs.readFileSync(specPath, 'utf8');
    const out = {};
    for (const [sec, table] of [['2.1', 'event_v2'], ['2.2', 'item_v2'], ['2.3', 'session'], ['2.4', 'user_v2']]) {
        const start = text.indexOf(`### ${sec} `);
        const end = text.indexOf('\n### ', start + 1);
        out[table] = [];
        for (const line of text.slice(start, end).split('\n')) {
            const m = line.match(/^\| \d+ \| `([a-z0-9_]+)` \| [^|]+ \| ([^|]+) \|/);
            if (m) out[table].push({ name: m[1], type: m[2].replace(/\(UTC.*\)/, '').trim() });
        }
        if (out[table].length < 18) throw new Error(`could not parse §${sec} of ${specPath}`);
    }
    return out;
}

// the Parquet (DuckDB) type of a column without an expression below
function duckType(col) {
    const t = col.type;
    if (t.startsWith('varchar') || t === 'text') return 'VARCHAR';
    if (t === 'jsonb') return 'MAP(VARCHAR, VARCHAR)';
    return { bigint: 'BIGINT', integer: 'INTEGER', 'double precision': 'DOUBLE', boolean: 'BOOLEAN',
             timestamp: 'TIMESTAMP', date: 'DATE' }[t] || (() => { throw new Error(`type ${t}`); })();
}

// Column expressions per table, over the relations built in main(): ev (events), it
// (items), se (sessions), us (users per day).  Unlisted columns are NULL.
const CUSTOM = `MAP(VARCHAR, STRUCT(value VARCHAR, type VARCHAR))`;
const PROCESS_INFO = `MAP {'process_job_id': 'gen-' || $seed, 'rid': md5(ROW_KEY), 'source_ip': '192.0.2.' || (h(ROW_KEY, 9) % 250)::VARCHAR}`;
const EXPR = {
    event_v2: {
        event_timestamp: 'ts', event_id: 'event_id', event_time_msec: 'epoch_ms(ts)',
        event_name: 'event_name',
        event_value: `CASE WHEN event_name = 'purchase' THEN round(5 + h(event_id, 1) % 20000 / 100.0, 2) END`,
        event_value_currency: `CASE WHEN event_name = 'purchase' THEN 'USD' END`,
        event_bundle_sequence_id: 'j + 1', ingest_time_msec: 'epoch_ms(ts) + 800 + h(event_id, 2) % 3000',
        device_mobile_brand_name: `CASE platform WHEN 'Android' THEN ['Samsung', 'Xiaomi', 'Google'][1 + uid % 3] WHEN 'iOS' THEN 'Apple' END`,
        device_mobile_model_name: `CASE platform WHEN 'Android' THEN ['SM-S918B', '2201117TG', 'Pixel 8'][1 + uid % 3] WHEN 'iOS' THEN ['iPhone14,5', 'iPhone15,2'][1 + uid % 2] END`,
        device_manufacturer: `CASE platform WHEN 'Android' THEN ['samsung', 'Xiaomi', 'Google'][1 + uid % 3] WHEN 'iOS' THEN 'Apple' END`,
        device_carrier: `CASE WHEN platform <> 'Web' THEN ['T-Mobile', 'Vodafone', 'China Mobile'][1 + uid % 3] END`,
        device_network_type: `CASE WHEN platform <> 'Web' THEN ['WIFI', '5G', '4G'][1 + sid % 3] END`,
        device_operating_system: `CASE platform WHEN 'Android' THEN 'Android' WHEN 'iOS' THEN 'iOS' ELSE ['Windows', 'Mac OS X', 'Linux'][1 + uid % 3] END`,
        device_operating_system_version: `CASE platform WHEN 'Android' THEN ['13', '14'][1 + uid % 2] WHEN 'iOS' THEN '17.' || (uid % 4)::VARCHAR END`,
        device_system_language: `['en', 'zh', 'de', 'fr'][1 + uid % 4]`,
        device_time_zone_offset_seconds: `[0, 28800, -18000, 3600][1 + uid % 4]::INTEGER`,
        device_ua_browser: `CASE WHEN platform = 'Web' THEN ['Chrome', 'Safari', 'Firefox'][1 + uid % 3] END`,
        device_ua_browser_version: `CASE WHEN platform = 'Web' THEN (110 + uid % 10)::VARCHAR || '.0' END`,
        device_ua_os: `CASE WHEN platform = 'Web' THEN ['Windows', 'Mac OS X', 'Linux'][1 + uid % 3] END`,
        device_ua_device: `CASE WHEN platform = 'Web' THEN 'Other' END`,
        device_ua_device_category: `CASE WHEN platform = 'Web' THEN 'Desktop' ELSE 'Mobile' END`,
        device_ua: `CASE WHEN platform = 'Web' THEN MAP {'string': 'Mozilla/5.0 (' || ['Windows NT 10.0; Win64; x64', 'Macintosh; Intel Mac OS X 10_15_7', 'X11; Linux x86_64'][1 + uid % 3] || ') ' || ['Chrome', 'Safari', 'Firefox'][1 + uid % 3] || '/' || (110 + uid % 10)::VARCHAR, 'device.family': 'Other'} END`,
        device_screen_width: `CASE platform WHEN 'Web' THEN 1920 ELSE 1080 END::INTEGER`,
        device_screen_height: `CASE platform WHEN 'Web' THEN 1080 ELSE 2340 END::INTEGER`,
        device_viewport_width: `CASE WHEN platform = 'Web' THEN 1280 END::INTEGER`,
        device_viewport_height: `CASE WHEN platform = 'Web' THEN 720 END::INTEGER`,
        geo_continent: 'geo[1]', geo_sub_continent: 'geo[2]', geo_country: 'geo[3]', geo_region: 'geo[4]',
        geo_city: 'geo[5]', geo_locale: `['en_US', 'zh_CN', 'de_DE', 'fr_FR'][1 + uid % 4]`,
        traffic_source_source: 'source', traffic_source_medium: 'medium', traffic_source_campaign: 'campaign',
        traffic_source_clid_platform: `CASE WHEN source = 'google' THEN 'google_ads' END`,
        traffic_source_clid: `CASE WHEN source = 'google' THEN 'gclid-' || sid::VARCHAR END`,
        traffic_source_channel_group: 'channel_group', traffic_source_category: 'source_category',
        user_first_touch_time_msec: 'epoch_ms(first_touch)',
        app_package_id: `'com.example.' || lower(app_id)`, app_version: `'1.' || (uid % 5)::VARCHAR || '.0'`,
        app_title: 'app_id', app_install_source: `CASE platform WHEN 'Android' THEN 'com.android.vending' WHEN 'iOS' THEN 'App Store' END`,
        platform: 'platform', project_id: 'project_id', app_id: 'app_id',
        screen_view_screen_name: `CASE WHEN event_name = '_screen_view' THEN page END`,
        screen_view_screen_id: `CASE WHEN event_name = '_screen_view' THEN page || 'Activity' END`,
        screen_view_screen_unique_id: `CASE WHEN event_name = '_screen_view' THEN md5(event_id)[:12] END`,
        screen_view_entrances: `CASE WHEN event_name = '_screen_view' THEN j = 1 END`,
        screen_view_engagement_time_msec: `CASE WHEN event_name = '_screen_view' THEN 1000 + h(event_id, 3) % 60000 END`,
        page_view_page_referrer: `CASE WHEN event_name = '_page_view' AND j = 1 AND source IS NOT NULL AND source <> 'Direct' THEN 'https://www.' || source || '.com/' END`,
        page_view_page_title: `CASE WHEN event_name = '_page_view' THEN upper(page[1]) || page[2:] || ' | Example Shop' END`,
        page_view_page_url: `CASE WHEN event_name = '_page_view' THEN 'https://shop.example.com/' || page || CASE WHEN campaign IS NOT NULL THEN '?utm_source=' || source || '&utm_campaign=' || campaign ELSE '' END END`,
        page_view_page_url_path: `CASE WHEN event_name = '_page_view' THEN '/' || page END`,
        page_view_page_url_query_parameters: `CASE WHEN event_name = '_page_view' AND campaign IS NOT NULL THEN MAP {'utm_source': source, 'utm_campaign': campaign} END`,
        page_view_hostname: `CASE WHEN event_name = '_page_view' THEN 'shop.example.com' END`,
        page_view_engagement_time_msec: `CASE WHEN event_name = '_page_view' THEN 1000 + h(event_id, 3) % 60000 END`,
        page_view_entrances: `CASE WHEN event_name = '_page_view' THEN j = 1 END`,
        app_start_is_first_time: `CASE WHEN event_name = '_first_open' THEN true END`,
        search_key: `CASE WHEN event_name = 'search' THEN 'q' END`,
        search_term: `CASE WHEN event_name = 'search' THEN ['shoes', 'red dress', 'laptop', 'coffee'][1 + h(event_id, 4) % 4] END`,
        user_engagement_time_msec: `CASE WHEN event_name = '_user_engagement' THEN 5000 + h(event_id, 5) % 300000 END`,
        user_id: 'user_id', user_pseudo_id: 'user_pseudo_id', session_id: 'session_id',
        session_start_time_msec: 'epoch_ms(start_ts)', session_duration: 'n_events * 15000',
        session_number: 'session_number',
        sdk_version: `'0.12.' || (uid % 3)::VARCHAR`,
        sdk_name: `CASE platform WHEN 'Web' THEN 'aws-solution-clickstream-sdk-web' ELSE 'aws-solution-clickstream-sdk' END`,
        custom_parameters_json_str: `'{"event_seq":' || (j + 1)::VARCHAR || CASE WHEN event_name = 'click_banner' THEN ',"banner_id":"b' || (h(event_id, 6) % 8)::VARCHAR || '"' ELSE '' END || '}'`,
        custom_parameters: `CASE WHEN event_name = 'click_banner' THEN MAP {'event_seq': {'value': (j + 1)::VARCHAR, 'type': 'number'}, 'banner_id': {'value': 'b' || (h(event_id, 6) % 8)::VARCHAR, 'type': 'string'}} ELSE MAP {'event_seq': {'value': (j + 1)::VARCHAR, 'type': 'number'}} END::${CUSTOM}`,
        process_info: PROCESS_INFO.replaceAll('ROW_KEY', 'event_id'),
        created_time: `ts + INTERVAL 1 HOUR`,
    },
    item_v2: {
        event_timestamp: 'ts', event_id: 'event_id', event_name: 'event_name', platform: 'platform',
        user_pseudo_id: 'user_pseudo_id', user_id: 'user_id', item_id: `'item-' || item_no::VARCHAR`,
        name: `['Running Shoes', 'Red Dress', 'Laptop 14', 'Coffee Beans', 'Headphones'][1 + item_no % 5] || ' #' || item_no::VARCHAR`,
        brand: `['Acme', 'Globex', 'Initech'][1 + item_no % 3]`, currency: `'USD'`,
        price: `round(3 + (item_no * 7919) % 50000 / 100.0, 2)`, quantity: '(1 + k % 2)::DOUBLE',
        category: `['Shoes', 'Clothing', 'Electronics', 'Food', 'Electronics'][1 + item_no % 5]`,
        category2: `['Sport', 'Women', 'Computers', 'Drinks', 'Audio'][1 + item_no % 5]`,
        custom_parameters_json_str: `'{"position":' || (k + 1)::VARCHAR || '}'`,
        custom_parameters: `MAP {'position': {'value': (k + 1)::VARCHAR, 'type': 'number'}}::${CUSTOM}`,
        process_info: PROCESS_INFO.replaceAll('ROW_KEY', "event_id || item_no::VARCHAR"),
        created_time: `ts + INTERVAL 1 HOUR`,
    },
    session: {
        event_timestamp: 'start_ts', user_pseudo_id: 'user_pseudo_id', session_id: 'session_id',
        user_id: 'user_id', session_number: 'session_number', session_start_time_msec: 'epoch_ms(start_ts)',
        session_source: 'source', session_medium: 'medium', session_campaign: 'campaign',
        session_clid_platform: `CASE WHEN source = 'google' THEN 'google_ads' END`,
        session_clid: `CASE WHEN source = 'google' THEN 'gclid-' || sid::VARCHAR END`,
        session_channel_group: 'channel_group', session_source_category: 'source_category',
        process_info: PROCESS_INFO.replaceAll('ROW_KEY', 'session_id'),
        created_time: `start_ts + INTERVAL 1 HOUR`,
    },
    user_v2: {
        event_timestamp: 'last_ts', user_pseudo_id: 'user_pseudo_id', user_id: 'user_id',
        user_properties: `CASE WHEN user_id IS NOT NULL THEN MAP {'plan': {'value': ['free', 'pro', 'team'][1 + uid % 3], 'type': 'string', 'set_time_msec': epoch_ms(first_touch)}} END::MAP(VARCHAR, STRUCT(value VARCHAR, type VARCHAR, set_time_msec BIGINT))`,
        user_properties_json_str: `CASE WHEN user_id IS NOT NULL THEN '{"plan":{"set_time_msec":' || epoch_ms(first_touch)::VARCHAR || ',"value":"' || ['free', 'pro', 'team'][1 + uid % 3] || '"}}' END`,
        first_touch_time_msec: 'epoch_ms(first_touch)', first_visit_date: 'first_touch::DATE',
        first_referrer: `CASE WHEN first_source NOT IN ('Direct') THEN 'https://www.' || first_source || '.com/' END`,
        first_traffic_source: 'first_source', first_traffic_medium: 'first_medium',
        first_traffic_campaign: 'first_campaign', first_traffic_channel_group: 'first_channel_group',
        first_traffic_category: 'first_source_category',
        first_app_install_source: `CASE platform WHEN 'Android' THEN 'com.android.vending' WHEN 'iOS' THEN 'App Store' END`,
        process_info: PROCESS_INFO.replaceAll('ROW_KEY', 'user_pseudo_id'),
        created_time: `last_ts + INTERVAL 1 HOUR`,
    },
};

// selectList TABLE: the spec's columns of TABLE in order, each an expression or a typed NULL
function selectList(cols, table) {
    return cols[table].map((c) => {
        const e = EXPR[table][c.name];
        return `${e ? `(${e})` : `NULL::${duckType(c)}`} AS ${c.name}`;
    }).join(',\n  ');
}

async function main() {
    const a = parseArgs(process.argv.slice(2));
    const cols = specColumns(a.spec);
    const inst = await DuckDBInstance.create(':memory:');
    const con = await inst.connect();
    await con.run("SET TimeZone = 'UTC'");
    const seed = a.seed;
    const summary = { files: 0, bytes: 0, rows: {}, keys: {} };
    for (const t of Object.keys(EXPR)) { summary.rows[t] = 0; summary.keys[t] = 0; }

    for (const app of a.apps) {
        // h(x, k): a deterministic pseudo-random non-negative BIGINT per value, stream k, seed
        // and app (hashed as one string: hash() of separate values leaves their low bits
        // correlated)
        await con.run(`CREATE OR REPLACE MACRO h(x, k) AS (hash(concat(x, ':', k, ':', ${seed}, ':', '${app}')) >> 1)::BIGINT`);
        const sessions = Math.max(1, Math.round(a.events / 8.5));
        const users = Math.max(1, Math.round(sessions / 3));
        // sessions: user, day, start, length, attribution
        await con.run(`CREATE OR REPLACE TABLE se AS
            WITH s AS (
                SELECT i AS sid, (h(i, 1) % ${users})::BIGINT AS uid,
                       (h(i, 2) % ${a.days})::INTEGER AS day,
                       3 + (h(i, 4) % 12)::INTEGER AS n_events,
                       ['Direct', 'Direct', 'Direct', 'google', 'google', 'facebook', 'bing', 'newsletter', NULL, NULL][1 + h(i, 5) % 10] AS source
                  FROM range(${sessions}) t(i))
            SELECT s.*, TIMESTAMP '${a.start}' + to_days(day) + to_seconds((h(sid, 3) % 86000)::BIGINT) AS start_ts,
                   '${app}' AS app_id, '${a.project}' AS project_id,
                   printf('%s-u%07d', '${app}', uid) AS user_pseudo_id,
                   printf('%s-s%08d', '${app}', sid) AS session_id,
                   CASE WHEN uid % 10 < 3 THEN printf('user-%d', uid) END AS user_id,
                   ['Android', 'iOS', 'Web'][1 + uid % 3] AS platform,
                   [['Asia', 'Eastern Asia', 'China', 'Shanghai', 'Shanghai'],
                    ['Europe', 'Western Europe', 'Germany', 'Berlin', 'Berlin'],
                    ['Americas', 'Northern America', 'United States', 'Washington', 'Seattle'],
                    ['Europe', 'Western Europe', 'France', 'Ile-de-France', 'Paris']][1 + uid % 4] AS geo,
                   CASE source WHEN 'google' THEN 'cpc' WHEN 'facebook' THEN 'social' WHEN 'bing' THEN 'organic' WHEN 'newsletter' THEN 'email' END AS medium,
                   CASE WHEN source IN ('google', 'facebook', 'newsletter') THEN ['spring_sale', 'brand', 'retarget'][1 + h(sid, 6) % 3] END AS campaign,
                   CASE source WHEN 'Direct' THEN 'Direct' WHEN 'google' THEN 'Paid Search' WHEN 'facebook' THEN 'Paid Social' WHEN 'bing' THEN 'Organic Search' WHEN 'newsletter' THEN 'Email' ELSE 'Unassigned' END AS channel_group,
                   CASE source WHEN 'google' THEN 'Search' WHEN 'bing' THEN 'Search' WHEN 'facebook' THEN 'Social' END AS source_category
              FROM s`);
        await con.run(`CREATE OR REPLACE TABLE se AS
            SELECT *, row_number() OVER (PARTITION BY uid ORDER BY start_ts, sid) AS session_number,
                   min(start_ts) OVER (PARTITION BY uid) AS first_touch
              FROM se`);
        // events: n_events per session, 15 s apart
        await con.run(`CREATE OR REPLACE TABLE ev AS
            WITH x AS (SELECT se.*, unnest(range(n_events)) AS j FROM se)
            SELECT x.*, start_ts + to_seconds(j * 15) AS ts,
                   md5('${seed}-' || session_id || '-' || j::VARCHAR) AS event_id,
                   CASE WHEN j = 0 AND session_number = 1 THEN '_first_open'
                        WHEN j = 0 THEN '_session_start'
                        WHEN j = n_events - 1 THEN '_user_engagement'
                        ELSE CASE h(sid * 100 + j, 7) % 20
                                 WHEN 0 THEN 'add_to_cart' WHEN 1 THEN 'purchase' WHEN 2 THEN 'search'
                                 WHEN 3 THEN 'click_banner' WHEN 4 THEN 'view_item'
                                 ELSE CASE WHEN platform = 'Web' THEN '_page_view' ELSE '_screen_view' END END
                   END AS event_name,
                   ['home', 'category', 'product', 'cart', 'checkout', 'search', 'account'][1 + h(sid * 100 + j, 8) % 7] AS page
              FROM x`);
        // items: one to three per e-commerce event, distinct within an event
        await con.run(`CREATE OR REPLACE TABLE it AS
            WITH x AS (SELECT ev.*, unnest(range(1 + (h(event_id, 10) % 3)::INTEGER)) AS k
                         FROM ev WHERE event_name IN ('add_to_cart', 'purchase', 'view_item'))
            SELECT x.*, ((h(event_id, 11) + k * 37) % 500)::BIGINT AS item_no FROM x`);
        // users: one row per user and day they were active, as of their last event that day
        await con.run(`CREATE OR REPLACE TABLE us AS
            SELECT uid, day, any_value(user_pseudo_id) AS user_pseudo_id, any_value(user_id) AS user_id,
                   any_value(platform) AS platform, max(ts) AS last_ts, min(first_touch) AS first_touch,
                   arg_min(source, start_ts) AS first_source, arg_min(medium, start_ts) AS first_medium,
                   arg_min(campaign, start_ts) AS first_campaign, arg_min(channel_group, start_ts) AS first_channel_group,
                   arg_min(source_category, start_ts) AS first_source_category
              FROM ev GROUP BY uid, day`);
        // the first source is the user's first session's, whatever the day
        await con.run(`UPDATE us SET first_source = f.source, first_medium = f.medium, first_campaign = f.campaign,
                              first_channel_group = f.channel_group, first_source_category = f.source_category
                         FROM (SELECT uid, source, medium, campaign, channel_group, source_category FROM se WHERE session_number = 1) f
                        WHERE us.uid = f.uid`);

        const rels = { event_v2: ['ev', 'event_id'], item_v2: ['it', "event_id || item_no::VARCHAR"],
                       session: ['se', 'session_id'], user_v2: ['us', 'user_pseudo_id'] };
        for (const [table, [rel, key]] of Object.entries(rels)) {
            const keyCount = (await con.runAndReadAll(
                table === 'user_v2' ? `SELECT count(DISTINCT uid) FROM us` : `SELECT count(*) FROM ${rel}`)).getRows()[0][0];
            summary.keys[table] += Number(keyCount);
            // the table's rows once, with their day and file number; then one COPY per file
            const select = selectList(cols, table).replaceAll('$seed', String(seed));
            await con.run(`CREATE OR REPLACE TABLE out_rows AS
                SELECT ${select}, day AS gen_day, h(${key}, 12) % ${a.files} AS gen_file, ${key} AS gen_key
                  FROM ${rel}`);
            const counts = (await con.runAndReadAll(
                'SELECT gen_day, gen_file, count(*) FROM out_rows GROUP BY ALL ORDER BY ALL')).getRows();
            for (const [day, f, n] of counts) {
                const d = new Date(Date.parse(a.start) + Number(day) * 86400000);
                const dir = path.join(a.out, `${a.prefix}${table}`, `partition_app=${app}`,
                    `partition_year=${d.getUTCFullYear()}`,
                    `partition_month=${String(d.getUTCMonth() + 1).padStart(2, '0')}`,
                    `partition_day=${String(d.getUTCDate()).padStart(2, '0')}`);
                fs.mkdirSync(dir, { recursive: true });
                const file = path.join(dir, `part-${String(f).padStart(5, '0')}-s${seed}.c000.snappy.parquet`);
                await con.run(`COPY (SELECT * EXCLUDE (gen_day, gen_file, gen_key) FROM out_rows
                                      WHERE gen_day = ${day} AND gen_file = ${f} ORDER BY gen_key)
                               TO '${file.replaceAll("'", "''")}' (FORMAT parquet, COMPRESSION snappy)`);
                summary.files++;
                summary.bytes += fs.statSync(file).size;
                summary.rows[table] += Number(n);
            }
        }
    }
    process.stdout.write(JSON.stringify(summary) + '\n');
}

main().catch((e) => { process.stderr.write(`gen.mjs: ${e.message}\n`); process.exit(1); });
