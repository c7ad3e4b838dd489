"""The edge harness: every public function of scispaces against bad and extreme input.

See README.md in this folder for how a module is enrolled; ``core`` holds rows and the judge,
``kinds`` the batteries, ``table_<module>.py`` one table per module.
"""

from __future__ import annotations

from typing import Any

from edges.core import BUDGET, OUTCOMES, PENDING, Arg, Boom, Case, Fresh, Row, case, close
from edges.kinds import KINDS, battery

__all__ = [
    "BUDGET",
    "KINDS",
    "OUTCOMES",
    "PENDING",
    "Arg",
    "Boom",
    "Case",
    "Fresh",
    "Row",
    "any_",
    "battery",
    "case",
    "choice",
    "close",
    "count",
    "flag",
    "function",
    "real",
    "real_array",
    "seed",
    "sympy",
    "text",
    "whole",
]


def real(valid: Any, **options: Any) -> Arg:
    """A real number or an array of them (broadcasting), e.g. ``real(2.0)``."""
    return Arg("real", valid, **options)


def real_array(valid: Any, **options: Any) -> Arg:
    """An array with structure (a grid, a probability vector): ``valid`` is a whole array."""
    return Arg("real_array", valid, **options)


def whole(valid: Any, **options: Any) -> Arg:
    """A whole number held as a real (a binomial n, a dimension): refuses 2.5."""
    return Arg("whole", valid, **options)


def count(valid: int, **options: Any) -> Arg:
    """A Python int (a size, a number of nodes or paths): refuses floats and bools."""
    return Arg("count", valid, **options)


def seed(valid: Any = 0, **options: Any) -> Arg:
    """A random seed: None, an int >= 0 or a numpy Generator."""
    return Arg("seed", valid, **options)


def flag(valid: bool, **options: Any) -> Arg:
    """A bool option."""
    return Arg("flag", valid, **options)


def text(valid: str, **options: Any) -> Arg:
    """A free string (a caption, a statement)."""
    return Arg("text", valid, **options)


def choice(valid: Any, choices: tuple[Any, ...], **options: Any) -> Arg:
    """One of a fixed set of values (``kind="numeric"``)."""
    return Arg("choice", valid, choices=tuple(choices), **options)


def function(valid: Any, **options: Any) -> Arg:
    """A callable; the battery wraps ``valid`` to return wrong shapes, NaN, inf, or raise."""
    return Arg("function", valid, **options)


def sympy(valid: Any, **options: Any) -> Arg:
    """A SymPy expression or matrix."""
    return Arg("sympy", valid, **options)


def any_(valid: Any, **options: Any) -> Arg:
    """Anything else: no generated battery, only the argument's own ``extra`` cases."""
    return Arg("any", valid, **options)
