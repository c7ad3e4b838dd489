"""Input checks shared by the library: bad input is refused by name, never turned into NaN."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray


def real_array(x: ArrayLike, name: str) -> NDArray[np.float64]:
    """``x`` as a float64 array, after checking it holds finite real numbers."""
    arr = np.asarray(x)
    if np.iscomplexobj(arr):
        raise TypeError(f"{name}: expected real numbers, got a complex array")
    if arr.dtype == bool or not (
        np.issubdtype(arr.dtype, np.integer) or np.issubdtype(arr.dtype, np.floating)
    ):
        raise TypeError(f"{name}: expected real numbers, got dtype {arr.dtype}")
    arr = arr.astype(np.float64, copy=False)
    if not np.isfinite(arr).all():
        raise ValueError(f"{name}: must be finite (no NaN or inf)")
    return arr


def whole_array(x: ArrayLike, name: str, minimum: int = 0, what: str = "") -> NDArray[np.float64]:
    """``x`` as a float64 array of whole numbers >= ``minimum``; ``what`` names them in the error."""
    arr = real_array(x, name)
    if np.any(arr != np.round(arr)) or np.any(arr < minimum):
        raise ValueError(f"{name}: {what + ' ' if what else ''}must be a whole number >= {minimum}")
    return arr
