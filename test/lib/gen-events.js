#!/usr/bin/env node
// gen-events.js: deterministic clickstream rows shaped like event_v2, for the demo and the
// benchmarks.  The column list and types come from the specification (§2.1 of
// ../shared/spec/clickstream-model.md), so the data follows the spec when it changes.
//
//   node gen-events.js --spec SPEC --ddl TABLE [--columns a,b,...]
//       print CREATE TABLE TABLE (...) for the chosen columns (all by default)
//   node gen-events.js --spec SPEC --rows N --files K --format csv|jsonl|jsonl.gz|csv.gz
//                      --out DIR --prefix NAME [--columns a,b,...] [--seed S] [--only F]
//       write K files DIR/NAME-00000.<format> ... holding rows 0..N-1 (or only file number F),
//       and print one line per file: "<path> <bytes> <rows>"
//
// Row i depends only on (seed, i), never on the format or the file split: the same N rows
// written as CSV and as JSON lines load into identical tables.  CSV has no header and holds
// every chosen column in table order (loaders match it by position); JSON lines omit NULLs
// (as Spark writes them) and hold jsonb columns as nested objects.  created_time is left out
// of JSON lines, so it takes its default, and written into CSV, which matches by position.
'use strict';

const fs = require('fs');
const path = require('path');
const zlib = require('zlib');

function parseArgs(argv) {
    const a = {};
    for (let i = 0; i < argv.length; i += 2) {
        if (!argv[i].startsWith('--')) throw new Error(`unexpected argument ${argv[i]}`);
        a[argv[i].slice(2)] = argv[i + 1];
    }
    return a;
}

// specColumns: [{name, type, notNull}] from the table in §2.1 of the specification.
function specColumns(specPath) {
    const text = fs.readFileSync(specPath, 'utf8');
    const start = text.indexOf('### 2.1 `event_v2`');
    const end = text.indexOf('### 2.2', start);
    if (start < 0 || end < 0) throw new Error(`no §2.1 event_v2 table in ${specPath}`);
    const cols = [];
    for (const line of text.slice(start, end).split('\n')) {
        const m = /^\| (\d+) \| `([a-z0-9_]+)` \| [^|]+ \| ([^|]+) \| ([^|]*) \|/.exec(line);
        if (!m) continue;
        let type = m[3].trim().replace(/ \(UTC, no tz\)/, '');
        cols.push({ name: m[2], type, notNull: /NOT NULL/.test(m[4]), deflt: /default now\(\)/.test(m[4]) });
    }
    if (cols.length < 100) throw new Error(`only ${cols.length} columns parsed from ${specPath}`);
    return cols;
}

function chooseColumns(all, list) {
    if (!list) return all;
    const byName = new Map(all.map((c) => [c.name, c]));
    return list.split(',').map((n) => {
        if (!byName.has(n)) throw new Error(`unknown column ${n}`);
        return byName.get(n);
    });
}

function ddl(table, cols) {
    const lines = cols.map((c) => {
        let s = `    ${c.name} ${c.type}`;
        if (c.notNull) s += ' NOT NULL';
        if (c.deflt) s += " DEFAULT (now() AT TIME ZONE 'UTC')";
        return s;
    });
    return `CREATE TABLE ${table} (\n${lines.join(',\n')}\n);\n`;
}

// --- values ----------------------------------------------------------------------------------

// mulberry32: a small, fast, seedable PRNG; one generator per row keeps rows independent.
function rng(seed) {
    let t = seed >>> 0;
    return function () {
        t = (t + 0x6d2b79f5) >>> 0;
        let r = Math.imul(t ^ (t >>> 15), 1 | t);
        r = (r + Math.imul(r ^ (r >>> 7), 61 | r)) ^ r;
        return ((r ^ (r >>> 14)) >>> 0) / 4294967296;
    };
}

const POOLS = {
    event_name: ['_page_view', '_page_view', '_screen_view', '_screen_view', '_user_engagement',
        '_session_start', '_first_open', '_app_start', '_app_end', '_scroll', 'add_to_cart', 'purchase'],
    platform: ['Android', 'iOS', 'Web'],
    app_id: ['shop_android', 'shop_ios', 'shop_web'],
    device_mobile_brand_name: ['Samsung', 'Apple', 'Xiaomi', 'Google', 'OPPO'],
    device_mobile_model_name: ['SM-G991B', 'iPhone14,2', 'Pixel 7', '2201117TG', 'CPH2211'],
    device_network_type: ['WIFI', '5G', '4G', 'Mobile'],
    device_operating_system: ['Android', 'iOS', 'Windows', 'macOS'],
    device_system_language: ['en', 'zh', 'de', 'fr', 'es', 'ja'],
    device_ua_browser: ['Chrome', 'Safari', 'Firefox', 'Edge'],
    device_ua_device_category: ['Mobile', 'Desktop', 'Tablet'],
    geo_continent: ['Europe', 'Asia', 'Americas'],
    geo_country: ['France', 'Germany', 'China', 'Japan', 'United States', 'Brazil'],
    geo_city: ['Paris', 'Berlin', 'Shanghai', 'Tokyo', 'Seattle', 'São Paulo'],
    geo_locale: ['fr_FR', 'de_DE', 'zh_CN', 'ja_JP', 'en_US', 'pt_BR'],
    traffic_source_source: ['google', 'bing', 'newsletter', 'facebook', '(direct)'],
    traffic_source_medium: ['cpc', 'organic', 'email', 'social', '(none)'],
    traffic_source_channel_group: ['Paid Search', 'Organic Search', 'Email', 'Social', 'Direct'],
    page_view_page_title: ['Home', 'Product, "Deluxe" edition', 'Cart', 'Checkout', 'Search results'],
    screen_view_screen_name: ['MainActivity', 'ProductActivity', 'CartActivity', 'ProfileActivity'],
    sdk_name: ['aws-solution-clickstream-sdk'],
    sdk_version: ['0.12.1', '0.12.3', '0.13.0'],
};

const BASE_MS = Date.UTC(2024, 0, 1);
const SPAN_MS = 30 * 86400 * 1000;

function pick(r, pool) { return pool[Math.floor(r() * pool.length)]; }
function hex(r, n) { let s = ''; while (s.length < n) s += Math.floor(r() * 0x100000000).toString(16).padStart(8, '0'); return s.slice(0, n); }
function tsText(ms) { return new Date(ms).toISOString().replace('T', ' ').replace('Z', ''); }

// rowValues: the values of row i, by column name; null is SQL NULL.  Values that tie columns
// together (a timestamp and its epoch ms, a user and its session) are drawn first.
function rowValues(cols, seed, i) {
    const r = rng((seed * 0x9e3779b1) ^ Math.imul(i + 1, 0x85ebca6b));
    const ms = BASE_MS + Math.floor((i / 1e6) * SPAN_MS) + Math.floor(r() * 60000);
    const user = `u${Math.floor(r() * 50000)}`;
    const platformIdx = Math.floor(r() * 3);
    const web = platformIdx === 2;
    const ctx = {
        event_timestamp: tsText(ms),
        event_id: `${hex(r, 8)}-${hex(r, 4)}-${hex(r, 4)}-${hex(r, 4)}-${hex(r, 12)}`,
        event_time_msec: ms,
        ingest_time_msec: ms + 1000 + Math.floor(r() * 5000),
        platform: POOLS.platform[platformIdx],
        app_id: POOLS.app_id[platformIdx],
        project_id: 'demo_project',
        user_pseudo_id: user,
        user_id: r() < 0.3 ? `customer-${user.slice(1)}` : null,
        session_id: `${user}-${Math.floor(ms / 3600000)}`,
        session_start_time_msec: ms - Math.floor(r() * 600000),
        session_number: 1 + Math.floor(r() * 40),
        user_first_touch_time_msec: BASE_MS - Math.floor(r() * SPAN_MS),
        created_time: tsText(BASE_MS + SPAN_MS),
        device_ua: web ? { string: 'Mozilla/5.0 (X11; Linux x86_64) Chrome/120.0', browser: 'Chrome' } : null,
        page_view_page_url: web ? `https://shop.example.com/p/${Math.floor(r() * 500)}?utm_source=google` : null,
        page_view_page_url_query_parameters: web ? { utm_source: 'google', utm_medium: 'cpc' } : null,
        custom_parameters: r() < 0.5 ? { _channel: { value: 'C001', type: 'string' }, price: { value: (r() * 100).toFixed(2), type: 'number' } } : null,
        custom_parameters_json_str: null,
        process_info: { process_job_id: 'job-0001', input_file_name: `s3://raw/part-${i % 97}.gz`, rid: hex(r, 16) },
    };
    if (ctx.custom_parameters) {
        ctx.custom_parameters_json_str = JSON.stringify({ _channel: 'C001', price: Number(ctx.custom_parameters.price.value) });
    }
    const out = new Array(cols.length);
    for (let k = 0; k < cols.length; k++) {
        const c = cols[k];
        if (c.name in ctx) { out[k] = ctx[c.name]; continue; }
        // Sparse columns: web-only or app-only families, and rare events.
        if ((web && c.name.startsWith('screen_view_')) || (!web && c.name.startsWith('page_view_')) ||
            /^(search_|outbound_|upgrade_|sdk_error|app_exception|app_start|traffic_source_clid)/.test(c.name)) {
            if (r() < 0.9) { out[k] = null; continue; }
        }
        out[k] = POOLS[c.name] ? pick(r, POOLS[c.name]) : genericValue(r, c, ms);
    }
    return out;
}

function genericValue(r, c, ms) {
    if (!c.notNull && r() < 0.1) return null;
    switch (c.type) {
        case 'bigint': return /_msec$/.test(c.name) ? Math.floor(r() * 120000) : Math.floor(r() * 1e9);
        case 'integer': return /offset/.test(c.name) ? 3600 * (Math.floor(r() * 24) - 12) : 320 + Math.floor(r() * 2000);
        case 'double precision': return Math.round(r() * 10000) / 100;
        case 'boolean': return r() < 0.2;
        case 'timestamp': return tsText(ms);
        case 'jsonb': return { k: `v${Math.floor(r() * 10)}` };
        default: return `${c.name.replace(/^(device|geo|traffic_source|app|page_view)_/, '')}_${Math.floor(r() * 20)}`;
    }
}

// --- formats ---------------------------------------------------------------------------------

function csvField(v) {
    if (v === null) return '';
    const s = typeof v === 'object' ? JSON.stringify(v) : String(v);
    // An empty string must be quoted, or COPY reads it as NULL.
    return s === '' || /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function csvLine(cols, vals) { return vals.map(csvField).join(',') + '\n'; }

function jsonLine(cols, vals) {
    const o = {};
    for (let k = 0; k < cols.length; k++) {
        if (vals[k] !== null && cols[k].name !== 'created_time') o[cols[k].name] = vals[k];
    }
    return JSON.stringify(o) + '\n';
}

function writeFiles(a) {
    const cols = chooseColumns(specColumns(a.spec), a.columns);
    const rows = Number(a.rows), files = Number(a.files || 1), seed = Number(a.seed || 42);
    const fmt = a.format;
    if (!['csv', 'csv.gz', 'jsonl', 'jsonl.gz'].includes(fmt)) throw new Error(`unknown format ${fmt}`);
    const line = fmt.startsWith('csv') ? csvLine : jsonLine;
    fs.mkdirSync(a.out, { recursive: true });
    // --only F writes just file F, so that callers can run one process per CPU
    const only = a.only === undefined ? null : Number(a.only);
    for (let f = 0; f < files; f++) {
        if (only !== null && f !== only) continue;
        const first = Math.floor((f * rows) / files), last = Math.floor(((f + 1) * rows) / files);
        const file = path.join(a.out, `${a.prefix}-${String(f).padStart(5, '0')}.${fmt}`);
        const chunks = [];
        let batch = [];
        for (let i = first; i < last; i++) {
            batch.push(line(cols, rowValues(cols, seed, i)));
            if (batch.length === 5000) { chunks.push(Buffer.from(batch.join(''))); batch = []; }
        }
        chunks.push(Buffer.from(batch.join('')));
        let data = Buffer.concat(chunks);
        // one gzip member per file: what gzip(1) and Spark write
        if (fmt.endsWith('.gz')) data = zlib.gzipSync(data, { level: 6 });
        fs.writeFileSync(file, data);
        process.stdout.write(`${file} ${data.length} ${last - first}\n`);
    }
}

function main() {
    const a = parseArgs(process.argv.slice(2));
    if (!a.spec) throw new Error('--spec is required');
    if (a.ddl) process.stdout.write(ddl(a.ddl, chooseColumns(specColumns(a.spec), a.columns)));
    else writeFiles(a);
}

try {
    main();
} catch (e) {
    process.stderr.write(`gen-events.js: ${e.message}\n`);
    process.exit(1);
}
