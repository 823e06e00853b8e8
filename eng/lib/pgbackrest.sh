# shellcheck shell=bash
# pgBackRest for the local PostgreSQL: the stanza, the paths and the configuration file live here and nowhere else.
# Sourced by eng/infra/postgres.sh (the archiving settings the server starts with), eng/backup.sh and eng/restore.sh.
# Defines functions and variables only: no side effects when sourced.
#
# For a server whose data directory is <data dir>/postgres (SENSORS360_DATA_DIR, .data by default):
#   <data dir>/pgbackrest/pgbackrest.conf   the configuration, 0600 (it may hold S3 keys); written by eng/backup.sh
#   <data dir>/pgbackrest/log, lock         pgBackRest's logs and lock files
#   <data dir>/backups                      the repository, unless it is in S3

PGBACKREST_STANZA=sensors360

# Sets PGBACKREST_DIR, PGBACKREST_CONF and PGBACKREST_LOCAL_REPO for the server whose data directory is $1: next to
# it, or under $2 (in a container: /var/lib/pgbackrest, the backup volume).
pgbackrest_paths() {
  local root=${2:-$(dirname "$1")}
  PGBACKREST_DIR=$root/pgbackrest
  PGBACKREST_CONF=$PGBACKREST_DIR/pgbackrest.conf
  PGBACKREST_LOCAL_REPO=$root/backups
}

# Sets PGBACKREST_ARCHIVE_ARGS: the server arguments that hand every finished WAL segment to pgBackRest.
# Until eng/backup.sh has written the configuration (and created the stanza) there is no backup that WAL could be
# replayed onto, so the command reports success and PostgreSQL recycles the segment as it would without archiving:
# nothing piles up before the first backup. From then on a failing push is retried by PostgreSQL and the segment is
# kept, up to archive-push-queue-max (below), past which pgBackRest drops WAL rather than let the disk fill up.
# archive_timeout bounds what a "latest" restore can miss on a quiet system: one minute of WAL.
pgbackrest_archive_args() {
  pgbackrest_paths "$1"
  PGBACKREST_ARCHIVE_ARGS=(
    -c archive_mode=on
    -c "archive_command=test ! -f '$PGBACKREST_CONF' || pgbackrest --config='$PGBACKREST_CONF' --stanza=$PGBACKREST_STANZA archive-push %p"
    -c archive_timeout=60
  )
}

# Writes the configuration for the server whose data directory is $1, from the SENSORS360_BACKUP_* variables:
#   SENSORS360_BACKUP_RETENTION_FULL=2     full backups kept (with the incrementals and WAL that depend on them)
#   SENSORS360_BACKUP_S3_BUCKET=<name>     an S3-compatible repository instead of <data dir>/backups; then also
#   SENSORS360_BACKUP_S3_ENDPOINT=host[:port], SENSORS360_BACKUP_S3_KEY, SENSORS360_BACKUP_S3_KEY_SECRET,
#   SENSORS360_BACKUP_S3_REGION (us-east-1), SENSORS360_BACKUP_S3_PATH (/sensors360: the prefix in the bucket),
#   SENSORS360_BACKUP_S3_URI_STYLE (host | path: path for most self-hosted servers),
#   SENSORS360_BACKUP_S3_VERIFY_TLS (y | n: n only for a server with a self-signed certificate)
# Prints an error and returns 1 when the settings are incomplete.
pgbackrest_write_config() {
  local pgdata=$1 tmp
  pgbackrest_paths "$pgdata"
  mkdir -p "$PGBACKREST_DIR/log" "$PGBACKREST_DIR/lock" || return 1
  if [ -z "${SENSORS360_BACKUP_S3_BUCKET:-}" ]; then
    mkdir -p "$PGBACKREST_LOCAL_REPO" || return 1
    chmod 700 "$PGBACKREST_LOCAL_REPO"
    [ "$(id -u)" != 0 ] || chown postgres:postgres "$PGBACKREST_LOCAL_REPO"
  fi
  tmp=$PGBACKREST_CONF.new
  (umask 077; pgbackrest_config "$pgdata" "$pgdata" > "$tmp") || { rm -f "$tmp"; return 1; }
  mv "$tmp" "$PGBACKREST_CONF" || return 1
  # pgBackRest runs as the server's user: PostgreSQL starts archive-push, and the scripts run it the same way.
  chmod 700 "$PGBACKREST_DIR"
  [ "$(id -u)" != 0 ] || chown -R postgres:postgres "$PGBACKREST_DIR"
}

# Prints the configuration (with the paths pgbackrest_paths set) for the server whose data directory is $1 and whose
# socket is in $2, from the SENSORS360_BACKUP_* variables above. Returns 1 when they are incomplete.
pgbackrest_config() {
  local pgdata=$1 socket=$2 repo
  if [ -n "${SENSORS360_BACKUP_S3_BUCKET:-}" ]; then
    local endpoint=${SENSORS360_BACKUP_S3_ENDPOINT:-} name
    for name in SENSORS360_BACKUP_S3_ENDPOINT SENSORS360_BACKUP_S3_KEY SENSORS360_BACKUP_S3_KEY_SECRET; do
      [ -n "${!name:-}" ] || { echo "$name is required with SENSORS360_BACKUP_S3_BUCKET" >&2; return 1; }
    done
    case "${SENSORS360_BACKUP_S3_URI_STYLE:-host}" in host|path) ;; *) echo "SENSORS360_BACKUP_S3_URI_STYLE must be host or path" >&2; return 1 ;; esac
    case "${SENSORS360_BACKUP_S3_VERIFY_TLS:-y}" in y|n) ;; *) echo "SENSORS360_BACKUP_S3_VERIFY_TLS must be y or n" >&2; return 1 ;; esac
    repo="repo1-type=s3
repo1-path=${SENSORS360_BACKUP_S3_PATH:-/sensors360}
repo1-s3-bucket=$SENSORS360_BACKUP_S3_BUCKET
repo1-s3-endpoint=${endpoint%%:*}
repo1-s3-region=${SENSORS360_BACKUP_S3_REGION:-us-east-1}
repo1-s3-key=$SENSORS360_BACKUP_S3_KEY
repo1-s3-key-secret=$SENSORS360_BACKUP_S3_KEY_SECRET
repo1-s3-uri-style=${SENSORS360_BACKUP_S3_URI_STYLE:-host}
repo1-storage-verify-tls=${SENSORS360_BACKUP_S3_VERIFY_TLS:-y}"
    [ "$endpoint" = "${endpoint%%:*}" ] || repo+="
repo1-storage-port=${endpoint##*:}"
  else
    repo="repo1-path=$PGBACKREST_LOCAL_REPO"
  fi
  cat <<CONF
# Written by eng/backup.sh (eng/lib/pgbackrest.sh); changes here are lost when a SENSORS360_BACKUP_* variable is set.
[global]
$repo
repo1-retention-full=${SENSORS360_BACKUP_RETENTION_FULL:-2}
compress-type=zst
start-fast=y
archive-push-queue-max=4GB
log-path=$PGBACKREST_DIR/log
lock-path=$PGBACKREST_DIR/lock
log-level-console=warn
log-level-file=info

[$PGBACKREST_STANZA]
pg1-path=$pgdata
pg1-socket-path=$socket
pg1-user=postgres
CONF
}

# Runs pgbackrest with the configuration and stanza, as the server's user (postgres when we are root).
pgbackrest_run() {
  local owner=()
  [ "$(id -u)" != 0 ] || owner=(setpriv --reuid=postgres --regid=postgres --init-groups --)
  "${owner[@]}" pgbackrest --config="$PGBACKREST_CONF" --stanza="$PGBACKREST_STANZA" "$@"
}
