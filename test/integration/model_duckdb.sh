#!/usr/bin/env bash
# test/integration/model_duckdb.sh: the reporting layer and the metadata scan (spec §5-§6)
# checked against an independent computation by DuckDB over the same Parquet files.
#
#   1. test/gen/gen.mjs writes 4 days of Snappy Parquet for two apps (it_model in
#      Asia/Shanghai, it_model_utc in UTC); model/duck.mjs edits them so that the spec's
#      corner cases occur (a user on two platforms, sessions exactly at the engagement
#      thresholds, crashes, two pseudonymous users behind one user_id, events whose user has
#      no user_v2 row, a re-delivered event file; sessions crossing local midnight occur by
#      themselves).
#   2. Days 1-2 land in S3; discover() queues them and run_load_cycle() loads and merges
#      them (the worker's code path, in this session); per app, CALL
#      clickstream.refresh_app(...) for their local days (the base table, the three MVs, the
#      16 summary procedures).  Then the same for days 3-4 and the re-delivered file, so the
#      base table and the views are brought up to date incrementally.
#   3. Per app, the metadata scan (clickstream.scan_metadata, as the worker runs it).
#   4. Every object is exported as CSV and model/duck.mjs compares it with what
#      model/expected.sql (and the metadata SQL in duck.mjs), written from the spec and not
#      from our SQL, computes from the Parquet files: counts exactly, multisets of rows,
#      real columns within 1e-4.
#
# Objects that do not exist yet print SKIP and do not fail the test.  Environment as for
# the other integration tests (PG*, S3_*, S3_BUCKET, TEST_TMPDIR).
set -euo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"
. "$TOP/test/lib/s3.sh"
. "$TOP/test/lib/deps.sh"
BUCKET=${S3_BUCKET:-it-model-duckdb}
. "$TOP/test/lib/itest.sh"

MODEL=$TOP/test/integration/model
PROJECT=itproj
START=2024-03-01
# app:time zone
APPS=(it_model:Asia/Shanghai it_model_utc:UTC)

duck() { node "$MODEL/duck.mjs" "$@"; }
has_proc() { [ "$(q "SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = '$1' AND p.proname = '$2'")" != 0 ]; }
has_rel() { [ "$(q "SELECT to_regclass('$1') IS NOT NULL")" = t ]; }

# --- data ------------------------------------------------------------------------------------
deps_npm "$TOP/test/gen" >&2 || { fail "npm ci in test/gen (DuckDB) failed"; exit 1; }
DATA=$TMP/model-data
rm -rf "$DATA"
names=$(printf '%s\n' "${APPS[@]}" | cut -d: -f1 | paste -sd,)
node "$TOP/test/gen/gen.mjs" --out "$DATA" --prefix clickstream/ --apps "$names" --project "$PROJECT" \
    --events 6000 --days 4 --files 1 --seed 11 --start "$START" >"$TMP/model-gen.json"
duck mutate "$DATA/clickstream" ${names//,/ }
log "generated: $(cat "$TMP/model-gen.json")"

# --- load through the queue --------------------------------------------------------------------
q "SELECT clickstream.drop_secret(srvname) FROM pg_foreign_server WHERE srvname = 'it_model'" >/dev/null
q "SELECT clickstream.create_secret('it_model', '$S3_ACCESS_KEY', '$S3_SECRET_KEY', NULL,
        '$S3_REGION', '$S3_ENDPOINT', 'path', 's3://$BUCKET/')" >/dev/null
# (re-runnable in one database: the apps and their queue rows of an earlier run go first)
for a in "${APPS[@]}"; do
    q "SELECT clickstream.drop_app(app_id) FROM clickstream.apps WHERE app_id = '${a%%:*}'" >/dev/null
    q "DELETE FROM clickstream.load_queue WHERE app_id = '${a%%:*}'" >/dev/null
    q "SELECT clickstream.create_app('${a%%:*}', '$PROJECT', '${a#*:}')" >/dev/null
done

# land PATTERN: upload the files whose path matches PATTERN (grep -E), queue them with
# discover() and load them with run_load_cycle()
land() {
    local what=$1 pattern=$2 f n=0
    while IFS= read -r f; do
        s3_put "$BUCKET" "${f#"$DATA"/}" "$f"
        n=$((n + 1))
    done < <(find "$DATA" -name '*.parquet' | grep -E -- "$pattern" | sort)
    expect_eq "$what: discover() queues the $n new files" "$(q "SELECT clickstream.discover('s3://$BUCKET/clickstream/')")" "$n"
    psql -X -q -v ON_ERROR_STOP=1 -c "CALL clickstream.run_load_cycle()" >/dev/null
    expect_eq "$what: every file loaded" \
        "$(q "SELECT count(*) FILTER (WHERE status = 'LOADED') || '/' || count(*) FROM clickstream.load_queue WHERE url LIKE 's3://$BUCKET/%'")" \
        "$(find "$DATA" -name '*.parquet' | grep -cE -- "$pattern|$LANDED")/$(find "$DATA" -name '*.parquet' | grep -cE -- "$pattern|$LANDED")"
    LANDED="$LANDED|$pattern"
}
LANDED='^$'

# --- refresh and scan -----------------------------------------------------------------------
# refresh APP TZ PHASE: the reporting layer for the local days of a phase, one day per call
# as the worker does; the first call of a phase has refresh_start_time at that day's local
# midnight, because the data is from 2024 and the base table looks back from now
refresh() {
    local app=$1 tz=$2 phase=$3 d i=0
    mapfile -t days < <(duck days "$DATA/clickstream" "$app" "$tz" | awk -v cut="$SPLIT" -v p="$phase" '(p == 1) == ($1 <= cut)')
    [ ${#days[@]} -gt 0 ] || return 0
    if has_proc clickstream refresh_app; then
        for d in "${days[@]}"; do
            if [ $i = 0 ]; then
                q "CALL clickstream.refresh_app('$app', day => '$d', refresh_start_time => '$d 00:00:00 $tz')" >/dev/null
            else
                q "CALL clickstream.refresh_app('$app', day => '$d')" >/dev/null
            fi
            i=$((i + 1))
        done
        log "$app: refresh_app for ${days[*]}"
    else
        echo "SKIP: clickstream.refresh_app does not exist yet: calling the app's procedures directly"
        if has_proc "$app" clickstream_event_base_view_sp; then
            q "CALL $app.clickstream_event_base_view_sp('2000-01-01', '2100-01-01', 24)" >/dev/null
        fi
        local mv sp
        for mv in clickstream_acquisition_intra_day_user_mv clickstream_lifecycle_view_v2 clickstream_retention_base_view; do
            if [ "$(q "SELECT relkind FROM pg_class WHERE oid = to_regclass('$app.$mv')")" = m ]; then
                q "REFRESH MATERIALIZED VIEW $app.$mv" >/dev/null
            fi
        done
        for sp in $(duck objects summary); do
            if has_proc "$app" "${sp}_sp"; then
                q "CALL $app.${sp}_sp('${days[${#days[@]} - 1]}', '$tz', ${#days[@]})" >/dev/null
            fi
        done
    fi
}

# scan APP: the metadata scan the worker runs (clickstream.scan_metadata: the first one scans
# everything before the UTC date of the newest event); sets SCAN_END to the end of its window
scan() {
    local app=$1 out
    SCAN_END=2100-01-01
    if has_proc clickstream scan_metadata; then
        out=$(q "SELECT clickstream.scan_metadata('$app')")
        expect_match "$app: scan_metadata succeeds" "$out" '"status": "SUCCEED"'
        SCAN_END=$(q "SELECT '$out'::jsonb ->> 'scanEndDate'")
        expect_eq "$app: the scan ends at the UTC date of the newest event" "$SCAN_END" \
            "$(q "SELECT max(event_timestamp)::date FROM $app.event_v2")"
    elif has_proc "$app" sp_scan_metadata; then
        echo "SKIP: clickstream.scan_metadata does not exist yet: CALL $app.sp_scan_metadata over all history"
        q "CALL $app.sp_scan_metadata(20, '$SCAN_END 00:00:00', NULL)" >/dev/null
    else
        echo "SKIP: $app: no metadata scan yet (clickstream.scan_metadata, $app.sp_scan_metadata)"
    fi
}

# export APP DIR: every object duck.mjs compares that exists, as CSV with every value quoted
# (so that NULL and '' differ)
export_app() {
    local app=$1 dir=$2 o
    mkdir -p "$dir"
    rm -f "$dir"/*.csv
    for o in $(duck objects all); do
        has_rel "$app.$o" || continue
        psql -X -q -v ON_ERROR_STOP=1 -c "\\copy (SELECT * FROM $app.$o) TO '$dir/$o.csv' WITH (FORMAT csv, HEADER, FORCE_QUOTE *)"
    done
    if has_rel clickstream.metadata_catalog; then
        psql -X -q -v ON_ERROR_STOP=1 -c "\\copy (SELECT id, month, origin_month, prefix, name, days::text AS days, summary::text AS summary FROM clickstream.metadata_catalog WHERE app_id = '$app') TO '$dir/metadata_catalog.csv' WITH (FORMAT csv, HEADER, FORCE_QUOTE *)"
    fi
}

# Two load phases: days 1-2, their local days refreshed; then days 3-4 and the re-delivered
# file, the remaining local days refreshed.  The base table and the views are thus brought up
# to date incrementally, as in production.
SPLIT=$(date -u -d "$START + 1 day" +%F)
land "days 1-2" "partition_day=0[12]/part-0000"
for a in "${APPS[@]}"; do refresh "${a%%:*}" "${a#*:}" 1; done
land "days 3-4 and a re-delivered file" "partition_day=0[34]/"
for a in "${APPS[@]}"; do refresh "${a%%:*}" "${a#*:}" 2; done

for a in "${APPS[@]}"; do
    app=${a%%:*}
    tz=${a#*:}
    scan "$app"
    export_app "$app" "$TMP/pg-$app"
    if out=$(duck compare "$DATA/clickstream" "$app" "$tz" "$PROJECT" "$TMP/pg-$app" 20 "$SCAN_END"); then
        echo "$out"
    else
        echo "$out"
        fail "$app: the PostgreSQL objects differ from DuckDB's computation (lines above)"
    fi
done
q "SELECT clickstream.drop_secret('it_model')" >/dev/null
exit "$FAILED"
