# bench/lib/events.sh: the event_v2-shaped rows the loading benchmarks share, generated once
# by test/lib/gen-events.js and reused while the generator, the spec and the parameters stay
# the same (a stamp file records them).

EVENTS_GEN=$TOP/test/lib/gen-events.js
EVENTS_SPEC=$SHARED_DIR/spec/clickstream-model.md

# events_generate DIR ROWS FILES SEED: DIR/events-NNNNN.csv and .jsonl.gz (FILES of each,
# holding rows 0..ROWS-1) and DIR/all.csv, their concatenation.
events_generate() {
    local dir=$1 rows=$2 files=$3 seed=$4 stamp fmt
    stamp="$rows $files $seed $(cat "$EVENTS_GEN" "$EVENTS_SPEC" | sha1sum | cut -c1-16)"
    if [ "$(cat "$dir/stamp" 2>/dev/null)" = "$stamp" ]; then
        log "reusing the data generated in $dir"
        return 0
    fi
    rm -rf "$dir"
    mkdir -p "$dir"
    for fmt in csv jsonl.gz; do
        log "generating $rows rows as $files $fmt files"
        # one node process per CPU, each writing whole files
        seq 0 $((files - 1)) | xargs -P "$(nproc)" -I{} node "$EVENTS_GEN" --spec "$EVENTS_SPEC" \
            --rows "$rows" --files "$files" --only {} --seed "$seed" --format "$fmt" --out "$dir" \
            --prefix "events" >/dev/null
    done
    cat "$dir"/events-*.csv >"$dir/all.csv"
    give_to_run_user "$dir"
    echo "$stamp" >"$dir/stamp"
}

# events_ddl TABLE: the CREATE TABLE statement of the event table (spec §2.1 columns).
events_ddl() { node "$EVENTS_GEN" --spec "$EVENTS_SPEC" --ddl "$1"; }

# events_node_modules: install the benchmarks' npm packages (DuckDB) once.
events_node_modules() {
    [ -d "$TOP/bench/lib/node_modules/@duckdb/node-api" ] && return 0
    log "installing DuckDB from npm for the benchmarks"
    (cd "$TOP/bench/lib" && npm install --no-audit --no-fund --loglevel=error >/dev/null)
}
