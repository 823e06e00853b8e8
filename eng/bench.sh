#!/usr/bin/env bash
# Benchmarks: starts the whole system once (Release build, local PostgreSQL and RabbitMQ), runs every scenario next
# to its baseline in the same run (then, for (h), the ha topology), and prints one table (also written to
# artifacts/bench/results.md and .json).
#   eng/bench.sh --quick          about 20 minutes on 2 cores: 100k-sensor fleets, 1,000 WebSocket clients, 15 s ingest
#                                 runs, a 5-minute steady fleet (g)
#   eng/bench.sh                  the full run documented in docs/benchmarks.md (1M sensors, 100M heartbeats, 10,000
#                                 clients, a 30-minute steady fleet of 1M sensors)
#   eng/bench.sh --quick --only a,g   some scenarios only (a b c d e f g h i j k, see docs/benchmarks.md)
set -euo pipefail

# shellcheck source=lib/prerequisites.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/prerequisites.sh"

require_dotnet
ensure_local_infrastructure
ensure_npm_packages

say "Building (Release)"
dotnet build bench/Sensors360.Bench/Sensors360.Bench.csproj -c Release -nologo -v quiet -clp:ErrorsOnly || die "build failed"

say "Running"
# A WebSocket client per connection: the full run opens 10,000 of them.
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
exec dotnet bench/Sensors360.Bench/bin/Release/net10.0/Sensors360.Bench.dll "$@"
