"""The argument kinds and the battery of bad and extreme inputs generated for each.

Each ``battery(arg)`` returns :class:`~edges.core.Case` objects built from the argument's valid
value, so the cases fit the argument (an array argument gets arrays with one value spoiled).
``refuse`` cases are not values of the kind (None, strings, NaN, dates, ragged lists, ...): they
must raise a named error unless the argument lists their label in ``supports``. ``either`` cases
are values of the kind at its extremes (zero, negative, 1e308, 5e-324, Python ints beyond 2**64,
float32 and long double, 0-d, read-only and strided arrays): a named error or a correct result.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from hypothesis import strategies as st

from edges.core import Arg, Boom, Case, case

KINDS = (
    "real",
    "real_array",
    "whole",
    "count",
    "seed",
    "flag",
    "text",
    "choice",
    "function",
    "sympy",
    "any",
)


def _readonly(value: Any) -> np.ndarray:
    out = np.array(value, dtype=float)
    out.flags.writeable = False
    return out


def _strided(a: np.ndarray) -> np.ndarray:
    """The same values as a non-contiguous view (every other element of a doubled array)."""
    if a.ndim == 0:
        a = np.full(3, a)
    return np.stack([a, a], axis=-1)[..., 0]


def _spoil(v: Any, value: Any) -> Any:
    """``value`` itself for a scalar argument; for an array, a copy with its last entry replaced."""
    a = np.asarray(v)
    if a.ndim == 0:
        return value
    out = a.astype(np.result_type(a.dtype, np.asarray(value).dtype, float), copy=True)
    out.flat[-1] = value
    return out


def _with_last(v: Any, value: Any) -> list[Any]:
    """A nested list of ``v``'s values with the last one replaced by ``value`` (any Python object)."""
    a = np.asarray(v, dtype=float)
    flat = [float(x) for x in (a.ravel() if a.ndim else np.full(2, a))]
    flat[-1] = value
    return flat if a.ndim <= 1 else np.array(flat, dtype=object).reshape(a.shape).tolist()


def _not_values() -> list[Case]:
    """Inputs that are not numbers at all."""
    return [
        case("None", None, "refuse"),
        case("str", "1.5", "refuse"),
        case("bytes", b"1", "refuse"),
        case("object", object(), "refuse"),
    ]


def _real(arg: Arg) -> list[Case]:
    v = arg.valid
    a = np.asarray(v, dtype=float)
    x = float(a.flat[-1]) if a.size else 1.0
    scalar = a.ndim == 0
    cases = [
        *_not_values(),
        case("bool", True if scalar else a > 0, "refuse"),
        case("complex", complex(x, 1) if scalar else a + 1j, "refuse"),
        case("timedelta64", np.timedelta64(3, "s") if scalar else a.astype("m8[s]"), "refuse"),
        case(
            "datetime64",
            np.datetime64("2020-01-01")
            if scalar
            else np.full(a.shape, np.datetime64("2020-01-01")),
            "refuse",
        ),
        case("nan", _spoil(v, np.nan), "refuse"),
        case("inf", _spoil(v, np.inf), "refuse"),
        case("-inf", _spoil(v, -np.inf), "refuse"),
        case("nan in a list", _with_last(v, np.nan), "refuse"),
        case("str in a list", _with_last(v, "1"), "refuse"),
        case("None in a list", _with_last(v, None), "refuse"),
        case("ragged", [[x, x], [x]] if scalar else [list(a.ravel()), [x]], "refuse"),
        case("empty", np.array([]), "refuse"),
        case("long double beyond float64", _spoil(v, np.longdouble("1e400")), "either"),
        case("zero", 0.0 if scalar else np.zeros_like(a), "either"),
        case("negative", -abs(x) if x else -1.0 if scalar else _spoil(v, -abs(x) - 1), "either"),
        case("1e308", _spoil(v, 1e308), "either"),
        case("-1e308", _spoil(v, -1e308), "either"),
        case("5e-324", _spoil(v, 5e-324), "either"),
        case("-5e-324", _spoil(v, -5e-324), "either"),
        case("int 2**64", 2**64 if scalar else _with_last(v, 2**64), "either"),
        case("int -2**64", -(2**64) if scalar else _with_last(v, -(2**64)), "either"),
        case("int 10**400", 10**400 if scalar else _with_last(v, 10**400), "either"),
        case("float32", a.astype(np.float32) if not scalar else np.float32(x), "either"),
        case("float16", a.astype(np.float16) if not scalar else np.float16(x), "either"),
        case("long double", a.astype(np.longdouble) if not scalar else np.longdouble(x), "either"),
        case("int64", np.round(a).astype(np.int64) if not scalar else np.int64(round(x)), "either"),
        case("0-d array", np.array(x), "either"),
        case("1-element array", np.array([x]), "either"),
        case("2-d array", np.full((2, 3), x) if scalar else np.stack([a, a]), "either"),
        case("read-only array", _readonly(np.full(3, x) if scalar else a), "either"),
        Case("strided array", lambda: _strided(a.copy()), "either"),
        case("list", [x, x, x] if scalar else a.tolist(), "either"),
    ]
    if scalar:
        cases.append(case("float", x, "either"))
    return cases


def _whole(arg: Arg) -> list[Case]:
    v = arg.valid
    a = np.asarray(v, dtype=float)
    x = float(a.flat[-1])
    return [
        *_real(arg),
        case("not whole", _spoil(v, x + 0.5), "refuse"),
        case("2**53 + 1", 2**53 + 1 if a.ndim == 0 else _with_last(v, 2**53 + 1), "either"),
        case("-1", _spoil(v, -1.0), "either"),
        case("1", _spoil(v, 1.0), "either"),
    ]


def _count(arg: Arg) -> list[Case]:
    n = arg.valid
    return [
        *_not_values(),
        case("bool", True, "refuse"),
        case("float", float(n) + 0.5, "refuse"),
        case("whole float", float(n), "either"),
        case("complex", complex(n, 0), "refuse"),
        case("nan", np.nan, "refuse"),
        case("timedelta64", np.timedelta64(n, "s"), "refuse"),
        case("zero", 0, "either"),
        case("-1", -1, "either"),
        case("1", 1, "either"),
        case("2**40", 2**40, "either"),
        case("2**64", 2**64, "either"),
        case("int64", np.int64(n), "either"),
        case("uint8", np.uint8(min(n, 255)), "either"),
        case("0-d array", np.array(n), "either"),
        case("list", [n], "either"),
    ]


def _seed(arg: Arg) -> list[Case]:
    return [
        *[c for c in _not_values() if c.label != "None"],
        case("-1", -1, "refuse"),
        case("str", "abc", "refuse"),
        case("2.5", 2.5, "refuse"),
        case("bool", True, "refuse"),
        case("nan", np.nan, "refuse"),
        case("None", None, "either"),
        case("zero", 0, "either"),
        case("2**64", 2**64, "either"),
        case("2**128", 2**128, "either"),
        case("int64", np.int64(5), "either"),
        Case("Generator", lambda: np.random.default_rng(1), "either"),
        case("list", [1, 2], "either"),
    ]


def _flag(arg: Arg) -> list[Case]:
    v = bool(arg.valid)
    return [
        case("None", None, "refuse"),
        case("str 'False'", "False", "refuse"),
        case("str", "yes", "refuse"),
        case("2", 2, "refuse"),
        case("0.5", 0.5, "refuse"),
        case("nan", np.nan, "refuse"),
        case("other value", not v, "either"),
        case("numpy bool", np.bool_(v), "either"),
        case("int 1", 1, "either"),
        case("int 0", 0, "either"),
    ]


def _text(arg: Arg) -> list[Case]:
    return [
        case("None", None, "refuse"),
        case("int", 3, "refuse"),
        case("bytes", b"abc", "refuse"),
        case("list", ["abc"], "refuse"),
        case("empty", "", "either"),
        case("blank", "   ", "either"),
        case("unicode", "é α 中文 $x^2$", "either"),
        case("HTML", "<script>alert(1)</script> & <b>", "either"),
        case("lone dollar", "costs $5", "either"),
        case("newline", "a\nb", "either"),
        case("NUL", "a\x00b", "either"),
        case("long", "x" * 10_000, "either"),
    ]


def _choice(arg: Arg) -> list[Case]:
    v = arg.valid
    cases = [
        case("int", 3, "refuse"),
        case("unknown", "bogus", "refuse"),
        case("padded", f" {v} ", "refuse"),
    ]
    if v is not None:  # None may be the default (a kind inferred from the claim)
        cases.append(case("None", None, "refuse"))
    if isinstance(v, str) and v.upper() != v:
        cases.append(case("upper case", v.upper(), "refuse"))
    cases += [case(f"choice {c!r}", c, "either") for c in arg.choices if c != v]
    return cases


def _wrap(valid: Callable[..., Any], spoil: Callable[[Any], Any]) -> Callable[..., Any]:
    def fn(*args: Any, **kwargs: Any) -> Any:
        return spoil(valid(*args, **kwargs))

    return fn


def _wrong_shape(out: Any) -> np.ndarray:
    flat = np.ravel(np.asarray(out))
    return np.append(flat, flat[:1]) if flat.size else np.zeros(1)


def _one_nan(out: Any) -> np.ndarray:
    spoilt = np.array(out, dtype=complex if np.iscomplexobj(out) else float)
    spoilt.flat[-1] = np.nan
    return spoilt


def _raises(*args: Any, **kwargs: Any) -> Any:
    raise Boom("the user's function failed")


def _function(arg: Arg) -> list[Case]:
    f = arg.valid
    return [
        case("None", None, "refuse"),
        case("str", "abc", "refuse"),
        case("number", 3.0, "refuse"),
        case("wrong shape", _wrap(f, _wrong_shape), "refuse"),
        case("returns NaN", _wrap(f, lambda out: np.full(np.shape(out), np.nan)), "refuse"),
        case("returns one NaN", _wrap(f, _one_nan), "refuse"),
        case("returns inf", _wrap(f, lambda out: np.full(np.shape(out), np.inf)), "refuse"),
        case("returns None", _wrap(f, lambda out: None), "refuse"),
        case("returns str", _wrap(f, lambda out: "abc"), "refuse"),
        case("raises", _raises, "either"),
        case("returns a list", _wrap(f, lambda out: np.asarray(out).tolist()), "either"),
        case("returns float32", _wrap(f, _single), "either"),
        case("returns read-only", _wrap(f, lambda out: _frozen(out)), "either"),
    ]


def _single(out: Any) -> np.ndarray:
    return np.asarray(out).astype(np.complex64 if np.iscomplexobj(out) else np.float32)


def _frozen(out: Any) -> np.ndarray:
    a = np.array(out)
    a.flags.writeable = False
    return a


def _sympy(arg: Arg) -> list[Case]:
    import sympy as sp

    z = sp.Symbol("z")
    return [
        case("None", None, "refuse"),
        case("str", "z + 1", "refuse"),
        case("unparsable str", "((", "refuse"),
        case("object", object(), "refuse"),
        case("float nan", float("nan"), "either"),
        case("sympy nan", sp.nan, "either"),
        case("zoo", sp.zoo, "either"),
        case("oo", sp.oo, "either"),
        case("big int", 2**200, "either"),
        case("float", 1.5, "either"),
        case("complex", 1 + 2j, "either"),
        case("symbol", z, "either"),
        case("matrix", sp.Matrix([[z, 1]]), "either"),
        case("numpy array", np.array([1.0, 2.0]), "either"),
        case("unevaluated integral", sp.Integral(z, (z, 0, 1)), "either"),
        case("undefined function", sp.Function("f")(z), "either"),
    ]


_BATTERIES: dict[str, Callable[[Arg], list[Case]]] = {
    "real": _real,
    "real_array": _real,
    "whole": _whole,
    "count": _count,
    "seed": _seed,
    "flag": _flag,
    "text": _text,
    "choice": _choice,
    "function": _function,
    "sympy": _sympy,
    "any": lambda arg: [],
}


def battery(arg: Arg) -> list[Case]:
    """The cases for one argument: its kind's battery, minus skips, plus its own extras.

    A label in ``supports`` turns that refused case into one that must give a correct result.
    """
    if arg.kind not in _BATTERIES:
        raise ValueError(f"kind: must be one of {', '.join(KINDS)}, got {arg.kind!r}")
    cases = [c for c in _BATTERIES[arg.kind](arg) if c.label not in arg.skip]
    unknown = (set(arg.supports) | set(arg.skip)) - {c.label for c in _BATTERIES[arg.kind](arg)}
    unknown -= {c.label for c in arg.extra}
    if unknown:
        raise ValueError(f"supports/skip: no case labelled {sorted(unknown)} for kind {arg.kind}")
    cases = [Case(c.label, c.make, "result") if c.label in arg.supports else c for c in cases]
    return cases + list(arg.extra)


def strategy(arg: Arg) -> st.SearchStrategy[Any]:
    """Random valid-typed values of the argument's kind, over the whole range (Hypothesis)."""
    if arg.strategy is not None:
        return arg.strategy
    v = arg.valid
    if arg.kind in ("real", "whole") and np.ndim(v) == 0:
        floats = st.floats(allow_nan=False, allow_infinity=False)
        ints = st.integers(-(2**70), 2**70)
        if arg.kind == "whole":
            return st.one_of(ints, floats.map(lambda f: float(round(f))))
        return st.one_of(floats, ints, st.sampled_from([0.0, float(v), -float(v)]))
    if arg.kind == "count":
        return st.integers(-2, max(64, 4 * int(v)))
    if arg.kind == "seed":
        return st.one_of(st.none(), st.integers(0, 2**70))
    if arg.kind == "flag":
        return st.booleans()
    if arg.kind == "text":
        return st.text(max_size=40)
    if arg.kind == "choice":
        return st.sampled_from(arg.choices or (v,))
    return st.just(v).map(lambda x: _fresh_value(x))


def _fresh_value(x: Any) -> Any:
    from edges.core import _fresh

    return _fresh(x)
