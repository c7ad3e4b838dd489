"""Build the book's notebooks from their text sources, execute them, store their outputs.

    python tools/refresh_outputs.py                           # every notebook, in _toc.yml order
    python tools/refresh_outputs.py book/random_angles.ipynb  # just these (then the status page)

The text source ``book/src/<name>.md`` (jupytext MyST) is what you edit; this tool turns it into
``book/<name>.ipynb`` and executes it in a fresh kernel with the notebook's folder as working
directory, as nbval and Jupyter run it, and with PYTHONHASHSEED=0 as the test suite has it
(conftest.py): SymPy's choices depend on the hash seed. Run it after changing lib/ or a text
source, then commit both: pytest (nbval, strict) compares fresh outputs with the stored ones.
Re-running an unchanged source leaves its notebook unchanged.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from booktools.notebooks import execute_source, source_of
from booktools.toc import find_root, notebooks


def main(argv: list[str] | None = None) -> int:
    os.environ["PYTHONHASHSEED"] = "0"  # inherited by every kernel started below
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: all, in _toc.yml order")
    args = parser.parse_args(argv)
    root = find_root(Path(__file__).parent)
    paths = [p.resolve() for p in args.notebooks] or notebooks(root)
    for path in paths:
        if path.suffix == ".md" and path.parent.name == "src":
            path = path.parent.parent / f"{path.stem}.ipynb"  # a text source names its notebook
        if path.suffix != ".ipynb" or not source_of(path).is_file():
            parser.error(f"notebooks: {path} is not a notebook with a text source in book/src/")
        print(f"{path.relative_to(root)}: {execute_source(path):.1f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
