#!/usr/bin/env bash
# Install what the browser checks of the built site (tests/browser) need, once:
#   - Debian's Chromium (apt). Playwright drives this binary; its own browser
#     download is not used, so the checks also run on machines without access
#     to Playwright's download servers.
#   - axe-core, the accessibility engine injected into each page (npm ci, from
#     tests/browser/package-lock.json).
# Idempotent: it installs only what is missing. Works as root or through sudo.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CHROMIUM="${DLBOOK_CHROMIUM:-/usr/bin/chromium}"

if [ "$(id -u)" -eq 0 ]; then SUDO=(); else SUDO=(sudo); fi
missing=()
[ -x "$CHROMIUM" ] || missing+=(chromium fonts-dejavu-core)
command -v npm >/dev/null || missing+=(nodejs npm)
if [ "${#missing[@]}" -gt 0 ]; then
  echo "==> Installing from Debian's packages: ${missing[*]}"
  "${SUDO[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
fi
# (Debian's launcher script complains about /dev/shm on stderr: harmless.)
"$CHROMIUM" --version 2>/dev/null

if [ ! -f "$ROOT/tests/browser/node_modules/axe-core/axe.min.js" ]; then
  echo "==> Installing axe-core (npm ci in tests/browser)"
  (cd "$ROOT/tests/browser" && npm ci --no-audit --no-fund --loglevel=error)
fi
