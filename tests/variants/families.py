"""Families of implementations the variant catalogues share.

Every weight initializer ``name(n_in, n_out, rng=None)`` invites the same mistakes: a
variance used as the standard deviation, a root taken twice, swapped fans, a
transposed shape, the global random state, a fixed or fresh seed, a uniform for a
normal, ``rng.random``, no scaling at all. ``normal_initializer`` writes them all from
the standard deviation's formula, with the hint each failure message must contain.
"""

import math


class Variant(tuple):
    """A wrong implementation as the tests read it, ``(source, hint)``, with ``.key``: the misconception
    (``initlab.mistakes``) its failure must name on its ``Revisit:`` line, or None."""

    def __new__(cls, source, hint, key):
        variant = super().__new__(cls, (source, hint))
        variant.key = key
        return variant


def wrong_choices(name, choices):
    """The wrong letters of the multiple-choice answer ``name`` as (source, hint, key), from the answer key's
    CHOICES[name] = (the right letter, {a wrong letter: its Mistake})."""
    return [(f'{name} = "{letter}"', mistake.text, mistake.key) for letter, mistake in sorted(choices[name][1].items())]


def keyed(wrong):
    """WRONG written as {function: [(source, hint, misconception key), ...]} read as ``Variant``s."""
    return {function: [Variant(*entry) for entry in entries] for function, entries in wrong.items()}

_INITIALIZER = """
import numpy as np
def {name}(n_in, n_out, rng=None):
    rng = np.random.default_rng() if rng is None else rng
    return {expr}
"""

_ROW_BY_ROW = """
import numpy as np
def {name}(n_in, n_out, rng=None):
    if rng is None:
        rng = np.random.default_rng()
    W = np.empty((n_out, n_in))
    for k in range(n_out):
        W[k] = rng.standard_normal(n_in) * ({std})
    return W
"""


def initializer(name, expr):
    """The source of an initializer ``name`` that returns ``expr`` (in n_in, n_out, rng, np)."""
    return _INITIALIZER.format(name=name, expr=expr)


def _value(formula, n_in, n_out):
    return eval(formula.format(n_in=n_in, n_out=n_out), {"np": math, "sqrt": math.sqrt})


def normal_initializer(name, std):
    """(correct, wrong) sources of ``name`` drawing N(0, std²) of shape (n_out, n_in); wrong as (source, hint, key).

    ``std`` is a formula with ``{n_in}`` and ``{n_out}`` placeholders, e.g. ``"np.sqrt(1 / {n_in})"``.
    """
    s = std.format(n_in="n_in", n_out="n_out")
    correct = [
        initializer(name, f"rng.normal(0, {s}, (n_out, n_in))"),
        initializer(name, f"rng.standard_normal((n_out, n_in)) * ({s})"),
        initializer(name, f"rng.normal(loc=0.0, scale={s}, size=[n_out, n_in]).astype(np.float64)"),
        _ROW_BY_ROW.format(name=name, std=s),
    ]
    wrong = [
        (initializer(name, f"rng.standard_normal((n_out, n_in)) * ({s}) ** 2"), "missing square root",
         "variance-as-std"),
        (initializer(name, f"rng.normal(0, ({s}) ** 2, (n_out, n_in))"), "missing square root", "variance-as-std"),
        (initializer(name, f"rng.standard_normal((n_out, n_in)) * ({s}) ** 0.5"), "twice", "variance-as-std"),
        (initializer(name, f"rng.standard_normal((n_in, n_out)) * ({s})"), "transposed", "transposed"),
        (initializer(name, f"np.random.randn(n_out, n_in) * ({s})"), "global random state", "global-rng"),
        (initializer(name, f"np.random.normal(0, {s}, (n_out, n_in))"), "global random state", "global-rng"),
        (initializer(name, f"np.random.default_rng(0).standard_normal((n_out, n_in)) * ({s})"), "different seeds",
         "global-rng"),
        (initializer(name, f"np.random.default_rng().standard_normal((n_out, n_in)) * ({s})"), "same seed",
         "global-rng"),
        (initializer(name, f"rng.uniform(-({s}), {s}, (n_out, n_in))"), "uniform", "uniform-vs-normal"),
        (initializer(name, f"rng.uniform(-1, 1, (n_out, n_in)) * 3 ** 0.5 * ({s})"), "normal", "uniform-vs-normal"),
        (initializer(name, f"rng.random((n_out, n_in)) * ({s})"), "mean 0", None),
        (initializer(name, "rng.standard_normal((n_out, n_in))"), "not scaled", None),
    ]
    if not math.isclose(_value(std, 400, 100), _value(std, 100, 400)):
        swapped = std.format(n_in="n_out", n_out="n_in")
        wrong.append((initializer(name, f"rng.standard_normal((n_out, n_in)) * ({swapped})"), "fan_out",
                      "fans-swapped"))
    return correct, wrong


_ROW_BY_ROW_UNIFORM = """
import numpy as np
def {name}(n_in, n_out, rng=None):
    rng = rng if rng is not None else np.random.default_rng()
    bound = np.sqrt(3 * ({variance}))
    rows = [bound * (2 * rng.random(n_in) - 1) for _ in range(n_out)]
    return np.array(rows, dtype=float)
"""


def uniform_initializer(name, variance):
    """(correct, wrong) sources of ``name`` drawing U(-a, a) with a = sqrt(3·variance), of shape (n_out, n_in);
    wrong as (source, hint, key).

    ``variance`` is a formula with ``{n_in}`` and ``{n_out}`` placeholders, e.g. ``"2 / ({n_in} + {n_out})"``.
    """
    v = variance.format(n_in="n_in", n_out="n_out")
    a = f"np.sqrt(3 * ({v}))"
    correct = [
        initializer(name, f"rng.uniform(-{a}, {a}, (n_out, n_in))"),
        initializer(name, f"{a} * (2 * rng.random((n_out, n_in)) - 1)"),
        initializer(name, f"rng.uniform(low=-{a}, high={a}, size=[n_out, n_in]).astype(np.float64)"),
        _ROW_BY_ROW_UNIFORM.format(name=name, variance=v),
    ]
    wrong = [
        (initializer(name, f"rng.uniform(-np.sqrt({v}), np.sqrt({v}), (n_out, n_in))"), "bound", "uniform-vs-normal"),
        (initializer(name, f"rng.uniform(-({v}), {v}, (n_out, n_in))"), "bound", "uniform-vs-normal"),
        (initializer(name, f"rng.uniform(-3 * ({v}), 3 * ({v}), (n_out, n_in))"), "square root is missing",
         "variance-as-std"),
        (initializer(name, f"rng.uniform(-{a}, {a}, (n_in, n_out))"), "transposed", "transposed"),
        (initializer(name, f"rng.uniform(0, {a}, (n_out, n_in))"), "mean 0", None),
        (initializer(name, f"rng.random((n_out, n_in)) * {a}"), "mean 0", None),
        (initializer(name, f"np.random.uniform(-{a}, {a}, (n_out, n_in))"), "global random state", "global-rng"),
        (initializer(name, f"(2 * np.random.rand(n_out, n_in) - 1) * {a}"), "global random state", "global-rng"),
        (initializer(name, f"np.random.default_rng(0).uniform(-{a}, {a}, (n_out, n_in))"), "different seeds",
         "global-rng"),
        (initializer(name, f"np.random.default_rng().uniform(-{a}, {a}, (n_out, n_in))"), "same seed", "global-rng"),
        (initializer(name, f"rng.normal(0, np.sqrt({v}), (n_out, n_in))"), "looks like a normal",
         "uniform-vs-normal"),
        (initializer(name, f"rng.standard_normal((n_out, n_in)) * {a}"), "as its standard deviation",
         "uniform-vs-normal"),
        (initializer(name, "rng.uniform(-1, 1, (n_out, n_in))"), None, None),
        # almost the bound: the variance is within tolerance, the support is too narrow
        (initializer(name, f"rng.uniform(-0.98 * {a}, 0.98 * {a}, (n_out, n_in))"), "short of", "uniform-vs-normal"),
    ]
    if not math.isclose(_value(variance, 400, 100), _value(variance, 100, 400)):
        swapped = variance.format(n_in="n_out", n_out="n_in")
        wrong.append((initializer(name, f"rng.uniform(-1, 1, (n_out, n_in)) * np.sqrt(3 * ({swapped}))"), "fan_out",
                      "fans-swapped"))
    return correct, wrong
