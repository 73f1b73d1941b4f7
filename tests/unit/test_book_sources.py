"""The book's sources: MyST chapters only (no notebook copies), the Colab install cell."""

from __future__ import annotations

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


def test_no_notebook_copies_in_the_sources() -> None:
    """The chapters are the .md files; the launch notebooks are built from them (see _ext/launch_notebooks.py)."""
    assert not list((ROOT / "book").glob("**/*.ipynb"))


def read_notebook(page: Path) -> dict:
    import jupytext

    return jupytext.read(page)


@pytest.mark.parametrize("page", NOTEBOOK_PAGES, ids=IDS)
def test_first_code_cell_installs_dlbook_only_on_colab(page: Path) -> None:
    notebook = read_notebook(page)
    first = next(cell for cell in notebook["cells"] if cell["cell_type"] == "code")
    source = "".join(first["source"])
    # Hidden in the page, not run by the build, kept in the launch notebook.
    assert set(first["metadata"].get("tags", [])) >= {"remove-cell", "skip-execution", "launch-only"}
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
    assert "launch_notebooks" in CONFIG["sphinx"]["local_extensions"]
