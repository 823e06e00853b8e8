#!/usr/bin/env bash
# Runs every test project against real PostgreSQL, RabbitMQ (as local processes) and a real browser.
# Installs what is missing first, builds the solution once, and ends with one line: "N passed, M failed".
# Extra arguments go to every `dotnet test`, e.g.  eng/test.sh --filter "FullyQualifiedName~Foundation"
set -uo pipefail

# shellcheck source=lib/prerequisites.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/prerequisites.sh"

require_dotnet
ensure_local_infrastructure
ensure_chromium
ensure_npm_packages

say "Building Sensors360.sln"
if ! dotnet build Sensors360.sln -c Debug -nologo -v quiet -clp:ErrorsOnly; then
  echo "build failed"
  echo "0 passed, 1 failed"
  exit 1
fi

RESULTS="$REPO_ROOT/artifacts/test-results"
rm -rf "$RESULTS"
mkdir -p "$RESULTS"

passed=0
failed=0
skipped=0
broken_projects=()
failed_tests=()
# Test projects only: tests/ also holds the helpers they share (Sensors360.TestSupport).
for project in $(grep -l '<IsTestProject>true</IsTestProject>' $(find tests -name '*.csproj') | sort); do
  name=$(basename "$project" .csproj)
  say "Testing $name"
  dotnet test "$project" --no-build -c Debug --results-directory "$RESULTS" \
    --logger "trx;LogFileName=$name.trx" --logger "console;verbosity=normal" \
    --blame-hang-timeout 10m --blame-hang-dump-type none "$@"
  status=$?
  trx="$RESULTS/$name.trx"
  if [ -f "$trx" ]; then
    counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
    p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters")
    f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
    t=$(sed -n 's/.* total="\([0-9]*\)".*/\1/p' <<<"$counters")
    e=$(sed -n 's/.* executed="\([0-9]*\)".*/\1/p' <<<"$counters")
    passed=$((passed + ${p:-0}))
    failed=$((failed + ${f:-0}))
    # Named again at the end, where a log's last lines show them.
    while IFS= read -r test; do
      failed_tests+=("$name: $test")
    done < <(grep -o '<UnitTestResult [^>]*outcome="Failed"[^>]*>' "$trx" | sed -n 's/.* testName="\([^"]*\)".*/\1/p')
    skipped=$((skipped + ${t:-0} - ${e:-0}))
    if [ "$status" != 0 ] && [ "${f:-0}" = 0 ]; then
      broken_projects+=("$name (exit $status)")
      failed=$((failed + 1))
    fi
  else
    broken_projects+=("$name (no results)")
    failed=$((failed + 1))
  fi
done

# The dashboard client's unit tests (Vitest), counted with the rest.
say "Testing Dashboard.Web/client (Vitest)"
junit="$RESULTS/dashboard-client.junit.xml"
(cd Dashboard.Web/client && npx vitest run --reporter=default --reporter=junit --outputFile.junit="$junit")
if [ -f "$junit" ]; then
  suites=$(grep -o '<testsuites [^>]*>' "$junit" | head -n 1)
  t=$(sed -n 's/.* tests="\([0-9]*\)".*/\1/p' <<<"$suites")
  f=$(sed -n 's/.* failures="\([0-9]*\)".*/\1/p' <<<"$suites")
  e=$(sed -n 's/.* errors="\([0-9]*\)".*/\1/p' <<<"$suites")
  k=$(grep -c '<skipped' "$junit" || true)
  passed=$((passed + ${t:-0} - ${f:-0} - ${e:-0} - ${k:-0}))
  failed=$((failed + ${f:-0} + ${e:-0}))
  skipped=$((skipped + ${k:-0}))
else
  broken_projects+=("Dashboard.Web/client (no results)")
  failed=$((failed + 1))
fi

if [ "${#failed_tests[@]}" -gt 0 ]; then
  echo "Failed tests:"
  printf '  %s\n' "${failed_tests[@]}"
fi
if [ "${#broken_projects[@]}" -gt 0 ]; then
  echo "Test projects that failed outside a test (counted as one failure each): ${broken_projects[*]}"
fi
echo "Results: $RESULTS"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
