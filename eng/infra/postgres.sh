#!/usr/bin/env bash
# Runs the machine's PostgreSQL server for the AppHost's local infrastructure mode.
#
# Arguments are passed to the server (the AppHost's Infrastructure:PostgresSettings as -c name=value).
# Started by Aspire (DCP) with: PGPORT, PGDATA_DIR, POSTGRES_PASSWORD, POSTGRES_DB, EPHEMERAL (1 = delete the
# data directory on exit). Stays in the foreground; on SIGTERM/SIGINT it asks the server for a fast shutdown,
# waits for it, and only then removes throwaway data — so nothing is left running or lying around.
set -uo pipefail

: "${PGPORT:?PGPORT is required}" "${PGDATA_DIR:?PGDATA_DIR is required}" "${POSTGRES_PASSWORD:?POSTGRES_PASSWORD is required}"
DB=${POSTGRES_DB:-sensorsdb}
BIN=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}
if [ ! -x "$BIN/postgres" ]; then
  echo "postgres.sh: no PostgreSQL server under /usr/lib/postgresql (apt-get install postgresql, or set PG_BIN)" >&2
  exit 1
fi

# PostgreSQL refuses to run as root: drop to the postgres system user when we are root.
as_owner=()
if [ "$(id -u)" = 0 ]; then as_owner=(setpriv --reuid=postgres --regid=postgres --init-groups --); fi

remove_throwaway_data() {
  if [ "${EPHEMERAL:-0}" = 1 ]; then
    rm -rf "$PGDATA_DIR"
    rmdir "$(dirname "$PGDATA_DIR")" 2>/dev/null || true
  fi
}

mkdir -p "$PGDATA_DIR"
# Run as root, the server drops to the postgres account, which must be able to pass through the parent (not list it).
[ "$(id -u)" = 0 ] && chmod o+x "$(dirname "$PGDATA_DIR")"
[ "$(id -u)" = 0 ] && chown postgres:postgres "$PGDATA_DIR"
chmod 700 "$PGDATA_DIR"

if [ ! -s "$PGDATA_DIR/PG_VERSION" ]; then
  # Socket connections (in the 0700 data directory) are trusted; TCP needs the password.
  pwfile="$(dirname "$PGDATA_DIR")/.initdb-pw-$$"
  (umask 077; printf '%s\n' "$POSTGRES_PASSWORD" > "$pwfile")
  [ "$(id -u)" = 0 ] && chown postgres:postgres "$pwfile"
  "${as_owner[@]}" "$BIN/initdb" -D "$PGDATA_DIR" -U postgres -E UTF8 --locale=C.UTF-8 \
    --auth-local=trust --auth-host=scram-sha-256 --pwfile="$pwfile" >/dev/null
  initdb_status=$?
  rm -f "$pwfile"
  if [ "$initdb_status" != 0 ]; then
    echo "postgres.sh: initdb failed" >&2
    remove_throwaway_data
    exit 1
  fi
fi

"${as_owner[@]}" "$BIN/postgres" -D "$PGDATA_DIR" -p "$PGPORT" -k "$PGDATA_DIR" \
  -c listen_addresses=127.0.0.1 -c unix_socket_permissions=0700 "$@" &
PID=$!
trap 'kill -INT "$PID" 2>/dev/null' TERM INT

# Once it accepts connections: make sure the password and the application database match what Aspire hands out.
for _ in $(seq 1 240); do
  kill -0 "$PID" 2>/dev/null || break
  if "$BIN/pg_isready" -q -U postgres -h "$PGDATA_DIR" -p "$PGPORT"; then
    POSTGRES_DB="$DB" "${as_owner[@]}" "$BIN/psql" -q -h "$PGDATA_DIR" -p "$PGPORT" -U postgres -d postgres -v ON_ERROR_STOP=1 <<'SQL' \
      || echo "postgres.sh: could not set the password or create the database" >&2
\getenv pw POSTGRES_PASSWORD
\getenv db POSTGRES_DB
ALTER USER postgres PASSWORD :'pw';
SELECT format('CREATE DATABASE %I', :'db') WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'db') \gexec
SQL
    echo "postgres.sh: ready on 127.0.0.1:$PGPORT (data: $PGDATA_DIR)"
    break
  fi
  sleep 0.25
done

# `wait` returns early when a trapped signal arrives; keep waiting until the server has really exited.
status=0
while kill -0 "$PID" 2>/dev/null; do
  wait "$PID"
  status=$?
done
remove_throwaway_data
exit "$status"
