# Shared helpers for scripts/*. Source, don't run.

step() { printf '\n==> %s\n' "$*" >&2; }

# Installs Debian packages that are missing (needs root or sudo).
ensure_apt() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  step "installing ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
}

# Finds a Python >= 3.10 (the MCP SDK's minimum).
find_python() {
  for py in python3.12 python3.11 python3.10 python3 /root/.pyenv/versions/3.12*/bin/python3; do
    if command -v "$py" >/dev/null 2>&1 && "$py" -c 'import sys, venv; sys.exit(sys.version_info < (3, 10))' 2>/dev/null; then
      command -v "$py"; return 0
    fi
  done
  return 1
}

# Creates .venv with tests/requirements.txt, reinstalling only when the
# requirements changed.
ensure_venv() {
  local py stamp=".venv/.requirements.sha"
  local want; want="$(sha256sum tests/requirements.txt | cut -d' ' -f1)"
  if [ -x .venv/bin/python ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
    return 0
  fi
  if ! py="$(find_python)"; then
    ensure_apt python3 python3-venv
    py="$(find_python)"
  fi
  "$py" -m venv .venv 2>/dev/null || { ensure_apt python3-venv; "$py" -m venv .venv; }
  .venv/bin/python -m pip install -q --upgrade pip >/dev/null
  .venv/bin/python -m pip install -q -r tests/requirements.txt
  echo "$want" > "$stamp"
}

# Node.js and npm (Debian's packages when missing; the test clients and the
# bundle tool need node >= 18).
ensure_node() {
  command -v node >/dev/null 2>&1 || ensure_apt nodejs
  command -v npm >/dev/null 2>&1 || ensure_apt npm
  node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 18 ? 0 : 1)' \
    || { echo "node >= 18 is needed, found $(node --version)" >&2; return 1; }
}

# `npm ci` in DIR, only when its package-lock.json changed since the last one.
npm_ci() {
  local dir="$1" stamp="$1/node_modules/.package-lock.sha"
  local want; want="$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1)"
  if [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
    return 0
  fi
  step "npm ci in $dir"
  (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
  echo "$want" > "$stamp"
}
