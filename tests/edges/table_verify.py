"""Edge table of scispaces.verify: a claim must never read as passed when it was not checked.

References: a proved identity is re-checked numerically at sample points (30 digits); a numeric
comparison is recomputed exactly with fractions; a recorded claim must agree with the exception
the ledger raised (``AssertionError`` is the documented way a false claim stops a notebook).
"""

from __future__ import annotations

import json
import math
import tempfile
from fractions import Fraction
from functools import cache
from pathlib import Path

import numpy as np
import sympy as sp

from edges import Case, Fresh, Row, any_, case, choice, count, flag, real, sympy, text
from scispaces.verify import KINDS, LEDGER_METADATA_KEY, Claim, Ledger

MODULE = "scispaces.verify"

x = sp.Symbol("x")
z = sp.Symbol("z")


# ------------------------------------------------------------------------------ references


def _points(expr):
    """A few sample points for the free symbols, respecting sign and integer assumptions."""
    symbols = sorted(expr.free_symbols, key=lambda s: s.name)
    for values in ((0.37, 2), (1.3, 3), (2.1, 5)):
        point = {}
        for s in symbols:
            v = sp.Integer(values[1]) if s.is_integer else sp.Float(values[0])
            point[s] = -v if s.is_negative or s.is_nonpositive else v
        yield point


def _sound(result, lhs, rhs, assumptions):
    """A 'proved' verdict is true at sample points; any verdict is one of the three."""
    assert result.verdict in ("proved", "false", "undecided"), result.verdict
    assert result.passed is (result.verdict == "proved")
    if result.verdict != "proved":
        return
    left, right = sp.sympify(lhs), sp.sympify(rhs)
    subs = {s: sp.Symbol(s.name, **facts) for s, facts in (assumptions or {}).items()}
    pairs = zip(left, right, strict=True) if isinstance(left, sp.MatrixBase) else [(left, right)]
    for a, b in pairs:
        diff = (sp.sympify(a) - sp.sympify(b)).xreplace(subs)
        for point in _points(diff):
            value = complex(sp.N(diff.subs(point), 30)) if not diff.atoms(sp.Function) else 0
            assert not math.isfinite(abs(value)) or abs(value) < 1e-20, f"proved, but {value}"


def _exact_close(actual, desired, rtol, atol):
    """Whether |actual - desired| <= atol + rtol |desired| everywhere, exactly (None: too close to call)."""
    a, d = np.broadcast_arrays(np.asarray(actual), np.asarray(desired))
    verdicts = []
    for u, v in zip(a.ravel().tolist(), d.ravel().tolist(), strict=True):
        u, v = complex(u), complex(v)
        if u == v:
            verdicts.append(True)
            continue
        if not all(math.isfinite(t) for t in (u.real, u.imag, v.real, v.imag)):
            verdicts.append(False)
            continue
        fr = [Fraction(t) for t in (u.real, u.imag, v.real, v.imag)]
        err2 = (fr[0] - fr[2]) ** 2 + (fr[1] - fr[3]) ** 2
        bound2 = (Fraction(atol) + Fraction(rtol) * Fraction(abs(v))) ** 2
        if abs(err2 - bound2) <= Fraction(1, 10**8) * bound2:
            return None  # on the edge: the float computation may decide either way
        verdicts.append(err2 <= bound2)
    return all(verdicts)


def _numeric(result, actual, desired, rtol, atol):
    assert type(result).__name__ == "NumericResult"  # (of the version under test)
    want = _exact_close(actual, desired, float(rtol), float(atol))
    assert want is None or result.passed is want, f"passed={result.passed}, exactly {want}"


def _recorded(result, self, claim_id, **args):
    """The claim is in the ledger, and it passed exactly when no AssertionError was raised."""
    claim = self.claims[-1]
    assert claim.id == claim_id and claim.kind in KINDS
    assert claim.passed is (not isinstance(result, AssertionError)), (claim, result)


def _numeric_claim(result, self, claim_id, actual, desired, rtol, atol, rounding, **args):
    _recorded(result, self, claim_id)
    want = _exact_close(actual, desired, float(rtol), float(atol))
    if want is False:
        assert not self.claims[-1].passed, "a claim outside its tolerance passed"


def _bound_claim(result, self, claim_id, value, upper, lower, **args):
    _recorded(result, self, claim_id)
    inside = (upper is None or value <= upper) and (lower is None or value >= lower)
    if not inside:
        assert not self.claims[-1].passed, "a value outside its bounds passed"


def _statistical_claim(result, self, claim_id, estimate, reference, stderr, z_max, **args):
    _recorded(result, self, claim_id)
    with np.errstate(all="ignore"):
        z = np.abs(
            (np.asarray(estimate, float) - np.asarray(reference, float)) / np.asarray(stderr, float)
        )
    if (z > float(z_max) * (1 + 1e-9)).any():
        assert not self.claims[-1].passed, "an estimate beyond z_max standard errors passed"


def _exact_claim(result, self, claim_id, holds, **args):
    _recorded(result, self, claim_id)
    assert self.claims[-1].passed is bool(holds)


def _symbolic_claim(result, self, claim_id, lhs, rhs, assumptions, **args):
    _recorded(result, self, claim_id)
    if self.claims[-1].passed:
        from scispaces.verify import symbolic_equal

        _sound(symbolic_equal(lhs, rhs, assumptions), lhs, rhs, assumptions)


# ------------------------------------------------------------------------------ inputs


def _ledger(module=None) -> Ledger:
    """A ledger holding one claim of each kind of outcome, and the id 'existing'."""
    ledger = (module.Ledger if module else Ledger)("edge")
    ledger.exact("existing", "1 + 1 = 2 in $\\mathbb{Z}$", True, "integer arithmetic")
    ledger.numeric("num", "two sums agree & <b>", [1.0, 2.0], [1.0, 2.0], rtol=1e-12)
    ledger.exact("def", "a definition", True, "by definition", kind="definition")
    return ledger


CLAIM = {
    "id": "c",
    "statement": "$x < 1$ & <b>",
    "kind": "numeric",
    "method": "NumPy",
    "measured": "rel < 1e-13",
    "tolerance": "rtol 1e-12",
    "passed": True,
}


def _with(**changes):
    return {**CLAIM, **changes}


def _ledger_json(**changes):
    return {**_ledger().to_json(), **changes}


@cache
def _folder() -> Path:
    return Path(tempfile.mkdtemp(prefix="scispaces-edges-"))


def _file(name: str, content: str | bytes) -> Path:
    path = _folder() / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def _notebook(*outputs) -> str:
    cell = {"cell_type": "code", "source": "ledger", "metadata": {}, "outputs": list(outputs)}
    return json.dumps({"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 5})


def _display(data) -> dict:
    return {
        "output_type": "display_data",
        "data": {"text/plain": "ledger"},
        "metadata": {LEDGER_METADATA_KEY: data},
    }


def _valid_notebook() -> Path:
    return _file("valid.ipynb", _notebook(_display(_ledger().to_json())))


def _file_case(label, name, content, expect="refuse"):
    return Case(label, lambda: _file(name, content), expect)


_BAD_CLAIMS = (
    case("None", None, "refuse"),
    case("list", [CLAIM], "refuse"),
    case("passed as a str", _with(passed="false"), "refuse"),
    case("passed as an int", _with(passed=0), "refuse"),
    case("numpy bool", _with(passed=np.bool_(True)), "refuse"),
    case("missing field", {k: v for k, v in CLAIM.items() if k != "method"}, "refuse"),
    case("extra field", _with(extra="x"), "refuse"),
    case("unknown kind", _with(kind="proven"), "refuse"),
    case("id not a str", _with(id=3), "refuse"),
    case("empty id", _with(id=""), "refuse"),
    case("non-str keys", {**CLAIM, 1: "x"}, "refuse"),
)

_ASSUMPTIONS = (
    case("None", None, "either"),
    case("empty", {}, "either"),
    case("misspelled key", {x: {"postive": True}}, "refuse"),
    case("symbol as a str", {"x": {"positive": True}}, "refuse"),
    case("facts not a dict", {x: True}, "refuse"),
    case("fact as a str", {x: {"positive": "yes"}}, "refuse"),
    case("numpy bool fact", {x: {"positive": np.bool_(True)}}, "either"),
    case("contradiction", {x: {"positive": True, "negative": True}}, "refuse"),
    case("symbol not in the identity", {z: {"positive": True}}, "either"),
    case("a list", [(x, {"real": True})], "refuse"),
    case("a str", "positive", "refuse"),
)

IDENTITY = {"lhs": sympy(sp.sin(x) ** 2 + sp.cos(x) ** 2), "rhs": sympy(sp.Integer(1))}
CLAIM_ID = text("new", extra=(case("duplicate", "existing", "refuse"),))


ROWS = [
    Row(
        "SymbolicResult",
        {
            "verdict": choice("proved", ("proved", "false", "undecided")),
            "method": text("simplify"),
            "detail": text(""),
        },
    ),
    Row(
        "symbolic_equal",
        {**IDENTITY, "assumptions": any_({x: {"real": True}}, extra=_ASSUMPTIONS)},
        check=_sound,
    ),
    Row(
        "NumericResult",
        {
            "passed": flag(True),
            "max_abs_error": real(1e-13, supports=("inf",)),  # inf: a non-finite mismatch
            "max_rel_error": real(5e-14, supports=("inf",)),
            "rtol": real(1e-12),
            "atol": real(0.0),
            "size": count(2),
        },
        examples=0,  # a record of measured numbers: the battery covers its types and signs
    ),
    Row(
        "NumericResult.describe",
        {},
        instance=lambda m: m.NumericResult(True, 1e-13, 5e-14, 1e-12, 0.0, 2),
    ),
    Row(
        "NumericResult.tolerance",
        {},
        instance=lambda m: m.NumericResult(False, 1.0, 0.5, 0.0, 1e-3, 4),
    ),
    Row(
        "numeric_close",
        {
            # NaN and inf are values to compare here (NaN never passes; equal infinities do)
            "actual": real(
                [1.0, 2.0 + 1e-13], supports=("nan", "inf", "-inf", "nan in a list", "complex")
            ),
            "desired": real(
                [1.0, 2.0], supports=("nan", "inf", "-inf", "nan in a list", "complex")
            ),
            "rtol": real(1e-12),
            "atol": real(0.0),
        },
        check=_numeric,
        broadcast=("actual", "desired"),
    ),
    Row(
        "Claim",
        {
            "id": text("c"),
            "statement": text("a claim"),
            "kind": choice("numeric", tuple(KINDS)),
            "method": text("NumPy"),
            "measured": text("rel < 1e-13"),
            "tolerance": text("rtol 1e-12"),
            "passed": flag(True),
        },
    ),
    Row(
        "Claim.from_json",
        {"data": any_(CLAIM, extra=_BAD_CLAIMS), "where": text("data")},
        check=lambda result, data, where: result == Claim(**data) or _fail("not the claim given"),
    ),
    Row("Ledger", {"chapter": text("random_angles")}),
    Row(
        "Ledger.symbolic",
        {
            "claim_id": CLAIM_ID,
            "statement": text("$\\sin^2 x + \\cos^2 x = 1$"),
            **IDENTITY,
            "assumptions": any_(None, extra=_ASSUMPTIONS),
            "kind": choice(None, ("proof", "instances", "definition", "sanity")),
        },
        instance=_ledger,
        legit=(AssertionError,),
        check=_symbolic_claim,
    ),
    Row(
        "Ledger.numeric",
        {
            "claim_id": CLAIM_ID,
            "statement": text("library = reference"),
            "actual": real([1.0, 2.0], supports=("nan", "inf", "-inf", "nan in a list", "complex")),
            "desired": real(
                [1.0, 2.0 + 1e-15], supports=("nan", "inf", "-inf", "nan in a list", "complex")
            ),
            "rtol": real(1e-12),
            "atol": real(0.0),
            "method": text("NumPy"),
            "rounding": flag(True),
            "kind": choice("numeric", ("numeric", "sanity")),
        },
        instance=_ledger,
        legit=(AssertionError,),
        check=_numeric_claim,
        broadcast=("actual", "desired"),
    ),
    Row(
        "Ledger.bound",
        {
            "claim_id": CLAIM_ID,
            "statement": text("the sample follows the law"),
            "value": real(0.5),
            "measure": text("KS p-value"),
            "upper": real(1.0, supports=("None",), extra=(case("below lower", -1.0, "refuse"),)),
            "lower": real(1e-3, supports=("None",)),
            "method": text("scipy.stats.kstest"),
            "kind": choice("statistical", ("numeric", "statistical", "instances", "sanity")),
            "floor": real(1e-3, supports=("None",)),
        },
        instance=_ledger,
        legit=(AssertionError,),
        check=_bound_claim,
    ),
    Row(
        "Ledger.statistical",
        {
            "claim_id": CLAIM_ID,
            "statement": text("Monte Carlo mean = exact mean"),
            "estimate": real([0.51, 0.49]),
            "reference": real(0.5),
            "stderr": real(0.01),
            "method": text("$10^4$ samples, seed 0"),
            "z_max": real(4.0),
        },
        instance=_ledger,
        legit=(AssertionError,),
        check=_statistical_claim,
        broadcast=("estimate", "reference", "stderr"),
    ),
    Row(
        "Ledger.exact",
        {
            "claim_id": CLAIM_ID,
            "statement": text("every sample lies in $[0, \\pi]$"),
            "holds": flag(True),
            "method": text("count over $10^4$ samples"),
            "kind": choice("instances", tuple(KINDS)),
        },
        instance=_ledger,
        legit=(AssertionError,),
        check=_exact_claim,
    ),
    Row("Ledger.counts", {}, instance=_ledger, check=lambda result, self: _counts(result, self)),
    Row("Ledger.summary", {}, instance=_ledger, check=lambda result, self: _summary(result)),
    Row(
        "Ledger.to_json",
        {},
        instance=_ledger,
        check=lambda result, self: (
            Ledger.from_json(json.loads(json.dumps(result))).to_json() == result
            or _fail("not a round trip")
        ),
    ),
    Row("Ledger.to_html", {}, instance=_ledger, check=lambda result, self: _html(result)),
    Row(
        "Ledger.from_json",
        {
            "data": any_(
                _ledger().to_json(),
                extra=(
                    case("None", None, "refuse"),
                    case("list", [], "refuse"),
                    case("no claims", {"chapter": "edge"}, "refuse"),
                    case("empty chapter", _ledger_json(chapter=""), "refuse"),
                    case("chapter not a str", _ledger_json(chapter=3), "refuse"),
                    case("claims not a list", _ledger_json(claims={}), "refuse"),
                    case("no claim", _ledger_json(claims=[]), "either"),
                    case("duplicate ids", _ledger_json(claims=[CLAIM, CLAIM]), "refuse"),
                    *(
                        case(f"claim {c.label}", _ledger_json(claims=[c.make()]), "refuse")
                        for c in _BAD_CLAIMS
                    ),
                    case("extra key", _ledger_json(title="x"), "refuse"),
                ),
            )
        },
        check=lambda result, data: result.to_json() == data or _fail("not the ledger given"),
    ),
    Row(
        "load_ledger",
        {
            "notebook": any_(
                Fresh(_valid_notebook),
                extra=(
                    Case("str path", lambda: str(_valid_notebook()), "either"),
                    case("None", None, "refuse"),
                    case("int", 3, "refuse"),
                    Case("missing file", lambda: _folder() / "missing.ipynb", "refuse"),
                    Case("a folder", _folder, "refuse"),
                    _file_case("binary", "binary.ipynb", b"\xff\xfe\x00\x01"),
                    _file_case("broken JSON", "broken.ipynb", '{"cells": ['),
                    _file_case("a JSON list", "list.ipynb", "[]"),
                    _file_case("no ledger", "none.ipynb", _notebook()),
                    _file_case(
                        "metadata None",
                        "meta.ipynb",
                        _notebook({"output_type": "display_data", "metadata": None}),
                    ),
                    _file_case(
                        "outputs None",
                        "outs.ipynb",
                        json.dumps({"cells": [{"cell_type": "code", "outputs": None}]}),
                    ),
                    _file_case("cells a dict", "cells.ipynb", json.dumps({"cells": {"a": 1}})),
                    _file_case(
                        "passed as a str",
                        "str.ipynb",
                        _notebook(_display(_ledger_json(claims=[_with(passed="false")]))),
                    ),
                    _file_case(
                        "duplicate ids",
                        "dup.ipynb",
                        _notebook(_display(_ledger_json(claims=[CLAIM, CLAIM]))),
                    ),
                    _file_case("ledger a list", "llist.ipynb", _notebook(_display([1, 2]))),
                ),
            )
        },
        check=lambda result, notebook: (
            result.to_json() == _ledger().to_json() or _fail("not the stored ledger")
        ),
    ),
]


def _fail(message):
    raise AssertionError(message)


def _counts(result, ledger):
    assert list(result) == list(KINDS) and sum(result.values()) == len(ledger.claims)


def _summary(result):
    assert result.startswith("2 of 2 claims of evidence passed"), result


def _html(result):
    assert "<b>" not in result and "&amp; &lt;b&gt;" in result, "a statement is not escaped"
    assert result.count("<tr") == 4  # the head and three claims
