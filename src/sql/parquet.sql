
-- Parquet helpers (src/parquet_sql.c): look inside a file's footer.

CREATE FUNCTION @extschema@.parquet_schema(url text)
RETURNS TABLE (
    "position" int, name text, path text, physical_type text,
    logical_type text, converted_type text, repetition text,
    type_length int, max_definition_level int, max_repetition_level int,
    num_children int)
LANGUAGE C STRICT VOLATILE
AS 'MODULE_PATHNAME', 'pg_clickstream_parquet_schema';
COMMENT ON FUNCTION @extschema@.parquet_schema(text) IS
    'One row per schema node of a Parquet file (root first)';

CREATE FUNCTION @extschema@.parquet_metadata(url text)
RETURNS TABLE (
    row_group int, row_group_rows bigint, column_index int, path text,
    physical_type text, codec text, encodings text, num_values bigint,
    compressed_size bigint, uncompressed_size bigint,
    data_page_offset bigint, dictionary_page_offset bigint,
    null_count bigint, min bytea, max bytea)
LANGUAGE C STRICT VOLATILE
AS 'MODULE_PATHNAME', 'pg_clickstream_parquet_metadata';
COMMENT ON FUNCTION @extschema@.parquet_metadata(text) IS
    'One row per row group and column chunk of a Parquet file';
