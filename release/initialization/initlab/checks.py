"""Checks for the visible and hidden tests of the notebooks.

Every test cell imports what it uses from here. A student's function is called
through ``call`` (see ``initlab.bridge``: directly in one kernel, across the
boundary during autograding), and its result is converted to plain float64
arrays (``as_array``, ``as_float``, ``as_params``...) before anything is
compared, so that objects which lie in comparisons earn nothing. Failures are
``AssertionError`` with a message that names the likely mistake.

Importing this module in IPython also makes a test cell that reads a name no
cell has defined yet (an answer cell not run, or still raising
``NotImplementedError``) say so in one line, instead of a bare ``NameError``:
in the student's kernel and in the trusted test kernel of autograding alike.
"""

import contextlib
import io
import linecache
import warnings

import numpy as np

from . import bridge

__all__ = ["DISTRIBUTIONS", "as_array", "as_arrays", "as_float", "as_int", "as_list", "as_params", "call", "check",
           "check_choice", "check_close", "check_error_names", "check_initializer", "check_raises", "check_rng_use",
           "check_sparse_rows", "check_value", "check_weight_sample", "close", "install_name_hint", "kurtosis",
           "legacy_state_unchanged", "matches", "max_abs", "mean", "missing_name_message", "name_mistake", "passed",
           "rng", "var", "weight_mistakes"]


# -------------------------------------------------------------- conversions
def _fail(message):
    raise AssertionError(message)


def as_array(value, name="the result", shape=None):
    """Return ``value`` as a fresh float64 ndarray, or fail with a clear message."""
    if value is None:
        _fail(f"{name} is None: did you forget a `return` statement?")
    if isinstance(value, (dict, str)):
        _fail(f"{name} should be a numpy array, got a {type(value).__name__}.")
    try:
        arr = np.array(value, dtype=np.float64, copy=True)
    except (TypeError, ValueError) as exc:
        _fail(f"{name} could not be read as an array of numbers ({type(value).__name__}): {exc}")
    if shape is not None and arr.shape != tuple(shape):
        hint = ""
        if arr.shape == tuple(shape)[::-1]:
            hint = " (transposed: W^[l] has shape (n_out, n_in) = (fan_out, fan_in))"
        _fail(f"{name} has shape {arr.shape}, expected {tuple(shape)}{hint}.")
    if not np.logical_and.reduce(np.isfinite(arr), axis=None):
        _fail(f"{name} contains NaN or infinite values.")
    return arr


def as_float(value, name="the result"):
    """Return ``value`` as a plain Python float, or fail with a clear message."""
    arr = as_array(value, name)
    if arr.size != 1:
        _fail(f"{name} should be a single number, got an array of shape {arr.shape}.")
    return float(arr.reshape(-1)[0])


def as_int(value, name="the result"):
    """Return ``value`` as a plain Python int, or fail if it is not a whole number."""
    number = as_float(value, name)
    if number != int(number):
        _fail(f"{name} should be a whole number, got {number!r}.")
    return int(number)


def as_list(value, name="the result", length=None):
    """Return a plain list copy of ``value``; fail unless it is a list or tuple."""
    if not isinstance(value, (list, tuple)):
        _fail(f"{name} should be a list, got {type(value).__name__}.")
    items = [item for item in list.__iter__(list(value))]
    if length is not None and len(items) != length:
        _fail(f"{name} has length {len(items)}, expected {length}.")
    return items


def as_arrays(value, shapes, name="the result"):
    """Check a dict of arrays with exactly the keys of ``shapes`` ({key: shape}); return float64 copies."""
    if value is None:
        _fail(f"{name} is None: did you forget a `return` statement?")
    if not isinstance(value, dict):
        _fail(f"{name} should be a dict with the keys {sorted(shapes)}, got {type(value).__name__}.")
    keys = sorted(str(k) for k in dict.keys(value))
    if keys != sorted(shapes):
        _fail(f"{name} has keys {keys}, expected the same keys as the input: {sorted(shapes)}.")
    return {key: as_array(dict.__getitem__(value, key), f"{name}[{key!r}]", shape) for key, shape in shapes.items()}


def as_params(value, layer_dims, name="the parameters"):
    """Check a parameter dict (W1, b1, ..., WL, bL) and return float64 copies."""
    if value is None:
        _fail(f"{name} is None: did you forget a `return` statement?")
    if not isinstance(value, dict):
        _fail(f"{name} should be a dict with keys 'W1', 'b1', ..., got {type(value).__name__}.")
    n_layers = len(layer_dims) - 1
    expected = sorted([f"W{i}" for i in range(1, n_layers + 1)] + [f"b{i}" for i in range(1, n_layers + 1)])
    keys = sorted(str(k) for k in dict.keys(value))
    if keys != expected:
        _fail(f"{name} has keys {keys}, expected {expected} for layer_dims={list(layer_dims)}.")
    out = {}
    for i in range(1, n_layers + 1):
        n_out, n_in = layer_dims[i], layer_dims[i - 1]
        out[f"W{i}"] = as_array(dict.__getitem__(value, f"W{i}"), f"W{i}", (n_out, n_in))
        out[f"b{i}"] = as_array(dict.__getitem__(value, f"b{i}"), f"b{i}", (n_out, 1))
    return out


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


# ------------------------------------------------------------------ checks
def check(condition, message):
    """Fail with ``message`` unless ``condition`` is true."""
    if not condition:
        _fail(message)


def check_close(actual, expected, message, rtol=1e-7, atol=1e-12):
    """Fail with ``message`` (plus both values) unless the arrays agree."""
    if not close(actual, expected, rtol=rtol, atol=atol):
        a = as_array(actual)
        b = as_array(expected)
        shown = (f"\n  got:      {np.array2string(a, threshold=12, precision=6)}"
                 f"\n  expected: {np.array2string(b, threshold=12, precision=6)}")
        _fail(message + shown)


def check_raises(exception, fn, *args, **kwargs):
    """Fail unless ``fn(*args, **kwargs)`` raises ``exception``; return the exception."""
    try:
        call(fn, *args, **kwargs)
    except exception as exc:
        return exc
    except AssertionError:
        raise
    except Exception as exc:
        _fail(f"expected {exception.__name__} for arguments {args} {kwargs}, got {type(exc).__name__}: {exc}")
    _fail(f"expected {exception.__name__} for arguments {args} {kwargs}, but nothing was raised.")


def check_error_names(exception, value, fn, *args, **kwargs):
    """Fail unless ``fn(*args, **kwargs)`` raises ``exception`` with a message that names ``value``."""
    exc = check_raises(exception, fn, *args, **kwargs)
    check(str(value) in str(exc), f"the {exception.__name__} for arguments {args} {kwargs} should name the "
          f"bad value {value!r}, so that its reader knows what to fix; its message was: {exc}")


def _call_here(fn, args, kwargs):
    """Call ``fn`` in this kernel with warnings and stderr muted; return (result, legacy_moved)."""
    before = bridge._legacy_snapshot()
    with warnings.catch_warnings(), np.errstate(all="ignore"), contextlib.redirect_stderr(io.StringIO()):
        warnings.simplefilter("ignore")
        result = fn(*args, **kwargs)
    return result, bridge._legacy_snapshot() != before


_LAST_CALL = {"legacy_moved": False, "depth": 0}


def call(fn, *args, **kwargs):
    """Call a student's function with the test's arguments; return its result.

    In the student's kernel (JupyterLab, nbval) the function is called directly;
    during autograding it runs in the student's kernel and the result comes back
    as plain data (``initlab.bridge``). A harmless numpy warning of a correct
    answer is muted (nbgrader gives 0 to a test cell that writes to stderr), and
    ``NotImplementedError`` becomes a one-line failure.
    """
    name = getattr(fn, "__name__", "this function")
    if _LAST_CALL["depth"] == 0:  # a wrapper written by the test may call student functions in turn
        _LAST_CALL["legacy_moved"] = False
    _LAST_CALL["depth"] += 1
    try:
        if isinstance(fn, bridge.StudentFunction):
            result, moved = fn.kernel.call(fn.name, args, kwargs)
        elif fn is None or not callable(fn):
            _fail(f"expected a function, got {fn!r}: did you run its answer cell?")
        elif bridge.loopback_enabled():
            result, moved = bridge.loopback(fn, args, kwargs)
        else:
            try:
                result, moved = _call_here(fn, args, kwargs)
            except NotImplementedError:
                _fail(f"{name} is not implemented yet.")
    finally:
        _LAST_CALL["depth"] -= 1
    _LAST_CALL["legacy_moved"] = _LAST_CALL["legacy_moved"] or moved
    return result


def legacy_state_unchanged(fn, *args, **kwargs):
    """Call ``fn``; return (result, whether numpy's global random state was left alone)."""
    result = call(fn, *args, **kwargs)
    return result, not _LAST_CALL["legacy_moved"]


def check_rng_use(fn, *args, **kwargs):
    """Check that a random function draws only from its ``rng`` argument.

    Same seed gives the same result, different seeds give different results,
    and numpy's global random state is not touched.
    """
    first, untouched = legacy_state_unchanged(fn, *args, rng=rng(11), **kwargs)
    check(untouched, "your function used numpy's global random state (np.random.randn, np.random.normal, ...): "
          "draw from the `rng` argument instead, e.g. rng.standard_normal(shape).")
    again = call(fn, *args, rng=rng(11), **kwargs)
    check(close(first, again, rtol=0, atol=0),
          "two calls with generators of the same seed gave different results: "
          "draw only from the `rng` argument (don't create a new generator inside).")
    other = call(fn, *args, rng=rng(12), **kwargs)
    check(not close(first, other, rtol=0, atol=0),
          "generators with different seeds gave the same result: "
          "don't reseed, and draw from the `rng` argument you are given.")


def matches(a, b, rtol=1e-9, atol=1e-12):
    """Whether ``a`` and ``b`` (numbers, arrays, or lists of arrays of any shapes) agree entry by entry."""
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(matches(x, y, rtol, atol) for x, y in zip(a, b))
    try:
        return close(a, b, rtol, atol)
    except AssertionError:
        return False


def _mismatch(a, b, rtol, atol):
    """How far ``a`` is from ``b`` in units of the tolerance (inf when shapes differ)."""
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


def name_mistake(got, expected, mistakes, rtol=1e-9, atol=1e-12):
    """`` This looks like: <mistake>.`` for the one of ``mistakes`` {description: the value it gives}
    closest to ``got`` within tolerance (a mistake that gives the right value here is skipped), else ``""``."""
    found = [(_mismatch(got, value, rtol, atol), label) for label, value in (mistakes or {}).items()
             if not matches(value, expected, rtol, atol)]
    found = [(distance, label) for distance, label in found if distance <= 1.0]
    return f" This looks like: {min(found)[1]}." if found else ""


def _show(value):
    if isinstance(value, (list, tuple)) and any(np.ndim(v) for v in value):
        return "[" + ", ".join(_show(v) for v in value) + "]"
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        return repr(value)[:200]
    return f"{float(arr):.6g}" if arr.ndim == 0 else np.array2string(arr, threshold=12, precision=6)


def check_value(got, expected, what, mistakes=None, rtol=1e-9, atol=1e-12):
    """Fail unless ``got`` matches ``expected``; the message names the mistake ``got`` matches, if any.

    ``what`` says what was computed (e.g. the call); ``mistakes`` maps a description of a plausible
    mistake to the value that mistake would give for the same inputs.
    """
    if not matches(got, expected, rtol, atol):
        hint = name_mistake(got, expected, mistakes, rtol, atol)
        _fail(f"{what} should be {_show(expected)}, got {_show(got)}.{hint}")


def check_choice(answer, name, correct=None, why="", options="abcd"):
    """A multiple-choice answer: one letter of ``options``; with ``correct``, that letter (else ``why``)."""
    letters = ", ".join(f'"{o}"' for o in options)
    check(isinstance(answer, str) and len(answer) == 1 and answer in options,
          f"{name} should be one of {letters} (a one-letter string), got {answer!r}.")
    check(correct is None or answer == correct, f"not quite: {why}")


# A sample of >= 20,000 entries: its kurtosis E[(x-mu)^4]/Var^2 is within the tolerance of the distribution's
# (false alarm rate far below 1e-9), and no entry lies beyond the bound (in standard deviations).
DISTRIBUTIONS = {
    "normal": {"kurtosis": 3.0, "tolerance": 0.3, "bound": None, "called": "a normal"},
    "truncated_normal": {"kurtosis": 2.3655, "tolerance": 0.2, "bound": 2 / 0.87962566103423978,
                         "called": "a normal truncated at ±2 of its std"},
    "uniform": {"kurtosis": 1.8, "tolerance": 0.15, "bound": 3 ** 0.5, "called": "a uniform"},
}


def weight_mistakes(variance, n_in, n_out, distribution="normal", **named):
    """The variances of the mistakes every initializer invites, plus ``named`` {description: variance}.

    ``variance(n_in, n_out)`` is the intended variance of an entry.
    """
    v = variance(n_in, n_out)
    mistakes = dict(named)
    mistakes[f"the variance {v:.4g} was used as the standard deviation (missing square root)"] = v * v
    mistakes["the square root was taken twice"] = v ** 0.5
    mistakes["n_in and n_out were swapped (fan_out used for fan_in)"] = variance(n_out, n_in)
    mistakes["the weights were not scaled (a standard normal has variance 1)"] = 1.0
    if distribution == "uniform":
        mistakes["the variance was used as the bound a of U(-a, a)"] = v * v / 3
        mistakes["the standard deviation was used as the bound a of U(-a, a) (a = sqrt(3 * variance))"] = v / 3
        mistakes["the square root is missing: the bound a of U(-a, a) is sqrt(3 * variance), not 3 * variance"] = \
            3 * v * v
        mistakes["a normal with the bound a = sqrt(3 * variance) as its standard deviation (use U(-a, a))"] = 3 * v
    else:
        mistakes["uniform numbers U(-std, std) instead of a normal with that std"] = v / 3
    return mistakes


def check_weight_sample(W, n_in, n_out, variance, distribution="normal", mistakes=None, name="W", slack=1e-9,
                        reach=None):
    """Statistical check of a sampled weight matrix, with a diagnosis of likely mistakes.

    ``variance`` is the intended variance of each entry; ``distribution`` is a key of ``DISTRIBUTIONS``;
    ``mistakes`` maps a description of a plausible mistake to the variance that mistake would produce.
    Tolerances hold for matrices with at least ~20,000 entries (false alarm rate far below 1e-9).
    A bounded distribution's entries may exceed its bound by the relative ``slack``; with ``reach``, the
    largest entry must also come within ``reach`` (relative) of the bound: a distribution cut at the wrong
    place fails even when its variance is within tolerance (for 40,000 entries, 0.002 suits a uniform
    and 0.005 a truncated normal).
    """
    spec = DISTRIBUTIONS[distribution]
    W = as_array(W, name, (n_out, n_in))
    n = W.size
    rel_tol = 8 * (2.0 / n) ** 0.5 + 0.01
    m, v = mean(W), var(W)
    check(abs(m) < 8 * (max(variance, v) / n) ** 0.5 + 1e-12,
          f"{name} should have mean 0, measured {m:.4g} (rng.random and rng.uniform(0, 1) "
          "draw from [0, 1), which has a positive mean).")
    if abs(v / variance - 1) > rel_tol:
        hint = name_mistake(v, variance, mistakes, rtol=rel_tol, atol=0)
        _fail(f"{name} has variance {v:.5g}, expected {variance:.5g} (n_in={n_in}, n_out={n_out}).{hint}")
    k = kurtosis(W)
    if abs(k - spec["kurtosis"]) > spec["tolerance"]:
        looks = min(DISTRIBUTIONS.values(), key=lambda d: abs(d["kurtosis"] - k))
        seems = f"; it looks like {looks['called']}" if looks is not spec else ""
        _fail(f"{name} does not look like {spec['called']} distribution (kurtosis {k:.2f}, "
              f"{spec['called']} has {spec['kurtosis']:g}{seems}).")
    if spec["bound"] is not None:
        bound = spec["bound"] * variance ** 0.5
        largest = max_abs(W)
        check(largest <= bound * (1 + slack), f"{name} has entries up to ±{largest:.4g}, beyond ±{bound:.4g}, the "
              f"bound of {spec['called']} distribution with variance {variance:.4g}.")
        check(reach is None or largest >= bound * (1 - reach), f"{name}'s entries stop at ±{largest:.4g}, short of "
              f"±{bound:.4g}, the bound of {spec['called']} distribution with variance {variance:.4g}: "
              "the distribution is cut at the wrong place.")
    return W


# Non-square layers both ways round (a swapped fan or a transposed shape fails), and numpy integers.
INITIALIZER_SHAPES = ((400, 100), (100, 400), (np.int64(250), np.int64(160)))


def check_initializer(fn, variance, distribution="normal", mistakes=None, shapes=INITIALIZER_SHAPES):
    """What every weight initializer ``fn(n_in, n_out, rng=None)`` must pass, besides its own checks.

    Samples of non-square shapes (either way round, numpy ints) with variance ``variance(n_in, n_out)``
    and the shape of ``distribution``; draws only from ``rng``; ``rng=None`` gives fresh draws.
    ``mistakes(n_in, n_out)`` gives the {description: variance} of the likely mistakes.
    """
    name = getattr(fn, "__name__", "the initializer")
    for seed, (n_in, n_out) in enumerate(shapes, start=3):
        check_weight_sample(call(fn, n_in, n_out, rng=rng(seed)), n_in, n_out, variance(n_in, n_out), distribution,
                            mistakes=mistakes(n_in, n_out) if mistakes else None, name=f"{name}({n_in}, {n_out})")
    check_rng_use(lambda rng: as_array(call(fn, 30, 20, rng=rng)))
    a = as_array(call(fn, 6, 5))
    b = as_array(call(fn, 6, 5))
    check(not close(a, b, rtol=0, atol=0), f"with rng=None two calls of {name} should differ "
          "(use np.random.default_rng(), without a seed).")


def _contiguous(row_mask):
    """Whether the True entries of a 1-D mask form one block of consecutive columns (cyclically)."""
    n, count = row_mask.size, int(row_mask.sum())
    starts = int(np.sum(row_mask & ~np.roll(row_mask, 1)))
    return 0 < count < n and starts == 1


def check_sparse_rows(W, n_in, n_out, k, std, name="W", mistakes=None):
    """Statistical check of a sparse weight matrix of shape (n_out, n_in).

    Every row has exactly min(k, n_in) non-zero entries, in distinct columns chosen at random for each row
    and uniformly over the columns (a chi-square test on the column counts; needs n_out·min(k, n_in)/n_in
    of at least ~50 and n_in >= 20), independently from row to row (the columns two consecutive rows share,
    on average, from 100 rows on), with independent N(0, std²) values (their variance and kurtosis are
    checked from 20,000 values on). ``mistakes`` maps a description of a mistake to the variance of the
    non-zero values it would give. False alarm rate far below 1e-9.
    """
    W = as_array(W, name, (n_out, n_in))
    want = min(int(k), int(n_in))
    nonzero = np.not_equal(W, 0.0)
    counts = np.add.reduce(nonzero, axis=1)
    wrong = np.flatnonzero(counts != want)
    if wrong.size:
        i = int(wrong[0])
        per_column = np.add.reduce(nonzero, axis=0)
        values = W[nonzero]
        if want == n_in and int(k) > n_in:
            hint = " With k >= n_in every entry of a row is non-zero (min(k, n_in) = n_in)."
        elif values.size and np.all(values == np.round(values)):
            hint = (" Every non-zero entry is a whole number: W was probably created with an integer dtype"
                    " (np.zeros(shape, dtype=int)), which cuts the N(0, std²) values down to integers.")
        elif np.ptp(per_column) == 0 and np.ptp(counts) > 0:
            hint = (f" Every column has {int(per_column[0])} non-zeros: the columns (inputs) were given a fixed"
                    " number of non-zeros; it is each row (unit) that has exactly min(k, n_in) of them.")
        elif np.ptp(counts) > 0 and np.any(counts > want):
            hint = (" Drawing each entry non-zero with probability k/n_in gives about k per row, not exactly k:"
                    " choose exactly min(k, n_in) columns per row.")
        elif np.all(counts <= want):
            hint = (" Columns drawn with replacement repeat, and a repeated column counts once: draw distinct"
                    " columns, e.g. rng.choice(n_in, k, replace=False) or rng.permutation(n_in)[:k].")
        else:
            hint = ""
        _fail(f"row {i} of {name} has {int(counts[i])} non-zero entries, expected exactly min(k, n_in) = {want} "
              f"(n_in={n_in}, k={k}).{hint}")
    values = W[nonzero]
    if values.size > 1:
        distinct = np.unique(values).size
        check(distinct > values.size // 2, f"{name} repeats the same non-zero values ({distinct} distinct values "
              f"for {values.size} entries): draw new N(0, std²) values for every row.")
    if 0 < want < n_in:
        check(not np.all(nonzero[:, :want]), f"every row of {name} has its non-zeros in its first "
              f"min(k, n_in) = {want} columns: choose the columns at random for each row.")
        check(not np.all(nonzero == nonzero[0]), f"every row of {name} has its non-zeros in the same columns: "
              "choose the columns anew, at random, for each row.")
        if n_out >= 20:
            blocks = sum(_contiguous(row) for row in nonzero)
            check(blocks < n_out // 2 or want == 1 or want == n_in - 1,
                  f"{blocks} of the {n_out} rows of {name} have their non-zeros in consecutive columns: choose "
                  "min(k, n_in) columns at random (distinct, in any positions), not a block of columns.")
        if n_out >= 100:  # rows drawn independently share about want²/n_in columns (hypergeometric)
            shared = float(np.add.reduce(nonzero[1:] & nonzero[:-1], axis=None)) / (n_out - 1)
            expected_shared = want * want / n_in
            spread = (want * (want / n_in) * (1 - want / n_in) * (n_in - want) / (n_in - 1) / (n_out - 1)) ** 0.5
            check(abs(shared - expected_shared) <= 8 * spread + 0.05,
                  f"consecutive rows of {name} share {shared:.2f} non-zero columns on average, where rows whose "
                  f"columns are chosen independently share about {expected_shared:.2f}: choose the columns of each "
                  "row anew and independently of the other rows, e.g. rng.choice(n_in, k, replace=False) per row.")
        used = np.add.reduce(nonzero, axis=0).astype(np.float64)
        p = want / n_in
        expected = n_out * p
        if n_in >= 20 and expected >= 50:
            stat = float(np.add.reduce((used - expected) ** 2) / (n_out * p * (1 - p)))
            rarest = int(np.argmin(used))
            check(stat <= n_in + 12 * (2 * n_in) ** 0.5 + 10,
                  f"the columns of {name}'s non-zeros are not chosen uniformly: over {n_out} rows each column "
                  f"should be used about {expected:.0f} times, column {rarest} is used {int(used[rarest])} times "
                  f"(chi-square {stat:.0f} for {n_in} columns). Every column must be equally likely, the last "
                  "one included (rng.integers(0, n_in - 1) never draws column n_in - 1).")
    if values.size >= 20_000:
        rel_tol = 8 * (2.0 / values.size) ** 0.5 + 0.01
        m, v, target = mean(values), var(values), float(std) ** 2
        check(abs(m) < 8 * (max(target, v) / values.size) ** 0.5,
              f"the non-zero entries of {name} should have mean 0, measured {m:.4g}.")
        if abs(v / target - 1) > rel_tol:
            hint = name_mistake(v, target, mistakes, rtol=rel_tol, atol=0)
            _fail(f"the non-zero entries of {name} have variance {v:.5g}, expected std² = {target:.5g} "
                  f"(std={std}).{hint}")
        kurt = kurtosis(values)
        check(abs(kurt - 3.0) <= DISTRIBUTIONS["normal"]["tolerance"],
              f"the non-zero entries of {name} do not look normal (kurtosis {kurt:.2f}, a normal has 3; "
              "a uniform has 1.8): draw them from N(0, std²).")
    return W


def passed(name):
    """Print the line a visible test ends with."""
    print(f"All visible tests of {name} passed.")


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
