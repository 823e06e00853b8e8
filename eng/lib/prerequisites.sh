# Shared by the eng/ scripts: find what this machine lacks and install it with apt-get.
# Sourced, not run. Every function is idempotent: on a machine that has everything it installs nothing.
# Sourcing it also sets REPO_ROOT, moves there and quiets the .NET CLI's banners, so a script begins with
#   . "$(dirname "${BASH_SOURCE[0]}")/lib/prerequisites.sh"

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$REPO_ROOT"
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1

say() { printf '\033[1m==>\033[0m %s\n' "$*"; }
die() { printf '\033[31merror:\033[0m %s\n' "$*" >&2; exit 1; }

# "docker" or "podman" when its engine answers, else nothing.
container_runtime() {
  local runtime
  for runtime in docker podman; do
    if command -v "$runtime" >/dev/null 2>&1 && timeout 10 "$runtime" info >/dev/null 2>&1; then
      echo "$runtime"
      return
    fi
  done
}

# Infrastructure mode to run in: $SENSORS360_INFRASTRUCTURE_MODE if set (auto|containers|local), else detected.
resolve_infrastructure_mode() {
  local mode=${SENSORS360_INFRASTRUCTURE_MODE:-auto}
  case "$mode" in
    containers|local) echo "$mode" ;;
    auto) if [ -n "$(container_runtime)" ]; then echo containers; else echo local; fi ;;
    *) die "SENSORS360_INFRASTRUCTURE_MODE must be auto, containers or local (got '$mode')" ;;
  esac
}

_apt_updated=0
apt_install() {
  [ "$#" -gt 0 ] || return 0
  local sudo=()
  if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null 2>&1 || die "need root (or sudo) to install: $*"
    sudo=(sudo)
  fi
  command -v apt-get >/dev/null 2>&1 || die "apt-get not found; install these yourself: $*"
  if [ "$_apt_updated" = 0 ]; then
    say "apt-get update"
    "${sudo[@]}" apt-get update -qq || die "apt-get update failed"
    _apt_updated=1
  fi
  say "apt-get install $*"
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "$@" >/dev/null \
    || die "apt-get install $* failed"
}

# The data directory and the run log in it, readable by this user only (directory 0700, log 0600), also when an
# older run left them open; and from here on every file this shell and what it starts create is owner-only (umask
# 077). They hold the Aspire dashboard's login link (in the log), the first Admin's password, the databases, the
# broker's data and the simulated sensors' keys. Prints the log's path.
prepare_private_data_dir() {
  local dir=$1 log=$1/apphost.log
  umask 077
  mkdir -p "$dir" || die "cannot create the data directory $dir"
  chmod 700 "$dir"
  : > "$log"
  chmod 600 "$log"
  echo "$log"
}

have_postgres_server() { compgen -G "/usr/lib/postgresql/*/bin/postgres" >/dev/null; }
have_rabbitmq_server() { [ -x /usr/lib/rabbitmq/bin/rabbitmq-server ]; }

require_dotnet() {
  command -v dotnet >/dev/null 2>&1 || die "the .NET SDK is not installed (see README: Prerequisites)"
  local wanted
  wanted=$(sed -n 's/.*"version": *"\([0-9.]*\)".*/\1/p' "$REPO_ROOT/global.json" | head -n 1)
  dotnet --list-sdks | grep -q "^${wanted%.*}" || die ".NET SDK $wanted (or a later patch) is required; found: $(dotnet --list-sdks | tr '\n' ' ')"
}

# Everything the local infrastructure mode needs (PostgreSQL and RabbitMQ run as local processes).
ensure_local_infrastructure() {
  local missing=()
  have_postgres_server || missing+=(postgresql)
  have_rabbitmq_server || missing+=(rabbitmq-server)
  command -v curl >/dev/null 2>&1 || missing+=(curl)
  apt_install "${missing[@]}"
  # Debian starts packaged services where it can; this project runs private instances instead.
  if [ "${#missing[@]}" -gt 0 ] && command -v service >/dev/null 2>&1; then
    service rabbitmq-server stop >/dev/null 2>&1 || true
    service postgresql stop >/dev/null 2>&1 || true
  fi
}

# Backups of the local PostgreSQL (eng/backup.sh, eng/restore.sh).
ensure_pgbackrest() {
  command -v pgbackrest >/dev/null 2>&1 || apt_install pgbackrest
}

ensure_chromium() {
  command -v chromium >/dev/null 2>&1 || apt_install chromium
}

# npm packages of the dashboard's client, when it has one.
ensure_npm_packages() {
  local client="$REPO_ROOT/Dashboard.Web/client"
  [ -f "$client/package.json" ] || return 0
  command -v npm >/dev/null 2>&1 || apt_install nodejs npm
  ensure_node_version
  if [ ! -d "$client/node_modules" ] || [ "$client/package-lock.json" -nt "$client/node_modules/.package-lock.json" ]; then
    say "npm ci (Dashboard.Web/client)"
    (cd "$client" && npm ci --no-audit --no-fund --loglevel=error) || die "npm ci failed"
  fi
}

# The dashboard's build (Vite 8) needs Node.js 20.19 or later; Debian 12's apt has 18. When the machine's node is
# older, a current one comes from the npm registry (the "node" package) into .tools/node, put first on PATH.
node_is_recent() {
  node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 20 || (a === 20 && b >= 19) ? 0 : 1)' 2>/dev/null
}

ensure_node_version() {
  local local_node="$REPO_ROOT/.tools/node/node_modules/.bin"
  [ -x "$local_node/node" ] && export PATH="$local_node:$PATH"
  node_is_recent && return 0
  say "Node.js $(node --version 2>/dev/null || echo '(none)') is too old for the dashboard build; fetching Node.js 22 from the npm registry"
  npm install --prefix "$REPO_ROOT/.tools/node" --no-audit --no-fund --loglevel=error node@22 >/dev/null \
    || die "could not install Node.js 22 from npm; install Node.js 20.19 or later yourself"
  export PATH="$local_node:$PATH"
  node_is_recent || die "Node.js 20.19 or later is required (found $(node --version))"
}
