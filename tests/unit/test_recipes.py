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


#: One edit per chapter recipe, inside its tagged cell: (chapter, text in the cell, its replacement).
RECIPE_EDITS = {
    "autoencoder": ("autoencoder.md", 'activation="relu", name="encoder_dense"', 'activation="elu", name="encoder_dense"'),
    "sentiment": ("sentiment.md", "learning_rate = 5e-4", "learning_rate = 1e-3"),
    "text_generation": ("text-generation.md", "clipnorm=1.0", "clipnorm=5.0"),
}


def test_every_chapter_with_a_recipe_is_exported() -> None:
    assert set(_exporter().chapters().values()) == set(RECIPE_EDITS)


@pytest.mark.parametrize("recipe", list(RECIPE_EDITS))
def test_an_edit_to_the_chapter_makes_the_recipe_stale(tmp_path: Path, recipe: str) -> None:
    exporter = _exporter()
    (tmp_path / "book").mkdir()
    (tmp_path / "src" / "dlbook" / "recipes").mkdir(parents=True)
    for chapter in (ROOT / "book").glob("*.md"):
        (tmp_path / "book" / chapter.name).write_text(chapter.read_text(encoding="utf-8"), encoding="utf-8")
    for chapter, module in exporter.chapters().items():
        exported = ROOT / "src" / "dlbook" / "recipes" / f"{module}.py"
        (tmp_path / "src" / "dlbook" / "recipes" / f"{module}.py").write_text(exported.read_text(encoding="utf-8"))
    assert exporter.outdated(tmp_path) == []
    name, old, new = RECIPE_EDITS[recipe]
    chapter = tmp_path / "book" / name
    assert chapter.read_text().count(old) == 1
    chapter.write_text(chapter.read_text().replace(old, new))
    assert exporter.outdated(tmp_path) == [f"src/dlbook/recipes/{recipe}.py (from book/{name})"]
    # An edit outside the tagged cells leaves the recipe as it is.
    chapter.write_text(chapter.read_text().replace(new, old).replace("\n## ", "\nA new sentence.\n\n## ", 1))
    assert exporter.outdated(tmp_path) == []


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


def test_chapter_4s_model_is_built_from_its_recipe_only() -> None:
    """The command line and benchmarks/ build chapter 4's classifier from its cell; the library holds no copy."""
    from dlbook import sentiment

    assert not hasattr(sentiment, "build_model")
    for constant in ("EMBEDDING_DIM", "LSTM_UNITS", "LEARNING_RATE"):
        assert not hasattr(sentiment, constant), constant
    for source in ("src/dlbook/tasks.py", "benchmarks/training.py", "tests/browser/test_live_panels.py"):
        text = (ROOT / source).read_text()
        assert "recipe.build_model(" in text and "mask_zero=True)" not in text, source
    chapter = (ROOT / "book" / "sentiment.md").read_text()
    assert chapter.count("def build_model(") == 1


def test_chapter_3s_model_and_compile_call_come_from_its_recipe_only() -> None:
    """The command line, fit_model and benchmarks/training.py build and compile chapter 3's model from its cells."""
    import re

    from dlbook import textgen

    for removed in ("build_model", "cosine_schedule", "EMBEDDING_DIM", "DROPOUT", "LEARNING_RATE", "CLIPNORM",
                    "SCHEDULE_EPOCHS", "FINAL_LEARNING_RATE_FRACTION"):
        assert not hasattr(textgen, removed), removed
    for source in ("src/dlbook/tasks.py", "benchmarks/training.py"):
        text = (ROOT / source).read_text()
        assert "recipe.build_model(" in text and "layers.LSTM(" not in text, source
    for source in ("src/dlbook/textgen.py", "benchmarks/training.py"):
        text = (ROOT / source).read_text()
        assert "recipe.compile_model(" in text and "clipnorm" not in text and "CosineDecay" not in text, source
    chapter = (ROOT / "book" / "text-generation.md").read_text()
    assert chapter.count("def build_model(") == chapter.count("def compile_model(") == 1
    # Every compile call of the chapter's visible cells is compile_model's: the one-hot model's too.
    cells = re.findall(r"```\{code-cell\}[^\n]*\n(.*?)^```", chapter, flags=re.S | re.M)
    assert [cell for cell in cells if ".compile(" in cell and "def compile_model" not in cell] == []


@pytest.mark.parametrize("profile", ["quick", "full"])
def test_chapter_3s_visible_settings_are_the_librarys(profile: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The chapter picks its units and epochs in cells of its own; dlbook train textgen must pick the same."""
    import re

    from dlbook import config, textgen
    from dlbook.recipes import text_generation as recipe

    monkeypatch.setenv("DLBOOK_PROFILE", profile)
    chapter = (ROOT / "book" / "text-generation.md").read_text()
    namespace = {"config": config, "schedule_epochs": recipe.schedule_epochs}
    for name in ("units", "epochs"):
        line = re.search(rf"^{name} = config\.pick\(.*\)$", chapter, flags=re.M)
        assert line, f"the chapter no longer picks {name} with config.pick"
        exec(line.group(0), namespace)
    assert namespace["units"] == textgen.UNITS
    assert namespace["epochs"] == textgen.EPOCHS
    assert textgen.EPOCHS_BY_PROFILE["full"] == recipe.schedule_epochs
