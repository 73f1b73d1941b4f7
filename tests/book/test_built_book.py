"""Checks of the built site in _build/html, run after the book build.

They are skipped when no build exists, unless DLBOOK_REQUIRE_BOOK=1 (set by
scripts/test.sh), where a missing build is a failure.
"""

from __future__ import annotations

import json
import math
import os
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from bs4 import BeautifulSoup

ROOT = Path(__file__).resolve().parents[2]
PROFILES = ("quick", "full")
BUILD = ROOT / "_build"
HTML = BUILD / "html"


def toc_documents() -> list[str]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    documents = [toc["root"]]
    for part in toc.get("parts", [{"chapters": toc.get("chapters", [])}]):
        documents += [chapter["file"] for chapter in part["chapters"]]
    return documents


DOCUMENTS = toc_documents()
NOTEBOOK_PAGES = [doc for doc in DOCUMENTS if "kernelspec" in (ROOT / f"{doc}.md").read_text().split("\n---", 1)[0]]
CHAPTERS = [doc for doc in NOTEBOOK_PAGES if doc != "book/intro"]


@pytest.fixture(scope="module", autouse=True)
def built_book() -> None:
    if not (HTML / "index.html").is_file():
        if os.environ.get("DLBOOK_REQUIRE_BOOK") == "1":
            pytest.fail("No built book in _build/html: the build failed or did not run.")
        pytest.skip("The book is not built (run scripts/build.sh first).")


def page(doc: str) -> BeautifulSoup:
    return BeautifulSoup((HTML / f"{doc}.html").read_text(encoding="utf-8"), "html.parser")


@pytest.mark.parametrize("doc", DOCUMENTS)
def test_every_toc_page_is_built(doc: str) -> None:
    assert (HTML / f"{doc}.html").is_file()


def test_no_execution_error_reports() -> None:
    reports = HTML / "reports"
    logs = sorted(reports.glob("*.log")) if reports.exists() else []
    assert not logs, "chapters failed to execute: " + ", ".join(log.name for log in logs)


@pytest.mark.parametrize("doc", NOTEBOOK_PAGES)
def test_outputs_are_clean(doc: str) -> None:
    soup = page(doc)
    article = soup.find("article")
    assert article is not None
    outputs = article.select(".cell_output")
    text = "\n".join(output.get_text() for output in outputs)
    assert "Traceback (most recent call last)" not in text
    assert not article.select(".output.stderr"), "stderr output reached the page"
    assert not article.select(".output.traceback"), "a traceback reached the page"
    for noise in ("WARNING:", "oneDNN", "cpu_feature_guard"):
        assert noise not in text, f"log noise on the page: {noise!r}"
    # A Keras progress bar ("12/188 ━━━━━"), not the box lines of model.summary().
    assert not re.search(r"\d+/\d+ ━", text), "a Keras progress bar reached the page"


@pytest.mark.parametrize("doc", NOTEBOOK_PAGES)
def test_every_glue_was_filled(doc: str) -> None:
    soup = page(doc)
    pasted = soup.select(".pasted-text, .pasted-inline")
    assert pasted, "no glued values: the prose should quote the run"
    empty = [str(node) for node in pasted if not node.get_text(strip=True)]
    assert not empty, f"empty glue: {empty[:3]}"


def glued_text(node: Any) -> str:
    """A glued value as the reader sees it, without the quotes of a glued string's repr."""
    return node.get_text(strip=True).strip("'\"")


@pytest.mark.parametrize("doc", NOTEBOOK_PAGES)
def test_the_page_names_the_profile_that_built_it(doc: str) -> None:
    """The note "the numbers on this page come from the ... profile" quotes the
    build's actual profile, the one its results record was written in."""
    record = json.loads((BUILD / "metrics" / f"{Path(doc).name}.json").read_text())
    assert record["profile"] in PROFILES
    soup = page(doc)
    named = [glued_text(node) for node in soup.select(".pasted-text, .pasted-inline")
             if glued_text(node) in PROFILES]
    assert named, "no glued profile name on the page"
    assert set(named) == {record["profile"]}, f"the page names {sorted(set(named))}, the build ran {record['profile']}"
    note = [(node.find_parent(["p", "li"]) or node.parent).get_text(" ", strip=True)
            for node in soup.select(".pasted-text, .pasted-inline") if glued_text(node) == record["profile"]]
    assert any(re.search(rf"\b{record['profile']}\W+profile\b", text) for text in note), note[:2]


@pytest.mark.parametrize("doc", DOCUMENTS)
def test_every_image_exists_and_has_alt_text(doc: str) -> None:
    for image in page(doc).find("article").find_all("img"):
        source = (HTML / doc).parent / image["src"]
        assert source.is_file() and source.stat().st_size > 0, f"missing image {image['src']}"
        assert image.get("alt", "").strip(), f"image without alt text: {image['src']}"


@pytest.mark.parametrize("doc", CHAPTERS)
def test_chapters_have_figures_and_a_title(doc: str) -> None:
    soup = page(doc)
    assert soup.find("article").find("h1") is not None
    assert len(soup.find("article").find_all("img")) >= 2


@pytest.mark.parametrize("doc", NOTEBOOK_PAGES)
def test_results_record_per_page(doc: str) -> None:
    name = Path(doc).name
    record = json.loads((BUILD / "metrics" / f"{name}.json").read_text())
    assert record["profile"] == os.environ.get("DLBOOK_PROFILE", "quick")
    assert record["values"], "the chapter recorded no results"
    for value in record["values"].values():
        if isinstance(value, float):
            assert math.isfinite(value), f"non-finite result in {name}: {value}"


CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text())
ORG_REPO = CONFIG["repository"]["url"].rstrip("/").removeprefix("https://github.com/")


@pytest.mark.parametrize("doc", NOTEBOOK_PAGES)
def test_launch_links_open_the_launch_notebook_on_the_notebooks_branch(doc: str) -> None:
    """The theme's menu, and on chapters the run box under the title, open the launch
    notebook (written to _build/launch, published to the notebooks branch)."""
    soup = page(doc)
    links = [anchor["href"] for anchor in soup.find_all("a", href=True)]
    colab = {link for link in links if link.startswith("https://colab.research.google.com/github/")}
    binder = {link for link in links if link.startswith("https://mybinder.org/v2/")}
    assert colab == {f"https://colab.research.google.com/github/{ORG_REPO}/blob/notebooks/{doc}.ipynb"}
    assert binder == {f"https://mybinder.org/v2/gh/{ORG_REPO}/notebooks?urlpath=lab/tree/{doc}.ipynb"}
    assert (BUILD / "launch" / f"{doc}.ipynb").is_file()


@pytest.mark.parametrize("doc", NOTEBOOK_PAGES)
def test_install_cell_is_not_on_the_page(doc: str) -> None:
    assert "google.colab" not in page(doc).find("article").get_text()


@pytest.mark.parametrize("doc", NOTEBOOK_PAGES)
def test_download_and_repository_buttons(doc: str) -> None:
    soup = page(doc)
    downloads = [anchor["href"] for anchor in soup.select(".dropdown-download-buttons a[href]")]
    assert any(href.endswith(f"{Path(doc).name}.ipynb") for href in downloads)
    assert any(href.endswith(f"{Path(doc).name}.md") for href in downloads)
    for href in downloads:
        assert (HTML / doc).parent.joinpath(href).resolve().is_file(), f"download target missing: {href}"
    hrefs = [anchor["href"] for anchor in soup.find_all("a", href=True)]
    assert any(href.startswith(CONFIG["repository"]["url"]) and "/edit/main/" in href for href in hrefs)
    assert any(href.startswith(CONFIG["repository"]["url"] + "/issues") for href in hrefs)
