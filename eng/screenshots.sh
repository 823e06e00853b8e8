#!/usr/bin/env bash
# Refreshes the README's pictures in docs/screenshots/ (login, overview, sensors, sensor-detail, sensor-edit, admin,
# audit, analytics, sensor-risk; 1280×800, light theme) by running the browser tests marked [Trait("Screenshots", "docs")] against a freshly
# started system with a demo fleet of 30 sensors. Installs what is missing first, like eng/test.sh.
# Extra arguments go to `dotnet test`.
set -euo pipefail

# shellcheck source=lib/prerequisites.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/prerequisites.sh"

require_dotnet
ensure_local_infrastructure
ensure_chromium
ensure_npm_packages

PROJECT=tests/Sensors360.EndToEndTests
OUT="$REPO_ROOT/docs/screenshots"
RESULTS="$REPO_ROOT/artifacts/screenshots-run"

say "Building $PROJECT"
dotnet build "$PROJECT" -c Debug -nologo -v quiet -clp:ErrorsOnly

rm -rf "$RESULTS"
mkdir -p "$OUT"
STAMP=$(mktemp)
trap 'rm -f "$STAMP"' EXIT
say "Taking screenshots into docs/screenshots"
SENSORS360_SCREENSHOTS_DIR="$OUT" SENSORS360_TEST_RESULTS_DIR="$RESULTS" \
  dotnet test "$PROJECT" --no-build -c Debug --filter "Screenshots=docs" --results-directory "$RESULTS" \
  --logger "console;verbosity=normal" "$@"

missing=0
for name in login overview sensors sensor-detail sensor-edit admin audit analytics sensor-risk alerts; do
  if [ ! "$OUT/$name.png" -nt "$STAMP" ]; then
    echo "not refreshed: docs/screenshots/$name.png"
    missing=1
  fi
done
[ "$missing" = 0 ] || die "some screenshots were not taken"
ls -l "$OUT"
