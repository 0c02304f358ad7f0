#!/usr/bin/env bash
# The browser tests (test/webview, the report in Chromium) need Debian's Chromium. Present: nothing to do.
# Missing: install it with apt-get when we may (root, as in CI, or passwordless sudo); otherwise fail and
# say what to install — a skipped browser test on a fresh machine would be a hidden gap.
set -euo pipefail
CHROMIUM="${VALUE_LENS_CHROMIUM:-/usr/bin/chromium}"
[ -x "$CHROMIUM" ] && exit 0
if [ -n "${VALUE_LENS_CHROMIUM:-}" ]; then
  echo "test: VALUE_LENS_CHROMIUM=$CHROMIUM is not an executable" >&2
  exit 1
fi
SUDO=""
if [ "$(id -u)" != "0" ]; then
  if sudo -n true 2>/dev/null; then SUDO="sudo -n"; else
    echo "test: Chromium is missing at $CHROMIUM and this user cannot install it." >&2
    echo "      Run: sudo apt-get update && sudo apt-get install -y chromium   (then npm test again)" >&2
    exit 1
  fi
fi
echo "[test] installing Debian chromium for the browser tests (once)"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends -o DPkg::Lock::Timeout=600 chromium fonts-dejavu-core
[ -x "$CHROMIUM" ] || { echo "test: apt-get finished but $CHROMIUM is still missing" >&2; exit 1; }
