-- clickstream.create_app / drop_app: schema and ODS tables per spec §1.1, §2, §2.7.
SET client_min_messages = warning;

SELECT clickstream.create_app('shop_web', 'proj_1', 'Asia/Shanghai');
SELECT app_id, schema_name, project_id, time_zone, partition_interval FROM clickstream.apps;

-- idempotent: a second call changes nothing and says nothing
SELECT clickstream.create_app('shop_web', 'proj_1', 'Asia/Shanghai');
SELECT count(*) FROM clickstream.apps;

-- the four tables, their column counts, and which are partitioned
SELECT c.relname, c.relkind,
       (SELECT count(*) FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0) AS columns
  FROM pg_class c WHERE c.relnamespace = 'shop_web'::regnamespace AND c.relkind IN ('r', 'p')
   AND c.relname IN ('event_v2', 'item_v2', 'session', 'user_v2')  -- modeling tables: model_* tests
 ORDER BY 1;

-- column order and types of the smaller tables in full; event_v2 by spot checks
SELECT attnum, attname, format_type(atttypid, atttypmod) AS type, attnotnull
  FROM pg_attribute WHERE attrelid = 'shop_web.session'::regclass AND attnum > 0 ORDER BY attnum;
SELECT attnum, attname, format_type(atttypid, atttypmod) AS type, attnotnull
  FROM pg_attribute WHERE attrelid = 'shop_web.user_v2'::regclass AND attnum > 0 ORDER BY attnum;
SELECT attnum, attname, format_type(atttypid, atttypmod) AS type, attnotnull
  FROM pg_attribute WHERE attrelid = 'shop_web.item_v2'::regclass AND attnum > 0 ORDER BY attnum;
SELECT attnum, attname, format_type(atttypid, atttypmod) AS type, attnotnull
  FROM pg_attribute WHERE attrelid = 'shop_web.event_v2'::regclass
   AND attnum IN (1, 2, 3, 4, 5, 19, 26, 54, 55, 64, 65, 72, 89, 101, 102, 103, 104) ORDER BY attnum;

-- keys and indexes (spec §2.7)
SELECT c.relname AS table_name, i.relname AS index_name, x.indisunique AS is_unique,
       pg_get_indexdef(i.oid) LIKE '%(' || array_to_string(ARRAY(
           SELECT attname FROM pg_attribute WHERE attrelid = c.oid AND attnum = ANY (x.indkey)
           ORDER BY array_position(x.indkey::int2[], attnum)), ', ') || ')%' AS key_in_order,
       ARRAY(SELECT attname FROM pg_attribute WHERE attrelid = c.oid AND attnum = ANY (x.indkey)
             ORDER BY array_position(x.indkey::int2[], attnum)) AS key_columns
  FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class c ON c.oid = x.indrelid
 WHERE c.relnamespace = 'shop_web'::regnamespace
   AND c.relname IN ('event_v2', 'item_v2', 'session', 'user_v2')
 ORDER BY 1, 2;
SELECT pg_get_partkeydef('shop_web.event_v2'::regclass), pg_get_partkeydef('shop_web.item_v2'::regclass);

-- created_time defaults to the load time in UTC whatever the session time zone
SET TimeZone = 'America/New_York';
INSERT INTO shop_web.session (event_timestamp, user_pseudo_id, session_id)
VALUES ('2024-01-01', 'u', 's');
SELECT abs(extract(epoch FROM created_time - (now() AT TIME ZONE 'UTC'))) < 60 AS created_time_is_utc
  FROM shop_web.session;
RESET TimeZone;

-- partitions: one per day by default (<table>_pYYYYMMDD), or one per month on request;
-- the loader creates them, each covering exactly its day or month
SELECT clickstream._ensure_partitions('shop_web.event_v2',
    ARRAY['2024-02-28 23:59:59', '2024-02-29 00:00:00', '2024-02-29 13:00', NULL]::timestamp[]);
SELECT clickstream._ensure_partitions('shop_web.event_v2', ARRAY['2024-02-29 08:00']::timestamp[]);
SELECT c.relname, pg_get_expr(c.relpartbound, c.oid) AS bounds
  FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
 WHERE i.inhparent = 'shop_web.event_v2'::regclass ORDER BY 1;
SELECT clickstream.create_app('shop_month', partition_interval => 'month');
SELECT clickstream._ensure_partitions('shop_month.item_v2',
    ARRAY['2024-02-28 23:59:59', '2024-02-29', '2024-03-01']::timestamp[]);
SELECT c.relname, pg_get_expr(c.relpartbound, c.oid) AS bounds
  FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
 WHERE i.inhparent = 'shop_month.item_v2'::regclass ORDER BY 1;
-- a second call keeps the interval; another interval is refused once partitions exist,
-- allowed while there are none
SELECT clickstream.create_app('shop_month');
SELECT partition_interval FROM clickstream.apps WHERE app_id = 'shop_month';
SELECT clickstream.create_app('shop_month', partition_interval => 'day');
SELECT clickstream.create_app('shop_week', partition_interval => 'week');
SELECT clickstream.create_app('shop_empty', partition_interval => 'month');
SELECT clickstream.create_app('shop_empty', partition_interval => 'day');
SELECT app_id, partition_interval FROM clickstream.apps WHERE app_id LIKE 'shop\_%' ORDER BY 1;
SELECT clickstream.drop_app('shop_month'), clickstream.drop_app('shop_empty');

-- app ids: '.' and '-' become '_', upper case folds (spec §1.1)
SELECT clickstream.create_app('My-App.v2');
SELECT app_id, schema_name, time_zone FROM clickstream.apps ORDER BY app_id;

-- errors
SELECT clickstream.create_app('1app');
SELECT clickstream.create_app('app name');
SELECT clickstream.create_app('public');
SELECT clickstream.create_app('pg_app');
SELECT clickstream.create_app(repeat('a', 64));
SELECT clickstream.create_app('shop_ios', 'Bad-Project');
SELECT clickstream.create_app('shop_ios', NULL, 'Mars/Olympus');
SELECT clickstream.create_app(NULL);
-- two ids that map to one schema
SELECT clickstream.create_app('my_app_v2');

-- drop_app removes the schema, the registration and the app's queued files
SELECT clickstream.drop_app('My-App.v2');
SELECT count(*) FROM pg_namespace WHERE nspname = 'my_app_v2';
SELECT app_id FROM clickstream.apps ORDER BY 1;
SELECT clickstream.drop_app('My-App.v2');
SELECT clickstream.drop_app('shop_web');
SELECT count(*) FROM clickstream.apps;
