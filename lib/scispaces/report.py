r"""How a chapter shows a result: labelled tables, typeset formulas, numbers at honest precision.

A reader should never have to decode a Python ``dict`` or ``array`` repr, and a stored output
must not depend on the last bit of one machine's arithmetic. So:

- :class:`Table` shows rows under named columns (HTML on the site and in Jupyter, aligned text
  in a terminal); a cell may hold inline math written ``$...$``;
- :func:`formula` shows a result as typeset math, built from LaTeX strings and SymPy objects;
- :func:`below` prints a quantity at the level of rounding as a bound (``"< 1e-14"``), never its
  digits, and :func:`sig` prints a stable quantity with a fixed number of significant digits.

Examples
--------
>>> t = Table(["n", "variance"], [[3, 0.467], [5, 0.227]], caption="Var of the angle")
>>> print(repr(t))
Var of the angle
n  variance
3  0.467
5  0.227
>>> below(3.2e-16, 1e-14), sig(4.5712e-5)
('< 1e-14', '4.6e-05')
"""

from __future__ import annotations

import html
import math
import numbers
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from scispaces._checks import count, real_scalar

__all__ = ["Formula", "Table", "below", "formula", "html_math", "plain_math", "sig"]

_INLINE_MATH = re.compile(r"\$([^$]+)\$")


def _text(value: Any, name: str) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{name}: expected a str, got {type(value).__name__}")
    return value


def html_math(text: str) -> str:
    r"""``text`` escaped for HTML, with ``$...$`` turned into MathJax's inline ``\(...\)``."""
    parts = _INLINE_MATH.split(_text(text, "text"))  # even: prose, odd: math
    return "".join(
        html.escape(p) if i % 2 == 0 else r"\(" + html.escape(p) + r"\)"
        for i, p in enumerate(parts)
    )


def plain_math(text: str) -> str:
    """``text`` with the ``$`` delimiters of inline math removed, for plain-text output."""
    return _INLINE_MATH.sub(lambda m: m.group(1), _text(text, "text"))


def _one_digit_up(x: float) -> str:
    """``x > 0`` rounded *up* to one significant digit: ``1e-14``, ``3e-07``, ``0.05``, ``200``.

    Rounding up keeps ``"< bound"`` true: 101 becomes 200, never 100.
    """
    exact = Decimal(repr(float(x)))  # the shortest decimal that is x
    exponent = exact.adjusted()
    first = math.ceil(exact.scaleb(-exponent))
    if first == 10:
        first, exponent = 1, exponent + 1
    if -3 <= exponent < 4:
        return format(Decimal(first).scaleb(exponent), "f")
    return f"{first}e{exponent:+03d}"


def below(value: float, floor: float) -> str:
    """``value`` printed as ``"< floor"`` when it is below ``floor``, else with 2 digits.

    The bound shows ``floor`` rounded up to one digit (``below(150, 101)`` is ``"< 200"``).

    For quantities at the level of rounding (a mass drift, the gap between two float
    computations of one number): their digits differ from CPU to CPU, the bound does not.
    ``floor`` must be a positive number far from the values expected, so that no machine's
    rounding moves a value across it.
    """
    value = real_scalar(value, "value")
    floor = real_scalar(floor, "floor")
    if not floor > 0:
        raise ValueError(f"floor: must be a finite number > 0, got {floor!r}")
    if abs(value) < floor:
        return f"< {_one_digit_up(floor)}"
    return sig(value)


def sig(value: float, digits: int = 2) -> str:
    """``value`` (finite) with ``digits`` significant digits (1 to 17, all a float64 has), in
    scientific notation when small or large."""
    value = real_scalar(value, "value")
    if count(digits, "digits") > 17:
        raise ValueError(f"digits: a float64 has at most 17 significant digits, got {digits}")
    if value == 0:
        return f"{value:g}"
    if 1e-3 <= abs(value) < 1e4:
        return f"{value:.{digits}g}"
    return f"{value:.{digits - 1}e}"


class Table:
    """Rows of results under named columns.

    Parameters
    ----------
    columns : sequence of str
        Column headings; may contain inline math ``$...$``.
    rows : sequence of sequences
        One entry per column; strings are shown as they are, numbers through ``formats``.
    caption : str, optional
        A sentence saying what the table shows; may contain inline math.
    formats : dict, optional
        Column heading -> format spec (``".3f"``) or callable (``sig``) for numbers in it.
        Numbers in other columns use ``format(value, "g")``.
    """

    def __init__(
        self,
        columns: Sequence[str],
        rows: Iterable[Sequence[Any]],
        caption: str = "",
        formats: Mapping[str, str | Callable[[Any], str]] | None = None,
    ) -> None:
        if isinstance(columns, str) or not isinstance(columns, Sequence):
            raise TypeError(f"columns: expected a list of headings, got {type(columns).__name__}")
        self.columns = [_text(c, "columns") for c in columns]
        if len(set(self.columns)) != len(self.columns):
            raise ValueError(f"columns: headings must be distinct, got {self.columns!r}")
        if formats is not None and not isinstance(formats, Mapping):
            raise TypeError(f"formats: expected a dict, got {type(formats).__name__}")
        formats = dict(formats or {})
        unknown = set(formats) - set(self.columns)
        if unknown:
            raise ValueError(f"formats: no column named {sorted(unknown, key=str)!r}")
        for column, fmt in formats.items():
            if not (isinstance(fmt, str) or callable(fmt)):
                raise TypeError(
                    f"formats: {column!r} needs a format spec or a function, got {fmt!r}"
                )
        if isinstance(rows, str | bytes) or not isinstance(rows, Iterable):
            raise TypeError(f"rows: expected a list of rows, got {type(rows).__name__}")
        self.rows = []
        for i, row in enumerate(rows):
            if isinstance(row, str | bytes) or not isinstance(row, Iterable):
                raise TypeError(
                    f"rows: row {i} must be a list of entries, got {type(row).__name__}"
                )
            row = list(row)
            if len(row) != len(self.columns):
                raise ValueError(
                    f"rows: row {i} has {len(row)} entries for {len(self.columns)} columns"
                )
            self.rows.append(
                [
                    self._cell(v, formats.get(c), f"row {i}, column {c!r}")
                    for v, c in zip(row, self.columns, strict=True)
                ]
            )
        self.caption = _text(caption, "caption")

    @staticmethod
    def _cell(value: Any, fmt: str | Callable[[Any], str] | None, where: str) -> str:
        """A cell's text: strings as they are; finite real numbers through ``fmt``."""
        if isinstance(value, str):
            return value
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise TypeError(f"rows: {where}: expected a str or a real number, got {value!r}")
        if not math.isfinite(value):
            raise ValueError(
                f"rows: {where} is {float(value)}: a table shows finite numbers; say in words "
                "what a missing or infinite value means"
            )
        if callable(fmt):
            shown = fmt(value)
            if not isinstance(shown, str):
                raise TypeError(f"formats: the function for {where} returned {shown!r}, not a str")
            return shown
        try:
            return format(value, fmt or "g")
        except ValueError as exc:
            raise ValueError(f"formats: {fmt!r} cannot show {value!r} ({where}): {exc}") from exc

    def __repr__(self) -> str:
        plain = [[plain_math(c) for c in self.columns]] + [
            [plain_math(v) for v in r] for r in self.rows
        ]
        widths = [max(len(r[i]) for r in plain) for i in range(len(self.columns))]
        lines = [plain_math(self.caption)] if self.caption else []
        lines += [
            "  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)).rstrip() for r in plain
        ]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        head = "".join(f"<th>{html_math(c)}</th>" for c in self.columns)
        body = "".join(
            "<tr>" + "".join(f"<td>{html_math(v)}</td>" for v in r) + "</tr>" for r in self.rows
        )
        caption = f"<caption>{html_math(self.caption)}</caption>" if self.caption else ""
        return (
            f'<table class="scispaces-table mathjax_process">{caption}'
            f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
        )


class Formula:
    """A typeset result: LaTeX for the page and Jupyter, plain text for a terminal."""

    def __init__(self, latex: str, text: str) -> None:
        self.latex, self.text = _text(latex, "latex"), _text(text, "text")

    def __repr__(self) -> str:
        return self.text

    def _repr_latex_(self) -> str:
        return f"$$\n{self.latex}\n$$"


def formula(*parts: Any) -> Formula:
    r"""A :class:`Formula` from pieces: LaTeX strings and SymPy objects (typeset by SymPy).

    >>> import sympy as sp
    >>> f = formula(r"\operatorname{Var}\theta\big|_{n=3} = ", sp.pi**2 / 4 - 2)
    >>> f.latex
    '\\operatorname{Var}\\theta\\big|_{n=3} = -2 + \\frac{\\pi^{2}}{4}'
    """
    import sympy as sp

    latex, text = [], []
    for i, part in enumerate(parts):
        if isinstance(part, str):
            latex.append(part)
            text.append(part)
            continue
        try:
            expr = sp.sympify(part, strict=True)
        except (sp.SympifyError, TypeError, ValueError) as exc:
            raise TypeError(
                f"parts: part {i} must be a LaTeX str or a SymPy object, got {type(part).__name__}"
            ) from exc
        if isinstance(expr, sp.Basic) and expr.has(sp.nan):
            raise ValueError(f"parts: part {i} is or holds NaN")
        latex.append(sp.latex(expr))
        text.append(sp.sstr(expr))
    return Formula("".join(latex), "".join(text))
