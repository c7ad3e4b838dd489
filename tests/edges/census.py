"""Count the outcomes of every battery, per module and outcome class (for the notes, not a test).

    python tests/edges/census.py [--module cubic] [--failures]

Run it with ``PYTHONPATH=<other checkout>/lib`` to measure another version of the library with
these tables; a row whose function is missing there, or whose baseline call fails, is reported
and left out of the counts.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from edges.core import OUTCOMES, cases, run_case, tables  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--module", help="only tables whose module name contains this")
    parser.add_argument("--failures", action="store_true", help="list every unacceptable call")
    options = parser.parse_args()
    import scispaces

    print(f"scispaces from {Path(scispaces.__file__).parent}")
    total: Counter[str] = Counter()
    print(f"{'module':<12}" + "".join(f"{o:>15}" for o in OUTCOMES) + f"{'unacceptable':>15}")
    for table in tables():
        if options.module and options.module not in table.module:
            continue
        module = importlib.import_module(table.module)
        counts: Counter[str] = Counter()
        notes, failures = [], []
        for row in table.rows:
            try:
                calls = [run_case(module, row, name, c) for name, c in cases(row)]
            except (AttributeError, ValueError) as exc:
                notes.append(f"  {row.name}: not in this version ({exc})")
                continue
            if not calls[0].ok:
                notes.append(f"  {row.name}: baseline fails here, row left out ({calls[0]})")
                continue
            for c in calls[1:]:
                counts[c.outcome.kind] += 1
                counts["unacceptable"] += not c.ok
                if not c.ok:
                    failures.append(f"  {row.name}: {c}")
        total.update(counts)
        name = table.module.removeprefix("scispaces.")
        print(f"{name:<12}" + "".join(f"{counts[o]:>15}" for o in (*OUTCOMES, "unacceptable")))
        for line in notes + (failures if options.failures else []):
            print(line[:300])
    print(f"{'total':<12}" + "".join(f"{total[o]:>15}" for o in (*OUTCOMES, "unacceptable")))


if __name__ == "__main__":
    main()
