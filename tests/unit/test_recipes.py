"""One source per recipe: the exported recipes in src/dlbook/recipes/ are the chapters' own cells."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _exporter():
    spec = importlib.util.spec_from_file_location("export_recipes", ROOT / "scripts" / "export_recipes.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_recipe_is_its_chapters_cells() -> None:
    """Fails when a chapter's recipe cell and its export differ: run python scripts/export_recipes.py."""
    assert _exporter().outdated() == []


def test_an_edit_to_the_chapter_makes_the_recipe_stale(tmp_path: Path) -> None:
    exporter = _exporter()
    (tmp_path / "book").mkdir()
    (tmp_path / "src" / "dlbook" / "recipes").mkdir(parents=True)
    for chapter in (ROOT / "book").glob("*.md"):
        (tmp_path / "book" / chapter.name).write_text(chapter.read_text(encoding="utf-8"), encoding="utf-8")
    for chapter, module in exporter.chapters().items():
        recipe = ROOT / "src" / "dlbook" / "recipes" / f"{module}.py"
        (tmp_path / "src" / "dlbook" / "recipes" / f"{module}.py").write_text(recipe.read_text(encoding="utf-8"))
    assert exporter.outdated(tmp_path) == []
    chapter = tmp_path / "book" / "autoencoder.md"
    chapter.write_text(chapter.read_text().replace('activation="relu", name="encoder_dense"',
                                                   'activation="elu", name="encoder_dense"'))
    assert exporter.outdated(tmp_path) == ["src/dlbook/recipes/autoencoder.py (from book/autoencoder.md)"]


def test_a_new_chapters_recipe_is_found_without_editing_the_exporter(tmp_path: Path) -> None:
    exporter = _exporter()
    (tmp_path / "book").mkdir()
    (tmp_path / "src" / "dlbook" / "recipes").mkdir(parents=True)
    (tmp_path / "book" / "new-chapter.md").write_text("```{code-cell} ipython3\n:tags: [recipe]\n\nUNITS = 8\n```\n")
    assert exporter.chapters(tmp_path) == {"new-chapter.md": "new_chapter"}
    assert exporter.outdated(tmp_path) == ["src/dlbook/recipes/new_chapter.py (from book/new-chapter.md)"]


def test_only_tagged_cells_are_exported() -> None:
    markdown = ("```{code-cell} ipython3\n:tags: [recipe]\n\ndef f():\n    return 1\n```\n\n"
                "```{code-cell} ipython3\nx = f()\n```\n\n"
                "```{code-cell} ipython3\n:tags: [remove-cell, recipe]\nY = 2\n```\n")
    assert _exporter().recipe_cells(markdown) == ["def f():\n    return 1\n", "Y = 2\n"]


def test_the_chapters_and_the_command_line_build_chapter_1s_model_from_the_recipe() -> None:
    """Chapter 2 and dlbook.tasks import the exported recipe; neither writes the model again."""
    chapter_2 = (ROOT / "book" / "denoising-autoencoder.md").read_text()
    assert "from dlbook.recipes import autoencoder as chapter_1" in chapter_2
    assert "layers.Dense" not in chapter_2.split("## Exercises")[0]
    for source in ("src/dlbook/tasks.py", "src/dlbook/autoencoders.py", "benchmarks/training.py"):
        text = (ROOT / source).read_text()
        assert "recipe.build_autoencoder(" in text and 'layers.Dense(latent_dim' not in text, source


@pytest.mark.parametrize("profile", ["quick", "full"])
def test_chapter_1s_step_size_is_the_librarys(profile: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Chapter 2's denoiser compiles with autoencoders.LEARNING_RATE: it must be chapter 1's."""
    from dlbook import autoencoders
    from dlbook.recipes import autoencoder as recipe

    monkeypatch.setenv("DLBOOK_PROFILE", profile)
    model, _, _ = recipe.build_autoencoder(4)
    assert float(model.optimizer.learning_rate) == pytest.approx(autoencoders.LEARNING_RATE)
