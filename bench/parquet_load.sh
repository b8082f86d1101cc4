#!/usr/bin/env bash
# bench/parquet_load.sh: issue 3's benchmark.  BENCH_ROWS (default 1,000,000) event_v2-shaped
# rows (spec §2.1, the jsonb columns as Parquet MAPs), written by DuckDB as one Snappy Parquet
# file with row groups of 122,880 rows, loaded by copy_from_url from file:// and from S3, and
# in the same run by native COPY of the same rows as a local CSV file and as a binary-format
# file.  Also: our reader core alone (pqdump --bench: decode every value, no PostgreSQL) and
# DuckDB reading the same file into its own table on one thread.
# Targets (issue 3): Parquet from S3 at most 1.0x binary COPY and 0.75x CSV COPY; peak backend
# memory under twice one row group's uncompressed projected size.
set -euo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/lib/bench.sh"
. "$(dirname "${BASH_SOURCE[0]}")/lib/events.sh"

ROWS=${BENCH_ROWS:-1000000}
FILES=20
SEED=42
TABLE=bench.events
BUCKET=benchpq
DATA=$BENCH_DIR/data/events
PQ=$DATA/events.parquet
BIN=$DATA/all.bin

main() {
    local n failed=0 pq_bytes csv_bytes bin_bytes rg_bytes load label
    events_generate "$DATA" "$ROWS" "$FILES" "$SEED"
    events_node_modules
    if [ ! -s "$PQ" ] || [ "$PQ" -ot "$DATA/stamp" ]; then
        log "DuckDB writes $PQ"
        events_ddl "$TABLE" >"$DATA/ddl.sql"
        node "$TOP/bench/lib/to-parquet.mjs" "$DATA/ddl.sql" "$PQ" "$DATA"/events-*.jsonl.gz
        give_to_run_user "$DATA"
    fi
    s3_mkbucket "$BUCKET" || true
    s3_put "$BUCKET" events.parquet "$PQ"

    bench_psql -c "CREATE SCHEMA IF NOT EXISTS bench" -c "SET client_min_messages = warning" -c "DROP TABLE IF EXISTS $TABLE"
    events_ddl "$TABLE" | bench_psql
    bench_psql <<SQL
GRANT clickstream_loader TO CURRENT_USER;
SELECT clickstream.drop_secret('benchpq') FROM pg_foreign_server WHERE srvname = 'benchpq';
SELECT clickstream.create_secret('benchpq', '$S3_ACCESS_KEY', '$S3_SECRET_KEY', NULL,
                                 '$S3_REGION', '$S3_ENDPOINT', 'path', 's3://$BUCKET/');
SQL
    # the binary-format file: the same rows, written by COPY TO from the CSV load
    if [ ! -s "$BIN" ] || [ "$BIN" -ot "$DATA/stamp" ]; then
        bench_truncate "$TABLE"
        bench_psql -c "COPY $TABLE FROM '$DATA/all.csv' (FORMAT csv)" -c "COPY $TABLE TO '$BIN' (FORMAT binary)"
    fi

    local -a loads=(
        "a_native_copy_csv|COPY $TABLE FROM '$DATA/all.csv' (FORMAT csv)"
        "b_native_copy_binary|COPY $TABLE FROM '$BIN' (FORMAT binary)"
        "c_parquet_file|SELECT clickstream.copy_from_url('$TABLE', 'file://$PQ')"
        "d_parquet_s3|SELECT clickstream.copy_from_url('$TABLE', 's3://$BUCKET/events.parquet')"
    )
    for load in "${loads[@]}"; do
        label=${load%%|*}
        bench_truncate "$TABLE"
        if bench_load "$label" "${load#*|}"; then
            n=$(bench_count "$TABLE")
            [ "$n" = "$ROWS" ] || { log "$label loaded $n rows, expected $ROWS"; failed=1; }
        else
            failed=1
        fi
    done

    pq_bytes=$(stat -c %s "$PQ")
    csv_bytes=$(stat -c %s "$DATA/all.csv")
    bin_bytes=$(stat -c %s "$BIN")
    rg_bytes=$(bench_psql -At -c "SELECT max(s) FROM (SELECT sum(uncompressed_size) AS s FROM clickstream.parquet_metadata('file://$PQ') GROUP BY row_group) x")
    banner "parquet_load: $ROWS rows; Parquet $((pq_bytes / 1048576)) MB, CSV $((csv_bytes / 1048576)) MB, binary $((bin_bytes / 1048576)) MB; largest row group $((rg_bytes / 1048576)) MB uncompressed"
    bench_report "$ROWS" a_native_copy_csv \
        "a_native_copy_csv=$csv_bytes" \
        "b_native_copy_binary=$bin_bytes" \
        "c_parquet_file=$pq_bytes" \
        "d_parquet_s3=$pq_bytes"
    echo "  ratio = time / time of (a); for the binary COPY reference divide by b's ratio."
    echo "  targets: d <= 1.0x of b and <= 0.75x of a; peak mem < 2 x $((rg_bytes / 1048576)) MB"

    banner "reader core alone, and DuckDB on one thread, on the same file"
    if make -s -C "$TOP/test/unit/parquet" build/pqdump-opt >/dev/null 2>&1; then
        "$TOP/test/unit/parquet/build/pqdump-opt" --bench "$PQ" || true
    else
        log "pqdump not built: see test/unit/parquet"
    fi
    (cd "$TOP/bench/lib" && node duckdb-read.mjs "$PQ") || true
    return "$failed"
}

main "$@"
