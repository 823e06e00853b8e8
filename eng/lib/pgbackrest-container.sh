# shellcheck shell=bash
# pgBackRest for the container mode's PostgreSQL (the image in deploy/containers/postgres): eng/backup.sh and
# eng/restore.sh call these when the database runs in a container. Sourced after prerequisites.sh and pgbackrest.sh;
# defines functions only.
#
# Inside the container everything of pgBackRest is on the backup volume /var/lib/pgbackrest (pgbackrest_paths with
# that root): the configuration, logs and locks, and the repository unless it is in S3. The container's entrypoint
# archives WAL once the configuration exists. What a restore needs once the containers are gone (the image, the
# volumes and where they were mounted) is recorded at each backup in <data dir>/pgbackrest/container.env.

PGBACKREST_CONTAINER_ROOT=/var/lib/pgbackrest

# Sets RUNTIME (docker or podman, whichever engine answers) or stops.
pgbackrest_container_runtime() {
  RUNTIME=$(container_runtime)
  [ -n "$RUNTIME" ] || die "no container engine answers (docker or podman): the container mode needs one"
}

# Prints the running primary's container: $SENSORS360_POSTGRES_CONTAINER, else the one container the AppHost named
# postgres-<suffix> (the ha standby is postgres-standby-<suffix>).
pgbackrest_container_find() {
  if [ -n "${SENSORS360_POSTGRES_CONTAINER:-}" ]; then
    echo "$SENSORS360_POSTGRES_CONTAINER"
    return
  fi
  local names
  names=$("$RUNTIME" ps --format '{{.Names}}' | grep -E '^postgres-[a-z0-9]+$' || true)
  case "$(printf '%s' "$names" | grep -c .)" in
    0) die "no PostgreSQL container runs: start the system (eng/run.sh) first" ;;
    1) echo "$names" ;;
    *) die "several PostgreSQL containers run ($(printf '%s ' $names)): name the system's in SENSORS360_POSTGRES_CONTAINER" ;;
  esac
}

# Runs a command in container $1 as the server's user.
pgbackrest_container_exec() {
  local container=$1
  shift
  "$RUNTIME" exec -i -u postgres "$container" "$@"
}

# eng/backup.sh for the container mode: backup type $1 (full|diff|incr) of the running primary.
pgbackrest_container_backup() {
  local type=$1 container pgdata archive_command
  pgbackrest_container_runtime
  container=$(pgbackrest_container_find)
  pgdata=$(pgbackrest_container_exec "$container" psql -XAtq -U postgres -d postgres -c 'SHOW data_directory') \
    || die "cannot connect to PostgreSQL in container $container"
  archive_command=$(pgbackrest_container_exec "$container" psql -XAtq -U postgres -d postgres -c 'SHOW archive_command')
  pgbackrest_paths "$pgdata" "$PGBACKREST_CONTAINER_ROOT"
  case "$archive_command" in
    *"$PGBACKREST_CONF"*) ;;
    *) die "container $container does not archive WAL to pgBackRest (archive_command: '${archive_command}'): it was not
       made from deploy/containers/postgres. Restart the system with this version of eng/run.sh." ;;
  esac

  # The configuration is written inside the container, where the server's archive_command finds it.
  local config
  config=$(pgbackrest_config "$pgdata" /var/run/postgresql) || die "the backup settings are incomplete"
  printf '%s\n' "$config" | pgbackrest_container_exec "$container" sh -c "umask 077 && mkdir -p '$PGBACKREST_DIR/log' \
    '$PGBACKREST_DIR/lock' '$PGBACKREST_LOCAL_REPO' && cat > '$PGBACKREST_CONF.new' && mv '$PGBACKREST_CONF.new' '$PGBACKREST_CONF'" \
    || die "cannot write $PGBACKREST_CONF in container $container"
  pgbackrest_container_record "$container" "$pgdata"

  local run=(pgbackrest_container_exec "$container" pgbackrest --config="$PGBACKREST_CONF" --stanza="$PGBACKREST_STANZA")
  say "pgBackRest stanza '$PGBACKREST_STANZA' in container $container"
  "${run[@]}" stanza-create >/dev/null || die "pgbackrest stanza-create failed (log: $PGBACKREST_DIR/log in $container)"
  if [ "$type" != full ] && ! "${run[@]}" info --output=json | grep -q '"label"'; then
    say "no backup yet: this one is full"
    type=full
  fi
  say "$type backup"
  "${run[@]}" --log-level-console=info backup --type="$type" || die "pgbackrest backup failed (log: $PGBACKREST_DIR/log in $container)"
  "${run[@]}" info
}

# Records in <data dir>/pgbackrest/container.env what eng/restore.sh needs after the containers are gone.
pgbackrest_container_record() {
  local container=$1 pgdata=$2 record data_mount backup_mount standby_volume
  record=$DATA_DIR/pgbackrest/container.env
  data_mount=$("$RUNTIME" inspect -f '{{range .Mounts}}{{if eq .Type "volume"}}{{if ne .Destination "'"$PGBACKREST_CONTAINER_ROOT"'"}}{{.Name}}:{{.Destination}}{{end}}{{end}}{{end}}' "$container")
  backup_mount=$("$RUNTIME" inspect -f '{{range .Mounts}}{{if eq .Destination "'"$PGBACKREST_CONTAINER_ROOT"'"}}{{.Name}}{{end}}{{end}}' "$container")
  [ -n "$data_mount" ] && [ -n "$backup_mount" ] || die "container $container lacks its data or backup volume"
  standby_volume=$("$RUNTIME" ps --format '{{.Names}}' | grep -E '^postgres-standby-' | head -n 1 \
    | xargs -r "$RUNTIME" inspect -f '{{range .Mounts}}{{if eq .Type "volume"}}{{.Name}}{{end}}{{end}}')
  mkdir -p "$DATA_DIR/pgbackrest"
  (umask 077; cat > "$record") <<RECORD
# Written by eng/backup.sh: the container mode's PostgreSQL, for eng/restore.sh.
IMAGE=$("$RUNTIME" inspect -f '{{.Image}}' "$container")
DATA_VOLUME=${data_mount%%:*}
DATA_TARGET=${data_mount#*:}
PGDATA=$pgdata
BACKUP_VOLUME=$backup_mount
STANDBY_VOLUME=$standby_volume
RECORD
}

# eng/restore.sh for the container mode: restore to time $1 (or, when empty, to the end of the archived WAL), replay it
# in a private container until the server is a primary again, and delete the ha standby's volume.
pgbackrest_container_restore() {
  local target=$1 record=$DATA_DIR/pgbackrest/container.env IMAGE DATA_VOLUME DATA_TARGET PGDATA BACKUP_VOLUME STANDBY_VOLUME
  [ -f "$record" ] || die "no container backups are recorded ($record is missing; eng/backup.sh makes backups)"
  # shellcheck source=/dev/null
  . "$record"
  pgbackrest_container_runtime
  [ -z "$("$RUNTIME" ps -q --filter "volume=$DATA_VOLUME")" ] \
    || die "PostgreSQL is running on volume $DATA_VOLUME. Stop the system first (Ctrl-C in eng/run.sh), then run this again."
  "$RUNTIME" image inspect "$IMAGE" >/dev/null 2>&1 || die "the image the backups were made with ($IMAGE) is gone: start and stop
       the system once (eng/run.sh builds it again), then run this again"
  pgbackrest_paths "$PGDATA" "$PGBACKREST_CONTAINER_ROOT"
  local mounts=(-v "$DATA_VOLUME:$DATA_TARGET" -v "$BACKUP_VOLUME:$PGBACKREST_CONTAINER_ROOT" -e "PGDATA=$PGDATA" -u postgres)
  local restore=("$RUNTIME" run --rm "${mounts[@]}" --entrypoint pgbackrest "$IMAGE" --config="$PGBACKREST_CONF" --stanza="$PGBACKREST_STANZA")

  if [ -n "$target" ]; then
    say "Restoring volume $DATA_VOLUME to $target"
    "${restore[@]}" --log-level-console=info --delta restore --type=time --target="$target" --target-action=promote \
      || die "pgbackrest restore failed. The target must be after the end of a backup (stop times, in whole seconds, below):
$("${restore[@]}" info 2>&1)"
  else
    say "Restoring volume $DATA_VOLUME to the end of the archived WAL"
    "${restore[@]}" --log-level-console=info --delta restore || die "pgbackrest restore failed"
  fi

  # Replay now, in a container without a published port, so that eng/run.sh later finds an ordinary primary.
  local name=sensors360-restore-$$ deadline=$((SECONDS + ${SENSORS360_RESTORE_TIMEOUT:-3600}))
  say "Replaying WAL (container $name)"
  "$RUNTIME" run -d --name "$name" "${mounts[@]}" "$IMAGE" postgres -c listen_addresses= >/dev/null \
    || die "cannot start PostgreSQL on the restored volume"
  trap '"$RUNTIME" rm -f "$name" >/dev/null 2>&1; exit 1' INT TERM
  until [ "$("$RUNTIME" exec -u postgres "$name" psql -XAtq -U postgres -d postgres -c 'SELECT pg_is_in_recovery()' 2>/dev/null)" = f ]; do
    if [ "$("$RUNTIME" inspect -f '{{.State.Running}}' "$name")" != true ]; then
      "$RUNTIME" logs --tail 15 "$name" >&2
      "$RUNTIME" rm -f "$name" >/dev/null
      die "PostgreSQL stopped during recovery (above: its last lines). A target after the last archived WAL cannot be
       reached. Volume $DATA_VOLUME now holds an unfinished restore: run eng/restore.sh again (--latest, or a time the
       backups cover: pgbackrest info below) before starting the system.
$("${restore[@]}" info 2>&1)"
    fi
    [ "$SECONDS" -lt "$deadline" ] || { "$RUNTIME" rm -f "$name" >/dev/null; die "recovery did not finish within ${SENSORS360_RESTORE_TIMEOUT:-3600} s"; }
    sleep 0.5
  done
  "$RUNTIME" stop "$name" >/dev/null && "$RUNTIME" rm "$name" >/dev/null
  trap - INT TERM

  if [ -n "$STANDBY_VOLUME" ] && "$RUNTIME" volume inspect "$STANDBY_VOLUME" >/dev/null 2>&1; then
    "$RUNTIME" volume rm "$STANDBY_VOLUME" >/dev/null || die "cannot delete the ha standby's volume $STANDBY_VOLUME"
    say "Deleted the ha standby's old copy (volume $STANDBY_VOLUME): eng/run.sh makes a new one from the restored primary"
  fi
  say "Restored${target:+ to $target}. Start the system with eng/run.sh."
}
