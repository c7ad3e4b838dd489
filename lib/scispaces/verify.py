"""State a chapter's claims, check them, and keep the ledger.

Every chapter of the book uses this module the same way::

    from scispaces.verify import Ledger
    ledger = Ledger("random_angles")
    ledger.symbolic("norm", "$p_n$ integrates to 1", sp.integrate(p, (t, 0, sp.pi)), 1)
    ledger.numeric("lib", "library pdf = lambdified pdf", lib_values, sym_values, rtol=1e-12)
    ledger.statistical("mc_mean", "Monte Carlo mean = exact mean", mean, exact, stderr, method=...)
    ledger.bound("ks", "samples follow the law", p_value, measure="KS p-value", lower=1e-3, ...)
    ledger.exact("count", "every sample lies in $[0, \\pi]$", bool(ok.all()), "count over samples")
    ledger  # rendered as the claims table at the end of the chapter

Every claim has a *kind* of evidence (:data:`KINDS`): a **proof** (a symbolic identity for every
value of its free symbols, under the assumptions the ledger shows), **instances** (exact, at
chosen values), **numeric** (floating point, within a tolerance), **statistical** (judged
against its spread), or a **definition** / **sanity** check, which is shown but not counted as
evidence. A check that fails records the claim as failed and raises ``AssertionError`` carrying
the claim's statement, so a notebook (and hence nbval) stops at the first false claim.

Symbolic checks pass only on proof: the difference of the two sides must reduce to exactly
0 under one of a fixed list of SymPy transformations. A difference that no transformation
decides fails as *undecided*; one that is nonzero at a sample point fails as *false*.
Numeric claims whose error is rounding must sit far below their tolerance
(:data:`PORTABLE_MARGIN`) and are shown as a bound, so the stored ledger is the same on every
CPU. SymPy is imported lazily, so ``import scispaces`` stays light.
"""

from __future__ import annotations

import html
import json
import math
import numbers
import random
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

import numpy as np

from scispaces._checks import broadcast, count, number_array, real_array, real_scalar

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

    def __post_init__(self) -> None:
        if self.verdict not in ("proved", "false", "undecided"):
            raise ValueError(
                f"verdict: must be 'proved', 'false' or 'undecided', got {self.verdict!r}"
            )
        _text(self.method, "method", empty=True)
        _text(self.detail, "detail", empty=True)

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


def _shortest(bound: float | None) -> str | None:
    """A bound as written: the fewest significant digits (2 to 6) that give it back."""
    if bound is None:
        return None
    from scispaces.report import sig

    return next(
        (sig(bound, d) for d in range(2, 7) if float(sig(bound, d)) == bound), sig(bound, 6)
    )


def _beside(value: float, lower: float | None, upper: float | None) -> str:
    """``value`` with two digits, or as many more (up to 6) as it takes for the shown number to
    differ from the shown bounds and lie on the same side of each as ``value`` does: never
    '1 <= 0.9999' for 0.99897, nor '1 <= 1'."""
    from scispaces.report import sig

    written = [(b, float(_shortest(b))) for b in (lower, upper) if b is not None]

    def faithful(text: str) -> bool:
        shown = float(text)
        return all(shown != w and (shown < w) == (value < b) for b, w in written)

    return next((sig(value, d) for d in range(2, 7) if faithful(sig(value, d))), sig(value, 6))


def _text(value: Any, name: str, empty: bool = False) -> str:
    """``value`` after checking it is a str (non-empty unless ``empty``)."""
    if not isinstance(value, str):
        raise TypeError(f"{name}: expected a str, got {type(value).__name__}")
    if not empty and not value.strip():
        raise ValueError(f"{name}: must be a non-empty string")
    return value


def _sympify(value: Any, name: str) -> Any:
    """``value`` as a SymPy object; strings and other non-numbers are refused by name."""
    import sympy as sp

    try:
        return sp.sympify(value, strict=True)
    except (sp.SympifyError, TypeError, ValueError) as exc:
        raise TypeError(
            f"{name}: expected a SymPy expression, matrix or number, got {type(value).__name__}"
        ) from exc


def _with_assumptions(exprs: list[Any], assumptions: Mapping[Any, Mapping[str, bool]] | None):
    """Replace each symbol named in ``assumptions`` by one carrying those assumptions."""
    import sympy as sp

    if assumptions is None:
        return exprs
    if not isinstance(assumptions, Mapping):
        raise TypeError(
            f"assumptions: expected a dict {{symbol: {{fact: bool}}}}, got {type(assumptions).__name__}"
        )
    from sympy.core.assumptions import _assume_defined
    from sympy.core.facts import InconsistentAssumptions

    subs = {}
    for sym, facts in assumptions.items():
        if not isinstance(sym, sp.Symbol):
            raise TypeError(f"assumptions: keys must be SymPy Symbols, got {sym!r}")
        if not isinstance(facts, Mapping):
            raise TypeError(f"assumptions: {sym} must map to a dict of facts, got {facts!r}")
        for key, value in facts.items():
            if key not in _assume_defined:
                raise ValueError(f"assumptions: {key!r} (for {sym}) is not a SymPy assumption")
            if not isinstance(value, bool):
                raise TypeError(
                    f"assumptions: {sym}'s {key!r} must be True or False, got {value!r}"
                )
        try:
            subs[sym] = sp.Symbol(sym.name, **dict(facts))
        except InconsistentAssumptions as exc:
            raise ValueError(f"assumptions: the facts for {sym} contradict each other") from exc
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

    lhs, rhs = _sympify(lhs, "lhs"), _sympify(rhs, "rhs")
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

    if not (isinstance(lhs, sp.MatrixBase) and isinstance(rhs, sp.MatrixBase)):
        raise TypeError(
            f"lhs, rhs: cannot compare a matrix with a non-matrix ({type(lhs).__name__} and "
            f"{type(rhs).__name__})"
        )
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

    def __post_init__(self) -> None:
        if not isinstance(self.passed, bool):
            raise TypeError(f"passed: expected a bool, got {type(self.passed).__name__}")
        for name in ("max_abs_error", "max_rel_error"):  # inf: a non-finite mismatch
            value = getattr(self, name)
            if isinstance(value, bool | np.timedelta64) or not isinstance(value, numbers.Real):
                raise TypeError(f"{name}: expected a real number, got {type(value).__name__}")
            if not value >= 0:
                raise ValueError(f"{name}: must be >= 0 (inf allowed), got {value!r}")
        _tolerances(self.rtol, self.atol, zero=True)
        count(self.size, "size")

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


def _one_digit(x: float) -> str:
    """A bound with one significant digit: ``1e-13``, ``3e-07``."""
    return f"{x:.0e}"


def _fmt(x: float) -> str:
    """Two significant digits: errors are orders of magnitude, not exact values."""
    if x == 0:
        return "0"
    if not math.isfinite(x):
        return str(x)
    return f"{x:.1e}"


def _tolerances(rtol: Any, atol: Any, zero: bool = False) -> tuple[float, float]:
    """``rtol`` and ``atol`` as floats, after checking they are finite, >= 0 and not both 0."""
    rtol, atol = real_scalar(rtol, "rtol"), real_scalar(atol, "atol")
    for name, tol in (("rtol", rtol), ("atol", atol)):
        if tol < 0:
            raise ValueError(f"{name}: must be >= 0, got {tol!r}")
    if rtol == 0 and atol == 0 and not zero:
        raise ValueError(
            "rtol, atol: both are 0; state a tolerance (exact claims use Ledger.exact)"
        )
    return rtol, atol


def _numbers(value: Any, name: str) -> np.ndarray:
    """``value`` as an array of real or complex numbers (NaN and inf allowed), refused by name
    if it holds anything else or nothing."""
    arr = number_array(value, name)
    if arr.size == 0:
        raise ValueError(f"{name}: is empty; there is nothing to compare")
    return arr


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
    rtol, atol = _tolerances(rtol, atol)
    a, d = _numbers(actual, "actual"), _numbers(desired, "desired")
    kind = np.complex128 if np.iscomplexobj(a) or np.iscomplexobj(d) else np.float64
    a, d = broadcast(actual=a.astype(kind), desired=d.astype(kind))
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

KINDS: dict[str, str] = {
    "proof": "a symbolic identity for every value of its symbols, under the assumptions shown",
    "instances": "exact (symbolic or rational arithmetic), at the chosen values stated",
    "numeric": "floating-point agreement at sample points, within the tolerance shown",
    "statistical": "a Monte Carlo or training result, judged against its spread",
    "definition": "restates a definition: shown for the reader, not counted as evidence",
    "sanity": "a trivially true fact: shown for the reader, not counted as evidence",
}
EVIDENCE = ("proof", "instances", "numeric", "statistical")  # the kinds that count

# A rounding-level error must lie this far below its tolerance: another CPU's rounding may make
# it a few times larger, and the stored ledger must still read the same there.
PORTABLE_MARGIN = 30


def _domain(expr: Any) -> str:
    """In words, the values a proved identity holds for: its free symbols and their assumptions."""
    from sympy.core.function import AppliedUndef

    groups: dict[str, list[str]] = {}
    for s in sorted(expr.free_symbols, key=lambda s: s.name):
        if s.is_integer:
            what = (
                "positive integer"
                if s.is_positive
                else "integer >= 0"
                if s.is_nonnegative
                else "integer"
            )
        elif s.is_positive:
            what = "> 0"
        elif s.is_negative:
            what = "< 0"
        elif s.is_nonnegative:
            what = ">= 0"
        elif s.is_nonpositive:
            what = "<= 0"
        elif s.is_real:
            what = "real, nonzero" if s.is_nonzero else "real"
        else:
            what = "complex, nonzero" if s.is_nonzero else "complex"
        groups.setdefault(what, []).append(s.name)
    parts = [f"{', '.join(names)} {what}" for what, names in groups.items()]
    functions = sorted({f.func.__name__ for f in expr.atoms(AppliedUndef)})
    if functions:
        parts.append("any function " + ", ".join(functions))
    return "for all " + "; ".join(parts) if parts else ""


def _free(expr: Any) -> bool:
    from sympy.core.function import AppliedUndef

    return bool(expr.free_symbols) or bool(expr.atoms(AppliedUndef))


def _kind(kind: str, allowed: tuple[str, ...]) -> str:
    if not isinstance(kind, str) or kind not in allowed:
        raise ValueError(f"kind: must be one of {', '.join(allowed)}; got {kind!r}")
    return kind


@dataclass(frozen=True)
class Claim:
    """One row of a ledger: what is claimed, which kind of evidence, how checked, what measured."""

    id: str
    statement: str
    kind: str
    method: str
    measured: str
    tolerance: str
    passed: bool

    def __post_init__(self) -> None:
        for f in fields(self):
            if f.name != "passed":  # id and statement must say something
                _text(getattr(self, f.name), f.name, empty=f.name not in ("id", "statement"))
        if not isinstance(self.passed, bool):
            raise TypeError(f"passed: expected a bool, got {type(self.passed).__name__}")
        _kind(self.kind, tuple(KINDS))

    @classmethod
    def from_json(cls, data: Any, where: str = "data") -> Claim:
        """A claim from its JSON form, refusing anything but the exact fields and types.

        ``where`` names the data in error messages (``"data['claims'][3]"``).
        """
        _text(where, "where")
        names = [f.name for f in fields(cls)]
        if not isinstance(data, Mapping) or set(data) != set(names):
            raise ValueError(f"{where}: expected an object with the fields {names}, got {data!r}")
        for name in names:
            expected = bool if name == "passed" else str
            if (
                type(data[name]) is not expected
            ):  # exactly: JSON has no numpy bools or str subclasses
                raise ValueError(
                    f"{where}: field {name!r} must be a {expected.__name__}, got {data[name]!r}"
                )
        try:
            return cls(**data)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"{where}: {exc}") from exc


class Ledger:
    """The claims a chapter makes, each with its kind of evidence, how it was checked and the
    error measured.

    Each recording method checks its claim at once and raises ``AssertionError`` if it fails, so
    a notebook (and nbval) stops at the first false claim. The ledger renders as a table (plain
    text, and HTML with typeset math); the displayed output carries a JSON copy in its metadata
    under ``"scispaces.ledger"``, from which the status page gathers every chapter's ledger.

    Parameters
    ----------
    chapter : str
        The chapter's name (the notebook's stem).
    """

    def __init__(self, chapter: str) -> None:
        self.chapter = _text(chapter, "chapter")
        self.claims: list[Claim] = []

    # -- recording -------------------------------------------------------------
    def _new(self, claim_id: Any, statement: Any, method: Any, kind: Any, kinds: tuple) -> None:
        """Check a claim's words before any work is done: a fresh id, a statement, a method."""
        _text(claim_id, "claim_id")
        if any(c.id == claim_id for c in self.claims):
            raise ValueError(f"claim_id: {claim_id!r} is already in the ledger of {self.chapter!r}")
        _text(statement, "statement")
        _text(method, "method")
        _kind(kind, kinds)

    def _record(self, claim: Claim, detail: str = "") -> None:
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
        kind: str | None = None,
    ) -> None:
        """Record that ``lhs == rhs`` symbolically; see :func:`symbolic_equal`.

        ``kind`` defaults to ``"proof"`` when the identity has free symbols or undefined
        functions (it then holds for all of their values allowed by their assumptions, which
        the ledger shows) and to ``"instances"`` when it has none. ``"definition"`` and
        ``"sanity"`` mark claims that are not evidence.
        """
        import sympy as sp

        kinds = ("proof", "instances", "definition", "sanity")
        self._new(claim_id, statement, "SymPy", kinds[0] if kind is None else kind, kinds)
        result = symbolic_equal(lhs, rhs, assumptions)
        sides = _with_assumptions([sp.sympify(lhs), sp.sympify(rhs)], assumptions)
        both = sp.Tuple(*sides)
        free = _free(both)
        if kind is None:
            kind = "proof" if free else "instances"
        if kind == "proof" and not free:
            raise ValueError(
                f"kind: {claim_id!r} has no free symbols, so it is checked at chosen values: "
                "use 'instances'"
            )
        method = f"SymPy ({result.method})" if result.passed else "SymPy"
        domain = _domain(both) if kind == "proof" else ""
        method += f", {domain}" if domain else ""
        measured = "exact" if result.passed else result.verdict
        claim = Claim(claim_id, statement, kind, method, measured, "exact", result.passed)
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
        rounding: bool = True,
        kind: str = "numeric",
    ) -> None:
        """Record that ``actual`` matches ``desired`` within tolerance; see :func:`numeric_close`.

        ``rounding=True`` (the default) says the two sides compute the same number, so their
        difference is rounding error, whose digits change from CPU to CPU: the ledger then shows
        it as a bound a tenth of the tolerance, and the claim requires it to be at most
        1/``PORTABLE_MARGIN`` of the tolerance, so that another machine's rounding cannot
        change the stored ledger or the verdict. ``rounding=False`` is for a stable error
        (a truncation or discretisation error, a series remainder), shown with two digits.
        """
        self._new(claim_id, statement, method, kind, ("numeric", "sanity"))
        if not isinstance(rounding, bool | np.bool_):
            raise TypeError(f"rounding: expected a bool, got {type(rounding).__name__}")
        result = numeric_close(actual, desired, rtol=rtol, atol=atol)
        if not rounding or not result.passed:
            claim = Claim(
                claim_id,
                statement,
                kind,
                method,
                result.describe(),
                result.tolerance(),
                result.passed,
            )
            self._record(claim, detail=f"max error {result.describe()}, {result.tolerance()}")
            return
        rtol, atol = result.rtol / PORTABLE_MARGIN, result.atol / PORTABLE_MARGIN
        if rtol == atol == 0:  # a tolerance within 30 times the smallest float: exact only
            margin_ok = result.max_abs_error == 0
        else:
            margin_ok = numeric_close(actual, desired, rtol=rtol, atol=atol).passed
        tenth_r, tenth_a = _one_digit(result.rtol / 10), _one_digit(result.atol / 10)
        if result.atol == 0:
            bound = f"rel < {tenth_r}"
        elif result.rtol == 0:
            bound = f"abs < {tenth_a}"
        else:  # the check bounds the sum, not each part
            bound = f"|a-d| < {tenth_a} + {tenth_r}|d|"
        claim = Claim(
            claim_id,
            statement,
            kind,
            method,
            bound if margin_ok else result.describe(),
            result.tolerance(),
            margin_ok,
        )
        self._record(
            claim,
            detail=(
                f"a rounding-level error of {result.describe()} is within a factor "
                f"{PORTABLE_MARGIN} of its tolerance {result.tolerance()}: another CPU's rounding "
                "could fail it. Widen the tolerance, or pass rounding=False if this error is "
                "not rounding (a truncation error, say)"
            ),
        )

    def bound(
        self,
        claim_id: str,
        statement: str,
        value: float,
        *,
        measure: str,
        upper: float | None = None,
        lower: float | None = None,
        method: str,
        kind: str = "numeric",
        floor: float | None = None,
    ) -> None:
        """Record that a measured ``value`` lies below ``upper`` and/or above ``lower``.

        ``measure`` names what ``value`` is ("relative error", "KS p-value", ``"|z|"``); the ledger
        shows the bounds as written (up to 6 digits) and the value with two digits, or as many
        more as keep it apart from each bound and on its own side, or as a bound ``< floor``
        when ``floor`` is given (for a value at the level of rounding). A value within one part
        in 10^9 of its bound is a knife edge and fails: choose a bound that the mathematics, not
        the last bit, decides.
        """
        self._new(
            claim_id, statement, method, kind, ("numeric", "statistical", "instances", "sanity")
        )
        _text(measure, "measure")
        if upper is None and lower is None:
            raise ValueError("upper, lower: give at least one bound")
        upper = None if upper is None else real_scalar(upper, "upper")
        lower = None if lower is None else real_scalar(lower, "lower")
        if upper is not None and lower is not None and lower > upper:
            raise ValueError(f"upper, lower: the interval [{lower!r}, {upper!r}] is empty")
        value = real_scalar(value, "value")
        from scispaces.report import below

        shown_bounds = [_shortest(b) for b in (lower, upper)]
        holds = (upper is None or value <= upper) and (lower is None or value >= lower)
        shown = below(value, floor) if floor is not None else _beside(value, lower, upper)
        edge = any(
            b is not None and abs(value - b) <= 1e-9 * max(abs(b), 1e-300) for b in (upper, lower)
        )
        if upper is not None and lower is not None:
            tolerance = f"in [{shown_bounds[0]}, {shown_bounds[1]}]"
        else:
            tolerance = f"<= {shown_bounds[1]}" if upper is not None else f">= {shown_bounds[0]}"
        claim = Claim(
            claim_id,
            statement,
            kind,
            method,
            f"{measure} = {shown}" if floor is None else f"{measure} {shown}",
            tolerance,
            holds and not edge,
        )
        self._record(
            claim, detail="on a knife edge" if holds and edge else f"{measure} = {value!r}"
        )

    def statistical(
        self,
        claim_id: str,
        statement: str,
        estimate: Any,
        reference: Any,
        stderr: Any,
        *,
        method: str,
        z_max: float = 4.0,
    ) -> None:
        """Record that Monte Carlo ``estimate`` agrees with ``reference`` within ``z_max`` standard
        errors: ``|estimate - reference| <= z_max * stderr``, elementwise, with the z-score shown.
        """
        self._new(claim_id, statement, method, "statistical", ("statistical",))
        est, ref, err = broadcast(
            estimate=real_array(estimate, "estimate"),
            reference=real_array(reference, "reference"),
            stderr=real_array(stderr, "stderr"),
        )
        if est.size == 0:
            raise ValueError("estimate, reference, stderr: are empty; there is nothing to judge")
        if not (err > 0).all():
            raise ValueError("stderr: must be > 0")
        z_max = real_scalar(z_max, "z_max")
        if not z_max > 0:
            raise ValueError(f"z_max: must be > 0, got {z_max!r}")
        with np.errstate(over="ignore"):  # a difference beyond the float range: z = inf, fails
            z = (est - ref) / err
        worst = float(np.max(np.abs(z)))
        measure = f"|z| = {worst:.1f}" if z.size == 1 else f"max |z| = {worst:.1f} of {z.size}"
        claim = Claim(
            claim_id,
            statement,
            "statistical",
            method,
            measure,
            f"|z| <= {z_max:g}",
            worst <= z_max,
        )
        self._record(claim, detail=measure)

    def exact(
        self, claim_id: str, statement: str, holds: bool, method: str, kind: str = "instances"
    ) -> None:
        """Record a claim checked exactly (a count, a sign, an integer identity, a set equality)."""
        self._new(claim_id, statement, method, kind, tuple(KINDS))
        if not isinstance(holds, bool | np.bool_):
            raise TypeError(f"holds: expected a bool, got {type(holds).__name__}")
        claim = Claim(
            claim_id,
            statement,
            kind,
            method,
            "holds" if holds else "violated",
            "exact",
            bool(holds),
        )
        self._record(claim)

    # -- reading -----------------------------------------------------------------
    @property
    def passed(self) -> bool:
        return bool(self.claims) and all(c.passed for c in self.claims)

    def counts(self) -> dict[str, int]:
        """How many claims of each kind, in the order of :data:`KINDS`."""
        return {k: sum(c.kind == k for c in self.claims) for k in KINDS}

    def summary(self) -> str:
        """One line: the evidence by kind, and the checks that are not evidence."""
        counts = self.counts()
        evidence = sum(counts[k] for k in EVIDENCE)
        passed = sum(c.passed for c in self.claims if c.kind in EVIDENCE)
        kinds = ", ".join(f"{counts[k]} {k}" for k in EVIDENCE if counts[k])
        line = f"{passed} of {evidence} claims of evidence passed" + (
            f" ({kinds})" if kinds else ""
        )
        other = len(self.claims) - evidence
        if other:
            line += f"; {other} definitions and sanity checks, not counted"
        return line

    def to_json(self) -> dict[str, Any]:
        return {"chapter": self.chapter, "claims": [asdict(c) for c in self.claims]}

    @classmethod
    def from_json(cls, data: Any) -> Ledger:
        """A ledger from :meth:`to_json`'s form, refusing malformed or duplicate claims."""
        if not isinstance(data, Mapping) or set(data) != {"chapter", "claims"}:
            raise ValueError("data: expected an object with 'chapter' and 'claims'")
        if not isinstance(data["claims"], list):
            raise ValueError("data: 'claims' must be a list")
        try:
            ledger = cls(data["chapter"])
        except (TypeError, ValueError) as exc:
            raise ValueError(f"data: {exc}") from exc
        for i, item in enumerate(data["claims"]):
            claim = Claim.from_json(item, where=f"data['claims'][{i}]")
            if any(c.id == claim.id for c in ledger.claims):
                raise ValueError(f"data['claims'][{i}]: duplicate claim id {claim.id!r}")
            ledger.claims.append(claim)
        return ledger

    # -- rendering ---------------------------------------------------------------
    def __repr__(self) -> str:
        from scispaces.report import plain_math

        head = ("id", "kind", "claim", "method", "measured", "tolerance", "ok")
        rows = [
            (
                c.id,
                c.kind,
                plain_math(c.statement),
                plain_math(c.method),
                c.measured,
                c.tolerance,
                "yes" if c.passed else "NO",
            )
            for c in self.claims
        ]
        widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]
        lines = [f"Claims ledger: {self.chapter} ({self.summary()})"]
        lines += [
            "  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)).rstrip()
            for r in [head, *rows]
        ]
        return "\n".join(lines)

    def to_html(self) -> str:
        """The ledger as an HTML table; inline math ``$...$`` is typeset by MathJax on the site."""
        from scispaces.report import html_math

        def row(c: Claim) -> str:
            mark = "&#10003;" if c.passed else "&#10007;"
            return (
                f'<tr class="kind-{c.kind}">'
                f'<td data-label="claim">{html_math(c.statement)}'
                f'<br><code class="claim-id">{html.escape(c.id)}</code></td>'
                f'<td data-label="evidence"><span class="evidence">{c.kind}</span></td>'
                f'<td data-label="how checked">{html_math(c.method)}</td>'
                f'<td data-label="measured">{html_math(c.measured)}</td>'
                f'<td data-label="tolerance">{html_math(c.tolerance)}</td>'
                f'<td data-label="pass" class="pass">{mark}</td></tr>'
            )

        return (
            '<table class="scispaces-ledger mathjax_process">'
            f"<caption>Claims ledger: {html.escape(self.summary())}</caption>"
            "<thead><tr><th>claim</th><th>evidence</th><th>how it was checked</th>"
            "<th>measured</th><th>tolerance</th><th>pass</th></tr></thead>"
            f"<tbody>{''.join(row(c) for c in self.claims)}</tbody></table>"
        )

    def _repr_mimebundle_(
        self, include=None, exclude=None
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        data = {"text/plain": repr(self), "text/html": self.to_html()}
        return data, {LEDGER_METADATA_KEY: self.to_json()}


def load_ledger(notebook: str | Path) -> Ledger:
    """The ledger a stored, executed chapter notebook displayed last.

    Raises ``TypeError`` if ``notebook`` is not a path, and ``ValueError`` naming the notebook
    if it cannot be read, displayed no ledger, or stored a malformed one.
    """
    if not isinstance(notebook, str | Path):
        raise TypeError(f"notebook: expected a path, got {type(notebook).__name__}")
    try:
        nb = json.loads(Path(notebook).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"notebook {notebook}: cannot be read as a notebook: {exc}") from exc

    def items(parent: Any, key: str) -> list[Any]:  # a list of dicts, whatever the file holds
        value = parent.get(key) if isinstance(parent, dict) else None
        return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []

    found = [
        out["metadata"][LEDGER_METADATA_KEY]
        for cell in items(nb, "cells")
        if cell.get("cell_type") == "code"
        for out in items(cell, "outputs")
        if isinstance(out.get("metadata"), dict) and LEDGER_METADATA_KEY in out["metadata"]
    ]
    if not found:
        raise ValueError(f"notebook {notebook}: displays no claims ledger")
    try:
        return Ledger.from_json(found[-1])
    except ValueError as exc:
        raise ValueError(f"notebook {notebook}: its stored ledger is malformed: {exc}") from exc
