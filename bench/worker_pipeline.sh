#!/usr/bin/env bash
# bench/worker_pipeline.sh: issue 4's benchmark, the loader worker end to end.
#
#   data     test/gen/gen.mjs: BENCH_EVENTS (default 1,000,000) events of one app over 20 days,
#            10 Snappy Parquet files per day and table: 200 event files, plus their items,
#            sessions and users (spec layout), uploaded to s3://bench-worker/
#   base     one clickstream.copy_from_manifest of the 200 event files into a plain table
#            (LIKE event_v2, no index): the bulk read alone; measured before the first round
#            and after each round, and a round's ratios divide by the mean of the bases
#            either side of it (the shared machine's speed drifts by 30% within minutes)
#   indexed  the same into the event_v2 of a second app, with its partitions made first
#            (reference: what the ODS table's partitions and indexes cost, apart from the
#            worker)
#   worker   clickstream.discover() of the prefix (the first enqueue) until the last batch
#            committed (max(load_batches.finished_at)): every table loaded and merged by the
#            background worker, with default settings and BENCH_WORKERS workers ("2 1";
#            2c: 2 with clickstream.concurrent_table_batches on), in BENCH_ROUNDS rounds (3):
#            the verdict is the median of the rounds' ratios
#   latency  median over BENCH_LATENCY_FILES (11) small Parquet files of the time from
#            enqueue() to the file's rows being visible to another session
#
# Targets (issue 4): worker time / base time <= 2.0 including merges; latency under 2 s.
# Run through bench/run (bash bench/run worker_pipeline), which provides S3 and a cluster;
# this script points clickstream.database at the bench database and restarts the cluster.
set -euo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/lib/bench.sh"
. "$TOP/test/lib/deps.sh"

EVENTS=${BENCH_EVENTS:-1000000}
DAYS=20
FILES=10
SEED=42
LATENCY_FILES=${BENCH_LATENCY_FILES:-11}
# worker counts to measure in each round; "2c": 2 workers with
# clickstream.concurrent_table_batches on; the last (1, the default) also runs the latency
# test
WORKERS=${BENCH_WORKERS:-2 1}
ROUNDS=${BENCH_ROUNDS:-3}
BUCKET=bench-worker
APP=benchapp
REF_APP=benchref
GEN=$TOP/test/gen

# gen DIR ARGS...: the generator, with its npm dependencies installed on first use
gen() {
    deps_npm "$GEN" >&2
    node "$GEN/gen.mjs" "$@"
}

# data_generate: the files, cached until the generator, the spec or the sizes change
data_generate() {
    local key
    key=$(cat "$GEN/gen.mjs" "$SHARED_DIR/spec/clickstream-model.md" | sha1sum | cut -c1-10)
    DATA=$BENCH_DIR/data/worker-$key-$EVENTS-$DAYS-$FILES-$SEED
    if [ ! -s "$DATA/summary.json" ]; then
        log "generating $EVENTS events with test/gen/gen.mjs into $DATA"
        rm -rf "$DATA"
        mkdir -p "$DATA"
        gen --out "$DATA/files" --prefix p/ --apps "$APP" --project bench --events "$EVENTS" \
            --days "$DAYS" --files "$FILES" --seed "$SEED" >"$DATA/summary.json.tmp"
        gen --out "$DATA/latency" --prefix l/ --apps "$APP" --project bench --events $((LATENCY_FILES * 10)) \
            --days 1 --files "$LATENCY_FILES" --seed 4242 >/dev/null
        mv "$DATA/summary.json.tmp" "$DATA/summary.json"
    fi
    give_to_run_user "$DATA"
    log "data: $(cat "$DATA/summary.json")"
}

# upload DIR: every file under DIR to the bucket under its relative path, eight at a time
upload() {
    local dir=$1
    s3_mkbucket "$BUCKET"
    export -f s3_put s3_curl s3_object_url s3_encode
    (cd "$dir" && find . -type f -name '*.parquet' | sed 's|^\./||' |
        xargs -P 8 -I{} bash -c 's3_put "$1" "$2" "$2"' _ "$BUCKET" {})
}

json_field() { node -e "const s=JSON.parse(require('fs').readFileSync(0,'utf8')); console.log($1)" <"$DATA/summary.json"; }

# reset_app: a fresh app and an empty queue
reset_app() {
    bench_psql -q <<SQL
SET client_min_messages = warning;
SELECT clickstream.drop_app('$APP') FROM clickstream.apps WHERE app_id = '$APP' \g /dev/null
DELETE FROM clickstream.load_queue;
DELETE FROM clickstream.load_batches;
SELECT clickstream.create_app('$APP', 'bench') \g /dev/null
CHECKPOINT;
SQL
}

# run_worker N ROUND: restart with N workers in the bench database, queue every file with one
# discover() (the first enqueue), wait until all are LOADED, record the time to the last
# commit (max(load_batches.finished_at)) and check the row counts after the merges
run_worker() {
    local w=$1 round=$2 t0 counts expected
    local concurrent=off
    [ "${w%c}" = "$w" ] || concurrent=on
    bench_psql -q -c "ALTER SYSTEM SET clickstream.database = '$PGDATABASE'" -c "ALTER SYSTEM SET clickstream.workers = ${w%c}" \
        -c "ALTER SYSTEM SET clickstream.concurrent_table_batches = $concurrent"
    as_run_user "$BENCH_CLUSTER" pg_ctl -D "$BENCH_CLUSTER/data" -l "$BENCH_CLUSTER/server.log" -w restart >/dev/null
    reset_app
    t0=$(bench_psql -At -c "SELECT clock_timestamp()")
    bench_psql -At -c "SELECT clickstream.discover('s3://$BUCKET/p/')" >/dev/null
    # polling from outside, every half second; the time itself comes from the server
    until [ "$(bench_psql -At -c "SELECT count(*) FILTER (WHERE status <> 'LOADED') FROM clickstream.load_queue")" = 0 ]; do
        [ "$(bench_psql -At -c "SELECT count(*) FROM clickstream.load_queue WHERE status = 'FAILED'")" = 0 ] ||
            die "files FAILED: $(bench_psql -At -c "SELECT url || ': ' || last_error FROM clickstream.load_queue WHERE status = 'FAILED' LIMIT 3")"
        sleep 0.5
    done
    echo "worker_all_tables_w${w}_r$round $(bench_psql -At -c "SELECT extract(epoch FROM max(finished_at) - '$t0'::timestamptz) FROM clickstream.load_batches") 0" >>"$BENCH_RESULTS"
    echo "worker_event_batches_w${w}_r$round $(bench_psql -At -c "SELECT extract(epoch FROM sum(finished_at - started_at)) FROM clickstream.load_batches WHERE ods_table = 'event_v2'") 0" >>"$BENCH_RESULTS"
    counts=$(bench_psql -At -c "SELECT (SELECT count(*) FROM $APP.event_v2) || ' ' || (SELECT count(*) FROM $APP.item_v2) || ' ' || (SELECT count(*) FROM $APP.session) || ' ' || (SELECT count(*) FROM $APP.user_v2)")
    expected=$(json_field '[s.keys.event_v2, s.keys.item_v2, s.keys.session, s.keys.user_v2].join(" ")')
    [ "$counts" = "$expected" ] || die "rows after the merges: $counts, expected $expected"
    log "round $round, $w worker(s): first batch began $(bench_psql -At -c "SELECT round(extract(epoch FROM min(started_at) - '$t0'::timestamptz)::numeric, 2) FROM clickstream.load_batches") s after the discover() began; batches per table"
    bench_psql -c "SELECT ods_table, count(*) AS batches, sum(files) AS files, sum(rows_loaded) AS rows_loaded,
                          sum(rows_merged) AS rows_merged, string_agg(DISTINCT load_method, ',') AS methods,
                          round(extract(epoch FROM sum(finished_at - started_at))::numeric, 2) AS seconds
                     FROM clickstream.load_batches GROUP BY 1 ORDER BY 1"
}

# run_base LABEL: the base load (see the header), recorded as LABEL: the event files in one
# copy_from_manifest into a fresh table LIKE event_v2; the rows are checked, then the table
# dropped
run_base() {
    local label=$1
    bench_psql -q -c "DROP TABLE IF EXISTS bench_worker_events" \
        -c "CREATE TABLE bench_worker_events (LIKE $APP.event_v2)" -c "CHECKPOINT"
    bench_load "$label" \
        "SELECT clickstream.copy_from_manifest('bench_worker_events', pg_read_file('$BENCH_DIR/tmp-worker-manifest.json')::jsonb)"
    [ "$(bench_count bench_worker_events)" = "$events" ] || die "$label loaded $(bench_count bench_worker_events) rows, expected $events"
    bench_psql -q -c "DROP TABLE bench_worker_events"
}

# run_indexed LABEL: the reference load (see the header) into $REF_APP.event_v2, whose
# partitions (the files' days, and the days either side) are made first
run_indexed() {
    local label=$1 manifest=$BENCH_DIR/tmp-worker-manifest.json
    bench_psql -q <<SQL
SET client_min_messages = warning;
SELECT clickstream.drop_app('$REF_APP') FROM clickstream.apps WHERE app_id = '$REF_APP' \g /dev/null
SELECT clickstream.create_app('$REF_APP', 'bench') \g /dev/null
SELECT clickstream._ensure_partitions('$REF_APP.event_v2', array_agg(d.day + s * interval '1 day'))
  FROM (SELECT DISTINCT make_timestamp(m[1]::integer, m[2]::integer, m[3]::integer, 0, 0, 0) AS day
          FROM jsonb_array_elements(pg_read_file('$manifest')::jsonb -> 'entries') e,
               regexp_match(e ->> 'url', 'partition_year=([0-9]+)/partition_month=([0-9]+)/partition_day=([0-9]+)/') m) d,
       generate_series(-1, 1) s \g /dev/null
CHECKPOINT;
SQL
    bench_load "$label" \
        "SELECT clickstream.copy_from_manifest('$REF_APP.event_v2', pg_read_file('$manifest')::jsonb, options => '{\"defaults\": [\"created_time\"]}')"
    [ "$(bench_count "$REF_APP.event_v2")" = "$events" ] || die "$label loaded $(bench_count "$REF_APP.event_v2") rows, expected $events"
    bench_psql -q -c "SET client_min_messages = warning" -c "SELECT clickstream.drop_app('$REF_APP')" >/dev/null
}

# report: the figures of $BENCH_RESULTS.  Each worker run's ratio divides its time by the
# mean of the bases before and after its round; a worker count's verdict is the median of
# its rounds' ratios.
report() {
    awk -v rows="$rows" -v events="$events" '
        function median(list,    n, a, i, j, t) {
            n = split(list, a, " ")
            for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
            return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
        }
        $1 ~ /^base_r[0-9]+$/ { r = substr($1, 7) + 0; base[r] = $2; if (r > last) last = r; next }
        $1 == "indexed_copy_from_manifest_events" { indexed = $2; next }
        $1 == "latency_median" { latency = $2; next }
        match($1, /^worker_(all_tables|event_batches)_w[0-9c]+_r[0-9]+$/) {
            split($1, p, "_w"); split(p[2], q, "_r")
            kind = ($1 ~ /^worker_all/) ? "all" : "events"
            t[kind, q[1], q[2] + 0] = $2
            if (!(q[1] in seen)) { seen[q[1]] = 1; order[++nw] = q[1] }
        }
        END {
            for (r = 0; r <= last; r++) printf "  %-44s %8.2f s %10.0f events/s\n", "base (plain table), " (r ? "after round " r : "first"), base[r], events / base[r]
            printf "  %-44s %8.2f s %10.0f events/s   ratio %.2fx (into event_v2 of an app, no worker)\n", "reference: into event_v2, partitions first", indexed, events / indexed, indexed / ((base[0] + base[1]) / 2)
            for (i = 1; i <= nw; i++) {
                w = order[i]; ratios = ""; eratios = ""; rates = ""
                for (r = 1; r <= last; r++) {
                    if (!(("all", w, r) in t)) continue
                    b = (base[r - 1] + base[r]) / 2
                    printf "  %-44s %8.2f s %10.0f rows/s   ratio %.2fx (base %.2f s); event batches %.2f s, %.2fx\n", w " worker(s), round " r, t["all", w, r], rows / t["all", w, r], t["all", w, r] / b, b, t["events", w, r], t["events", w, r] / b
                    ratios = ratios " " t["all", w, r] / b; eratios = eratios " " t["events", w, r] / b; rates = rates " " rows / t["all", w, r]
                }
                printf "  %-44s %19.0f rows/s   ratio %.2fx (target <= 2.0); event batches %.2fx\n", w " worker(s), median of the rounds", median(rates), median(ratios), median(eratios)
            }
            printf "  %-44s %8.0f ms (target < 2000)\n", "enqueue to visible, median of the files", latency * 1000
        }
    ' "$BENCH_RESULTS"
}

main() {
    local rows events bytes event_bytes lat
    data_generate
    rows=$(json_field 'Object.values(s.rows).reduce((a,b)=>a+b)')
    events=$(json_field 's.rows.event_v2')
    bytes=$(json_field 's.bytes')
    event_bytes=$(find "$DATA/files/p/event_v2" -name '*.parquet' -printf '%s\n' | awk '{ s += $1 } END { print s }')

    log "uploading $(find "$DATA/files" -name '*.parquet' | wc -l) files to s3://$BUCKET/"
    upload "$DATA/files"
    upload "$DATA/latency"

    bench_psql -q <<SQL
SET client_min_messages = warning;
GRANT clickstream_loader TO CURRENT_USER;
SELECT clickstream.create_secret('bench_worker', '$S3_ACCESS_KEY', '$S3_SECRET_KEY', NULL,
                                 '$S3_REGION', '$S3_ENDPOINT', 'path', 's3://$BUCKET/') \g /dev/null
SQL
    reset_app

    # the event files in one manifest, for the base and the reference
    bench_psql -At -c "SELECT jsonb_build_object('entries', jsonb_agg(jsonb_build_object('url', url, 'mandatory', true, 'meta', jsonb_build_object('content_length', size)) ORDER BY url))
                         FROM clickstream.list_objects('s3://$BUCKET/p/event_v2/')" >"$BENCH_DIR/tmp-worker-manifest.json"
    give_to_run_user "$BENCH_DIR/tmp-worker-manifest.json"
    run_base base_r0
    # reference: the same load into another app's event_v2, with no worker
    run_indexed indexed_copy_from_manifest_events

    # rounds of the worker runs, each followed by a base: a round's ratios divide by the
    # mean of the bases either side of it
    local w r
    for r in $(seq 1 "$ROUNDS"); do
        for w in $WORKERS; do
            run_worker "$w" "$r"
        done
        run_base "base_r$r"
    done

    # latency: enqueue one small file, wait until its rows are visible from this session
    local url i
    : >"$BENCH_DIR/tmp-latency"
    i=0
    for url in $(bench_psql -At -c "SELECT url FROM clickstream.list_objects('s3://$BUCKET/l/event_v2/') ORDER BY url"); do
        i=$((i + 1))
        bench_psql -At >>"$BENCH_DIR/tmp-latency" <<SQL
SELECT clock_timestamp() AS t0 \gset
SELECT clickstream.enqueue('$url') \g /dev/null
DO \$\$
BEGIN
    -- each statement of a function sees what committed before it (READ COMMITTED)
    WHILE NOT EXISTS (SELECT 1 FROM clickstream.load_queue WHERE url = '$url' AND status = 'LOADED') LOOP
        PERFORM pg_sleep(0.002);
    END LOOP;
END
\$\$;
SELECT extract(epoch FROM clock_timestamp() - :'t0');
SQL
    done
    lat=$(sort -n "$BENCH_DIR/tmp-latency" | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
    echo "latency_median $lat 0" >>"$BENCH_RESULTS"

    awk -v r="$rows" -v e="$events" -v b="$bytes" -v eb="$event_bytes" 'BEGIN {
        printf "\n  %d rows in 4 tables (%d events), %.1f MB of Parquet (%.1f MB of events)\n", r, e, b / 1048576, eb / 1048576 }'
    report
    echo
}

main "$@"
