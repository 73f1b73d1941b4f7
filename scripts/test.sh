#!/usr/bin/env bash
# Install everything into .venv, run the unit tests, build the whole book in the
# quick profile with warnings as errors, rebuild it from the warm model cache,
# and check the built site.
set -euo pipefail
export DLBOOK_PROFILE=quick
source "$(dirname "$0")/env.sh"
cd "$ROOT"

# A cache of trained models inside this checkout, so the test run trains every
# model itself instead of trusting weights left by earlier runs elsewhere.
export DLBOOK_CACHE="${DLBOOK_CACHE:-$ROOT/_build/cache}"
export DLBOOK_METRICS="$ROOT/_build/metrics"

echo "==> Unit tests"
python -m pytest tests/unit -q

echo "==> Book build (quick profile): executes every chapter"
start=$(date +%s)
bash scripts/build.sh
first=$(( $(date +%s) - start ))

echo "==> Rebuild with a fresh execution cache and the warm model cache"
rm -rf _build/rebuild
start=$(date +%s)
DLBOOK_METRICS="$ROOT/_build/rebuild/metrics" \
  jupyter-book build . --path-output _build/rebuild -W -n --keep-going --all > _build/rebuild.log 2>&1 \
  || { tail -50 _build/rebuild.log; exit 1; }
second=$(( $(date +%s) - start ))
printf '{"first_build_seconds": %s, "rebuild_seconds": %s}\n' "$first" "$second" > _build/build-times.json
echo "==> Build times: first ${first} s, rebuild from the model cache ${second} s"

echo "==> Checks of the built book"
DLBOOK_REQUIRE_BOOK=1 python -m pytest tests/book -q
