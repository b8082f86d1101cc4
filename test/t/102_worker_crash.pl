# Copyright (c) 2026, pg_clickstream developers
#
# Crash safety of the loader worker: kill -9 of the worker, then of the postmaster, in the
# middle of loading a large file.  After the restart every file is loaded exactly once (exact
# row counts, one LOADED batch per file) and nothing is left in an in-progress status.
use strict;
use warnings;

use FindBin;
use lib "$FindBin::RealBin/../gen/perl";
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use ClickstreamTap;

s3_setup();
my $bucket = "tap-worker-crash-$$";    # unique: a reused S3 server keeps objects
s3('s3_mkbucket', $bucket);

my $node = worker_node('worker_crash');
$node->safe_psql('postgres', "SELECT clickstream.create_app('crash')");

my $rows = 150_000;

# big_file N: a file of $rows events with ids N*rows+1 ..; returns its URL
sub big_file
{
	my ($n) = @_;
	return s3_put_lines($bucket, ods_key('p/', 'event_v2', 'crash', 1, "big-$n.jsonl"),
		[ map { event_line('crash', $n * $rows + $_, "big$n") } 1 .. $rows ]);
}

# loading_pid: the worker once it has inserted rows of the current batch
sub wait_mid_load
{
	ok( $node->poll_query_until('postgres',
			"SELECT count(*) > 0 FROM pg_stat_progress_copy p JOIN pg_stat_activity a USING (pid)
			  WHERE a.backend_type = 'pg_clickstream loader' AND p.tuples_processed > 1000"),
		'the worker is in the middle of a load');
	return $node->safe_psql('postgres',
		"SELECT pid FROM pg_stat_activity WHERE backend_type = 'pg_clickstream loader'");
}

sub check_exact
{
	my ($files, $what) = @_;
	ok( $node->poll_query_until('postgres',
			"SELECT count(*) = $files FROM clickstream.load_queue WHERE status = 'LOADED'"),
		"$what: every file loaded after the restart");
	is( $node->safe_psql('postgres',
			"SELECT (SELECT count(*) FROM crash.event_v2),
			        (SELECT count(*) FROM clickstream.load_queue WHERE status IN ('ENQUEUE', 'PROCESSING')),
			        (SELECT count(*) FROM clickstream.load_batches b, unnest(b.urls) u WHERE b.status = 'LOADED'),
			        (SELECT count(DISTINCT u) FROM clickstream.load_batches b, unnest(b.urls) u WHERE b.status = 'LOADED')"),
		($files * $rows) . "|0|$files|$files",
		"$what: exact rows, nothing in progress, one LOADED batch per file");
}

# 1. kill -9 of the worker: the postmaster resets the cluster, the load is rolled back
my $url = big_file(1);
$node->safe_psql('postgres', "SELECT clickstream.enqueue('$url')");
my $pid = wait_mid_load();
kill 'KILL', $pid;
ok( $node->poll_query_until('postgres',
		"SELECT count(*) = 1 FROM pg_stat_activity WHERE backend_type = 'pg_clickstream loader' AND pid <> $pid"),
	'a new worker runs after the crash');
check_exact(1, 'kill -9 of the worker');

# 2. kill -9 of the postmaster: the orphaned worker may finish or not; restart recovers
$url = big_file(2);
$node->safe_psql('postgres', "SELECT clickstream.enqueue('$url')");
$pid = wait_mid_load();
$node->kill9;
# the orphaned backends must be gone before a new postmaster can start
for (my $i = 0; $i < 600 && kill(0, $pid); $i++)
{
	select(undef, undef, undef, 0.1);
}
ok(!kill(0, $pid), 'the orphaned worker exits once it notices the postmaster is gone');
# other orphans (checkpointer, ...) exit on their own; start retries until they have
my $started = 0;
for (my $i = 0; $i < 60 && !$started; $i++)
{
	$started = $node->start(fail_ok => 1);
	select(undef, undef, undef, 0.5) unless $started;
}
ok($started, 'the cluster restarts after kill -9 of the postmaster');
check_exact(2, 'kill -9 of the postmaster');

$node->stop;
done_testing();
