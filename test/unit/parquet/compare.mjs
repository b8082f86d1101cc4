// compare.mjs EXPECTED.jsonl[.gz] ACTUAL.jsonl
//
// Compares DuckDB's JSON lines (expected) with pqdump's (actual), value by
// value.  Both are parsed with a small JSON parser that keeps numbers as
// text and accepts DuckDB's NaN/Infinity tokens.  Numbers match when their
// text is equal, when they are the same exact decimal once trailing zeros
// are dropped, or, when either is written with an exponent, when they are
// the same double.  Everything else (strings, keys, key order, nesting)
// must be identical.  Prints the first differences and exits 1 on any.
import fs from 'node:fs';
import zlib from 'node:zlib';

function parse(text) {
  let i = 0;
  const ws = () => { while (i < text.length && ' \t\r\n'.includes(text[i])) i++; };
  const fail = (m) => { throw new Error(`${m} at offset ${i}: ${text.slice(i, i + 40)}`); };
  function value() {
    ws();
    const c = text[i];
    if (c === '{') {
      i++; const obj = []; ws();
      if (text[i] === '}') { i++; return { t: 'o', v: obj }; }
      for (;;) {
        ws(); const k = str(); ws();
        if (text[i++] !== ':') fail('expected :');
        obj.push([k, value()]); ws();
        if (text[i] === ',') { i++; continue; }
        if (text[i] === '}') { i++; return { t: 'o', v: obj }; }
        fail('expected , or }');
      }
    }
    if (c === '[') {
      i++; const arr = []; ws();
      if (text[i] === ']') { i++; return { t: 'a', v: arr }; }
      for (;;) {
        arr.push(value()); ws();
        if (text[i] === ',') { i++; continue; }
        if (text[i] === ']') { i++; return { t: 'a', v: arr }; }
        fail('expected , or ]');
      }
    }
    if (c === '"') return { t: 's', v: str() };
    for (const [tok, v] of [['true', { t: 'b', v: true }], ['false', { t: 'b', v: false }],
      ['null', { t: 'n', v: null }], ['NaN', { t: 'num', v: 'NaN' }],
      ['Infinity', { t: 'num', v: 'Infinity' }], ['-Infinity', { t: 'num', v: '-Infinity' }]]) {
      if (text.startsWith(tok, i)) { i += tok.length; return v; }
    }
    const m = /^-?\d+(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
    if (!m) fail('unexpected token');
    i += m[0].length;
    return { t: 'num', v: m[0] };
  }
  function str() {
    if (text[i] !== '"') fail('expected string');
    let j = i + 1, out = '';
    while (text[j] !== '"') {
      if (j >= text.length) fail('unterminated string');
      if (text[j] === '\\') {
        const e = text[j + 1];
        if (e === 'u') { out += String.fromCharCode(parseInt(text.slice(j + 2, j + 6), 16)); j += 6; continue; }
        out += { n: '\n', t: '\t', r: '\r', b: '\b', f: '\f', '/': '/', '\\': '\\', '"': '"' }[e] ?? fail('bad escape');
        j += 2;
      } else out += text[j++];
    }
    i = j + 1;
    return out;
  }
  const v = value(); ws();
  if (i !== text.length) fail('trailing data');
  return v;
}

function normDecimal(s) {
  if (!/^-?\d+(\.\d+)?$/.test(s)) return null;
  let neg = s.startsWith('-'); if (neg) s = s.slice(1);
  let [int, frac = ''] = s.split('.');
  int = int.replace(/^0+(?=\d)/, ''); frac = frac.replace(/0+$/, '');
  if (int === '0' && frac === '') neg = false;
  return (neg ? '-' : '') + int + (frac ? '.' + frac : '');
}

function numEqual(a, b) {
  if (a === b) return true;
  const da = normDecimal(a), db = normDecimal(b);
  if (da !== null && db !== null && da === db) return true;
  if (/[eE]/.test(a) || /[eE]/.test(b)) return Number(a) === Number(b);
  return false;
}

function diff(e, a, path, out) {
  if (out.length >= 10) return;
  if (e.t !== a.t) { out.push(`${path}: expected ${JSON.stringify(e.v)} (${e.t}), got ${JSON.stringify(a.v)} (${a.t})`); return; }
  switch (e.t) {
    case 'num':
      if (!numEqual(e.v, a.v)) out.push(`${path}: expected ${e.v}, got ${a.v}`);
      return;
    case 's': case 'b': case 'n':
      if (e.v !== a.v) out.push(`${path}: expected ${JSON.stringify(e.v)}, got ${JSON.stringify(a.v)}`);
      return;
    case 'a':
      if (e.v.length !== a.v.length) { out.push(`${path}: expected ${e.v.length} elements, got ${a.v.length}`); return; }
      e.v.forEach((x, k) => diff(x, a.v[k], `${path}[${k}]`, out));
      return;
    case 'o':
      if (e.v.length !== a.v.length || e.v.some(([k], n) => a.v[n][0] !== k)) {
        out.push(`${path}: expected keys ${JSON.stringify(e.v.map(x => x[0]))}, got ${JSON.stringify(a.v.map(x => x[0]))}`);
        return;
      }
      e.v.forEach(([k, x], n) => diff(x, a.v[n][1], `${path}.${k}`, out));
  }
}

const [expFile, actFile] = process.argv.slice(2);
const readText = (f) => {
  const raw = fs.readFileSync(f);
  return (f.endsWith('.gz') ? zlib.gunzipSync(raw) : raw).toString('utf8');
};
const exp = readText(expFile).split('\n').filter(l => l.length);
const act = fs.readFileSync(actFile, 'utf8').split('\n').filter(l => l.length);
const problems = [];
if (exp.length !== act.length)
  problems.push(`expected ${exp.length} rows, got ${act.length}`);
for (let r = 0; r < Math.min(exp.length, act.length) && problems.length < 10; r++) {
  try {
    diff(parse(exp[r]), parse(act[r]), `row ${r + 1}`, problems);
  } catch (err) {
    problems.push(`row ${r + 1}: ${err.message}`);
  }
}
if (problems.length) {
  console.error(`MISMATCH ${actFile} vs ${expFile}:\n  ` + problems.join('\n  '));
  process.exit(1);
}
console.log(`ok ${exp.length} rows`);
