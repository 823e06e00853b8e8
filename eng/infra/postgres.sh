#!/usr/bin/env bash
# Runs the machine's PostgreSQL server for the AppHost's local infrastructure mode.
#
# Arguments are passed to the server (the AppHost's Infrastructure:PostgresSettings as -c name=value).
# Started by Aspire (DCP) with: PGPORT, PGDATA_DIR, POSTGRES_PASSWORD, POSTGRES_DB, EPHEMERAL (1 = delete the
# data directory on exit). Stays in the foreground; on SIGTERM/SIGINT it asks the server for a fast shutdown,
# waits for it, and only then removes throwaway data — so nothing is left running or lying around.
#
# With PRIMARY_PORT (the AppHost's ha topology) the server is a streaming hot standby of the primary on
# 127.0.0.1:PRIMARY_PORT: made once with pg_basebackup, replicating through the slot "sensors360_standby", as the
# superuser (POSTGRES_PASSWORD is the primary's). A data directory that is no longer a standby was promoted: it
# refuses to start next to its old primary (docs/scaling.md says how to rebuild one of them).
#
# With WAL_ARCHIVE=1 (the AppHost's primary when its data is kept) every finished WAL segment goes to pgBackRest once
# eng/backup.sh has configured it (eng/lib/pgbackrest.sh; docs/deployment.md#backups).
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
    rm -rf "$PGDATA_DIR" "$PGDATA_DIR.pgpass"
    rmdir "$(dirname "$PGDATA_DIR")" 2>/dev/null || true
  fi
}

mkdir -p "$PGDATA_DIR"
# Run as root, the server drops to the postgres account, which must be able to pass through the parent (not list it).
[ "$(id -u)" = 0 ] && chmod o+x "$(dirname "$PGDATA_DIR")"
[ "$(id -u)" = 0 ] && chown postgres:postgres "$PGDATA_DIR"
chmod 700 "$PGDATA_DIR"

SLOT=sensors360_standby
standby_args=()
if [ -n "${PRIMARY_PORT:-}" ]; then
  # The password goes in a file, never on a command line where ps would show it.
  passfile="$PGDATA_DIR.pgpass"
  (umask 077; printf '127.0.0.1:%s:*:postgres:%s\n' "$PRIMARY_PORT" "$POSTGRES_PASSWORD" > "$passfile")
  [ "$(id -u)" = 0 ] && chown postgres:postgres "$passfile"
  export PGPASSFILE=$passfile
  conninfo="host=127.0.0.1 port=$PRIMARY_PORT user=postgres passfile=$passfile application_name=$SLOT"
  if [ ! -s "$PGDATA_DIR/PG_VERSION" ]; then
    until "$BIN/pg_isready" -q -h 127.0.0.1 -p "$PRIMARY_PORT"; do sleep 0.5; done
    # A slot left by an earlier standby would hold WAL for nobody; this copy starts from a fresh one.
    "$BIN/psql" -q -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres -d postgres -v ON_ERROR_STOP=1 \
      -c "SELECT pg_drop_replication_slot('$SLOT') FROM pg_replication_slots WHERE slot_name = '$SLOT' AND NOT active" >/dev/null \
      || { echo "postgres.sh: cannot reach the primary on 127.0.0.1:$PRIMARY_PORT" >&2; exit 1; }
    if ! "${as_owner[@]}" "$BIN/pg_basebackup" -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres -D "$PGDATA_DIR" \
        --write-recovery-conf --wal-method=stream --create-slot --slot="$SLOT" --checkpoint=fast --no-password; then
      echo "postgres.sh: pg_basebackup from 127.0.0.1:$PRIMARY_PORT failed" >&2
      rm -rf "${PGDATA_DIR:?}"/*
      remove_throwaway_data
      exit 1
    fi
  elif [ ! -f "$PGDATA_DIR/standby.signal" ]; then
    echo "postgres.sh: $PGDATA_DIR was promoted to a primary and its old primary (127.0.0.1:$PRIMARY_PORT) is configured" \
      "to run too; two primaries would split the data. Rebuild one of them first (docs/scaling.md)." >&2
    exit 1
  fi
  # The primary's port may differ from the one the copy was made from.
  standby_args=(-c "primary_conninfo=$conninfo" -c "primary_slot_name=$SLOT")
fi

archive_args=()
if [ "${WAL_ARCHIVE:-0}" = 1 ] && [ -z "${PRIMARY_PORT:-}" ]; then
  # shellcheck source=../lib/pgbackrest.sh
  . "$(dirname "${BASH_SOURCE[0]}")/../lib/pgbackrest.sh"
  pgbackrest_archive_args "$PGDATA_DIR"
  archive_args=("${PGBACKREST_ARCHIVE_ARGS[@]}")
fi

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
  -c listen_addresses=127.0.0.1 -c unix_socket_permissions=0700 "${archive_args[@]}" "$@" "${standby_args[@]}" &
PID=$!
trap 'kill -INT "$PID" 2>/dev/null' TERM INT

# Once it accepts connections: make sure the password and the application database match what Aspire hands out.
for _ in $(seq 1 240); do
  kill -0 "$PID" 2>/dev/null || break
  if "$BIN/pg_isready" -q -U postgres -h "$PGDATA_DIR" -p "$PGPORT"; then
    if [ -n "${PRIMARY_PORT:-}" ]; then
      echo "postgres.sh: standby of 127.0.0.1:$PRIMARY_PORT ready on 127.0.0.1:$PGPORT (data: $PGDATA_DIR)"
      break
    fi
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
