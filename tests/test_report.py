"""Tests of scispaces.report: labelled tables, typeset formulas, numbers shown at honest precision."""

from __future__ import annotations

import html
import math
import re
from decimal import Decimal

import numpy as np
import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st

from scispaces.report import Formula, Table, below, formula, html_math, plain_math, sig

# ============================================================================ html_math, plain_math


def test_html_math_escapes_prose_and_math_and_marks_the_math():
    assert html_math("a < b & $x < y$") == r"a &lt; b &amp; \(x &lt; y\)"
    assert html_math("two: $a$ and $b$") == r"two: \(a\) and \(b\)"
    assert html_math("costs $5") == "costs $5"  # a lone dollar is prose
    assert html_math("") == ""


def test_plain_math_drops_the_delimiters_only():
    assert plain_math("angle $\\theta$ in $[0, \\pi]$") == "angle \\theta in [0, \\pi]"
    assert plain_math("costs $5") == "costs $5"


@pytest.mark.parametrize("fn", [html_math, plain_math])
@pytest.mark.parametrize("bad", [None, 3, b"$x$", ["$x$"]])
def test_math_helpers_refuse_non_strings_by_name(fn, bad):
    with pytest.raises(TypeError, match="^text: expected a str"):
        fn(bad)


@given(st.text(max_size=60))
def test_html_math_never_lets_markup_through_and_keeps_the_text(text):
    page = html_math(text)
    assert "<" not in page and ">" not in page.replace("&gt;", "")
    unescaped = page.replace(r"\(", "$").replace(r"\)", "$")
    assert html.unescape(unescaped) == text or r"\(" in text or r"\)" in text


# ============================================================================ below, sig


@pytest.mark.parametrize(
    ("value", "floor", "shown"),
    [
        (3.2e-16, 1e-14, "< 1e-14"),
        (-3.2e-16, 1e-14, "< 1e-14"),
        (0.0, 3e-7, "< 3e-07"),
        (2.5e-13, 1e-14, "2.5e-13"),
        (100.5, 101, "< 200"),  # rounded up: "< 100" would be false
        (0.02, 0.05, "< 0.05"),
        (5.0, 20, "< 20"),
        (1.0, 1.05e-14, "1"),
    ],
)
def test_below_shows_a_bound_that_is_true(value, floor, shown):
    assert below(value, floor) == shown


@given(
    value=st.floats(-1e300, 1e300, allow_nan=False),
    floor=st.floats(1e-300, 1e300, allow_nan=False, exclude_min=True),
)
def test_below_bound_is_never_smaller_than_the_floor(value, floor):
    shown = below(value, floor)
    if abs(value) < floor:
        bound = float(shown.removeprefix("< "))
        assert floor <= bound < 10 * floor
        assert abs(value) < bound


@pytest.mark.parametrize(
    ("value", "floor", "error", "name"),
    [
        (math.nan, 1e-14, ValueError, "value"),
        (math.inf, 1e-14, ValueError, "value"),
        ("1e-16", 1e-14, TypeError, "value"),
        (True, 1e-14, TypeError, "value"),
        (np.array([1e-16, 1e-15]), 1e-14, ValueError, "value"),
        (1e-16, 0.0, ValueError, "floor"),
        (1e-16, -1e-14, ValueError, "floor"),
        (1e-16, None, TypeError, "floor"),
        (1e-16, math.inf, ValueError, "floor"),
    ],
)
def test_below_refuses_bad_input_by_name(value, floor, error, name):
    with pytest.raises(error, match=f"^{name}: "):
        below(value, floor)


@pytest.mark.parametrize(
    ("value", "digits", "shown"),
    [
        (4.5712e-5, 2, "4.6e-05"),
        (0.4671, 2, "0.47"),
        (0.4671, 3, "0.467"),
        (123456.0, 3, "1.23e+05"),
        (0.0, 2, "0"),
        (-2.5e-300, 1, "-2e-300"),
        (np.float32(0.25), 2, "0.25"),
        (2**70, 2, "1.2e+21"),
    ],
)
def test_sig(value, digits, shown):
    assert sig(value, digits) == shown


@given(st.floats(allow_nan=False, allow_infinity=False), st.integers(1, 17))
def test_sig_rounds_to_half_a_unit_in_the_last_digit(value, digits):
    """Exactly, in decimal: sig(1.5e308, 1) is '2e+308', right although beyond the float range."""
    shown, exact = Decimal(sig(value, digits)), Decimal(value)
    assert abs(shown - exact) <= Decimal(5) * Decimal(10) ** -digits * abs(exact) * Decimal(
        "1.000000000001"
    )


@pytest.mark.parametrize(
    ("value", "digits", "error", "name"),
    [
        (math.nan, 2, ValueError, "value"),
        (math.inf, 2, ValueError, "value"),
        ("0.5", 2, TypeError, "value"),
        (None, 2, TypeError, "value"),
        (0.5, 0, ValueError, "digits"),
        (0.5, 18, ValueError, "digits"),
        (0.5, 2**64, ValueError, "digits"),
        (0.5, 2.0, TypeError, "digits"),
        (0.5, True, TypeError, "digits"),
    ],
)
def test_sig_refuses_bad_input_by_name(value, digits, error, name):
    """NaN and inf used to print as 'nan' and 'inf'; 2**64 digits raised Python's format error."""
    with pytest.raises(error, match=f"^{name}: "):
        sig(value, digits)


# ============================================================================ Table


def _angles() -> Table:
    return Table(
        ["n", "$\\operatorname{Var}\\theta$"],
        [[3, 0.4674], [5, 0.2275]],
        caption="Variance of the angle for $n$ dimensions & <more>",
        formats={"$\\operatorname{Var}\\theta$": ".3f"},
    )


def test_table_text_is_aligned_and_plain():
    assert repr(_angles()).splitlines() == [
        "Variance of the angle for n dimensions & <more>",
        "n  \\operatorname{Var}\\theta",
        "3  0.467",
        "5  0.228",
    ]


def test_table_html_escapes_and_typesets():
    page = _angles()._repr_html_()
    assert page.startswith('<table class="scispaces-table mathjax_process"><caption>')
    assert "&amp; &lt;more&gt;" in page and "<more>" not in page
    assert r"<th>\(\operatorname{Var}\theta\)</th>" in page
    assert page.count("<tr>") == 3 and "<td>0.228</td>" in page


def test_table_formats_by_spec_or_function_and_passes_strings():
    t = Table(["k", "p"], [[1, 0.123456], ["all", "—"]], formats={"p": sig, "k": "d"})
    assert t.rows == [["1", "0.12"], ["all", "—"]]
    assert Table(["x"], ([v] for v in (1.5, 2.5))).rows == [["1.5"], ["2.5"]]  # a generator
    assert Table(["x"], np.array([[1.0], [2.0]])).rows == [["1"], ["2"]]
    assert Table(("a",), []).rows == []


@pytest.mark.parametrize(
    ("columns", "rows", "caption", "formats", "error", "message"),
    [
        ("nt", [[1, 2]], "", None, TypeError, "columns: expected a list of headings"),
        (["n", 2], [[1, 2]], "", None, TypeError, "columns: expected a str"),
        (["n", "n"], [[1, 2]], "", None, ValueError, "columns: headings must be distinct"),
        (["n"], None, "", None, TypeError, "rows: expected a list of rows"),
        (["n", "t"], [[1]], "", None, ValueError, "rows: row 0 has 1 entries for 2 columns"),
        (["n", "t"], ["ab"], "", None, TypeError, "rows: row 0 must be a list"),
        (["n"], [[math.nan]], "", None, ValueError, "rows: row 0, column 'n' is nan"),
        (["n"], [[np.float64("-inf")]], "", None, ValueError, "rows: row 0, column 'n' is -inf"),
        (["n"], [[True]], "", None, TypeError, "rows: row 0, column 'n': expected a str or a real"),
        (["n"], [[None]], "", None, TypeError, "rows: row 0, column 'n': expected a str or a real"),
        (["n"], [[1]], None, None, TypeError, "caption: expected a str"),
        (["n"], [[1]], "", {"m": "d"}, ValueError, "formats: no column named"),
        (["n"], [[1]], "", {"n": ".3q"}, ValueError, "formats: '.3q' cannot show 1"),
        (["n"], [[1.5]], "", {"n": "d"}, ValueError, "formats: 'd' cannot show 1.5"),
        (["n"], [[1]], "", {"n": 3}, TypeError, "formats: 'n' needs a format spec or a function"),
        (["n"], [[1]], "", {"n": lambda v: v}, TypeError, "formats: the function for row 0"),
        (["n"], [[1]], "", "n", TypeError, "formats: expected a dict"),
    ],
)
def test_table_refuses_bad_input_by_name(columns, rows, caption, formats, error, message):
    """A string of columns used to become one column per letter, and NaN cells printed 'nan'."""
    with pytest.raises(error, match=f"^{re.escape(message)}"):
        Table(columns, rows, caption=caption, formats=formats)


# ============================================================================ formula, Formula


def test_formula_typesets_sympy_objects_and_passes_latex_strings():
    f = formula(r"\operatorname{Var}\theta\big|_{n=3} = ", sp.pi**2 / 4 - 2)
    assert f.latex == r"\operatorname{Var}\theta\big|_{n=3} = -2 + \frac{\pi^{2}}{4}"
    assert f.text == r"\operatorname{Var}\theta\big|_{n=3} = -2 + pi**2/4"
    assert f._repr_latex_() == f"$$\n{f.latex}\n$$"
    assert repr(f) == f.text
    assert formula("x = ", 1.5).latex == "x = 1.5"
    assert formula("M = ", sp.Matrix([[1, 2]])).latex.startswith(r"M = \left[\begin{matrix}")
    assert formula().latex == ""


@pytest.mark.parametrize(
    ("part", "error", "message"),
    [
        (None, TypeError, "parts: part 1 must be a LaTeX str or a SymPy object, got NoneType"),
        (object(), TypeError, "parts: part 1 must be a LaTeX str or a SymPy object"),
        (b"x", TypeError, "parts: part 1 must be a LaTeX str or a SymPy object, got bytes"),
        (np.array([1.0, 2.0]), TypeError, "parts: part 1 must be"),
        (math.nan, ValueError, "parts: part 1 is or holds NaN"),
        (sp.nan, ValueError, "parts: part 1 is or holds NaN"),
        (sp.Matrix([[1, sp.nan]]), ValueError, "parts: part 1 is or holds NaN"),
    ],
)
def test_formula_refuses_what_a_reader_should_not_see(part, error, message):
    """None used to be typeset as the word None, and NaN as nan."""
    with pytest.raises(error, match=f"^{re.escape(message)}"):
        formula("x = ", part)


@pytest.mark.parametrize(("latex", "text", "name"), [(None, "x", "latex"), ("x", 3, "text")])
def test_formula_object_needs_two_strings(latex, text, name):
    with pytest.raises(TypeError, match=f"^{name}: expected a str"):
        Formula(latex, text)
