#!/usr/bin/env bash
# test/integration/model_views_memory.sh: the reporting views' refresh keeps its memory when
# many users changed over many daily partitions.
#
# The refresh looks up the days where changed users were active.  It used to pass the users
# as an array (user_pseudo_id = ANY (v_changed)), and the planner estimated that array's
# selectivity element by element for each partition of the base table: 115,000 users over
# 30 daily partitions took 1.2 GB in the model benchmark.  Here 30,000 users, each with one
# event on one of 20 days, all change their user id; the second refresh's backend must stay
# under 100 MB above idle (it grew by some 200 MB before the fix), and find all 20 days.
#
# Environment as for s3_objstore.sh: PG* for a superuser session on a server with the
# extension.  Exits non-zero after "FAIL: ..." lines.
set -euo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"
. "$TOP/test/lib/s3.sh"
BUCKET=${S3_BUCKET:-it-model-views-memory}
. "$TOP/test/lib/itest.sh"

USERS=30000
DAYS=20
LIMIT_MB=100

q "SELECT clickstream.create_app('memv')" >/dev/null
q "INSERT INTO memv.user_v2 (event_timestamp, user_pseudo_id, first_touch_time_msec, first_visit_date)
   SELECT timestamp '2024-03-01' + (i % $DAYS) * interval '1 day', 'u' || i,
          extract(epoch FROM timestamp '2024-03-01' + (i % $DAYS) * interval '1 day')::bigint * 1000,
          date '2024-03-01' + i % $DAYS
     FROM generate_series(1, $USERS) i"
q "SELECT clickstream._ensure_partitions('memv.event_v2', array_agg(d))
     FROM generate_series(timestamp '2024-03-01', timestamp '2024-03-01' + ($DAYS - 1) * interval '1 day', interval '1 day') d" >/dev/null
q "INSERT INTO memv.event_v2 (event_timestamp, event_id, event_time_msec, event_name, project_id, app_id,
                             user_pseudo_id, session_id, platform)
   SELECT timestamp '2024-03-01' + (i % $DAYS) * interval '1 day' + interval '1 hour', 'e' || i, 0,
          '_page_view', 'p', 'memv', 'u' || i, 's' || i, 'Web'
     FROM generate_series(1, $USERS) i"
q "CALL clickstream.refresh_app('memv', refresh_end_time => '2024-03-21 00:00:00+00',
                                refresh_start_time => '2024-03-01 00:00:00+00', mode => 'no_report')" >/dev/null
expect_eq "base table partitions" \
    "$(q "SELECT count(*) FROM pg_inherits WHERE inhparent = 'memv.clickstream_event_base_view'::regclass")" "$DAYS"

# every user gets a user id: all are changed users for the next refresh
q "UPDATE memv.user_v2 SET user_id = 'id-' || user_pseudo_id, created_time = clock_timestamp() AT TIME ZONE 'UTC'"

pidfile=$TMP/backend.pid
rm -f "$pidfile"
psql -X -v ON_ERROR_STOP=1 -qAt >"$TMP/refresh.out" 2>&1 <<SQL &
SELECT pg_backend_pid() \g $pidfile
SELECT pg_sleep(0.3);
CALL clickstream.refresh_app('memv', refresh_end_time => '2024-03-21 00:00:00+00',
                             refresh_start_time => '2024-03-20 00:00:00+00', mode => 'no_report');
SQL
psql_pid=$!
for ((i = 0; i < 100; i++)); do [ -s "$pidfile" ] && break; sleep 0.1; done
pid=$(tr -dc 0-9 <"$pidfile")
idle=$(rss_anon_kb "$pid")
peak=$idle
# sample until the refresh ends (bounded: 5 minutes at 20 samples/s)
for ((i = 0; i < 6000; i++)); do
    kill -0 "$psql_pid" 2>/dev/null || break
    cur=$(rss_anon_kb "$pid")
    [ -n "$cur" ] && [ "$cur" -gt "$peak" ] && peak=$cur
    sleep 0.05
done
if wait "$psql_pid"; then pass "second refresh ran"; else fail "second refresh: $(cat "$TMP/refresh.out")"; fi
grown=$(((peak - idle) / 1024))
log "refresh with $USERS changed users over $DAYS daily partitions: backend grew by $grown MB"
if [ "$grown" -lt "$LIMIT_MB" ]; then
    pass "memory of the views refresh: +$grown MB (< $LIMIT_MB MB)"
else
    fail "memory of the views refresh: +$grown MB (limit $LIMIT_MB MB)"
fi
expect_match "the refresh saw every changed user and day" \
    "$(q "SELECT log_msg FROM memv.clickstream_log_v2 WHERE log_name = 'clickstream_reporting_views' ORDER BY id DESC LIMIT 1")" \
    "^refreshed $DAYS days, [0-9]+ weeks, $USERS changed users$"
expect_eq "the users' new ids reached the hourly view" \
    "$(q "SELECT count(DISTINCT active_users) FILTER (WHERE active_users LIKE 'id-%') FROM memv.clickstream_acquisition_intra_day_user_mv")" \
    "$USERS"

exit "$FAILED"
