"""The book's structure: its pages in ``_toc.yml`` order, and the ledgers its chapters stored.

Used by the refresh tool (which notebooks to execute, in which order, and how), the
benchmarks (the same execution, timed), the hygiene tests (every notebook is listed, every
entry exists) and the status page (every chapter's ledger).
"""

from __future__ import annotations

import html
import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scispaces.verify import Ledger, load_ledger

SUFFIXES = (".ipynb", ".md")


def find_root(start: str | Path = ".") -> Path:
    """The nearest directory at or above ``start`` that holds ``_toc.yml``."""
    here = Path(start).resolve()
    for folder in (here, *here.parents):
        if (folder / "_toc.yml").is_file():
            return folder
    raise FileNotFoundError(f"start: no _toc.yml at or above {here}")


def toc_entries(root: str | Path) -> list[str]:
    """Every ``file:`` entry of ``_toc.yml`` (root first), as written, without suffix."""
    import yaml

    toc = yaml.safe_load((Path(root) / "_toc.yml").read_text(encoding="utf-8"))
    entries = [toc["root"]]

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if "file" in node:
                entries.append(node["file"])
            for key in ("parts", "chapters", "sections"):
                for child in node.get(key, []):
                    walk(child)

    walk(toc)
    return entries


def resolve(root: str | Path, entry: str) -> Path | None:
    """The source file of a ``_toc.yml`` entry, or None if none exists."""
    for suffix in SUFFIXES:
        path = Path(root) / f"{entry}{suffix}"
        if path.is_file():
            return path
    return None


def notebooks(root: str | Path) -> list[Path]:
    """The notebooks listed in ``_toc.yml``, in reading order (the order they are executed in)."""
    paths = [resolve(root, e) for e in toc_entries(root)]
    return [p for p in paths if p is not None and p.suffix == ".ipynb"]


def chapters(root: str | Path, caption: str = "Chapters") -> list[Path]:
    """The chapter notebooks: those in the ``_toc.yml`` part with this caption, in order."""
    import yaml

    toc = yaml.safe_load((Path(root) / "_toc.yml").read_text(encoding="utf-8"))
    parts = [p for p in toc.get("parts", []) if p.get("caption") == caption]
    if not parts:
        raise ValueError(f"caption: _toc.yml has no part captioned {caption!r}")
    paths = [resolve(root, c["file"]) for p in parts for c in p.get("chapters", [])]
    return [p for p in paths if p is not None and p.suffix == ".ipynb"]


def title(notebook: str | Path) -> str:
    """The text of a notebook's first level-1 Markdown heading."""
    nb = json.loads(Path(notebook).read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        if cell["cell_type"] == "markdown":
            for line in "".join(cell["source"]).splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    raise ValueError(f"notebook {notebook}: has no '# ' title")


@dataclass(frozen=True)
class ChapterLedger:
    """A chapter's ledger as stored in its executed notebook, with where to find the chapter."""

    page: str  # the chapter's HTML page, relative to the status page
    title: str
    ledger: Ledger


def chapter_ledgers(root: str | Path) -> list[ChapterLedger]:
    """The ledger of every chapter, in reading order; a chapter without one raises ValueError."""
    return [ChapterLedger(f"{p.stem}.html", title(p), load_ledger(p)) for p in chapters(root)]


def status_table(chapters: list[ChapterLedger]) -> str:
    """HTML table with one row per chapter: its claims, how many passed, and a link to it."""
    rows = "".join(
        f'<tr><td><a href="{html.escape(c.page)}">{html.escape(c.title)}</a></td>'
        f"<td>{len(c.ledger.claims)}</td><td>{sum(k.passed for k in c.ledger.claims)}</td>"
        f"<td>{'&#10003;' if c.ledger.passed else '&#10007;'}</td></tr>"
        for c in chapters
    )
    return (
        '<table class="scispaces-ledger"><thead><tr><th>chapter</th><th>claims</th>'
        f"<th>passed</th><th>all pass</th></tr></thead><tbody>{rows}</tbody></table>"
    )


def run_notebook(nb: Any, folder: str | Path, timeout: int = 120) -> float:
    """Execute ``nb`` (an nbformat notebook, changed in place) in a fresh python3 kernel whose
    working directory is ``folder``; return the wall time in seconds, kernel start included."""
    from nbclient import NotebookClient

    start = time.perf_counter()
    NotebookClient(
        nb,
        kernel_name="python3",
        timeout=timeout,
        record_timing=False,
        resources={"metadata": {"path": str(folder)}},
    ).execute()
    return time.perf_counter() - start
