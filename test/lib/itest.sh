# test/lib/itest.sh: what the integration tests (test/integration/*.sh) share: a scratch
# directory, an object store (the one in S3_* if set, else one started here and stopped at
# exit), psql shortcuts and pass/fail bookkeeping.  Set BUCKET before sourcing; the bucket
# is created.  A test ends with `exit "$FAILED"`.

TMP=${TEST_TMPDIR:-$(mktemp -d)}
export PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning"
mkdir -p "$TMP"
FAILED=0
PIDS=()
OWN_STORE=

cleanup() {
    local p
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
    [ -z "$OWN_STORE" ] || bash "$OBJSTORE_TOOL" stop "$OWN_STORE" >/dev/null 2>&1 || true
}
trap cleanup EXIT

if [ -z "${S3_ENDPOINT:-}" ]; then
    OWN_STORE=$TMP/objstore
    log "S3_ENDPOINT not set: starting an object store in $OWN_STORE"
    eval "$(bash "$OBJSTORE_TOOL" start "$OWN_STORE" "$(free_port)")"
    export S3_ENDPOINT S3_ACCESS_KEY S3_SECRET_KEY S3_REGION
fi
s3_mkbucket "$BUCKET"

fail() {
    echo "FAIL: $*" >&2
    FAILED=1
}
pass() { echo "ok: $*"; }

# q SQL: run SQL, print the result unaligned; stops the script on an SQL error
q() { psql -X -v ON_ERROR_STOP=1 -qAt -c "$1"; }

# q_err SQL: run SQL that must fail; prints the error (all fields) on stdout
q_err() {
    local out
    if out=$(psql -X -v ON_ERROR_STOP=1 -v VERBOSITY=verbose -qAt -c "$1" 2>&1); then
        echo "UNEXPECTED SUCCESS: $out"
        return 0
    fi
    echo "$out"
}

# expect_eq WHAT GOT WANT
expect_eq() {
    if [ "$2" == "$3" ]; then pass "$1"; else fail "$1: got [$2], want [$3]"; fi
}

# expect_match WHAT TEXT REGEX
expect_match() {
    if grep -Eq -- "$3" <<<"$2"; then pass "$1"; else fail "$1: [$2] does not match /$3/"; fi
}

# expect_absent WHAT TEXT NEEDLE
expect_absent() {
    if grep -Fq -- "$3" <<<"$2"; then fail "$1: found the secret text"; else pass "$1"; fi
}

