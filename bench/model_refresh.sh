#!/usr/bin/env bash
# bench/model_refresh.sh: issue 5's benchmark, the modeling layer on 3 M events.
#
#   data      test/gen/gen.mjs: BENCH_MODEL_EVENTS (default 3,100,000) events of one app over
#             31 days from 2024-03-01 (100,000 a day), 4 Snappy Parquet files per day and
#             table, cached in .benchrun/data/model-* (generating takes about 15 minutes)
#   apps      bench_model30: days 1-30 loaded (3 M events); bench_model3: days 28-30 only.
#             Loaded with clickstream.load_manifest (file:// manifests, the merge path);
#             item_v2 is not loaded (nothing in the model reads it).  Then the history is
#             refreshed once, views only (untimed setup, printed for reference).
#   scan      a full metadata scan of bench_model30 (30 days)
#   refresh   day 31 loaded into each app, then CALL clickstream.refresh_app for day 31:
#             the base table picks up the new rows, the three MVs are recomputed, the 16
#             summary procedures run for the day
#   copy      native COPY of day 31's event rows (from a file written by COPY TO) into a
#             plain table, the reference of this run
#
# Target (issue 5): refresh of a new day with 30 days of history <= 1.5 x the same with 3
# days.  Pieces that do not exist yet in the installed extension print SKIP.
# BENCH_MODEL_PARTITIONS (day, the default of create_app; or month): the apps' partition
# interval.
# Run through bench/run (bash bench/run model_refresh), which provides a cluster.
set -euo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/lib/bench.sh"
. "$TOP/test/lib/deps.sh"
. "$TOP/bench/lib/model_data.sh"

EVENTS=${BENCH_MODEL_EVENTS:-3100000}
DAYS=31
FILES=4
SEED=42
APP30=bench_model30
APP3=bench_model3
PARTITIONS=${BENCH_MODEL_PARTITIONS:-day}
DAY31=$(date -u -d "$MODEL_START + 30 days" +%F)
DAY32=$(date -u -d "$MODEL_START + 31 days" +%F)

has_proc() { [ "$(bench_psql -At -c "SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = '$1' AND p.proname = '$2'")" != 0 ]; }
result() { awk -v l="$1" '$1 == l { print $2 }' "$BENCH_RESULTS"; }

# load APP DAY...: the event_v2, session and user_v2 files of the days, one load_manifest
# per table (the manifest goes through a file the server reads)
load_days() {
    local app=$1 t m
    shift
    for t in event_v2 session user_v2; do
        m=$BENCH_DIR/tmp/model-manifest-$app-$t.json
        model_manifest $(model_day_files "$t" "$@") >"$m"
        give_to_run_user "$m"
        bench_psql -At -c "SELECT clickstream.load_manifest('$app.$t', pg_read_file('$m')::jsonb)" >/dev/null
    done
}

# summaries_breakdown APP: each of the 16 summary procedures for day 31 again, timed on the
# server; appends "summary_<APP> SECONDS" (their sum) to the results and prints the slowest
summaries_breakdown() {
    local app=$1 out script=$BENCH_DIR/tmp/model-summaries-$1.sql
    bench_psql -At -c "SELECT format(\$\$SELECT clock_timestamp() AS t0 \\gset
CALL %I.%I('$DAY31', 'UTC', 1);
SELECT %L || ' ' || extract(epoch FROM clock_timestamp() - :'t0');\$\$, '$app', t || '_sp', t)
  FROM unnest(clickstream.summary_tables()) t" >"$script"
    give_to_run_user "$script"
    out=$(bench_psql -At -f "$script" 2>&1) || { log "summary procedures of $app failed: $out"; return 1; }
    out=$(grep -E '^clickstream_[a-z_]+ [0-9.]+$' <<<"$out")
    echo "summary_$app $(awk '{ s += $2 } END { print s }' <<<"$out") 0" >>"$BENCH_RESULTS"
    log "$app: the 16 summary procedures for day 31 take $(awk '{ s += $2 } END { printf "%.2f", s }' <<<"$out") s; slowest:"
    sort -k2 -rn <<<"$out" | head -4 | awk '{ printf "    %-50s %7.2f s\n", $1, $2 }' >&2
}

# reset_app APP: a fresh app in UTC, partitioned by $PARTITIONS
reset_app() {
    bench_psql -q <<SQL
SET client_min_messages = warning;
SELECT clickstream.drop_app('$1') FROM clickstream.apps WHERE app_id = '$1' \g /dev/null
SELECT clickstream.create_app('$1', 'bench', 'UTC', '$PARTITIONS') \g /dev/null
SQL
}

main() {
    local app
    mkdir -p "$BENCH_DIR/tmp"
    give_to_run_user "$BENCH_DIR/tmp"
    model_data_generate "$EVENTS" "$DAYS" "$FILES" "$SEED"

    if ! has_proc clickstream refresh_app; then
        echo "SKIP: clickstream.refresh_app is not in the installed extension: nothing to measure"
        return 0
    fi

    # --- history ---------------------------------------------------------------------------
    reset_app "$APP30"
    reset_app "$APP3"
    log "loading days 1-30 into $APP30 and days 28-30 into $APP3"
    local t0
    t0=$(now_ms)
    load_days "$APP30" $(seq 1 30)
    echo "setup_load_30_days $(awk -v ms=$(( $(now_ms) - t0 )) 'BEGIN { print ms / 1000 }') 0" >>"$BENCH_RESULTS"
    load_days "$APP3" 28 29 30
    bench_psql -q -c "VACUUM ANALYZE" -c "CHECKPOINT"
    local n30 n3
    n30=$(bench_count "$APP30.event_v2")
    n3=$(bench_count "$APP3.event_v2")
    log "events: $APP30 $n30, $APP3 $n3"

    # the history's views (base table and MVs), untimed in the target
    for app in "$APP30" "$APP3"; do
        bench_load "setup_views_history_$app" \
            "CALL clickstream.refresh_app('$app', refresh_end_time => '$DAY31 00:00:00+00', refresh_start_time => '$MODEL_START 00:00:00+00', mode => 'no_report')"
    done

    # --- metadata scan ---------------------------------------------------------------------
    if has_proc clickstream scan_metadata; then
        bench_load scan_metadata_30_days "SELECT clickstream.scan_metadata('$APP30')"
    elif has_proc "$APP30" sp_scan_metadata; then
        bench_load scan_metadata_30_days "CALL $APP30.sp_scan_metadata(20, '$DAY31 00:00:00', NULL)"
    else
        echo "SKIP: no metadata scan in the installed extension (clickstream.scan_metadata, <app>.sp_scan_metadata)"
    fi

    # --- one new day -------------------------------------------------------------------------
    for app in "$APP30" "$APP3"; do
        t0=$(now_ms)
        load_days "$app" 31
        echo "load_day31_$app $(awk -v ms=$(( $(now_ms) - t0 )) 'BEGIN { print ms / 1000 }') 0" >>"$BENCH_RESULTS"
        bench_psql -q -c "ANALYZE $app.event_v2" -c "CHECKPOINT"
        local mark
        mark=$(bench_psql -At -c "SELECT coalesce(max(id), 0) FROM $app.clickstream_log_v2")
        bench_load "refresh_day31_$app" \
            "CALL clickstream.refresh_app('$app', day => '$DAY31', refresh_start_time => '$DAY31 00:00:00+00')"
        # the refresh's log: each unit commits on its own and logs at the start of its
        # transaction, so the gap to the next line is roughly that unit's time
        log "$app: the refresh's log (seconds to the next line)"
        bench_psql -At -F ' | ' -c "SELECT round(extract(epoch FROM lead(log_date) OVER (ORDER BY id) - log_date)::numeric, 2), log_name, log_msg
                                       FROM $app.clickstream_log_v2 WHERE id > $mark ORDER BY id" | sed 's/^/    /' >&2
    done
    for app in "$APP30" "$APP3"; do summaries_breakdown "$app"; done
    bench_psql -c "SELECT '$APP30' AS app, count(*) AS day31_events_in_base_table FROM $APP30.clickstream_event_base_view WHERE event_timestamp >= '$DAY31'
                   UNION ALL SELECT '$APP3', count(*) FROM $APP3.clickstream_event_base_view WHERE event_timestamp >= '$DAY31'" || true

    # --- reference: native COPY of day 31's events -----------------------------------------
    local copyfile=$BENCH_DIR/tmp/model-day31.copy rows31
    bench_psql -q -c "COPY (SELECT * FROM $APP30.event_v2 WHERE event_timestamp >= '$DAY31' AND event_timestamp < '$DAY32') TO '$copyfile'" \
        -c "DROP TABLE IF EXISTS bench_model_plain" -c "CREATE TABLE bench_model_plain (LIKE $APP30.event_v2)" -c "CHECKPOINT"
    bench_load native_copy_day31 "COPY bench_model_plain FROM '$copyfile'"
    rows31=$(bench_count bench_model_plain)
    bench_psql -q -c "DROP TABLE bench_model_plain"
    rm -f "$copyfile"

    # --- report --------------------------------------------------------------------------------
    awk -v rows="$rows31" -v n30="$n30" -v n3="$n3" '
        { t[$1] = $2 }
        END {
            printf "\n  day 31: %d events; history: 30 days (%d events) vs 3 days (%d events)\n\n", rows, n30, n3
            line("native COPY of day 31 events (reference)", "native_copy_day31")
            line("load day 31, 30-day app (load_manifest x3)", "load_day31_bench_model30")
            line("load day 31, 3-day app", "load_day31_bench_model3")
            line("setup: load days 1-30", "setup_load_30_days")
            line("setup: views of the history, 30-day app", "setup_views_history_bench_model30")
            line("setup: views of the history, 3-day app", "setup_views_history_bench_model3")
            line("full metadata scan, 30 days", "scan_metadata_30_days")
            line("refresh_app day 31, 30 days of history", "refresh_day31_bench_model30")
            line("refresh_app day 31, 3 days of history", "refresh_day31_bench_model3")
            line("  of which 16 summaries (rerun), 30 days", "summary_bench_model30")
            line("  of which 16 summaries (rerun), 3 days", "summary_bench_model3")
            if (("refresh_day31_bench_model30" in t) && ("refresh_day31_bench_model3" in t) && t["refresh_day31_bench_model3"] > 0)
                printf "\n  ratio refresh 30-day / 3-day history: %.2fx (target <= 1.5)\n", t["refresh_day31_bench_model30"] / t["refresh_day31_bench_model3"]
            if (("refresh_day31_bench_model30" in t) && ("native_copy_day31" in t))
                printf "  refresh of day 31 / native COPY of its events: %.1fx\n", t["refresh_day31_bench_model30"] / t["native_copy_day31"]
            print ""
        }
        function line(label, key) {
            if (key in t) printf "  %-48s %9.2f s\n", label, t[key]
            else printf "  %-48s %9s\n", label, "SKIP"
        }' "$BENCH_RESULTS"
}

main "$@"
