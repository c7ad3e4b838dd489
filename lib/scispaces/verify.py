"""State a chapter's claims, check them, and keep the ledger.

Every chapter of the book uses this module the same way::

    from scispaces.verify import Ledger
    ledger = Ledger("random_angles")
    ledger.symbolic("norm", "p_n integrates to 1", sp.integrate(p, (t, 0, sp.pi)), 1)
    ledger.numeric("lib", "library pdf = lambdified pdf", lib_values, sym_values, rtol=1e-12)
    ledger.exact("count", "every sample lies in [0, pi]", bool(ok.all()), "count over samples")
    ledger  # rendered as the claims table at the end of the chapter

A check that fails records the claim as failed and raises ``AssertionError`` carrying the
claim's statement, so a notebook (and hence nbval) stops at the first false claim.

Symbolic checks pass only on proof: the difference of the two sides must reduce to exactly
0 under one of a fixed list of SymPy transformations. A difference that no transformation
decides fails as *undecided*; one that is nonzero at a sample point fails as *false*.
SymPy is imported lazily, so ``import scispaces`` stays light.
"""

from __future__ import annotations

import html
import json
import math
import numbers
import random
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

LEDGER_METADATA_KEY = "scispaces.ledger"  # where a displayed ledger keeps its JSON copy


# --------------------------------------------------------------------------- symbolic


@dataclass(frozen=True)
class SymbolicResult:
    """Outcome of :func:`symbolic_equal`.

    ``verdict`` is ``"proved"`` (the difference reduced to 0 by ``method``), ``"false"``
    (the difference is nonzero at the sample point in ``detail``) or ``"undecided"``.
    """

    verdict: str
    method: str
    detail: str = ""

    @property
    def passed(self) -> bool:
        return self.verdict == "proved"


def _strategies() -> list[tuple[str, Callable[[Any], Any]]]:
    """Transformations tried in order on lhs - rhs; each must return an expression."""
    import sympy as sp

    return [
        ("simplify", sp.simplify),
        ("expand", lambda e: sp.expand(e)),
        ("expand_func + simplify", lambda e: sp.simplify(sp.expand_func(e))),
        ("gammasimp", sp.gammasimp),
        ("trigsimp", lambda e: sp.trigsimp(sp.expand_trig(e))),
        ("rewrite(exp) + simplify", lambda e: sp.simplify(e.rewrite(sp.exp))),
        ("expand_log + simplify", lambda e: sp.simplify(sp.expand_log(e, force=False))),
        ("powsimp + radsimp", lambda e: sp.radsimp(sp.powsimp(sp.expand(e), force=False))),
        ("doit + simplify", lambda e: sp.simplify(e.doit())),
        ("polygamma shift + simplify", lambda e: sp.simplify(_shift_polygamma(e))),
        (
            "logcombine + simplify",
            lambda e: sp.simplify(sp.logcombine(e)),
        ),  # only where arguments are > 0
    ]


def _shift_polygamma(expr: Any) -> Any:
    """Rewrite polygamma(k, r), r a rational > 1, by its recurrence down to an argument in (0, 1].

    SymPy evaluates polygamma at 1/2 or 1 but not at, say, 3/2; ``expand_func`` applies
    polygamma(k, z + N) = polygamma(k, z) + (-1)^k k! sum_{i<N} (z + i)^(-k-1)... to a symbolic
    z, which is then set to the fractional part.
    """
    import sympy as sp

    z = sp.Dummy("z")

    def shift(k: Any, arg: Any) -> Any:
        if arg.is_Rational and arg > 1:
            whole = sp.ceiling(arg) - 1
            return sp.expand_func(sp.polygamma(k, z + whole)).subs(z, arg - whole)
        return sp.polygamma(k, arg)

    return expr.replace(sp.polygamma, shift)


def _with_assumptions(exprs: list[Any], assumptions: Mapping[Any, Mapping[str, bool]] | None):
    """Replace each symbol named in ``assumptions`` by one carrying those assumptions."""
    import sympy as sp

    if not assumptions:
        return exprs
    subs = {}
    for sym, facts in assumptions.items():
        if not isinstance(sym, sp.Symbol):
            raise TypeError(f"assumptions: keys must be SymPy Symbols, got {sym!r}")
        subs[sym] = sp.Symbol(sym.name, **dict(facts))
    return [e.xreplace(subs) for e in exprs]


def _sample_nonzero(diff: Any, seed: int = 0, tries: int = 12) -> str:
    """Look for a point where ``diff`` is clearly nonzero; '' if none is found.

    Sample values respect the symbols' sign and integer assumptions, but not ranges: state an
    identity that holds only on a bounded range through a substitution that encodes the
    range (for 0 < t < 1, write t = sqrt(1 - w) with w > 0).
    """
    import sympy as sp

    rng = random.Random(seed)
    symbols = sorted(diff.free_symbols, key=lambda s: s.name)
    for _ in range(tries):
        point = {}
        for s in symbols:
            if s.is_integer:
                v = rng.randint(2, 9)
                v = -v if s.is_negative else v
                if s.is_even:
                    v = 2 * v
                if s.is_odd:
                    v = 2 * v + 1
                point[s] = sp.Integer(v)
            else:
                v = sp.Rational(rng.randint(1, 997), 1000) + rng.randint(0, 2)
                if s.is_negative:
                    v = -v
                elif not (s.is_positive or s.is_nonnegative) and rng.random() < 0.5:
                    v = -v
                point[s] = v
        try:
            value = complex(sp.N(diff.subs(point), 30))
        except (TypeError, ValueError, ZeroDivisionError):
            continue
        if not (math.isfinite(value.real) and math.isfinite(value.imag)):
            continue
        if abs(value) > 1e-12:
            where = ", ".join(f"{k}={v}" for k, v in point.items())
            return f"lhs - rhs = {sp.N(value, 6)} at {where or 'the constant value'}"
    return ""


def symbolic_equal(
    lhs: Any, rhs: Any, assumptions: Mapping[Any, Mapping[str, bool]] | None = None
) -> SymbolicResult:
    """Decide whether ``lhs == rhs`` as SymPy expressions (or matrices, entrywise); pass only on proof.

    The difference ``d = lhs - rhs`` is proved zero if it is structurally 0, if SymPy's
    assumption system says ``d.is_zero is True``, or if one of the transformations
    ``simplify``, ``expand``, ``expand_func``, ``gammasimp``, ``trigsimp``, a rewrite in
    ``exp``, ``expand_log``, ``powsimp``/``radsimp``, ``doit``, the polygamma recurrence, or
    ``logcombine`` (which combines logarithms only of arguments known to be positive) reduces it
    to exactly 0.
    ``assumptions`` maps symbols to SymPy assumption keywords, e.g.
    ``{n: {"integer": True, "positive": True}}``; the symbols are replaced by ones that
    carry them before the check.

    Examples
    --------
    >>> import sympy as sp
    >>> x = sp.Symbol("x")
    >>> symbolic_equal(sp.sin(x) ** 2 + sp.cos(x) ** 2, 1).verdict
    'proved'
    >>> symbolic_equal(sp.sqrt(x**2), x, {x: {"positive": True}}).verdict
    'proved'
    >>> symbolic_equal(sp.sqrt(x**2), x).verdict
    'false'
    """
    import sympy as sp

    lhs, rhs = sp.sympify(lhs), sp.sympify(rhs)
    if isinstance(lhs, sp.MatrixBase) or isinstance(rhs, sp.MatrixBase):
        return _matrix_equal(lhs, rhs, assumptions)
    for name, side in (("lhs", lhs), ("rhs", rhs)):
        if not isinstance(side, sp.Expr):
            raise TypeError(
                f"{name}: expected a SymPy expression or matrix, got {type(side).__name__}"
            )
    (diff,) = _with_assumptions([lhs - rhs], assumptions)
    if diff == 0:
        return SymbolicResult("proved", "identical")
    if diff.is_zero is True:
        return SymbolicResult("proved", "assumptions")
    for name, transform in _strategies():
        try:
            reduced = transform(diff)
        except (NotImplementedError, TypeError, ValueError, AttributeError):
            continue
        if reduced == 0 or getattr(reduced, "is_zero", None) is True:
            return SymbolicResult("proved", name)
    witness = _sample_nonzero(diff)
    if witness:
        return SymbolicResult("false", "sample point", witness)
    return SymbolicResult("undecided", "", f"no transformation reduced lhs - rhs to 0: {diff}")


def _matrix_equal(
    lhs: Any, rhs: Any, assumptions: Mapping[Any, Mapping[str, bool]] | None
) -> SymbolicResult:
    """Entrywise :func:`symbolic_equal`: proved only if every entry is."""
    import sympy as sp

    for name, side in (("lhs", lhs), ("rhs", rhs)):
        if not isinstance(side, sp.MatrixBase):
            raise TypeError(f"{name}: cannot compare a matrix with {type(side).__name__}")
    if lhs.shape != rhs.shape:
        return SymbolicResult("false", "shape", f"shapes differ: {lhs.shape} and {rhs.shape}")
    results = [symbolic_equal(a, b, assumptions) for a, b in zip(lhs, rhs, strict=True)]
    for verdict in ("false", "undecided"):
        bad = [(i, r) for i, r in enumerate(results) if r.verdict == verdict]
        if bad:
            i, r = bad[0]
            return SymbolicResult(verdict, r.method, f"entry {divmod(i, lhs.shape[1])}: {r.detail}")
    methods = sorted({r.method for r in results}, key=[r.method for r in results].index)
    return SymbolicResult("proved", "entrywise " + ", ".join(methods))


# --------------------------------------------------------------------------- numeric


@dataclass(frozen=True)
class NumericResult:
    """Outcome of :func:`numeric_close`: the worst errors seen and whether all were in tolerance.

    ``max_rel_error`` is taken over entries with a finite nonzero ``desired`` and over non-finite
    mismatches, which count as infinite (0.0 if there are no such entries).
    """

    passed: bool
    max_abs_error: float
    max_rel_error: float
    rtol: float
    atol: float
    size: int

    def describe(self) -> str:
        """The measured error, in the metric(s) the tolerance uses."""
        parts = []
        if self.atol > 0 or self.rtol == 0:
            parts.append(f"abs {_fmt(self.max_abs_error)}")
        if self.rtol > 0:
            parts.append(f"rel {_fmt(self.max_rel_error)}")
        return ", ".join(parts)

    def tolerance(self) -> str:
        parts = []
        if self.atol > 0 or self.rtol == 0:
            parts.append(f"atol {_fmt(self.atol)}")
        if self.rtol > 0:
            parts.append(f"rtol {_fmt(self.rtol)}")
        return ", ".join(parts)


def _fmt(x: float) -> str:
    """Two significant digits: errors are orders of magnitude, not exact values."""
    if x == 0:
        return "0"
    if not math.isfinite(x):
        return str(x)
    return f"{x:.1e}"


def numeric_close(
    actual: Any, desired: Any, rtol: float = 1e-12, atol: float = 0.0
) -> NumericResult:
    """Check ``|actual - desired| <= atol + rtol * |desired|`` elementwise (broadcasting).

    Inputs are compared as float64 (complex128 if either is complex), so integers cannot
    wrap around. A non-finite ``desired`` is matched only by the identical value (equal
    infinities pass), and NaN never passes; a mismatch there counts as an infinite error.

    Examples
    --------
    >>> r = numeric_close([1.0, 2.0], [1.0, 2.0 + 1e-13], rtol=1e-12)
    >>> r.passed, r.describe()
    (True, 'rel 5.0e-14')
    """
    for name, tol in (("rtol", rtol), ("atol", atol)):
        if (
            isinstance(tol, bool)
            or not isinstance(tol, numbers.Real)
            or not (math.isfinite(tol) and tol >= 0)
        ):
            raise ValueError(f"{name} must be a finite real number >= 0, got {tol!r}")
    if rtol == 0 and atol == 0:
        raise ValueError(
            "rtol and atol are both 0: state a tolerance (exact claims use Ledger.exact)"
        )
    arrays = []
    for name, value in (("actual", actual), ("desired", desired)):
        arr = np.asarray(value)
        if arr.dtype == object or not np.issubdtype(arr.dtype, np.number):
            raise TypeError(f"{name}: expected numeric values, got dtype {arr.dtype}")
        if arr.size == 0:
            raise ValueError(f"{name}: is empty; there is nothing to compare")
        arrays.append(arr)
    a, d = arrays
    kind = np.result_type(a.dtype, d.dtype, np.float64)
    try:
        a, d = np.broadcast_arrays(a.astype(kind), d.astype(kind))
    except ValueError as exc:
        raise ValueError(f"actual {a.shape} and desired {d.shape} do not broadcast") from exc
    same = a == d  # equal infinities count as equal; NaN never does
    finite = np.isfinite(a) & np.isfinite(d)
    with np.errstate(invalid="ignore", over="ignore"):
        err = np.where(same, 0.0, np.where(finite, np.abs(a - d), np.inf))
        scale = np.where(np.isfinite(d), np.abs(d), 0.0)
        ok = same | (finite & (err <= atol + rtol * scale))
        measured = (scale > 0) | ~np.isfinite(err)
        rel = np.where(scale > 0, err / np.where(scale > 0, scale, 1.0), np.inf)[measured]
    return NumericResult(
        passed=bool(ok.all()),
        max_abs_error=float(err.max()),
        max_rel_error=float(rel.max()) if rel.size else 0.0,
        rtol=float(rtol),
        atol=float(atol),
        size=int(err.size),
    )


# --------------------------------------------------------------------------- ledger


@dataclass(frozen=True)
class Claim:
    """One row of a ledger."""

    id: str
    statement: str
    method: str
    error: str
    tolerance: str
    passed: bool


@dataclass
class Ledger:
    """The claims a chapter makes, each with how it was checked and the error measured.

    Renders as a table (plain text, HTML). The displayed output carries a JSON copy in its
    metadata under ``"scispaces.ledger"``, so the status page can gather every chapter's
    ledger from the stored notebooks (:func:`load_ledger`); renderers ignore metadata, and
    nbval compares the text and HTML, which say the same.
    """

    chapter: str
    claims: list[Claim] = field(default_factory=list)

    # -- recording -------------------------------------------------------------
    def _record(self, claim: Claim, detail: str = "") -> None:
        if not claim.id or not isinstance(claim.id, str):
            raise ValueError(f"claim_id must be a non-empty string, got {claim.id!r}")
        if any(c.id == claim.id for c in self.claims):
            raise ValueError(f"claim_id {claim.id!r} is already in the ledger of {self.chapter!r}")
        self.claims.append(claim)
        if not claim.passed:
            raise AssertionError(
                f"claim {claim.id!r} failed: {claim.statement}" + (f" ({detail})" if detail else "")
            )

    def symbolic(
        self,
        claim_id: str,
        statement: str,
        lhs: Any,
        rhs: Any,
        assumptions: Mapping[Any, Mapping[str, bool]] | None = None,
    ) -> None:
        """Record that ``lhs == rhs`` symbolically; see :func:`symbolic_equal`."""
        result = symbolic_equal(lhs, rhs, assumptions)
        method = f"SymPy: {result.method}" if result.passed else "SymPy"
        if assumptions:
            method += "; assuming " + "; ".join(
                f"{s} " + " ".join(k for k, v in facts.items() if v)
                for s, facts in assumptions.items()
            )
        error = "0 (exact)" if result.passed else result.verdict
        claim = Claim(claim_id, statement, method, error, "exact", result.passed)
        self._record(claim, detail=f"{result.verdict}: {result.detail}")

    def numeric(
        self,
        claim_id: str,
        statement: str,
        actual: Any,
        desired: Any,
        rtol: float = 1e-12,
        atol: float = 0.0,
        method: str = "NumPy",
    ) -> None:
        """Record that ``actual`` matches ``desired`` within tolerance; see :func:`numeric_close`."""
        result = numeric_close(actual, desired, rtol=rtol, atol=atol)
        claim = Claim(
            claim_id, statement, method, result.describe(), result.tolerance(), result.passed
        )
        self._record(claim, detail=f"max error {result.describe()}, {result.tolerance()}")

    def exact(self, claim_id: str, statement: str, holds: bool, method: str) -> None:
        """Record a claim checked exactly (a count, an integer identity, a sign)."""
        if not isinstance(holds, bool | np.bool_):
            raise TypeError(f"holds: expected a bool, got {type(holds).__name__}")
        claim = Claim(
            claim_id, statement, method, "0 (exact)" if holds else "violated", "exact", bool(holds)
        )
        self._record(claim)

    # -- rendering ---------------------------------------------------------------
    @property
    def passed(self) -> bool:
        return bool(self.claims) and all(c.passed for c in self.claims)

    def to_json(self) -> dict[str, Any]:
        return {"chapter": self.chapter, "claims": [asdict(c) for c in self.claims]}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Ledger:
        return cls(data["chapter"], [Claim(**c) for c in data["claims"]])

    def __repr__(self) -> str:
        head = ("id", "claim", "method", "error", "tolerance", "ok")
        rows = [
            (c.id, c.statement, c.method, c.error, c.tolerance, "yes" if c.passed else "NO")
            for c in self.claims
        ]
        widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]
        lines = [f"Claims ledger: {self.chapter} ({self.summary()})"]
        lines += [
            "  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)).rstrip()
            for r in [head, *rows]
        ]
        return "\n".join(lines)

    def summary(self) -> str:
        n_ok = sum(c.passed for c in self.claims)
        return f"{n_ok} of {len(self.claims)} claims checked and passed"

    def to_html(self) -> str:
        cells = "".join(
            "<tr>"
            + "".join(
                f"<td>{html.escape(v)}</td>"
                for v in (c.id, c.statement, c.method, c.error, c.tolerance)
            )
            + f"<td>{'&#10003;' if c.passed else '&#10007;'}</td></tr>"
            for c in self.claims
        )
        return (
            f'<table class="scispaces-ledger"><caption>Claims ledger: {html.escape(self.summary())}'
            "</caption><thead><tr><th>id</th><th>claim</th><th>how it was checked</th>"
            "<th>measured error</th><th>tolerance</th><th>pass</th></tr></thead>"
            f"<tbody>{cells}</tbody></table>"
        )

    def _repr_mimebundle_(
        self, include=None, exclude=None
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        data = {"text/plain": repr(self), "text/html": self.to_html()}
        return data, {LEDGER_METADATA_KEY: self.to_json()}


def load_ledger(notebook: str | Path) -> Ledger:
    """The ledger a stored, executed chapter notebook displayed last.

    Raises ``ValueError`` naming the notebook if it displayed none.
    """
    nb = json.loads(Path(notebook).read_text(encoding="utf-8"))
    found = [
        out["metadata"][LEDGER_METADATA_KEY]
        for cell in nb.get("cells", [])
        if cell.get("cell_type") == "code"
        for out in cell.get("outputs", [])
        if LEDGER_METADATA_KEY in out.get("metadata", {})
    ]
    if not found:
        raise ValueError(f"notebook {notebook}: displays no claims ledger")
    return Ledger.from_json(found[-1])
