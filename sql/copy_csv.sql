-- CSV loading: COPY's parser, header matching, options, compression.
\set d '/tmp/pg_clickstream_regress/csv'
CREATE TABLE csv_t (id int PRIMARY KEY, name text, amount numeric(10,2),
                    at timestamp, tag text DEFAULT 'none');

-- header: columns matched by name, in any order; tag gets its default
SELECT regress_util.write_text(:'d' || '/a.csv',
    E'name,id,amount,at\nalice,1,1.50,2024-01-02 03:04:05\n"bob, jr",2,,2024-01-03 00:00:00\n');
SELECT clickstream.copy_from_url('csv_t', 'file://' || :'d' || '/a.csv',
                                 options => '{"header": true}');
SELECT * FROM csv_t ORDER BY id;

-- no header: by position (Redshift's rule), all five columns
SELECT regress_util.write_text(:'d' || '/b.csv', E'3,carol,2.25,2024-02-01,x\n4,,,,\n');
SELECT clickstream.copy_from_url('csv_t', 'file://' || :'d' || '/b.csv');
SELECT * FROM csv_t WHERE id >= 3 ORDER BY id;

-- delimiter, quote, escape, null string
SELECT regress_util.write_text(:'d' || '/c.txt',
    E'5|''it''''s''|NULL|NULL|q\n6|''a|b''|7|NULL|NULL\n');
SELECT clickstream.copy_from_url('csv_t', 'file://' || :'d' || '/c.txt', 'csv',
    '{"delimiter": "|", "quote": "''", "null": "NULL"}');
SELECT * FROM csv_t WHERE id >= 5 ORDER BY id;

-- gzip by suffix, zstd by magic bytes (no suffix), format 'auto' through .gz
SELECT regress_util.write_text(:'d' || '/d.csv.gz', E'id,name\n7,gz\n', 'gzip');
SELECT regress_util.write_text(:'d' || '/e.data', E'id,name\n8,zstd\n', 'zstd -q');
SELECT clickstream.copy_from_url('csv_t', 'file://' || :'d' || '/d.csv.gz',
                                 options => '{"header": true}');
SELECT clickstream.copy_from_url('csv_t', 'file://' || :'d' || '/e.data', 'csv',
                                 '{"header": true}');
SELECT id, name FROM csv_t WHERE id >= 7 ORDER BY id;

-- header column unknown to the table: ignored, or an error with strict
SELECT regress_util.write_text(:'d' || '/f.csv', E'id,extra\n9,zzz\n');
SELECT clickstream.copy_from_url('csv_t', 'file://' || :'d' || '/f.csv',
                                 options => '{"header": true, "strict": true}');
SELECT clickstream.copy_from_url('csv_t', 'file://' || :'d' || '/f.csv',
                                 options => '{"header": true}');
SELECT id, name, tag FROM csv_t WHERE id = 9;

-- a bad value: the error names the file, the line, the column and the value
SELECT regress_util.write_text(:'d' || '/g.csv', E'id,amount\n10,1\n11,abc\n');
SELECT clickstream.copy_from_url('csv_t', 'file://' || :'d' || '/g.csv',
                                 options => '{"header": true}');
-- too many and too few fields
SELECT regress_util.write_text(:'d' || '/h.csv', E'12,a,1,2024-01-01,t,extra\n');
SELECT clickstream.copy_from_url('csv_t', 'file://' || :'d' || '/h.csv');
SELECT regress_util.write_text(:'d' || '/i.csv', E'13,a\n');
SELECT clickstream.copy_from_url('csv_t', 'file://' || :'d' || '/i.csv');
-- nothing of the failed loads stayed
SELECT count(*) FROM csv_t WHERE id >= 10;

-- a corrupt gzip file
SELECT regress_util.write_file(:'d' || '/bad.csv.gz', '\x1f8b0800000000000003ffff'::bytea);
SELECT clickstream.copy_from_url('csv_t', 'file://' || :'d' || '/bad.csv.gz');

-- option errors
SELECT clickstream.copy_from_url('csv_t', 'file://' || :'d' || '/a.csv', 'csv', '{"hedaer": true}');
SELECT clickstream.copy_from_url('csv_t', 'file://' || :'d' || '/a.csv', 'csv', '{"header": "yes"}');
SELECT clickstream.copy_from_url('csv_t', 'file://' || :'d' || '/a.csv', 'xml');
SELECT clickstream.copy_from_url('csv_t', 'file://' || :'d' || '/a.unknown');

-- an empty file loads nothing
SELECT regress_util.write_text(:'d' || '/empty.csv', '');
SELECT clickstream.copy_from_url('csv_t', 'file://' || :'d' || '/empty.csv',
                                 options => '{"header": true}');
