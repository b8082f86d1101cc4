# test/lib/deps.sh: install what building, testing and the demo need (Debian 12).
#
# deps_install: idempotent, and fast when everything is there (one dpkg-query call, no
# apt-get update).  As root it installs what is missing; otherwise it fails listing what is
# missing, since only root can apt-get.  Source common.sh first.

DEPS_APT_PACKAGES=(
    make gcc
    postgresql-15 postgresql-server-dev-15
    libcurl4-openssl-dev libjansson-dev libzstd-dev zstd libsnappy-dev liblz4-dev
    libbrotli-dev zlib1g-dev libxml2-dev pkg-config
    libipc-run-perl clang libclang-rt-14-dev valgrind
    nodejs npm curl
)

# deps_ceph_packages: the Debian packages objstore-ceph installs by itself.  Read from the
# tool so the list lives in one place; we install them up front because the tool runs as
# RUN_USER here, who cannot apt-get.
deps_ceph_packages() {
    sed -n 's/^PKGS="\(.*\)"$/\1/p' "$OBJSTORE_TOOL"
}

# deps_missing PKG...: print the packages among PKG that are not installed.
deps_missing() {
    local pkg installed
    installed=$(dpkg-query -W -f='${Package} ${db:Status-Status}\n' "$@" 2>/dev/null |
        awk '$2 == "installed" { print $1 }')
    for pkg in "$@"; do
        case "$pkg" in
            # NodeSource's nodejs bundles npm and conflicts with Debian's npm package:
            # any working node/npm will do.
            nodejs) command -v node >/dev/null 2>&1 && continue ;;
            npm) command -v npm >/dev/null 2>&1 && continue ;;
        esac
        grep -qx "$pkg" <<<"$installed" || echo "$pkg"
    done
}

deps_install() {
    local -a missing
    # shellcheck disable=SC2046 # the ceph list is space-separated on purpose
    mapfile -t missing < <(deps_missing "${DEPS_APT_PACKAGES[@]}" $(deps_ceph_packages))
    if [ ${#missing[@]} -gt 0 ]; then
        [ "$(id -u)" = 0 ] || die "missing Debian packages (run as root, or apt-get install them): ${missing[*]}"
        log "installing: ${missing[*]}"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq
        apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    fi
    pg_bindir_setup
    id "$RUN_USER" >/dev/null 2>&1 || die "user $RUN_USER does not exist (it comes with postgresql-15)"
}

# deps_npm DIR: `npm ci` in DIR (a package.json with its lock file) unless node_modules is
# there.  Only the npm registry is used.  npm 11 refuses (EUSAGE) a lock written on one
# platform for packages with per-platform optional dependencies (DuckDB's bindings): then
# `npm install --no-save` installs the lock's versions and leaves the lock as it is.
deps_npm() {
    local dir=$1
    [ -d "$dir/node_modules" ] && return 0
    log "npm ci in $dir"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=silent) && return 0
    log "npm ci refused the lock in $dir: npm install --no-save"
    rm -rf "$dir/node_modules"
    (cd "$dir" && npm install --no-save --no-audit --no-fund --loglevel=error)
}
