#!/usr/bin/env bash
# Watches the live status stream of a running system (eng/run.sh) from the terminal, the way a script would:
# signs in for a bearer token, then prints every WebSocket frame from the gateway's /ws. Ctrl-C stops.
#   eng/watch.sh            all snapshots, transitions and stale lists
#   eng/watch.sh 42         ... plus the live heartbeats of sensor 42
# Environment: GATEWAY_URL=http://localhost:8080  SENSORS360_USER=admin
#              SENSORS360_PASSWORD=<SENSORS360_ADMIN_PASSWORD, else <repo>/.data/admin-password>
set -euo pipefail

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
GATEWAY_URL=${GATEWAY_URL:-http://localhost:8080}
user=${SENSORS360_USER:-admin}
password=${SENSORS360_PASSWORD:-${SENSORS360_ADMIN_PASSWORD:-$(cat "$REPO_ROOT/.data/admin-password" 2>/dev/null || true)}}
[ -n "$password" ] || { echo "set SENSORS360_PASSWORD (the password of $user at $GATEWAY_URL)" >&2; exit 1; }

signin=$(curl -sS -m 30 -X POST "$GATEWAY_URL/api/auth/token" -H 'Content-Type: application/json' \
  --data-binary @- <<<"{\"username\":\"$user\",\"password\":\"$password\"}") \
  || { echo "cannot reach the gateway at $GATEWAY_URL (is eng/run.sh running?)" >&2; exit 1; }
token=$(sed -n 's/.*"accessToken":"\([^"]*\)".*/\1/p' <<<"$signin")
[ -n "$token" ] || { echo "signing in as $user failed: $signin" >&2; exit 1; }

# Node 20 has WebSocket behind a flag; from Node 22 it is always on and the flag is harmless.
exec node --experimental-websocket --no-warnings "$REPO_ROOT/eng/watch.mjs" "$GATEWAY_URL" "$token" "$@"
