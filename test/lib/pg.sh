# test/lib/pg.sh: private PostgreSQL clusters for integration tests, the demo and benchmarks.
#
# A cluster lives in one directory DIR (data/, log, socket dir) and is owned by RUN_USER.
# It listens on 127.0.0.1 and on a Unix socket, with trust authentication: it is a private
# throwaway instance, never reachable from another host.  Source common.sh first.

# pg_cluster_create DIR PORT [CONF_LINE...]: initdb a fresh cluster in DIR/data (removing an
# old one) and append CONF_LINEs to postgresql.conf.  Sets PG_SOCKDIR.
pg_cluster_create() {
    local dir=$1 port=$2 line
    shift 2
    pg_cluster_stop "$dir"
    rm -rf "${dir:?}/data"
    mkdir -p "$dir"
    give_to_run_user "$dir"
    PG_SOCKDIR=$(sock_dir_for "$dir")
    as_run_user "$dir" initdb -D "$dir/data" -A trust -U "$RUN_USER" -E UTF8 --locale=C \
        --no-sync >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; die "initdb failed"; }
    {
        echo "# added by test/lib/pg.sh"
        echo "port = $port"
        echo "listen_addresses = '127.0.0.1'"
        echo "unix_socket_directories = '$PG_SOCKDIR'"
        echo "fsync = off"                # throwaway data: durability only costs time
        echo "log_min_messages = warning"
        echo "log_line_prefix = '%m [%p] %q%u@%d '"
        for line in "$@"; do echo "$line"; done
    } >>"$dir/data/postgresql.conf"
    echo "$port" >"$dir/port"
    echo "$PG_SOCKDIR" >"$dir/sockdir"
}

# pg_cluster_start DIR: start the cluster and wait (60 s at most) until it accepts
# connections.  The server inherits our environment: export what it should see first.
pg_cluster_start() {
    local dir=$1
    as_run_user "$dir" pg_ctl -D "$dir/data" -l "$dir/server.log" -w -t 60 start >/dev/null ||
        { tail -n 30 "$dir/server.log" >&2; die "PostgreSQL did not start (log: $dir/server.log)"; }
}

# pg_cluster_stop DIR: stop the cluster in DIR if it runs (fast shutdown, bounded wait).
pg_cluster_stop() {
    local dir=$1
    [ -f "$dir/data/postmaster.pid" ] || return 0
    as_run_user "$dir" pg_ctl -D "$dir/data" -m fast -t 60 stop >/dev/null 2>&1 ||
        as_run_user "$dir" pg_ctl -D "$dir/data" -m immediate -t 30 stop >/dev/null 2>&1 || true
}

# pg_cluster_env DIR: export PGHOST/PGPORT/PGUSER for the cluster in DIR (PGDATABASE is the
# caller's choice).
pg_cluster_env() {
    export PGHOST PGPORT PGUSER
    PGHOST=$(cat "$1/sockdir")
    PGPORT=$(cat "$1/port")
    PGUSER=$RUN_USER
}

# pg_psql DIR ARGS...: psql as RUN_USER against the cluster in DIR, stopping at the first error.
pg_psql() {
    local dir=$1
    shift
    as_run_user "$dir" psql -X -v ON_ERROR_STOP=1 -q "$@"
}
