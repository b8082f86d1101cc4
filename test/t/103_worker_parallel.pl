# Copyright (c) 2026, pg_clickstream developers
#
# Two loader workers (clickstream.workers = 2) load the same queue at the same time: both
# work, no file is loaded twice, and the row counts are exact.
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
$node->safe_psql('postgres',
	'SELECT count(*) FROM (SELECT clickstream.enqueue(u) FROM unnest(ARRAY['
	  . join(',', map {"'$_'"} @urls) . ']) u) q');

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

$node->stop;
done_testing();
