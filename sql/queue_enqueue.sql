-- clickstream.enqueue: the ODS table and app come from the path (spec §2.8, §3.3); the
-- same url and etag is ignored, a new etag queues the object again.
SET client_min_messages = warning;
SELECT clickstream.create_app('app1', 'proj');
SELECT clickstream.create_app('Shop-Web.v2');

-- parsing
SELECT u, p.*
  FROM (VALUES ('s3://b/proj/event_v2/partition_app=app1/partition_year=2024/partition_month=01/partition_day=02/part-0.snappy.parquet'),
               ('s3://b/proj/item_v2/partition_app=app1/x.parquet'),
               ('s3://b/a/b/session/partition_app=Shop-Web.v2/partition_year=2024/f.parquet'),
               ('file:///data/user_v2/partition_app=app1/partition_year=2024/f.csv'),
               ('s3://b/proj/event/partition_app=app1/f.parquet'),
               ('s3://b/proj/event_v2/app1/f.parquet'),
               ('s3://b/proj/event_v2/partition_app=app1/'),
               ('s3://b/proj/xevent_v2/partition_app=app1/f.parquet')) v(u)
  LEFT JOIN LATERAL clickstream.parse_ods_url(u) p ON true;

SELECT clickstream.enqueue('s3://b/proj/event_v2/partition_app=app1/partition_year=2024/partition_month=01/partition_day=02/part-0.snappy.parquet', 1000, 'etag-1');
SELECT clickstream.enqueue('s3://b/proj/session/partition_app=Shop-Web.v2/partition_year=2024/partition_month=01/partition_day=02/part-0.snappy.parquet', 200);
SELECT clickstream.enqueue('s3://b/proj/user_v2/partition_app=shop_web_v2/partition_year=2024/partition_month=01/partition_day=02/part-0.snappy.parquet');
SELECT url, object_size, etag, project_id, app_id, ods_table, status, attempts
  FROM clickstream.load_queue ORDER BY url;

-- the same url and etag: ignored
SELECT clickstream.enqueue('s3://b/proj/event_v2/partition_app=app1/partition_year=2024/partition_month=01/partition_day=02/part-0.snappy.parquet', 1000, 'etag-1');
-- loaded, then delivered again with the same etag: still ignored; with a new etag: NEW again
UPDATE clickstream.load_queue SET status = 'LOADED', rows_loaded = 10, loaded_at = now(), batch_id = 7
 WHERE url LIKE '%event_v2%';
SELECT clickstream.enqueue('s3://b/proj/event_v2/partition_app=app1/partition_year=2024/partition_month=01/partition_day=02/part-0.snappy.parquet', 1000, 'etag-1');
SELECT status, rows_loaded, batch_id FROM clickstream.load_queue WHERE url LIKE '%event_v2%';
SELECT clickstream.enqueue('s3://b/proj/event_v2/partition_app=app1/partition_year=2024/partition_month=01/partition_day=02/part-0.snappy.parquet', 1200, 'etag-2');
SELECT object_size, etag, status, rows_loaded, batch_id, loaded_at FROM clickstream.load_queue WHERE url LIKE '%event_v2%';
-- without an etag a change cannot be seen: queued again unless it is still waiting
SELECT clickstream.enqueue('s3://b/proj/session/partition_app=Shop-Web.v2/partition_year=2024/partition_month=01/partition_day=02/part-0.snappy.parquet', 200);
UPDATE clickstream.load_queue SET status = 'LOADED' WHERE url LIKE '%session%';
SELECT clickstream.enqueue('s3://b/proj/session/partition_app=Shop-Web.v2/partition_year=2024/partition_month=01/partition_day=02/part-0.snappy.parquet', 200);
SELECT status FROM clickstream.load_queue WHERE url LIKE '%session%';

-- errors
SELECT clickstream.enqueue('s3://b/proj/event_v2/part-0.parquet');
SELECT clickstream.enqueue('s3://b/proj/event_v2/partition_app=nope/f.parquet');
SELECT clickstream.enqueue('s3://b/proj/event_v2/partition_app=bad app/f.parquet');
SELECT clickstream.enqueue(NULL);

-- only roles that may read a URL may queue it (the worker loads as a superuser)
CREATE ROLE regress_queue_loader;
GRANT clickstream_loader TO regress_queue_loader;
SET ROLE regress_queue_loader;
SELECT clickstream.enqueue('s3://b/proj/item_v2/partition_app=app1/f.parquet');
SELECT clickstream.enqueue('file:///etc/item_v2/partition_app=app1/passwd.csv');
RESET ROLE;
CREATE ROLE regress_queue_nobody;
SET ROLE regress_queue_nobody;
SELECT clickstream.enqueue('s3://b/proj/item_v2/partition_app=app1/g.parquet');
RESET ROLE;

-- retry_failed: FAILED files and files waiting for a retry are due again, with new budgets
UPDATE clickstream.load_queue SET status = 'FAILED', attempts = 5, last_error = 'boom'
 WHERE url LIKE '%item_v2%';
UPDATE clickstream.load_queue SET status = 'NEW', attempts = 2, next_attempt_at = now() + interval '1 hour'
 WHERE url LIKE '%user_v2%';
SELECT clickstream.retry_failed(ods_table => 'event_v2');
SELECT clickstream.retry_failed('app1');
SELECT ods_table, status, attempts, next_attempt_at <= now() AS due, last_error
  FROM clickstream.load_queue ORDER BY url;
SELECT clickstream.retry_failed();

-- load_status: counts per app and table
SELECT app_id, ods_table, new_files, retrying_files, loaded_files, failed_files, waiting_bytes
  FROM clickstream.load_status ORDER BY 1, 2;

-- discover: objects of a prefix; data files only; unknown apps skipped with a warning
COPY (SELECT 1) TO PROGRAM 'rm -rf /tmp/pg_clickstream_regress_queue && mkdir -p /tmp/pg_clickstream_regress_queue/p/event_v2/partition_app=app1/partition_year=2024/partition_month=05/partition_day=01 /tmp/pg_clickstream_regress_queue/p/event_v2/partition_app=other/d && cd /tmp/pg_clickstream_regress_queue/p/event_v2 && echo "{}" > partition_app=app1/partition_year=2024/partition_month=05/partition_day=01/a.jsonl && echo "{}" > partition_app=app1/partition_year=2024/partition_month=05/partition_day=01/b.csv.gz && touch partition_app=app1/partition_year=2024/partition_month=05/partition_day=01/_SUCCESS partition_app=app1/partition_year=2024/partition_month=05/partition_day=01/.a.jsonl.crc && echo "{}" > partition_app=other/d/c.jsonl; cat >/dev/null';
SELECT clickstream.discover('file:///tmp/pg_clickstream_regress_queue/p/');
SELECT regexp_replace(url, '^.*/', '') AS file, object_size, etag IS NOT NULL AS has_etag, status
  FROM clickstream.load_queue WHERE url LIKE 'file:%' ORDER BY 1;
-- nothing changed: nothing queued
SELECT clickstream.discover('file:///tmp/pg_clickstream_regress_queue/p/');
-- both loaded, then a.jsonl rewritten (a new etag): only a.jsonl is queued again, as new
UPDATE clickstream.load_queue SET status = 'LOADED', attempts = 1, rows_loaded = 1, loaded_at = now()
 WHERE url LIKE 'file:%';
COPY (SELECT 1) TO PROGRAM 'echo "{}" >> /tmp/pg_clickstream_regress_queue/p/event_v2/partition_app=app1/partition_year=2024/partition_month=05/partition_day=01/a.jsonl; cat >/dev/null';
SELECT clickstream.discover('file:///tmp/pg_clickstream_regress_queue/p/');
SELECT regexp_replace(url, '^.*/', '') AS file, object_size, status, attempts, rows_loaded, loaded_at IS NULL AS unloaded
  FROM clickstream.load_queue WHERE url LIKE 'file:%' ORDER BY 1;

-- sources
SELECT clickstream.add_source('file:///tmp/pg_clickstream_regress_queue/p/', 'proj', '5 minutes');
SELECT clickstream.add_source('http://example.com/p/');
SELECT prefix_url, project_id, poll_interval, enabled, last_polled_at FROM clickstream.sources;
SELECT clickstream.poll_sources();
SELECT last_polled_at IS NOT NULL AS polled, last_queued, last_error FROM clickstream.sources;
SELECT clickstream.poll_sources();
SELECT clickstream.drop_source('file:///tmp/pg_clickstream_regress_queue/p/');
SELECT clickstream.drop_source('file:///tmp/pg_clickstream_regress_queue/p/');

DELETE FROM clickstream.load_queue;
SELECT clickstream.drop_app('app1');
SELECT clickstream.drop_app('Shop-Web.v2');
DROP ROLE regress_queue_loader;
DROP ROLE regress_queue_nobody;
COPY (SELECT 1) TO PROGRAM 'rm -rf /tmp/pg_clickstream_regress_queue; cat >/dev/null';
