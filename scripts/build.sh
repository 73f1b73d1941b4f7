#!/usr/bin/env bash
# Install everything into .venv and build the book into _build/html.
#   bash scripts/build.sh                       # quick profile (a few minutes)
#   DLBOOK_PROFILE=full bash scripts/build.sh   # the published edition
# Extra arguments go to `jupyter-book build`.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"

# jupyter-cache keys executed notebooks on their code cells only, not on the
# profile, the dlbook package or the installed versions: start its cache afresh
# when any of those changed (trained models stay cached in DLBOOK_CACHE).
stamp="$(printf '%s\n' "$DLBOOK_PROFILE" "${DLBOOK_DATA:-}" | cat - requirements.txt pyproject.toml \
  $(find src -name '*.py' | sort) | sha256sum | cut -c1-16)"
mkdir -p _build
if [ "$(cat _build/.execution-stamp 2>/dev/null)" != "$stamp" ]; then
  rm -rf _build/.jupyter_cache _build/jupyter_execute _build/metrics
  echo "$stamp" > _build/.execution-stamp
fi

echo "==> Building the book ($DLBOOK_PROFILE profile) into _build/html"
start=$(date +%s)
jupyter-book build . --all -W -n --keep-going "$@"
echo "==> Built in $(( $(date +%s) - start )) s: open _build/html/index.html"
