#!/usr/bin/env bash
# Recompresses the README screenshots for the VSIX (issue 20): a 256-colour palette (pngquant) keeps UI text
# and chart colours legible at full resolution and takes the three files from 525 kB to under 200 kB; then a
# lossless optipng pass. Run it after replacing a screenshot (e.g. from test-results/e2e/). Installs the two
# Debian packages when missing. Files already palette-compressed are left as they are.
set -euo pipefail
cd "$(dirname "$0")"
missing=()
command -v pngquant >/dev/null || missing+=(pngquant)
command -v optipng >/dev/null || missing+=(optipng)
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
for f in *.png; do
  before=$(stat -c %s "$f")
  # Colour type 3 (byte 25 of the file) is a palette image: done already.
  if [ "$(od -An -tu1 -j25 -N1 "$f" | tr -d ' ')" = 3 ]; then echo "$f: palette already ($before B)"; continue; fi
  pngquant --force --speed 1 --strip --skip-if-larger 256 --output "$f" "$f" || true
  optipng -quiet -o5 "$f"
  echo "$f: $before → $(stat -c %s "$f") B"
done
