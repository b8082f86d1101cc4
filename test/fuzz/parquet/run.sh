#!/bin/sh
# run.sh [SECONDS] [extra libFuzzer flags]: builds the Parquet fuzzer and runs
# it for SECONDS (default 60) on a working corpus seeded from seeds/ and the
# committed fixtures.  Crashing inputs land in build/artifacts/; copy each
# into test/data/parquet/regress/ (run.sh of the unit tests replays them)
# after fixing the bug.  Exits non-zero if the fuzzer found a crash.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
SECS=${1:-60}
[ $# -gt 0 ] && shift
make -s -C "$HERE" build/fuzz_parquet
CORPUS="$HERE/build/corpus"
mkdir -p "$CORPUS" "$HERE/build/artifacts"
cp -n "$HERE"/seeds/* "$CORPUS"/ 2>/dev/null || true
for f in "$HERE"/../../data/parquet/*.parquet "$HERE"/../../data/parquet/regress/*; do
	[ -f "$f" ] && [ "$(wc -c < "$f")" -le 65536 ] && cp -n "$f" "$CORPUS"/ 2>/dev/null || true
done
exec "$HERE/build/fuzz_parquet" "$CORPUS" \
	-max_total_time="$SECS" -max_len=65536 -rss_limit_mb=2048 -malloc_limit_mb=512 \
	-timeout=10 -print_final_stats=1 -artifact_prefix="$HERE/build/artifacts/" "$@"
