"""Re-execute the book's notebooks in place, in _toc.yml order, and store their outputs.

    python tools/refresh_outputs.py                         # every notebook
    python tools/refresh_outputs.py book/random_angles.ipynb  # just these (status page: run it last)

Run it after changing lib/ or a notebook, then commit the notebooks: pytest (nbval, strict)
compares fresh outputs with the stored ones. Each notebook gets a fresh kernel with its own
folder as working directory, as nbval and Jupyter give it, and PYTHONHASHSEED=0 as the test
suite gives it (conftest.py): SymPy's choices depend on the hash seed. Timing metadata is not
recorded, so re-running an unchanged notebook leaves its file unchanged.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import nbformat

from scispaces.book import find_root, notebooks, run_notebook


def execute(path: Path, timeout: int = 120) -> float:
    """Execute one notebook in place; return the wall time in seconds."""
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
        cell.metadata.pop("execution", None)
    nb.metadata.pop("widgets", None)
    seconds = run_notebook(nb, path.parent, timeout)
    nbformat.write(nb, path)
    return seconds


def main(argv: list[str] | None = None) -> int:
    os.environ["PYTHONHASHSEED"] = "0"  # inherited by every kernel started below
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: all, in _toc.yml order")
    args = parser.parse_args(argv)
    root = find_root(Path(__file__).parent)
    paths = [p.resolve() for p in args.notebooks] or notebooks(root)
    for path in paths:
        if path.suffix != ".ipynb" or not path.is_file():
            parser.error(f"notebooks: {path} is not a notebook file")
        print(f"{path.relative_to(root)}: {execute(path):.1f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
