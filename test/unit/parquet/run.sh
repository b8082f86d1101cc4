#!/bin/sh
# run.sh: unit, interoperability and corruption tests of the Parquet reader
# core, built with AddressSanitizer and UBSan (make -C test/unit/parquet check).
#
#  1. test_core: unit tests of the thrift decoder, encodings, codecs,
#     conversions, allocator hook and hand-built files (legacy layouts).
#  2. every fixture in test/data/parquet and ../shared/fixtures/spark is
#     printed by pqdump (with several batch sizes, so records cross batch
#     and page boundaries) and compared with DuckDB's JSON of the same file.
#  3. larger DuckDB files, generated now if node and the npm package
#     @duckdb/node-api are available (PQ_SKIP_LARGE=1 skips; PQ_REQUIRE_LARGE=1
#     makes their absence an error, for CI).
#  4. truncated and corrupted mutants of the fixtures, and the regression
#     inputs in test/data/parquet/regress (fuzzer finds), must not crash.
#
# Any difference or sanitizer report fails the run (exit status 1).
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../../.." && pwd)
DATA="$TOP/test/data/parquet"
SPARK="${PQ_SPARK_FIXTURES:-$TOP/../shared/fixtures/spark}"
BUILD="$HERE/build"
GEN="$TOP/tools/gen-parquet-fixtures"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"

fail=0
note() { printf '%s\n' "$*"; }
bad() { printf 'FAIL: %s\n' "$*" >&2; fail=1; }

# compare FILE.parquet EXPECTED.jsonl[.gz] [batch sizes...]
compare() {
	pq=$1; exp=$2; shift 2
	for b in "$@"; do
		out="$BUILD/out.jsonl"
		if ! "$BUILD/pqdump" --batch "$b" "$pq" > "$out" 2> "$BUILD/err.txt"; then
			bad "pqdump $pq (batch $b): $(head -c 2000 "$BUILD/err.txt")"
			continue
		fi
		if msg=$(node "$HERE/compare.mjs" "$exp" "$out" 2>&1); then
			note "ok   $(basename "$pq") batch=$b: $msg"
		else
			bad "$msg"
		fi
	done
}

note "== unit tests"
"$BUILD/test_core" "$DATA" || bad "test_core"

note "== DuckDB fixtures"
for pq in "$DATA"/*.parquet; do
	name=$(basename "$pq" .parquet)
	compare "$pq" "$DATA/$name.jsonl.gz" 4096 1 7
done

note "== Spark fixtures"
if [ -d "$SPARK" ]; then
	for pq in "$SPARK"/*.parquet; do
		name=$(basename "$pq" .parquet)
		compare "$pq" "$DATA/spark/$name.jsonl.gz" 4096 3
	done
else
	bad "Spark fixtures not found at $SPARK (set PQ_SPARK_FIXTURES)"
fi

note "== large DuckDB files"
if [ "${PQ_SKIP_LARGE:-0}" = 1 ]; then
	note "skipped (PQ_SKIP_LARGE=1)"
elif command -v node > /dev/null && { [ -d "$GEN/node_modules/@duckdb/node-api" ] || (cd "$GEN" && npm install --no-audit --no-fund > /dev/null 2>&1); }; then
	LARGE="$BUILD/large"
	if [ ! -f "$LARGE/large_nested.jsonl" ]; then
		(cd "$GEN" && node gen.mjs --large "$LARGE") > /dev/null
	fi
	for name in large_types large_types_v2 large_nested; do
		compare "$LARGE/$name.parquet" "$LARGE/$name.jsonl" 10000 999
	done
elif [ "${PQ_REQUIRE_LARGE:-0}" = 1 ]; then
	bad "node or @duckdb/node-api unavailable, large files not tested"
else
	note "skipped: node or @duckdb/node-api unavailable"
fi

note "== corrupted and truncated files"
"$BUILD/corrupt" --flips "${PQ_FLIPS:-400}" "$DATA"/types_snappy.parquet "$DATA"/types_v2.parquet \
	"$DATA"/types_gzip.parquet "$DATA"/nested_v1.parquet "$DATA"/nested_v2.parquet \
	"$DATA"/strings_v2.parquet "$DATA"/types_v1_nodict.parquet "$DATA"/empty.parquet \
	"$SPARK"/*.parquet || bad "corrupt"
if ls "$DATA"/regress/* > /dev/null 2>&1; then
	"$BUILD/fuzz_replay" "$DATA"/regress/* || bad "regression inputs"
fi

if [ $fail -ne 0 ]; then
	echo "PARQUET TESTS FAILED" >&2
	exit 1
fi
echo "all Parquet reader tests passed"
