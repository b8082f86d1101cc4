#!/bin/sh
# bench.sh [FILE...]: decode throughput of the reader core (pqdump --bench,
# optimized build, one thread) beside DuckDB reading the same file on one
# thread.  Without arguments, uses the 1,000,000-row event-shaped file that
# `node gen.mjs --large` writes (generated if missing).
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
GEN="$HERE/../../../tools/gen-parquet-fixtures"
make -s -C "$HERE" build/pqdump-opt
if [ $# -eq 0 ]; then
	if [ ! -f "$HERE/build/large/events_1m.parquet" ]; then
		(cd "$GEN" && { [ -d node_modules/@duckdb/node-api ] || npm install --no-audit --no-fund; } &&
			node gen.mjs --large "$HERE/build/large") > /dev/null
	fi
	set -- "$HERE/build/large/events_1m.parquet"
fi
for f in "$@"; do
	echo "== $f"
	"$HERE/build/pqdump-opt" --bench --repeat 3 "$f"
	if [ -d "$GEN/node_modules/@duckdb/node-api" ]; then
		(cd "$GEN" && node bench_duck.mjs "$f")
	fi
done
