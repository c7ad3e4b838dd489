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
import re
from collections.abc import Callable, Sequence
from typing import Any

__all__ = ["Formula", "Table", "below", "formula", "html_math", "plain_math", "sig"]

_INLINE_MATH = re.compile(r"\$([^$]+)\$")


def html_math(text: str) -> str:
    r"""``text`` escaped for HTML, with ``$...$`` turned into MathJax's inline ``\(...\)``."""
    parts = _INLINE_MATH.split(text)  # even: prose, odd: math
    return "".join(
        html.escape(p) if i % 2 == 0 else r"\(" + html.escape(p) + r"\)"
        for i, p in enumerate(parts)
    )


def plain_math(text: str) -> str:
    """``text`` with the ``$`` delimiters of inline math removed, for plain-text output."""
    return _INLINE_MATH.sub(lambda m: m.group(1), text)


def _one_digit(x: float) -> str:
    """``x`` with one significant digit: ``1e-14``, ``3e-07``, ``0.05``, ``20``."""
    return f"{x:.0e}" if not 1e-3 <= abs(x) < 1e4 else f"{x:.1g}"


def below(value: float, floor: float) -> str:
    """``value`` printed as ``"< floor"`` when it is below ``floor``, else with 2 digits.

    For quantities at the level of rounding (a mass drift, the gap between two float
    computations of one number): their digits differ from CPU to CPU, the bound does not.
    ``floor`` must be a positive number far from the values expected, so that no machine's
    rounding moves a value across it.
    """
    if not (isinstance(floor, int | float) and math.isfinite(floor) and floor > 0):
        raise ValueError(f"floor: must be a finite number > 0, got {floor!r}")
    if not math.isfinite(value):
        raise ValueError(f"value: must be finite, got {value!r}")
    if abs(value) < floor:
        return f"< {_one_digit(floor)}"
    return sig(value)


def sig(value: float, digits: int = 2) -> str:
    """``value`` with ``digits`` significant digits, in scientific notation when small or large."""
    if isinstance(digits, bool) or not isinstance(digits, int) or digits < 1:
        raise ValueError(f"digits: must be an integer >= 1, got {digits!r}")
    value = float(value)
    if value == 0 or not math.isfinite(value):
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
        rows: Sequence[Sequence[Any]],
        caption: str = "",
        formats: dict[str, str | Callable[[Any], str]] | None = None,
    ) -> None:
        self.columns = [str(c) for c in columns]
        formats = dict(formats or {})
        unknown = set(formats) - set(self.columns)
        if unknown:
            raise ValueError(f"formats: no column named {sorted(unknown)!r}")
        self.rows = []
        for i, row in enumerate(rows):
            row = list(row)
            if len(row) != len(self.columns):
                raise ValueError(
                    f"rows: row {i} has {len(row)} entries for {len(self.columns)} columns"
                )
            self.rows.append(
                [self._cell(v, formats.get(c)) for v, c in zip(row, self.columns, strict=True)]
            )
        self.caption = caption

    @staticmethod
    def _cell(value: Any, fmt: str | Callable[[Any], str] | None) -> str:
        if isinstance(value, str):
            return value
        if callable(fmt):
            return fmt(value)
        return format(value, fmt or "g")

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
        self.latex, self.text = latex, text

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
    for part in parts:
        if isinstance(part, str):
            latex.append(part)
            text.append(part)
        else:
            latex.append(sp.latex(part))
            text.append(sp.sstr(part))
    return Formula("".join(latex), "".join(text))
