"""Input checks shared by the library: bad input is refused by name, never turned into NaN.

One style everywhere:

- a value of the wrong *type* (a string, ``None``, a bool, a complex number where a real one
  is expected, a date or time delta, a non-callable where a function is expected, a float
  where a count is expected) raises ``TypeError``;
- a value of the right type outside the *domain* (NaN, inf, a negative variance, a ragged
  list, shapes that do not broadcast, a count below its minimum) raises ``ValueError``;
- every message starts with the argument's name and states the rule;
- a function given only scalars returns a Python ``float`` (:func:`scalar_or_array`).
"""

from __future__ import annotations

import numbers
from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray


def _as_numbers(x: Any, name: str) -> np.ndarray:
    """``np.asarray(x)``, with ragged lists and Python ints beyond int64 handled by name."""
    if isinstance(x, str | bytes) or x is None:
        raise TypeError(f"{name}: expected real numbers, got {type(x).__name__}")
    try:
        arr = np.asarray(x)
    except (ValueError, TypeError) as exc:  # ragged nesting, or objects NumPy cannot hold
        raise ValueError(f"{name}: must be a number or a rectangular array of numbers") from exc
    if arr.dtype == object:  # Python ints beyond 2**63, mpmath numbers, or junk
        flat = arr.ravel()
        if not all(isinstance(v, numbers.Real) and not isinstance(v, bool) for v in flat):
            bad = next(v for v in flat if not isinstance(v, numbers.Real) or isinstance(v, bool))
            raise TypeError(f"{name}: expected real numbers, got {type(bad).__name__}")
        try:
            arr = np.array([float(v) for v in flat], dtype=np.float64).reshape(arr.shape)
        except OverflowError as exc:
            raise ValueError(f"{name}: a value exceeds the float64 range (about 1.8e308)") from exc
    return arr


def real_array(x: ArrayLike, name: str) -> NDArray[np.float64]:
    """``x`` as a float64 array, after checking it holds finite real numbers.

    Refuses bools, complex numbers, strings, dates and time deltas (``TypeError``), ragged
    lists, NaN and infinities (``ValueError``). float32 and long double are converted exactly
    or to the nearest float64; a long double beyond the float64 range is refused.
    """
    arr = _as_numbers(x, name)
    if np.iscomplexobj(arr):
        raise TypeError(f"{name}: expected real numbers, got a complex array")
    if (
        arr.dtype == bool
        or arr.dtype.kind in "mM"
        or not (np.issubdtype(arr.dtype, np.integer) or np.issubdtype(arr.dtype, np.floating))
    ):
        raise TypeError(f"{name}: expected real numbers, got dtype {arr.dtype}")
    if arr.dtype != np.float64:
        with np.errstate(over="ignore"):
            converted = arr.astype(np.float64)
        if np.isfinite(arr).all() and not np.isfinite(converted).all():
            raise ValueError(f"{name}: a value exceeds the float64 range (about 1.8e308)")
        arr = converted
    if not np.isfinite(arr).all():
        raise ValueError(f"{name}: must be finite (no NaN or inf)")
    return arr


def number_array(x: ArrayLike, name: str) -> NDArray[np.float64] | NDArray[np.complex128]:
    """``x`` as a float64 (or complex128) array, NaN and infinities allowed: for comparisons
    and error measures, where a non-finite value is data, not a mistake.

    Refuses bools, strings, dates and time deltas (``TypeError``), ragged lists and long doubles
    beyond the float64 range (``ValueError``).
    """
    arr = _as_numbers(x, name)
    if arr.dtype.kind not in "iufc":
        raise TypeError(f"{name}: expected real or complex numbers, got dtype {arr.dtype}")
    with np.errstate(over="ignore"):
        converted = arr.astype(np.complex128 if arr.dtype.kind == "c" else np.float64)
    if np.count_nonzero(np.isfinite(arr)) != np.count_nonzero(np.isfinite(converted)):
        raise ValueError(f"{name}: a value exceeds the float64 range (about 1.8e308)")
    return converted


def real_scalar(x: Any, name: str) -> float:
    """``x`` as a Python float, after checking it is one finite real number."""
    arr = real_array(x, name)
    if arr.ndim != 0:
        raise ValueError(f"{name}: must be a single number, got an array of shape {arr.shape}")
    return float(arr)


def whole_array(x: ArrayLike, name: str, minimum: int = 0, what: str = "") -> NDArray[np.float64]:
    """``x`` as a float64 array of whole numbers >= ``minimum``; ``what`` names them in the error."""
    arr = real_array(x, name)
    if np.any(arr != np.round(arr)) or np.any(arr < minimum):
        raise ValueError(f"{name}: {what + ' ' if what else ''}must be a whole number >= {minimum}")
    return arr


def in_range(
    arr: NDArray[np.float64],
    name: str,
    low: float = -np.inf,
    high: float = np.inf,
    *,
    low_open: bool = False,
    high_open: bool = False,
) -> NDArray[np.float64]:
    """``arr`` unchanged, after checking every value lies in the stated interval."""
    below = arr <= low if low_open else arr < low
    above = arr >= high if high_open else arr > high
    if np.any(below) or np.any(above):
        left, right = "(" if low_open else "[", ")" if high_open else "]"
        raise ValueError(f"{name}: must lie in {left}{low:g}, {high:g}{right}")
    return arr


def count(n: Any, name: str, minimum: int = 1) -> int:
    """``n`` as a Python int, after checking it is an integer (not a bool) >= ``minimum``.

    NumPy integer scalars are accepted; ``np.timedelta64`` (a NumPy integer subclass) is not.
    """
    if isinstance(n, bool | np.timedelta64) or not isinstance(n, int | np.integer):
        raise TypeError(f"{name}: expected an integer, got {type(n).__name__}")
    if n < minimum:
        raise ValueError(f"{name}: must be an integer >= {minimum}, got {n}")
    return int(n)


def function(f: Any, name: str) -> Callable[..., Any]:
    """``f`` unchanged, after checking it can be called."""
    if not callable(f):
        raise TypeError(f"{name}: expected a callable, got {type(f).__name__}")
    return f


def generator(seed: Any, name: str = "seed") -> np.random.Generator:
    """A NumPy random generator from ``seed``: ``None``, an integer >= 0, or a Generator."""
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is None:
        return np.random.default_rng()
    return np.random.default_rng(count(seed, name, minimum=0))


def broadcast(**arrays: NDArray[Any]) -> tuple[NDArray[Any], ...]:
    """The arrays broadcast together; a mismatch names every argument and its shape."""
    try:
        return tuple(np.broadcast_arrays(*arrays.values()))
    except ValueError as exc:
        shapes = ", ".join(f"{k} {np.shape(v)}" for k, v in arrays.items())
        raise ValueError(f"{', '.join(arrays)}: shapes do not broadcast ({shapes})") from exc


def scalar_or_array(result: NDArray[Any], *inputs: NDArray[Any]) -> NDArray[Any] | float:
    """``result`` as a Python float when every input was a scalar (0-d), else unchanged."""
    if all(np.ndim(v) == 0 for v in inputs):
        return float(result) if not np.iscomplexobj(result) else complex(result)
    return result
