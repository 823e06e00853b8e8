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
# shellcheck source=lib/gateway.sh
. "$REPO_ROOT/eng/lib/gateway.sh"
token=$(gateway_token) || exit 1

# Node 20 has WebSocket behind a flag; from Node 22 it is always on and the flag is harmless.
exec node --experimental-websocket --no-warnings "$REPO_ROOT/eng/watch.mjs" "$GATEWAY_URL" "$token" "$@"
