#!/usr/bin/env bash
# Predictive-maintenance backtest (docs/predictive-maintenance.md): starts a throwaway PostgreSQL, writes a 60-day fleet
# history with known deaths into it (Sensors360.Simulator history), replays that history through the risk model as the
# live worker would have met it (Sensors360.Backtest) and prints precision, recall and lead time. Leaves nothing behind.
#   eng/backtest.sh                                      the documented run: 1,000 sensor slots, seed 42
#   eng/backtest.sh --History:Slots=200 --History:Seed=7 any History:, Backtest: or Monitor:Prediction: setting
#   eng/backtest.sh --history DIR [settings]             replay an external history (sensors.csv, heartbeats.csv,
#                                                        truth.csv in DIR) instead of generating one
set -euo pipefail

HISTORY_DIR=""
SETTINGS=()
while [ $# -gt 0 ]; do
  if [ "$1" = "--history" ]; then
    [ -n "${2:-}" ] || { echo "--history needs a directory" >&2; exit 2; }
    HISTORY_DIR=$(cd "$2" && pwd) || exit 2
    shift 2
  else
    SETTINGS+=("$1")
    shift
  fi
done
set -- ${SETTINGS[@]+"${SETTINGS[@]}"}

# shellcheck source=lib/prerequisites.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/prerequisites.sh"

require_dotnet
have_postgres_server || apt_install postgresql
command -v service >/dev/null 2>&1 && service postgresql stop >/dev/null 2>&1 || true

say "Building (Release)"
for project in Sensors360.Simulator Sensors360.Backtest; do
  dotnet build "$project/$project.csproj" -c Release -nologo -v quiet -clp:ErrorsOnly || die "build of $project failed"
done

free_port() {
  local port
  for port in $(seq 55440 55540); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || { echo "$port"; return; }
  done
  die "no free port in 55440-55540"
}

WORK="$REPO_ROOT/.data/backtest"
mkdir -p "$WORK"
PORT=$(free_port)
PASSWORD="backtest-$RANDOM$RANDOM"
# No parallel workers inside a query: float sums in a fixed order, so a given seed always prints the same figures.
CONNECTION="Host=127.0.0.1;Port=$PORT;Username=postgres;Password=$PASSWORD;Database=backtestdb;Timeout=30;Command Timeout=0;Options=-c max_parallel_workers_per_gather=0"

say "Starting PostgreSQL on port $PORT (throwaway data)"
# Durability buys nothing for data deleted at the end; the history writes faster without it.
PGPORT=$PORT PGDATA_DIR="$WORK/postgres-$PORT/data" POSTGRES_PASSWORD=$PASSWORD POSTGRES_DB=backtestdb EPHEMERAL=1 \
  eng/infra/postgres.sh -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c shared_buffers=512MB \
  -c max_wal_size=4GB -c work_mem=64MB >"$WORK/postgres.log" 2>&1 &
PG_PID=$!
stop_postgres() {
  kill -TERM "$PG_PID" 2>/dev/null || true
  wait "$PG_PID" 2>/dev/null || true
}
trap stop_postgres EXIT
trap 'exit 130' INT TERM
for _ in $(seq 1 240); do
  grep -q "ready on" "$WORK/postgres.log" 2>/dev/null && break
  kill -0 "$PG_PID" 2>/dev/null || { cat "$WORK/postgres.log" >&2; die "PostgreSQL did not start"; }
  sleep 0.25
done
grep -q "ready on" "$WORK/postgres.log" || die "PostgreSQL did not become ready in 60 s (log: $WORK/postgres.log)"

BACKTEST=Sensors360.Backtest/bin/Release/net10.0/Sensors360.Backtest.dll
SIMULATOR=Sensors360.Simulator/bin/Release/net10.0/Sensors360.Simulator.dll

say "Creating the schema"
dotnet "$BACKTEST" migrate "--Backtest:ConnectionString=$CONNECTION" "$@"

if [ -n "$HISTORY_DIR" ]; then
  say "Importing and replaying the history in $HISTORY_DIR"
  dotnet "$BACKTEST" run "--Backtest:ConnectionString=$CONNECTION" "--Backtest:HistoryDirectory=$HISTORY_DIR" "$@"
  exit
fi

say "Generating the fleet history"
# A fixed end: the replay's 6-hour grid then falls on the same moments of the history whenever this runs, so the
# documented table is reprinted exactly (a later --History:EndAt overrides it).
dotnet "$SIMULATOR" history "--History:ConnectionString=$CONNECTION" --History:Replace=true "--History:DataDirectory=$WORK" \
  --History:EndAt=2026-11-28T00:00:00Z "$@"

say "Replaying it through the model"
dotnet "$BACKTEST" run "--Backtest:ConnectionString=$CONNECTION" "--Backtest:TruthFile=$WORK/history-truth.csv" "$@"
