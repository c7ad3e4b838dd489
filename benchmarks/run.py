"""Measure the book and its library on this machine; write benchmarks/results.json and print it.

    python benchmarks/run.py                 # everything, 3 runs per figure (about 45 minutes)
    python benchmarks/run.py --only kernels  # one part: notebooks, tests, site, kernels
    python benchmarks/run.py --only kernels --kernel rtf   # one kernel module, the rest kept
    python benchmarks/run.py --repeats 1     # a quick look

Every figure is the median of ``--repeats`` runs with its min and max (a few very slow runs,
marked runs = 1, are made once). Parts measured:

1. every notebook in ``_toc.yml`` executed in a fresh kernel, the time spent in each of its
   sections, and its floor: a fresh kernel that only runs the notebook's import statements;
2. the README's test command, ``pytest``, on all cores and pinned to one (``taskset -c 0``,
   ``-n 0``), and the notebooks in CI's second numerical profile;
3. the site build: cold (``_build`` removed), warm (nothing changed) and after
   touching one notebook;
4. the library kernels against what a user would pick instead, one module per kernel in
   ``benchmarks/kernels`` (a new module there is picked up without editing this file).

Parts not run keep their previous figures in results.json. Afterwards every notebook that reads
results.json (the performance page, a chapter's speed figure) is re-executed so it shows the new
figures; commit them with the file. Nothing here runs in the test suite.
"""

from __future__ import annotations

import argparse
import ast
import importlib
import json
import os
import pkgutil
import platform
import shutil
import statistics
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks import kernels  # noqa: E402
from benchmarks.timing import measure  # noqa: E402
from booktools.notebooks import (  # noqa: E402
    read_source,
    run_notebook,
    section_times,
    source_of,
)
from booktools.toc import notebooks  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results.json"
PERFORMANCE_PAGE = ROOT / "book" / "performance.ipynb"
PACKAGES = (
    "numpy",
    "scipy",
    "sympy",
    "mpmath",
    "torch",
    "matplotlib",
    "pytest",
    "nbval",
    "jupyter-book",
)


def machine() -> dict:
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor() or "unknown",
    )
    return {
        "cpu": model,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "system": f"{platform.system()} {platform.release()}",
        "packages": {name: metadata.version(name) for name in PACKAGES},
    }


def imports_only(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A notebook with one cell: the top-level import statements of ``nb``'s code cells."""
    lines = []
    for cell in nb.cells:
        if cell.cell_type == "code":
            for node in ast.parse(cell.source).body:
                if isinstance(node, ast.Import | ast.ImportFrom):
                    lines.append(ast.unparse(node))
    return nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell("\n".join(dict.fromkeys(lines)))], metadata=nb.metadata
    )


def bench_notebooks(repeats: int) -> list[dict]:
    """Each notebook's run time and its import floor, and the time in each of its sections."""
    rows = []
    for path in notebooks(ROOT):
        if path == PERFORMANCE_PAGE:
            continue  # it reads this file; timing it here would time a stale page
        source = read_source(path)
        folder = path.parent
        sections: list[dict[str, float]] = []

        def full(s=source, d=folder, out=sections) -> None:
            nb = nbformat.from_dict(s)
            run_notebook(nb, d, record_timing=True)
            out.append(section_times(nb))

        total = measure(full, repeats)
        floor = measure(lambda s=source, d=folder: run_notebook(imports_only(s), d), repeats)
        rows.append(
            {
                "notebook": str(path.relative_to(ROOT)),
                "time": total,
                "floor": floor,
                "ratio": total["median"] / floor["median"],
                "sections": {
                    name: statistics.median(run.get(name, 0.0) for run in sections)
                    for name in sections[0]
                },
            }
        )
        print(
            f"  {rows[-1]['notebook']}: {total['median']:.1f} s, floor {floor['median']:.1f} s",
            flush=True,
        )
    return rows


def run(command: list[str], env: dict | None = None) -> None:
    subprocess.run(
        command, cwd=ROOT, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env
    )


def bench_tests(repeats: int) -> dict:
    """The README's test command on all cores and on one, and CI's second numerical profile."""
    pytest = [sys.executable, "-m", "pytest", "-q"]
    single = {
        **os.environ,
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "OPENBLAS_NUM_THREADS": "1",
    }
    return {
        "command": "pytest",
        "all_cores": measure(lambda: run(pytest), repeats),
        "one_core": measure(
            lambda: run(["taskset", "-c", "0", *pytest, "-n", "0"], env=single), repeats
        ),
        "baseline_profile": measure(
            lambda: run([*pytest, "--numerical-profile=baseline", "book"]), repeats
        ),
    }


def bench_site(repeats: int) -> dict:
    book = [str(Path(sys.executable).parent / "jupyter-book")]
    build = [*book, "build", "."]
    touched = ROOT / "book" / "cubic_trig.ipynb"

    def cold() -> None:
        shutil.rmtree(ROOT / "_build", ignore_errors=True)
        run(build)

    def touch() -> None:
        touched.touch()
        run(build)

    result = {"cold": measure(cold, repeats), "warm": measure(lambda: run(build), repeats)}
    result["touched"] = measure(touch, repeats)
    result["touched_file"] = str(touched.relative_to(ROOT))
    return result


def bench_kernels(
    repeats: int, only: list[str] | None = None, previous: dict | None = None
) -> dict:
    """Each module in benchmarks/kernels (or only the named ones, keeping the other modules'
    groups from ``previous``), its groups keyed "<module>.<i>" in module order."""
    names = [m.name for m in pkgutil.iter_modules(kernels.__path__)]
    unknown = sorted(set(only or ()) - set(names))
    if unknown:
        raise SystemExit(f"--kernel: no module {', '.join(unknown)} in benchmarks/kernels")
    groups = {}
    for name in names:
        if only and name not in only:
            groups.update({k: g for k, g in (previous or {}).items() if k.split(".")[0] == name})
            continue
        module = importlib.import_module(f"benchmarks.kernels.{name}")
        for i, group in enumerate(module.bench(repeats)):
            groups[f"{name}.{i}"] = group
            print(f"  {group['title']}", flush=True)
    return groups


PARTS = {
    "notebooks": bench_notebooks,
    "tests": bench_tests,
    "site": bench_site,
    "kernels": bench_kernels,
}


def report(results: dict) -> None:
    m = results["machine"]
    print(f"\n{m['cpu']}, {m['cores']} cores, Python {m['python']}")
    for row in results.get("notebooks", []):
        print(
            f"{row['notebook']:34s} {row['time']['median']:6.1f} s"
            f"  floor {row['floor']['median']:5.1f} s  x{row['ratio']:.1f}"
        )
    if "tests" in results:
        t = results["tests"]
        print(
            f"pytest: {t['all_cores']['median']:.0f} s on all cores, {t['one_core']['median']:.0f} s on one"
        )
    if "site" in results:
        s = results["site"]
        print(
            f"site build: cold {s['cold']['median']:.1f} s, warm {s['warm']['median']:.1f} s,"
            f" touched {s['touched']['median']:.1f} s"
        )
    for group in results.get("kernels", {}).values():
        print(f"\n{group['title']} ({group['error']})")
        for row in group["rows"]:
            error = "" if row["error"] is None else f"{row['error']:.1e}"
            print(
                f"  {row['method']:26s} {row['size']:>9d} {group['size']:14s} {row['time']['median']:10.5f} s  {error}"
            )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=3, help="runs per figure (default 3)")
    parser.add_argument(
        "--only", choices=sorted(PARTS), action="append", help="measure only these parts"
    )
    parser.add_argument(
        "--kernel",
        action="append",
        metavar="MODULE",
        help="with the kernels part: measure only this module of benchmarks/kernels (repeatable)",
    )
    args = parser.parse_args(argv)
    if args.repeats < 1:
        parser.error("--repeats: must be >= 1")
    if args.kernel and args.only and "kernels" not in args.only:
        parser.error("--kernel: goes with the kernels part (--only kernels)")
    os.environ["PYTHONHASHSEED"] = "0"  # as the test suite and the refresh tool run the notebooks
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    results["machine"] = machine()
    results["repeats"] = args.repeats
    for part in args.only or PARTS:
        print(f"measuring {part} ...", flush=True)
        if part == "kernels":
            results[part] = bench_kernels(args.repeats, args.kernel, results.get("kernels"))
        else:
            results[part] = PARTS[part](args.repeats)
    RESULTS.write_text(json.dumps(results, indent=1) + "\n")
    report(results)
    readers = [p for p in notebooks(ROOT) if "results.json" in source_of(p).read_text("utf-8")]
    subprocess.run(  # the pages that show these figures (performance, a chapter's speed plot)
        [sys.executable, str(ROOT / "tools" / "refresh_outputs.py"), *map(str, readers)],
        check=True,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
