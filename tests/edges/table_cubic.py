"""Edge table of scispaces.cubic: solve_cubic against the exact roots, over the whole float range.

Reference: the exact roots of the float coefficients by mpmath (``mp_cubic_roots``, with the
precision the roots' spread needs), measured as the docstring promises (``cubic_contract_errors``:
relative to each root, absolute only for the roots it names).
"""

from __future__ import annotations

import numpy as np

from edges import Row, real
from scispaces.reference import cubic_contract_errors

MODULE = "scispaces.cubic"

RTOL = 1e-13  # measured: 4.5e-15 at worst on random cubics; rounding-level everywhere else
EMPTY = ("empty",)  # vectorised: empty coefficient arrays give an empty (0, 3) result


def _check(result, a, b, c, d):
    """Every root of every cubic within the stated accuracy of the exact root."""
    rows = np.stack([np.asarray(v, dtype=float) for v in np.broadcast_arrays(a, b, c, d)], -1)
    assert result.shape == rows.shape[:-1] + (3,), (result.shape, rows.shape)
    errors = cubic_contract_errors(result.reshape(-1, 3), rows.reshape(-1, 4))
    assert np.all(errors <= RTOL), (rows.reshape(-1, 4)[errors.max(axis=1) > RTOL], errors.max())


ROWS = [
    Row(
        "solve_cubic",
        {
            "a": real(1.0, supports=EMPTY),
            "b": real(-6.0, supports=EMPTY),
            "c": real(11.0, supports=EMPTY),
            "d": real(-6.0, supports=EMPTY),
        },
        broadcast=("a", "b", "c", "d"),
        check=_check,
    ),
]
