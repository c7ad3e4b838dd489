"""Edge table of scispaces.report: what a reader sees must be what was computed, or an error."""

from __future__ import annotations

import html
import math

import numpy as np
import sympy as sp

from edges import Row, any_, case, count, real, text

MODULE = "scispaces.report"


def _value(shown: str) -> float:
    return float(shown.removeprefix("< "))


def _sig(result, value, digits):
    """The shown digits round ``value``: half a unit in the last place, relative."""
    value, digits = float(value), int(digits)
    assert abs(_value(result) - value) <= 0.5 * 10 ** (1 - digits) * abs(value) * (1 + 1e-12)


def _below(result, value, floor):
    value, floor = float(value), float(floor)
    if abs(value) < floor:
        assert result.startswith("< "), result
        assert floor <= _value(result) < 10 * floor, f"{result} is not a bound near {floor:g}"
    else:
        _sig(result, value, 2)


def _escaped(result: str, text: str) -> None:
    """The HTML holds the text, escaped, with $...$ turned into \\(...\\) and nothing else."""
    assert "<" not in result.replace(r"\(", "").replace(r"\)", ""), result[:80]
    assert html.unescape(result.replace(r"\(", "$").replace(r"\)", "$")) == text


def _plain(result: str, text: str) -> None:
    assert result == text.replace("$", "") if text.count("$") % 2 == 0 else "$" in result


def _table(result, columns, rows, caption, formats):
    shown = repr(result)
    page = result._repr_html_()
    assert "<script" not in page, "unescaped HTML in a table"
    if isinstance(rows, list):
        assert len(result.rows) == len(rows)
    assert all(len(r) == len(result.columns) for r in result.rows)
    cells = {v.strip().lower().lstrip("+-") for r in result.rows for v in r}
    assert not cells & {"nan", "inf"}, shown


def _shown(result, latex, text):
    assert repr(result) == text and result._repr_latex_() == f"$$\n{latex}\n$$"


def _formula(result, parts):
    assert isinstance(result.latex, str) and isinstance(result.text, str)
    assert "None" not in result.text and "nan" not in result.text.lower(), result.text
    assert result._repr_latex_().startswith("$$")


ROWS = [
    Row(
        "Formula",
        {"latex": text(r"x^2"), "text": text("x**2")},
        check=lambda result, latex, text: _shown(result, latex, text),
    ),
    Row(
        "Table",
        {
            "columns": any_(
                ["n", "$\\theta$"],
                extra=(
                    case("None", None, "refuse"),
                    case("a string", "nt", "refuse"),
                    case("a number", ["n", 2], "refuse"),
                    case("duplicate", ["n", "n"], "refuse"),
                    case("tuple", ("n", "$\\theta$"), "either"),
                    case("nested", ["n", ["t"]], "refuse"),
                ),
            ),
            "rows": any_(
                [[3, 0.467], [5, 0.227]],
                extra=(
                    case("None", None, "refuse"),
                    case("empty", [], "either"),
                    case("short row", [[3]], "refuse"),
                    case("string row", ["ab"], "refuse"),
                    case("NaN cell", [[3, math.nan]], "refuse"),
                    case("inf cell", [[3, math.inf]], "refuse"),
                    case("numpy NaN cell", [[3, np.float64("nan")]], "refuse"),
                    case("object cell", [[3, object()]], "refuse"),
                    case("None cell", [[3, None]], "refuse"),
                    case("numpy rows", np.array([[3.0, 0.5]]), "either"),
                    case("numpy ints", [[np.int64(3), np.float32(0.5)]], "either"),
                    case("huge int", [[2**200, 1e308]], "either"),
                    case("HTML cell", [["<script>", "&"]], "either"),
                    case("bool cell", [[True, 0.5]], "refuse"),
                    case("generator", ([3, 0.5] for _ in range(2)), "either"),
                ),
            ),
            "caption": text("Var of the angle"),
            "formats": any_(
                {"$\\theta$": ".3f"},
                extra=(
                    case("None", None, "either"),
                    case("unknown column", {"m": "d"}, "refuse"),
                    case("bad spec", {"n": ".3q"}, "refuse"),
                    case("int spec on ints", {"n": "d"}, "either"),
                    case("int spec on floats", {"$\\theta$": "d"}, "refuse"),
                    case("number", {"n": 3}, "refuse"),
                    case("a string", "n", "refuse"),
                    case("callable", {"$\\theta$": lambda v: f"{v:.1f}"}, "either"),
                    case("callable returning a number", {"n": lambda v: v}, "refuse"),
                ),
            ),
        },
        check=_table,
    ),
    Row(
        "below",
        {"value": real(3.2e-16), "floor": real(1e-14)},
        check=lambda result, value, floor: _below(result, value, floor),
    ),
    Row(
        "formula",
        {
            "parts": any_(
                (r"\operatorname{Var} = ", sp.pi**2 / 4 - 2),
                extra=(
                    case("nothing", (), "either"),
                    case("None", (None,), "refuse"),
                    case("object", (object(),), "refuse"),
                    case("float nan", ("x = ", math.nan), "refuse"),
                    case("sympy nan", ("x = ", sp.nan), "refuse"),
                    case("float", ("x = ", 1.5), "either"),
                    case("matrix", ("M = ", sp.Matrix([[1, 2]])), "either"),
                    case("numpy array", ("a = ", np.array([1.0, 2.0])), "either"),
                    case("bytes", (b"x",), "refuse"),
                ),
            )
        },
        check=lambda result, parts: _formula(result, parts),
    ),
    Row(
        "html_math",
        {"text": text("angle $\\theta < \\pi$ & more")},
        check=lambda result, text: _escaped(result, text),
    ),
    Row(
        "plain_math",
        {"text": text("angle $\\theta$")},
        check=lambda result, text: _plain(result, text),
    ),
    Row(
        "sig",
        {"value": real(4.5712e-5), "digits": count(2)},
        check=lambda result, value, digits: _sig(result, value, digits),
    ),
]
