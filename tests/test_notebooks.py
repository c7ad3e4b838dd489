"""Notebook hygiene: what nbval does not check but a reproducible, readable book needs.

Every notebook is listed in _toc.yml and every entry exists; every notebook has a text source
(book/src/*.md) with the same cells, and is stored executed top to bottom, with outputs, on the
python3 kernel, with no errors, stderr, SVG, memory addresses, absolute paths, timings or
Python reprs in its outputs. Code cells are short and each is led by a sentence. Every chapter
cites its source post, shows its implementation, shows numbered figures that the text refers
to, and ends with a ledger in which every claim passed; the status page has a section for each.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from booktools.notebooks import cells_of, read_source, source_of
from booktools.toc import chapters, notebooks, resolve, title, toc_entries
from scispaces.verify import load_ledger

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"
ALL_NOTEBOOKS = sorted(BOOK.glob("*.ipynb"))

ADDRESS = re.compile(r"\b0x[0-9a-fA-F]{6,}\b")
ABSOLUTE_PATH = re.compile(
    r"(/home/|/root/|/tmp/|/work/|/Users/|/usr/|site-packages|[A-Za-z]:\\\\)"
)
TIMING = re.compile(r"(Wall time|CPU times|\d+(\.\d+)? ?(ms|µs|us) ± )")
# What a reader should never have to decode: a container or array repr, an object's default repr.
REPR = re.compile(r"^\s*(\{|\[|\(|array\(|tensor\(|<[\w.]+ object\b|<IPython\.)")
RICH = ("text/html", "text/latex", "text/markdown", "image/png")


def load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def code_cells(nb: dict) -> list[dict]:
    return [c for c in nb["cells"] if c["cell_type"] == "code" and "".join(c["source"]).strip()]


def output_texts(cell: dict) -> list[str]:
    texts = []
    for out in cell.get("outputs", []):
        if "text" in out:
            texts.append("".join(out["text"]))
        for mime, value in out.get("data", {}).items():
            if mime.startswith("text/") or mime.endswith("json"):
                texts.append(value if isinstance(value, str) else json.dumps(value))
    return texts


def test_toc_and_notebooks_agree():
    entries = toc_entries(ROOT)
    missing = [e for e in entries if resolve(ROOT, e) is None]
    assert not missing, f"_toc.yml entries with no file: {missing}"
    listed = {p.resolve() for p in notebooks(ROOT)}
    unlisted = [p.name for p in ALL_NOTEBOOKS if p.resolve() not in listed]
    assert not unlisted, f"notebooks not in _toc.yml (add them, or delete them): {unlisted}"


@pytest.mark.parametrize("path", ALL_NOTEBOOKS, ids=lambda p: p.name)
def test_stored_executed_in_order(path):
    nb = load(path)
    assert nb["metadata"]["kernelspec"]["name"] == "python3", "kernel must be python3"
    counts = [c["execution_count"] for c in code_cells(nb)]
    assert counts == list(range(1, len(counts) + 1)), (
        f"execution counts {counts}: re-execute with tools/refresh_outputs.py"
    )
    assert any(c.get("outputs") for c in code_cells(nb)), "stored without outputs"


@pytest.mark.parametrize("path", ALL_NOTEBOOKS, ids=lambda p: p.name)
def test_outputs_are_clean(path):
    problems = []
    for cell in code_cells(load(path)):
        n = cell["execution_count"]
        for out in cell.get("outputs", []):
            if out["output_type"] == "error":
                problems.append(f"cell {n}: error output {out.get('ename')}")
            if out["output_type"] == "stream" and out["name"] == "stderr":
                problems.append(f"cell {n}: stderr output {''.join(out['text'])[:80]!r}")
            if "image/svg+xml" in out.get("data", {}):
                problems.append(f"cell {n}: SVG output (use PNG)")
        for text in output_texts(cell):
            for name, pattern in (
                ("memory address", ADDRESS),
                ("absolute path", ABSOLUTE_PATH),
                ("timing", TIMING),
            ):
                if m := pattern.search(text):
                    problems.append(f"cell {n}: {name} in output: {m.group(0)!r}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("path", ALL_NOTEBOOKS, ids=lambda p: p.name)
def test_text_source_matches_notebook(path):
    """The notebook was built from its text source: same cells, sources and tags."""
    assert source_of(path).is_file(), f"no text source: write {source_of(path)} (see README)"
    source = cells_of(read_source(path))
    stored = cells_of(load_nb4(path))
    assert source == stored, (
        f"{path.name} differs from {source_of(path).name}: run tools/refresh_outputs.py {path}"
    )


def load_nb4(path: Path):
    import nbformat

    return nbformat.read(path, as_version=4)


@pytest.mark.parametrize("path", ALL_NOTEBOOKS, ids=lambda p: p.name)
def test_no_python_reprs_in_outputs(path):
    """Results are shown as tables or typeset formulas, never as dict/list/array/object reprs."""
    problems = []
    for cell in code_cells(load(path)):
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if any(k in data for k in RICH):
                continue  # the page shows the rich form
            text = "".join(out.get("text", "")) + "".join(data.get("text/plain", ""))
            if REPR.match(text):
                problems.append(f"cell {cell['execution_count']}: {text.strip()[:60]!r}")
    assert not problems, "outputs a reader would have to decode:\n" + "\n".join(problems)


MAX_CELL_LINES = 25  # split longer cells, each part led by a sentence


def tags(cell: dict) -> list[str]:
    return cell["metadata"].get("tags", [])


@pytest.mark.parametrize("path", ALL_NOTEBOOKS, ids=lambda p: p.name)
def test_code_cells_are_short_and_led_by_a_sentence(path):
    cells = load(path)["cells"]
    long = [
        i
        for i, c in enumerate(cells)
        if c["cell_type"] == "code" and "".join(c["source"]).strip().count("\n") >= MAX_CELL_LINES
    ]
    assert not long, f"cells {long} have over {MAX_CELL_LINES} lines: split them"
    unled = [
        i
        for i, c in enumerate(cells)
        if c["cell_type"] == "code"
        and "remove-input" not in tags(c)
        and (i == 0 or cells[i - 1]["cell_type"] != "markdown")
    ]
    assert not unled, f"code cells {unled} do not follow a Markdown sentence that says what they do"


CHAPTERS = chapters(ROOT)


def test_there_are_chapters():
    assert CHAPTERS, "_toc.yml lists no chapter notebooks under the caption 'Chapters'"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_chapter_ends_with_a_passing_ledger(path):
    ledger = load_ledger(path)
    assert ledger.claims, "the ledger records no claims"
    assert ledger.passed, [c.id for c in ledger.claims if not c.passed]
    last = code_cells(load(path))[-1]
    assert any("scispaces.ledger" in o.get("metadata", {}) for o in last.get("outputs", [])), (
        "the last code cell must display the ledger"
    )
    assert "remove-input" in tags(last), "tag the ledger cell remove-input: show the table only"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_chapter_cites_its_source_and_shows_a_figure(path):
    nb = load(path)
    markdown = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
    keys = re.findall(r"\{cite[a-z:]*\}`([^`]+)`", markdown)
    assert keys, "cite the source post with {cite}`key`"
    bib = (BOOK / "references.bib").read_text(encoding="utf-8")
    for key in (k.strip() for ks in keys for k in ks.split(",")):
        assert re.search(rf"@\w+\{{{re.escape(key)},", bib), f"{key} is not in book/references.bib"
    assert "kexue.fm/archives/" in markdown, "give the source post's URL"
    assert "```{bibliography}" in markdown, "end with a References section ({bibliography})"
    figures = [
        o for c in code_cells(nb) for o in c.get("outputs", []) if "image/png" in o.get("data", {})
    ]
    assert figures, "show at least one figure (PNG output)"
    assert "```{literalinclude}" in markdown and ":pyobject:" in markdown, (
        "show the core of the library function in the chapter (literalinclude with :pyobject:)"
    )


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_figures_are_numbered_and_referred_to(path):
    nb = load(path)
    markdown = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
    problems = []
    for cell in code_cells(nb):
        if not any("image/png" in o.get("data", {}) for o in cell.get("outputs", [])):
            continue
        figure = cell["metadata"].get("mystnb", {}).get("figure", {})
        name = figure.get("name")
        if not (name and figure.get("caption")):
            problems.append(f"cell {cell['execution_count']}: give the figure a name and caption")
        elif f"{{numref}}`{name}`" not in markdown:
            problems.append(f"figure {name} is never referred to with {{numref}}`{name}`")
    assert not problems, "\n".join(problems)


def test_status_page_has_a_section_per_chapter():
    status = source_of(BOOK / "status.ipynb").read_text(encoding="utf-8")
    sections = re.findall(r'^## (.+)\n\n```\{code-cell\}[^`]*?ledgers\["(\w+)"\]', status, re.M)
    expected = [(title(p), p.stem) for p in CHAPTERS]
    assert sections == expected, f"book/src/status.md sections {sections}, expected {expected}"


SMALL_FONT = re.compile(
    r"\b(fontsize|labelsize|titlesize)\s*=\s*(\d+(\.\d+)?|\"(x+-)?small\"|'(x+-)?small')"
)
WIDE_FIGURE = re.compile(r"figsize\s*=\s*\(\s*(\d+(\.\d+)?)")


@pytest.mark.parametrize("path", ALL_NOTEBOOKS, ids=lambda p: p.name)
def test_figures_keep_the_book_sizes(path):
    """No font below 10 pt and no figure wider than 8 inches: the site test measures text in a
    figure from book/matplotlibrc's sizes, which a per-call override would silently undercut."""
    text = source_of(path).read_text(encoding="utf-8")
    small = [
        m.group(0)
        for m in SMALL_FONT.finditer(text)
        if m.group(2).strip("\"'").endswith("small") or float(m.group(2)) < 10
    ]
    wide = [m.group(0) for m in WIDE_FIGURE.finditer(text) if float(m.group(1)) > 8]
    assert not small, f"fonts below 10 pt: {small}"
    assert not wide, f"figures wider than 8 inches: {wide}"
