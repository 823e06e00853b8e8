#!/usr/bin/env bash
# Runs a private RabbitMQ node (own epmd, ports, cookie and data) for the AppHost's local infrastructure mode.
#
# Started by Aspire (DCP) with: RABBITMQ_NODE_PORT (AMQP), RABBITMQ_DIST_PORT, ERL_EPMD_PORT,
# RABBITMQ_MANAGEMENT_PORT, RABBITMQ_DATA_DIR, RABBITMQ_USER, RABBITMQ_PASSWORD, EPHEMERAL (1 = delete the data
# directory on exit), and optionally RABBITMQ_DEFINITIONS (JSON: the services' users and permissions, imported at
# every boot; when given it must include the administrator too, as the node then creates no default user).
# For a cluster (the AppHost's ha topology) also: RABBITMQ_NODENAME (this node), RABBITMQ_CLUSTER_NODES (every
# member's node name, space-separated: a fresh node joins the first of them that runs), ERLANG_COOKIE (the secret
# the members share) and EPMD_SHARED=1 (the epmd on ERL_EPMD_PORT is run by the AppHost for all members).
# RABBITMQ_PLUGINS (comma-separated; default rabbitmq_management) and RABBITMQ_EXTRA_CONF (rabbitmq.conf lines,
# appended) add what the AppHost asks for: MQTT ingest. RABBITMQ_TLS_CERT and RABBITMQ_TLS_KEY (PEM text: the chain,
# an unencrypted key) are written under the data directory (0600) and become the ssl_options of its TLS listeners.
# On SIGTERM/SIGINT it stops the node, then its own epmd, then removes throwaway data.
set -uo pipefail

: "${RABBITMQ_NODE_PORT:?}" "${RABBITMQ_DIST_PORT:?}" "${ERL_EPMD_PORT:?}" "${RABBITMQ_MANAGEMENT_PORT:?}"
: "${RABBITMQ_DATA_DIR:?}" "${RABBITMQ_USER:?}" "${RABBITMQ_PASSWORD:?}"
RABBIT_BIN=${RABBITMQ_BIN:-/usr/lib/rabbitmq/bin}
if [ ! -x "$RABBIT_BIN/rabbitmq-server" ]; then
  echo "rabbitmq.sh: no RabbitMQ under $RABBIT_BIN (apt-get install rabbitmq-server, or set RABBITMQ_BIN)" >&2
  exit 1
fi

DATA=$RABBITMQ_DATA_DIR
mkdir -p "$DATA/mnesia"
chmod 700 "$DATA"

export HOME="$DATA"                       # the Erlang cookie lives in $HOME
export RABBITMQ_NODENAME=${RABBITMQ_NODENAME:-sensors360@localhost}
# Loopback only: AMQP (below, in rabbitmq.conf), management, Erlang distribution, and the node's own epmd. The
# CLI tools (rabbitmqctl) are Erlang nodes too, so they get the same distribution interface.
export RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
export ERL_EPMD_ADDRESS=127.0.0.1
export RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
export RABBITMQ_CTL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
export RABBITMQ_MNESIA_BASE="$DATA/mnesia"
export RABBITMQ_LOG_BASE="$DATA/log"
export RABBITMQ_LOGS=-                    # to stdout, i.e. the Aspire dashboard's console log
export RABBITMQ_CONFIG_FILE="$DATA/rabbitmq"
export RABBITMQ_ENABLED_PLUGINS_FILE="$DATA/enabled_plugins"
export RABBITMQ_PID_FILE="$DATA/rabbitmq.pid"

existing=0
[ -d "$RABBITMQ_MNESIA_BASE/$RABBITMQ_NODENAME" ] && existing=1

# default_user/default_pass only apply when the node is created; an existing node gets its password set below.
umask 077
if [ -n "${ERLANG_COOKIE:-}" ]; then
  rm -f "$DATA/.erlang.cookie"
  printf '%s' "$ERLANG_COOKIE" > "$DATA/.erlang.cookie"
  chmod 400 "$DATA/.erlang.cookie"
fi
cat > "$DATA/rabbitmq.conf" <<CONF
listeners.tcp.1 = 127.0.0.1:$RABBITMQ_NODE_PORT
default_user = $RABBITMQ_USER
default_pass = $RABBITMQ_PASSWORD
default_user_tags.administrator = true
management.tcp.ip = 127.0.0.1
management.tcp.port = $RABBITMQ_MANAGEMENT_PORT
CONF
if [ -n "${RABBITMQ_DEFINITIONS:-}" ]; then
  # The services' users and their permissions, as the AppHost defines them; imported at every boot.
  printf '%s' "$RABBITMQ_DEFINITIONS" > "$DATA/definitions.json"
  echo "load_definitions = $DATA/definitions.json" >> "$DATA/rabbitmq.conf"
fi
if [ -n "${RABBITMQ_CLUSTER_NODES:-}" ]; then
  # Only a node with no data of its own joins; a member that restarts finds its cluster in its data. A node that
  # loses contact with the majority pauses rather than accept messages the others never see.
  {
    echo "cluster_formation.peer_discovery_backend = classic_config"
    n=0
    for node in $RABBITMQ_CLUSTER_NODES; do
      n=$((n + 1))
      echo "cluster_formation.classic_config.nodes.$n = $node"
    done
    echo "cluster_partition_handling = pause_minority"
  } >> "$DATA/rabbitmq.conf"
fi
if [ -n "${RABBITMQ_TLS_CERT:-}" ]; then
  mkdir -p "$DATA/tls"
  printf '%s\n' "$RABBITMQ_TLS_CERT" > "$DATA/tls/cert.pem"
  printf '%s\n' "${RABBITMQ_TLS_KEY:?RABBITMQ_TLS_KEY is required with RABBITMQ_TLS_CERT}" > "$DATA/tls/key.pem"
  {
    echo "ssl_options.certfile = $DATA/tls/cert.pem"
    echo "ssl_options.keyfile = $DATA/tls/key.pem"
  } >> "$DATA/rabbitmq.conf"
fi
if [ -n "${RABBITMQ_EXTRA_CONF:-}" ]; then
  # More settings from the AppHost (MQTT ingest: its listener and device sign-in through Ingestion.Api).
  printf '%s\n' "$RABBITMQ_EXTRA_CONF" >> "$DATA/rabbitmq.conf"
fi
echo "[${RABBITMQ_PLUGINS:-rabbitmq_management}]." > "$RABBITMQ_ENABLED_PLUGINS_FILE"

remove_throwaway_data() {
  if [ "${EPHEMERAL:-0}" = 1 ]; then
    rm -rf "$DATA"
    rmdir "$(dirname "$DATA")" 2>/dev/null || true
  fi
}

stop_epmd() {
  [ "${EPMD_SHARED:-0}" = 1 ] && return
  epmd -port "$ERL_EPMD_PORT" -kill >/dev/null 2>&1 || true
}

# RabbitMQ flushes its message stores within milliseconds of SIGTERM, but with the management plugin enabled the
# Erlang VM then idles about 5 s before it halts. DCP SIGKILLs an executable that has not exited ~6 s after
# SIGTERM, which would leave epmd and throwaway data behind; so after a 3 s grace the idle VM is killed.
shutdown() {
  kill -TERM "$PID" 2>/dev/null || return
  for _ in $(seq 1 30); do
    kill -0 "$PID" 2>/dev/null || return
    sleep 0.1
  done
  pkill -KILL -P "$PID" 2>/dev/null   # beam.smp is the direct child of the rabbitmq-server shell
}

"$RABBIT_BIN/rabbitmq-server" &
PID=$!
trap shutdown TERM INT

if [ "$existing" = 1 ]; then
  # Keep a persistent node's credentials in step with the AppHost's parameters.
  ( "$RABBIT_BIN/rabbitmqctl" -q await_startup >/dev/null 2>&1 \
    && printf '%s' "$RABBITMQ_PASSWORD" | "$RABBIT_BIN/rabbitmqctl" -q add_user "$RABBITMQ_USER" >/dev/null 2>&1 \
    || printf '%s' "$RABBITMQ_PASSWORD" | "$RABBIT_BIN/rabbitmqctl" -q change_password "$RABBITMQ_USER" >/dev/null 2>&1
    "$RABBIT_BIN/rabbitmqctl" -q set_user_tags "$RABBITMQ_USER" administrator >/dev/null 2>&1
    "$RABBIT_BIN/rabbitmqctl" -q set_permissions -p / "$RABBITMQ_USER" '.*' '.*' '.*' >/dev/null 2>&1 ) &
fi

status=0
while kill -0 "$PID" 2>/dev/null; do
  wait "$PID"
  status=$?
done
wait   # the credential sync, if any
stop_epmd
remove_throwaway_data
exit "$status"
