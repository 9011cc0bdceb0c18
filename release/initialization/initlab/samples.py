"""Statistical checks of random weights, for the test cells (imported from ``initlab.checks``).

A sample of a weight initializer is judged by its mean, its variance (a wrong one is matched against the
mistakes that give it: a variance used as the std, swapped fans, another rule...), the shape of its
distribution (kurtosis) and, for a bounded one, where it stops. The tolerances hold for any seed (false
alarm rate far below 1e-9) for samples of at least ~20,000 entries.
"""

from collections.abc import Callable
from typing import NamedTuple

import numpy as np

from .checks import Mistake, as_array, call, check, check_rng_use, closest_mistake, fail, kurtosis, max_abs, mean, var

# kurtosis E[(x-mu)^4]/Var^2 of each distribution, with the tolerance of a sample of >= 20,000 entries; the bound in
# standard deviations; by default an entry may exceed the bound by the relative ``slack``, and the largest must come
# within ``reach`` of it (for 40,000 entries: 0.002 suits a uniform, 0.005 a truncated normal)
DISTRIBUTIONS = {
    "normal": {"kurtosis": 3.0, "tolerance": 0.3, "bound": None, "called": "a normal", "slack": 0, "reach": None},
    "truncated_normal": {"kurtosis": 2.3655, "tolerance": 0.2, "bound": 2 / 0.87962566103423978,
                         "called": "a truncated normal", "slack": 1e-3, "reach": 0.005, "key": "truncated-normal"},
    "uniform": {"kurtosis": 1.8, "tolerance": 0.15, "bound": 3 ** 0.5, "called": "a uniform", "slack": 1e-9,
                "reach": 0.002, "key": "uniform-vs-normal"},
}


class Rule(NamedTuple):
    """A variance an initializer may be meant to have, or may be given by mistake (``detail``: why)."""

    text: str
    variance: Callable  # (n_in, n_out) -> the variance of an entry
    detail: str = ""


RULES = {
    "lecun": Rule("LeCun's 1/n_in", lambda n_in, n_out: 1 / n_in),
    "glorot": Rule("Glorot's 2/(n_in+n_out)", lambda n_in, n_out: 2 / (n_in + n_out)),
    "he": Rule("He's 2/n_in", lambda n_in, n_out: 2 / n_in),
    "half_glorot": Rule("1/(n_in+n_out)", lambda n_in, n_out: 1 / (n_in + n_out), "Glorot's factor 2 is missing."),
    "backward": Rule("1/n_out", lambda n_in, n_out: 1 / n_out, "1/n_out is the backward condition alone."),
    "arithmetic": Rule("(1/n_in + 1/n_out)/2", lambda n_in, n_out: (1 / n_in + 1 / n_out) / 2,
                       "That is the arithmetic mean; Glorot's compromise is the harmonic mean 2/(n_in+n_out)."),
    "quarter_he": Rule("1/(2·n_in)", lambda n_in, n_out: 1 / (2 * n_in),
                       "randn(n) / sqrt(2n) has variance 1/(2n): the 2 belongs in the numerator, 2/n."),
    "standard": Rule("1/(3·n_in)", lambda n_in, n_out: 1 / (3 * n_in),
                     "That is Glorot and Bengio's 'standard' bound 1/sqrt(n_in), PyTorch's nn.Linear default."),
    "glorot_no_6": Rule("1/(3·(n_in+n_out))", lambda n_in, n_out: 1 / (3 * (n_in + n_out)),
                        "That is the bound sqrt(1/(n_in+n_out)): it misses its 6."),
}


# The rules an initializer meant to follow a rule is likely to follow instead.
CONFUSED = {"lecun": ("glorot", "he"),
            "glorot": ("half_glorot", "lecun", "backward", "arithmetic", "he", "standard", "glorot_no_6"),
            "he": ("lecun", "glorot", "quarter_he", "standard")}


def weight_mistakes(variance, n_in, n_out, distribution="normal", named=None):
    """{Mistake: the variance it gives} for ``named`` mistakes, then those every initializer invites.

    ``variance(n_in, n_out)`` is the intended variance of an entry.
    """
    v = variance(n_in, n_out)
    table = dict(named or {})  # first: a named mistake wins a tie
    table.update({
        Mistake("the variance was used as the std (a missing square root)", "variance-as-std",
                "The standard deviation is the square root of the variance."): v * v,
        Mistake("the square root was taken twice", "variance-as-std"): v ** 0.5,
        Mistake("n_in and n_out were swapped (fan_out used for fan_in)", "fans-swapped"): variance(n_out, n_in),
        Mistake("the weights were not scaled (a standard normal has variance 1)"): 1.0,
    })
    if distribution == "uniform":
        table.update({
            Mistake("the variance was used as the bound a of U(-a, a)", "uniform-vs-normal"): v * v / 3,
            Mistake("the std was used as the bound a of U(-a, a)", "uniform-vs-normal",
                    "The bound of U(-a, a) with that variance is a = sqrt(3 · variance)."): v / 3,
            Mistake("the square root is missing: the bound is a = sqrt(3 · variance)", "variance-as-std"): 3 * v * v,
            Mistake("a normal with the bound a = sqrt(3 · variance) as its standard deviation",
                    "uniform-vs-normal", "Draw U(-a, a): rng.uniform(-a, a, shape)."): 3 * v,
        })
    else:
        table[Mistake("uniform U(-std, std) instead of a normal with that std", "uniform-vs-normal")] = v / 3
    return table


def std_mistakes(std, name):
    """The mistakes of weights meant to be ``std`` · N(0, 1), where the test calls ``std`` ``name``."""
    return {Mistake(f"{name} was used as the variance; it is the std", "variance-as-std",
                    f"{name} · N(0, 1) has variance {name}**2."): std,
            Mistake(f"{name}**2 was used as the standard deviation", "variance-as-std",
                    f"The standard deviation is {name}; the variance is {name}**2."): std ** 4,
            Mistake(f"the weights were not multiplied by {name}"): 1.0,
            Mistake("uniform U(-std, std) instead of a normal with that std", "uniform-vs-normal"): std ** 2 / 3}


def rule_mistakes(rule, n_in, n_out, distribution="normal"):
    """The mistakes of an initializer meant to follow ``RULES[rule]``: the usual ones, and the rules it is likely
    to be confused with (``CONFUSED``)."""
    meant = RULES[rule]
    others = {Mistake(f"{other.text} was used, not {meant.text}", "rule-confused", other.detail):
              other.variance(n_in, n_out) for other in (RULES[name] for name in CONFUSED[rule])}
    return weight_mistakes(meant.variance, n_in, n_out, distribution, others)


def check_weight_sample(W, n_in, n_out, variance, distribution="normal", mistakes=None, name="W", slack=None,
                        reach=None, hidden=False):
    """Statistical check of a sampled weight matrix of shape (n_out, n_in), naming the likely mistake.

    ``variance`` is the intended variance of each entry; ``distribution`` a key of ``DISTRIBUTIONS`` (its
    ``slack`` and ``reach`` unless given); ``mistakes`` maps a ``Mistake`` to the variance it would produce.
    A ``hidden`` check shows no number of the case.
    """
    spec = DISTRIBUTIONS[distribution]
    slack = spec["slack"] if slack is None else slack
    reach = spec["reach"] if reach is None else reach
    W = as_array(W, name, (n_out, n_in))
    n = W.size
    rel_tol = 8 * (2.0 / n) ** 0.5 + 0.01
    m, v = mean(W), var(W)
    shown = "" if hidden else f"{name}: "
    case = f"(A hidden case: {name}.)" if hidden and name != "W" else ""
    check(abs(m) < 8 * (max(variance, v) / n) ** 0.5 + 1e-12, "the weights should have mean 0",
          f"{shown}rng.random and rng.uniform(0, 1) draw from [0, 1), which has a positive mean.")
    if abs(v / variance - 1) > rel_tol:
        found = closest_mistake(v, variance, mistakes, rtol=rel_tol, atol=0)
        values = case if hidden else f"{name}: variance {v:.5g}, expected {variance:.5g} (n_in={n_in}, n_out={n_out})."
        fail(found.text if found else "the weights have the wrong variance", found.detail if found else "", values,
             key=found.key if found else None)
    k = kurtosis(W)
    if abs(k - spec["kurtosis"]) > spec["tolerance"]:
        looks = min(DISTRIBUTIONS.values(), key=lambda d: abs(d["kurtosis"] - k))
        text = (f"the weights' distribution looks like {looks['called']}, not {spec['called']}" if looks is not spec
                else f"the weights do not look like {spec['called']}")
        uniform = DISTRIBUTIONS["uniform"] in (spec, looks)
        fail(text, f"Kurtosis {k:.2f}: a normal has 3, a normal cut at ±2 std 2.37, a uniform 1.8.", case,
             key="uniform-vs-normal" if uniform else "truncated-normal")
    if spec["bound"] is not None:
        bound = spec["bound"] * variance ** 0.5
        largest = max_abs(W)
        values = case if hidden else f"{name}: entries up to ±{largest:.4g}; the bound is ±{bound:.4g}."
        check(largest <= bound * (1 + slack), f"entries lie beyond the bound of {spec['called']}", values,
              key=spec["key"])
        check(reach is None or largest >= bound * (1 - reach),
              f"the entries stop short of the bound of {spec['called']}",
              "The distribution is cut at the wrong place.", values, key=spec["key"])
    return W


# Non-square layers both ways round (a swapped fan or a transposed shape fails), and numpy integers.
INITIALIZER_SHAPES = ((400, 100), (100, 400), (np.int64(250), np.int64(160)))


def check_initializer(fn, rule, distribution="normal", shapes=INITIALIZER_SHAPES, hidden=False):
    """What a weight initializer ``fn(n_in, n_out, rng=None)`` following ``RULES[rule]`` must pass.

    Samples of ``shapes`` (non-square, either way round, numpy ints) with the rule's variance and the shape of
    ``distribution``, drawn only from ``rng`` (``rng=None`` fresh). Returns the first sample, or None for a
    hidden check (the last line of a test cell would otherwise print it into every student's feedback).
    """
    samples = []
    for seed, (n_in, n_out) in enumerate(shapes, start=3):
        W = call(fn, n_in, n_out, rng=np.random.Generator(np.random.PCG64(seed)))
        samples.append(check_weight_sample(W, n_in, n_out, RULES[rule].variance(n_in, n_out), distribution,
                                           rule_mistakes(rule, n_in, n_out, distribution),
                                           "W", hidden=hidden))
    check_rng_use(fn, 30, 20)
    return None if hidden else samples[0]


def _contiguous(row_mask):
    """Whether the True entries of a 1-D mask form one block of consecutive columns (cyclically)."""
    n, count = row_mask.size, int(row_mask.sum())
    starts = int(np.sum(row_mask & ~np.roll(row_mask, 1)))
    return 0 < count < n and starts == 1


def _wrong_count(W, counts, want, n_in, k):
    """(the mistake, how to fix it) that gives rows a number of non-zeros other than ``want``."""
    nonzero = np.not_equal(W, 0.0)
    per_column = np.add.reduce(nonzero, axis=0)
    values = W[nonzero]
    if want == n_in and int(k) > n_in:
        return "with k >= n_in every entry of a row should be non-zero (min(k, n_in) = n_in)", ""
    if values.size and np.all(values == np.round(values)):
        return ("the non-zero entries are whole numbers: W has an integer dtype",
                "np.zeros(shape, dtype=int) cuts the N(0, std²) values down to integers.")
    if np.ptp(per_column) == 0 and np.ptp(counts) > 0:
        return ("every column has the same number of non-zeros; each row (unit) should have min(k, n_in)",
                "The columns are the inputs: it is each row, a unit, that has exactly min(k, n_in) non-zeros.")
    if np.ptp(counts) > 0 and np.any(counts > want):
        return ("about k non-zeros per row, not exactly min(k, n_in)",
                "Drawing each entry non-zero with probability k/n_in gives about k per row: choose exactly "
                "min(k, n_in) columns per row.")
    if np.all(counts <= want):
        return ("repeated columns: choose min(k, n_in) distinct columns per row (replace=False)",
                "Columns drawn with replacement repeat, and a repeated column counts once: "
                "rng.choice(n_in, k, replace=False) or rng.permutation(n_in)[:k].")
    return "a row does not have exactly min(k, n_in) non-zero entries", ""


def check_sparse_rows(W, n_in, n_out, k, std, name="W", mistakes=None, hidden=False):
    """Statistical check of a sparse weight matrix of shape (n_out, n_in).

    Every row has exactly min(k, n_in) non-zero entries, in distinct columns chosen at random for each row
    and uniformly over the columns (a chi-square test on the column counts; needs n_out·min(k, n_in)/n_in
    of at least ~50 and n_in >= 20), independently from row to row (the columns two consecutive rows share,
    on average, from 100 rows on), with independent N(0, std²) values (their variance and kurtosis are
    checked from 20,000 values on). ``mistakes`` maps a ``Mistake`` to the variance of the non-zero values
    it would give. False alarm rate far below 1e-9. Returns W as an array, or None for a hidden check.
    """
    W = as_array(W, name, (n_out, n_in))
    want = min(int(k), int(n_in))
    nonzero = np.not_equal(W, 0.0)
    counts = np.add.reduce(nonzero, axis=1)
    wrong = np.flatnonzero(counts != want)
    if wrong.size:
        text, detail = _wrong_count(W, counts, want, n_in, k)
        i = int(wrong[0])
        fail(text, detail, "" if hidden else f"Row {i} of {name} has {int(counts[i])} non-zero entries, expected "
             f"exactly min(k, n_in) = {want} (n_in={n_in}, k={k}).")
    values = W[nonzero]
    if values.size > 1:
        check(np.unique(values).size > values.size // 2, "the same non-zero values repeat",
              "Draw new N(0, std²) values for every row.")
    if 0 < want < n_in:
        check(not np.all(nonzero[:, :want]), "every row has its non-zeros in its first min(k, n_in) columns",
              "Choose the columns at random for each row.")
        check(not np.all(nonzero == nonzero[0]), "every row has its non-zeros in the same columns",
              "Choose the columns anew, at random, for each row.")
        if n_out >= 20:
            blocks = sum(_contiguous(row) for row in nonzero)
            check(blocks < n_out // 2 or want == 1 or want == n_in - 1,
                  "rows have their non-zeros in a block of consecutive columns",
                  "Choose min(k, n_in) columns at random (distinct, in any positions), not a block of columns.")
        if n_out >= 100:  # rows drawn independently share about want²/n_in columns (hypergeometric)
            shared = float(np.add.reduce(nonzero[1:] & nonzero[:-1], axis=None)) / (n_out - 1)
            expected_shared = want * want / n_in
            spread = (want * (want / n_in) * (1 - want / n_in) * (n_in - want) / (n_in - 1) / (n_out - 1)) ** 0.5
            check(abs(shared - expected_shared) <= 8 * spread + 0.05,
                  "the columns of the rows are not chosen independently",
                  f"Consecutive rows share {shared:.2f} non-zero columns on average; rows whose columns are chosen "
                  f"independently share about {expected_shared:.2f}. Choose each row's columns anew, e.g. "
                  "rng.choice(n_in, k, replace=False) per row.")
        used = np.add.reduce(nonzero, axis=0).astype(np.float64)
        p = want / n_in
        expected = n_out * p
        if n_in >= 20 and expected >= 50:
            stat = float(np.add.reduce((used - expected) ** 2) / (n_out * p * (1 - p)))
            rarest = int(np.argmin(used))
            check(stat <= n_in + 12 * (2 * n_in) ** 0.5 + 10, "the columns are not chosen uniformly",
                  "Every column must be equally likely, the last one included (rng.integers(0, n_in - 1) never "
                  f"draws column n_in - 1). Column {rarest} is used {int(used[rarest])} times in {n_out} rows, "
                  f"where about {expected:.0f} are expected.")
    if values.size >= 20_000:
        rel_tol = 8 * (2.0 / values.size) ** 0.5 + 0.01
        m, v, target = mean(values), var(values), float(std) ** 2
        check(abs(m) < 8 * (max(target, v) / values.size) ** 0.5, "the non-zero entries should have mean 0")
        if abs(v / target - 1) > rel_tol:
            found = closest_mistake(v, target, mistakes, rtol=rel_tol, atol=0)
            values_shown = "" if hidden else f"{name}: variance {v:.5g}, expected std² = {target:.5g} (std={std})."
            fail(found.text if found else "the non-zero entries do not have variance std²",
                 found.detail if found else "", values_shown, key=found.key if found else None)
        kurt = kurtosis(values)
        check(abs(kurt - 3.0) <= DISTRIBUTIONS["normal"]["tolerance"], "the non-zero entries do not look normal",
              f"Kurtosis {kurt:.2f}; a normal has 3, a uniform 1.8: draw them from N(0, std²).",
              key="uniform-vs-normal")
    return None if hidden else W
