# Copyright (c) 2026, pg_clickstream developers
#
# The loader worker end to end against a real S3 server: three apps x four tables found by a
# polled source and loaded with the merge rules; re-delivered files; the latency from
# enqueue() to visible rows; a poison file among good ones, its retries, then FAILED; the
# worker surviving all of it, visible in pg_stat_activity, rereading settings on SIGHUP.
use strict;
use warnings;

use FindBin;
use lib "$FindBin::RealBin/../gen/perl";
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(time);
use ClickstreamTap;

s3_setup();
my $bucket = "tap-worker-load-$$";    # unique: a reused S3 server keeps objects
s3('s3_mkbucket', $bucket);
my $prefix = 'proj/';

my $node = worker_node('worker_load');
my @apps = qw(alpha beta gamma);
$node->safe_psql('postgres', "SELECT clickstream.create_app('$_', 'proj')") for @apps;

# Per app, two files per table whose keys overlap, so the merge has duplicates to collapse:
# events e1..e50 and e41..e90; items i1..i30 and i21..i40; sessions s1..s20 'Direct' and
# s11..s30 'google'; users u1..u20 and u11..u25.
for my $app (@apps)
{
	s3_put_lines($bucket, ods_key($prefix, 'event_v2', $app, 1, 'part-1.jsonl'),
		[ map { event_line($app, $_, 'first') } 1 .. 50 ]);
	s3_put_lines($bucket, ods_key($prefix, 'event_v2', $app, 1, 'part-2.jsonl'),
		[ map { event_line($app, $_, 'second') } 41 .. 90 ]);
	s3_put_lines($bucket, ods_key($prefix, 'item_v2', $app, 1, 'part-1.jsonl'),
		[ map { item_line($_, 1) } 1 .. 30 ]);
	s3_put_lines($bucket, ods_key($prefix, 'item_v2', $app, 1, 'part-2.jsonl'),
		[ map { item_line($_, 2) } 21 .. 40 ]);
	s3_put_lines($bucket, ods_key($prefix, 'session', $app, 1, 'part-1.jsonl'),
		[ map { session_line($_, 'Direct') } 1 .. 20 ]);
	s3_put_lines($bucket, ods_key($prefix, 'session', $app, 1, 'part-2.jsonl'),
		[ map { session_line($_, 'google') } 11 .. 30 ]);
	s3_put_lines($bucket, ods_key($prefix, 'user_v2', $app, 1, 'part-1.jsonl'),
		[ map { user_line($_, "first$_") } 1 .. 20 ]);
	s3_put_lines($bucket, ods_key($prefix, 'user_v2', $app, 1, 'part-2.jsonl'),
		[ map { user_line($_, "second$_") } 11 .. 25 ]);
}
# not data: never queued
s3_put_lines($bucket, "${prefix}event_v2/partition_app=alpha/_SUCCESS", ['']);

like(
	$node->safe_psql('postgres',
		"SELECT backend_type || ' ' || application_name FROM pg_stat_activity WHERE backend_type = 'pg_clickstream loader'"),
	qr/^pg_clickstream loader pg_clickstream loader 0$/,
	'the worker shows in pg_stat_activity');
my $worker_pid = $node->safe_psql('postgres',
	"SELECT pid FROM pg_stat_activity WHERE backend_type = 'pg_clickstream loader'");

$node->safe_psql('postgres',
	"SELECT clickstream.add_source('s3://$bucket/$prefix', 'proj', '1 hour')");
ok( $node->poll_query_until('postgres',
		"SELECT count(*) = 24 FROM clickstream.load_queue WHERE status = 'LOADED'"),
	'the source is polled at once and its 24 files are loaded');

is( $node->safe_psql('postgres',
		join(' UNION ALL ',
			map {
				"SELECT '$_', (SELECT count(*) FROM $_.event_v2), (SELECT count(*) FROM $_.item_v2),
				        (SELECT count(*) FROM $_.session), (SELECT count(*) FROM $_.user_v2)"
			} @apps)),
	"alpha|90|40|30|25\nbeta|90|40|30|25\ngamma|90|40|30|25",
	'exact row counts per app and table after the merges');
is( $node->safe_psql('postgres',
		"SELECT count(*) FILTER (WHERE event_name = 'second' AND event_id IN ('e41', 'e50')),
		        (SELECT string_agg(DISTINCT session_source, ',') FROM beta.session WHERE session_id IN ('s11', 's20')),
		        (SELECT count(*) FROM beta.session WHERE session_source = 'Direct'),
		        (SELECT user_id FROM gamma.user_v2 WHERE user_pseudo_id = 'u15'),
		        (SELECT device_ua ->> 'string' FROM alpha.event_v2 WHERE event_id = 'e1')
		   FROM alpha.event_v2"),
	'2|google|10|second15|tap',
	'merge rules across the files of a batch (last load wins, session attribution)');
is( $node->safe_psql('postgres',
		"SELECT sum(rows_loaded), count(DISTINCT batch_id) FROM clickstream.load_queue"),
	'675|12',
	'one batch per app and table, every file with its row count');

# re-delivery: the same object again changes nothing; a rewritten one is loaded again
is($node->safe_psql('postgres', "SELECT clickstream.discover('s3://$bucket/$prefix')"),
	'0', 'nothing new: nothing queued');
s3_put_lines($bucket, ods_key($prefix, 'event_v2', 'alpha', 1, 'part-1.jsonl'),
	[ map { event_line('alpha', $_, 'first') } 1 .. 50 ]);
is($node->safe_psql('postgres', "SELECT clickstream.discover('s3://$bucket/$prefix')"),
	'0', 'the same bytes re-delivered (same etag): ignored');
s3_put_lines($bucket, ods_key($prefix, 'event_v2', 'alpha', 1, 'part-1.jsonl'),
	[ map { event_line('alpha', $_, 'rewritten') } 1 .. 50 ]);
is($node->safe_psql('postgres', "SELECT clickstream.discover('s3://$bucket/$prefix')"),
	'1', 'a rewritten object (new etag) is queued again');
ok( $node->poll_query_until('postgres',
		"SELECT count(*) = 24 FROM clickstream.load_queue WHERE status = 'LOADED'"),
	'and loaded again');
is( $node->safe_psql('postgres',
		"SELECT count(*), count(*) FILTER (WHERE event_name = 'rewritten') FROM alpha.event_v2"),
	'90|50', 'reloading replaced its rows and duplicated none');

# latency: enqueue() wakes the worker at commit
my $url = s3_put_lines($bucket, ods_key($prefix, 'event_v2', 'beta', 2, 'small.jsonl'),
	[ map { event_line('beta', $_, 'small', 2) } 1001 .. 1010 ]);
my $t0 = time();
$node->safe_psql('postgres', "SELECT clickstream.enqueue('$url')");
ok( $node->poll_query_until('postgres',
		"SELECT count(*) = 10 FROM beta.event_v2 WHERE event_name = 'small'"),
	'a small enqueued file becomes visible');
my $latency = time() - $t0;
cmp_ok($latency, '<', 2, 'within 2 seconds of enqueue()');
diag(sprintf('enqueue to visible rows: %.0f ms', $latency * 1000));

# a poison file among good ones: the good ones load now, the poison one is retried with
# backoff and then FAILED; the worker stays up
$node->safe_psql('postgres',
	"ALTER SYSTEM SET clickstream.retry_delay = '1s';
	 ALTER SYSTEM SET clickstream.max_attempts = 3;
	 SELECT pg_reload_conf();");
my @urls;
for my $i (1 .. 5)
{
	my $lines =
	  $i == 3
	  ? [ user_line(500, 'ok'), '{"user_pseudo_id": "u501", "user_id": "no timestamp"}' ]
	  : [ user_line(500 + 10 * $i, "good$i") ];
	push @urls, s3_put_lines($bucket, ods_key($prefix, 'user_v2', 'gamma', 2, "p$i.jsonl"), $lines);
}
enqueue_all($node, @urls);
ok( $node->poll_query_until('postgres',
		"SELECT status = 'FAILED' FROM clickstream.load_queue WHERE url LIKE '%gamma%p3.jsonl'"),
	'the poison file ends FAILED');
is( $node->safe_psql('postgres',
		"SELECT regexp_replace(url, '^.*/', ''), status, attempts, last_error LIKE '%event_timestamp%line 2%'
		   FROM clickstream.load_queue WHERE url LIKE '%gamma%/p_.jsonl' ORDER BY url"),
	"p1.jsonl|LOADED|0|\np2.jsonl|LOADED|0|\np3.jsonl|FAILED|3|t\np4.jsonl|LOADED|0|\np5.jsonl|LOADED|0|",
	'the good files of its batch loaded; the poison file failed 3 times with a useful error');
is( $node->safe_psql('postgres',
		"SELECT string_agg(status || ':' || files, ',' ORDER BY batch_id) FROM clickstream.load_batches
		  WHERE urls && ARRAY['$urls[2]']"),
	'FAILED:5,FAILED:1,FAILED:1,FAILED:1',
	'history: the whole batch failed, then the file alone, twice more after backoff');
is($node->safe_psql('postgres', "SELECT count(*) FROM gamma.user_v2 WHERE user_pseudo_id IN ('u500', 'u501')"),
	'0', 'nothing of the poison file was merged');
is( $node->safe_psql('postgres',
		"SELECT pid FROM pg_stat_activity WHERE backend_type = 'pg_clickstream loader'"),
	$worker_pid, 'the worker never restarted');

# retry_failed puts it back; still broken, so it fails again
$node->safe_psql('postgres', "SELECT clickstream.retry_failed(url_pattern => '%p3.jsonl')");
ok( $node->poll_query_until('postgres',
		"SELECT status = 'FAILED' AND attempts = 3 FROM clickstream.load_queue WHERE url LIKE '%gamma%p3.jsonl'"),
	'retry_failed: three more attempts, then FAILED again');

is( $node->safe_psql('postgres',
		"SELECT sum(new_files + retrying_files + in_progress_files), sum(failed_files), sum(loaded_files)
		   FROM clickstream.load_status"),
	'0|1|29', 'load_status: nothing waiting, one failed, 29 loaded');

$node->stop;
done_testing();
