"""The book's sources: paired notebooks in sync and output-free, the Colab install cell."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text())
REPOSITORY = CONFIG["repository"]["url"].rstrip("/")
NOTEBOOK_PAGES = sorted(
    path for path in (ROOT / "book").glob("*.md") if "kernelspec:" in path.read_text().split("\n---", 1)[0]
)
IDS = [path.stem for path in NOTEBOOK_PAGES]


def test_there_are_notebook_pages() -> None:
    assert len(NOTEBOOK_PAGES) >= 5  # the intro and four chapters


@pytest.mark.parametrize("page", NOTEBOOK_PAGES, ids=IDS)
def test_paired_notebook_exists_and_is_in_sync(page: Path, tmp_path: Path) -> None:
    paired = page.with_suffix(".ipynb")
    assert paired.is_file(), f"{paired.name} is missing: run `jupytext --sync {page.relative_to(ROOT)}`"
    copy = tmp_path / paired.name
    shutil.copy(paired, copy)
    subprocess.run(
        [sys.executable, "-m", "jupytext", "--quiet", "--update", "--to", "ipynb", "--output", str(copy), str(page)],
        check=True,
    )
    assert json.loads(copy.read_text()) == json.loads(paired.read_text()), (
        f"{paired.name} is out of sync with {page.name}: run `jupytext --sync {page.relative_to(ROOT)}`"
    )


@pytest.mark.parametrize("page", NOTEBOOK_PAGES, ids=IDS)
def test_committed_notebooks_have_no_outputs(page: Path) -> None:
    notebook = json.loads(page.with_suffix(".ipynb").read_text())
    for cell in notebook["cells"]:
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None


@pytest.mark.parametrize("page", NOTEBOOK_PAGES, ids=IDS)
def test_first_code_cell_installs_dlbook_only_on_colab(page: Path) -> None:
    notebook = json.loads(page.with_suffix(".ipynb").read_text())
    first = next(cell for cell in notebook["cells"] if cell["cell_type"] == "code")
    source = "".join(first["source"])
    assert set(first["metadata"].get("tags", [])) >= {"remove-cell", "skip-execution"}
    assert 'if "google.colab" in sys.modules:' in source
    # The package comes from the repository the launch buttons point at.
    assert f"git+{REPOSITORY}@main" in source
    install = [line for line in source.splitlines() if "pip install" in line]
    assert len(install) == 1 and "tensorflow" not in install[0].lower(), "keep Colab's own TensorFlow"


def test_launch_configuration() -> None:
    assert CONFIG["repository"]["branch"] == "main"
    assert CONFIG["launch_buttons"]["colab_url"] == "https://colab.research.google.com"
    assert CONFIG["launch_buttons"]["binderhub_url"] == "https://mybinder.org"
    assert CONFIG["sphinx"]["recursive_update"] is True
    assert {"book/*.ipynb", "book/**/*.ipynb"} <= set(CONFIG["exclude_patterns"])
