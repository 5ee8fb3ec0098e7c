#!/bin/sh
# Run a command against a throw-away PostgreSQL 15 server on loopback:
#   scripts/with-postgres.sh sh scripts/test.sh
# The server refuses to run as root, so as root it runs as the `postgres` user.
set -eu
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
if [ ! -x "$PGBIN/initdb" ]; then
    if [ "$(id -u)" = 0 ]; then
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql-15 >/dev/null
    else
        echo "with-postgres: $PGBIN/initdb not found (apt-get install postgresql-15)" >&2
        exit 1
    fi
fi
as_pg() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
DATA=$(mktemp -d /tmp/ducha-pg.XXXXXX)
PORT=${DUCHA_PG_PORT:-55432}
[ "$(id -u)" = 0 ] && chown postgres "$DATA"
cleanup() {
    as_pg "$PGBIN/pg_ctl" -D "$DATA/db" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$DATA"
}
trap cleanup EXIT INT TERM
as_pg "$PGBIN/initdb" -D "$DATA/db" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
as_pg "$PGBIN/pg_ctl" -D "$DATA/db" -l "$DATA/server.log" -w \
    -o "-p $PORT -k $DATA -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null
as_pg "$PGBIN/createdb" -h 127.0.0.1 -p "$PORT" -U postgres ducha
export DUCHA_DATABASE_URL="postgres://postgres@127.0.0.1:$PORT/ducha"
echo "with-postgres: PostgreSQL $("$PGBIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$PORT" >&2
"$@"
