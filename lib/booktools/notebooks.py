"""Text sources and executed notebooks.

Every notebook ``book/<name>.ipynb`` has a text source ``book/src/<name>.md`` in jupytext's MyST
format: the file a contributor edits and a reviewer reads, where a one-line change is a one-line
diff. The ``.ipynb`` is generated from it by executing it (:func:`execute_source`), and is
committed with its outputs because nbval compares them and the site shows them.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

SOURCE_FOLDER = "src"
FORMATS = f"ipynb,{SOURCE_FOLDER}//md:myst"  # jupytext pairing, stored in each notebook
KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
HANG_GUARD = 1800  # seconds per cell: generous, only to stop a hung kernel (never a speed test)


def source_of(notebook: str | Path) -> Path:
    """The text source of ``book/<name>.ipynb``: ``book/src/<name>.md``."""
    notebook = Path(notebook)
    return notebook.parent / SOURCE_FOLDER / f"{notebook.stem}.md"


def read_source(notebook: str | Path) -> Any:
    """The notebook described by the text source of ``notebook``, without outputs.

    Cell ids are numbered in order, so executing an unchanged source reproduces the same file.
    """
    import jupytext

    path = source_of(notebook)
    if not path.is_file():
        raise FileNotFoundError(f"notebook {notebook}: has no text source {path}")
    nb = jupytext.read(path, fmt="md:myst")
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    nb.metadata.setdefault("language_info", {"name": "python"})
    nb.metadata["jupytext"] = {"formats": FORMATS}
    nb.nbformat, nb.nbformat_minor = 4, 5
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{i}"
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    return nb


def write_source(nb: Any, notebook: str | Path) -> Path:
    """Write ``nb``'s cells (not its outputs) as the text source of ``notebook``."""
    import jupytext

    path = source_of(notebook)
    path.parent.mkdir(exist_ok=True)
    nb = jupytext.reads(jupytext.writes(nb, fmt="ipynb"), fmt="ipynb")
    nb.metadata = {
        "kernelspec": dict(KERNELSPEC),
        "jupytext": {"formats": FORMATS, "text_representation": {"format_name": "myst"}},
    }
    jupytext.write(nb, path, fmt="md:myst")
    return path


def cells_of(nb: Any) -> list[tuple[str, str, tuple[str, ...]]]:
    """What a text source fixes of each cell: its type, its source and its tags."""
    return [
        (c["cell_type"], c["source"].strip("\n"), tuple(c.get("metadata", {}).get("tags", [])))
        for c in nb.cells
    ]


def run_notebook(
    nb: Any, folder: str | Path, timeout: int = HANG_GUARD, record_timing: bool = False
) -> float:
    """Execute ``nb`` (an nbformat notebook, changed in place) in a fresh python3 kernel whose
    working directory is ``folder``; return the wall time in seconds, kernel start included.

    ``record_timing`` stores each cell's start and end in its metadata (for
    :func:`section_times`); stored notebooks are executed without it, so they carry no times.
    """
    from nbclient import NotebookClient

    start = time.perf_counter()
    NotebookClient(
        nb,
        kernel_name="python3",
        timeout=timeout,
        record_timing=record_timing,
        resources={"metadata": {"path": str(folder)}},
    ).execute()
    return time.perf_counter() - start


def section_times(nb: Any) -> dict[str, float]:
    """Seconds spent in each level-2 section (``## ...``) of a notebook run with record_timing."""
    from datetime import datetime

    def stamp(cell: Any, key: str) -> datetime:
        return datetime.fromisoformat(cell.metadata["execution"][key].replace("Z", "+00:00"))

    times: dict[str, float] = {}
    section = "(before the first section)"
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("## "):
                    section = line[3:].strip()
        elif "execution" in cell.metadata:
            spent = stamp(cell, "shell.execute_reply") - stamp(cell, "iopub.execute_input")
            times[section] = times.get(section, 0.0) + spent.total_seconds()
    return times


def execute_source(notebook: str | Path) -> float:
    """Build ``notebook`` from its text source, execute it, store it with its outputs.

    Returns the wall time of the execution in seconds.
    """
    import nbformat

    notebook = Path(notebook)
    nb = read_source(notebook)
    seconds = run_notebook(nb, notebook.parent)
    nbformat.write(nb, notebook)
    return seconds
