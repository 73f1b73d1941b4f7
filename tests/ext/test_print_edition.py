"""The single page that the PDF edition prints (_ext/print_edition.py), on a made-up body."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "_ext"))

import print_edition as pe  # noqa: E402

SITE = "https://example.org/book/"
BODY = (
    '<section id="deep-learning"><h1>Intro</h1></section>'  # the root document has no marker
    '<span id="document-book/autoencoder"></span><section class="tex2jax_ignore" id="autoencoders"><h1>1</h1>'
    '<section id="summary"><h2>Summary</h2></section></section>'
    '<span id="document-book/references"></span><section id="references"><h1>References</h1></section>'
)


def test_every_document_starts_a_page() -> None:
    marked = pe.mark_chapters(BODY, SITE, panels=set())
    assert '<section class="dlbook-print-chapter tex2jax_ignore" id="autoencoders">' in marked
    assert '<section class="dlbook-print-chapter" id="references">' in marked
    assert marked.count("dlbook-print-chapter") == 2, "only each later document's first section starts a page"


def test_a_chapter_with_a_live_panel_links_to_it_before_its_summary() -> None:
    marked = pe.mark_chapters(BODY, SITE, panels={"book/autoencoder"})
    note = marked.index(f'href="{SITE}book/autoencoder.html#live-model"')
    assert marked.index('id="autoencoders"') < note < marked.index('<section id="summary">')
    assert marked.count("#live-model") == 2  # the link's address and its text, once


def test_without_panels_nothing_but_the_page_breaks_changes() -> None:
    marked = pe.mark_chapters(BODY, SITE, panels=set())
    assert marked.replace("dlbook-print-chapter ", "").replace(' class="dlbook-print-chapter"', "") == BODY
