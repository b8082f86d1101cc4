-- JSON lines: keys matched to columns, nested values, exact numbers.
\set d '/tmp/pg_clickstream_regress/jsonl'
CREATE TABLE ev (
    id          bigint NOT NULL,
    name        varchar(10),
    ratio       double precision,
    big         numeric,
    ok          boolean,
    at          timestamp,
    props       jsonb,
    raw         json,
    note        text,
    loaded      text DEFAULT 'default'
);

SELECT regress_util.write_text(:'d' || '/a.jsonl', concat_ws(E'\n',
    '{"id": 1, "name": "a", "ratio": 0.1, "big": 123456789012345678901234567890.000000000001, "ok": true, "at": "2024-01-02T03:04:05.123456", "props": {"k": [1, 2.50, "x", null, {"deep": false}]}, "raw": [1,  2], "note": {"keep": "text"}}',
    '',
    '{"ID": 2, "props": "a string", "raw": "s", "unknown_key": {"ignored": [1]}}',
    '{"id": 3, "name": null, "props": null, "note": "tab\tand \"quote\" and \u00e9"}',
    '{"id": 4, "props": 12.500, "ok": false}   '
) || E'\n');
SELECT clickstream.copy_from_url('ev', 'file://' || :'d' || '/a.jsonl');
SELECT id, name, ratio, big, ok, at, props, raw, note, loaded FROM ev ORDER BY id;
SELECT jsonb_typeof(props) FROM ev ORDER BY id;

-- .json, gzip-compressed, CRLF line ends, last line without a newline
SELECT regress_util.write_text(:'d' || '/b.json.gz', E'{"id": 5}\r\n{"id": 6}', 'gzip');
SELECT clickstream.copy_from_url('ev', 'file://' || :'d' || '/b.json.gz');
SELECT id FROM ev WHERE id >= 5 ORDER BY id;

-- errors name the line and the column
SELECT regress_util.write_text(:'d' || '/c.jsonl', E'{"id": 7}\n{"id": "seven"}\n');
SELECT clickstream.copy_from_url('ev', 'file://' || :'d' || '/c.jsonl');
SELECT regress_util.write_text(:'d' || '/d.jsonl', E'{"id": 8}\n{"id": 9,}\n');
SELECT clickstream.copy_from_url('ev', 'file://' || :'d' || '/d.jsonl');
SELECT regress_util.write_text(:'d' || '/e.jsonl', E'[1, 2]\n');
SELECT clickstream.copy_from_url('ev', 'file://' || :'d' || '/e.jsonl');
SELECT regress_util.write_text(:'d' || '/f.jsonl', E'{"id": 10, "ratio": {"a": 1}}\n');
SELECT clickstream.copy_from_url('ev', 'file://' || :'d' || '/f.jsonl');
SELECT regress_util.write_text(:'d' || '/g.jsonl', E'{"id": 11, "name": "much too long"}\n');
SELECT clickstream.copy_from_url('ev', 'file://' || :'d' || '/g.jsonl');
-- NOT NULL: a missing id
SELECT regress_util.write_text(:'d' || '/h.jsonl', E'{"name": "x"}\n');
SELECT clickstream.copy_from_url('ev', 'file://' || :'d' || '/h.jsonl');
-- strict: unknown keys are errors
SELECT regress_util.write_text(:'d' || '/i.jsonl', E'{"id": 12, "nope": 1}\n');
SELECT clickstream.copy_from_url('ev', 'file://' || :'d' || '/i.jsonl', options => '{"strict": true}');
SELECT count(*) FROM ev WHERE id >= 7;

-- invalid UTF-8: an error, or replaced with accept_invalid_chars
SELECT regress_util.write_file(:'d' || '/j.jsonl',
    convert_to('{"id": 13, "note": "a', 'UTF8') || '\xff'::bytea ||
    convert_to('b"}' || E'\n', 'UTF8'));
SELECT clickstream.copy_from_url('ev', 'file://' || :'d' || '/j.jsonl');
SELECT clickstream.copy_from_url('ev', 'file://' || :'d' || '/j.jsonl',
                                 options => '{"accept_invalid_chars": "?"}');
SELECT id, note FROM ev WHERE id = 13;

-- max_errors: bad rows are skipped and listed, up to the budget
SELECT regress_util.write_text(:'d' || '/k.jsonl',
    E'{"id": 20}\n{"id": "x"}\n{"id": 21, "at": "not a time"}\n{"id": 22}\n{oops\n');
SELECT clickstream.copy_from_url('ev', 'file://' || :'d' || '/k.jsonl',
                                 options => '{"max_errors": 2}');
SELECT clickstream.copy_from_url('ev', 'file://' || :'d' || '/k.jsonl',
                                 options => '{"max_errors": 3}');
SELECT id FROM ev WHERE id >= 20 ORDER BY id;
SELECT regexp_replace(url, '.*/', '') AS file, line, column_name, raw_value, message
FROM clickstream.load_errors ORDER BY load_id, line;

-- the top-level scanner: escapes, numbers, literals, nested values with
-- brackets inside strings, and every malformed case names its byte
CREATE TABLE sc (id int, s text, n numeric, b boolean, j jsonb, t text);
SELECT regress_util.write_text(:'d' || '/scan.jsonl', concat_ws(E'\n',
    '{"id": 1, "s": "caf\u00e9 \ud83d\ude00 \"q\" \\ \/ \b\f\n\r\t end", "n": -0.5e-3}',
    '{"id": 2, "s": "", "n": 0, "b": true, "j": {"a": "} ] {", "b": [1, {"c": "\u00e9"}]}, "t": [1, "]"]}',
    '{}',
    '{"id": 4, "b": false, "n": 12345678901234567890123, "j": [], "s": null}',
    ' { "id" : 5 , "j" : { } } ') || E'\n');
SELECT clickstream.copy_from_url('sc', 'file://' || :'d' || '/scan.jsonl');
SELECT id, s, n, b, j, t FROM sc ORDER BY id NULLS FIRST;
SELECT octet_length(s) FROM sc WHERE id = 1;
CREATE FUNCTION regress_util.bad_detail(p_line text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE v_detail text;
BEGIN
    PERFORM regress_util.write_text('/tmp/pg_clickstream_regress/jsonl/bad.jsonl', p_line || E'\n');
    PERFORM clickstream.copy_from_url('sc', 'file:///tmp/pg_clickstream_regress/jsonl/bad.jsonl');
    RETURN 'loaded';
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS v_detail = PG_EXCEPTION_DETAIL;
    RETURN SQLERRM || ' | ' || coalesce(v_detail, '');
END $$;
SELECT l AS line, regress_util.bad_detail(l) AS error FROM (VALUES
    ('{"id": 1, "s": "abc}'),
    ('{"id": 1, "s": "a\qb"}'),
    ('{"id": 1, "s": "\u12"}'),
    ('{"id": 1, "s": "\ud83d"}'),
    ('{"id": 1, "s": "\ude00"}'),
    ('{"id": 1, "s": "\u0000"}'),
    (E'{"id": 1, "s": "tab\there"}'),
    ('{"id": 01}'),
    ('{"id": 1.}'),
    ('{"id": -}'),
    ('{"id": 1e}'),
    ('{"id": tru}'),
    ('{"id": 1} x'),
    ('{"id": 1,}'),
    ('{"id" 1}'),
    ('{"id": 1'),
    ('{"j": {"a": 1,}}'),
    ('{"j": {"a": [1, 2}}'),
    ('{"j": {"a": "x}'),
    ('"just a string"'),
    ('{id: 1}')
) v(l);
SELECT count(*) FROM sc;

-- Keys in a changing order: the reader expects each line's keys in the previous line's
-- order, so lines here omit keys, add keys, swap them and change their case; every value
-- must still land in its own column.
CREATE TABLE ko (a int, b text, c int, d text, e int);
SELECT regress_util.write_text(:'d' || '/ko.jsonl', concat_ws(E'\n',
    '{"a": 1, "b": "b1", "c": 1, "d": "d1", "e": 1}',
    '{"a": 2, "c": 2, "e": 2}',
    '{"a": 3, "b": "b3", "c": 3, "d": "d3", "e": 3}',
    '{"e": 4, "d": "d4", "c": 4, "b": "b4", "a": 4}',
    '{"a": 5, "x": "ignored", "B": "b5", "y": 0, "c": 5, "D": "d5"}',
    '{"c": 6, "a": 6}',
    '{"a": 7, "b": "b7", "c": 7, "d": "d7", "e": 7}') || E'\n');
SELECT clickstream.copy_from_url('ko', 'file://' || :'d' || '/ko.jsonl');
SELECT * FROM ko ORDER BY a;

-- Long strings are scanned eight bytes at a time: an escape, a quote or a control
-- character at any offset of a word must still be seen.
CREATE TABLE ls (n int, s text);
SELECT regress_util.write_text(:'d' || '/ls.jsonl', concat_ws(E'\n',
    '{"n": 1, "s": "0123456789abcdef"}',
    '{"n": 2, "s": "01234567\"9abcdef\\x"}',
    '{"n": 3, "s": "0123456\u00e989ab"}',
    '{"n": 4, "s": "012345678901234"}',
    '{"n": 5, "s": "日本語のテキストです、長い"}') || E'\n');
SELECT clickstream.copy_from_url('ls', 'file://' || :'d' || '/ls.jsonl');
SELECT n, s, length(s) FROM ls ORDER BY n;
SELECT regress_util.write_file(:'d' || '/ls-bad.jsonl',
    convert_to('{"n": 6, "s": "0123456789' || chr(9) || 'bcdef"}' || E'\n', 'UTF8'));
SELECT clickstream.copy_from_url('ls', 'file://' || :'d' || '/ls-bad.jsonl');
