
-- Object-store access (src/objstore/functions.c, docs/objstore.md).
-- Network URLs need the clickstream_loader role, file:// URLs pg_read_server_files;
-- the C functions check this themselves, so EXECUTE stays granted to PUBLIC.

CREATE FUNCTION @extschema@.list_objects(prefix_url text)
RETURNS TABLE (url text, size bigint, last_modified timestamptz, etag text)
AS 'MODULE_PATHNAME', 'pg_clickstream_list_objects'
LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE;

COMMENT ON FUNCTION @extschema@.list_objects(text) IS
'Objects whose URL starts with prefix_url (s3:// or file://), all pages, sorted by URL';

CREATE FUNCTION @extschema@.read_object(url text)
RETURNS bytea
AS 'MODULE_PATHNAME', 'pg_clickstream_read_object'
LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE;

COMMENT ON FUNCTION @extschema@.read_object(text) IS
'The whole object at url, up to clickstream.read_object_max_size';
