# Copyright (c) 2026, pg_clickstream developers
#
# Two loader workers (clickstream.workers = 2) load the same queue at the same time: both
# work, no file is loaded twice, and the row counts are exact.  Then, with
# clickstream.concurrent_table_batches on, both load batches of one app's event_v2 at once,
# with keys shared between neighbouring files: still exact, nothing failed.
use strict;
use warnings;

use FindBin;
use lib "$FindBin::RealBin/../gen/perl";
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use ClickstreamTap;

s3_setup();
my $bucket = "tap-worker-parallel-$$";    # unique: a reused S3 server keeps objects
s3('s3_mkbucket', $bucket);

my $node = worker_node('worker_parallel', 'clickstream.workers = 2',
	'clickstream.batch_max_files = 1');
is( $node->safe_psql('postgres',
		"SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'pg_clickstream loader'"),
	'2', 'two workers run');

my @apps = qw(north south);
my @urls;
for my $app (@apps)
{
	$node->safe_psql('postgres', "SELECT clickstream.create_app('$app')");
	for my $f (1 .. 5)
	{
		my @n = map { $f * 1000 + $_ } 1 .. 200;
		push @urls, s3_put_lines($bucket, ods_key('p/', 'event_v2', $app, $f, "e$f.jsonl"),
			[ map { event_line($app, $_, 'ev', $f) } @n ]);
		push @urls, s3_put_lines($bucket, ods_key('p/', 'item_v2', $app, $f, "i$f.jsonl"),
			[ map { item_line($_, 1) } @n ]);
		push @urls, s3_put_lines($bucket, ods_key('p/', 'session', $app, $f, "s$f.jsonl"),
			[ map { session_line($_, 'Direct') } @n ]);
		push @urls, s3_put_lines($bucket, ods_key('p/', 'user_v2', $app, $f, "u$f.jsonl"),
			[ map { user_line($_, "user$_") } @n ]);
	}
}
# one transaction: both workers are woken when it commits
enqueue_all($node, @urls);

ok( $node->poll_query_until('postgres',
		"SELECT count(*) = 40 FROM clickstream.load_queue WHERE status = 'LOADED'"),
	'all 40 files loaded');
is( $node->safe_psql('postgres',
		"SELECT count(*), count(DISTINCT u), count(DISTINCT b.worker_pid)
		   FROM clickstream.load_batches b, unnest(b.urls) u WHERE b.status = 'LOADED'"),
	'40|40|2', 'each file in exactly one batch; both workers loaded some');
is( $node->safe_psql('postgres',
		join(' UNION ALL ',
			map {
				"SELECT (SELECT count(*) FROM $_.event_v2) || ',' || (SELECT count(*) FROM $_.item_v2)
				        || ',' || (SELECT count(*) FROM $_.session) || ',' || (SELECT count(*) FROM $_.user_v2)"
			} @apps)),
	"1000,1000,1000,1000\n1000,1000,1000,1000",
	'exact row counts');
is($node->safe_psql('postgres', "SELECT count(*) FROM clickstream.load_batches WHERE status = 'FAILED'"),
	'0', 'no batch failed (no conflicts between the workers)');

# concurrent batches of one table: ten event files of one app, each sharing its first 1,000
# keys with the file before (ascending order, so no two batches wait on each other)
$node->safe_psql('postgres',
	"ALTER SYSTEM SET clickstream.concurrent_table_batches = on; SELECT pg_reload_conf();");
$node->safe_psql('postgres', "SELECT clickstream.create_app('east')");
my @east;
for my $f (1 .. 10)
{
	push @east, s3_put_lines($bucket, ods_key('p/', 'event_v2', 'east', $f, "e$f.jsonl"),
		[ map { event_line('east', $_, "f$f", 1) } ($f * 2000 + 1) .. ($f * 2000 + 3000) ]);
}
enqueue_all($node, @east);
ok( $node->poll_query_until('postgres',
		"SELECT count(*) = 10 FROM clickstream.load_queue WHERE status = 'LOADED' AND app_id = 'east'"),
	'concurrent batches: all 10 files loaded');
is( $node->safe_psql('postgres',
		"SELECT count(*), count(DISTINCT event_id), min(substr(event_id, 2)::int), max(substr(event_id, 2)::int) FROM east.event_v2"),
	'21000|21000|2001|23000', 'concurrent batches: every key once (2,001 to 23,000)');
is( $node->safe_psql('postgres',
		"SELECT count(*), count(DISTINCT u) FROM clickstream.load_batches b, unnest(b.urls) u
		  WHERE b.status = 'LOADED' AND b.app_id = 'east'"),
	'10|10', 'concurrent batches: each file in exactly one batch');
is( $node->safe_psql('postgres',
		"SELECT EXISTS (SELECT FROM clickstream.load_batches a JOIN clickstream.load_batches b
		                  ON a.app_id = b.app_id AND a.worker_pid <> b.worker_pid
		                 AND a.started_at < b.finished_at AND b.started_at < a.finished_at
		                 WHERE a.app_id = 'east')"),
	't', 'concurrent batches: two batches of the table overlapped in time');
# of two neighbouring files the one committed later finds the other's keys and falls back:
# nine pairs, at most two per batch, so at least five fallbacks
is( $node->safe_psql('postgres',
		"SELECT count(*) FILTER (WHERE load_method = 'fallback') >= 5
		   FROM clickstream.load_batches WHERE app_id = 'east' AND status = 'LOADED'"),
	't', 'concurrent batches: the later of two overlapping batches upserted');
is($node->safe_psql('postgres', "SELECT count(*) FROM clickstream.load_batches WHERE status = 'FAILED'"),
	'0', 'concurrent batches: no batch failed');

$node->stop;
done_testing();
