# Copyright (c) 2026, pg_clickstream developers
#
# The library preloaded at server start: its settings exist with their defaults, the
# "clickstream" prefix is reserved, the extension installs, and all of it survives a restart.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('preload');
$node->init;
$node->append_conf('postgresql.conf', "shared_preload_libraries = 'pg_clickstream'");
$node->start;

is($node->safe_psql('postgres', 'SHOW clickstream.max_concurrent_downloads'),
	'4', 'settings are defined when the library is preloaded');

my ($ret, $stdout, $stderr) =
  $node->psql('postgres', 'SET clickstream.no_such_setting = 1');
isnt($ret, 0, 'an unknown clickstream.* setting is refused');
like($stderr, qr/invalid configuration parameter name/,
	'the "clickstream" prefix is reserved');

$node->safe_psql('postgres', 'CREATE EXTENSION pg_clickstream');
is( $node->safe_psql(
		'postgres',
		"SELECT count(*) FROM pg_roles WHERE rolname = 'clickstream_loader'"),
	'1',
	'the extension creates role clickstream_loader');

$node->restart;
is( $node->safe_psql(
		'postgres',
		"SELECT extversion IS NOT NULL FROM pg_extension WHERE extname = 'pg_clickstream'"),
	't',
	'the extension is still installed after a restart');

$node->stop;
done_testing();
