# Copyright (c) 2026, pg_clickstream developers
#
# The modeler worker (src/worker/modeler.c, docs/model-refresh.md): after the loader has
# loaded an app's files, it refreshes the app (base table, views, the sixteen daily
# summaries) and records refresh_mv_sp_status; it runs the daily retention from
# clickstream.retention_hour; a failing modeling step is logged and never stops loading;
# SIGHUP rereads clickstream.refresh_interval; with clickstream.modeler_max_tasks = 2 the
# tasks of two apps run at the same time.  Files are local JSON lines queued with
# enqueue(), so no object store is needed.
use strict;
use warnings;

use FindBin;
use lib "$FindBin::RealBin/../gen/perl";
use File::Path qw(make_path);
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use ClickstreamTap qw(event_line ods_key worker_node);

# the daily retention is due at once
my $node = worker_node('worker_refresh', 'clickstream.retention_hour = 0');
$node->safe_psql('postgres', "SELECT clickstream.create_app('tapr', 'proj', 'UTC');");

my $dir = PostgreSQL::Test::Utils::tempdir();

# put_app_events APP DAY FILE N..M: a JSON-lines event file of APP, queued; returns its URL
sub put_app_events
{
	my ($app, $day, $file, @ids) = @_;
	my $path = "$dir/" . ods_key('', 'event_v2', $app, $day, $file);
	(my $parent = $path) =~ s{/[^/]+$}{};
	make_path($parent);
	open my $fh, '>', $path or die "cannot write $path: $!";
	print $fh join("\n", map { event_line($app, $_, 'view', $day) } @ids), "\n";
	close $fh;
	$node->safe_psql('postgres', "SELECT clickstream.enqueue('file://$path')");
	return "file://$path";
}

# put_events DAY FILE N..M: the same for app tapr
sub put_events { return put_app_events('tapr', @_); }

# (task workers, "pg_clickstream modeler task", come and go: the retention is due already)
is( $node->safe_psql('postgres',
		"SELECT string_agg(backend_type || ' ' || application_name, ',' ORDER BY backend_type)
		   FROM pg_stat_activity WHERE backend_type IN ('pg_clickstream loader', 'pg_clickstream modeler')"),
	'pg_clickstream loader pg_clickstream loader 0,pg_clickstream modeler pg_clickstream modeler',
	'the modeler runs beside the loader, visible in pg_stat_activity');
my $modeler_pid = $node->safe_psql('postgres',
	"SELECT pid FROM pg_stat_activity WHERE backend_type = 'pg_clickstream modeler'");

# 1. a load, then the refresh: the watermark is the newest event (2024-03-01 10:00 UTC), so
#    the report day is the day before, 2024-02-29, recorded as WORK_FLOW
put_events(1, 'part-1.jsonl', 1 .. 20);
ok( $node->poll_query_until('postgres',
		"SELECT count(*) = 20 FROM tapr.event_v2"),
	'the loader loads the file');
ok( $node->poll_query_until('postgres',
		"SELECT count(*) = 1 FROM tapr.refresh_mv_sp_status
		  WHERE refresh_name = 'clickstream_device_user_device_sp' AND refresh_type = 'SP'
		    AND refresh_date = '2024-02-29' AND triggerred_by = 'WORK_FLOW'"),
	'the modeler refreshes the app after the load and records refresh_mv_sp_status');
is( $node->safe_psql('postgres',
		"SELECT refresh_status, refresh_date, watermark, refresh_triggered_at IS NOT NULL
		   FROM clickstream.model_state WHERE app_id = 'tapr'"),
	'succeeded|2024-02-29|2024-03-01 10:00:00|t',
	'model_state shows the refresh and the ETL watermark');
is( $node->safe_psql('postgres',
		"SELECT count(*) FROM tapr.clickstream_log_v2 WHERE log_name = 'refresh_app' AND log_level = 'info'"),
	'1', 'the refresh is logged in the app log');
ok( $node->poll_query_until('postgres',
		"SELECT retention_status = 'succeeded' FROM clickstream.model_state WHERE app_id = 'tapr'"),
	'the daily retention ran (clickstream.retention_hour = 0)');
is( $node->safe_psql('postgres',
		"SELECT retention_on = (now() AT TIME ZONE 'UTC')::date, retention_detail, (SELECT count(*) FROM tapr.event_v2)
		   FROM clickstream.model_state WHERE app_id = 'tapr'"),
	't|365 days|20', 'once today, with the default 365 days, keeping every event');

# 2. no new load, or the interval not reached: no new refresh
is( $node->safe_psql('postgres',
		"SELECT count(*) FROM clickstream.model_tasks_due() WHERE app_id = 'tapr' AND task <> 'scan'"),
	'0', 'nothing is due after the refresh and the retention');
SKIP:
{
	skip 'the metadata scan is not installed', 1
	  unless $node->safe_psql('postgres',
		"SELECT to_regprocedure('clickstream.scan_metadata_due(text)') IS NOT NULL") eq 't';
	ok( $node->poll_query_until('postgres',
			"SELECT scan_status = 'succeeded' AND scan_detail = 'SUCCEED' FROM clickstream.model_state
			  WHERE app_id = 'tapr'"),
		'the modeler runs the metadata scan when it is due');
}

# 3. a failing summary procedure: the refresh fails and says so (app log, model_state,
#    server log), the loader goes on loading, and the modeler stays up
$node->safe_psql('postgres',
	"ALTER PROCEDURE tapr.clickstream_engagement_kpi_sp RENAME TO kpi_sp_saved;
	 CREATE PROCEDURE tapr.clickstream_engagement_kpi_sp(day date, tz text, ndays integer)
	 LANGUAGE plpgsql AS \$\$ BEGIN RAISE EXCEPTION 'kpi went wrong'; END \$\$;");
my $log_offset = -s $node->logfile;
put_events(2, 'part-2.jsonl', 21 .. 30);
ok($node->poll_query_until('postgres', "SELECT count(*) = 30 FROM tapr.event_v2"),
	'the next file is loaded');
# as if the interval had passed since the first refresh
$node->safe_psql('postgres',
	"UPDATE clickstream.model_state SET refresh_triggered_at = now() - interval '3 hours'
	  WHERE app_id = 'tapr'");
ok( $node->poll_query_until('postgres',
		"SELECT refresh_status = 'failed' FROM clickstream.model_state WHERE app_id = 'tapr'"),
	'the refresh after the next load fails');
is( $node->safe_psql('postgres',
		"SELECT refresh_detail, (SELECT count(*) FROM tapr.refresh_mv_sp_status)
		   FROM clickstream.model_state WHERE app_id = 'tapr'"),
	'clickstream_engagement_kpi_sp: kpi went wrong|1',
	'model_state names the failing procedure; no status row is written');
ok( $node->poll_query_until('postgres',
		"SELECT count(*) = 2 FROM tapr.clickstream_log_v2
		  WHERE log_level = 'error' AND log_msg LIKE '%kpi went wrong%'"),
	'the error is in the app log, from the refresh and from the modeler');
ok( $node->wait_for_log(qr/refresh of app "tapr" failed in clickstream_engagement_kpi_sp: kpi went wrong/,
		$log_offset),
	'and in the server log');
put_events(3, 'part-3.jsonl', 31 .. 35);
ok( $node->poll_query_until('postgres', "SELECT count(*) = 35 FROM tapr.event_v2"),
	'loading goes on after the failed refresh');
is( $node->safe_psql('postgres',
		"SELECT pid FROM pg_stat_activity WHERE backend_type = 'pg_clickstream modeler'"),
	$modeler_pid, 'the modeler survived the failure');

# 4. SIGHUP: a shorter interval makes the refresh due again; with the procedure repaired it
#    succeeds for the new report day (watermark 2024-03-03 10:00, day 2024-03-02)
$node->safe_psql('postgres',
	"DROP PROCEDURE tapr.clickstream_engagement_kpi_sp;
	 ALTER PROCEDURE tapr.kpi_sp_saved RENAME TO clickstream_engagement_kpi_sp;
	 UPDATE clickstream.model_state SET refresh_triggered_at = now() - interval '10 minutes'
	  WHERE app_id = 'tapr';");
put_events(3, 'part-4.jsonl', 36 .. 40);
ok($node->poll_query_until('postgres', "SELECT count(*) = 40 FROM tapr.event_v2"),
	'one more file loaded');
is( $node->safe_psql('postgres',
		"SELECT count(*) FROM clickstream.model_tasks_due() WHERE app_id = 'tapr' AND task = 'refresh'"),
	'0', 'the default interval (120 min) is not reached after 10 minutes');
$node->safe_psql('postgres',
	"ALTER SYSTEM SET clickstream.refresh_interval = '6min'; SELECT pg_reload_conf();");
ok( $node->poll_query_until('postgres',
		"SELECT count(*) = 1 FROM tapr.refresh_mv_sp_status WHERE refresh_date = '2024-03-02'"),
	'after SIGHUP with refresh_interval = 6min the modeler refreshes again');
is( $node->safe_psql('postgres',
		"SELECT refresh_status FROM clickstream.model_state WHERE app_id = 'tapr'"),
	'succeeded', 'and the refresh succeeds');

# 5. clickstream.modeler = off: no modeler; run_model_cycle() does the same by hand
$node->append_conf('postgresql.conf', "clickstream.modeler = off\n");
$node->restart;
is( $node->safe_psql('postgres',
		"SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'pg_clickstream modeler'"),
	'0', 'clickstream.modeler = off starts no modeler');
$node->safe_psql('postgres',
	"UPDATE clickstream.model_state SET refresh_triggered_at = now() - interval '1 day', retention_on = NULL
	  WHERE app_id = 'tapr';
	 DELETE FROM tapr.refresh_mv_sp_status;");
put_events(4, 'part-5.jsonl', 41 .. 42);
ok($node->poll_query_until('postgres', "SELECT count(*) = 42 FROM tapr.event_v2"),
	'the loader still loads');
is( $node->safe_psql('postgres',
		"SELECT string_agg(task, ',') FROM clickstream.model_tasks_due() WHERE app_id = 'tapr' AND task <> 'scan'"),
	'refresh,retention', 'a refresh and the retention are due');
$node->safe_psql('postgres', 'CALL clickstream.run_model_cycle()');
is( $node->safe_psql('postgres',
		"SELECT string_agg(refresh_date::text || ' ' || triggerred_by, ',') FROM tapr.refresh_mv_sp_status"),
	'2024-03-03 WORK_FLOW', 'run_model_cycle() runs them in the session');

# 6. one refresh of an app at a time: while another session holds the app's refresh lock,
#    refresh_app does nothing and says so (spec 7.2 step 1)
my $holder = $node->background_psql('postgres');
$holder->query_safe(
	"SELECT pg_advisory_lock(hashtext('clickstream.refresh'), hashtext('tapr'))");
is( $node->safe_psql('postgres',
		"CALL clickstream.refresh_app('tapr', '2024-03-01')"),
	'skipped: another refresh of this app is running|2024-03-01|0',
	'a refresh while another runs is skipped');
$holder->quit;
is( $node->safe_psql('postgres',
		"CALL clickstream.refresh_app('tapr', '2024-03-01')"),
	'done|2024-03-01|18', 'and runs once the other has ended');

# 7. retention while a load holds event_v2: the expired partition cannot be dropped within
#    the 5 s lock timeout, so its rows are deleted instead; once free, it is dropped
$node->safe_psql('postgres',
	"SELECT clickstream._ensure_partitions('tapr.event_v2', ARRAY['2023-01-15']::timestamp[]);
	 INSERT INTO tapr.event_v2 (event_timestamp, event_id, event_time_msec, event_name, project_id, app_id, user_pseudo_id)
	 VALUES ('2023-01-15', 'old', 0, 'x', 'proj', 'tapr', 'u1');");
$holder = $node->background_psql('postgres');
$holder->query_safe('BEGIN; LOCK TABLE tapr.event_v2 IN ROW EXCLUSIVE MODE;');
$node->safe_psql('postgres', "CALL tapr.sp_clear_expired_data(30, '')");
is( $node->safe_psql('postgres',
		"SELECT (SELECT count(*) FROM tapr.event_v2_p20230115), to_regclass('tapr.event_v2_p20230115') IS NOT NULL"),
	'0|t', 'a locked parent: the expired partition is emptied, not dropped');
$holder->query_safe('COMMIT;');
$holder->quit;
$node->safe_psql('postgres', "CALL tapr.sp_clear_expired_data(30, '')");
is( $node->safe_psql('postgres',
		"SELECT to_regclass('tapr.event_v2_p20230115') IS NULL, count(*) FROM tapr.event_v2"),
	't|42', 'then it is dropped, and the recent events stay');

# 8. clickstream.modeler_max_tasks = 2: the refreshes of two apps run at the same time (each
#    takes over 3 s: a summary procedure sleeps), where one at a time they would follow
#    each other
#    (loaded with the modeler still off, so that both refreshes are due in its first cycle)
for my $app ('tapa', 'tapb')
{
	$node->safe_psql('postgres',
		"SELECT clickstream.create_app('$app', 'proj', 'UTC');
		 DROP PROCEDURE $app.clickstream_engagement_kpi_sp;
		 CREATE PROCEDURE $app.clickstream_engagement_kpi_sp(day date, tz varchar, ndays integer)
		 LANGUAGE plpgsql AS \$\$ BEGIN PERFORM pg_sleep(3); END \$\$;");
	put_app_events($app, 1, 'part-1.jsonl', 1 .. 5);
}
ok( $node->poll_query_until('postgres',
		"SELECT (SELECT count(*) FROM tapa.event_v2) + (SELECT count(*) FROM tapb.event_v2) = 10"),
	'two more apps loaded');
$node->append_conf('postgresql.conf', "clickstream.modeler = on\nclickstream.modeler_max_tasks = 2\n");
$node->restart;
ok( $node->poll_query_until('postgres',
		"SELECT count(*) = 2 FROM clickstream.model_state
		  WHERE app_id IN ('tapa', 'tapb') AND refresh_status = 'succeeded'"),
	'with modeler_max_tasks = 2 both apps are refreshed');
is( $node->safe_psql('postgres',
		"SELECT max(refresh_started_at) < min(refresh_finished_at),
		        min(refresh_finished_at - refresh_started_at) > interval '3 seconds'
		   FROM clickstream.model_state WHERE app_id IN ('tapa', 'tapb')"),
	't|t', 'and their refreshes overlapped in time');

$node->stop;
done_testing();
