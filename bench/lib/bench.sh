# bench/lib/bench.sh: helpers for benchmarks (bench/*.sh), which bench/run calls with one
# object store (S3_*) and one cluster (PG*) running, BENCH_DIR (scratch space, kept between
# runs so generated data can be reused) and BENCH_CLUSTER (the cluster's directory) exported.
#
# A benchmark loads the same rows several ways and prints each load's time, throughput and
# ratio against native COPY measured in the same run, plus the backend's peak memory.
#
# Memory is measured from /proc/<backend pid>/status: RssAnon (private anonymous memory:
# palloc'd contexts, and malloc'd buffers of libcurl, zlib, zstd...), sampled every 50 ms
# during the load; we report its peak minus its value just before the load.  VmRSS/VmHWM are
# not used: they count the shared buffers the backend touches, which grow with any load.

. "$(dirname "${BASH_SOURCE[0]}")/../../test/lib/common.sh"
. "$TOP/test/lib/pg.sh"
. "$TOP/test/lib/s3.sh"

# bench_psql ARGS...: psql against the benchmark cluster.
bench_psql() { pg_psql "$BENCH_CLUSTER" "$@"; }

# bench_load LABEL SQL: run SQL in a fresh session, timed on the server (clock_timestamp
# around the statement), while sampling the backend's memory.  Appends a line
# "LABEL SECONDS PEAK_KB" to $BENCH_RESULTS; on failure prints the error and returns 1.
bench_load() {
    local label=$1 sql=$2 tmp pidfile out psql_pid pid idle peak cur i secs
    tmp=$BENCH_DIR/tmp
    mkdir -p "$tmp"
    give_to_run_user "$tmp"
    pidfile=$tmp/backend.pid
    out=$tmp/load.out
    rm -f "$pidfile" "$out"
    # pg_sleep gives the sampler time to read the idle value before the load starts.
    bench_psql -At >"$out" 2>&1 <<SQL &
SELECT pg_backend_pid() \g $pidfile
SELECT pg_sleep(0.5);
SELECT clock_timestamp() AS t0 \gset
$sql;
SELECT 'seconds=' || extract(epoch FROM clock_timestamp() - :'t0');
SQL
    psql_pid=$!
    wait_for 30 "the backend pid of '$label'" test -s "$pidfile" || { wait "$psql_pid" || true; cat "$out" >&2; return 1; }
    pid=$(tr -dc 0-9 <"$pidfile")
    idle=$(rss_anon_kb "$pid")
    peak=${idle:-0}
    # sample until psql exits (bounded: 2 hours at 20 samples/s); with BENCH_MEMLOG_MB, the
    # first time the backend grows that much above idle, its memory contexts and query go to
    # the server log (pg_log_backend_memory_contexts), to find what holds the memory
    local memlog=${BENCH_MEMLOG_MB:+$((BENCH_MEMLOG_MB * 1024))}
    for ((i = 0; i < 144000; i++)); do
        kill -0 "$psql_pid" 2>/dev/null || break
        cur=$(rss_anon_kb "$pid")
        [ -n "$cur" ] && [ "$cur" -gt "$peak" ] && peak=$cur
        if [ -n "$memlog" ] && [ -n "$cur" ] && [ "$cur" -gt $((${idle:-0} + memlog)) ]; then
            memlog=
            log "$label: +$(((cur - ${idle:-0}) / 1024)) MB, memory contexts logged to the server log"
            bench_psql -At -c "SELECT pid, left(query, 200) FROM pg_stat_activity WHERE pid = $pid" \
                -c "SELECT pg_log_backend_memory_contexts($pid)" >&2 || true
        fi
        sleep 0.05
    done
    if ! wait "$psql_pid"; then
        log "$label failed:"
        sed 's/^/    /' "$out" >&2
        return 1
    fi
    secs=$(sed -n 's/^seconds=//p' "$out")
    echo "$label $secs $((peak - ${idle:-0}))" >>"$BENCH_RESULTS"
    log "$label: ${secs}s, peak RssAnon +$(((peak - ${idle:-0}) / 1024)) MB"
}

# bench_report ROWS BASE_LABEL LABEL=BYTES...: print one row per measured load: rows/s, MB/s
# of input as stored, time ratio against BASE_LABEL, and peak memory above idle.
bench_report() {
    local rows=$1 base=$2 spec label bytes
    shift 2
    printf '\n  %-34s %9s %11s %8s %8s %12s\n' load seconds rows/s MB/s ratio "peak mem MB"
    for spec in "$@"; do
        label=${spec%%=*}
        bytes=${spec#*=}
        awk -v label="$label" -v base="$base" -v rows="$rows" -v bytes="$bytes" '
            $1 == base { b = $2 }
            $1 == label { s = $2; m = $3 }
            END {
                if (s == "") { printf "  %-34s %9s\n", label, "failed"; exit }
                printf "  %-34s %9.2f %11.0f %8.1f %8s %12.1f\n", label, s, rows / s,
                    bytes / 1048576 / s, (b == "" ? "n/a" : sprintf("%.2fx", s / b)), m / 1024
            }' "$BENCH_RESULTS"
    done
    echo
}

# bench_truncate TABLE: empty the target and flush dirty buffers, so every load starts alike.
bench_truncate() { bench_psql -c "TRUNCATE $1" -c "CHECKPOINT"; }

# bench_count TABLE: rows in TABLE.
bench_count() { bench_psql -At -c "SELECT count(*) FROM $1"; }

# bench_upload BUCKET PREFIX FILE...: upload FILEs as PREFIX/<name>, four at a time.
bench_upload() {
    local bucket=$1 prefix=$2
    shift 2
    s3_mkbucket "$bucket"
    export -f s3_put s3_curl s3_object_url s3_encode
    printf '%s\n' "$@" | xargs -P 4 -I{} bash -c 's3_put "$1" "$2/${3##*/}" "$3"' _ "$bucket" "$prefix" {}
}
