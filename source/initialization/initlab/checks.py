"""Checks for the visible and hidden tests of the notebooks.

Every test cell imports what it uses from here. A student's function is called
through ``call`` or ``call_unchanged`` (see ``initlab.bridge``: directly in one
kernel, across the boundary during autograding), and its result is converted to
plain float64 arrays (``as_array``, ``as_float``, ``as_params``...) before
anything is compared, so that objects which lie in comparisons earn nothing.

A failure is an ``AssertionError`` whose first line is ``<function>: <the mistake>``
(at most 88 characters, what ``nbgrader validate`` shows of it), then details, and,
when the mistake is one of the course's misconceptions (``initlab.mistakes``), a
``Revisit: ...`` line. The function is the one the test cell called last (a test
cell calls one graded function). A hidden check (``hidden=True``) names the mistake
but never shows its case's input or expected value.

Importing this module in IPython also makes a test cell that reads a name no
cell has defined yet (an answer cell not run, or still raising
``NotImplementedError``) say so in one line, instead of a bare ``NameError``:
in the student's kernel and in the trusted test kernel of autograding alike.
"""

import contextlib
import copy
import io
import linecache
import warnings
from typing import NamedTuple

import numpy as np

from . import bridge, mistakes

__all__ = ["DISTRIBUTIONS", "RULES", "Mistake", "as_array", "as_arrays", "as_float", "as_int", "as_list",
           "as_params", "call", "call_unchanged", "check", "check_choice", "check_close", "check_distinct",
           "check_error_names", "check_float64", "check_initializer", "check_raises", "check_rejects", "check_rng_use",
           "check_sparse_rows", "check_value", "check_weight_sample", "close", "closest_mistake", "copied",
           "explain", "fail", "failure", "identical", "install_name_hint", "kurtosis", "legacy_state_unchanged",
           "matches", "max_abs", "mean", "missing_name_message", "passed", "rng", "rule_mistakes", "std_mistakes",
           "var", "weight_mistakes"]

FIRST_LINE = 88  # characters of a failure's first line that `nbgrader validate` shows


# ------------------------------------------------------------------ failures
class Mistake(NamedTuple):
    """A named mistake: ``text`` for the first line, the misconception ``key`` it is an instance of (a key of
    ``initlab.mistakes.MISCONCEPTIONS``, or None) and a ``detail`` line that says how to fix it."""

    text: str
    key: str | None = None
    detail: str = ""


_CURRENT = {"function": None, "legacy_moved": False, "depth": 0}


def _lines(function, text):
    """The first line ``<function>: <text>``, cut at a space when it is too long (the rest follows it)."""
    first = f"{function}: {text}"
    if len(first) <= FIRST_LINE:
        return [first]
    cut = first.rfind(" ", 0, FIRST_LINE)
    cut = cut if cut > len(function) + 2 else FIRST_LINE
    return [first[:cut].rstrip(), first[cut:].strip()]


def failure(text, *details, key=None, function=None):
    """The message of a failure: ``<function>: <text>``, the non-empty ``details``, the ``Revisit:`` line."""
    function = function or _CURRENT["function"] or "the test"
    lines = _lines(function, text) + [str(d) for d in details if d]
    if key:
        lines.append(mistakes.revisit_line(key, mistakes.notebook_of(function)))
    return "\n".join(lines)


def fail(text, *details, key=None, function=None):
    """Fail with the mistake ``text`` (first line; or a ``Mistake``), ``details`` and, for a misconception
    ``key``, its line."""
    if isinstance(text, Mistake):
        text, details, key = text.text, (text.detail, *details), text.key
    raise AssertionError(failure(text, *details, key=key, function=function))


@contextlib.contextmanager
def explain(detail="", mistake=None):
    """Add ``detail`` to a failure inside the block, after its first line (what the case was about). With a
    ``Mistake``, an exception the student's function raised in the block is named as that mistake."""
    try:
        yield
    except AssertionError as exc:
        first, _, rest = str(exc).partition("\n")
        if mistake is None or not getattr(exc, "raised_by_student", False):
            raise type(exc)("\n".join(filter(None, [first, detail, rest]))) from None
        what = first.split(": ", 1)[-1]
        fail(mistake.text, mistake.detail, detail, f"(It {what}.)", key=mistake.key)


def check(condition, text, *details, key=None):
    """Fail with the mistake ``text`` (or a ``Mistake``) unless ``condition`` is true."""
    if not condition:
        fail(text, *details, key=key)


# -------------------------------------------------------------- conversions
def as_array(value, name="the result", shape=None, finite=None):
    """Return ``value`` as a fresh float64 ndarray, or fail with a clear message (``finite``: the ``Mistake``
    that NaN or infinite entries show)."""
    if value is None:
        fail("returned None (is a `return` statement missing?)" if name == "the result" else
             f"{name} is None (is a `return` statement missing?)")
    if isinstance(value, (dict, str)):
        fail(f"{name} should be a numpy array, not a {type(value).__name__}")
    try:
        arr = np.array(value, dtype=np.float64, copy=True)
    except (TypeError, ValueError) as exc:
        fail(f"{name} is not an array of numbers ({type(value).__name__})", str(exc))
    if shape is not None and arr.shape != tuple(shape):
        if arr.shape == tuple(shape)[::-1] and len(shape) == 2:
            fail(f"{name} is transposed: shape {arr.shape}, expected {tuple(shape)}",
                 "W^[l] has shape (n_out, n_in) = (fan_out, fan_in): one row per unit.", key="transposed")
        fail(f"{name} has shape {arr.shape}, expected {tuple(shape)}")
    if not np.logical_and.reduce(np.isfinite(arr), axis=None):
        fail(finite or f"{name} contains NaN or infinite values")
    return arr


def as_float(value, name="the result"):
    """Return ``value`` as a plain Python float, or fail with a clear message."""
    arr = as_array(value, name)
    if arr.size != 1:
        fail(f"{name} should be a single number, not an array of shape {arr.shape}")
    return float(arr.reshape(-1)[0])


def as_int(value, name="the result"):
    """Return ``value`` as a plain Python int, or fail if it is not a whole number."""
    number = as_float(value, name)
    if number != int(number):
        fail(f"{name} should be a whole number, not {number!r}")
    return int(number)


def as_list(value, name="the result", length=None, why=""):
    """Return a plain list copy of ``value``; fail unless it is a list or tuple (of ``length`` items: ``why``)."""
    if value is None:
        as_array(value, name)
    if not isinstance(value, (list, tuple)):
        fail(f"{name} should be a list, not a {type(value).__name__}")
    items = [item for item in list.__iter__(list(value))]
    if length is not None and len(items) != length:
        fail(f"{name} has {len(items)} entries, expected {length}", why)
    return items


def as_arrays(value, shapes, name="the result", finite=None):
    """Check a dict of arrays with exactly the keys of ``shapes`` ({key: shape}, or {key: an array of that
    shape}); return float64 copies."""
    shapes = {key: np.shape(shape) if isinstance(shape, np.ndarray) else shape for key, shape in shapes.items()}
    if value is None:
        as_array(value, name)
    if not isinstance(value, dict):
        fail(f"{name} should be a dict with the keys {sorted(shapes)}, not a {type(value).__name__}")
    keys = sorted(str(k) for k in dict.keys(value))
    if keys != sorted(shapes):
        fail(f"{name} has the keys {keys}", f"Expected the same keys as the input: {sorted(shapes)}.")
    return {key: as_array(dict.__getitem__(value, key), key, shape, finite) for key, shape in shapes.items()}


def as_params(value, layer_dims, name="the result"):
    """Check a parameter dict (W1, b1, ..., WL, bL) and return float64 copies."""
    if value is None:
        as_array(value, name)
    if not isinstance(value, dict):
        fail(f"{name} should be a dict with the keys 'W1', 'b1', ..., not a {type(value).__name__}")
    n_layers = len(layer_dims) - 1
    expected = sorted([f"W{i}" for i in range(1, n_layers + 1)] + [f"b{i}" for i in range(1, n_layers + 1)])
    keys = sorted(str(k) for k in dict.keys(value))
    if keys != expected:
        fail(f"{name} has the keys {keys}", f"Expected {expected} for {n_layers} layers (W1, b1 for layer 1).")
    out = {}
    for i in range(1, n_layers + 1):
        out[f"W{i}"] = as_array(dict.__getitem__(value, f"W{i}"), f"W{i}", (layer_dims[i], layer_dims[i - 1]))
        out[f"b{i}"] = as_array(dict.__getitem__(value, f"b{i}"), f"b{i}", (layer_dims[i], 1))
    return out


def check_float64(value, name="the result"):
    """Fail unless ``value`` is a float64 numpy array (what np.zeros and rng.standard_normal give)."""
    kind = f"{value.dtype} array" if isinstance(value, np.ndarray) else type(value).__name__
    check(isinstance(value, np.ndarray) and value.dtype == np.float64, f"{name} should be a float64 array, not a "
          f"{kind}", "np.zeros and rng.standard_normal give float64: don't convert.")


# ---------------------------------------------------------------- statistics
def mean(a):
    """Mean of every entry, computed with ufuncs only."""
    a = as_array(a)
    return float(np.add.reduce(a, axis=None) / a.size)


def var(a):
    """Population variance (ddof=0) of every entry, computed with ufuncs only."""
    a = as_array(a)
    centred = np.subtract(a, np.add.reduce(a, axis=None) / a.size)
    return float(np.add.reduce(np.multiply(centred, centred), axis=None) / a.size)


def kurtosis(a):
    """E[(x-mu)^4] / Var^2: 3 for a normal, 1.8 for a uniform distribution."""
    a = as_array(a)
    centred = np.subtract(a, np.add.reduce(a, axis=None) / a.size)
    sq = np.multiply(centred, centred)
    v = np.add.reduce(sq, axis=None) / a.size
    return float(np.add.reduce(np.multiply(sq, sq), axis=None) / a.size / (v * v))


def max_abs(a):
    """Largest absolute entry."""
    return float(np.maximum.reduce(np.absolute(as_array(a)), axis=None))


def close(actual, expected, rtol=1e-7, atol=1e-12):
    """True when every entry of two same-shaped arrays agrees within tolerance."""
    a = as_array(actual)
    b = as_array(expected)
    if a.shape != b.shape:
        return False
    bound = np.add(atol, np.multiply(rtol, np.absolute(b)))
    return bool(np.logical_and.reduce(np.less_equal(np.absolute(np.subtract(a, b)), bound), axis=None))


def rng(seed):
    """A fresh numpy Generator (PCG64) seeded with ``seed``."""
    return np.random.Generator(np.random.PCG64(seed))


def matches(a, b, rtol=1e-9, atol=1e-12):
    """Whether ``a`` and ``b`` (numbers, arrays, lists or dicts of them) agree entry by entry."""
    if isinstance(a, dict) and isinstance(b, dict):
        keys = sorted(map(str, dict.keys(a)))
        return keys == sorted(map(str, dict.keys(b))) and all(
            matches(dict.__getitem__(a, k), b[k], rtol, atol) for k in dict.keys(a) if k in b)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(matches(x, y, rtol, atol) for x, y in zip(a, b))
    try:
        return close(a, b, rtol, atol)
    except AssertionError:
        return False


# --------------------------------------------------------------------- calls
def _call_here(fn, args, kwargs):
    """Call ``fn`` in this kernel with warnings and stderr muted; return (result, legacy_moved)."""
    before = bridge._legacy_snapshot()
    with warnings.catch_warnings(), np.errstate(all="ignore"), contextlib.redirect_stderr(io.StringIO()):
        warnings.simplefilter("ignore")
        result = fn(*args, **kwargs)
    return result, bridge._legacy_snapshot() != before


def _invoke(fn, args, kwargs):
    """Call ``fn``; return the result. The student's exceptions pass through as they are."""
    name = getattr(fn, "__name__", "this function")
    outer = _CURRENT["depth"] == 0  # a wrapper written by the test may call student functions in turn
    if outer:
        _CURRENT["legacy_moved"] = False
        if isinstance(fn, bridge.StudentFunction) or (callable(fn) and name != "<lambda>"):
            _CURRENT["function"] = name
    _CURRENT["depth"] += 1
    try:
        if isinstance(fn, bridge.StudentFunction):
            result, moved = fn.kernel.call(fn.name, args, kwargs)
        elif fn is None or not callable(fn):
            fail(f"expected a function, got {fn!r}: did you run its answer cell?")
        elif bridge.loopback_enabled():
            result, moved = bridge.loopback(fn, args, kwargs)
        else:
            try:
                result, moved = _call_here(fn, args, kwargs)
            except NotImplementedError:
                fail("not implemented yet (write it in its answer cell, then run that cell)", function=name)
    finally:
        _CURRENT["depth"] -= 1
    _CURRENT["legacy_moved"] = _CURRENT["legacy_moved"] or moved
    return result


def call(fn, *args, **kwargs):
    """Call a student's function with the test's arguments; return its result.

    In the student's kernel (JupyterLab, nbval) the function is called directly;
    during autograding it runs in the student's kernel and the result comes back
    as plain data (``initlab.bridge``). A harmless numpy warning of a correct
    answer is muted (nbgrader gives 0 to a test cell that writes to stderr). An
    exception the function raises becomes a failure that names it.
    """
    name = getattr(fn, "__name__", "this function")
    try:
        return _invoke(fn, args, kwargs)
    except Exception as exc:
        text = str(exc).removesuffix(f" (raised by {name})").removeprefix(f"{name} is ")
        if isinstance(exc, AssertionError) and not isinstance(exc, bridge.RaisedByStudent):
            if str(exc).startswith(f"{name}: "):
                raise
            raise AssertionError(failure(text, function=name)) from None
        raised = AssertionError(failure(f"raised {type(exc).__name__}: {text}", function=name))
        raised.raised_by_student = True  # a failure like any other (nbgrader shows an AssertionError), named so
        raise raised from exc


def copied(value):
    """A deep copy of an argument (a generator too: the test's own one is left where it was)."""
    if isinstance(value, np.random.Generator):
        return copy.deepcopy(value)
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, dict):
        return {k: copied(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(copied(v) for v in value)
    return value


def identical(a, b):
    """Whether ``b`` is exactly ``a``: the same types, keys, lengths, shapes, dtypes and values."""
    if type(a) is not type(b):
        return False
    if isinstance(a, np.ndarray):
        return a.shape == b.shape and a.dtype == b.dtype and bool(np.array_equal(a, b, equal_nan=a.dtype.kind in "fc"))
    if isinstance(a, dict):
        return list(a) == list(dict.keys(b)) and all(identical(a[k], dict.__getitem__(b, k)) for k in a)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(identical(x, y) for x, y in zip(a, b))
    if isinstance(a, np.random.Generator):
        return True
    return bool(a == b) if isinstance(a, (int, float, str, bool, np.generic, type(None))) else a is b


def _ordinal(k):
    return {0: "1st", 1: "2nd", 2: "3rd"}.get(k, f"{k + 1}th")


def call_unchanged(fn, *args, **kwargs):
    """Call ``fn`` on copies of the arguments; fail if it changed one, or returned one of them itself.

    The test's own arguments are never passed, so whatever the function does to its arguments, the test
    computes what to expect from intact values (keys and structure included).
    """
    sent_args, sent_kwargs = [copied(a) for a in args], {k: copied(v) for k, v in kwargs.items()}
    result = call(fn, *sent_args, **sent_kwargs)
    named = [(f"its {_ordinal(k)} argument", a, s) for k, (a, s) in enumerate(zip(args, sent_args))]
    named += [(f"its argument {k}", v, sent_kwargs[k]) for k, v in kwargs.items()]
    for which, original, sent in named:
        check(identical(original, sent), f"modified {which} in place",
              "Compute new arrays (W @ a, g * scale); never change what you are given "
              "(no +=, *=, a[...] =, .sort(), .append() or .clear() on an argument).", key="in-place")
        check(result is not sent or isinstance(sent, np.random.Generator), f"returned {which} itself",
              "Return a new object (e.g. M.copy(), or a new dict): the caller's object must stay its own.",
              key="in-place")
    return result


def check_distinct(items, name="the list"):
    """Fail if two entries of ``items`` are one array object (``[W] * depth``, or one array overwritten)."""
    arrays = [x for x in items if isinstance(x, np.ndarray)]
    for i, a in enumerate(arrays):
        for b in arrays[i + 1:]:
            check(a is not b and not np.shares_memory(a, b), f"{name} holds one array object several times",
                  "Each entry must be an array of its own: [W] * depth repeats one object, and a[...] = ... "
                  "overwrites the array appended before. Append a new array for each layer.", key="aliasing")


def legacy_state_unchanged(fn, *args, **kwargs):
    """Call ``fn``; return (result, whether numpy's global random state was left alone)."""
    result = call(fn, *args, **kwargs)
    return result, not _CURRENT["legacy_moved"]


# -------------------------------------------------------------- value checks
def _mistake(label):
    """A mistake table's label as a ``Mistake``: one, its text, or (text, misconception key[, detail])."""
    if isinstance(label, Mistake):
        return label
    return Mistake(*label) if isinstance(label, tuple) else Mistake(str(label))


def _mismatch(a, b, rtol, atol):
    """How far ``a`` is from ``b`` in units of the tolerance (inf when shapes differ)."""
    if isinstance(a, dict) and isinstance(b, dict):
        if sorted(map(str, a)) != sorted(map(str, b)):
            return float("inf")
        return max((_mismatch(a[k], b[k], rtol, atol) for k in b), default=0.0)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        if len(a) != len(b):
            return float("inf")
        return max((_mismatch(x, y, rtol, atol) for x, y in zip(a, b)), default=0.0)
    try:
        x, y = as_array(a), as_array(b)
    except AssertionError:
        return float("inf")
    if x.shape != y.shape:
        return float("inf")
    return float(np.max(np.abs(x - y) / (atol + rtol * np.abs(y)), initial=0.0))


def closest_mistake(got, expected, table, rtol=1e-9, atol=1e-12):
    """The ``Mistake`` of ``table`` {mistake: the value it gives} whose value ``got`` matches within
    tolerance (the closest; a mistake that gives the right value here is skipped), else None."""
    found = [(_mismatch(got, value, rtol, atol), k, label) for k, (label, value) in enumerate((table or {}).items())
             if not matches(value, expected, rtol, atol)]
    found = [(distance, k, label) for distance, k, label in found if distance <= 1.0]
    return _mistake(min(found)[2]) if found else None


def _show(value):
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k!r}: {_show(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)) and any(np.ndim(v) for v in value):
        return "[" + ", ".join(_show(v) for v in value) + "]"
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        return repr(value)[:200]
    return f"{float(arr):.6g}" if arr.ndim == 0 else np.array2string(arr, threshold=12, precision=6)


def _first_difference(got, expected, rtol, atol):
    """(where, got part, expected part): the first entry of two lists that differs, or the whole values."""
    if isinstance(got, dict) and isinstance(expected, dict) and sorted(map(str, got)) == sorted(map(str, expected)):
        pairs = [(repr(k), got[k], expected[k]) for k in expected]
    elif isinstance(got, (list, tuple)) and isinstance(expected, (list, tuple)) and len(got) == len(expected):
        pairs = [(str(k), g, e) for k, (g, e) in enumerate(zip(got, expected))]
    else:
        return "", got, expected
    for k, g, e in pairs:
        if not matches(g, e, rtol, atol):
            where, g, e = _first_difference(g, e, rtol, atol)
            return f"[{k}]{where}", g, e
    return "", got, expected


def check_value(got, expected, what="", mistakes=None, rtol=1e-9, atol=1e-12, hidden=False):
    """Fail unless ``got`` matches ``expected``, naming the mistake of ``mistakes`` that ``got`` matches.

    ``what`` says what was computed; ``mistakes`` maps a ``Mistake`` (or its text, or (text, key)) to the value
    that mistake gives for the same inputs. A visible check shows both values; a ``hidden`` one shows neither.
    """
    if matches(got, expected, rtol, atol):
        return
    found = closest_mistake(got, expected, mistakes, rtol, atol)
    where, got_part, expected_part = _first_difference(got, expected, rtol, atol)
    where = f", entry {where}" if where else ""
    values = f"{what}{where}: expected {_show(expected_part)}, got {_show(got_part)}." if not hidden else (
        f"(A hidden case: {what}.)" if what else "")
    if found:
        fail(found.text, found.detail, values, key=found.key)
    fail("wrong result" + (f" for {what}" if hidden and what else ""), values if not hidden else "")


def check_close(actual, expected, text, rtol=1e-7, atol=1e-12):
    """Fail with the mistake ``text`` (plus both values) unless the arrays agree."""
    if not close(actual, expected, rtol=rtol, atol=atol):
        fail(text, f"got:      {_show(as_array(actual))}", f"expected: {_show(as_array(expected))}")


def check_choice(answer, name, correct=None, mistakes=None, options="abcd"):
    """A multiple-choice answer: one letter of ``options``; with ``correct``, that letter, else the mistake
    ``mistakes`` {wrong letter: Mistake} names for the letter chosen (never which one is right)."""
    letters = ", ".join(f'"{o}"' for o in options)
    if not (isinstance(answer, str) and len(answer) == 1 and answer in options):
        fail(f"should be one of {letters} (a one-letter string)", f"Got {answer!r}."[:200], function=name)
    if correct is not None and answer != correct:
        fail((mistakes or {}).get(answer, "not quite"), function=name)


def _expect(exception, about, fn, args, kwargs):
    """The ``exception`` that ``fn(*args, **kwargs)`` raises; fail if it raises nothing or something else."""
    name = getattr(fn, "__name__", "this function")
    try:
        _invoke(fn, args, kwargs)
    except exception as exc:
        return exc
    except AssertionError:
        raise
    except Exception as exc:
        fail(f"raised {type(exc).__name__}, not {exception.__name__}, for {about}", str(exc)[:300], function=name)
    fail(f"no {exception.__name__} for {about}", function=name)


def check_raises(exception, fn, *args, **kwargs):
    """Fail unless ``fn(*args, **kwargs)`` raises ``exception``; return the exception."""
    shown = ", ".join([repr(a) for a in args] + [f"{k}={v!r}" for k, v in kwargs.items()])
    return _expect(exception, f"({shown})"[:60], fn, args, kwargs)


def check_rejects(exception, value, fn, *args, **kwargs):
    """Fail unless ``fn(*args, **kwargs)``, called with the bad ``value`` among its arguments, raises ``exception``
    (the failure names the bad value only, not the other arguments); return the exception."""
    return _expect(exception, f"the bad value {value!r}", fn, args, kwargs)


def check_error_names(exception, value, fn, *args, **kwargs):
    """Fail unless ``fn(*args, **kwargs)`` raises ``exception`` with a message that names the bad ``value``."""
    exc = check_rejects(exception, value, fn, *args, **kwargs)
    check(str(value) in str(exc), f"the {exception.__name__} should name the bad value {value!r}",
          f"Its message was: {str(exc)[:300]}. Name what was wrong, e.g. f\"unknown mode {{mode!r}}\".")


def check_rng_use(fn, *args, **kwargs):
    """Check that a random function draws only from its ``rng`` argument.

    Same seed gives the same result, different seeds give different results, numpy's global random state is
    not touched, and ``rng=None`` gives fresh draws (a new default_rng() without a seed) at every call.
    """
    first, untouched = legacy_state_unchanged(fn, *args, rng=rng(11), **kwargs)
    check(untouched, "used numpy's global random state (np.random.*)", "Draw from the `rng` argument instead, "
          "e.g. rng.standard_normal(shape).", key="global-rng")
    again = call(fn, *args, rng=rng(11), **kwargs)
    check(matches(first, again, rtol=0, atol=0), "generators of the same seed gave different results",
          "Draw only from the `rng` argument (don't create a new generator inside).", key="global-rng")
    other = call(fn, *args, rng=rng(12), **kwargs)
    check(not matches(first, other, rtol=0, atol=0), "generators of different seeds gave the same result",
          "Don't reseed: draw from the `rng` argument you are given.", key="global-rng")
    a, b = call(fn, *args, **kwargs), call(fn, *args, **kwargs)
    check(not matches(a, b, rtol=0, atol=0), "with rng=None two calls gave the same result",
          "For rng=None use np.random.default_rng(), without a seed.", key="global-rng")


def passed(name, what=""):
    """Print the line a visible test ends with (and what it checked)."""
    print(f"All visible tests of {name} passed" + (f": {what}" if what else "."))


# ------------------------------------------------- a name no cell defined yet
def missing_name_message(name):
    """What a test cell says when it reads ``name`` and no cell of the notebook has defined it."""
    return (f"name {name!r} is not defined: write your answer in its answer cell (in place of "
            f"`raise NotImplementedError()`), run that cell, then run this test cell again.")


def _is_test_cell(code):
    """Whether the code object ``code`` is a notebook cell that imports these checks (a test cell)."""
    return code.co_name == "<module>" and any("initlab.checks" in line for line in linecache.getlines(code.co_filename))


def _name_error_handler(shell, etype, value, tb, tb_offset=None):
    """IPython handler of ``NameError``: in a test cell, a name read at the cell's top level gets the hint."""
    last = tb
    while last is not None and last.tb_next is not None:
        last = last.tb_next
    name = getattr(value, "name", None)
    if isinstance(name, str) and last is not None and _is_test_cell(last.tb_frame.f_code):
        value.args = (missing_name_message(name),)
    shell.showtraceback((etype, value, tb), tb_offset=tb_offset)


def install_name_hint(shell=None):
    """Route ``NameError`` in ``shell`` (the running IPython by default) through the hint above.

    Done on import; a shell that already has its own handler of exceptions keeps it.
    Returns whether the hint is installed.
    """
    if shell is None:
        try:
            from IPython import get_ipython
        except ImportError:
            return False
        shell = get_ipython()
    if shell is None or not hasattr(shell, "set_custom_exc"):
        return False
    handler = getattr(shell, "CustomTB", None)
    if getattr(getattr(handler, "__func__", None), "initlab_name_hint", False):
        return True
    if tuple(getattr(shell, "custom_exceptions", ())):
        return False
    shell.set_custom_exc((NameError,), _name_error_handler)
    shell.CustomTB.__func__.initlab_name_hint = True
    return True


install_name_hint()

# The statistical checks of random weights (the rules, the distributions, sparse rows), re-exported here so that
# a test cell imports everything from one place; ``samples`` uses the failures and conversions above.
from .samples import (  # noqa: E402
    DISTRIBUTIONS,
    RULES,
    check_initializer,
    check_sparse_rows,
    check_weight_sample,
    rule_mistakes,
    std_mistakes,
    weight_mistakes,
)
