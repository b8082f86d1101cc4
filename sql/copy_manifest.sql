-- Manifests: Redshift's format, inline or as an object; all or nothing.
\set d '/tmp/pg_clickstream_regress/manifest'
CREATE TABLE m (id int, v text);
SELECT regress_util.write_text(:'d' || '/1.csv', E'1,one\n2,two\n');
SELECT regress_util.write_text(:'d' || '/2.jsonl', E'{"id": 3, "v": "three"}\n');
SELECT regress_util.write_text(:'d' || '/3.csv', E'4,four\nfive,5\n');

-- inline manifest, mixed formats by suffix, sizes checked
SELECT clickstream.copy_from_manifest('m', jsonb_build_object('entries', jsonb_build_array(
    jsonb_build_object('url', 'file://' || :'d' || '/1.csv', 'mandatory', true,
                       'meta', jsonb_build_object('content_length', 12)),
    jsonb_build_object('url', 'file://' || :'d' || '/2.jsonl'))));
SELECT * FROM m ORDER BY id;

-- the same as an object
SELECT regress_util.write_text(:'d' || '/m.manifest', format(
    '{"entries": [{"url": "file://%s/1.csv", "mandatory": true}, {"url": "file://%s/missing.csv", "mandatory": false}]}',
    :'d', :'d'));
SELECT clickstream.copy_from_manifest('m', 'file://' || :'d' || '/m.manifest', 'csv');
SELECT count(*) FROM m;

-- copy_from_manifest_entries: the same load in one call, with each entry's rows (0 for a
-- missing optional entry); all or nothing as well
CREATE TABLE me (LIKE m);
SELECT * FROM clickstream.copy_from_manifest_entries('me', jsonb_build_object('entries', jsonb_build_array(
    jsonb_build_object('url', 'file://' || :'d' || '/1.csv', 'mandatory', true),
    jsonb_build_object('url', 'file://' || :'d' || '/missing.csv', 'mandatory', false),
    jsonb_build_object('url', 'file://' || :'d' || '/2.jsonl'))));
SELECT count(*) FROM me;
SELECT * FROM clickstream.copy_from_manifest_entries('me', jsonb_build_object('entries', jsonb_build_array(
    jsonb_build_object('url', 'file://' || :'d' || '/2.jsonl'),
    jsonb_build_object('url', 'file://' || :'d' || '/3.csv'))));
SELECT count(*) FROM me;

-- a missing mandatory object, a wrong content_length: errors, nothing loaded
SELECT clickstream.copy_from_manifest('m', jsonb_build_object('entries', jsonb_build_array(
    jsonb_build_object('url', 'file://' || :'d' || '/1.csv'),
    jsonb_build_object('url', 'file://' || :'d' || '/missing.csv', 'mandatory', true))));
SELECT clickstream.copy_from_manifest('m', jsonb_build_object('entries', jsonb_build_array(
    jsonb_build_object('url', 'file://' || :'d' || '/1.csv',
                       'meta', jsonb_build_object('content_length', 99)))));
-- the second entry fails: the first one's rows are not kept either
SELECT clickstream.copy_from_manifest('m', jsonb_build_object('entries', jsonb_build_array(
    jsonb_build_object('url', 'file://' || :'d' || '/1.csv'),
    jsonb_build_object('url', 'file://' || :'d' || '/3.csv'))));
SELECT count(*) FROM m;

-- invalid manifests
SELECT regress_util.write_text(:'d' || '/bad.manifest', E'{"entries": [\n  {"url": "file:///x.csv",}\n]}');
SELECT clickstream.copy_from_manifest('m', 'file://' || :'d' || '/bad.manifest');
SELECT clickstream.copy_from_manifest('m', '{"entries": [{"url": "ftp://h/x.csv"}]}'::jsonb);
SELECT clickstream.copy_from_manifest('m', '{"entries": [{"url": "file:///a.csv"}, {"url": "file:///a.csv"}]}'::jsonb);
SELECT clickstream.copy_from_manifest('m', '{"files": []}'::jsonb);
SELECT clickstream.copy_from_manifest('m', '{"entries": [{"url": "file:///a.csv", "mandatory": "yes"}]}'::jsonb);
-- empty entries load nothing
SELECT clickstream.copy_from_manifest('m', '{"entries": []}'::jsonb);
