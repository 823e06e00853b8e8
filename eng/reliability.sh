#!/usr/bin/env bash
# Fault scenarios: runs the integration tests tagged Category=Reliability (one started system; RabbitMQ, PostgreSQL,
# the worker and the gateway stopped, restarted or killed under load) and Category=HighAvailability (two systems in
# the ha topology; one instance of each kind SIGKILLed under load, and a standby promoted), and renders their
# measurements into docs/reliability.md. About 8 minutes on 2 cores.
#   eng/reliability.sh                 run, then write docs/reliability.md
#   eng/reliability.sh --render-only   re-render from the last run's artifacts/reliability/results.jsonl
set -uo pipefail

# shellcheck source=lib/prerequisites.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/prerequisites.sh"
require_dotnet

OUT="$REPO_ROOT/artifacts/reliability"
export SENSORS360_RELIABILITY_RESULTS="$OUT/results.jsonl"
status=0

if [ "${1:-}" != "--render-only" ]; then
  ensure_local_infrastructure
  ensure_npm_packages

  say "Building the integration tests"
  dotnet build tests/Sensors360.IntegrationTests -c Debug -nologo -v quiet -clp:ErrorsOnly || die "build failed"

  rm -rf "$OUT"
  mkdir -p "$OUT"
  say "Running the fault scenarios"
  dotnet test tests/Sensors360.IntegrationTests --no-build -c Debug --filter "Category=Reliability|Category=HighAvailability" \
    --results-directory "$OUT" --logger "trx;LogFileName=reliability.trx" --logger "console;verbosity=normal" \
    --blame-hang-timeout 10m --blame-hang-dump-type none
  status=$?
fi

[ -f "$SENSORS360_RELIABILITY_RESULTS" ] || die "no results in $SENSORS360_RELIABILITY_RESULTS"
say "Writing docs/reliability.md"
dotnet run eng/reliability-report.cs -- "$SENSORS360_RELIABILITY_RESULTS" "$OUT/reliability.trx" docs/reliability.md \
  || die "rendering failed"
exit "$status"
