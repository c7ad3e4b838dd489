"""The edge harness (tests/edges/): every public function of scispaces against bad and extreme input.

Each call must give a correct result or a ValueError/TypeError naming the argument; never a
silent NaN/inf, an escaping warning, a mutated input or a hang. Run one module's battery with
``pytest tests/test_edges.py -n 0 -k cubic``; tests/edges/README.md says how to enrol a module.
"""

from __future__ import annotations

import importlib
import inspect
import time
import warnings

import numpy as np
import pytest
from edges import Arg, Row, case, close, count, function, real, real_array, text
from edges.core import (
    PENDING,
    Outcome,
    acceptable,
    cases,
    guarded_call,
    judge,
    library_modules,
    names_in,
    public_names,
    resolve,
    run_case,
    run_row,
    signature_names,
    tables,
)
from edges.kinds import battery, strategy
from hypothesis import given, settings
from hypothesis import strategies as st

TABLES = tables()
ROWS = [(t, row) for t in TABLES for row in t.rows]


def _id(table, row) -> str:
    return f"{table.module.removeprefix('scispaces.')}.{row.name}"


# ------------------------------------------------------------------------------ completeness


@pytest.mark.parametrize("module", sorted({*library_modules(), *(t.module for t in TABLES)}))
def test_enrolled(module):
    """A module has a table, and the table a row for each public callable and each parameter."""
    enrolled = [t for t in TABLES if t.module == module]
    if module in PENDING:
        assert not enrolled, f"{module} has a table: delete its line from PENDING in edges/core.py"
        return
    assert enrolled, f"{module}: no table (add tests/edges/table_<module>.py)"
    mod = importlib.import_module(module)
    names = [row.name for t in enrolled for row in t.rows]
    twice = sorted({n for n in names if names.count(n) > 1})
    assert not twice, f"{module}: more than one row for {twice}"
    rows = {row.name: row for t in enrolled for row in t.rows}
    missing = sorted(set(public_names(mod)) - set(rows))
    assert not missing, f"{module}: no row for {missing}"
    for row in rows.values():
        target, _ = resolve(mod, row)
        want = signature_names(target)
        assert list(row.args) == want, (
            f"{row.name}: the row gives {list(row.args)}, the signature {want}"
        )


def test_every_module_enrolled():
    """By the end of a session no module is pending: every module's table is in place."""
    assert not PENDING, f"still pending (enrol them, see tests/edges/README.md): {sorted(PENDING)}"


# ------------------------------------------------------------------------------ the batteries


@pytest.mark.parametrize(("table", "row"), ROWS, ids=[_id(t, r) for t, r in ROWS])
def test_battery(table, row):
    """Every case of the row's battery meets its expectation."""
    module = importlib.import_module(table.module)
    calls = run_row(module, row)
    bad = [str(c) for c in calls if not c.ok]
    assert not bad, f"{len(bad)} of {len(calls)} calls of {row.name} failed:\n" + "\n".join(bad)


@pytest.mark.parametrize(
    ("table", "row"),
    [(t, r) for t, r in ROWS if r.examples],
    ids=[_id(t, r) for t, r in ROWS if r.examples],
)
def test_random(table, row):
    """Random valid-typed values across the whole range, all arguments at once (Hypothesis)."""
    module = importlib.import_module(table.module)
    strategies = {name: strategy(arg) for name, arg in row.args.items()}

    @settings(max_examples=row.examples)
    @given(st.fixed_dictionaries(strategies))
    def run(args):
        target, instance = resolve(module, row)
        outcome = judge(row, target, args, tuple(args), "either", instance)
        assert acceptable(outcome, "either"), f"{outcome.kind}: {outcome.detail}"

    run()


# ------------------------------------------------------------------------------ the harness itself


def _toy_row(fn, **args):
    return Row(fn.__name__, args), type("M", (), {fn.__name__: staticmethod(fn)})


def _judge(fn, value, expect="either", budget=60.0, **options):
    row = Row(fn.__name__, {"x": real(1.0)}, **options)
    return judge(row, fn, {"x": value}, "x", expect, budget=budget)


def _checked(x):
    from scispaces._checks import real_array

    return float(np.sum(real_array(x, "x")))


def test_judge_named_error_and_result():
    assert _judge(_checked, np.nan, "refuse").kind == "named error"
    assert _judge(_checked, 2.0).kind == "result"


def test_judge_silent_nan_and_accepted_garbage():
    def quiet(x):
        with np.errstate(all="ignore"):
            return np.log(np.asarray(x, dtype=float) - 5)

    assert _judge(quiet, 1.0).kind == "silent"
    assert _judge(lambda x: 1.0, "abc", "refuse").kind == "silent"


def test_judge_wrong_result_against_a_reference():
    outcome = _judge(lambda x: x * 1.01, 2.0, check=close(lambda x: x, rtol=1e-12))
    assert outcome.kind == "silent" and "reference" in outcome.detail


def test_judge_escaping_warning():
    def warns(x):
        warnings.warn("careful", RuntimeWarning, stacklevel=1)
        return 1.0

    assert _judge(warns, 1.0).kind == "warning"
    assert _judge(lambda x: np.exp(np.float64(x)), 1e308).kind == "warning"  # overflow


def test_judge_unclear_errors():
    def bare(x):
        raise ValueError("must be positive")

    def other(x):
        raise ValueError("y: must be positive")

    def wrong_type(x):
        raise ZeroDivisionError("x: zero")

    for fn in (bare, other, wrong_type):
        assert _judge(fn, 1.0).kind == "unclear error", fn.__name__
    assert (
        _judge(lambda x: np.broadcast_arrays(np.ones(2), np.ones(3)), 1.0).kind == "unclear error"
    )


def test_judge_mutated_input():
    def doubles(x):
        x *= 2
        return float(np.sum(x))

    assert _judge(doubles, np.ones(3)).kind == "mutated"
    readonly = np.ones(3)
    readonly.flags.writeable = False
    assert _judge(doubles, readonly).kind == "unclear error"  # "read-only" names no argument


def test_judge_hang():
    def spins(x):
        while True:
            pass

    start = time.monotonic()
    assert _judge(spins, 1.0, budget=0.2).kind == "hang"
    assert time.monotonic() - start < 30  # the guard fired (a generous bound: not a speed test)


def test_memory_ceiling_turns_a_huge_allocation_into_an_error():
    with pytest.raises(MemoryError):
        guarded_call(lambda: np.ones(2**34))  # 128 GiB


def test_names_in():
    assert names_in("a, b, c and d: shapes do not broadcast") == ["a", "b", "c", "d"]
    assert names_in("notebook /x/y.ipynb: cannot be read") == ["notebook"]
    assert names_in("claims[2]: duplicate id") == ["claims"]
    assert names_in("rtol must be >= 0") == []


def test_battery_cases_fit_the_argument():
    """Array arguments get spoilt arrays, supports flips a case, unknown labels are refused."""
    grid = battery(real_array(np.linspace(0, 1, 5)))
    nan = next(c for c in grid if c.label == "nan").make()
    assert nan.shape == (5,) and np.isnan(nan[-1]) and not np.isnan(nan[:-1]).any()
    strided = next(c for c in grid if c.label == "strided array").make()
    assert not strided.flags.c_contiguous and np.array_equal(strided, np.linspace(0, 1, 5))
    empty = next(c for c in battery(real(1.0, supports=("empty",))) if c.label == "empty")
    assert empty.expect == "result"
    with pytest.raises(ValueError, match="no case labelled"):
        battery(real(1.0, supports=("emtpy",)))
    assert {c.label for c in battery(count(3))} >= {"bool", "2**64", "-1"}


def test_function_battery_misbehaves():
    def good(x, t):
        return -x

    spoilt = {c.label: c.make() for c in battery(function(good))}
    x = np.ones(3)
    assert spoilt["wrong shape"](x, 0).shape == (4,)
    assert np.isnan(spoilt["returns NaN"](x, 0)).all()
    with pytest.raises(Exception, match="failed"):
        spoilt["raises"](x, 0)


def test_row_cases_include_the_baseline_and_broadcast():
    row = Row("f", {"a": real(1.0), "b": real(2.0), "s": text("x")}, broadcast=("a", "b"))
    labels = [(name, c.label) for name, c in cases(row)]
    assert labels[0] == ("", "baseline")
    assert ("b", "shapes do not broadcast") in labels


def test_a_row_over_a_toy_module():
    """The same machinery the tables use, over a module with one good and one bad function."""

    def good(x):
        from scispaces._checks import real_array, scalar_or_array

        arr = real_array(x, "x")
        return scalar_or_array(arr / 2, arr)

    def careless(x):
        return np.asarray(x) * 2

    for fn, clean in ((good, True), (careless, False)):
        extra = (case("huge list", [1e308] * 2),)
        row, module = _toy_row(fn, x=real(1.0, supports=("empty",), extra=extra))
        calls = run_row(module, row)
        assert all(c.ok for c in calls) is clean, [str(c) for c in calls if not c.ok]
    row, module = _toy_row(careless, x=real(1.0))
    timedelta = next(c for n, c in cases(row) if c.label == "timedelta64")
    assert run_case(module, row, "x", timedelta).outcome.kind == "silent"


def test_public_names_cover_methods():
    from scispaces import verify

    names = public_names(verify)
    assert {"Ledger", "Ledger.numeric", "Ledger.from_json", "load_ledger"} <= set(names)
    assert "Ledger.passed" not in names  # a property, not a callable


def test_outcome_helpers():
    assert acceptable(Outcome("named error"), "refuse")
    assert not acceptable(Outcome("result"), "refuse")
    assert acceptable(Outcome("result"), "either")
    assert not acceptable(Outcome("named error"), "result")
    assert inspect.isclass(Arg)


def test_arguments_before_a_star_parameter_go_positionally():
    from edges.core import _split

    def f(name, *arrays, dps=40):
        return name, arrays, dps

    positional, keywords = _split(f, {"name": "x", "arrays": (1, 2), "dps": 3})
    assert f(*positional, **keywords) == ("x", (1, 2), 3)
    assert _split(lambda a, b=1: None, {"a": 1, "b": 2}) == ([], {"a": 1, "b": 2})
