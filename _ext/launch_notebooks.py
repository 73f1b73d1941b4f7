"""Sphinx extension: the notebooks that Colab, Binder and the download button give.

A chapter is a MyST Markdown notebook. Its prose quotes the build's numbers
through ``{glue:text}`` roles, cites with ``{cite}``, and uses directives
(notes, dropdown solutions); hidden ``remove-cell`` cells record the numbers.
Opened as a plain notebook (Colab renders CommonMark only), all of that would
show as raw markup. So after every build this extension writes, from each
executed chapter (``_build/jupyter_execute``), a *launch notebook* that reads
as a clean document:

- glued values become plain text: a glued *number* (a value with a digit, a
  few words at most, that is no verdict) is set in italics, a glued verdict
  (a sentence or a clause, a word such as the profile's name) goes in as
  plain text, and ordinary Markdown emphasis stays emphasis; a note at the top
  says exactly that (the cells print the reader's own numbers);
- sentences that tell the reader to rebuild the book or to set
  ``DLBOOK_PROFILE`` are left out of chapter notebooks: in Colab there is no
  book to rebuild (the README and the appendix "How this book is built" say
  how);
- citations become "Author (year)" text linked to the paper;
- ``{numref}`` becomes the site's own figure number ("Fig. 13", from Sphinx's
  numbering, so that the page and the notebook agree), and each captioned
  figure cell is followed by its caption with that number;
- each exercise's solution (a ``{dropdown}`` whose title starts with
  "Solution") is preceded by an empty "Your turn" code cell;
- notes and admonitions become block quotes, dropdowns ``<details>`` blocks,
  ``{literalinclude}`` the code it names, grid cards linked headings;
- each check-your-understanding cell (tagged ``quiz``) becomes a Markdown cell:
  the question and its options, with this build's answer in a collapsed
  ``<details>`` block (the cell's ``text/markdown`` output); its code is left out;
- bookkeeping cells (tagged ``remove-cell``, or visible cells that read the
  book's sentences from ``dlbook.prose``) are dropped, except those tagged
  ``launch-only`` (the Colab install cell, which gets a comment that says how
  to install the package in a local Jupyter).

Written to ``_build/launch/<docname>.ipynb`` without outputs (the publish
workflow puts them on the ``notebooks`` branch, where the Colab and Binder
buttons point) and, with the build's outputs, over the theme's copy in
``_build/html/_sources`` (the download button). The theme's launch buttons are
rewritten to point at the ``notebooks`` branch's ``.ipynb``, and a short "run
this chapter" box with Colab and Binder links is put under each chapter's title.

No package converts MyST notebooks to plain Jupyter notebooks with glue
resolved: jupytext keeps the MyST markup as it is, and sphinx-tojupyter (what
QuantEcon uses) is a separate builder that does not know myst-nb's glue. The
pieces that exist are reused: myst-nb formats glued values, pybtex reads the
bibliography.
"""

from __future__ import annotations

import ast
import copy
import json
import re
import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

LAUNCH_DIR = "launch"  # under the build's output root (_build)
BRANCH = "notebooks"   # the branch the publish workflow writes the launch notebooks to

_DIRECTIVE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|:{3,})\{(?P<name>[\w:-]+)\}[ \t]*(?P<argument>.*?)[ \t]*$")
_PLAIN_FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})(?P<info>[^`]*)$")
_ROLE = re.compile(r"\{(?P<role>[\w:-]+)\}`(?P<content>[^`]*)`")
_TARGET = re.compile(r"^\s*\([\w.:-]+\)=\s*$")
_ADMONITIONS = {
    "note": "Note", "tip": "Tip", "hint": "Hint", "important": "Important", "warning": "Warning",
    "caution": "Caution", "attention": "Attention", "danger": "Danger", "error": "Error", "seealso": "See also",
}


class ConversionError(ValueError):
    """The chapter uses markup this converter does not know how to write as plain Markdown."""


@dataclass
class Context:
    """What converting one chapter needs to know besides its cells.

    Attributes:
        glue: Glued values by name, as the ``text/plain`` myst-nb stored.
        references: Bibliography entries by key: ``{"text": "Vincent et al.", "year": "2008", "url": ...}``.
        figures: Figure labels (``mystnb.figure.name``) to their number on the site (as Sphinx
            numbered them); when empty, the notebook numbers its own figures from 1.
        figure_format: How a figure number reads (Sphinx's ``numfig_format``), ``Fig. %s``.
        verdicts: Names of the glued values that are verdicts (the page's ``verdicts`` record):
            they go in as plain text, never in italics.
        chapter: Whether the notebook is a chapter (not the landing page): rebuild
            instructions are left out of chapters only.
        page_url: Maps a document name (``book/autoencoder``) to its URL on the site.
        source_dir: The folder of the chapter's source, for ``{literalinclude}`` paths.
    """

    glue: dict[str, str] = field(default_factory=dict)
    references: dict[str, dict[str, str]] = field(default_factory=dict)
    figures: dict[str, int | str] = field(default_factory=dict)
    figure_format: str = "Fig. %s"
    verdicts: frozenset[str] = frozenset()
    chapter: bool = True
    page_url: Callable[[str], str] = lambda docname: docname + ".html"
    docname: str = ""
    source_dir: Path = Path(".")


# --- Inline roles ------------------------------------------------------------------------------


def format_glue(text_plain: str, spec: str) -> str:
    """Format a glued value exactly as myst-nb's ``{glue:text}`` role does."""
    from myst_nb.core.variables import format_plain_text

    return format_plain_text(text_plain, spec)


#: A glued value with more words than this is a clause or a sentence, not a number with its unit.
MAX_NUMBER_WORDS = 6


def is_glued_number(name: str, text: str, verdicts: frozenset[str] | set[str] = frozenset()) -> bool:
    """Whether a glued value, as the page shows it, is one of the build's numbers (set in italics).

    A number is a value with a digit in a few words ("93.9%", "0.68 s", "about 1 minute",
    "16, 32, 64 and 128"). A verdict is not, even with a number in it: a value named in the
    page's verdict record or ``*_verdict``, a whole sentence (it ends with a full stop) or a
    clause of more than ``MAX_NUMBER_WORDS`` words ("falls short of the target by 1.1 points").
    A word without a digit (the profile's name, "falls") is no number either.
    """
    if name in verdicts or name.endswith("_verdict"):
        return False
    stripped = text.strip()
    if not re.search(r"\d", stripped) or re.search(r"[.!?]$", stripped):
        return False
    return len(stripped.split()) <= MAX_NUMBER_WORDS


def _glue(content: str, context: Context) -> str:
    key, spec = (content.rsplit(":", 1) + ["s"])[:2] if ":" in content else (content, "s")
    if key not in context.glue:
        raise ConversionError(f"{context.docname}: no glued value named {key!r}")
    text = format_glue(context.glue[key], spec)
    return f"*{text}*" if is_glued_number(key, text, context.verdicts) else text


def _citation(keys: str, context: Context, *, textual: bool) -> str:
    parts = []
    for key in (k.strip() for k in keys.split(",")):
        entry = context.references.get(key)
        if entry is None:
            raise ConversionError(f"{context.docname}: no bibliography entry {key!r}")
        text = f"{entry['text']} ({entry['year']})" if textual else f"{entry['text']}, {entry['year']}"
        parts.append(f"[{text}]({entry['url']})")
    return "; ".join(parts) if textual else "(" + "; ".join(parts) + ")"


def _title_and_target(content: str) -> tuple[str | None, str]:
    match = re.fullmatch(r"(?s)(.*?)\s*<([^<>]+)>", content)
    return (match.group(1), match.group(2)) if match else (None, content)


def _numref(content: str, context: Context) -> str:
    title, label = _title_and_target(content)
    if label not in context.figures:
        raise ConversionError(f"{context.docname}: {{numref}} to {label!r}, which is no figure of this chapter")
    number = context.figures[label]
    return (title or context.figure_format).replace("%s", str(number)).replace("{number}", str(number))


def _doc(content: str, context: Context) -> str:
    title, target = _title_and_target(content)
    docname = str((Path(context.docname).parent / target)) if not target.startswith("/") else target.lstrip("/")
    return f"[{title or target}]({context.page_url(docname)})"


def convert_roles(line: str, context: Context) -> str:
    """Replace the MyST roles of one line of prose by plain Markdown."""

    def replace(match: re.Match[str]) -> str:
        role, content = match.group("role"), match.group("content")
        if role in ("glue:text", "glue", "glue:any"):
            return _glue(content, context)
        if role in ("cite", "cite:p", "cite:ps"):
            return _citation(content, context, textual=False)
        if role in ("cite:t", "cite:ts"):
            return _citation(content, context, textual=True)
        if role == "numref":
            return _numref(content, context)
        if role == "doc":
            return _doc(content, context)
        if role == "ref":
            title, _ = _title_and_target(content)
            if title is None:
                raise ConversionError(f"{context.docname}: {{ref}}`{content}` needs an explicit title")
            return title
        if role == "math":
            return f"${content}$"
        raise ConversionError(f"{context.docname}: unknown role {{{role}}}")

    return _ROLE.sub(replace, line)


# --- Block structure ---------------------------------------------------------------------------


def _closes(line: str, fence: str) -> bool:
    stripped = line.strip()
    return len(stripped) >= len(fence) and set(stripped) == {fence[0]}


def _split_options(body: list[str]) -> tuple[dict[str, str], list[str]]:
    """Split a directive's body into its ``:key: value`` options and its content."""
    options: dict[str, str] = {}
    index = 0
    if body and body[0].strip() == "---":  # YAML options block
        end = next((i for i in range(1, len(body)) if body[i].strip() == "---"), None)
        if end is not None:
            import yaml

            options = {str(k): str(v) for k, v in (yaml.safe_load("\n".join(body[1:end])) or {}).items()}
            index = end + 1
    while index < len(body):
        match = re.match(r"^\s*:([\w-]+):\s*(.*)$", body[index])
        if not match:
            break
        options[match.group(1)] = match.group(2)
        index += 1
    return options, body[index:]


def _python_object(path: Path, qualified_name: str) -> str:
    """The source of a function or class (``Class.method`` too) in a Python file, as Sphinx's
    ``:pyobject:`` option gives it."""
    source = path.read_text()
    scope: Any = ast.parse(source)
    for part in qualified_name.split("."):
        scope = next(
            (node for node in ast.iter_child_nodes(scope)
             if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.name == part),
            None,
        )
        if scope is None:
            raise ConversionError(f"{path}: no {qualified_name} to include")
    lines = source.splitlines()
    start = min([scope.lineno] + [decorator.lineno for decorator in scope.decorator_list])
    return textwrap.dedent("\n".join(lines[start - 1:scope.end_lineno]))


def _quote(lines: list[str], title: str | None) -> list[str]:
    block = ([f"**{title}**", ""] if title else []) + lines
    while block and not block[-1].strip():
        block.pop()
    return [("> " + line).rstrip() for line in block]


def _directive(name: str, argument: str, body: list[str], context: Context) -> list[str]:
    options, content = _split_options(body)
    if name in _ADMONITIONS:
        text = ([argument] if argument else []) + content
        return _quote(convert_lines(text, context), _ADMONITIONS[name])
    if name == "admonition":
        return _quote(convert_lines(content, context), convert_roles(argument, context) or None)
    if name == "dropdown":
        summary = convert_roles(argument or "Details", context)
        return ["<details>", f"<summary>{summary}</summary>", "", *convert_lines(content, context), "", "</details>"]
    if name == "literalinclude":
        path = (context.source_dir / argument).resolve()
        if "pyobject" in options:
            code = _python_object(path, options["pyobject"])
        else:
            code = path.read_text().rstrip("\n")
        return [f"```{options.get('language', 'python')}", *code.splitlines(), "```"]
    if name in ("code-block", "code", "sourcecode"):
        return [f"```{argument}", *content, "```"]
    if name == "math":
        return ["$$", *content, "$$"]
    if name == "grid":
        return convert_lines(content, context)
    if name == "grid-item-card":
        title = convert_roles(argument, context)
        if "link" in options:
            target = options["link"]
            url = context.page_url(str(Path(context.docname).parent / target)) \
                if options.get("link-type") == "doc" else target
            title = f"[{title}]({url})"
        return [f"**{title}**", "", *convert_lines(content, context)]
    if name in ("glue:figure", "glue", "bibliography"):
        return []  # a figure from a hidden cell, or the site's reference list: nothing to show in a notebook
    raise ConversionError(f"{context.docname}: no plain-Markdown form for the {{{name}}} directive")


def convert_lines(lines: list[str], context: Context) -> list[str]:
    """Convert MyST Markdown lines to CommonMark lines (directives, roles, targets, comments)."""
    out: list[str] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        directive = _DIRECTIVE.match(line)
        plain = None if directive else _PLAIN_FENCE.match(line)
        if directive:
            fence = directive.group("fence")
            end = index + 1
            while end < len(lines) and not _closes(lines[end], fence):
                end += 1
            body = [l[len(directive.group("indent")):] for l in lines[index + 1:end]]
            out.extend(_directive(directive.group("name"), directive.group("argument"), body, context))
            index = end + 1
            continue
        if plain:  # ordinary code: copied as it is
            fence = plain.group("fence")
            end = index + 1
            while end < len(lines) and not _closes(lines[end], fence):
                end += 1
            out.extend(lines[index:end + 1])
            index = end + 1
            continue
        if _TARGET.match(line) or re.match(r"^\s*%", line):
            index += 1  # a cross-reference target or a MyST comment
            continue
        out.append(convert_roles(line, context))
        index += 1
    return out


#: Sentences that only make sense in a checkout of the book (rebuild it, pick a profile):
#: in Colab or Binder there is no book to rebuild, so chapter notebooks leave them out.
BUILD_INSTRUCTION = re.compile(
    r"DLBOOK_PROFILE|scripts/build\.sh|jupyter-book build|\ba rebuild\b|\bto rebuild\b|\brebuild(ing)? (the book|with)\b",
    re.I)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z*_`\[(])")
_LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s")


#: What "a rebuild of the book" means for a reader of the notebook: the cache of trained models
#: works in Colab too (``~/.cache/dlbook``), so running the cells again loads what they trained.
_REBUILD_WORDS = [
    (re.compile(r"\ba rebuild of the book\b"), "running the notebook again"),
    (re.compile(r"\bA rebuild of the book\b"), "Running the notebook again"),
    (re.compile(r"\ba rebuild\b"), "a second run"),
    (re.compile(r"\bA rebuild\b"), "A second run"),
]


def _without_build_instructions(text: str) -> str:
    """A paragraph's text without its sentences that tell the reader to rebuild the book
    ("a rebuild" of the book, which only says that trained models are reused, becomes a
    second run of the notebook)."""
    for pattern, words in _REBUILD_WORDS:
        text = pattern.sub(words, text)
    kept = [sentence for sentence in _SENTENCE_END.split(text) if not BUILD_INSTRUCTION.search(sentence)]
    return " ".join(kept)


def drop_build_instructions(markdown: str) -> str:
    """Leave out of converted Markdown every sentence that names a rebuild or ``DLBOOK_PROFILE``.

    Code blocks are kept as they are. Only a paragraph (or a quoted paragraph, or a list
    item) that holds such a sentence is rewritten; it becomes one line, which Markdown
    renders the same. A paragraph left empty disappears.
    """
    out: list[str] = []
    block: list[str] = []
    fence: str | None = None

    def flush() -> None:
        if not block:
            return
        if not any(BUILD_INSTRUCTION.search(line) for line in block):
            out.extend(block)
        else:
            prefix = "> " if all(line.startswith(">") for line in block) else ""
            lines = [line[1:].lstrip() if prefix else line for line in block]
            items: list[list[str]] = []
            for line in lines:  # one list item, or one paragraph, per group
                if not items or _LIST_ITEM.match(line):
                    items.append([line])
                else:
                    items[-1].append(line)
            for item in items:
                indent = re.match(r"^\s*", item[0]).group(0)
                marker = _LIST_ITEM.match(item[0])
                head = item[0][:marker.end()] if marker else indent
                body = " ".join(part.strip() for part in [item[0][len(head):], *item[1:]])
                kept = _without_build_instructions(body)
                if kept.strip():
                    out.append(f"{prefix}{head}{kept}".rstrip())
        block.clear()

    for line in markdown.split("\n"):
        plain = _PLAIN_FENCE.match(line.lstrip("> "))
        if fence is not None:
            out.append(line)
            if _closes(line.lstrip("> "), fence):
                fence = None
            continue
        if plain:
            flush()
            fence = plain.group("fence")
            out.append(line)
            continue
        if not line.strip() or line.strip() == ">" or line.lstrip().startswith(("<", "|", "#", "$$")):
            flush()
            out.append(line)
            continue
        block.append(line)
    flush()
    return "\n".join(out)


def convert_markdown(source: str, context: Context) -> str:
    """One Markdown cell's MyST source as CommonMark."""
    lines = convert_lines(source.splitlines(), context)
    text = "\n".join(lines)
    if context.chapter:
        text = drop_build_instructions(text)
    return re.sub(r"\n{3,}", "\n\n", text).strip("\n")


def split_before_solutions(source: str) -> list[str]:
    """A Markdown cell's MyST source cut before each exercise's solution.

    A solution is a ``{dropdown}`` whose title starts with "Solution" (at the top level of
    the cell, or in a list item); the launch notebook puts an empty code cell for the
    reader's own attempt between the exercise and its solution.
    """
    lines = source.splitlines()
    cuts: list[int] = []
    index = 0
    while index < len(lines):
        directive = _DIRECTIVE.match(lines[index])
        plain = None if directive else _PLAIN_FENCE.match(lines[index])
        if directive or plain:
            if directive and directive.group("name") == "dropdown" and \
                    directive.group("argument").lower().startswith("solution"):
                cuts.append(index)
            fence = (directive or plain).group("fence")
            end = index + 1
            while end < len(lines) and not _closes(lines[end], fence):
                end += 1
            index = end + 1
            continue
        index += 1
    bounds = [0, *cuts, len(lines)]
    return ["\n".join(lines[start:stop]) for start, stop in zip(bounds, bounds[1:]) if start < stop]


#: The empty cell after an exercise (before its solution).
YOUR_TURN = "# Your turn: write your solution here, then compare it with the one below.\n"


# --- Whole notebooks ---------------------------------------------------------------------------


def glued_values(glue_data: dict[str, Any]) -> dict[str, str]:
    """The ``text/plain`` of every glued value, from the ``<doc>.glue.json`` myst-nb writes
    beside the executed notebook (myst-nb takes glue outputs out of the notebook itself)."""
    values = {}
    for name, item in glue_data.items():
        data = item.get("data", {})
        text = next((value for mime, value in data.items() if mime.endswith("text/plain")), None)
        if text is not None:
            values[name] = "".join(text) if isinstance(text, list) else text
    return values


def _tags(cell: dict[str, Any]) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []))


def _source(cell: dict[str, Any]) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


def _figure(cell: dict[str, Any]) -> dict[str, Any]:
    return cell.get("metadata", {}).get("mystnb", {}).get("figure", {}) or {}


#: Code that reads the book's own sentences or its record of the full build (``dlbook.prose``):
#: the book's bookkeeping, not the lesson's code.
BOOKKEEPING_CODE = re.compile(r"\bdlbook\.prose\b|from dlbook import [^\n]*\bprose\b|\breference\.(value|describe|beside|annotate)\(")


def is_bookkeeping(cell: dict[str, Any]) -> bool:
    """Cells the launch notebook leaves out: hidden by ``remove-cell`` and not marked
    ``launch-only``, or code cells that only serve the book (they read ``dlbook.prose``)."""
    tags = _tags(cell)
    if "launch-only" in tags:
        return False
    if "remove-cell" in tags:
        return True
    return cell.get("cell_type") == "code" and bool(BOOKKEEPING_CODE.search(_source(cell)))


#: The tag of a check-your-understanding cell (``dlbook.quiz.Question``, input hidden on the page).
QUIZ_TAG = "quiz"


def is_quiz(cell: dict[str, Any]) -> bool:
    """A code cell that asks a check-your-understanding question (tagged ``quiz``)."""
    return cell.get("cell_type") == "code" and QUIZ_TAG in _tags(cell)


def quiz_markdown(cell: dict[str, Any], context: Context) -> str:
    """A question cell as the launch notebook gives it: the Markdown its output holds.

    The question, its options and, collapsed in a ``<details>`` block, the answer this
    build computed (``dlbook.quiz.Question._repr_markdown_``). The cell's code, which
    computes the answer from the chapter's results, is left out: the reader is asked
    the question, not shown how the book words it.
    """
    parts = []
    for output in cell.get("outputs", []):
        text = output.get("data", {}).get("text/markdown")
        if text is not None:
            parts.append(("".join(text) if isinstance(text, list) else text).strip("\n"))
    if not parts:
        raise ConversionError(f"{context.docname}: a quiz cell has no Markdown output (was it executed?)")
    return "\n\n".join(parts)


def with_local_install_note(source: str) -> str:
    """The Colab install cell with a comment on installing the package in a local Jupyter.

    The chapter's cell installs ``dlbook`` only in Colab (keeping Colab's TensorFlow); a
    downloaded notebook run elsewhere would stop at ``from dlbook import``. The package
    spec is taken from the cell's own ``pip install`` line, so the two cannot disagree.
    """
    match = re.search(r"""pip install[^\n]*?(["'])(dlbook[^"'\n]*)\1""", source)
    if not match or "pip install" not in source:
        return source
    # Lines of at most 79 characters, like every code line of the book.
    note = ("# In your own Jupyter instead, install the package and TensorFlow once,\n"
            "# in a terminal, in the environment of the notebook's kernel:\n"
            "#     pip install tensorflow \\\n"
            f'#         "{match.group(2)}"\n')
    return source if note in source else note + source


def figure_numbers(notebook: dict[str, Any]) -> dict[str, int]:
    """Captioned figure cells (``mystnb.figure.name``) numbered in order, as the notebook shows them."""
    numbers: dict[str, int] = {}
    count = 0
    for cell in notebook.get("cells", []):
        if cell.get("cell_type") == "code" and not is_bookkeeping(cell) and _figure(cell).get("caption"):
            count += 1
            if _figure(cell).get("name"):
                numbers[_figure(cell)["name"]] = count
    return numbers


def _markdown_cell(text: str, index: int) -> dict[str, Any]:
    return {"cell_type": "markdown", "id": f"md-{index}", "metadata": {}, "source": text}


def launch_notebook(executed: dict[str, Any], context: Context, *, header: str, keep_outputs: bool) -> dict[str, Any]:
    """The launch notebook of one executed chapter.

    Args:
        executed: The executed chapter (myst-nb's ``_build/jupyter_execute`` copy).
        context: Glued values, bibliography, page URLs and the source folder (figure
            numbers are filled in here).
        header: Markdown put right after the chapter's title (where it comes from, how to read it).
        keep_outputs: Keep the build's outputs (the download); ``False`` for Colab and Binder.
    """
    context = copy.copy(context)
    if not context.figures:
        context.figures = figure_numbers(executed)
    cells: list[dict[str, Any]] = []
    header_done = False
    for index, cell in enumerate(executed.get("cells", [])):
        if cell.get("cell_type") == "markdown":
            for part_index, part in enumerate(split_before_solutions(_source(cell))):
                text = convert_markdown(part, context)
                if not header_done:
                    # The title is the first line of the first Markdown cell.
                    title, _, rest = text.partition("\n")
                    text = "\n\n".join(part for part in (title, header, rest.strip()) if part)
                    header_done = True
                if part_index > 0:  # the part starts with a solution: the reader's turn first
                    cells.append({"cell_type": "code", "id": f"your-turn-{index}-{part_index}",
                                  "metadata": {}, "execution_count": None, "outputs": [],
                                  "source": YOUR_TURN.rstrip("\n")})
                if text.strip():
                    cells.append(_markdown_cell(text, index if part_index == 0 else index * 1000 + 500 + part_index))
            continue
        if cell.get("cell_type") == "code" and is_quiz(cell):
            cells.append(_markdown_cell(quiz_markdown(cell, context), index))
            continue
        if cell.get("cell_type") != "code" or is_bookkeeping(cell):
            continue
        outputs = [
            output for output in cell.get("outputs", [])
            if not output.get("metadata", {}).get("scrapbook")  # glue: bookkeeping
        ] if keep_outputs else []
        tags = [tag for tag in _tags(cell) if tag not in ("remove-cell", "launch-only")]
        source = _source(cell).rstrip("\n")
        if "launch-only" in _tags(cell):
            source = with_local_install_note(source)
        cells.append({
            "cell_type": "code", "id": f"code-{index}", "metadata": {"tags": tags} if tags else {},
            "execution_count": None, "outputs": outputs, "source": source,
        })
        caption = _figure(cell).get("caption")
        if caption:
            number = context.figures.get(_figure(cell).get("name", ""), None)
            label = f"**{context.figure_format.replace('%s', str(number))}.** " if number else ""
            cells.append(_markdown_cell(f"{label}{convert_markdown(str(caption), context)}", index * 1000 + 1))
    return {
        "cells": cells,
        "metadata": {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def read_references(bib_files: list[Path], references_url: str) -> dict[str, dict[str, str]]:
    """Short author-year labels and links for every bibliography entry."""
    from pybtex.database import parse_file
    from pybtex.richtext import Text

    def plain(latex: str) -> str:
        return Text.from_latex(latex).render_as("text")

    references = {}
    for bib in bib_files:
        for key, entry in parse_file(str(bib)).entries.items():
            people = entry.persons.get("author") or entry.persons.get("editor") or []
            names = [plain(" ".join(person.prelast_names + person.last_names)) for person in people]
            if len(names) >= 3:
                text = f"{names[0]} et al."
            elif names:
                text = " and ".join(names)
            else:
                text = plain(entry.fields.get("title", key))
            fields = entry.fields
            url = fields.get("url") or (f"https://doi.org/{fields['doi']}" if "doi" in fields else references_url)
            references[key] = {"text": text, "year": str(fields.get("year", "n.d.")), "url": url}
    return references


# --- Sphinx: launch links, the run box, writing the notebooks -----------------------------------


def _site_url(app: Any) -> str:
    return (app.config.html_baseurl or "").rstrip("/") + "/"


def _repository(app: Any) -> tuple[str, str]:
    url = app.config.html_theme_options.get("repository_url", "").rstrip("/")
    match = re.search(r"github\.com/([^/]+)/([^/]+)$", url)
    if not match:
        raise ConversionError(f"launch notebooks need a GitHub repository URL, got {url!r}")
    return match.group(1), match.group(2)


def launch_urls(app: Any, docname: str) -> dict[str, str]:
    """Where the Colab and Binder buttons of a page point: its launch notebook on the notebooks branch."""
    org, repo = _repository(app)
    path = f"{docname}.ipynb"
    interface = app.config.html_theme_options.get("launch_buttons", {}).get("notebook_interface", "jupyterlab")
    urlpath = ("lab/tree/" if interface == "jupyterlab" else "tree/") + path
    return {
        "colab": f"https://colab.research.google.com/github/{org}/{repo}/blob/{BRANCH}/{path}",
        "binder": f"https://mybinder.org/v2/gh/{org}/{repo}/{BRANCH}?urlpath={urlpath}",
    }


def _is_notebook_page(app: Any, docname: str) -> bool:
    return docname in app.env.all_docs and Path(app.env.doc2path(docname)).suffix == ".md" and \
        app.env.metadata.get(docname, {}).get("kernelspec") is not None


def rewrite_launch_buttons(app: Any, pagename: str, templatename: str, context: dict, doctree: Any) -> None:
    """Point the theme's Colab and Binder buttons at the launch notebooks (after the theme, priority 501)."""
    if not _is_notebook_page(app, pagename):
        return
    urls = launch_urls(app, pagename)

    def visit(buttons: list[dict[str, Any]]) -> None:
        for button in buttons:
            if isinstance(button.get("buttons"), list):
                visit(button["buttons"])
            label = str(button.get("label", "")).lower() + str(button.get("text", "")).lower()
            if "colab" in label:
                button["url"] = urls["colab"]
            elif "binder" in label:
                button["url"] = urls["binder"]

    visit(context.get("header_buttons", []))


def _costs(app: Any) -> dict[str, Any]:
    """The committed record of what running each chapter costs (benchmarks/notebook_costs.py)."""
    path = Path(app.confdir) / "benchmarks" / "results" / "notebook_costs.json"
    return json.loads(path.read_text()) if path.is_file() else {}


def _minutes(seconds: float) -> str:
    minutes = seconds / 60
    if minutes < 1:
        return "under a minute"
    rounded = round(minutes) if minutes < 10 else int(round(minutes / 5) * 5)
    return f"about {rounded} minute{'s' if rounded != 1 else ''}"


def run_cost(record: dict[str, Any], chapter: str) -> str:
    """The run box's sentence on what running a chapter costs, from the committed record only.

    Never this build's own time: a build on a busy machine would read slower
    than the recorded full profile. Both profiles' times come from
    ``benchmarks/results/notebook_costs.json``, and the sentence names the
    machine and the date of each measurement.
    """
    seconds = {profile: times[chapter] for profile, times in record.get("seconds", {}).items()
               if chapter in times}
    parts = [f"{_minutes(seconds[profile])} in the {profile} profile" for profile in ("quick", "full")
             if profile in seconds]
    if not parts:
        return ""
    measured = record.get("measured", {})
    # One machine named once: "(measured on M, D)", or "(measured on M: the quick
    # profile on D1, the full profile on D2)" when the two were measured on other days.
    by_machine: dict[str, list[tuple[str, str]]] = {}
    for profile in ("quick", "full"):
        if profile in seconds and "machine" in measured.get(profile, {}):
            by_machine.setdefault(measured[profile]["machine"], []).append((profile, measured[profile]["date"]))
    where = []
    for machine, dated in sorted(by_machine.items()):
        dates = {date for _, date in dated}
        if len(dates) == 1:
            where.append(f"{machine}, {dates.pop()}")
        else:
            where.append(f"{machine}: " + ", ".join(f"the {profile} profile on {date}" for profile, date in dated))
    where_text = f" (measured on {'; '.join(where)})" if where else ""
    return f"Running it top to bottom takes {' and '.join(parts)}{where_text}."


def run_box(app: Any, docname: str, download_href: str) -> str:
    """The HTML box under a chapter's title: launch links and what a run costs."""
    urls = launch_urls(app, docname)
    chapter = Path(docname).name
    record = _costs(app)
    lines = [line for line in (run_cost(record, chapter), record.get("gpu", {}).get(chapter)) if line]
    text = "".join(f"<p>{line}</p>" for line in lines)
    return (
        '<div class="dlbook-run-box" role="note" aria-label="Run this chapter">'
        '<p class="dlbook-run-links">Run this chapter: '
        f'<a class="dlbook-run-link" href="{urls["colab"]}">Open in Colab</a> '
        f'<a class="dlbook-run-link" href="{urls["binder"]}">Open in Binder</a> '
        f'<a class="dlbook-run-link" href="{download_href}" download>Download the notebook</a></p>'
        f"{text}</div>"
    )


def add_run_box(app: Any, pagename: str, templatename: str, context: dict, doctree: Any) -> None:
    """Put the run box right after the chapter's title."""
    if not _is_notebook_page(app, pagename) or pagename == app.config.root_doc:
        return
    body = context.get("body", "")
    end = body.find("</h1>")
    if end >= 0:
        end += len("</h1>")
        download = context["pathto"](f"_sources/{pagename}.ipynb", 1)
        context["body"] = body[:end] + run_box(app, pagename, download) + body[end:]


def header_markdown(app: Any, docname: str) -> str:
    """What a launch notebook says under its title."""
    urls = launch_urls(app, docname)
    site = _site_url(app)
    profile = _profile_of_build(app, docname)
    profile_words = f"the {profile} profile" if profile else "this build"
    return (
        f"> From *{app.config.html_title or app.config.project}*, [read online]({site}{docname}.html) · "
        f"[Open in Colab]({urls['colab']}) · [Open in Binder]({urls['binder']})\n>\n"
        f"> Numbers in *italics* in the text are those of the book's build ({profile_words}); "
        "the sentences that state a result describe that build too. Other italic words are "
        "ordinary emphasis. When you run the cells, they print your own results, which can "
        "differ a little; what a cell prints is always your run's."
    )


def site_figure_numbers(app: Any, docname: str) -> dict[str, str]:
    """The number Sphinx gave each labelled figure of a page (``{numref}`` on the site shows it)."""
    numbers = app.env.toc_fignumbers.get(docname, {}).get("figure", {})
    labels = app.env.domaindata.get("std", {}).get("labels", {})
    return {label: ".".join(str(n) for n in numbers[node_id])
            for label, (doc, node_id, _) in labels.items() if doc == docname and node_id in numbers}


def verdict_names(glue: dict[str, str]) -> frozenset[str]:
    """The names in a page's ``verdicts`` record (``wording.outcomes``: verdict name to its words)."""
    try:
        record = ast.literal_eval(glue.get("verdicts", "{}"))
    except (ValueError, SyntaxError):
        return frozenset()
    return frozenset(record) if isinstance(record, dict) else frozenset()


def _profile_of_build(app: Any, docname: str) -> str | None:
    record = Path(app.outdir).parent / "metrics" / f"{Path(docname).name}.json"
    try:
        return json.loads(record.read_text()).get("profile")
    except (OSError, ValueError):
        import os

        return os.environ.get("DLBOOK_PROFILE", "quick")


def with_outputs(executed: dict[str, Any], cache_path: Path) -> dict[str, Any]:
    """The executed notebook with its outputs.

    When myst-nb takes a chapter from its execution cache, the copy it writes to
    ``_build/jupyter_execute`` has no outputs; they are in the jupyter-cache
    record, merged back here the way myst-nb merges them for the page.
    """
    if any(cell.get("outputs") for cell in executed.get("cells", []) if cell.get("cell_type") == "code"):
        return executed
    import nbformat
    from jupyter_cache import get_cache

    try:
        _, merged = get_cache(cache_path).merge_match_into_notebook(nbformat.from_dict(executed))
    except KeyError:  # not in the cache: the notebook really has no outputs
        return executed
    return json.loads(nbformat.writes(merged))


def write_launch_notebooks(app: Any, exception: Exception | None) -> None:
    """After a successful HTML build: write every chapter's launch notebook and its download copy.

    Only the site's own builder (``html``) writes them: the single-page build of the PDF edition
    (``singlehtml``, also of the html format) numbers the figures otherwise and must not
    overwrite the site's notebooks."""
    if exception is not None or app.builder.name != "html":
        return
    from sphinx.util import logging

    logger = logging.getLogger(__name__)
    out_root = Path(app.outdir).parent
    executed_dir = out_root / "jupyter_execute"
    site = _site_url(app)
    bib_files = [Path(app.srcdir) / name for name in getattr(app.config, "bibtex_bibfiles", [])]
    references = read_references(bib_files, site + "book/references.html")
    for docname in sorted(app.env.all_docs):
        if not _is_notebook_page(app, docname):
            continue
        executed_path = executed_dir / f"{docname}.ipynb"
        if not executed_path.is_file():
            logger.warning(f"launch notebooks: {executed_path} is missing (was {docname} executed?)")
            continue
        executed = with_outputs(json.loads(executed_path.read_text()), out_root / ".jupyter_cache")
        glue_path = executed_path.with_suffix(".glue.json")
        glue = glued_values(json.loads(glue_path.read_text())) if glue_path.is_file() else {}
        figure_format = (app.config.numfig_format or {}).get("figure", "Fig. %s")
        context = Context(
            glue=glue, references=references, docname=docname,
            page_url=lambda name: f"{site}{name}.html",
            source_dir=Path(app.env.doc2path(docname)).parent,
            figures=site_figure_numbers(app, docname), figure_format=figure_format,
            verdicts=verdict_names(glue), chapter=docname != app.config.root_doc,
        )
        header = header_markdown(app, docname)
        try:
            launch = launch_notebook(executed, context, header=header, keep_outputs=False)
            download = launch_notebook(executed, context, header=header, keep_outputs=True)
        except ConversionError as error:
            logger.warning(f"launch notebooks: {error}")
            continue
        for path, notebook in ((out_root / LAUNCH_DIR / f"{docname}.ipynb", launch),
                               (Path(app.outdir) / "_sources" / f"{docname}.ipynb", download)):
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(notebook, indent=1, ensure_ascii=False) + "\n")


def setup(app: Any) -> dict[str, Any]:
    app.connect("html-page-context", rewrite_launch_buttons, priority=900)
    app.connect("html-page-context", add_run_box, priority=900)
    app.connect("build-finished", write_launch_notebooks)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
