# Copyright (c) 2026, pg_clickstream developers
#
# ClickstreamTap: shared code of the loader-worker TAP tests (test/t/1*_worker_*.pl):
# the S3 server (the one `make test` started, else a Ceph of our own), uploads through
# test/lib/s3.sh, a cluster with the library preloaded, and small JSON-lines rows for the
# four ODS tables in the pipeline layout <prefix><table>/partition_app=<app>/....
package ClickstreamTap;

use strict;
use warnings;

use Cwd qw(abs_path);
use Exporter qw(import);
use File::Basename qw(dirname);
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;

our @EXPORT =
  qw(s3_setup s3 s3_put_lines worker_node enqueue_all ods_key event_line item_line session_line
  user_line);

my $top = abs_path(dirname(__FILE__) . '/../../..');
my $objstore_dir;

# s3_setup: use the S3 server of S3_ENDPOINT, or start Ceph's radosgw (stopped at exit).
sub s3_setup
{
	return if $ENV{S3_ENDPOINT};
	my $tool = "$top/../shared/tools/objstore-ceph";
	$objstore_dir = "$PostgreSQL::Test::Utils::tmp_check/objstore";
	my $port = PostgreSQL::Test::Cluster::get_free_port();
	my $out = `bash '$tool' start '$objstore_dir' $port`;
	die "objstore-ceph did not start (logs in $objstore_dir/log)" if $?;
	for my $line (split /\n/, $out)
	{
		$ENV{$1} = $2 if $line =~ /^(S3_[A-Z_]+)=(.*)$/;
	}
	return;
}

END
{
	system('bash', "$top/../shared/tools/objstore-ceph", 'stop', $objstore_dir)
	  if $objstore_dir;
}

# s3 FUNCTION ARGS...: one of the test/lib/s3.sh functions (s3_mkbucket, s3_put, ...).
sub s3
{
	my ($fn, @args) = @_;
	system('bash', '-c',
		". '$top/test/lib/common.sh'; . '$top/test/lib/s3.sh'; $fn \"\$@\"",
		'_', @args) == 0
	  or die "$fn @args failed";
	return;
}

# s3_put_lines BUCKET KEY LINES: upload the lines (an array ref) as one object.
sub s3_put_lines
{
	my ($bucket, $key, $lines) = @_;
	my $file = "$PostgreSQL::Test::Utils::tmp_check/upload.jsonl";
	open my $fh, '>', $file or die "cannot write $file: $!";
	print $fh join("\n", @$lines), "\n";
	close $fh;
	s3('s3_put', $bucket, $key, $file);
	return "s3://$bucket/$key";
}

# worker_node NAME CONF_LINES...: a started cluster with the library preloaded, the
# workers in database postgres, the extension created and, when an S3 server is
# configured (S3_ENDPOINT), a secret for it.
sub worker_node
{
	my ($name, @conf) = @_;
	my $node = PostgreSQL::Test::Cluster->new($name);
	$node->init;
	$node->append_conf('postgresql.conf',
		join("\n",
			"shared_preload_libraries = 'pg_clickstream'",
			"clickstream.database = 'postgres'",
			"clickstream.naptime = '200ms'",
			# the TAP default is off; the worker's crash tests need the reset
			'restart_after_crash = on', @conf)
		  . "\n");
	$node->start;
	$node->safe_psql('postgres', 'CREATE EXTENSION pg_clickstream;');
	$node->safe_psql('postgres',
		"SELECT clickstream.create_secret('tap', '$ENV{S3_ACCESS_KEY}', '$ENV{S3_SECRET_KEY}',
		     NULL, '$ENV{S3_REGION}', '$ENV{S3_ENDPOINT}', 'path');")
	  if $ENV{S3_ENDPOINT};
	return $node;
}

# enqueue_all NODE URL...: queue the URLs in one transaction, so that the workers are woken
# once, when it commits, and find all of them.
sub enqueue_all
{
	my ($node, @urls) = @_;
	$node->safe_psql('postgres',
		'SELECT count(*) FROM (SELECT clickstream.enqueue(u) FROM unnest(ARRAY['
		  . join(',', map {"'$_'"} @urls) . ']) u) q');
}

# ods_key PREFIX TABLE APP DAY FILE: an object key in the pipeline layout.
sub ods_key
{
	my ($prefix, $table, $app, $day, $file) = @_;
	return sprintf('%s%s/partition_app=%s/partition_year=2024/partition_month=03/partition_day=%02d/%s',
		$prefix, $table, $app, $day, $file);
}

# one row of each table, as a JSON line; $n makes the business key
sub event_line
{
	my ($app, $n, $name, $day) = @_;
	$day //= 1;
	return sprintf('{"event_timestamp":"2024-03-%02dT10:00:00","event_id":"e%d","event_time_msec":%d,'
		  . '"event_name":"%s","project_id":"proj","app_id":"%s","user_pseudo_id":"u%d",'
		  . '"session_id":"s%d","custom_parameters":{"n":{"value":"%d","type":"number"}},'
		  . '"device_ua":{"string":"tap"}}',
		$day, $n, 1709287200000 + $n, $name, $app, $n % 25, $n % 30, $n);
}

sub item_line
{
	my ($n, $price) = @_;
	return sprintf('{"event_timestamp":"2024-03-01T10:00:00","event_id":"e%d","event_name":"add_to_cart",'
		  . '"user_pseudo_id":"u%d","item_id":"i%d","price":%s}', $n, $n % 25, $n, $price);
}

sub session_line
{
	my ($n, $source) = @_;
	return sprintf('{"event_timestamp":"2024-03-01T10:00:00","user_pseudo_id":"u%d","session_id":"s%d",'
		  . '"session_source":%s}', $n % 25, $n, defined $source ? "\"$source\"" : 'null');
}

sub user_line
{
	my ($n, $user_id) = @_;
	return sprintf('{"event_timestamp":"2024-03-01T10:00:00","user_pseudo_id":"u%d","user_id":"%s",'
		  . '"user_properties":{"plan":{"value":"pro","type":"string","set_time_msec":1}}}',
		$n, $user_id);
}

1;
