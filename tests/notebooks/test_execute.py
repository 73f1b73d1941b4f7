"""Every launch notebook runs top to bottom the way Colab would run it, and so do its solutions.

A clean virtualenv (``_build/colab-venv``) holds only what a launch
notebook's first cell installs in Colab: this checkout's ``dlbook`` package
(installed from the checkout, not in editable mode, as ``pip install
git+...`` would) and TensorFlow (Colab brings its own; here the version
``requirements.txt`` pins), plus the kernel. Each notebook that the build wrote
to ``_build/launch`` runs in a fresh kernel of that environment, from a
fresh working folder, with ``DLBOOK_DATA`` pointing at the datasets (there
is no network here).

The kernel shares the build's model cache (``DLBOOK_CACHE``): the cache key
covers the model, the data, the training call and the package's code, so a
model found there is the one the notebook would train, and a launch notebook
must train nothing the build did not. Each kernel's peak memory goes to
``_build/notebook-memory.json`` (Binder allows 2 GB).

Run by scripts/test.sh after the book build (``DLBOOK_RUN_NOTEBOOKS=1``).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

ROOT = Path(__file__).resolve().parents[2]
BUILD = ROOT / "_build"
LAUNCH = BUILD / "launch"
VENV = BUILD / "colab-venv"
#: scripts/test-versions.sh: another virtualenv, and a file of exact pins (its resolved versions)
#: instead of requirements.txt's; with other versions the cache keys differ, so the notebooks train.
VERSIONS = os.environ.get("DLBOOK_COLAB_REQUIREMENTS")
VENV = Path(os.environ.get("DLBOOK_COLAB_VENV", VENV))
MEMORY_FILE = BUILD / "notebook-memory.json"
KERNEL = "dlbook-colab-like"
#: mybinder.org restarts a kernel that grows past 2 GB.
BINDER_LIMIT_MB = 2048
#: The longest first: scripts/test.sh runs them two at a time (pytest-xdist), so that the two
#: workers finish together; any other notebook follows in name order.
LONGEST_FIRST = ["sentiment", "text-generation", "autoencoder", "denoising-autoencoder"]
NOTEBOOKS = sorted(LAUNCH.glob("**/*.ipynb"), key=lambda path: (
    LONGEST_FIRST.index(path.stem) if path.stem in LONGEST_FIRST else len(LONGEST_FIRST), path.name,
)) if LAUNCH.is_dir() else []

PEAK_MEMORY_CELL = """\
import resource, json
print(json.dumps({"peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

pytestmark = pytest.mark.skipif(
    os.environ.get("DLBOOK_RUN_NOTEBOOKS") != "1",
    reason="executes every chapter: run by scripts/test.sh (set DLBOOK_RUN_NOTEBOOKS=1)",
)


def pinned(*names: str) -> list[str]:
    """The ``name==version`` lines of requirements.txt for these packages."""
    lines = (ROOT / "requirements.txt").read_text().splitlines()
    found = [line.split("#")[0].strip() for line in lines if line.split("==")[0].strip().lower() in names]
    assert len(found) == len(names), f"requirements.txt pins {found}, expected {names}"
    return found


@contextlib.contextmanager
def exclusive(name: str):
    """One pytest-xdist worker at a time inside the block (a lock file in _build)."""
    BUILD.mkdir(exist_ok=True)
    with open(BUILD / f".{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def run(*command: str) -> None:
    result = subprocess.run(command, capture_output=True, text=True)
    assert result.returncode == 0, f"{' '.join(command)} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"


@pytest.fixture(scope="session")
def colab_kernel(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A kernel in a clean virtualenv with dlbook (from this checkout) and TensorFlow only."""
    python = VENV / "bin" / "python"
    requirements = pinned("tensorflow-cpu", "keras", "ipykernel") if not VERSIONS else [
        line.split("#")[0].strip() for line in Path(VERSIONS).read_text().splitlines() if line.split("#")[0].strip()]
    stamp = hashlib.sha256("\n".join(requirements).encode()).hexdigest()[:16]
    stamp_file = VENV / ".colab-like"
    # With pytest-xdist, the first worker sets the virtualenv up and the others wait for it; the
    # package is installed once per test run (a second install would replace the files under
    # a notebook that is importing them).
    run_id = os.environ.get("PYTEST_XDIST_TESTRUNUID")
    run_file = VENV / ".colab-like-run"
    with exclusive("colab-venv"):
        if not python.exists() or (stamp_file.read_text() if stamp_file.exists() else "") != stamp:
            run(sys.executable, "-m", "venv", "--clear", str(VENV))  # no --system-site-packages: clean
            run(str(python), "-m", "pip", "install", "--quiet", *requirements)
            stamp_file.write_text(stamp)
        if run_id is None or not run_file.exists() or run_file.read_text() != run_id:
            # The package as the install cell gets it: built from the sources, not linked to them.
            run(str(python), "-m", "pip", "install", "--quiet", "--force-reinstall", "--no-deps", str(ROOT))
            run(str(python), "-m", "pip", "install", "--quiet", str(ROOT))  # its own dependencies, if missing
            run_file.write_text(run_id or "")
    kernels = tmp_path_factory.mktemp("kernels")
    run(str(python), "-m", "ipykernel", "install", "--prefix", str(kernels), "--name", KERNEL)
    os.environ["JUPYTER_PATH"] = str(kernels / "share" / "jupyter")
    return KERNEL


def trained_models() -> set[str]:
    models = Path(os.environ.get("DLBOOK_CACHE", Path.home() / ".cache" / "dlbook")) / "models"
    return {path.name for path in models.iterdir()} if models.is_dir() else set()


def execute(notebook: nbformat.NotebookNode, kernel: str, workdir: Path) -> nbformat.NotebookNode:
    notebook.cells.append(nbformat.v4.new_code_cell(PEAK_MEMORY_CELL))
    client = NotebookClient(notebook, timeout=1800, kernel_name=kernel,
                            resources={"metadata": {"path": str(workdir)}})
    client.execute()  # raises CellExecutionError with the failing cell's traceback
    return notebook


def solutions(notebook: nbformat.NotebookNode) -> list[tuple[str, str]]:
    """The code of every exercise solution: the ``python`` blocks inside the notebook's
    ``<details>`` blocks titled "Solution" (the chapters' solution dropdowns; other
    dropdowns show library code, which is not meant to run in the chapter)."""
    blocks = [block for cell in notebook.cells if cell.cell_type == "markdown"
              for block in re.findall(r"(?s)<details>\s*<summary>(Solution.*?)</summary>(.*?)</details>",
                                      cell.source)]
    return [(f"{summary} #{index}, code block {number}", code)
            for index, (summary, body) in enumerate(blocks, start=1)
            for number, code in enumerate(re.findall(r"(?s)```python\n(.*?)```", body), start=1)]


#: Before the solutions: they run as a smoke test. Each must run every line, not
#: converge, so a model that is not in the cache trains one epoch of a few
#: batches and is not stored (``dlbook.config.smoke_steps``).
SMOKE_STEPS = 3
SMOKE_SETUP = f"import os\nos.environ['DLBOOK_SMOKE_STEPS'] = '{SMOKE_STEPS}'"


def test_there_are_launch_notebooks() -> None:
    assert len(NOTEBOOKS) >= 5, f"expected the intro and four chapters in {LAUNCH}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[path.stem for path in NOTEBOOKS])
def test_launch_notebook_runs_like_colab_and_so_do_its_solutions(path: Path, colab_kernel: str,
                                                                  tmp_path: Path) -> None:
    """The notebook top to bottom, then, in the same kernel, every exercise solution."""
    notebook = nbformat.read(path, as_version=4)
    notebook.cells.append(nbformat.v4.new_code_cell(PEAK_MEMORY_CELL))
    client = NotebookClient(notebook, timeout=1800, kernel_name=colab_kernel,
                            resources={"metadata": {"path": str(tmp_path)}})
    before = trained_models()
    failed = []
    with client.setup_kernel():
        for index, cell in enumerate(notebook.cells):
            client.execute_cell(cell, index)  # raises CellExecutionError with the traceback
        assert VERSIONS or trained_models() == before, "the launch notebook trained a model the book build did not"
        peak_mb = json.loads(notebook.cells[-1].outputs[0]["text"])["peak_mb"]
        # The solutions are never executed by the build: run them, as a smoke
        # test, so that they cannot rot.
        extra = [nbformat.v4.new_code_cell(SMOKE_SETUP)] + [
            nbformat.v4.new_code_cell(code, metadata={"title": title}) for title, code in solutions(notebook)]
        for cell in extra:
            notebook.cells.append(cell)
            try:
                client.execute_cell(cell, len(notebook.cells) - 1)
            except CellExecutionError as error:
                failed.append(f"{cell.metadata.get('title', 'setup')}: {str(error)[-1500:]}")
    assert not failed, "exercise solutions fail:\n" + "\n\n".join(failed)
    with exclusive("notebook-memory"):  # another worker may write the file too
        memory = json.loads(MEMORY_FILE.read_text()) if MEMORY_FILE.exists() else {}
        memory[path.stem] = {"profile": os.environ.get("DLBOOK_PROFILE", "quick"), "peak_mb": round(peak_mb)}
        MEMORY_FILE.write_text(json.dumps(memory, indent=2))
    assert peak_mb < BINDER_LIMIT_MB, f"{path.name} peaked at {peak_mb:.0f} MB"


def test_a_learner_edits_the_model_and_reruns(colab_kernel: str, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """Chapter 1 with another latent size and fewer epochs: it trains that model and reports it.

    With a model cache of its own, so that what it trains is this run's, never an earlier run's."""
    monkeypatch.setenv("DLBOOK_CACHE", str(tmp_path / "cache"))  # the kernel inherits it
    notebook = nbformat.read(LAUNCH / "book" / "autoencoder.ipynb", as_version=4)
    # One epoch: cheap, and unlike both profiles, so that it must train.
    edits = {r"^latent_dim = \d+": "latent_dim = 8", r"^epochs = .*$": "epochs = 1"}
    for pattern, replacement in edits.items():
        cells = [cell for cell in notebook.cells if cell.cell_type == "code"
                 and re.search(pattern, cell.source, re.MULTILINE)]
        assert cells, f"no visible cell sets {pattern!r}"
        cells[0].source = re.sub(pattern, replacement, cells[0].source, count=1, flags=re.MULTILINE)
    before = trained_models()
    notebook = execute(notebook, colab_kernel, tmp_path)
    new = trained_models() - before
    assert new, "editing the visible cells trained nothing new"
    printed = "\n".join(output.get("text", "") if isinstance(output.get("text", ""), str) else ""
                        for cell in notebook.cells for output in cell.get("outputs", []))
    printed += "\n".join(str(output.get("data", {}).get("text/plain", ""))
                         for cell in notebook.cells for output in cell.get("outputs", []))
    assert re.search(r"autoencoder-8: trained, 1 epoch\b", printed), "no run of the edited model and epochs"
    assert re.search(r"-> 8 numbers|latent.?8\b|\b8 numbers", printed), "nothing reports the edited latent size"
