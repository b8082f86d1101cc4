
-- ODS tables per app (docs/ods.md; spec §1.1, §2, §3.9).  Each app has a schema named
-- after its id holding event_v2, item_v2, session and user_v2 in the spec's column order;
-- the merge functions upsert a staged batch into them.

-- Registered apps.  The loader only accepts files of apps listed here.
CREATE TABLE @extschema@.apps (
    app_id      text        NOT NULL,
    schema_name name        NOT NULL,
    project_id  text,
    time_zone   text        NOT NULL DEFAULT 'UTC',
    -- width of the event_v2/item_v2 (and reporting base table) partitions
    partition_interval text NOT NULL DEFAULT 'day',
    created_at  timestamptz NOT NULL DEFAULT pg_catalog.now(),
    CONSTRAINT apps_pkey PRIMARY KEY (app_id),
    CONSTRAINT apps_partition_interval_check CHECK (partition_interval IN ('day', 'month')),
    CONSTRAINT apps_schema_name_key UNIQUE (schema_name)
);
COMMENT ON TABLE @extschema@.apps IS
    'Apps with ODS tables (clickstream.create_app); one schema per app';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.apps', '');
GRANT SELECT ON @extschema@.apps TO PUBLIC;

-- _app_schema_folded: an app id folded as spec §1.1 names its schema: '.' and '-' become
-- '_', then unquoted-identifier folding to lower case.  No validity check: discover()
-- matches listed objects to apps with it and skips, rather than raises on, invalid ids.
CREATE FUNCTION @extschema@._app_schema_folded(p_app_id text)
RETURNS text
LANGUAGE sql IMMUTABLE STRICT
AS $$
    SELECT pg_catalog.lower(pg_catalog.translate(p_app_id, '.-', '__'));
$$;

-- _app_schema: the schema name of an app id (_app_schema_folded).  Raises when the result
-- is not a valid, unreserved schema name of at most 63 bytes.
CREATE FUNCTION @extschema@._app_schema(p_app_id text)
RETURNS name
LANGUAGE plpgsql IMMUTABLE STRICT
AS $$
DECLARE
    v_schema text := @extschema@._app_schema_folded(p_app_id);
BEGIN
    IF v_schema !~ '^[a-z][a-z0-9_]*$' THEN
        RAISE EXCEPTION 'invalid app id "%"', p_app_id
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = 'An app id starts with a letter and holds only letters, digits, "_", "." and "-".';
    END IF;
    IF pg_catalog.octet_length(v_schema) > 63 THEN
        RAISE EXCEPTION 'app id "%" is too long', p_app_id
            USING ERRCODE = 'name_too_long',
                  DETAIL = 'The app''s schema name would exceed 63 bytes, PostgreSQL''s limit.';
    END IF;
    IF v_schema IN ('public', 'clickstream', 'information_schema') OR v_schema LIKE 'pg\_%' THEN
        RAISE EXCEPTION 'app id "%" is reserved', p_app_id
            USING ERRCODE = 'reserved_name',
                  DETAIL = pg_catalog.format('Schema %I cannot hold an app''s tables.', v_schema);
    END IF;
    RETURN v_schema::name;
END
$$;

CREATE FUNCTION @extschema@.create_app(
    app_id text,
    project_id text DEFAULT NULL,
    time_zone text DEFAULT 'UTC',
    partition_interval text DEFAULT NULL)
RETURNS void
LANGUAGE plpgsql
-- IF NOT EXISTS notices on a second call are noise
SET client_min_messages = warning
AS $$
#variable_conflict use_column
DECLARE
    p_app_id     ALIAS FOR $1;
    p_project_id ALIAS FOR $2;
    p_time_zone  ALIAS FOR $3;
    p_interval   ALIAS FOR $4;
    v_schema     name;
    v_old_interval text;
BEGIN
    IF p_app_id IS NULL THEN
        RAISE EXCEPTION 'app id must not be null' USING ERRCODE = 'null_value_not_allowed';
    END IF;
    v_schema := @extschema@._app_schema(p_app_id);
    IF p_project_id IS NOT NULL AND p_project_id !~ '^[a-z][a-z0-9_]{0,126}$' THEN
        RAISE EXCEPTION 'invalid project id "%"', p_project_id
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = 'A project id matches [a-z][a-z0-9_]{0,126}.';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_timezone_names WHERE name = p_time_zone)
       AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_timezone_abbrevs WHERE abbrev = p_time_zone) THEN
        RAISE EXCEPTION 'unknown time zone "%"', p_time_zone
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Use a name from pg_timezone_names, e.g. ''Asia/Shanghai''.';
    END IF;

    -- one create_app/drop_app at a time, so two callers cannot race on the same schema
    PERFORM pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('clickstream.create_app'));

    IF EXISTS (SELECT 1 FROM @extschema@.apps a
               WHERE a.schema_name = v_schema AND a.app_id <> p_app_id) THEN
        RAISE EXCEPTION 'app id "%" maps to schema "%", already used by another app', p_app_id, v_schema
            USING ERRCODE = 'duplicate_schema';
    END IF;

    -- partitions of one width only: a new width would overlap the partitions already there
    SELECT a.partition_interval INTO v_old_interval FROM @extschema@.apps a WHERE a.app_id = p_app_id;
    p_interval := COALESCE(p_interval, v_old_interval, 'day');
    IF p_interval NOT IN ('day', 'month') THEN
        RAISE EXCEPTION 'invalid partition interval "%"', p_interval
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Use ''day'' or ''month''.';
    END IF;
    IF p_interval <> v_old_interval AND EXISTS (
           SELECT 1 FROM pg_catalog.pg_inherits i
             JOIN pg_catalog.pg_class c ON c.oid = i.inhparent
             JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = v_schema
              AND c.relname IN ('event_v2', 'item_v2', 'clickstream_event_base_view')) THEN
        RAISE EXCEPTION 'app "%" already has % partitions', p_app_id, v_old_interval
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  DETAIL = 'The partition interval can only change while event_v2, item_v2 and clickstream_event_base_view have no partitions.';
    END IF;

    EXECUTE pg_catalog.format('CREATE SCHEMA IF NOT EXISTS %I', v_schema);

    -- event_v2: spec §2.1 (104 columns, file order); daily or monthly partitions on event_timestamp,
    -- created by the loader (clickstream._ensure_partitions); merge key (event_id, event_timestamp)
    EXECUTE pg_catalog.format($ddl$
        CREATE TABLE IF NOT EXISTS %I.event_v2 (
            event_timestamp timestamp NOT NULL,
            event_id varchar(255) NOT NULL,
            event_time_msec bigint NOT NULL,
            event_name varchar(255) NOT NULL,
            event_value double precision,
            event_value_currency varchar(32),
            event_bundle_sequence_id bigint,
            ingest_time_msec bigint,
            device_mobile_brand_name varchar(255),
            device_mobile_model_name varchar(255),
            device_manufacturer varchar(255),
            device_carrier varchar(255),
            device_network_type varchar(255),
            device_operating_system varchar(255),
            device_operating_system_version varchar(255),
            device_vendor_id varchar(255),
            device_advertising_id varchar(255),
            device_system_language varchar(255),
            device_time_zone_offset_seconds integer,
            device_ua_browser varchar(255),
            device_ua_browser_version varchar(255),
            device_ua_os varchar(255),
            device_ua_os_version varchar(255),
            device_ua_device varchar(255),
            device_ua_device_category varchar(255),
            device_ua jsonb,
            device_screen_width integer,
            device_screen_height integer,
            device_viewport_width integer,
            device_viewport_height integer,
            geo_continent varchar(255),
            geo_sub_continent varchar(255),
            geo_country varchar(255),
            geo_region varchar(255),
            geo_metro varchar(255),
            geo_city varchar(255),
            geo_locale varchar(255),
            traffic_source_source varchar(255),
            traffic_source_medium varchar(255),
            traffic_source_campaign varchar(255),
            traffic_source_content varchar(2048),
            traffic_source_term varchar(2048),
            traffic_source_campaign_id varchar(255),
            traffic_source_clid_platform varchar(255),
            traffic_source_clid varchar(2048),
            traffic_source_channel_group varchar(255),
            traffic_source_category varchar(255),
            user_first_touch_time_msec bigint,
            app_package_id varchar(255),
            app_version varchar(255),
            app_title varchar(255),
            app_install_source varchar(255),
            platform varchar(255),
            project_id varchar(255) NOT NULL,
            app_id varchar(255) NOT NULL,
            screen_view_screen_name varchar(255),
            screen_view_screen_id varchar(255),
            screen_view_screen_unique_id varchar(255),
            screen_view_previous_screen_name varchar(255),
            screen_view_previous_screen_id varchar(255),
            screen_view_previous_screen_unique_id varchar(255),
            screen_view_previous_time_msec bigint,
            screen_view_engagement_time_msec bigint,
            screen_view_entrances boolean,
            page_view_page_referrer text,
            page_view_page_referrer_title varchar(2048),
            page_view_previous_time_msec bigint,
            page_view_engagement_time_msec bigint,
            page_view_page_title varchar(2048),
            page_view_page_url text,
            page_view_page_url_path text,
            page_view_page_url_query_parameters jsonb,
            page_view_hostname varchar(2048),
            page_view_latest_referrer text,
            page_view_latest_referrer_host varchar(2048),
            page_view_entrances boolean,
            app_start_is_first_time boolean,
            upgrade_previous_app_version varchar(255),
            upgrade_previous_os_version varchar(255),
            search_key varchar(2048),
            search_term varchar(2048),
            outbound_link_classes varchar(2048),
            outbound_link_domain varchar(2048),
            outbound_link_id varchar(2048),
            outbound_link_url text,
            outbound_link boolean,
            user_engagement_time_msec bigint,
            user_id varchar(255),
            user_pseudo_id varchar(255) NOT NULL,
            session_id varchar(255),
            session_start_time_msec bigint,
            session_duration bigint,
            session_number bigint,
            scroll_engagement_time_msec bigint,
            sdk_error_code varchar(255),
            sdk_error_message varchar(2048),
            sdk_version varchar(255),
            sdk_name varchar(255),
            app_exception_message varchar(2048),
            app_exception_stack text,
            custom_parameters_json_str text,
            custom_parameters jsonb,
            process_info jsonb,
            created_time timestamp DEFAULT (pg_catalog.now() AT TIME ZONE 'UTC'),
            CONSTRAINT event_v2_event_id_event_timestamp_key UNIQUE (event_id, event_timestamp)
        ) PARTITION BY RANGE (event_timestamp)$ddl$, v_schema);
    EXECUTE pg_catalog.format('CREATE INDEX IF NOT EXISTS event_v2_created_time_idx ON %I.event_v2 (created_time)', v_schema);
    EXECUTE pg_catalog.format('CREATE INDEX IF NOT EXISTS event_v2_user_pseudo_id_session_id_idx ON %I.event_v2 (user_pseudo_id, session_id)', v_schema);

    -- item_v2: spec §2.2 (24 columns); partitioned like event_v2
    EXECUTE pg_catalog.format($ddl$
        CREATE TABLE IF NOT EXISTS %I.item_v2 (
            event_timestamp timestamp NOT NULL,
            event_id varchar(255) NOT NULL,
            event_name varchar(255) NOT NULL,
            platform varchar(255),
            user_pseudo_id varchar(255) NOT NULL,
            user_id varchar(255),
            item_id varchar(255) NOT NULL,
            name varchar(255),
            brand varchar(255),
            currency varchar(255),
            price double precision,
            quantity double precision,
            creative_name varchar(255),
            creative_slot varchar(255),
            location_id varchar(255),
            category varchar(255),
            category2 varchar(255),
            category3 varchar(255),
            category4 varchar(255),
            category5 varchar(255),
            custom_parameters_json_str text,
            custom_parameters jsonb,
            process_info jsonb,
            created_time timestamp DEFAULT (pg_catalog.now() AT TIME ZONE 'UTC'),
            CONSTRAINT item_v2_user_pseudo_id_event_id_item_id_event_timestamp_key
                UNIQUE (user_pseudo_id, event_id, item_id, event_timestamp)
        ) PARTITION BY RANGE (event_timestamp)$ddl$, v_schema);

    -- session: spec §2.3 (18 columns); not partitioned (the merge may move event_timestamp)
    EXECUTE pg_catalog.format($ddl$
        CREATE TABLE IF NOT EXISTS %I.session (
            event_timestamp timestamp NOT NULL,
            user_pseudo_id varchar(255) NOT NULL,
            session_id varchar(255) NOT NULL,
            user_id varchar(255),
            session_number bigint,
            session_start_time_msec bigint,
            session_source varchar(255),
            session_medium varchar(255),
            session_campaign varchar(255),
            session_content varchar(2048),
            session_term varchar(2048),
            session_campaign_id varchar(255),
            session_clid_platform varchar(255),
            session_clid varchar(2048),
            session_channel_group varchar(255),
            session_source_category varchar(255),
            process_info jsonb,
            created_time timestamp DEFAULT (pg_catalog.now() AT TIME ZONE 'UTC'),
            CONSTRAINT session_pkey PRIMARY KEY (user_pseudo_id, session_id)
        )$ddl$, v_schema);
    EXECUTE pg_catalog.format('CREATE INDEX IF NOT EXISTS session_event_timestamp_idx ON %I.session (event_timestamp)', v_schema);

    -- user_v2: spec §2.4 (21 columns)
    EXECUTE pg_catalog.format($ddl$
        CREATE TABLE IF NOT EXISTS %I.user_v2 (
            event_timestamp timestamp NOT NULL,
            user_pseudo_id varchar(255) NOT NULL,
            user_id varchar(255),
            user_properties jsonb,
            user_properties_json_str text,
            first_touch_time_msec bigint,
            first_visit_date date,
            first_referrer text,
            first_traffic_source varchar(255),
            first_traffic_medium varchar(255),
            first_traffic_campaign varchar(255),
            first_traffic_content varchar(2048),
            first_traffic_term varchar(2048),
            first_traffic_campaign_id varchar(255),
            first_traffic_clid_platform varchar(255),
            first_traffic_clid varchar(2048),
            first_traffic_channel_group varchar(255),
            first_traffic_category varchar(255),
            first_app_install_source varchar(255),
            process_info jsonb,
            created_time timestamp DEFAULT (pg_catalog.now() AT TIME ZONE 'UTC'),
            CONSTRAINT user_v2_pkey PRIMARY KEY (user_pseudo_id)
        )$ddl$, v_schema);
    EXECUTE pg_catalog.format('CREATE INDEX IF NOT EXISTS user_v2_event_timestamp_idx ON %I.user_v2 (event_timestamp)', v_schema);

    INSERT INTO @extschema@.apps AS a (app_id, schema_name, project_id, time_zone, partition_interval)
    VALUES (p_app_id, v_schema, p_project_id, p_time_zone, p_interval)
    ON CONFLICT (app_id) DO UPDATE
        SET project_id = COALESCE(EXCLUDED.project_id, a.project_id),
            time_zone = EXCLUDED.time_zone,
            partition_interval = EXCLUDED.partition_interval;

    -- the modeling objects (logging, metadata, reporting, segments): model.sql
    PERFORM @extschema@._create_model(v_schema, p_time_zone);
END
$$;
COMMENT ON FUNCTION @extschema@.create_app(text, text, text, text) IS
    'Create (idempotently) the schema and ODS tables of an app and register it';

CREATE FUNCTION @extschema@.drop_app(app_id text)
RETURNS void
LANGUAGE plpgsql
SET client_min_messages = warning
AS $$
#variable_conflict use_column
DECLARE
    p_app_id ALIAS FOR $1;
    v_schema name;
BEGIN
    PERFORM pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('clickstream.create_app'));
    SELECT schema_name INTO v_schema FROM @extschema@.apps WHERE app_id = p_app_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'app "%" does not exist', p_app_id
            USING ERRCODE = 'undefined_object',
                  HINT = 'SELECT app_id FROM clickstream.apps lists the apps.';
    END IF;
    -- queued files of the app could never load again: forget them
    DELETE FROM @extschema@.load_queue WHERE app_id = p_app_id;
    EXECUTE pg_catalog.format('DROP SCHEMA IF EXISTS %I CASCADE', v_schema);
    DELETE FROM @extschema@.apps WHERE app_id = p_app_id;
END
$$;
COMMENT ON FUNCTION @extschema@.drop_app(text) IS
    'Drop an app: its schema with every table, its queued files and its registration';

-- _partition_unit: 'day' or 'month', the span of one partition of a partitioned ODS table
-- (or reporting base table): its app's partition_interval, 'month' outside an app.
CREATE FUNCTION @extschema@._partition_unit(p_parent regclass)
RETURNS text
LANGUAGE sql STABLE
AS $$
    SELECT COALESCE((SELECT a.partition_interval
                       FROM pg_catalog.pg_class c
                       JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
                       JOIN @extschema@.apps a ON a.schema_name = n.nspname
                      WHERE c.oid = p_parent), 'month');
$$;

-- _partition_name: the name of p_parent's partition that starts at p_start
-- (<table>_pYYYYMMDD or <table>_pYYYYMM), schema-qualified and quoted.
CREATE FUNCTION @extschema@._partition_name(p_parent regclass, p_start timestamp)
RETURNS text
LANGUAGE sql STABLE
AS $$
    SELECT pg_catalog.format('%I.%I', n.nspname,
                             c.relname || '_p' || pg_catalog.to_char(p_start,
                                 CASE @extschema@._partition_unit(p_parent) WHEN 'day' THEN 'YYYYMMDD' ELSE 'YYYYMM' END))
      FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
     WHERE c.oid = p_parent;
$$;

-- _partition_end: the (exclusive) end of p_parent's partition that starts at p_start; the
-- partition bound and the bounds constraint of _new_partition_table must agree on it.
CREATE FUNCTION @extschema@._partition_end(p_parent regclass, p_start timestamp)
RETURNS timestamp
LANGUAGE sql STABLE
AS $$
    SELECT p_start + ('1 ' || @extschema@._partition_unit(p_parent))::interval;
$$;

-- _new_partition_table: a table shaped like p_parent, to become its partition from p_start
-- (_attach_partition), with a CHECK constraint of the partition's bounds so that the
-- attach need not scan it, and a row of another day or month fails at once
-- (check_violation).  Created apart from the parent because CREATE TABLE ... PARTITION OF
-- locks the parent ACCESS EXCLUSIVE (every reader waits), while ATTACH PARTITION only
-- takes SHARE UPDATE EXCLUSIVE; and because a partition filled before it is attached gets
-- its indexes built in bulk rather than one row at a time.
CREATE FUNCTION @extschema@._new_partition_table(p_parent regclass, p_start timestamp)
RETURNS regclass
LANGUAGE plpgsql
AS $$
DECLARE
    v_name  text := @extschema@._partition_name(p_parent, p_start);
    v_end   timestamp := @extschema@._partition_end(p_parent, p_start);
    v_key   name;
    v_space name;
BEGIN
    SELECT a.attname INTO v_key
      FROM pg_catalog.pg_partitioned_table pt
      JOIN pg_catalog.pg_attribute a ON a.attrelid = pt.partrelid AND a.attnum = pt.partattrs[0]
     WHERE pt.partrelid = p_parent;
    SELECT t.spcname INTO v_space
      FROM pg_catalog.pg_class c JOIN pg_catalog.pg_tablespace t ON t.oid = c.reltablespace
     WHERE c.oid = p_parent;
    EXECUTE pg_catalog.format(
        'CREATE TABLE %s (LIKE %s INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING GENERATED
                          INCLUDING STORAGE INCLUDING COMPRESSION,
                          CONSTRAINT clickstream_partition_bounds
                              CHECK (%I IS NOT NULL AND %I >= %L AND %I < %L))%s',
        v_name, p_parent, v_key, v_key, p_start, v_key, v_end,
        CASE WHEN v_space IS NULL THEN '' ELSE pg_catalog.format(' TABLESPACE %I', v_space) END);
    RETURN v_name::regclass;
END
$$;

-- _attach_partition: make p_part (from _new_partition_table) p_parent's partition from
-- p_start: ATTACH PARTITION builds its indexes (a duplicate key fails with
-- unique_violation), then the bounds constraint goes (the partition bound says the same).
CREATE FUNCTION @extschema@._attach_partition(p_parent regclass, p_part regclass, p_start timestamp)
RETURNS void
LANGUAGE plpgsql
AS $$
BEGIN
    EXECUTE pg_catalog.format('ALTER TABLE %s ATTACH PARTITION %s FOR VALUES FROM (%L) TO (%L)',
                              p_parent, p_part, p_start, @extschema@._partition_end(p_parent, p_start));
    EXECUTE pg_catalog.format('ALTER TABLE %s DROP CONSTRAINT clickstream_partition_bounds', p_part);
END
$$;

-- _claim_new_partition: whether p_parent's partition from p_start is still to be created,
-- judged after taking the lock that creators of the table's partitions take turns on (an
-- advisory lock held until commit): a caller that gets true creates it.  False for a NULL
-- start (no partition named).
CREATE FUNCTION @extschema@._claim_new_partition(p_parent regclass, p_start timestamp)
RETURNS boolean
LANGUAGE plpgsql
AS $$
BEGIN
    IF p_start IS NULL OR pg_catalog.to_regclass(@extschema@._partition_name(p_parent, p_start)) IS NOT NULL THEN
        RETURN false;
    END IF;
    PERFORM pg_catalog.pg_advisory_xact_lock(p_parent::oid::integer, 1);
    -- Another creator may have committed it meanwhile.  The name is looked up again on
    -- purpose: that query locks catalogs, which makes this backend read the other's catalog
    -- changes; to_regclass alone would answer from its cache (an advisory lock reads none).
    RETURN pg_catalog.to_regclass(@extschema@._partition_name(p_parent, p_start)) IS NULL;
END
$$;

-- _ensure_partitions: create the partitions of a partitioned ODS table (or reporting base
-- table) that hold the given instants, one per day (<table>_pYYYYMMDD) or month
-- (<table>_pYYYYMM) as its app's partition_interval says; those already present are
-- skipped.  Each is created apart and attached (_new_partition_table), so readers and
-- writers of the table go on meanwhile.
CREATE FUNCTION @extschema@._ensure_partitions(p_parent regclass, p_instants timestamp[])
RETURNS integer
LANGUAGE plpgsql
AS $$
DECLARE
    v_unit    text := @extschema@._partition_unit(p_parent);
    v_start   timestamp;
    v_created integer := 0;
BEGIN
    FOR v_start IN
        SELECT DISTINCT pg_catalog.date_trunc(v_unit, t) FROM pg_catalog.unnest(p_instants) t
         WHERE t IS NOT NULL ORDER BY 1
    LOOP
        CONTINUE WHEN NOT @extschema@._claim_new_partition(p_parent, v_start);
        PERFORM @extschema@._attach_partition(p_parent,
                                              @extschema@._new_partition_table(p_parent, v_start),
                                              v_start);
        v_created := v_created + 1;
    END LOOP;
    RETURN v_created;
END
$$;

-- stage_table: an empty temporary table shaped like an ODS table, plus stage_ord (the
-- row's position in load order, which the merge's "last occurrence wins" rules use).
-- Created once per session and truncated on every call.
CREATE FUNCTION @extschema@.stage_table(target regclass)
RETURNS regclass
LANGUAGE plpgsql
AS $$
DECLARE
    p_target ALIAS FOR $1;
    v_name   text := 'clickstream_stage_' || p_target::oid;
    v_stage  regclass;
BEGIN
    v_stage := pg_catalog.to_regclass('pg_temp.' || v_name);
    IF v_stage IS NULL THEN
        EXECUTE pg_catalog.format('CREATE TEMPORARY TABLE %I (LIKE %s, stage_ord bigint GENERATED ALWAYS AS IDENTITY)',
                                  v_name, p_target);
        v_stage := pg_catalog.to_regclass('pg_temp.' || v_name);
    ELSE
        EXECUTE pg_catalog.format('TRUNCATE %s', v_stage);
    END IF;
    RETURN v_stage;
END
$$;
COMMENT ON FUNCTION @extschema@.stage_table(regclass) IS
    'An empty temporary staging table shaped like an ODS table, plus a load-order column stage_ord';

-- _merge: the common algorithm of spec §3.9.1 for one ODS table.
--   p_key        business key columns
--   p_keep_order ORDER BY that puts the row to keep first among duplicates of a key
--   p_condition  WHERE of ON CONFLICT DO UPDATE (NULL: always replace the whole row)
--   p_plain_first  keys rarely repeat: try a plain INSERT, upsert after a unique violation
--                (else one probe decides)
--   p_conflict_known  some staged key is known to be in the table already (the worker's
--                direct copy of the batch just failed on one): upsert without first
--                trying a plain insert or probing
-- Every staged row gets one created_time (now() in UTC).  Returns the rows inserted or
-- updated in the target.  Errors propagate: the caller's transaction keeps all or nothing.
CREATE FUNCTION @extschema@._merge(p_target regclass, p_stage regclass, p_key text[],
                                   p_keep_order text, p_condition text,
                                   p_plain_first boolean, p_conflict_known boolean)
RETURNS bigint
LANGUAGE plpgsql
SET TimeZone = 'UTC'
-- no JIT: an insert into a partitioned table builds its expressions (the upsert's SET list
-- of 100 columns) again for every partition it reaches, and LLVM would compile each
SET jit = off
AS $$
DECLARE
    v_key     text;
    v_cols    text;
    v_select  text;
    v_set     text;
    v_rows    bigint;
    v_days    timestamp[];
    v_conflict boolean;
    v_plain   text;
    v_upsert  text;
BEGIN
    SELECT pg_catalog.string_agg(pg_catalog.quote_ident(k), ', ') INTO v_key
      FROM pg_catalog.unnest(p_key) k;
    SELECT pg_catalog.string_agg(pg_catalog.quote_ident(attname), ', ' ORDER BY attnum),
           pg_catalog.string_agg(CASE WHEN attname = 'created_time'
                                      THEN '(pg_catalog.now() AT TIME ZONE ''UTC'')::timestamp'
                                      ELSE pg_catalog.quote_ident(attname) END, ', ' ORDER BY attnum),
           pg_catalog.string_agg(pg_catalog.format('%1$I = EXCLUDED.%1$I', attname), ', ' ORDER BY attnum)
                FILTER (WHERE attname <> ALL (p_key))
      INTO v_cols, v_select, v_set
      FROM pg_catalog.pg_attribute
     WHERE attrelid = p_target AND attnum > 0 AND NOT attisdropped AND attgenerated = '';

    -- 1. collapse duplicates inside the batch: per key with more than one row, keep the
    --    first row by p_keep_order and delete the others
    EXECUTE pg_catalog.format(
        'DELETE FROM %1$s s USING (
             SELECT DISTINCT ON (%2$s) %2$s, stage_ord AS keep_ord
               FROM %1$s
              WHERE (%2$s) IN (SELECT %2$s FROM %1$s GROUP BY %2$s HAVING pg_catalog.count(*) > 1)
              ORDER BY %2$s, %3$s) d
          WHERE (%4$s) = (%5$s) AND s.stage_ord <> d.keep_ord',
        p_stage, v_key, p_keep_order,
        (SELECT pg_catalog.string_agg('s.' || pg_catalog.quote_ident(k), ', ') FROM pg_catalog.unnest(p_key) k),
        (SELECT pg_catalog.string_agg('d.' || pg_catalog.quote_ident(k), ', ') FROM pg_catalog.unnest(p_key) k));

    -- 2. partitions for the days in the batch (usually created beforehand)
    IF EXISTS (SELECT 1 FROM pg_catalog.pg_partitioned_table WHERE partrelid = p_target) THEN
        EXECUTE pg_catalog.format(
            'SELECT pg_catalog.array_agg(DISTINCT pg_catalog.date_trunc(''day'', event_timestamp)) FROM %s',
            p_stage) INTO v_days;
        PERFORM @extschema@._ensure_partitions(p_target, v_days);
    END IF;

    -- 3. upsert on the business key.  ON CONFLICT costs a pre-check and a confirmation
    --    record per row, so when no staged key is in the table yet (the usual case: new
    --    events) a plain INSERT does.  With p_plain_first (events, items: rarely
    --    re-delivered) the plain INSERT is tried first, and a unique violation rolls it
    --    back (its subtransaction) for the upsert.  Otherwise (sessions, users: often
    --    re-delivered) one index probe per staged row decides (it stops at the first key
    --    found).
    v_plain := pg_catalog.format('INSERT INTO %1$s (%2$s) SELECT %3$s FROM %4$s',
                                 p_target, v_cols, v_select, p_stage);
    v_upsert := pg_catalog.format(
        'INSERT INTO %1$s AS t (%2$s) SELECT %3$s FROM %4$s
         ON CONFLICT (%5$s) DO UPDATE SET %6$s%7$s',
        p_target, v_cols, v_select, p_stage, v_key, v_set,
        CASE WHEN p_condition IS NULL THEN '' ELSE ' WHERE ' || p_condition END);
    IF p_conflict_known THEN
        EXECUTE v_upsert;
    ELSIF p_plain_first THEN
        BEGIN
            EXECUTE v_plain;
            GET DIAGNOSTICS v_rows = ROW_COUNT;
            RETURN v_rows;
        EXCEPTION WHEN unique_violation THEN
            NULL;               -- some staged key exists: upsert below
        END;
        EXECUTE v_upsert;
    ELSE
        EXECUTE pg_catalog.format(
            'SELECT EXISTS (SELECT 1 FROM %1$s s CROSS JOIN LATERAL
                              (SELECT 1 FROM %2$s t WHERE %3$s LIMIT 1) x)',
            p_stage, p_target,
            (SELECT pg_catalog.string_agg(pg_catalog.format('t.%1$I = s.%1$I', k), ' AND ')
               FROM pg_catalog.unnest(p_key) k))
          INTO v_conflict;
        EXECUTE CASE WHEN v_conflict THEN v_upsert ELSE v_plain END;
    END IF;
    GET DIAGNOSTICS v_rows = ROW_COUNT;
    RETURN v_rows;
END
$$;

-- _merge_rule: the merge rule of an ODS table (spec §3.9.2-§3.9.5): its business key, the
-- order that puts the row to keep first among a key's duplicates in a batch, the condition
-- for replacing a row already in the table (NULL: always), and whether its keys rarely
-- repeat (events and items are rarely re-delivered; sessions and users often are).  NULL
-- for any other table name.
CREATE FUNCTION @extschema@._merge_rule(p_table name, OUT key text[], OUT keep_order text,
                                        OUT condition text, OUT plain_first boolean)
LANGUAGE sql IMMUTABLE
AS $$
    SELECT r.key, r.keep_order, r.condition, r.plain_first
      FROM (VALUES
        -- key (event_id, event_timestamp); the last occurrence in load order wins; full replace
        ('event_v2', ARRAY['event_id', 'event_timestamp'], 'stage_ord DESC', NULL, true),
        ('item_v2', ARRAY['user_pseudo_id', 'event_id', 'item_id', 'event_timestamp'],
         'stage_ord DESC', NULL, true),
        -- in the batch: a real source first, then 'Direct', then none; ties: first loaded.
        -- Against the table: replace only an unknown attribution, or a direct one by a known one.
        ('session', ARRAY['user_pseudo_id', 'session_id'],
         'CASE WHEN session_source IS NULL THEN 2 WHEN session_source = ''Direct'' THEN 1 ELSE 0 END, stage_ord',
         't.session_source IS NULL OR (t.session_source = ''Direct'' AND EXCLUDED.session_source IS NOT NULL)',
         false),
        -- in the batch: the latest event_timestamp, ties: last loaded; full replace
        ('user_v2', ARRAY['user_pseudo_id'], 'event_timestamp DESC, stage_ord DESC', NULL, false)
      ) AS r(table_name, key, keep_order, condition, plain_first)
     WHERE r.table_name = p_table;
$$;

-- _merge_as: merge a staged batch into target with the rule of ODS table p_table.
CREATE FUNCTION @extschema@._merge_as(p_table name, p_target regclass, p_stage regclass,
                                      p_conflict_known boolean)
RETURNS bigint
LANGUAGE sql
AS $$
    SELECT @extschema@._merge(p_target, p_stage, r.key, r.keep_order, r.condition,
                              r.plain_first, p_conflict_known)
      FROM @extschema@._merge_rule(p_table) r;
$$;

-- The four merges.  target is an app's ODS table, stage a table made by
-- stage_table(target) and filled in load order.

CREATE FUNCTION @extschema@.merge_event_v2(target regclass, stage regclass)
RETURNS bigint
LANGUAGE sql
AS $$
    SELECT @extschema@._merge_as('event_v2', $1, $2, false);
$$;
COMMENT ON FUNCTION @extschema@.merge_event_v2(regclass, regclass) IS
    'Upsert a staged batch into an app''s event_v2 (spec 3.9.2); returns rows written';

CREATE FUNCTION @extschema@.merge_item_v2(target regclass, stage regclass)
RETURNS bigint
LANGUAGE sql
AS $$
    SELECT @extschema@._merge_as('item_v2', $1, $2, false);
$$;
COMMENT ON FUNCTION @extschema@.merge_item_v2(regclass, regclass) IS
    'Upsert a staged batch into an app''s item_v2 (spec 3.9.3); returns rows written';

CREATE FUNCTION @extschema@.merge_session(target regclass, stage regclass)
RETURNS bigint
LANGUAGE sql
AS $$
    SELECT @extschema@._merge_as('session', $1, $2, false);
$$;
COMMENT ON FUNCTION @extschema@.merge_session(regclass, regclass) IS
    'Upsert a staged batch into an app''s session table with the attribution rule (spec 3.9.4)';

CREATE FUNCTION @extschema@.merge_user_v2(target regclass, stage regclass)
RETURNS bigint
LANGUAGE sql
AS $$
    SELECT @extschema@._merge_as('user_v2', $1, $2, false);
$$;
COMMENT ON FUNCTION @extschema@.merge_user_v2(regclass, regclass) IS
    'Upsert a staged batch into an app''s user_v2 (spec 3.9.5); returns rows written';

-- _merge_batch: the merge of target's table name (event_v2, item_v2, session, user_v2);
-- p_conflict_known as for _merge.
CREATE FUNCTION @extschema@._merge_batch(p_target regclass, p_stage regclass,
                                         p_conflict_known boolean)
RETURNS bigint
LANGUAGE plpgsql
AS $$
DECLARE
    v_rule record;
BEGIN
    SELECT r.* INTO v_rule
      FROM pg_catalog.pg_class c, @extschema@._merge_rule(c.relname) r
     WHERE c.oid = p_target;
    IF v_rule.key IS NULL THEN
        RAISE EXCEPTION '"%" is not an ODS table', p_target
            USING ERRCODE = 'wrong_object_type',
                  DETAIL = 'ODS tables are event_v2, item_v2, session and user_v2 of an app schema.';
    END IF;
    RETURN @extschema@._merge(p_target, p_stage, v_rule.key, v_rule.keep_order, v_rule.condition,
                              v_rule.plain_first, p_conflict_known);
END
$$;

-- merge_batch: the merge of target's table name (event_v2, item_v2, session, user_v2).
CREATE FUNCTION @extschema@.merge_batch(target regclass, stage regclass)
RETURNS bigint
LANGUAGE sql
AS $$
    SELECT @extschema@._merge_batch($1, $2, false);
$$;
COMMENT ON FUNCTION @extschema@.merge_batch(regclass, regclass) IS
    'Upsert a staged batch into an ODS table with that table''s merge rule';

-- load_manifest: spec's sp_merge_<table>(manifest): stage every entry of an inline
-- manifest in order, then merge, in the caller's transaction (all or nothing).
CREATE FUNCTION @extschema@.load_manifest(
    target regclass,
    manifest jsonb,
    format text DEFAULT 'auto',
    options jsonb DEFAULT '{}')
RETURNS bigint
LANGUAGE plpgsql
AS $$
DECLARE
    v_stage regclass := @extschema@.stage_table($1);
BEGIN
    PERFORM @extschema@.copy_from_manifest(v_stage, $2, $3, $4);
    RETURN @extschema@.merge_batch($1, v_stage);
END
$$;
COMMENT ON FUNCTION @extschema@.load_manifest(regclass, jsonb, text, jsonb) IS
    'Load an inline manifest into a staging table and merge it into an ODS table; returns rows written';
