# shellcheck shell=bash
# Signing in to a running gateway from a script. Sourced by eng/gen_heartbeats.sh and eng/watch.sh.
# Needs REPO_ROOT and GATEWAY_URL; reads SENSORS360_USER (admin) and SENSORS360_PASSWORD (else
# SENSORS360_ADMIN_PASSWORD, else the password eng/run.sh generated into .data/admin-password).

# Prints a bearer access token (1 h) for the user, or explains on stderr why not and returns 1.
gateway_token() {
  local user=${SENSORS360_USER:-admin} password signin token
  password=${SENSORS360_PASSWORD:-${SENSORS360_ADMIN_PASSWORD:-$(cat "$REPO_ROOT/.data/admin-password" 2>/dev/null || true)}}
  [ -n "$password" ] || { echo "set SENSORS360_PASSWORD (the password of $user at $GATEWAY_URL)" >&2; return 1; }
  signin=$(curl -sS -m 30 -X POST "$GATEWAY_URL/api/auth/token" -H 'Content-Type: application/json' \
    --data-binary @- <<<"{\"username\":\"$user\",\"password\":\"$password\"}") \
    || { echo "cannot reach the gateway at $GATEWAY_URL (is eng/run.sh running?)" >&2; return 1; }
  token=$(sed -n 's/.*"accessToken":"\([^"]*\)".*/\1/p' <<<"$signin")
  [ -n "$token" ] || { echo "signing in as $user failed: $signin" >&2; return 1; }
  printf '%s\n' "$token"
}
