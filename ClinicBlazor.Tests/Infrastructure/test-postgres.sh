#!/usr/bin/env bash
# A throw-away PostgreSQL for the tests: a new cluster in a temporary directory owned by the user
# that runs the server (postgres when this runs as root, since initdb refuses root), listening on
# loopback only at a free port, without durability (tests need none).
#   test-postgres.sh start    prints two lines: the cluster's directory, then its connection string
#   test-postgres.sh stop DIR stops that cluster and deletes its directory
# Installs Debian's postgresql package when it is missing and this runs as root. Any failure ends
# with one sentence on stderr and exit status 1.
set -euo pipefail

fail() { echo "PostgreSQL for the tests could not start: $*" >&2; exit 1; }

as_owner() {
  if [ "$(id -u)" = "0" ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

find_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }

case "${1:-}" in
  start)
    bin=$(find_bin)
    if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
      if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
        echo "==> installing PostgreSQL (Debian's postgresql package)" >&2
        apt-get update -qq >/dev/null
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null || fail "apt-get install postgresql failed."
        bin=$(find_bin)
      fi
    fi
    [ -n "$bin" ] && [ -x "$bin/initdb" ] || fail "no /usr/lib/postgresql/*/bin/initdb and not root on Debian; install the postgresql package."
    if [ "$(id -u)" = "0" ] && ! id postgres >/dev/null 2>&1; then
      fail "running as root but there is no postgres user to own the cluster (initdb refuses root)."
    fi

    dir=$(mktemp -d "${TMPDIR:-/tmp}/clinicblazor-pg.XXXXXX")
    chmod 755 "$dir"
    [ "$(id -u)" = "0" ] && chown postgres: "$dir"
    as_owner "$bin/initdb" -D "$dir/data" -A trust -U postgres -E UTF8 --locale=C --no-sync >"$dir/initdb.log" 2>&1 \
      || fail "initdb failed: $(tail -n 1 "$dir/initdb.log")"

    for attempt in 1 2 3 4 5; do
      port=$(( 20000 + (RANDOM * 32768 + RANDOM) % 40000 ))
      if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then continue; fi
      if as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start \
          -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=400 -c shared_buffers=64MB" >/dev/null 2>&1; then
        echo "$dir"
        echo "Host=127.0.0.1;Port=$port;Username=postgres;Database=postgres"
        exit 0
      fi
    done
    fail "pg_ctl start failed five times: $(tail -n 1 "$dir/server.log" 2>/dev/null)"
    ;;
  stop)
    dir=${2:?usage: test-postgres.sh stop DIR}
    bin=$(find_bin)
    if [ -f "$dir/data/postmaster.pid" ]; then
      as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
    ;;
  *)
    echo "usage: test-postgres.sh start | stop DIR" >&2
    exit 2
    ;;
esac
