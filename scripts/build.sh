#!/usr/bin/env bash
# Install everything into .venv and build the book into _build/html.
#   bash scripts/build.sh                       # quick profile (README, Performance: the measured time)
#   DLBOOK_PROFILE=full bash scripts/build.sh   # the published edition
# Extra arguments go to `jupyter-book build`.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"

# jupyter-cache keys executed notebooks on their code cells only, not on the
# profile, the folders, the dlbook package or the installed versions: start its
# cache afresh when any of those changed. The folders are resolved the way the
# chapters resolve them: a build that switches DLBOOK_CACHE must execute the
# chapters, so that their models are in the cache that is now in use; trained
# models stay cached in each DLBOOK_CACHE.
# The package counts as parsed code (dlbook.training.build_stamp: a comment or
# docstring edit re-executes nothing) plus its JSON, the full-profile record
# that quick pages quote.
folders="$(python -c '
import sys
from dlbook import config, training
try:
    print(config.profile(), config.cache_dir(), config.metrics_dir(), config.data_dir(),
          training.build_stamp(), sep="\n")
except ValueError as error:  # DLBOOK_PROFILE=fast: one clear line, no traceback
    sys.exit(f"build.sh: {error}")
')"
# The intro quotes the recorded build times (benchmarks/results/book_build-*.json).
stamp="$(printf '%s\n' "$folders" | cat - requirements.txt pyproject.toml \
  $(find benchmarks/results -name 'book_build-*.json' | sort) | sha256sum | cut -c1-16)"
mkdir -p _build
if [ "$(cat _build/.execution-stamp 2>/dev/null)" != "$stamp" ]; then
  rm -rf _build/.jupyter_cache _build/jupyter_execute _build/metrics
  echo "$stamp" > _build/.execution-stamp
fi

echo "==> Building the book ($DLBOOK_PROFILE profile) into _build/html"
start=$(date +%s)
# Chapters that changed execute two at a time into the execution cache first;
# the build then renders them (and executes any that failed there, to report it).
python scripts/execute_chapters.py
jupyter-book build . --all -W -n --keep-going "$@"
echo "==> Built in $(( $(date +%s) - start )) s: open _build/html/index.html"
