#!/bin/bash
# Build the manifest parser fuzz target with libFuzzer and AddressSanitizer,
# then fuzz it for SECONDS (default 60) from the seed corpus plus the golden
# inputs.  Usage: test/fuzz/manifest/run.sh [SECONDS]
# New interesting inputs go to a scratch corpus in $WORK (default
# test/fuzz/manifest/build, ignored by git), so the committed seeds stay
# small; a crash leaves crash-* there and makes the script exit non-zero.
set -euo pipefail

seconds=${1:-60}
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../../.." && pwd)
work=${WORK:-$here/build}
mkdir -p "$work/corpus"

clang -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	-I"$top/src" $(pkg-config --cflags jansson) \
	-o "$work/fuzz_manifest" \
	"$here/fuzz_manifest.c" "$top/src/manifest/manifest_parse.c" \
	$(pkg-config --libs jansson)

# The golden inputs are good seeds too; copy them under unique names.
for f in "$top"/test/data/manifest/*/*/input; do
	case=$(basename "$(dirname "$f")")
	cp "$f" "$work/corpus/golden-$case"
done

cd "$work"
exec ./fuzz_manifest -max_total_time="$seconds" -max_len=4096 \
	-dict="$here/manifest.dict" -artifact_prefix="$work/" \
	corpus "$here/corpus"
