"""Every chapter's paired .ipynb runs top to bottom in a fresh kernel, as in Binder or Colab.

Run by scripts/test.sh after the book build, with the warm model cache: the
results go to _build/rebuild/metrics (so tests/book can check that nothing was
retrained and the numbers are the same) and each kernel's peak memory to
_build/notebook-memory.json (Binder allows 2 GB).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "book").glob("*.ipynb"))
MEMORY_FILE = ROOT / "_build" / "notebook-memory.json"
#: mybinder.org restarts a kernel that grows past 2 GB.
BINDER_LIMIT_MB = 2048

PEAK_MEMORY_CELL = """\
import resource, json
print(json.dumps({"peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

pytestmark = pytest.mark.skipif(
    os.environ.get("DLBOOK_RUN_NOTEBOOKS") != "1",
    reason="executes every chapter: run by scripts/test.sh (set DLBOOK_RUN_NOTEBOOKS=1)",
)


@pytest.mark.parametrize("notebook_path", NOTEBOOKS, ids=[path.stem for path in NOTEBOOKS])
def test_notebook_runs_in_a_fresh_kernel(notebook_path: Path) -> None:
    notebook = nbformat.read(notebook_path, as_version=4)
    notebook.cells.append(nbformat.v4.new_code_cell(PEAK_MEMORY_CELL))
    client = NotebookClient(
        notebook, timeout=1800, kernel_name="python3",
        resources={"metadata": {"path": str(notebook_path.parent)}},
    )
    client.execute()  # raises CellExecutionError with the failing cell's traceback

    skipped = [cell for cell in notebook.cells if "skip-execution" in cell.metadata.get("tags", [])]
    assert all(not cell.get("outputs") for cell in skipped), "a skip-execution cell ran"
    peak_mb = json.loads(notebook.cells[-1].outputs[0]["text"])["peak_mb"]
    memory = json.loads(MEMORY_FILE.read_text()) if MEMORY_FILE.exists() else {}
    memory[notebook_path.stem] = {"profile": os.environ.get("DLBOOK_PROFILE", "quick"), "peak_mb": round(peak_mb)}
    MEMORY_FILE.parent.mkdir(exist_ok=True)
    MEMORY_FILE.write_text(json.dumps(memory, indent=2))
    assert peak_mb < BINDER_LIMIT_MB, f"{notebook_path.name} peaked at {peak_mb:.0f} MB"
