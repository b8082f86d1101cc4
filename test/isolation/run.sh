#!/usr/bin/env bash
# test/isolation/run.sh: PostgreSQL's isolation tester on test/isolation/specs/*.spec, each
# against test/isolation/expected/<name>.out, on a temporary instance with the extension
# created.  Run by `make test` (stage isolation); by hand, as a non-root user:
#
#   bash test/isolation/run.sh OUTDIR [SPEC...]
#
# Diffs go to OUTDIR/regression.diffs.  pg_isolation_regress and isolationtester come with
# postgresql-server-dev-15 (pgxs/src/test/isolation).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
out=${1:?usage: run.sh OUTDIR [SPEC...]}
shift
isodir=$(pg_config --pkglibdir)/pgxs/src/test/isolation
mkdir -p "$out"
specs=("$@")
if [ ${#specs[@]} = 0 ]; then
    for f in "$here"/specs/*.spec; do specs+=("$(basename "$f" .spec)"); done
fi
port=${ISOLATION_PORT:-$(( 20000 + RANDOM % 12000 ))}   # below the ephemeral range (see free_port)

exec "$isodir/pg_isolation_regress" --inputdir="$here" --outputdir="$out" \
    --bindir="$(pg_config --bindir)" --temp-instance="$out/tmp_check" --port="$port" \
    --load-extension=pg_clickstream "${specs[@]}"
