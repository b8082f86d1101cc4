# test/lib/common.sh: helpers shared by test/run, test/demo/run, bench/run and .ci/run.
#
# Source it from bash (set -euo pipefail is the caller's job). It defines:
#   TOP         the checkout (absolute), SHARED_DIR its ../shared
#   PG_BINDIR   PostgreSQL 15's bin directory, put first on PATH (Debian keeps
#               initdb and pg_ctl out of /usr/bin)
#   RUN_USER    the OS user that runs PostgreSQL and the tests: `postgres` when we
#               are root (PostgreSQL refuses to run as root), else ourselves
# and the functions below.  Nothing here runs at source time except cheap lookups.

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
SHARED_DIR=$(cd "$TOP/.." && pwd)/shared
OBJSTORE_TOOL=$SHARED_DIR/tools/objstore-ceph

if [ "$(id -u)" = 0 ]; then RUN_USER=postgres; else RUN_USER=$(id -un); fi

# pg_config may be missing before deps are installed; pg_bindir_setup is called again after.
pg_bindir_setup() {
    if command -v pg_config >/dev/null 2>&1; then
        PG_BINDIR=$(pg_config --bindir)
        case ":$PATH:" in *":$PG_BINDIR:"*) ;; *) PATH="$PG_BINDIR:$PATH" ;; esac
        export PATH
    fi
}
pg_bindir_setup

# --- messages ------------------------------------------------------------------------------

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

banner() {
    printf '\n==============================================================================\n' >&2
    printf '== %s\n' "$*" >&2
    printf '==============================================================================\n' >&2
}

# now_ms: wall clock in milliseconds, for durations printed in summaries.
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# rss_anon_kb PID: a process's private anonymous memory (RssAnon, kB), empty once it is gone.
# Memory tests and benchmarks sample a backend's with it: unlike VmRSS it does not count the
# shared buffers the backend touches.
rss_anon_kb() { awk '/^RssAnon:/ { print $2 }' "/proc/$1/status" 2>/dev/null; }

# wait_for SECONDS WHAT CMD...: poll CMD every 0.2 s until it succeeds; fail after SECONDS.
# Every wait in these scripts is bounded so a hung daemon fails the run instead of CI's clock.
wait_for() {
    local secs=$1 what=$2 deadline
    shift 2
    deadline=$(( $(date +%s) + secs ))
    until "$@" >/dev/null 2>&1; do
        [ "$(date +%s)" -lt "$deadline" ] || { log "timed out after ${secs}s waiting for $what"; return 1; }
        sleep 0.2
    done
}

# --- ports ---------------------------------------------------------------------------------

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# free_port: a random TCP port on 127.0.0.1 nobody listens on.  Random rather than fixed so
# that several runs (other developers, CI) on one machine do not collide.  Below Linux's
# ephemeral range (32768 and up by default, see ip_local_port_range): a port there can be
# taken at any moment by the local end of some outgoing connection, and a server started
# on it then fails with EADDRINUSE although nobody listened when we checked.
free_port() {
    local i p lo=32768
    read -r lo _ </proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || true
    [ "$lo" -gt 12000 ] || lo=32768
    for i in $(seq 1 50); do
        p=$(( 10000 + (RANDOM * 32768 + RANDOM) % (lo - 10000) ))
        port_in_use "$p" || { echo "$p"; return 0; }
    done
    die "no free port found after 50 tries"
}

# --- running as the unprivileged user ------------------------------------------------------

# as_run_user DIR CMD...: run CMD in DIR as RUN_USER with our environment.  PostgreSQL's
# programs call getcwd(), so DIR must be a directory RUN_USER can enter.  The run lock's fd 9
# is closed for CMD: a daemon it starts (the demo's cluster and object store outlive us) would
# otherwise hold the lock forever.
as_run_user() {
    local dir=$1
    shift
    if [ "$(id -u)" = 0 ]; then
        (cd "$dir" && runuser -u "$RUN_USER" -- env PATH="$PATH" HOME="$(run_user_home)" "$@" 9<&-)
    else
        (cd "$dir" && "$@" 9<&-)
    fi
}

run_user_home() { getent passwd "$RUN_USER" | cut -d: -f6; }

# run_user_can_read PATH: true if RUN_USER can reach and read PATH (every parent traversable).
run_user_can_read() {
    if [ "$(id -u)" = 0 ]; then
        runuser -u "$RUN_USER" -- test -r "$1" 2>/dev/null
    else
        test -r "$1"
    fi
}

# give_to_run_user PATH...: make RUN_USER own PATH (recursively); a no-op when not root.
give_to_run_user() {
    [ "$(id -u)" = 0 ] || return 0
    chown -R "$RUN_USER:" "$@"
}

# setup_run_dir NAME: choose where a run keeps its data and where RUN_USER reads the inputs.
# Sets RUN_DIR (writable by RUN_USER; $TOP/NAME, or a symlink to it) and VIEW (the checkout
# as RUN_USER sees it: $TOP itself, or a copy when the checkout is unreachable, e.g. a clone
# under /root).  The copy holds only what tests read, and is refreshed every run.
setup_run_dir() {
    local name=$1 outside
    outside=/var/tmp/pg_clickstream-$(printf '%s' "$TOP" | sha1sum | cut -c1-12)/${name#.}
    if [ "$(id -u)" = 0 ] && id "$RUN_USER" >/dev/null 2>&1 &&
        ! { run_user_can_read "$TOP/Makefile" && run_user_can_read "$OBJSTORE_TOOL"; }; then
        # Unreachable checkout: data lives outside, with a symlink so it is easy to find.
        mkdir -p "$outside"
        [ -L "$TOP/$name" ] || rm -rf "${TOP:?}/$name"
        ln -sfn "$outside" "$TOP/$name"
        RUN_DIR=$outside
        mkdir -p "$RUN_DIR/view"
        rm -rf "$RUN_DIR/view/main" "$RUN_DIR/view/shared"
        mkdir -p "$RUN_DIR/view/main"
        local p
        for p in Makefile pg_clickstream.control sql expected test bench; do
            [ -e "$TOP/$p" ] && cp -a "$TOP/$p" "$RUN_DIR/view/main/"
        done
        cp -a "$SHARED_DIR/." "$RUN_DIR/view/shared"
        OBJSTORE_TOOL=$RUN_DIR/view/shared/tools/objstore-ceph
        chmod 755 "$(dirname "$outside")" "$outside"
        VIEW=$RUN_DIR/view/main
        log "checkout not readable by $RUN_USER: running in $RUN_DIR (symlink $TOP/$name)"
    else
        # The checkout may still have a stale symlink from an unreachable-days run.
        [ -L "$TOP/$name" ] && rm -f "$TOP/$name"
        RUN_DIR=$TOP/$name
        mkdir -p "$RUN_DIR"
        VIEW=$TOP
    fi
    give_to_run_user "$RUN_DIR"
}

# sock_dir_for DIR: a directory for Unix sockets.  A socket path must stay under 107 bytes,
# which a deep checkout can exceed, so fall back to a short directory under /tmp.
sock_dir_for() {
    local d=$1/sock
    if [ ${#d} -gt 80 ]; then
        d=/tmp/pgcs-$(printf '%s' "$1" | sha1sum | cut -c1-10)
    fi
    mkdir -p "$d"
    chmod 700 "$d"
    give_to_run_user "$d"
    echo "$d"
}

# lock_run NAME: take an exclusive lock for this kind of run (.testrun, .demo, .benchrun) of
# this checkout, so that two `make test` wait for each other instead of sharing ports and data.
# The lock file sits in /tmp (not in the checkout, where `git status` would show it) and is
# opened read-only, so root and non-root runs of one checkout can share it.
lock_run() {
    local f
    f=/tmp/pg_clickstream-$(printf '%s' "$TOP" | sha1sum | cut -c1-12)$1.lock
    [ -e "$f" ] || { : >"$f" && chmod 644 "$f"; }
    exec 9<"$f"
    flock -n 9 && return 0
    log "another run of this checkout holds $f: waiting for it (30 min at most)"
    flock -w 1800 9 || die "another run held $f for more than 30 min"
}
