-- Merge rules of spec §3.9: duplicates inside a batch collapse to one row per business key,
-- then the batch is upserted.  Batches are staged by hand here (stage_table + INSERT in load
-- order); the loader stages them from files the same way (see worker_cycle).
SET client_min_messages = warning;
SELECT clickstream.create_app('merge_app');

-- stage_table: LIKE the target plus stage_ord, empty on every call
SELECT clickstream.stage_table('merge_app.event_v2') AS ev_stage \gset
SELECT attname FROM pg_attribute WHERE attrelid = :'ev_stage'::regclass AND attnum > 100 ORDER BY attnum;
INSERT INTO :ev_stage (event_timestamp, event_id, event_time_msec, event_name, project_id, app_id, user_pseudo_id)
VALUES ('2024-03-01 10:00', 'x', 1, 'junk', 'p', 'a', 'u');
SELECT clickstream.stage_table('merge_app.event_v2') = :'ev_stage'::regclass AS same_table;
SELECT count(*) FROM :ev_stage;

-- event_v2, batch 1: e1 three times (the last one in load order wins), e2 once, and e3 at
-- two different timestamps (two keys, both kept); the loaded created_time is replaced
INSERT INTO :ev_stage (event_timestamp, event_id, event_time_msec, event_name, project_id, app_id, user_pseudo_id, created_time)
VALUES ('2024-03-01 10:00', 'e1', 1, 'first', 'p', 'a', 'u1', '2000-01-01'),
       ('2024-03-01 10:00', 'e1', 2, 'second', 'p', 'a', 'u1', '2030-01-01'),
       ('2024-03-01 10:00', 'e2', 3, 'only', 'p', 'a', 'u1', NULL),
       ('2024-03-01 10:00', 'e1', 4, 'third', 'p', 'a', 'u1', '2000-01-01'),
       ('2024-03-01 10:00', 'e3', 5, 'morning', 'p', 'a', 'u2', NULL),
       ('2024-04-01 18:00', 'e3', 6, 'evening', 'p', 'a', 'u2', NULL);
SELECT clickstream.merge_event_v2('merge_app.event_v2', :'ev_stage');
SELECT event_id, event_timestamp, event_time_msec, event_name, tableoid::regclass AS partition,
       abs(extract(epoch FROM created_time - (now() AT TIME ZONE 'UTC'))) < 60 AS created_now
  FROM merge_app.event_v2 ORDER BY event_id, event_timestamp;
-- partitions were created for the two months
SELECT inhrelid::regclass FROM pg_inherits WHERE inhparent = 'merge_app.event_v2'::regclass ORDER BY 1;

-- batch 2: newest load wins, even with an older event_time_msec and other columns NULL
SELECT clickstream.stage_table('merge_app.event_v2') AS ev_stage \gset
INSERT INTO :ev_stage (event_timestamp, event_id, event_time_msec, event_name, project_id, app_id, user_pseudo_id)
VALUES ('2024-03-01 10:00', 'e2', 0, 'reloaded', 'p', 'a', 'u9');
SELECT clickstream.merge_event_v2('merge_app.event_v2', :'ev_stage');
SELECT event_id, event_time_msec, event_name, user_pseudo_id FROM merge_app.event_v2 ORDER BY 1, event_timestamp;

-- batch 3: new keys before and after a key already loaded.  Events are inserted without
-- ON CONFLICT first; the existing key's unique violation must undo that attempt entirely
-- (e4 and e5 once each) and the upsert then replaces e1 and adds e4 and e5.
SELECT clickstream.stage_table('merge_app.event_v2') AS ev_stage \gset
INSERT INTO :ev_stage (event_timestamp, event_id, event_time_msec, event_name, project_id, app_id, user_pseudo_id)
VALUES ('2024-03-02 10:00', 'e4', 4, 'new', 'p', 'a', 'u4'),
       ((SELECT event_timestamp FROM merge_app.event_v2 WHERE event_id = 'e1' LIMIT 1), 'e1', 1, 'replaced', 'p', 'a', 'u1'),
       ('2024-03-02 10:05', 'e5', 5, 'new', 'p', 'a', 'u5');
SELECT clickstream.merge_event_v2('merge_app.event_v2', :'ev_stage');
SELECT event_id, event_time_msec, event_name, user_pseudo_id FROM merge_app.event_v2 ORDER BY 1, event_timestamp;

-- item_v2: key (user_pseudo_id, event_id, item_id, event_timestamp); last in load order wins
SELECT clickstream.stage_table('merge_app.item_v2') AS it_stage \gset
INSERT INTO :it_stage (event_timestamp, event_id, event_name, user_pseudo_id, item_id, price)
VALUES ('2024-03-01', 'e1', 'add_to_cart', 'u1', 'i1', 1),
       ('2024-03-01', 'e1', 'add_to_cart', 'u1', 'i2', 2),
       ('2024-03-01', 'e1', 'add_to_cart', 'u1', 'i1', 3),
       ('2024-03-01', 'e1', 'add_to_cart', 'u2', 'i1', 4);
SELECT clickstream.merge_item_v2('merge_app.item_v2', :'it_stage');
SELECT user_pseudo_id, item_id, price FROM merge_app.item_v2 ORDER BY 1, 2;
SELECT clickstream.stage_table('merge_app.item_v2') AS it_stage \gset
INSERT INTO :it_stage (event_timestamp, event_id, event_name, user_pseudo_id, item_id, price)
VALUES ('2024-03-01', 'e1', 'add_to_cart', 'u1', 'i2', 20);
SELECT clickstream.merge_item_v2('merge_app.item_v2', :'it_stage');
SELECT user_pseudo_id, item_id, price FROM merge_app.item_v2 ORDER BY 1, 2;

-- session, inside a batch: a real source beats 'Direct', which beats none; ties: first loaded
SELECT clickstream.stage_table('merge_app.session') AS se_stage \gset
INSERT INTO :se_stage (event_timestamp, user_pseudo_id, session_id, session_number, session_source)
VALUES ('2024-03-01 10:00', 'u1', 's1', 1, NULL),
       ('2024-03-01 10:01', 'u1', 's1', 2, 'Direct'),
       ('2024-03-01 10:02', 'u1', 's1', 3, 'google'),
       ('2024-03-01 10:03', 'u1', 's1', 4, 'bing'),
       ('2024-03-01 10:00', 'u2', 's1', 5, NULL),
       ('2024-03-01 10:01', 'u2', 's1', 6, 'Direct'),
       ('2024-03-01 10:00', 'u3', 's1', 7, NULL),
       ('2024-03-01 10:01', 'u3', 's1', 8, NULL),
       ('2024-03-01 10:00', 'u4', 's1', 9, 'Direct'),
       ('2024-03-01 10:00', 'u5', 's1', 10, 'facebook'),
       ('2024-03-01 10:00', 'u6', 's1', 11, NULL);
SELECT clickstream.merge_session('merge_app.session', :'se_stage');
SELECT user_pseudo_id, session_number, session_source FROM merge_app.session ORDER BY 1;

-- session, against the table: an unknown attribution is replaced by anything; 'Direct' by
-- any known source (even 'Direct' again, refreshing the row, spec §13.29) but not by none;
-- a real source is never replaced
SELECT clickstream.stage_table('merge_app.session') AS se_stage \gset
INSERT INTO :se_stage (event_timestamp, user_pseudo_id, session_id, session_number, session_source)
VALUES ('2024-03-02', 'u1', 's1', 21, 'Direct'),     -- google stays
       ('2024-03-02', 'u2', 's1', 22, NULL),         -- Direct stays
       ('2024-03-02', 'u3', 's1', 23, 'Direct'),     -- NULL -> Direct
       ('2024-03-02', 'u4', 's1', 24, 'Direct'),     -- Direct -> Direct (row refreshed)
       ('2024-03-02', 'u5', 's1', 25, 'twitter'),    -- facebook stays
       ('2024-03-02', 'u6', 's1', 26, 'newsletter'), -- NULL -> newsletter
       ('2024-03-02', 'u7', 's1', 27, NULL);         -- new session
SELECT clickstream.merge_session('merge_app.session', :'se_stage');
SELECT user_pseudo_id, session_number, session_source, event_timestamp FROM merge_app.session ORDER BY 1;
SELECT clickstream.stage_table('merge_app.session') AS se_stage \gset
INSERT INTO :se_stage (event_timestamp, user_pseudo_id, session_id, session_number, session_source)
VALUES ('2024-03-03', 'u2', 's1', 32, 'google');     -- Direct -> google
SELECT clickstream.merge_session('merge_app.session', :'se_stage');
SELECT user_pseudo_id, session_number, session_source FROM merge_app.session WHERE user_pseudo_id = 'u2';

-- user_v2, inside a batch: the greatest event_timestamp wins, ties: last loaded
SELECT clickstream.stage_table('merge_app.user_v2') AS us_stage \gset
INSERT INTO :us_stage (event_timestamp, user_pseudo_id, user_id, user_properties)
VALUES ('2024-03-05', 'u1', 'late', '{"level": {"value": "5", "type": "number", "set_time_msec": 1}}'),
       ('2024-03-01', 'u1', 'early', NULL),
       ('2024-03-02', 'u2', 'tie-first', NULL),
       ('2024-03-02', 'u2', 'tie-last', NULL);
SELECT clickstream.merge_user_v2('merge_app.user_v2', :'us_stage');
SELECT user_pseudo_id, user_id, event_timestamp, user_properties FROM merge_app.user_v2 ORDER BY 1;
-- across batches: newest load wins even with an older event_timestamp (spec §13.3)
SELECT clickstream.stage_table('merge_app.user_v2') AS us_stage \gset
INSERT INTO :us_stage (event_timestamp, user_pseudo_id, user_id)
VALUES ('2020-01-01', 'u1', 'older-but-newer-load');
SELECT clickstream.merge_user_v2('merge_app.user_v2', :'us_stage');
SELECT user_pseudo_id, user_id, event_timestamp, user_properties FROM merge_app.user_v2 ORDER BY 1;

-- merge_batch dispatches on the table name; anything else is refused
SELECT clickstream.stage_table('merge_app.user_v2') AS us_stage \gset
SELECT clickstream.merge_batch('merge_app.user_v2', :'us_stage');
CREATE TABLE merge_app.other (a int);
SELECT clickstream.merge_batch('merge_app.other', :'us_stage');

-- a failing merge fails loudly and leaves the target unchanged (spec §13.1): a staged
-- varchar(255) value too long for a NOT NULL key is impossible, so make the upsert fail
-- through a constraint the target has and the stage lacks
\set VERBOSITY terse
ALTER TABLE merge_app.user_v2 ADD CONSTRAINT user_id_not_bad CHECK (user_id <> 'bad');
INSERT INTO :us_stage (event_timestamp, user_pseudo_id, user_id)
VALUES ('2024-05-01', 'u1', 'good'), ('2024-05-01', 'u3', 'bad');
SELECT clickstream.merge_user_v2('merge_app.user_v2', :'us_stage');
\set VERBOSITY default
SELECT user_pseudo_id, user_id FROM merge_app.user_v2 ORDER BY 1;

SELECT clickstream.drop_app('merge_app');
