"""Notebook hygiene: what nbval does not check but a reproducible book needs.

Every notebook is listed in _toc.yml and every entry exists; every notebook is stored
executed top to bottom, with outputs, on the python3 kernel, with no errors, stderr, SVG,
memory addresses, absolute paths or timings in its outputs. Every chapter cites its source
post, shows a figure and ends with a ledger in which every claim passed.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from scispaces.book import chapters, notebooks, resolve, toc_entries
from scispaces.verify import load_ledger

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"
ALL_NOTEBOOKS = sorted(BOOK.glob("*.ipynb"))

ADDRESS = re.compile(r"\b0x[0-9a-fA-F]{6,}\b")
ABSOLUTE_PATH = re.compile(
    r"(/home/|/root/|/tmp/|/work/|/Users/|/usr/|site-packages|[A-Za-z]:\\\\)"
)
TIMING = re.compile(r"(Wall time|CPU times|\d+(\.\d+)? ?(ms|µs|us) ± )")


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


LONG_CELL = 20  # lines; longer code cells must be collapsible on the site


@pytest.mark.parametrize("path", ALL_NOTEBOOKS, ids=lambda p: p.name)
def test_long_code_cells_are_collapsible(path):
    long_open = [
        c["execution_count"]
        for c in code_cells(load(path))
        if "".join(c["source"]).count("\n") >= LONG_CELL
        and "hide-input" not in c["metadata"].get("tags", [])
    ]
    assert not long_open, f"cells {long_open} are over {LONG_CELL} lines: tag them hide-input"


CHAPTERS = chapters(ROOT)


def test_there_are_chapters():
    assert CHAPTERS, "_toc.yml lists no chapter notebooks under the caption 'Chapters'"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_chapter_ends_with_a_passing_ledger(path):
    ledger = load_ledger(path)
    assert ledger.claims, "the ledger records no claims"
    assert ledger.passed, [c.id for c in ledger.claims if not c.passed]
    last_outputs = code_cells(load(path))[-1].get("outputs", [])
    assert any("scispaces.ledger" in o.get("metadata", {}) for o in last_outputs), (
        "the last code cell must display the ledger"
    )


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
