#!/bin/sh
# A PostgreSQL 15 server for the benchmarks, kept between runs under var/bench/pg15
# (the 1,000,000-project campaign takes long to load: load once, measure many times).
#   bench/bench_pg.sh start [--load]   --load: fsync off while bench_stats.py fills it
#   bench/bench_pg.sh stop | url
# As root the server runs as the `postgres` user (it refuses root), as scripts/with-postgres.sh.
set -eu
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DATA=${DUCHA_BENCH_PG_DIR:-$ROOT/var/bench/pg15}
PORT=${DUCHA_BENCH_PG_PORT:-55471}
URL="postgres://postgres@127.0.0.1:$PORT/ducha"
as_pg() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
case "${1:-}" in
start)
    if [ ! -d "$DATA/db" ]; then
        mkdir -p "$DATA"
        [ "$(id -u)" = 0 ] && chown postgres "$DATA"
        as_pg "$PGBIN/initdb" -D "$DATA/db" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
        fresh=1
    fi
    # Sized for the 2-core, 23 GB benchmark machine; 120 connections: 50 users' workers and the job worker.
    opts="-p $PORT -k $DATA -c listen_addresses=127.0.0.1 -c shared_buffers=2GB -c effective_cache_size=8GB"
    opts="$opts -c work_mem=32MB -c maintenance_work_mem=512MB -c max_connections=120 -c max_wal_size=4GB"
    [ "${2:-}" = --load ] && opts="$opts -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    as_pg "$PGBIN/pg_ctl" -D "$DATA/db" -l "$DATA/server.log" -w -o "$opts" start >/dev/null
    [ -n "${fresh:-}" ] && as_pg "$PGBIN/createdb" -h 127.0.0.1 -p "$PORT" -U postgres ducha
    echo "$URL"
    ;;
stop)
    as_pg "$PGBIN/pg_ctl" -D "$DATA/db" -m fast stop >/dev/null
    ;;
url)
    echo "$URL"
    ;;
*)
    echo "usage: $0 start [--load] | stop | url" >&2
    exit 2
    ;;
esac
