# bench/lib/model_data.sh: the data of bench/model_refresh.sh, generated once by
# test/gen/gen.mjs and kept in $BENCH_DIR/data/model-* until the generator, the spec or the
# sizes change.  Needs common.sh and deps.sh sourced, and BENCH_DIR set.
#
#   model_data_generate EVENTS DAYS FILES SEED
#       sets MODEL_DATA (the directory) after making sure it holds
#       files/p/<table>/partition_app=benchapp/partition_year=2024/partition_month=MM/partition_day=DD/*.parquet
#       for DAYS days from 2024-03-01 (EVENTS events in all, spread evenly over the days) and
#       summary.json (the generator's summary)
#   model_day_files TABLE DAY...  the files of TABLE for the days (1-based), one a line
#   model_manifest FILE...        an inline manifest (jsonb text) of file:// URLs

MODEL_GEN=$TOP/test/gen
MODEL_START=2024-03-01

model_data_generate() {
    local events=$1 days=$2 files=$3 seed=$4 key
    key=$(cat "$MODEL_GEN/gen.mjs" "$SHARED_DIR/spec/clickstream-model.md" | sha1sum | cut -c1-10)
    MODEL_DATA=$BENCH_DIR/data/model-$key-$events-$days-$files-$seed
    if [ ! -s "$MODEL_DATA/summary.json" ]; then
        log "generating $events events over $days days with test/gen/gen.mjs into $MODEL_DATA (minutes)"
        deps_npm "$MODEL_GEN" >&2
        rm -rf "$MODEL_DATA"
        mkdir -p "$MODEL_DATA"
        node "$MODEL_GEN/gen.mjs" --out "$MODEL_DATA/files" --prefix p/ --apps benchapp --project bench \
            --events "$events" --days "$days" --files "$files" --seed "$seed" --start "$MODEL_START" \
            >"$MODEL_DATA/summary.json.tmp"
        mv "$MODEL_DATA/summary.json.tmp" "$MODEL_DATA/summary.json"
    fi
    give_to_run_user "$MODEL_DATA"
    log "data: $(cat "$MODEL_DATA/summary.json")"
}

# model_day_files TABLE DAY...: day numbers count from 1 (= $MODEL_START)
model_day_files() {
    local table=$1 d ymd
    shift
    for d in "$@"; do
        ymd=$(date -u -d "$MODEL_START + $((d - 1)) days" +%Y/%m/%d)
        find "$MODEL_DATA/files/p/$table" -name '*.parquet' \
            -path "*/partition_year=${ymd%%/*}/partition_month=$(cut -d/ -f2 <<<"$ymd")/partition_day=${ymd##*/}/*"
    done | sort
}

model_manifest() {
    local f first=1
    printf '{"entries": ['
    for f in "$@"; do
        [ "$first" = 1 ] || printf ', '
        first=0
        printf '{"url": "file://%s", "mandatory": true, "meta": {"content_length": %s}}' "$f" "$(stat -c %s "$f")"
    done
    printf ']}'
}
