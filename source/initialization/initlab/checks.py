"""Trusted checks for the visible and hidden tests of the notebooks.

The setup cell of every notebook imports this module before any student code
runs. At that moment it takes a snapshot of numpy, the builtins, ``sys`` hooks
and IPython's exception handling, and captures private references to every
function it uses. ``guard()``, the first call of every test cell, puts the
snapshot back, so that an answer cell that patches ``np.allclose``, ``abs``,
``sys.excepthook`` or ``get_ipython().set_custom_exc`` cannot turn a wrong
answer into points. The checks compare plain float64 arrays that they build
themselves, never the objects a student function returned.
"""

import builtins as _builtins
import contextlib as _contextlib
import io as _io
import sys as _sys
import types as _types
import warnings as _warnings

import numpy as _np

# ---------------------------------------------------------------- references
_float64 = _np.float64
_array = _np.array
_ndarray = _np.ndarray
_isfinite = _np.isfinite
_absolute = _np.absolute
_subtract = _np.subtract
_multiply = _np.multiply
_add = _np.add
_divide = _np.divide
_less_equal = _np.less_equal
_sqrt = _np.sqrt
_all = _np.logical_and.reduce
_sum = _np.add.reduce
_max = _np.maximum.reduce
_errstate = _np.errstate
_Generator = _np.random.Generator
_PCG64 = _np.random.PCG64
_legacy_state = _np.random.mtrand._rand.get_state
_float = float
_int = int
_len = len
_isinstance = isinstance
_repr = repr
_range = range
_list = list
_tuple = tuple
_dict = dict
_str = str
_sorted = sorted
_zip = zip
_type = type
_getattr = getattr
_setattr = setattr
_delattr = delattr
_catch_warnings = _warnings.catch_warnings
_simplefilter = _warnings.simplefilter
_redirect_stderr = _contextlib.redirect_stderr
_StringIO = _io.StringIO


# ------------------------------------------------------------------ snapshot
_FULL = ("numpy", "builtins", "math", "operator", "warnings", "initlab", "contextlib", "io")
_CODE_ONLY = ("IPython", "ipykernel", "traceback", "sys")
_IP_KEYS = ("custom_exceptions", "CustomTB", "InteractiveTB", "SyntaxTB", "display_pub", "displayhook",
            "display_trap", "compile", "excepthook")


def _is_code(value):
    return _isinstance(value, (_types.FunctionType, _type, _types.BuiltinFunctionType))


def _take_modules():
    modules = {}
    for name, module in _list(_sys.modules.items()):
        root = name.partition(".")[0]
        if not _isinstance(module, _types.ModuleType) or root not in _FULL + _CODE_ONLY:
            continue
        space = module.__dict__
        if root in _FULL:
            modules[name] = (module, _dict(space))
        else:
            modules[name] = (module, {k: v for k, v in space.items() if _is_code(v)})
    return modules


def _take_object(obj):
    """Snapshot an object and the Python classes it is made of."""
    classes = [c for c in _type(obj).__mro__ if c.__module__.split(".")[0] in ("IPython", "ipykernel")]
    return obj, _dict(obj.__dict__), [(c, _dict(c.__dict__)) for c in classes]


def _take_ipython():
    try:
        ip = get_ipython()
    except NameError:
        return None
    objects = [_take_object(ip)]
    if _getattr(ip, "kernel", None) is not None:
        objects.append(_take_object(ip.kernel))
    return {
        "shell": ip,
        "objects": objects,
        "ast_transformers": _list(ip.ast_transformers),
        "input_transformers_post": _list(ip.input_transformers_post),
        "events": {k: _list(v) for k, v in ip.events.callbacks.items()},
    }


_MODULES = _take_modules()
_SYS_ATTRS = {k: _getattr(_sys, k) for k in ("excepthook", "displayhook", "stdout", "stderr")}
_IPYTHON = _take_ipython()


def _restore_object(obj, saved, classes):
    """Undo patches of an IPython object and its classes; return what was undone."""
    undone = []
    space = obj.__dict__
    for key in _list(space.keys()):
        shadowed = _getattr(_type(obj), key, None)
        if key not in saved and shadowed is not None and callable(shadowed):
            del space[key]  # an instance attribute hiding a method, e.g. ip.showtraceback = ...
            undone.append(key)
    for key, value in saved.items():
        if (key in _IP_KEYS or _is_code(value) or _isinstance(value, _types.MethodType)) \
                and space.get(key, guard) is not value:
            space[key] = value
            undone.append(key)
    for cls, cls_saved in classes:
        for key, value in cls_saved.items():
            if cls.__dict__.get(key, guard) is not value:
                _setattr(cls, key, value)
                undone.append(f"{cls.__name__}.{key}")
        for key in _list(cls.__dict__.keys()):
            if key not in cls_saved:
                _delattr(cls, key)
                undone.append(f"{cls.__name__}.{key}")
    return undone


TAMPER_MARK = "[initlab.guard] tampering undone:"


def _same(a, b):
    """Identity, or the same bound method (IPython re-binds sys.excepthook for every cell)."""
    if a is b:
        return True
    return (_type(a) is _types.MethodType and _type(b) is _types.MethodType
            and a.__func__ is b.__func__ and a.__self__ is b.__self__)


def _restore():
    """Put the snapshot back; return what had been patched in IPython, the kernel or sys hooks."""
    undone = [k for k, v in _SYS_ATTRS.items() if k.endswith("hook") and not _same(_getattr(_sys, k), v)]
    if _sys.gettrace() is not None or _sys.getprofile() is not None:
        undone.append("sys.settrace/setprofile")  # a tracer can skip the lines of a test
        _sys.settrace(None)
        _sys.setprofile(None)
    for name, (module, saved) in _MODULES.items():
        _sys.modules[name] = module
        space = module.__dict__
        for key, value in saved.items():
            if space.get(key, guard) is not value:
                space[key] = value
    for key, value in _SYS_ATTRS.items():
        _setattr(_sys, key, value)
    snap = _IPYTHON
    if snap is not None:
        for obj, saved, classes in snap["objects"]:
            undone += _restore_object(obj, saved, classes)
        ip = snap["shell"]
        for key in ("ast_transformers", "input_transformers_post"):
            if _getattr(ip, key) != snap[key]:
                _getattr(ip, key)[:] = snap[key]
                undone.append(key)
        for key, value in snap["events"].items():
            ip.events.callbacks[key][:] = value
    return undone


def _report(undone):
    if undone:
        print(TAMPER_MARK, ", ".join(_sorted(set(undone))))


_TEST = {}  # the namespace of the running test cell, and its names when guard() was called


def guard():
    """Undo every patch of numpy, builtins, sys hooks and IPython made since import.

    Call it first in every test cell. It also restores this module, so that a
    rebound check function is put back before it is used. Patches of IPython,
    the kernel, sys hooks or the notebook's ``__builtins__`` are reported on
    stdout; the autograder then scores the test cell 0. It also notes the
    notebook's names, so that ``call`` can hide the test's own from the student.
    """
    undone = _restore()
    caller = _sys._getframe(1)
    if caller.f_builtins is not _builtins.__dict__ or \
            caller.f_globals.get("__builtins__", _builtins) not in (_builtins, _builtins.__dict__):
        undone.append("__builtins__ of the notebook")  # rebound in the namespace, not patched in the module
        caller.f_globals["__builtins__"] = _builtins
    _TEST["ns"] = caller.f_globals
    _TEST["before"] = _dict(caller.f_globals)
    _TEST["file"] = caller.f_code.co_filename
    _report(undone)


# -------------------------------------------------------------- conversions
def _fail(message):
    raise AssertionError(message)


def as_array(value, name="the result", shape=None):
    """Return ``value`` as a fresh float64 ndarray, or fail with a clear message."""
    if value is None:
        _fail(f"{name} is None: did you forget a `return` statement?")
    if _isinstance(value, (_dict, _str)):
        _fail(f"{name} should be a numpy array, got a {_type(value).__name__}.")
    try:
        arr = _array(value, dtype=_float64, copy=True)
    except (TypeError, ValueError) as exc:
        _fail(f"{name} could not be read as an array of numbers ({_type(value).__name__}): {exc}")
    if shape is not None and arr.shape != _tuple(shape):
        hint = ""
        if arr.shape == _tuple(shape)[::-1]:
            hint = " (transposed: W^[l] has shape (n_out, n_in) = (fan_out, fan_in))"
        _fail(f"{name} has shape {arr.shape}, expected {_tuple(shape)}{hint}.")
    if not _all(_isfinite(arr), axis=None):
        _fail(f"{name} contains NaN or infinite values.")
    return arr


def as_float(value, name="the result"):
    """Return ``value`` as a plain Python float, or fail with a clear message."""
    arr = as_array(value, name)
    if arr.size != 1:
        _fail(f"{name} should be a single number, got an array of shape {arr.shape}.")
    return _float(arr.reshape(-1)[0])


def as_int(value, name="the result"):
    """Return ``value`` as a plain Python int, or fail if it is not a whole number."""
    number = as_float(value, name)
    if number != _int(number):
        _fail(f"{name} should be a whole number, got {number!r}.")
    return _int(number)


def as_list(value, name="the result", length=None):
    """Return a plain list copy of ``value``; fail unless it is a list or tuple."""
    if not _isinstance(value, (_list, _tuple)):
        _fail(f"{name} should be a list, got {_type(value).__name__}.")
    items = [item for item in _list.__iter__(_list(value))]
    if length is not None and _len(items) != length:
        _fail(f"{name} has length {_len(items)}, expected {length}.")
    return items


def as_params(value, layer_dims, name="the parameters"):
    """Check a parameter dict (W1, b1, ..., WL, bL) and return float64 copies."""
    if value is None:
        _fail(f"{name} is None: did you forget a `return` statement?")
    if not _isinstance(value, _dict):
        _fail(f"{name} should be a dict with keys 'W1', 'b1', ..., got {_type(value).__name__}.")
    n_layers = _len(layer_dims) - 1
    expected = _sorted([f"W{i}" for i in _range(1, n_layers + 1)] + [f"b{i}" for i in _range(1, n_layers + 1)])
    keys = _sorted(_str(k) for k in _dict.keys(value))
    if keys != expected:
        _fail(f"{name} has keys {keys}, expected {expected} for layer_dims={_list(layer_dims)}.")
    out = {}
    for i in _range(1, n_layers + 1):
        n_out, n_in = layer_dims[i], layer_dims[i - 1]
        out[f"W{i}"] = as_array(_dict.__getitem__(value, f"W{i}"), f"W{i}", (n_out, n_in))
        out[f"b{i}"] = as_array(_dict.__getitem__(value, f"b{i}"), f"b{i}", (n_out, 1))
    return out


# ---------------------------------------------------------------- statistics
def mean(a):
    """Mean of every entry, computed with ufuncs only."""
    a = as_array(a)
    return _float(_sum(a, axis=None) / a.size)


def var(a):
    """Population variance (ddof=0) of every entry, computed with ufuncs only."""
    a = as_array(a)
    centred = _subtract(a, _sum(a, axis=None) / a.size)
    return _float(_sum(_multiply(centred, centred), axis=None) / a.size)


def kurtosis(a):
    """E[(x-mu)^4] / Var^2: 3 for a normal, 1.8 for a uniform distribution."""
    a = as_array(a)
    centred = _subtract(a, _sum(a, axis=None) / a.size)
    sq = _multiply(centred, centred)
    v = _sum(sq, axis=None) / a.size
    return _float(_sum(_multiply(sq, sq), axis=None) / a.size / (v * v))


def max_abs(a):
    """Largest absolute entry."""
    return _float(_max(_absolute(as_array(a)), axis=None))


def close(actual, expected, rtol=1e-7, atol=1e-12):
    """True when every entry of two same-shaped arrays agrees within tolerance."""
    a = as_array(actual)
    b = as_array(expected)
    if a.shape != b.shape:
        return False
    bound = _add(atol, _multiply(rtol, _absolute(b)))
    return bool(_all(_less_equal(_absolute(_subtract(a, b)), bound), axis=None))


def rng(seed):
    """A fresh numpy Generator built from trusted references."""
    return _Generator(_PCG64(seed))


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
        shown = (f"\n  got:      {_np.array2string(a, threshold=12, precision=6)}"
                 f"\n  expected: {_np.array2string(b, threshold=12, precision=6)}")
        _fail(message + shown)


def check_raises(exception, fn, *args, **kwargs):
    """Fail unless ``fn(*args, **kwargs)`` raises ``exception``."""
    try:
        call(fn, *args, **kwargs)
    except exception:
        return
    except AssertionError:
        raise
    except Exception as exc:
        _fail(f"expected {exception.__name__} for arguments {args} {kwargs}, got {_type(exc).__name__}: {exc}")
    _fail(f"expected {exception.__name__} for arguments {args} {kwargs}, but nothing was raised.")


def _hide_test_names():
    """Show the student's code the notebook as it was before the test cell; return how to undo it.

    A student function runs with the notebook as its globals: it could read the
    test's expected values or rebind the checks the test calls next.
    """
    ns, before = _TEST.get("ns"), _TEST.get("before")
    if ns is None:
        return {}
    current = _dict(ns)
    for key, value in current.items():
        if key not in before:
            del ns[key]
        elif before[key] is not value:
            ns[key] = before[key]
    return current


def _show_test_names(current):
    ns = _TEST.get("ns")
    if ns is not None and current:
        for key, value in current.items():
            if ns.get(key, _hide_test_names) is not value:
                ns[key] = value


def call(fn, *args, **kwargs):
    """Call a student function with warnings and stderr muted, away from the test's names.

    A harmless numpy warning from a correct answer must not cost points
    (nbgrader gives 0 to a test cell that writes to stderr).
    ``NotImplementedError`` becomes a one-line failure. While the function runs,
    the names the test cell bound are out of its reach; afterwards they, numpy,
    the builtins and IPython are put back (tampering during the call is reported).
    """
    if fn is None or not callable(fn):
        _fail(f"expected a function, got {_repr(fn)}")
    code = _getattr(fn, "__code__", None)
    by_test = code is not None and code.co_filename == _TEST.get("file")  # a wrapper the test cell wrote
    current = {} if by_test else _hide_test_names()
    try:
        with _catch_warnings():
            _simplefilter("ignore")
            with _errstate(all="ignore"), _redirect_stderr(_StringIO()):
                try:
                    return fn(*args, **kwargs)
                except NotImplementedError:
                    _fail(f"{_getattr(fn, '__name__', 'this function')} is not implemented yet.")
    finally:
        _show_test_names(current)
        _report(_restore())


def legacy_state_unchanged(fn, *args, **kwargs):
    """Call ``fn`` and report whether numpy's global (legacy) RNG state was left alone."""
    before = _legacy_state()
    result = call(fn, *args, **kwargs)
    after = _legacy_state()
    same = before[0] == after[0] and bool(_all(before[1] == after[1])) and before[2:] == after[2:]
    return result, same


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


def diagnose_variance(measured, expected, mistakes, rel_tol):
    """Name the mistake whose variance is closest to ``measured``, if any is close."""
    best = None
    for label, value in mistakes.items():
        if value > 0 and abs(measured / value - 1) < rel_tol:
            if best is None or abs(measured / value - 1) < abs(measured / best[1] - 1):
                best = (label, value)
    return f" This looks like: {best[0]}." if best else ""


def check_weight_sample(W, n_in, n_out, variance, distribution="normal", mistakes=None, name="W"):
    """Statistical check of a sampled weight matrix, with a diagnosis of likely mistakes.

    ``variance`` is the intended variance of each entry; ``distribution`` is
    ``"normal"`` or ``"uniform"``; ``mistakes`` maps a description of a plausible
    mistake to the variance that mistake would produce. Tolerances hold for
    matrices with at least ~20,000 entries (false alarm rate far below 1e-9).
    """
    W = as_array(W, name, (n_out, n_in))
    n = W.size
    rel_tol = 8 * (2.0 / n) ** 0.5 + 0.01
    m = mean(W)
    v = var(W)
    check(abs(m) < 8 * (variance / n) ** 0.5 + 1e-12,
          f"{name} should have mean 0, measured {m:.4g} (rng.random and rng.uniform(0, 1) "
          "draw from [0, 1), which has a positive mean).")
    if abs(v / variance - 1) > rel_tol:
        hint = diagnose_variance(v, variance, mistakes or {}, rel_tol)
        _fail(f"{name} has variance {v:.5g}, expected {variance:.5g} "
              f"(n_in={n_in}, n_out={n_out}).{hint}")
    k = kurtosis(W)
    if distribution == "normal":
        check(abs(k - 3) < 0.3, f"{name} does not look normal (kurtosis {k:.2f}, a normal has 3, a uniform 1.8).")
    elif distribution == "uniform":
        check(abs(k - 1.8) < 0.15, f"{name} does not look uniform (kurtosis {k:.2f}, a uniform has 1.8, a normal 3).")
        bound = (3 * variance) ** 0.5
        check(max_abs(W) <= bound * (1 + 1e-9), f"{name} has entries beyond the bound ±{bound:.4g}.")
    else:
        raise ValueError(f"unknown distribution {distribution!r}")
    return W


def passed(name):
    """Print the line a visible test ends with."""
    print(f"All visible tests of {name} passed.")


# Freeze this module: `initlab.checks.check = ...` raises instead of silently
# replacing a check (guard() also restores it from the snapshot).
class _FrozenModule(_types.ModuleType):
    def __setattr__(self, key, value):
        raise AttributeError(f"initlab.checks is read-only (cannot set {key!r})")

    def __delattr__(self, key):
        raise AttributeError(f"initlab.checks is read-only (cannot delete {key!r})")


_sys.modules[__name__].__class__ = _FrozenModule
_MODULES[__name__] = (_sys.modules[__name__], _dict(_sys.modules[__name__].__dict__))
