"""The quick build tells the same story as the recorded full-profile build, or says where not.

Every chapter glues ``verdicts``: its verdict sentences with the numbers masked
(:func:`dlbook.prose.wording.outcomes`). The quick build's must equal those of the
full-profile record in ``src/dlbook/full_profile.json``, except where the quick
sentence names the full profile, saying on the page that the profiles differ
(:func:`dlbook.prose.reference.compare_verdicts`). Run after a quick build; skipped
when there is none (a failure under DLBOOK_REQUIRE_BOOK=1, as scripts/test.sh
sets it) and after a full build, which is what the record is made from.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from dlbook.prose import reference

pytestmark = pytest.mark.book

ROOT = Path(__file__).resolve().parents[2]
METRICS = Path(os.environ.get("DLBOOK_METRICS") or ROOT / "_build" / "metrics")
#: The repository's record, not an installed copy: this checkout's record is the one under test.
RECORD = ROOT / "src" / "dlbook" / reference.RECORD_NAME
REFRESH_HINT = f"To record the full profile, {reference.REFRESH}."


@pytest.fixture(scope="module")
def quick_records() -> dict[str, dict[str, Any]]:
    """The quick build's results records, by chapter."""
    paths = sorted(METRICS.glob("[!.]*.json")) if METRICS.is_dir() else []
    if not paths:
        if os.environ.get("DLBOOK_REQUIRE_BOOK") == "1":
            pytest.fail(f"No results records in {METRICS}: the build failed or did not run.")
        pytest.skip(f"No results records in {METRICS}: the book is not built (run scripts/build.sh first).")
    records = {path.stem: json.loads(path.read_text(encoding="utf-8")) for path in paths}
    profiles = sorted({record["profile"] for record in records.values()})
    if profiles != ["quick"]:
        pytest.skip(f"{METRICS} holds a build of the {' and '.join(profiles)} profile; "
                    "the check compares a quick build with the recorded full one.")
    return records


def test_quick_verdicts_match_the_full_profile_record(quick_records: dict[str, dict[str, Any]]) -> None:
    quick = {chapter: record["values"]["verdicts"] for chapter, record in quick_records.items()
             if "verdicts" in record["values"]}
    quick_ids = {chapter: record.get("verdict_ids", {}) for chapter, record in quick_records.items()}
    assert quick, f"no chapter in {METRICS} glued verdicts"
    assert RECORD.is_file(), f"No full-profile record at {RECORD}. {REFRESH_HINT}"
    chapters = reference.load(RECORD)["chapters"]
    full = {chapter: entry["verdicts"] for chapter, entry in chapters.items()}
    full_ids = {chapter: entry.get("verdict_ids", {}) for chapter, entry in chapters.items()}
    skipped: list[str] = []
    problems = reference.compare_verdicts(quick, full, quick_ids=quick_ids, full_ids=full_ids, skipped=skipped)
    for line in skipped:  # a new chapter or verdict passes until the next full build records it; say so
        print(f"test_profile_verdicts: {line}")
    assert not problems, (
        f"The quick build's verdicts differ from those of {reference.describe(RECORD)}. Where both builds "
        "recorded the branch a verdict took, a different branch fails; for a verdict the record has only as "
        "a sentence, the quick page may say in that sentence that the full profile differs. Where the "
        f"record is stale, refresh it. {REFRESH_HINT}\n" + "\n".join(problems))
