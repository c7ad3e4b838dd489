"""Tests of booktools: the numerical profiles and the text sources of notebooks."""

from __future__ import annotations

import nbformat
import pytest

from booktools.notebooks import cells_of, read_source, source_of, write_source
from booktools.profiles import PROFILES, environment, numpy_dispatch_targets


def test_native_profile_changes_nothing():
    assert environment("native") == {}


def test_baseline_profile_turns_off_cpu_specific_paths_and_threads():
    env = environment("baseline")
    assert env["ATEN_CPU_CAPABILITY"] == "default"
    assert {env[k] for k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")} == {"1"}
    assert env["NPY_DISABLE_CPU_FEATURES"].split() == numpy_dispatch_targets()
    assert all(isinstance(v, str) for v in env.values())  # ready for os.environ


def test_dispatch_targets_are_features_this_cpu_has():
    from numpy._core import _multiarray_umath as umath

    targets = numpy_dispatch_targets()
    assert set(targets) <= set(umath.__cpu_dispatch__)
    assert all(umath.__cpu_features__[t] for t in targets)


@pytest.mark.parametrize("bad", ["Baseline", "", "fast", None])
def test_unknown_profile_is_refused_by_name(bad):
    with pytest.raises(ValueError, match="^profile: must be one of native, baseline"):
        environment(bad)
    assert PROFILES == ("native", "baseline")


def _chapter() -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("# A chapter\n\nWith $x^2$ and a {numref}`fig-a`."),
        nbformat.v4.new_code_cell(
            "import numpy as np\nx = np.arange(3)", metadata={"tags": ["hide-input"]}
        ),
        nbformat.v4.new_markdown_cell("The figure."),
        nbformat.v4.new_code_cell(
            "x.sum()",
            metadata={"mystnb": {"figure": {"caption": "A sum", "name": "fig-a"}}},
        ),
        nbformat.v4.new_code_cell("ledger", metadata={"tags": ["remove-input"]}),
    ]
    nb.cells[1].outputs = [nbformat.v4.new_output("stream", text="dropped\n")]
    return nb


def test_text_source_round_trip_keeps_cells_tags_and_figure_metadata(tmp_path):
    notebook = tmp_path / "book" / "chapter.ipynb"
    notebook.parent.mkdir()
    path = write_source(_chapter(), notebook)
    assert path == source_of(notebook) == tmp_path / "book" / "src" / "chapter.md"
    text = path.read_text(encoding="utf-8")
    assert "```{code-cell}" in text and ":tags: [hide-input]" in text and "dropped" not in text
    again = read_source(notebook)
    assert cells_of(again) == cells_of(_chapter())
    assert again.cells[3].metadata["mystnb"]["figure"]["name"] == "fig-a"
    assert [c.id for c in again.cells] == [f"cell-{i}" for i in range(5)]  # deterministic ids
    assert all(
        c.outputs == [] and c.execution_count is None for c in again.cells if c.cell_type == "code"
    )
    nbformat.validate(again)
    write_source(again, notebook)
    assert path.read_text(encoding="utf-8") == text  # a second round trip changes nothing


def test_missing_text_source_names_the_notebook(tmp_path):
    with pytest.raises(FileNotFoundError, match="^notebook .*ghost.ipynb: has no text source"):
        read_source(tmp_path / "ghost.ipynb")
