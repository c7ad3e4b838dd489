"""The edge harness: rows, the judge of one call, and the completeness rule.

A *row* names one public function (or method) of a ``scispaces`` module and gives each of its
arguments a *kind* and a valid value (:class:`Arg`). The harness calls the function once with the
valid values (the baseline, which must give a correct result) and then once per battery case,
replacing one argument at a time by a bad or extreme value of its kind (see :mod:`edges.kinds`).
Every call is judged (:func:`judge`) into one outcome class:

``result``          a result that passed the row's check (finite numbers by default);
``named error``     ``ValueError``/``TypeError`` whose message starts with the argument's name;
``silent``          a non-finite or wrong result, or garbage input accepted without a word;
``warning``         a warning escaped (warnings are turned into errors during the call);
``unclear error``   any other exception, or a ValueError/TypeError that does not name the argument;
``mutated``         an input array or list was changed by the call;
``hang``            the call ran past the time budget (a hang guard, not a speed test).

A case either must be refused (``expect="refuse"``: a named error; a result counts as silent),
or may give either a named error or a correct result (``expect="either"``). An argument can
declare a refused case as supported (``supports=("empty",)``): then it must give a correct result.
"""

from __future__ import annotations

import copy
import importlib
import inspect
import pkgutil
import re
import resource
import signal
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

OUTCOMES = ("result", "named error", "silent", "warning", "unclear error", "mutated", "hang")
BUDGET = 60.0  # seconds per call: a guard against hangs only
MEMORY = 2 << 30  # bytes of address space a call may add (a huge allocation fails fast)

# Modules whose owners have not enrolled them yet: an owner deletes the module's line in the
# commit that adds tests/edges/table_<module>.py. test_every_module_enrolled fails while this
# set is not empty, so no module stays pending past the session that added it (see README.md).
PENDING: set[str] = set()


class Boom(Exception):
    """The error a misbehaving callable raises: propagating it unchanged is a legitimate outcome."""


@dataclass(frozen=True)
class Case:
    """One input of a battery: ``make()`` builds a fresh value for each call."""

    label: str
    make: Callable[[], Any]
    expect: str = "either"  # "refuse", "either" or "result"

    def __post_init__(self) -> None:
        if self.expect not in ("refuse", "either", "result"):
            raise ValueError(f"expect: must be refuse, either or result, got {self.expect!r}")


def case(label: str, value: Any, expect: str = "either") -> Case:
    """A :class:`Case` holding ``value``; each call gets a deep copy (arrays keep their flags)."""
    return Case(label, lambda: _fresh(value), expect)


@dataclass(frozen=True)
class Fresh:
    """A valid value that must be built for each call (a file, a ledger): ``Fresh(make)``."""

    make: Callable[[], Any]


def _fresh(value: Any) -> Any:
    if isinstance(value, Fresh):
        return value.make()
    if isinstance(value, np.ndarray) and not value.flags.writeable:
        out = value.copy()
        out.flags.writeable = False
        return out
    try:
        return copy.deepcopy(value)
    except Exception:  # objects that cannot be copied are passed as they are
        return value


@dataclass
class Arg:
    """An argument of a row: its kind, a valid value, and what the battery should know about it.

    ``supports``  labels of refused cases that this argument accepts (each must then give a
                  correct result), e.g. ``("empty",)``;
    ``extra``     cases of its own (:func:`case`), added to the kind's battery;
    ``skip``      label -> reason, for a battery case that does not apply (say why);
    ``aliases``   other names an error message may use for this argument;
    ``choices``   the allowed values of a ``choice`` argument;
    ``strategy``  a Hypothesis strategy for random valid-typed values (default: from the kind).
    """

    kind: str
    valid: Any
    supports: tuple[str, ...] = ()
    extra: tuple[Case, ...] = ()
    skip: Mapping[str, str] = field(default_factory=dict)
    aliases: tuple[str, ...] = ()
    choices: tuple[Any, ...] = ()
    strategy: Any = None


@dataclass
class Row:
    """One public function or method and the kinds of its arguments.

    ``name``       ``"solve_cubic"``, ``"Table"`` (the constructor) or ``"Ledger.numeric"``;
    ``args``       parameter name -> :class:`Arg`, one per parameter of the signature
                   (``*parts`` is given as a tuple, ``**arrays`` as a dict);
    ``check``      ``check(result, **args)`` raises ``AssertionError`` if the result is wrong
                   (``close(reference)`` builds one); without it, every number must be finite;
    ``finite``     False if the result may legitimately hold inf or NaN;
    ``instance``   for an instance method: ``instance(module)`` returns a fresh object to call
                   it on, built from the module under test (the check also receives it as
                   ``self``);
    ``broadcast``  arguments that broadcast together: adds the case "shapes do not broadcast";
    ``legit``      exception types that are a documented result (``AssertionError`` for a false
                   claim); such an exception is passed to ``check`` as the result;
    ``examples``   how many random calls the Hypothesis test makes (0: none).
    """

    name: str
    args: Mapping[str, Arg]
    check: Callable[..., Any] | None = None
    finite: bool = True
    instance: Callable[[Any], Any] | None = None
    broadcast: tuple[str, ...] = ()
    legit: tuple[type[BaseException], ...] = ()
    examples: int = 20


@dataclass(frozen=True)
class Outcome:
    kind: str  # one of OUTCOMES, or "check error" when the row's own check failed to run
    detail: str = ""


# ------------------------------------------------------------------------------ checks


def close(reference: Callable[..., Any], rtol: float, atol: float = 0.0) -> Callable[..., None]:
    """A row check: the result equals ``reference(**args)`` within ``atol + rtol |reference|``.

    The reference must return the exact answer (mpmath, or an independent formula); a result
    that is NaN or inf where the reference is finite fails.
    """

    def check(result: Any, **args: Any) -> None:
        want = np.asarray(reference(**args))
        got = np.asarray(result)
        assert got.shape == want.shape or want.ndim == 0, f"shape {got.shape}, want {want.shape}"
        got, want = np.broadcast_arrays(got, want)
        same = got == want
        with np.errstate(all="ignore"):
            err = np.abs(got.astype(complex) - want.astype(complex))
        ok = same | (np.isfinite(err) & (err <= atol + rtol * np.abs(want)))
        if not ok.all():
            i = np.unravel_index(np.argmin(ok), ok.shape)
            raise AssertionError(f"got {got[i]!r}, reference {want[i]!r} (rtol {rtol:g})")

    return check


def _nonfinite(value: Any, depth: int = 0) -> str:
    """'' if every number in ``value`` is finite, else a description of the first that is not."""
    if depth > 4:
        return ""
    if isinstance(value, bool | np.bool_ | int | np.integer):
        return ""
    if isinstance(value, float | complex | np.inexact):
        return "" if np.isfinite(value) else f"returned {value!r}"
    if isinstance(value, np.ndarray):
        if value.dtype.kind in "fc" and not np.isfinite(value).all():  # NaN, inf
            return f"returned an array holding {value[~np.isfinite(value)].flat[0]!r}"
        if value.dtype == object:
            return next((s for v in value.flat if (s := _nonfinite(v, depth + 1))), "")
        return ""
    if isinstance(value, list | tuple):
        return next((s for v in value if (s := _nonfinite(v, depth + 1))), "")
    if isinstance(value, Mapping):
        return next((s for v in value.values() if (s := _nonfinite(v, depth + 1))), "")
    return ""


def _snapshot(value: Any) -> Any:
    """A fingerprint of an input's contents: arrays and nested lists, tuples and dicts by value,
    anything else by identity (None: not checked)."""
    if not isinstance(value, np.ndarray | list | tuple | dict):
        return None

    def walk(v: Any, depth: int) -> Any:
        if isinstance(v, np.ndarray):
            return (
                "array",
                v.dtype.str,
                v.shape,
                v.tobytes() if v.dtype != object else walk(v.tolist(), depth),
            )
        if depth > 6:
            return ("deep", id(v))
        if isinstance(v, list | tuple):
            return (type(v).__name__, tuple(walk(x, depth + 1) for x in v))
        if isinstance(v, dict):
            return ("dict", tuple((walk(k, depth + 1), walk(x, depth + 1)) for k, x in v.items()))
        if isinstance(v, float):
            return ("float", repr(v))
        if isinstance(v, int | str | bytes | bool | type(None)):
            return (type(v).__name__, v)
        return ("object", id(v))

    return walk(value, 0)


def names_in(message: str) -> list[str]:
    """The argument names a message starts with: ``"a, b: shapes ..."`` -> ``["a", "b"]``.

    Only the text before the first colon counts, and of each comma-separated part only its first
    word (``"notebook x.ipynb"`` -> ``notebook``, ``"claims[2]"`` -> ``claims``).
    """
    head, colon, _ = str(message).partition(":")
    if not colon:
        return []
    names = []
    for part in re.split(r",\s*|\s+and\s+", head.strip()):
        m = re.match(r"[A-Za-z_]\w*", part.strip())
        if m:
            names.append(m.group(0))
    return names


# ------------------------------------------------------------------------------ guards


class Hang(BaseException):
    """Raised by the alarm when a call runs past its budget (BaseException: not swallowed)."""


def _alarm(signum: int, frame: Any) -> None:
    raise Hang


def _address_space() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmSize:"):
            return int(line.split()[1]) * 1024
    return 0


def guarded_call(fn: Callable[[], Any], budget: float = BUDGET) -> Any:
    """``fn()`` with warnings as errors, NumPy's default floating-point warnings, a time budget and a
    memory ceiling; ``Hang`` if it runs past the budget."""
    old_handler = signal.signal(signal.SIGALRM, _alarm)
    old_limit = resource.getrlimit(resource.RLIMIT_AS)
    used = _address_space()
    if used and old_limit[0] == resource.RLIM_INFINITY:
        ceiling = used + MEMORY
        if old_limit[1] != resource.RLIM_INFINITY:
            ceiling = min(ceiling, old_limit[1])
        resource.setrlimit(resource.RLIMIT_AS, (ceiling, old_limit[1]))
    signal.setitimer(signal.ITIMER_REAL, budget)
    try:
        with warnings.catch_warnings(), np.errstate(all="warn", under="ignore"):
            warnings.simplefilter("error")
            return fn()
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old_handler)
        resource.setrlimit(resource.RLIMIT_AS, old_limit)


# ------------------------------------------------------------------------------ the judge


def judge(
    row: Row,
    target: Callable[..., Any],
    args: Mapping[str, Any],
    arg: str | tuple[str, ...] | None,
    expect: str,
    instance: Any = None,
    budget: float = BUDGET,
) -> Outcome:
    """Call ``target`` with ``args`` and classify what happened (see the module docstring).

    ``arg`` is the argument replaced (an error must name it), a tuple of names when any of them
    may be to blame, or None for the baseline call, which must give a correct result.
    """
    before = {k: _snapshot(v) for k, v in args.items()}
    positional, keywords = _split(target, args)
    try:
        result = guarded_call(lambda: target(*positional, **keywords), budget)
        error = None
    except Hang:
        return Outcome("hang", f"still running after {budget:g} s")
    except Warning as w:
        return Outcome("warning", f"{type(w).__name__}: {w}")
    except BaseException as exc:  # noqa: BLE001 - every escape is classified
        if isinstance(exc, KeyboardInterrupt):
            raise
        result, error = None, exc
    changed = [k for k, b in before.items() if b is not None and b != _snapshot(args[k])]
    if changed:
        return Outcome("mutated", f"changed {', '.join(changed)}")
    if error is not None and not isinstance(error, row.legit):
        return _classify_error(row, error, arg, expect)
    if expect == "refuse":
        shown = "an exception" if error is not None else _short(result)
        return Outcome("silent", f"accepted it and returned {shown}")
    if error is None and row.finite and (bad := _nonfinite(result)):
        return Outcome("silent", bad)
    if row.check is not None:
        extra = {"self": instance} if instance is not None else {}
        try:
            row.check(error if error is not None else result, **args, **extra)
        except AssertionError as exc:
            return Outcome("silent", f"wrong result: {exc}")
        except Exception as exc:  # noqa: BLE001 - the table's check, not the library, failed
            return Outcome("check error", f"{type(exc).__name__}: {exc}")
    return Outcome("result")


def _classify_error(
    row: Row, error: BaseException, arg: str | tuple[str, ...] | None, expect: str
) -> Outcome:
    text = f"{type(error).__name__}: {error}"
    if isinstance(error, Boom):
        return Outcome("named error", "the callable's own error propagated")
    if not isinstance(error, ValueError | TypeError) or type(error).__module__ != "builtins":
        return Outcome("unclear error", text)  # includes NumPy's AxisError, SympifyError, ...
    if arg is None:
        return Outcome("unclear error", f"the valid baseline call raised {text}")
    blamed = (arg,) if isinstance(arg, str) else arg
    wanted = {n for a in blamed for n in (a, *row.args[a].aliases)}
    if not wanted & set(names_in(str(error))):
        return Outcome("unclear error", f"does not name {' or '.join(blamed)}: {text}")
    if expect == "result":
        return Outcome("unclear error", f"refused an input declared supported: {text}")
    return Outcome("named error", text)


def _split(target: Callable[..., Any], args: Mapping[str, Any]) -> tuple[list, dict]:
    """Positional and keyword arguments, spreading ``*parts`` and ``**arrays``; the parameters
    before a ``*parts`` go positionally, as Python requires."""
    try:
        params = inspect.signature(target).parameters
    except (TypeError, ValueError):
        return [], dict(args)
    kinds = [params[n].kind if n in params else inspect.Parameter.KEYWORD_ONLY for n in args]
    starred = inspect.Parameter.VAR_POSITIONAL in kinds
    positional, keywords = [], {}
    for (name, value), kind in zip(args.items(), kinds, strict=True):
        if kind is inspect.Parameter.VAR_POSITIONAL:
            positional.extend(value)
            starred = False  # parameters after *parts are keyword-only
        elif kind is inspect.Parameter.VAR_KEYWORD:
            keywords.update(value)
        elif kind is inspect.Parameter.POSITIONAL_ONLY or starred:
            positional.append(value)
        else:
            keywords[name] = value
    return positional, keywords


def _short(value: Any) -> str:
    try:
        text = repr(value)
    except Exception as exc:  # noqa: BLE001 - a broken repr is itself worth showing
        text = f"a {type(value).__name__} whose repr raises {type(exc).__name__}"
    return text if len(text) <= 80 else text[:77] + "..."


def acceptable(outcome: Outcome, expect: str) -> bool:
    """Whether an outcome meets the case's expectation."""
    allowed = {"refuse": {"named error"}, "either": {"named error", "result"}, "result": {"result"}}
    return outcome.kind in allowed[expect]


# ------------------------------------------------------------------------------ tables


TABLES = Path(__file__).parent


@dataclass
class Table:
    module: str
    rows: list[Row]
    path: Path


def tables() -> list[Table]:
    """Every table in tests/edges/, in the order of their file names."""
    out = []
    for path in sorted(TABLES.glob("table_*.py")):
        mod = importlib.import_module(f"edges.{path.stem}")
        out.append(Table(mod.MODULE, list(mod.ROWS), path))
    return out


def library_modules() -> list[str]:
    """Every public module of scispaces (names not starting with an underscore)."""
    import scispaces

    return sorted(
        f"scispaces.{m.name}"
        for m in pkgutil.iter_modules(scispaces.__path__)
        if not m.name.startswith("_")
    )


def public_names(module: Any) -> list[str]:
    """The callables a row must cover: ``__all__`` (or the public callables defined in the
    module), and for each class its public methods and classmethods."""
    names = getattr(module, "__all__", None)
    if names is None:
        names = [
            n
            for n, v in vars(module).items()
            if not n.startswith("_")
            and callable(v)
            and getattr(v, "__module__", None) == module.__name__
        ]
    out = []
    for n in names:
        v = getattr(module, n)
        if not callable(v):
            continue
        out.append(n)
        if inspect.isclass(v):
            for m, attr in vars(v).items():
                if (
                    not m.startswith("_")
                    and isinstance(attr, staticmethod | classmethod | Callable)
                    and not isinstance(attr, property | type)
                ):
                    out.append(f"{n}.{m}")
    return sorted(out)


def resolve(module: Any, row: Row) -> tuple[Callable[..., Any], Any]:
    """The callable a row names, and the instance it is bound to (None for functions)."""
    obj: Any = module
    for part in row.name.split("."):
        obj = getattr(obj, part)
    if "." in row.name and isinstance(
        inspect.getattr_static(getattr(module, row.name.split(".")[0]), row.name.split(".")[1]),
        staticmethod | classmethod,
    ):
        return obj, None
    if "." in row.name:
        if row.instance is None:
            raise ValueError(f"{row.name}: a method row needs instance=")
        instance = row.instance(module)
        return getattr(instance, row.name.split(".")[-1]), instance
    return obj, None


def signature_names(target: Callable[..., Any]) -> list[str]:
    """The parameters a row must give, in order (without ``self``/``cls``)."""
    params = inspect.signature(target).parameters
    return [n for n in params if n not in ("self", "cls")]


@dataclass(frozen=True)
class Call:
    """One judged call of a battery: which argument was replaced, by what, and the outcome."""

    arg: str  # "" for the baseline and row-level cases
    label: str
    expect: str
    outcome: Outcome

    @property
    def ok(self) -> bool:
        return acceptable(self.outcome, self.expect)

    def __str__(self) -> str:
        where = f"{self.arg}={self.label}" if self.arg else self.label
        return f"{where} (expect {self.expect}): {self.outcome.kind}: {self.outcome.detail}"


def cases(row: Row) -> list[tuple[str, Case]]:
    """The row's cases: the baseline, each argument's battery, then shapes that do not broadcast."""
    from edges.kinds import battery

    out: list[tuple[str, Case]] = [("", Case("baseline", lambda: None, "result"))]
    for name, arg in row.args.items():
        out += [(name, c) for c in battery(arg)]
    for name in row.broadcast:
        out.append((name, Case("shapes do not broadcast", lambda: None, "refuse")))
    return out


def run_case(module: Any, row: Row, name: str, c: Case, budget: float = BUDGET) -> Call:
    """Build the arguments for one case (fresh values every time) and judge the call."""
    args = {k: _fresh(a.valid) for k, a in row.args.items()}
    if c.label == "shapes do not broadcast":
        for k in row.broadcast:
            args[k] = np.full(4 if k == name else 3, np.asarray(row.args[k].valid).flat[0])
    elif name:
        args[name] = c.make()
    target, instance = resolve(module, row)
    outcome = judge(row, target, args, name or None, c.expect, instance, budget)
    return Call(name, c.label, c.expect, outcome)


def run_row(module: Any, row: Row, budget: float = BUDGET) -> list[Call]:
    """Every case of a row, judged."""
    return [run_case(module, row, name, c, budget) for name, c in cases(row)]
