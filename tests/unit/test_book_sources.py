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


def _names(source: str) -> tuple[set[str], set[str]]:
    """The names a cell binds and the names it reads (IPython magics and shell lines left out)."""
    import ast

    # A magic or shell line becomes `pass`, keeping the block it sits in.
    code = "\n".join(line[: len(line) - len(line.lstrip())] + "pass" if line.lstrip().startswith(("%", "!"))
                      else line for line in source.splitlines())
    stored, loaded = set(), set()
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, ast.Name):
            (stored if isinstance(node.ctx, ast.Store) else loaded).add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            stored.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            stored.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
        elif isinstance(node, ast.arg):
            stored.add(node.arg)
    return stored, loaded


def names_only_hidden_cells_define(cells: list[tuple[str, bool]]) -> list[str]:
    """For (source, hidden) code cells in page order: each visible cell's reads of a name that only
    hidden cells (``remove-cell``, left out of the launch notebook) have bound so far."""
    visible, hidden, problems = set(), set(), []
    for index, (source, is_hidden) in enumerate(cells):
        stored, loaded = _names(source)
        if is_hidden:
            hidden |= stored - visible
            continue
        missing = sorted(name for name in loaded - stored - visible if name in hidden)
        problems += [f"code cell {index}: {name}" for name in missing]
        visible |= stored
    return problems


def test_a_visible_cell_that_reads_a_hidden_cells_name_is_found() -> None:
    cells = [("chosen = 1", True), ("print(chosen)", False), ("other = 2", False), ("print(other)", False)]
    assert names_only_hidden_cells_define(cells) == ["code cell 1: chosen"]


@pytest.mark.parametrize("page", NOTEBOOK_PAGES, ids=IDS)
def test_the_launch_notebook_needs_no_hidden_cell(page: Path) -> None:
    """The launch notebook leaves out the page's hidden cells (remove-cell, except launch-only):
    no visible cell may read a name that only a hidden cell defines, or it fails in Colab with a
    NameError (the Colab-like run in tests/notebooks finds it too, minutes later)."""
    import sys

    sys.path.insert(0, str(ROOT / "_ext"))
    import launch_notebooks  # the exporter's own rules: what it drops, what becomes Markdown

    cells = [("".join(cell["source"]), launch_notebooks.is_bookkeeping(cell) or launch_notebooks.is_quiz(cell))
             for cell in read_notebook(page)["cells"] if cell["cell_type"] == "code"]
    assert names_only_hidden_cells_define(cells) == []
