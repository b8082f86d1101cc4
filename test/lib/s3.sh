# test/lib/s3.sh: a small S3 client in curl for integration tests, benchmarks and the demo,
# plus starting and stopping the local object store (../shared/tools/objstore-ceph).
#
# Requests use S3_ENDPOINT, S3_ACCESS_KEY, S3_SECRET_KEY and S3_REGION, path-style URLs
# ("$S3_ENDPOINT/bucket/key") and curl's own SigV4 signing.  curl signs the path and query
# exactly as given, so s3_encode canonicalizes them (../shared/README.md), and every request
# carries x-amz-content-sha256, which curl 7.88 does not add.  Source common.sh first.
#
#   s3_mkbucket BUCKET            create a bucket (fine if it exists and is ours)
#   s3_put BUCKET KEY FILE        upload FILE
#   s3_get BUCKET KEY [OUT]       download to OUT (default stdout)
#   s3_head BUCKET KEY            print the object's size in bytes; fails if it is missing
#   s3_rm BUCKET KEY              delete an object (fine if it is missing)
#   s3_ls BUCKET [PREFIX]         print "KEY SIZE" lines, following continuation tokens
#   s3_rmbucket BUCKET            delete every object, then the bucket
#   s3_url BUCKET KEY             print s3://BUCKET/KEY (the form the extension reads)
#   s3_manifest BUCKET PREFIX FILE...
#                                 print a Redshift-style manifest of FILEs uploaded as
#                                 PREFIX/<file name>, with their local sizes
#   objstore_start DIR            start the store in DIR on a free port; export S3_*
#   objstore_stop DIR             stop it

# s3_encode STRING [KEEP]: percent-encode every byte except A-Za-z0-9-_.~ and the
# characters in KEEP ("/" for a path), with uppercase hex, as SigV4 canonicalization wants.
s3_encode() {
    local LC_ALL=C s=$1 keep=${2:-} out='' c i hex
    for ((i = 0; i < ${#s}; i++)); do
        c=${s:i:1}
        case "$c" in
            [A-Za-z0-9._~-]) out+=$c ;;
            *)
                if [ -n "$keep" ] && [[ "$keep" == *"$c"* ]]; then
                    out+=$c
                else
                    printf -v hex '%%%02X' "'$c"
                    # bash yields a negative value for bytes >= 0x80 on some builds
                    [[ "$hex" == %FFFFFFFFFFFFFF* ]] && hex=%${hex: -2}
                    out+=$hex
                fi
                ;;
        esac
    done
    printf '%s' "$out"
}

# s3_curl ARGS...: curl with SigV4 signing, bounded time, and the body of an error answer
# printed (S3 puts the reason there).
s3_curl() {
    : "${S3_ENDPOINT:?S3_ENDPOINT is not set (start the object store first)}"
    curl -sS --fail-with-body --max-time "${S3_CURL_MAX_TIME:-300}" --connect-timeout 10 \
        --aws-sigv4 "aws:amz:${S3_REGION:-us-east-1}:s3" \
        --user "$S3_ACCESS_KEY:$S3_SECRET_KEY" \
        -H "x-amz-content-sha256: UNSIGNED-PAYLOAD" "$@"
}

s3_object_url() { printf '%s/%s/%s' "$S3_ENDPOINT" "$1" "$(s3_encode "$2" /)"; }
s3_url() { printf 's3://%s/%s' "$1" "$2"; }

s3_mkbucket() {
    local out
    # radosgw answers 409 BucketAlreadyOwnedByYou for a bucket we own: that is success here.
    out=$(s3_curl -X PUT "$S3_ENDPOINT/$1" 2>&1) && return 0
    grep -q BucketAlreadyOwnedByYou <<<"$out" && return 0
    log "s3_mkbucket $1: $out"
    return 1
}

s3_put() { s3_curl -o /dev/null -T "$3" "$(s3_object_url "$1" "$2")"; }

s3_get() { s3_curl -o "${3:--}" "$(s3_object_url "$1" "$2")"; }

s3_head() {
    s3_curl -I "$(s3_object_url "$1" "$2")" | tr -d '\r' |
        awk 'tolower($1) == "content-length:" { print $2 }'
}

s3_rm() { s3_curl -o /dev/null -X DELETE "$(s3_object_url "$1" "$2")"; }

# s3_ls BUCKET [PREFIX]: ListObjectsV2, page after page (1,000 keys per page).  Keys are
# printed as S3 returns them in XML, entities decoded for the common five.
s3_ls() {
    local bucket=$1 prefix=${2:-} token='' page query i
    for ((i = 0; i < 10000; i++)); do
        # query parameters sorted by name, values fully encoded (SigV4 canonical form)
        query=''
        [ -n "$token" ] && query+="continuation-token=$(s3_encode "$token")&"
        query+="list-type=2"
        [ -n "$prefix" ] && query+="&prefix=$(s3_encode "$prefix")"
        page=$(s3_curl "$S3_ENDPOINT/$bucket?$query") || return 1
        # one <Contents> element per line, then Key and Size out of each
        sed 's/<Contents>/\n<Contents>/g' <<<"$page" | grep '^<Contents>' |
            sed -E 's|.*<Key>([^<]*)</Key>.*<Size>([0-9]+)</Size>.*|\1 \2|' |
            sed -e 's/&lt;/</g' -e 's/&gt;/>/g' -e 's/&quot;/"/g' -e "s/&apos;/'/g" -e 's/&amp;/\&/g'
        grep -q '<IsTruncated>true</IsTruncated>' <<<"$page" || return 0
        token=$(sed -n 's|.*<NextContinuationToken>\([^<]*\)</NextContinuationToken>.*|\1|p' <<<"$page")
        [ -n "$token" ] || { log "s3_ls: truncated page without a continuation token"; return 1; }
    done
    log "s3_ls: more than 10000 pages, giving up"
    return 1
}

s3_rmbucket() {
    local line
    # each line is "KEY SIZE" and a key may contain spaces: strip only the last field
    while IFS= read -r line; do
        s3_rm "$1" "${line% *}"
    done < <(s3_ls "$1")
    s3_curl -o /dev/null -X DELETE "$S3_ENDPOINT/$1"
}

s3_manifest() {
    local bucket=$1 prefix=$2 f sep=''
    shift 2
    printf '{"entries": ['
    for f in "$@"; do
        printf '%s\n  {"url": "%s", "mandatory": true, "meta": {"content_length": %d}}' \
            "$sep" "$(s3_url "$bucket" "$prefix/${f##*/}")" "$(stat -c %s "$f")"
        sep=,
    done
    printf '\n]}\n'
}

# objstore_start DIR: start Ceph's radosgw (via ../shared/tools/objstore-ceph) as RUN_USER with
# its data in DIR, on a free port, and export S3_ENDPOINT S3_ACCESS_KEY S3_SECRET_KEY
# S3_REGION, plus OBJSTORE_DIR and OBJSTORE_PORT so a test can stop and restart it
# (objstore-ceph stop DIR; objstore-ceph start DIR PORT; the data is lost).  Returns 1 on failure.
objstore_start() {
    local dir=$1 port out t0
    mkdir -p "$dir"
    give_to_run_user "$dir"
    port=$(free_port)
    t0=$(now_ms)
    out=$(as_run_user "$dir" bash "$OBJSTORE_TOOL" start "$dir" "$port") ||
        { log "objstore-ceph failed to start (logs in $dir/log)"; return 1; }
    eval "$out"
    export S3_ENDPOINT S3_ACCESS_KEY S3_SECRET_KEY S3_REGION
    export OBJSTORE_DIR=$dir OBJSTORE_PORT=$port
    OBJSTORE_START_MS=$(( $(now_ms) - t0 ))
    log "object store up at $S3_ENDPOINT in ${OBJSTORE_START_MS} ms"
}

objstore_stop() {
    [ -d "$1" ] || return 0
    as_run_user "$1" bash "$OBJSTORE_TOOL" stop "$1" || true
}
