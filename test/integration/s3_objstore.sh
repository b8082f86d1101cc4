#!/usr/bin/env bash
# test/integration/s3_objstore.sh: the object store against a real S3 server (Ceph radosgw,
# which verifies SigV4) and small local TCP servers written in node.
#
# Covers: list_objects over more than 1,000 keys (pagination); keys with spaces, '=', '+'
# and non-ASCII characters, listed and read back; read_object and its size cap; a missing
# object; scope selection between secrets; a wrong secret (clear error, the secret absent
# from the error and from the server logs); a transfer cut by stopping the server (retries,
# then a clear error, quickly; a streamed one resumed with Range when the server comes back,
# or failing with no rows loaded); pg_cancel_backend stopping a stalled transfer and a retry
# wait within about a second.
#
# PG_SERVER_LOG, if set, names the server's log file to search for secrets when the server
# has no logging collector (pg_current_logfile() is then NULL).
#
# Needs: a running PostgreSQL with the extension installed, reached through PGHOST PGPORT
# PGUSER PGDATABASE, as a superuser.  Uses S3_ENDPOINT S3_ACCESS_KEY S3_SECRET_KEY S3_REGION
# if set (and S3_BUCKET, TEST_TMPDIR); otherwise starts its own store with
# ../shared/tools/objstore-ceph and stops it at the end.  Exits non-zero if anything failed,
# after printing "FAIL: what" for each failure.
#
#   PGHOST=/tmp PGPORT=5432 PGDATABASE=postgres bash test/integration/s3_objstore.sh
set -euo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"
. "$TOP/test/lib/s3.sh"

BUCKET=${S3_BUCKET:-it-s3-objstore}
. "$TOP/test/lib/itest.sh"

# server_log: the server's log text, if this session can read it (superuser)
server_log() {
    local f
    f=$(q "SELECT pg_catalog.pg_current_logfile()" 2>/dev/null || true)
    if [ -n "$f" ]; then
        q "SELECT pg_catalog.pg_read_file('$f')" 2>/dev/null || true
    elif [ -n "${PG_SERVER_LOG:-}" ] && [ -r "$PG_SERVER_LOG" ]; then
        cat "$PG_SERVER_LOG"
    fi
}

# node_server SCRIPT PORT ARGS...: start a small node server in the background
node_server() {
    local script=$1
    shift
    node -e "$script" "$@" &
    PIDS+=($!)
    # wait until it listens
    for _ in $(seq 1 50); do
        (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
        sleep 0.1
    done
    fail "node server on port $1 did not start"
}

q "SELECT clickstream.drop_secret(srvname) FROM pg_foreign_server WHERE srvname LIKE 'it\_%'" >/dev/null
q "SELECT clickstream.create_secret('it_main', '$S3_ACCESS_KEY', '$S3_SECRET_KEY',
       region => '${S3_REGION:-us-east-1}', endpoint => '$S3_ENDPOINT',
       url_style => 'path', scope => 's3://$BUCKET/')" >/dev/null

# --- uploads ------------------------------------------------------------------------------
banner "s3_objstore: uploading fixtures"
printf 'x' >"$TMP/one.txt"
{
    for i in $(seq -w 1 1050); do
        printf 'upload-file = "%s"\nurl = "%s"\n' "$TMP/one.txt" "$(s3_object_url "$BUCKET" "many/k$i.txt")"
    done
} >"$TMP/uploads.cfg"
s3_curl -Z --parallel-max 32 -o /dev/null -K "$TMP/uploads.cfg"

SPECIAL=("special/a b.txt" "special/k=v/x.txt" "special/1+1.txt" "special/été 中文.txt")
for k in "${SPECIAL[@]}"; do
    printf 'content of %s' "$k" >"$TMP/special.txt"
    s3_put "$BUCKET" "$k" "$TMP/special.txt"
done
head -c 300000 /dev/urandom >"$TMP/blob.bin"
s3_put "$BUCKET" "data/blob.bin" "$TMP/blob.bin"

# --- listing and reading --------------------------------------------------------------------
banner "s3_objstore: list_objects and read_object"
expect_eq "list_objects paginates past 1,000 keys" \
    "$(q "SELECT count(*), min(url), max(url), sum(size) FROM clickstream.list_objects('s3://$BUCKET/many/')")" \
    "1050|s3://$BUCKET/many/k0001.txt|s3://$BUCKET/many/k1050.txt|1050"

want=$(for k in "${SPECIAL[@]}"; do printf 's3://%s/%s\n' "$BUCKET" "$k"; done | LC_ALL=C sort)
expect_eq "special keys are listed back exactly" \
    "$(q "SELECT url FROM clickstream.list_objects('s3://$BUCKET/special/') ORDER BY url COLLATE \"C\"")" \
    "$want"
for k in "${SPECIAL[@]}"; do
    expect_eq "read_object of '$k'" \
        "$(q "SELECT convert_from(clickstream.read_object('s3://$BUCKET/$k'), 'UTF8')")" \
        "content of $k"
done
expect_eq "list rows carry size, etag and time" \
    "$(q "SELECT size, length(etag) > 0, last_modified > now() - interval '1 hour' FROM clickstream.list_objects('s3://$BUCKET/data/')")" \
    "300000|t|t"
expect_eq "read_object of a binary object" \
    "$(q "SELECT md5(clickstream.read_object('s3://$BUCKET/data/blob.bin'))")" \
    "$(md5sum "$TMP/blob.bin" | cut -d' ' -f1)"
out=$(q_err "SET clickstream.read_object_max_size = '100kB'; SELECT clickstream.read_object('s3://$BUCKET/data/blob.bin')")
expect_match "read_object cap" "$out" "is larger than 102400 bytes"
out=$(q_err "SELECT clickstream.read_object('s3://$BUCKET/nope/missing.csv')")
expect_match "missing object: undefined_file naming the URL" "$out" \
    "58P01: object \"s3://$BUCKET/nope/missing.csv\" does not exist"

# --- wrong secret -----------------------------------------------------------------------------
banner "s3_objstore: wrong secret"
WRONG_SECRET="itWrongSecret-$(date +%s%N)"
q "SELECT clickstream.create_secret('it_wrong', 'ITWRONGKEYID', '$WRONG_SECRET',
       endpoint => '$S3_ENDPOINT', scope => 's3://$BUCKET/special/')" >/dev/null
out=$(q_err "SELECT clickstream.read_object('s3://$BUCKET/special/a b.txt')")
expect_match "wrong secret: access denied, naming the secret used" "$out" \
    "42501: access denied to \"s3://$BUCKET/special/a b.txt\".*"
expect_match "wrong secret: hint names the secret" "$out" 'secret "it_wrong"'
expect_absent "wrong secret: not in the error" "$out" "$WRONG_SECRET"
out=$(q_err "SELECT * FROM clickstream.list_objects('s3://$BUCKET/special/')")
expect_match "wrong secret: listing denied" "$out" "42501"
expect_absent "wrong secret: not in the listing error" "$out" "$WRONG_SECRET"
expect_absent "main secret: not in the error" "$out" "$S3_SECRET_KEY"
# the longer scope no longer applies elsewhere in the bucket
expect_eq "scope: the bucket-wide secret still reads other prefixes" \
    "$(q "SELECT length(clickstream.read_object('s3://$BUCKET/data/blob.bin'))")" "300000"
q "SELECT clickstream.drop_secret('it_wrong')" >/dev/null
log_text=$(server_log)
if [ -n "$log_text" ]; then
    expect_absent "wrong secret: not in the PostgreSQL server log" "$log_text" "$WRONG_SECRET"
else
    echo "note: the PostgreSQL server log is not readable from SQL here (no logging collector, PG_SERVER_LOG unset); checked the error texts only"
fi
if [ -n "$OWN_STORE" ] || [ -n "${OBJSTORE_DIR:-}" ]; then
    rgwlog=$(cat "${OWN_STORE:-$OBJSTORE_DIR}"/log/*.log 2>/dev/null || true)
    expect_absent "wrong secret: not in the S3 server log" "$rgwlog" "$WRONG_SECRET"
fi

# --- a transfer cut by stopping the server -----------------------------------------------
banner "s3_objstore: transfer cut by stopping the server"
# A throttling TCP proxy in front of the store stands for "the server": killing it cuts the
# transfer, and further connections are refused.
PROXY_JS='
const net = require("net");
const [port, upstream] = process.argv.slice(1).map(Number);
net.createServer(c => {
    const u = net.connect(upstream, "127.0.0.1");
    c.pipe(u);
    u.on("data", d => { c.write(d); u.pause(); setTimeout(() => u.resume(), 25); });
    u.on("end", () => c.end());
    u.on("error", () => c.destroy());
    c.on("error", () => u.destroy());
}).listen(port, "127.0.0.1");'
head -c 8000000 /dev/urandom >"$TMP/big.bin"
s3_put "$BUCKET" "cut/big.bin" "$TMP/big.bin"
proxy_port=$(free_port)
s3_port=${S3_ENDPOINT##*:}
node_server "$PROXY_JS" "$proxy_port" "$s3_port"
proxy_pid=${PIDS[-1]}
q "SELECT clickstream.create_secret('it_proxy', '$S3_ACCESS_KEY', '$S3_SECRET_KEY',
       endpoint => 'http://127.0.0.1:$proxy_port', scope => 's3://$BUCKET/cut/')" >/dev/null
t0=$(now_ms)
psql -X -v ON_ERROR_STOP=1 -v VERBOSITY=verbose -qAt >"$TMP/cut.out" 2>&1 <<SQL &
SET clickstream.http_max_retries = 3;
SET clickstream.http_retry_base_delay = '100ms';
SET clickstream.http_retry_max_delay = '300ms';
SELECT length(clickstream.read_object('s3://$BUCKET/cut/big.bin'));
SQL
reader=$!
sleep 1
kill "$proxy_pid"
rc=0
wait "$reader" || rc=$?
elapsed=$(( $(now_ms) - t0 ))
out=$(cat "$TMP/cut.out")
expect_eq "cut transfer fails" "$rc" "3"
expect_match "cut transfer: clear error after the retries" "$out" \
    "08006: could not read \"s3://$BUCKET/cut/big.bin\" after 4 attempts"
if [ "$elapsed" -lt 10000 ]; then pass "cut transfer gave up in ${elapsed} ms"; else fail "cut transfer took ${elapsed} ms"; fi

# The streaming reader (copy_from_url) resumes a cut transfer with a Range request from the
# byte reached, when the server comes back within the retries; else it fails, loading nothing.
seq 1 400000 | awk '{ print $1 "," $1 * 2 }' >"$TMP/rows.csv"
s3_put "$BUCKET" "cut/rows.csv" "$TMP/rows.csv"
q "DROP TABLE IF EXISTS it_objstore_rows; CREATE TABLE it_objstore_rows (a int, b bigint)"
node_server "$PROXY_JS" "$proxy_port" "$s3_port"
proxy_pid=${PIDS[-1]}
psql -X -v ON_ERROR_STOP=1 -qAt >"$TMP/resume.out" 2>&1 <<SQL &
SET clickstream.http_retry_base_delay = '1s';
SET clickstream.http_retry_max_delay = '2s';
SELECT clickstream.copy_from_url('it_objstore_rows', 's3://$BUCKET/cut/rows.csv', 'csv');
SQL
reader=$!
sleep 0.7
kill "$proxy_pid"
sleep 0.3
node_server "$PROXY_JS" "$proxy_port" "$s3_port"
proxy_pid=${PIDS[-1]}
rc=0
wait "$reader" || rc=$?
expect_eq "resumed transfer loads every row" "$rc:$(q "SELECT count(*), sum(b) FROM it_objstore_rows")" \
    "0:400000|160000400000"
q "TRUNCATE it_objstore_rows"
psql -X -v ON_ERROR_STOP=1 -v VERBOSITY=verbose -qAt >"$TMP/cut2.out" 2>&1 <<SQL &
SET clickstream.http_max_retries = 2;
SET clickstream.http_retry_base_delay = '100ms';
SELECT clickstream.copy_from_url('it_objstore_rows', 's3://$BUCKET/cut/rows.csv', 'csv');
SQL
reader=$!
sleep 0.7
kill "$proxy_pid"
rc=0
wait "$reader" || rc=$?
expect_match "cut stream: clear error after the retries" "$(cat "$TMP/cut2.out")" \
    "08006: could not read \"s3://$BUCKET/cut/rows.csv\" after 3 attempts"
expect_eq "cut stream: no rows loaded" "$(q "SELECT count(*) FROM it_objstore_rows")" "0"
q "DROP TABLE it_objstore_rows"
q "SELECT clickstream.drop_secret('it_proxy')" >/dev/null

# --- cancellation ---------------------------------------------------------------------------
banner "s3_objstore: cancellation"
STALL_JS='
const net = require("net");
const [port, mode] = process.argv.slice(1);
net.createServer(c => { if (mode === "close") c.destroy(); /* else: never answer */ })
   .listen(Number(port), "127.0.0.1");'

# cancel_within NAME URL SETTINGS: start read_object(URL), cancel it once it runs, and
# check it stopped within 1.5 s with the cancel error
cancel_within() {
    local name=$1 url=$2 settings=$3 t0 elapsed rc=0 pid=
    PGAPPNAME="it_cancel_$name" psql -X -qAt >"$TMP/cancel-$name.out" 2>&1 <<SQL &
$settings
SELECT clickstream.read_object('$url');
SQL
    local reader=$!
    for _ in $(seq 1 100); do
        pid=$(q "SELECT pid FROM pg_stat_activity WHERE application_name = 'it_cancel_$name' AND query LIKE '%read_object%'")
        [ -n "$pid" ] && break
        sleep 0.05
    done
    [ -n "$pid" ] || { fail "cancel $name: the query never showed up"; return; }
    sleep 0.5
    t0=$(now_ms)
    q "SELECT pg_cancel_backend($pid)" >/dev/null
    wait "$reader" || rc=$?
    elapsed=$(( $(now_ms) - t0 ))
    expect_match "cancel $name: canceled" "$(cat "$TMP/cancel-$name.out")" "canceling statement due to user request"
    if [ "$elapsed" -le 1500 ]; then pass "cancel $name: stopped in ${elapsed} ms"; else fail "cancel $name: took ${elapsed} ms"; fi
}

stall_port=$(free_port)
node_server "$STALL_JS" "$stall_port" stall
cancel_within stalled "http://127.0.0.1:$stall_port/x" \
    "SET clickstream.http_low_speed_time = '1h';"
close_port=$(free_port)
node_server "$STALL_JS" "$close_port" close
cancel_within retry-wait "http://127.0.0.1:$close_port/x" \
    "SET clickstream.http_max_retries = 20; SET clickstream.http_retry_base_delay = '1min'; SET clickstream.http_retry_max_delay = '10min';"

q "SELECT clickstream.drop_secret('it_main')" >/dev/null
if [ "$FAILED" != 0 ]; then
    echo "s3_objstore: FAILED" >&2
    exit 1
fi
echo "s3_objstore: all passed"
