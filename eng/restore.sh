#!/usr/bin/env bash
# Restores the system's PostgreSQL from pgBackRest's backups and archived WAL (made by eng/backup.sh): the local
# server's data directory, or in the container mode the data volume recorded by the last eng/backup.sh.
#
#   eng/restore.sh --time "2026-12-03 14:05:00+01"   the database as it was at that moment (point in time)
#   eng/restore.sh --latest                         everything archived: the last backup plus all WAL after it
#
# The system must be stopped (Ctrl-C in eng/run.sh): the server's data directory is overwritten. The script then runs
# the restored server once, privately, until it has replayed the WAL to the target and promoted itself to a new
# timeline, and stops it again; start the system with eng/run.sh afterwards. A timestamp without an offset is read in
# the server's time zone. In the ha topology the standby's copy is deleted: eng/run.sh makes a fresh one from the
# restored primary.
#
# Environment (optional): SENSORS360_DATA_DIR=<repo>/.data, SENSORS360_INFRASTRUCTURE_MODE=auto (local when local
# backups are configured, else containers when recorded), SENSORS360_RESTORE_TIMEOUT=3600 (seconds allowed for
# replaying WAL).
set -euo pipefail

# shellcheck source=lib/prerequisites.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/prerequisites.sh"
# shellcheck source=lib/pgbackrest.sh
. "$REPO_ROOT/eng/lib/pgbackrest.sh"
# shellcheck source=lib/pgbackrest-container.sh
. "$REPO_ROOT/eng/lib/pgbackrest-container.sh"

usage() { echo 'usage: eng/restore.sh --time "YYYY-MM-DD HH:MM:SS[.ffffff][+TZ]" | --latest' >&2; exit 2; }
TARGET=
case "${1:-}" in
  --time) [ "$#" = 2 ] && [ -n "$2" ] || usage; TARGET=$2 ;;
  --latest) [ "$#" = 1 ] || usage ;;
  *) usage ;;
esac
if [ -n "$TARGET" ]; then
  date -d "$TARGET" >/dev/null 2>&1 || die "'$TARGET' is not a timestamp (e.g. \"2026-12-03 14:05:00+01\")"
fi

DATA_DIR=${SENSORS360_DATA_DIR:-$REPO_ROOT/.data}
PGDATA=$DATA_DIR/postgres
pgbackrest_paths "$PGDATA"
case "${SENSORS360_INFRASTRUCTURE_MODE:-auto}" in
  local) ;;
  containers) pgbackrest_container_restore "$TARGET"; exit ;;
  auto) [ -f "$PGBACKREST_CONF" ] || [ ! -f "$DATA_DIR/pgbackrest/container.env" ] || { pgbackrest_container_restore "$TARGET"; exit; } ;;
  *) die "SENSORS360_INFRASTRUCTURE_MODE must be auto, containers or local" ;;
esac
[ -f "$PGBACKREST_CONF" ] || die "no backups are configured for $PGDATA ($PGBACKREST_CONF is missing; eng/backup.sh makes backups)"

pid=$(sed -n 1p "$PGDATA/postmaster.pid" 2>/dev/null || true)
if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
  die "PostgreSQL is running on $PGDATA (pid $pid). Stop the system first (Ctrl-C in eng/run.sh), then run this again."
fi
ensure_pgbackrest

as_owner=()
[ "$(id -u)" != 0 ] || as_owner=(setpriv --reuid=postgres --regid=postgres --init-groups --)
BIN=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}
[ -x "$BIN/postgres" ] || die "no PostgreSQL server under /usr/lib/postgresql"

mkdir -p "$PGDATA"
chmod 700 "$PGDATA"
[ "$(id -u)" != 0 ] || chown postgres:postgres "$PGDATA"

if [ -n "$TARGET" ]; then
  say "Restoring $PGDATA to $TARGET"
  # pgBackRest picks the newest backup that ended before the target; the server replays WAL up to the target (the
  # transactions committed at or before it) and then promotes itself.
  pgbackrest_run --log-level-console=info --delta restore --type=time --target="$TARGET" --target-action=promote \
    || die "pgbackrest restore failed (log: $PGBACKREST_DIR/log). The target must be after the end of a backup
       (stop times, in whole seconds, below):
$(pgbackrest_run info 2>&1)"
else
  say "Restoring $PGDATA to the end of the archived WAL"
  pgbackrest_run --log-level-console=info --delta restore \
    || die "pgbackrest restore failed (log: $PGBACKREST_DIR/log)"
fi

# Replay now, privately (no TCP, socket in the data directory), so that eng/run.sh later finds an ordinary primary.
# The server archives as it does under eng/run.sh: the new timeline's history and WAL belong in the repository too.
pgbackrest_archive_args "$PGDATA"
port=5432
log=$PGBACKREST_DIR/log/restore-postgres.log
say "Replaying WAL (server log: $log)"
: > "$log"
[ "$(id -u)" != 0 ] || chown postgres:postgres "$log"
"${as_owner[@]}" "$BIN/postgres" -D "$PGDATA" -p "$port" -k "$PGDATA" -c listen_addresses= -c unix_socket_permissions=0700 \
  "${PGBACKREST_ARCHIVE_ARGS[@]}" >> "$log" 2>&1 &
server=$!
stop_server() { kill -INT "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; }
trap 'stop_server; exit 1' INT TERM

deadline=$((SECONDS + ${SENSORS360_RESTORE_TIMEOUT:-3600}))
until [ "$("${as_owner[@]}" "$BIN/psql" -XAtq -h "$PGDATA" -p "$port" -U postgres -d postgres -c 'SELECT pg_is_in_recovery()' 2>/dev/null)" = f ]; do
  if ! kill -0 "$server" 2>/dev/null; then
    tail -n 15 "$log" >&2
    die "PostgreSQL stopped during recovery (above: the end of $log). A target after the last archived WAL cannot
       be reached. $PGDATA now holds an unfinished restore: run eng/restore.sh again (--latest, or a time the backups
       cover: pgbackrest info below) before starting the system.
$(pgbackrest_run info 2>&1)"
  fi
  [ "$SECONDS" -lt "$deadline" ] || { stop_server; die "recovery did not finish within ${SENSORS360_RESTORE_TIMEOUT:-3600} s (log: $log)"; }
  sleep 0.5
done
timeline=$("${as_owner[@]}" "$BIN/psql" -XAtq -h "$PGDATA" -p "$port" -U postgres -d postgres -c "SELECT ('x' || substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8))::bit(32)::int")
stop_server
trap - INT TERM

if [ -d "$DATA_DIR/postgres-standby" ]; then
  rm -rf "$DATA_DIR/postgres-standby" "$DATA_DIR/postgres-standby.pgpass"
  say "Deleted the ha standby's old copy ($DATA_DIR/postgres-standby): eng/run.sh makes a new one from the restored primary"
fi
say "Restored${TARGET:+ to $TARGET} (now on timeline $timeline). Start the system with eng/run.sh."
