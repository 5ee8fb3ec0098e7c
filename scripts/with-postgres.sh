#!/bin/sh
# Run a command against a throw-away PostgreSQL 15 server on loopback:
#   scripts/with-postgres.sh sh scripts/test.sh
# The server refuses to run as root, so as root it runs as the `postgres` user.
# DUCHA_PG_PORT: the port to try first (default: a free one); PGBIN: PostgreSQL's programs.
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
[ "$(id -u)" = 0 ] && chown postgres "$DATA"
cleanup() {
    as_pg "$PGBIN/pg_ctl" -D "$DATA/db" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$DATA"
}
trap cleanup EXIT INT TERM
# A port below the kernel's ephemeral range (32768-60999), where no client connection or
# test server bound to port 0 can hold it, and free now.
free_port() {
    python3 -c 'import random, socket
for port in random.sample(range(20000, 32000), 200):
    with socket.socket() as s:
        try: s.bind(("127.0.0.1", port))
        except OSError: continue
        print(port); break'
}
as_pg "$PGBIN/initdb" -D "$DATA/db" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
# Dynamic shared memory in the data folder rather than /dev/shm, which containers keep small.
# A failed start prints the server's log and tries another port, three times at most.
PORT=${DUCHA_PG_PORT:-$(free_port)}
for attempt in 1 2 3; do
    if as_pg "$PGBIN/pg_ctl" -D "$DATA/db" -l "$DATA/server.log" -w -t 120 -o \
        "-p $PORT -k $DATA -c listen_addresses=127.0.0.1 -c fsync=off -c dynamic_shared_memory_type=mmap" \
        start >/dev/null; then
        break
    fi
    echo "with-postgres: the server did not start on port $PORT; its log:" >&2
    cat "$DATA/server.log" >&2
    [ "$attempt" = 3 ] && exit 1
    # (one that timed out may still be starting: it would hold the data folder)
    as_pg "$PGBIN/pg_ctl" -D "$DATA/db" -m immediate stop >/dev/null 2>&1 || true
    PORT=$(free_port)
done
as_pg "$PGBIN/createdb" -h 127.0.0.1 -p "$PORT" -U postgres ducha
export DUCHA_DATABASE_URL="postgres://postgres@127.0.0.1:$PORT/ducha"
echo "with-postgres: PostgreSQL $("$PGBIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$PORT" >&2
"$@"
