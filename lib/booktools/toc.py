"""The book's pages in ``_toc.yml`` order, and which of them are chapters.

``_toc.yml`` is the one list of pages: the refresh tool executes notebooks in its order, the
hygiene tests check it against the files, and the status page reads the chapters' ledgers from
the notebooks in its *Chapters* part.
"""

from __future__ import annotations

import json
from pathlib import Path

SUFFIXES = (".ipynb", ".md")


def find_root(start: str | Path = ".") -> Path:
    """The nearest directory at or above ``start`` that holds ``_toc.yml``."""
    here = Path(start).resolve()
    for folder in (here, *here.parents):
        if (folder / "_toc.yml").is_file():
            return folder
    raise FileNotFoundError(f"start: no _toc.yml at or above {here}")


def _load(root: str | Path) -> dict:
    import yaml

    return yaml.safe_load((Path(root) / "_toc.yml").read_text(encoding="utf-8"))


def toc_entries(root: str | Path) -> list[str]:
    """Every ``file:`` entry of ``_toc.yml`` (root first), as written, without suffix."""
    toc = _load(root)
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
    parts = [p for p in _load(root).get("parts", []) if p.get("caption") == caption]
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
