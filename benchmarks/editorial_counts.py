"""Editorial counts of a built book, per chapter (issue 22's before-and-after numbers).

For every chapter page in ``_build/html`` (or ``--html``), counted exactly as
``tests/book/test_editorial.py`` checks them (both use ``tests/book/editorial.py``):

- **prose words**: the words of the lesson text (not code, outputs, tables or math; the run
  box and the note under the title are counted apart, as "note words");
- **computed verdicts**: the distinct verdict names the chapter computed, from
  ``_build/metrics/<chapter>.json`` (the names in ``verdict_ids`` and in the glued
  ``verdicts`` record together);
- **profile sentences**: sentences of the lesson text (outside the run box and its note)
  that mention a profile;
- **repeated sentences**: sentences of 8 or more words said more than once on the page
  (each counted once);
- **long code lines**: visible code lines over 79 characters, in the page and in the
  chapter's launch notebook (``_build/launch``).

Usage: ``python benchmarks/editorial_counts.py [--html _build/html] [--json out.json]``.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "book"))

import editorial  # noqa: E402

CHAPTERS = ["autoencoder", "denoising-autoencoder", "text-generation", "sentiment"]


def verdict_count(metrics: Path) -> int | None:
    """Distinct verdicts the chapter computed, from its metrics record."""
    try:
        record = json.loads(metrics.read_text())
    except (OSError, ValueError):
        return None
    names = set(record.get("verdict_ids") or {})  # every verdict the chapter computed, with its branch
    verdicts = (record.get("values") or {}).get("verdicts")  # the glued record of the page's verdicts
    if isinstance(verdicts, dict):
        names |= set(verdicts)
    return len(names) if names or "verdict_ids" in record else None


def notebook_long_lines(notebook: Path) -> int | None:
    """Code lines over the limit in a launch notebook (code cells and fenced code in Markdown)."""
    try:
        cells = json.loads(notebook.read_text())["cells"]
    except (OSError, ValueError, KeyError):
        return None
    count = 0
    for cell in cells:
        source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        blocks = [source] if cell["cell_type"] == "code" else re.findall(r"(?ms)^```[^\n]*\n(.*?)^```", source)
        count += sum(len(line) > editorial.MAX_CODE_LINE for block in blocks for line in block.split("\n"))
    return count


def counts(html: Path) -> dict[str, dict[str, int | None]]:
    build = html.parent
    table = {}
    for chapter in CHAPTERS:
        path = html / "book" / f"{chapter}.html"
        if not path.is_file():
            continue
        page = editorial.read_page(path, f"book/{chapter}")
        code_blocks = {block for block, _ in page.code_lines}
        long_blocks = {block for block, _ in editorial.long_code_lines(page)}
        table[chapter] = {
            "prose words": page.words,
            "note words": sum(len(editorial.words(block)) for block in page.note_blocks),
            "computed verdicts": verdict_count(build / "metrics" / f"{chapter}.json"),
            "profile sentences": len(editorial.profile_sentences(page)),
            "repeated sentences": len(editorial.repeated_sentences(page)),
            "long code lines (page)": len(editorial.long_code_lines(page)),
            "code blocks with a long line": len(long_blocks),
            "code blocks": len(code_blocks),
            "long code lines (notebook)": notebook_long_lines(build / "launch" / "book" / f"{chapter}.ipynb"),
        }
    return table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--html", type=Path, default=ROOT / "_build" / "html", help="the built site")
    parser.add_argument("--json", type=Path, help="also write the counts as JSON")
    args = parser.parse_args()
    table = counts(args.html)
    if not table:
        sys.exit(f"no built chapter pages in {args.html}/book: build the book first")
    columns = list(next(iter(table.values())))
    width = max(len(chapter) for chapter in table)
    print(f"{'chapter':<{width}}  " + "  ".join(columns))
    for chapter, row in table.items():
        print(f"{chapter:<{width}}  " + "  ".join(f"{'-' if row[c] is None else row[c]:>{len(c)}}" for c in columns))
    if args.json:
        args.json.write_text(json.dumps(table, indent=1) + "\n")


if __name__ == "__main__":
    main()
