"""Count the outcomes of every battery, per module and outcome class (for the notes, not a test).

    python tests/edges/census.py [--module cubic] [--failures] [--library OTHER/lib]

``--library`` measures another version of the library (say a clone of an older commit) with
these tables: its ``scispaces`` package is copied under the name ``scispaces_before`` (imports
rewritten), so the tables' references and checks still use the current library while the
functions under test come from the other one. A row whose function is missing there, or whose
baseline call fails (an older signature), is reported and left out of the counts.
"""

from __future__ import annotations

import argparse
import importlib
import re
import shutil
import sys
import tempfile
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from edges.core import OUTCOMES, cases, run_case, tables  # noqa: E402

BEFORE = "scispaces_before"


def _install(library: Path) -> None:
    """Make ``library/scispaces`` importable as ``scispaces_before``."""
    folder = Path(tempfile.mkdtemp(prefix="census-"))
    target = folder / BEFORE
    shutil.copytree(library / "scispaces", target)
    for path in target.glob("*.py"):
        text = re.sub(
            r"^(\s*)(from|import) scispaces\b", rf"\1\2 {BEFORE}", path.read_text(), flags=re.M
        )
        path.write_text(text)
    sys.path.insert(0, str(folder))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--module", help="only tables whose module name contains this")
    parser.add_argument("--failures", action="store_true", help="list every unacceptable call")
    parser.add_argument("--library", type=Path, help="the lib/ folder of another version")
    parser.add_argument("--by-row", action="store_true", help="a line of counts for every row")
    options = parser.parse_args()
    prefix = "scispaces"
    if options.library:
        _install(options.library.resolve())
        prefix = BEFORE
    print(f"library: {options.library or 'current'}")
    total: Counter[str] = Counter()
    print(f"{'module':<12}" + "".join(f"{o:>14}" for o in (*OUTCOMES, "unacceptable")))
    for table in tables():
        if options.module and options.module not in table.module:
            continue
        name = table.module.removeprefix("scispaces.")
        try:
            module = importlib.import_module(f"{prefix}.{name}")
        except ImportError:
            print(f"{name:<12}  (no such module in this version)")
            continue
        counts: Counter[str] = Counter()
        notes, failures = [], []
        for row in table.rows:
            try:
                calls = [run_case(module, row, arg, c) for arg, c in cases(row)]
            except Exception as exc:  # noqa: BLE001 - a row that does not fit this version
                notes.append(
                    f"  {row.name}: left out, not in this version ({type(exc).__name__}: {exc})"
                )
                continue
            if not calls[0].ok:
                notes.append(
                    f"  {row.name}: left out, its baseline fails here ({calls[0].outcome.detail})"
                )
                continue
            mine = Counter(c.outcome.kind for c in calls[1:])
            mine["unacceptable"] = sum(not c.ok for c in calls[1:])
            counts.update(mine)
            failures += [f"  {row.name}: {c}" for c in calls[1:] if not c.ok]
            if options.by_row:
                notes.append(
                    f"  {row.name:<30}"
                    + "".join(f"{mine[o]:>14}" for o in (*OUTCOMES, "unacceptable"))
                )
        total.update(counts)
        print(f"{name:<12}" + "".join(f"{counts[o]:>14}" for o in (*OUTCOMES, "unacceptable")))
        for line in notes + (failures if options.failures else []):
            print(line[:300])
    print(f"{'total':<12}" + "".join(f"{total[o]:>14}" for o in (*OUTCOMES, "unacceptable")))


if __name__ == "__main__":
    main()
