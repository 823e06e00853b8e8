#!/usr/bin/env bash
# Backs up the system's PostgreSQL with pgBackRest, while it runs: the local server (local infrastructure mode), or
# the container made from deploy/containers/postgres (container mode; eng/lib/pgbackrest-container.sh).
#
#   eng/backup.sh [full|diff|incr]
#
# Without an argument: a full backup if there is none yet, else an incremental one (changes since the last backup of
# any type). The first run creates the pgBackRest stanza; from then on the server (started by eng/run.sh) archives
# every WAL segment, which is what makes a restore to any moment after the first backup possible (eng/restore.sh).
# Backups past the retention are expired after each backup. Installs pgBackRest with apt-get when it is missing.
#
# Environment (all optional): SENSORS360_DATA_DIR=<repo>/.data (the server's data is in its postgres/),
# SENSORS360_INFRASTRUCTURE_MODE=auto (local when that data exists, else containers), SENSORS360_POSTGRES_CONTAINER
# (the container, when several run), and the
# repository settings SENSORS360_BACKUP_* (eng/lib/pgbackrest.sh; docs/deployment.md#backups). The settings are kept
# in <data dir>/pgbackrest/pgbackrest.conf: they need to be given again only to change them.
set -euo pipefail

# shellcheck source=lib/prerequisites.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/prerequisites.sh"
# shellcheck source=lib/pgbackrest.sh
. "$REPO_ROOT/eng/lib/pgbackrest.sh"
# shellcheck source=lib/pgbackrest-container.sh
. "$REPO_ROOT/eng/lib/pgbackrest-container.sh"

usage() { echo "usage: eng/backup.sh [full|diff|incr]   (default: full if there is no backup yet, else incr)" >&2; exit 2; }
case "${1:-}" in
  ""|incr) TYPE=incr ;;
  full|diff) TYPE=$1 ;;
  -h|--help) usage ;;
  *) echo "eng/backup.sh: unknown backup type '$1'" >&2; usage ;;
esac
[ "$#" -le 1 ] || usage

DATA_DIR=${SENSORS360_DATA_DIR:-$REPO_ROOT/.data}
PGDATA=$DATA_DIR/postgres
# The database of the mode the system runs in: a local server's data here, else the container's.
case "${SENSORS360_INFRASTRUCTURE_MODE:-auto}" in
  local) [ -s "$PGDATA/PG_VERSION" ] || die "no local PostgreSQL data in $PGDATA" ;;
  containers) pgbackrest_container_backup "$TYPE"; exit ;;
  auto) [ -s "$PGDATA/PG_VERSION" ] || { pgbackrest_container_backup "$TYPE"; exit; } ;;
  *) die "SENSORS360_INFRASTRUCTURE_MODE must be auto, containers or local" ;;
esac
[ ! -f "$PGDATA/standby.signal" ] || die "$PGDATA is a standby; back up the primary"

# The server must run: pgBackRest copies it online and waits until the WAL of the backup is archived.
pid=$(sed -n 1p "$PGDATA/postmaster.pid" 2>/dev/null || true)
port=$(sed -n 4p "$PGDATA/postmaster.pid" 2>/dev/null || true)
[ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || die "PostgreSQL is not running on $PGDATA: start the system (eng/run.sh) first"

ensure_pgbackrest
pgbackrest_paths "$PGDATA"
if [ ! -f "$PGBACKREST_CONF" ] || [ -n "$(compgen -v SENSORS360_BACKUP_ || true)" ]; then
  pgbackrest_write_config "$PGDATA" || die "cannot write $PGBACKREST_CONF"
fi

as_owner=()
[ "$(id -u)" != 0 ] || as_owner=(setpriv --reuid=postgres --regid=postgres --init-groups --)
BIN=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}
archive_command=$("${as_owner[@]}" "$BIN/psql" -XAtq -h "$PGDATA" -p "$port" -U postgres -d postgres -c 'SHOW archive_command') \
  || die "cannot connect to PostgreSQL through $PGDATA (port $port)"
case "$archive_command" in
  *"$PGBACKREST_CONF"*) ;;
  *) die "the running server does not archive WAL to pgBackRest (archive_command: '${archive_command}').
       It was started without it (an older eng/run.sh, or a throwaway data directory): restart the system with eng/run.sh." ;;
esac

say "pgBackRest stanza '$PGBACKREST_STANZA' ($(sed -n 's/^repo1-type=//p' "$PGBACKREST_CONF" | grep . || echo "posix: $PGBACKREST_LOCAL_REPO"))"
pgbackrest_run --pg1-port="$port" stanza-create >/dev/null || die "pgbackrest stanza-create failed (log: $PGBACKREST_DIR/log)"
if [ "$TYPE" != full ] && ! pgbackrest_run info --output=json | grep -q '"label"'; then
  say "no backup yet: this one is full"
  TYPE=full
fi
say "$TYPE backup"
# The server's socket files sit in the data directory: not data, and pgBackRest warns about special files.
pgbackrest_run --pg1-port="$port" --log-level-console=info backup --type="$TYPE" --exclude=".s.PGSQL.$port" --exclude=".s.PGSQL.$port.lock" \
  || die "pgbackrest backup failed (log: $PGBACKREST_DIR/log)"
pgbackrest_run info
