"""The test command really is strict: a changed output or a broken derivation fails it.

Each test runs pytest, with the project's own configuration, on a notebook copied into a
temporary folder, and expects it to fail.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run_pytest_on(notebook: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-c",
            str(ROOT / "pyproject.toml"),
            "--rootdir",
            str(ROOT),
            "-n",
            "0",
            "-q",
            "-x",
            str(notebook),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=1800,  # a hang guard only: a slow or busy machine must still pass
    )


def test_a_changed_stored_output_fails(tmp_path):
    nb = {
        "cells": [
            {
                "cell_type": "code",
                "execution_count": 1,
                "id": "c1",
                "metadata": {},
                "source": "print(1 + 1)",
                "outputs": [{"output_type": "stream", "name": "stdout", "text": "3\n"}],
            }
        ],
        "metadata": {
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    path = tmp_path / "stale.ipynb"
    path.write_text(json.dumps(nb))
    result = run_pytest_on(path)
    assert result.returncode == 1, result.stdout[-2000:]
    assert "1 failed" in result.stdout


def test_a_broken_derivation_step_fails(tmp_path):
    source = json.loads((ROOT / "book" / "random_angles.ipynb").read_text())
    target = "pdf = C * sp.sin(theta) ** (n - 2)"
    cells = [c for c in source["cells"] if target in "".join(c["source"])]
    assert len(cells) == 1, f"update this test: {target!r} is no longer in the chapter"
    cells[0]["source"] = "".join(cells[0]["source"]).replace(
        target, "pdf = C * sp.sin(theta) ** (n - 1)"
    )
    path = tmp_path / "broken.ipynb"
    path.write_text(json.dumps(source))
    result = run_pytest_on(path)
    assert result.returncode == 1, result.stdout[-2000:]
    # The first claim that rests on the density is its change of variable to cos(theta).
    assert "claim 'cos_density' failed: $\\cos\\theta$ has density" in result.stdout
