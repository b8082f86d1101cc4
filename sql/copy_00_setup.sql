-- Helpers shared by the copy_* tests: write files the server can read.
-- Files live under /tmp/pg_clickstream_regress (written by the server's OS
-- user through COPY TO PROGRAM, so the bytes are exactly what we ask for).
CREATE SCHEMA regress_util;

-- write_file(path, content bytea, filter): base64 through the shell keeps
-- every byte (invalid UTF-8 included); filter compresses (gzip, zstd).
CREATE FUNCTION regress_util.write_file(p_path text, p_content bytea,
                                        p_filter text DEFAULT 'cat')
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('COPY (SELECT %L) TO PROGRAM %L',
        replace(encode(p_content, 'base64'), E'\n', ''),
        format('mkdir -p "$(dirname %s)" && base64 -d | %s > %s',
               p_path, p_filter, p_path));
END
$$;

CREATE FUNCTION regress_util.write_text(p_path text, p_content text,
                                        p_filter text DEFAULT 'cat')
RETURNS void LANGUAGE sql AS $$
    SELECT regress_util.write_file(p_path, convert_to(p_content, 'UTF8'), p_filter)
$$;

COPY (SELECT 1) TO PROGRAM 'rm -rf /tmp/pg_clickstream_regress && mkdir -p /tmp/pg_clickstream_regress; cat >/dev/null';
SELECT regress_util.write_text('/tmp/pg_clickstream_regress/hello.txt', 'hello');
SELECT pg_read_file('/tmp/pg_clickstream_regress/hello.txt');
