#!/usr/bin/env bash
# Starts the whole Sensors 360 system: PostgreSQL, RabbitMQ, the four services and the Aspire dashboard.
# Installs what is missing first (apt-get, when there is no container engine). Ctrl-C stops everything.
#
# Environment (all optional):
#   SENSORS360_GATEWAY_PORT=8080        operators' entry point (dashboard + API)
#   SENSORS360_INGESTION_PORT=8081      sensors' heartbeat API
#   SENSORS360_MQTT_PORT=1883           MQTT devices (RabbitMQ's MQTT plugin; same keys, docs/mqtt.md)
#   SENSORS360_ADMIN_PASSWORD=...       password of the first Admin, user "admin" (else one is generated once,
#                                       kept in <data dir>/admin-password and printed)
#   SENSORS360_TLS_CERT=<file>          also serve HTTPS with this certificate (PFX, or PEM with SENSORS360_TLS_KEY;
#   SENSORS360_TLS_KEY=<file>           a PFX's password in SENSORS360_TLS_PASSWORD): the gateway on
#   SENSORS360_TLS_PASSWORD=...         SENSORS360_GATEWAY_HTTPS_PORT (8443), ingestion on SENSORS360_INGESTION_HTTPS_PORT (8444),
#                                       MQTT over TLS on SENSORS360_MQTT_TLS_PORT (8883)
#   SENSORS360_SIMULATOR=true           run the demo fleet simulator (false: no simulated sensors)
#   SENSORS360_DASHBOARD_PORT=18888     Aspire dashboard (OTLP on +1, resource service on +2)
#   SENSORS360_INFRASTRUCTURE_MODE=auto auto | containers | local
#   SENSORS360_TOPOLOGY=single          single | ha (2 of each service, 3 RabbitMQ nodes, a PostgreSQL standby;
#   SENSORS360_REPLICAS=2               instances of each service in ha)
#   SENSORS360_DATA_DIR=<repo>/.data    where local PostgreSQL/RabbitMQ keep their data
set -euo pipefail

# shellcheck source=lib/prerequisites.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/prerequisites.sh"

GATEWAY_PORT=${SENSORS360_GATEWAY_PORT:-8080}
INGESTION_PORT=${SENSORS360_INGESTION_PORT:-8081}
MQTT_PORT=${SENSORS360_MQTT_PORT:-1883}
DASHBOARD_PORT=${SENSORS360_DASHBOARD_PORT:-18888}
DATA_DIR=${SENSORS360_DATA_DIR:-$REPO_ROOT/.data}

require_dotnet
MODE=$(resolve_infrastructure_mode)
if [ "$MODE" = local ]; then
  ensure_local_infrastructure
fi
ensure_npm_packages

say "Building"
dotnet build Sensors360.AppHost/Sensors360.AppHost.csproj -c Debug -nologo -v quiet -clp:ErrorsOnly \
  || die "build failed"

# Not in a subshell: the umask it sets is inherited by the AppHost and everything it starts.
prepare_private_data_dir "$DATA_DIR" > /dev/null
LOG="$DATA_DIR/apphost.log"

export DOTNET_ENVIRONMENT=Development
export ASPNETCORE_ENVIRONMENT=Development
export ASPNETCORE_URLS="http://localhost:$DASHBOARD_PORT"
export ASPIRE_DASHBOARD_OTLP_HTTP_ENDPOINT_URL="http://localhost:$((DASHBOARD_PORT + 1))"
export ASPIRE_RESOURCE_SERVICE_ENDPOINT_URL="http://localhost:$((DASHBOARD_PORT + 2))"
export ASPIRE_ALLOW_UNSECURED_TRANSPORT=true
export Infrastructure__Mode="$MODE"
export Infrastructure__DataDirectory="$DATA_DIR"
export Topology__Mode="${SENSORS360_TOPOLOGY:-single}"
[ -z "${SENSORS360_REPLICAS:-}" ] || export Topology__Replicas="$SENSORS360_REPLICAS"
export Ports__Gateway="$GATEWAY_PORT"
export Ports__Ingestion="$INGESTION_PORT"
export Ports__Mqtt="$MQTT_PORT"
export Simulator__Enabled="${SENSORS360_SIMULATOR:-true}"
HTTPS_LINES=""
if [ -n "${SENSORS360_TLS_CERT:-}" ]; then
  [ -f "$SENSORS360_TLS_CERT" ] || die "SENSORS360_TLS_CERT: no file $SENSORS360_TLS_CERT"
  export Tls__CertificatePath="$SENSORS360_TLS_CERT"
  [ -z "${SENSORS360_TLS_KEY:-}" ] || export Tls__KeyPath="$SENSORS360_TLS_KEY"
  [ -z "${SENSORS360_TLS_PASSWORD:-}" ] || export Tls__CertificatePassword="$SENSORS360_TLS_PASSWORD"
  export Ports__GatewayHttps="${SENSORS360_GATEWAY_HTTPS_PORT:-8443}"
  export Ports__IngestionHttps="${SENSORS360_INGESTION_HTTPS_PORT:-8444}"
  export Ports__MqttTls="${SENSORS360_MQTT_TLS_PORT:-8883}"
  HTTPS_LINES=$(printf '    Gateway over HTTPS:            https://localhost:%s   (browsers on plain HTTP are sent there)\n    Ingestion over HTTPS:          https://localhost:%s\n    MQTT over TLS:                 mqtts://localhost:%s\n' \
    "$Ports__GatewayHttps" "$Ports__IngestionHttps" "$Ports__MqttTls")
fi

# The first Admin's password: given, or generated once and kept (0600) so it stays valid across runs.
ADMIN_PASSWORD_FILE="$DATA_DIR/admin-password"
if [ -n "${SENSORS360_ADMIN_PASSWORD:-}" ]; then
  ADMIN_PASSWORD=$SENSORS360_ADMIN_PASSWORD
  ADMIN_PASSWORD_SOURCE="from SENSORS360_ADMIN_PASSWORD"
else
  if [ ! -s "$ADMIN_PASSWORD_FILE" ]; then
    (umask 077; head -c 18 /dev/urandom | base64 | tr '+/' '-_' > "$ADMIN_PASSWORD_FILE")
  fi
  ADMIN_PASSWORD=$(cat "$ADMIN_PASSWORD_FILE")
  ADMIN_PASSWORD_SOURCE="$ADMIN_PASSWORD   (kept in $ADMIN_PASSWORD_FILE)"
fi

say "Starting (infrastructure: $MODE, topology: $Topology__Mode)"
# "admin-password" is not a valid shell variable name, hence env.
env "Parameters__admin-password=$ADMIN_PASSWORD" \
  dotnet Sensors360.AppHost/bin/Debug/net10.0/Sensors360.AppHost.dll > >(tee -a "$LOG") 2>&1 &
APPHOST_PID=$!

# Every process below the orchestrator (DCP) that this AppHost started: services, wrapper scripts, servers.
descendants_of_orchestrator() {
  local roots
  roots=$(pgrep -f -- "--monitor $APPHOST_PID( |$)" | tr '\n' ' ')
  [ -n "$roots" ] || return 0
  ps -eo pid=,ppid= | awk -v roots="$roots" '
    { parent[$1] = $2 }
    END {
      n = split(roots, r, " "); for (i = 1; i <= n; i++) keep[r[i]] = 1
      do { changed = 0; for (p in parent) if (!(p in keep) && (parent[p] in keep)) { keep[p] = 1; changed = 1 } } while (changed)
      for (p in keep) print p
    }'
}

# The AppHost returns at once on SIGTERM and DCP then stops every resource in the background. Wait for all of
# it, so that when the prompt comes back nothing this script started is still running.
stop_everything() {
  trap - INT TERM
  say "Stopping"
  local pids pid deadline=$((SECONDS + 30))
  pids=$(descendants_of_orchestrator)
  kill -TERM "$APPHOST_PID" 2>/dev/null || true
  wait "$APPHOST_PID" 2>/dev/null || true
  for pid in $pids; do
    while kill -0 "$pid" 2>/dev/null && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.2; done
  done
  if [ "$SECONDS" -ge "$deadline" ]; then
    echo "some processes did not stop within 30 s: $(ps -o pid=,comm= -p "${pids// /,}" 2>/dev/null | tr '\n' ' ')" >&2
    exit 1
  fi
  say "Stopped"
  exit 0
}
trap stop_everything INT TERM

wait_healthy() {
  local url=$1 deadline=$((SECONDS + 180))
  until curl -fsS -m 5 -o /dev/null "$url" 2>/dev/null; do
    kill -0 "$APPHOST_PID" 2>/dev/null || die "the AppHost exited before $url became healthy"
    [ "$SECONDS" -lt "$deadline" ] || { echo "timed out waiting for $url" >&2; stop_everything; }
    sleep 1
  done
}
started=$SECONDS
wait_healthy "http://localhost:$INGESTION_PORT/health"
wait_healthy "http://localhost:$GATEWAY_PORT/health"

cat <<BANNER

  Sensors 360 is running (healthy after $((SECONDS - started)) s; infrastructure: $MODE, topology: $Topology__Mode, data: $DATA_DIR)

    Dashboard and operators' API:  http://localhost:$GATEWAY_PORT   (user admin, password below; API reference: /scalar)
    Ingestion API (sensors):       http://localhost:$INGESTION_PORT   (API reference: /scalar/v1)
    MQTT (sensors):                mqtt://localhost:$MQTT_PORT   (user: sensor id, password: its key; docs/mqtt.md)
    Admin password:                $ADMIN_PASSWORD_SOURCE
$HTTPS_LINES
    Live stream in the terminal:   eng/watch.sh
    Aspire dashboard:              $(grep -o "http://[^ ]*/login?t=[0-9a-f]*" "$LOG" | tail -n 1)
    RabbitMQ management UI:        linked from the "messaging" resource in the Aspire dashboard

  Press Ctrl-C to stop everything.

BANNER

wait "$APPHOST_PID" || true
stop_everything
