#!/usr/bin/env bash
# The prototype's heartbeat generator, rewritten for Sensors 360: 20 sensors tagged "Sensor 0" … "Sensor 19",
# one heartbeat for a random one every 5 s, in the prototype's form
#   POST /api/v0/heartbeat?sensor_id=N&timestamp=EPOCH_SECONDS
# now with the sensor's key. On first use it registers the 20 sensors (CSV import through the gateway, signed in
# as an Operator or Admin) and keeps their keys.
#
# Environment (all optional):
#   INGESTION_URL=http://localhost:8081   GATEWAY_URL=http://localhost:8080
#   SENSORS360_USER=admin   SENSORS360_PASSWORD=<SENSORS360_ADMIN_PASSWORD, else <repo>/.data/admin-password>
#   KEYS_FILE=<repo>/.data/gen_heartbeats/keys.csv   INTERVAL=5   COUNT=20   TAG_PREFIX="Sensor "
#   FORM=legacy | json   (json: POST /api/heartbeats {"sensorId":N,"timestamp":EPOCH})
set -euo pipefail

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
INGESTION_URL=${INGESTION_URL:-http://localhost:8081}
GATEWAY_URL=${GATEWAY_URL:-http://localhost:8080}
KEYS_FILE=${KEYS_FILE:-$REPO_ROOT/.data/gen_heartbeats/keys.csv}
INTERVAL=${INTERVAL:-5}
# shellcheck source=lib/gateway.sh
. "$REPO_ROOT/eng/lib/gateway.sh"
COUNT=${COUNT:-20}
TAG_PREFIX=${TAG_PREFIX:-Sensor }
FORM=${FORM:-legacy}

if [ ! -s "$KEYS_FILE" ]; then
  mkdir -p "$(dirname "$KEYS_FILE")"
  csv=$(printf 'tag,source\n'; for ((i = 0; i < COUNT; i++)); do printf '%s%d,gen_heartbeats\n' "$TAG_PREFIX" "$i"; done)
  token=$(gateway_token) || exit 1
  answer=$(mktemp)
  status=$(curl -sS -m 30 -o "$answer" -w '%{http_code}' -X POST "$GATEWAY_URL/api/sensors/import" \
    -H "Authorization: Bearer $token" -H 'Content-Type: text/csv' --data-binary "$csv") \
    || { echo "cannot reach the gateway at $GATEWAY_URL" >&2; exit 1; }
  if [ "$status" != 201 ]; then
    echo "registering the sensors failed ($status): $(cat "$answer")" >&2
    echo "(if the tags are taken by an earlier run whose keys file is lost, set TAG_PREFIX to something new)" >&2
    rm -f "$answer"; exit 1
  fi
  (umask 077; mv "$answer" "$KEYS_FILE")
  echo "registered $COUNT sensors; keys in $KEYS_FILE"
fi

mapfile -t sensors < <(tail -n +2 "$KEYS_FILE" | tr -d '\r')
[ "${#sensors[@]}" -gt 0 ] || { echo "no sensors in $KEYS_FILE" >&2; exit 1; }

trap 'exit 0' INT TERM
while true; do
  IFS=, read -r id tag key <<<"${sensors[RANDOM % ${#sensors[@]}]}"
  now=$(date +%s)
  if [ "$FORM" = json ]; then
    status=$(curl -sS -m 10 -o /dev/null -w '%{http_code}' -X POST "$INGESTION_URL/api/heartbeats" \
      -H "Authorization: Bearer $key" -H 'Content-Type: application/json' \
      -d "{\"sensorId\":$id,\"timestamp\":$now}") || status=000
  else
    status=$(curl -sS -m 10 -o /dev/null -w '%{http_code}' -X POST \
      "$INGESTION_URL/api/v0/heartbeat?sensor_id=$id&timestamp=$now" -H "X-Api-Key: $key") || status=000
  fi
  echo "$(date -u +%FT%TZ) $tag (id $id) → $status"
  sleep "$INTERVAL"
done
