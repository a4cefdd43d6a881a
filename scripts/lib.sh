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
