#!/usr/bin/env bash
# Are the dependency ranges in pyproject.toml true? Run the Colab-like test
# (tests/notebooks: every launch notebook top to bottom, then its exercise
# solutions, in a fresh kernel of a clean virtualenv) with another version set
# than requirements.txt pins:
#
#   bash scripts/test-versions.sh oldest   # the lowest versions pyproject.toml allows
#   bash scripts/test-versions.sh newest   # the newest versions the package registry serves
#
# The set is every dependency of the package plus the `tensorflow` extra's
# bound (as tensorflow-cpu, the build the pinned test uses) and ipykernel.
# uv resolves it (`--resolution lowest-direct`: the lowest version of each of
# those, and the newest of what they pull in, which is what a reader who has
# the oldest allowed TensorFlow, Keras, numpy... gets from pip), and writes it
# to _build/versions/<set>/requirements.txt. The virtualenv is
# _build/versions/<set>/venv.
#
# Needs a built book (scripts/build.sh writes the launch notebooks to
# _build/launch) and the project's virtualenv (.venv, or the active one).
# The model cache keys include the TensorFlow and Keras versions, so with
# another version set the notebooks train their (quick-profile) models; they
# are cached under those versions' keys in DLBOOK_CACHE.
# The weekly workflow .github/workflows/versions.yml runs `newest`.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

SET="${1:-}"
case "$SET" in
  oldest) RESOLUTION=lowest-direct ;;
  newest) RESOLUTION=highest ;;
  *) echo "usage: bash scripts/test-versions.sh oldest|newest" >&2; exit 2 ;;
esac

if ! ls _build/launch/book/*.ipynb >/dev/null 2>&1; then
  echo "No launch notebooks in _build/launch: build the book first (bash scripts/build.sh)." >&2
  exit 2
fi

# The project's virtualenv (pytest, nbclient), unless one is active.
if [ -z "${VIRTUAL_ENV:-}" ]; then
  # shellcheck disable=SC1091
  source "$ROOT/scripts/env.sh"
  cd "$ROOT"
fi
PYTHON=python
export DLBOOK_PROFILE="${DLBOOK_PROFILE:-quick}"

OUT="$ROOT/_build/versions/$SET"
TOOLS="$ROOT/_build/versions/tools"
mkdir -p "$OUT"

# uv, in a virtualenv of its own: pip has no "lowest versions" resolution.
if [ ! -x "$TOOLS/bin/uv" ]; then
  echo "==> Installing uv into $TOOLS"
  "$PYTHON" -m venv "$TOOLS"
  "$TOOLS/bin/python" -m pip install --quiet uv
fi

# The ranges, read from pyproject.toml (so that they are the ones under test).
"$PYTHON" - "$SET" > "$OUT/ranges.txt" <<'EOF'
import re
import sys
import tomllib

project = tomllib.load(open("pyproject.toml", "rb"))["project"]
print("\n".join(project["dependencies"]))
for requirement in project["optional-dependencies"]["tensorflow"]:
    # The CPU build (what requirements.txt pins, and smaller); the same versions.
    print(re.sub(r"^tensorflow\b", "tensorflow-cpu", requirement))
# The kernel is not a dependency of the package; in the oldest set, the pinned one.
if sys.argv[1] == "oldest":
    pinned = [line.split("#")[0].strip() for line in open("requirements.txt")]
    print(next(line for line in pinned if line.startswith("ipykernel==")))
else:
    print("ipykernel")
EOF

echo "==> Resolving the $SET versions ($RESOLUTION) of:"
sed 's/^/    /' "$OUT/ranges.txt"
# --no-deps below would let a bad set through: the resolver must find one consistent set.
UV_NATIVE_TLS=1 "$TOOLS/bin/uv" pip compile --quiet --no-header --no-annotate --resolution "$RESOLUTION" \
  --python "$PYTHON" "$OUT/ranges.txt" -o "$OUT/requirements.txt"
echo "==> Resolved (_build/versions/$SET/requirements.txt):"
grep -E -i '^(tensorflow-cpu|keras|numpy|pandas|scikit-learn|matplotlib|seaborn|jinja2|click|ipykernel|scipy|h5py|ml-dtypes|protobuf)==' \
  "$OUT/requirements.txt" | sed 's/^/    /'

echo "==> Every launch notebook and its exercise solutions with the $SET versions"
start=$(date +%s)
status=0
DLBOOK_RUN_NOTEBOOKS=1 DLBOOK_COLAB_VENV="$OUT/venv" DLBOOK_COLAB_REQUIREMENTS="$OUT/requirements.txt" \
  "$PYTHON" -m pytest tests/notebooks -q -p no:cacheprovider --junitxml="$OUT/junit.xml" || status=$?
echo "==> $SET versions: pytest exit status $status after $(( $(date +%s) - start )) s (report: _build/versions/$SET/junit.xml)"
exit "$status"
