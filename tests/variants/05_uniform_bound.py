"""Implementations the hidden tests of 05_uniform_bound must accept (CORRECT) or reject (WRONG).

WRONG maps a function to (source, hint, key) entries: the hint is a piece of the failure
message that should tell the student what went wrong (None: any failure), the key the
misconception its Revisit line names (None: none). The mistakes the hidden tests name
come from the answer key (answerkey/uniform.py), initlab.samples.RULES and
initlab.named_mistakes, written once.
"""

from answerkey.common import formula
from answerkey.uniform import CHOICES, UNIFORM_BOUND, UNIFORM_VARIANCE
from initlab.samples import RULES
from variants.families import keyed, uniform_initializer, wrong_choices

_UV = formula("uniform_variance", "a", "{expr}")
_UB = formula("uniform_bound", "variance", "{expr}")
XAVIER_UNIFORM = uniform_initializer("xavier_uniform", "2 / ({n_in} + {n_out})")
HE_UNIFORM = uniform_initializer("he_uniform", "2 / {n_in}")

# variance_scaling: a template with the fans, the three distributions and the checks as parameters
_VS = """
import numpy as np
def variance_scaling(n_in, n_out, scale=1.0, mode="fan_in", distribution="normal", rng=None):
    fans = {{"fan_in": n_in, "fan_out": n_out, "fan_avg": {avg}}}
    {check_mode}
    {check_distribution}
    rng = np.random.default_rng() if rng is None else rng
    n = fans[mode] if mode in fans else (n_in + n_out) / 2
    v = {variance}
    if distribution == "normal":
        return {normal}
    if distribution == "uniform":
        a = {bound}
        return rng.uniform(-a, a, (n_out, n_in))
    {truncated}
"""
_RESAMPLE = """s = np.sqrt(v) / 0.87962566103423978
    W = {draw}(0, s, (n_out, n_in))
    bad = np.abs(W) > {cut}
    while bad.any():
        W[bad] = {draw}(0, s, bad.sum())
        bad = np.abs(W) > {cut}
    return W"""
_VS_OK = dict(
    avg="(n_in + n_out) / 2",
    check_mode='if mode not in fans: raise ValueError(f"unknown mode {mode!r}")',
    check_distribution='if distribution not in ("normal", "uniform", "truncated_normal"): '
                       'raise ValueError("unknown distribution: " + str(distribution))',
    variance="scale / n", normal="rng.normal(0, np.sqrt(v), (n_out, n_in))", bound="np.sqrt(3 * v)",
    truncated=_RESAMPLE.format(draw="rng.normal", cut="2 * s"))


def _vs(**kw):
    return _VS.format(**{**_VS_OK, **kw})


# sparse_init: a template with the choice of columns and the values as parameters
_SP = """
import numpy as np
def sparse_init(n_in, n_out, k, std=1.0, rng=None):
    rng = np.random.default_rng() if rng is None else rng
    m = {m}
    W = np.zeros((n_out, n_in))
    for i in range(n_out):
        cols = {cols}
        W[i, cols] = {values}
    return {result}
"""
_SP_OK = dict(m="min(k, n_in)", cols="rng.choice(n_in, m, replace=False)", values="rng.normal(0, std, m)", result="W")


def _sp(**kw):
    return _SP.format(**{**_SP_OK, **kw})


CORRECT = {
    "uniform_variance": [
        _UV.format(expr="a ** 2 / 3"),
        _UV.format(expr="np.float64(a) * a / 3.0"),
        _UV.format(expr="(2 * a) ** 2 / 12"),
        _UV.format(expr="np.array(np.square(a) / 3)"),
    ],
    "uniform_bound": [
        _UB.format(expr="np.sqrt(3 * variance)"),
        _UB.format(expr="(3.0 * variance) ** 0.5"),
        _UB.format(expr="np.sqrt(3) * np.sqrt(variance)"),
        _UB.format(expr="float(np.sqrt(np.float64(variance) * 3))"),
    ],
    "xavier_uniform": XAVIER_UNIFORM[0],
    "he_uniform": HE_UNIFORM[0],
    "variance_scaling": [
        _vs(),
        # a table of fans, the truncated normal by drawing more than needed and keeping the first inside
        """
import numpy as np
def variance_scaling(n_in, n_out, scale=1.0, mode="fan_in", distribution="normal", rng=None):
    if rng is None:
        rng = np.random.default_rng()
    if mode == "fan_in":
        n = n_in
    elif mode == "fan_out":
        n = n_out
    elif mode == "fan_avg":
        n = (n_in + n_out) / 2.0
    else:
        raise ValueError("mode " + repr(mode) + " is not one of fan_in, fan_out, fan_avg")
    std = np.sqrt(scale / n)
    size = n_out * n_in
    if distribution == "normal":
        return std * rng.standard_normal((n_out, n_in))
    elif distribution == "uniform":
        return np.sqrt(3.0) * std * rng.uniform(-1.0, 1.0, (n_out, n_in))
    elif distribution == "truncated_normal":
        s = std / 0.87962566103423978
        kept = np.empty(0)
        while kept.size < size:
            z = rng.standard_normal(2 * size)
            kept = np.concatenate([kept, z[np.abs(z) <= 2]])
        return s * kept[:size].reshape(n_out, n_in)
    raise ValueError(f"distribution {distribution} is not supported")
""",
        # the truncated normal by the inverse of the normal CDF on [Phi(-2), Phi(2)]
        """
import numpy as np
from scipy.special import ndtr, ndtri
def variance_scaling(n_in, n_out, scale=1.0, mode="fan_in", distribution="normal", rng=None):
    rng = np.random.default_rng() if rng is None else rng
    n = {"fan_in": n_in, "fan_out": n_out, "fan_avg": 0.5 * (n_in + n_out)}.get(mode)
    if n is None:
        raise ValueError(f"bad mode: {mode}")
    variance = scale / n
    if distribution == "normal":
        return rng.normal(0.0, variance ** 0.5, size=(n_out, n_in))
    if distribution == "uniform":
        return rng.uniform(-(3 * variance) ** 0.5, (3 * variance) ** 0.5, size=(n_out, n_in))
    if distribution == "truncated_normal":
        u = rng.uniform(ndtr(-2.0), ndtr(2.0), size=(n_out, n_in))
        return ndtri(u) * variance ** 0.5 / 0.87962566103423978
    raise ValueError(f"bad distribution: {distribution}")
""",
        # scipy's truncnorm with the generator, and a rounded constant (0.8796)
        """
import numpy as np
from scipy.stats import truncnorm
def variance_scaling(n_in, n_out, scale=1.0, mode="fan_in", distribution="normal", rng=None):
    rng = np.random.default_rng() if rng is None else rng
    modes = {"fan_in": n_in, "fan_out": n_out, "fan_avg": (n_in + n_out) / 2}
    if mode not in modes:
        raise ValueError("mode must be fan_in, fan_out or fan_avg, not %s" % mode)
    std = np.sqrt(scale / modes[mode])
    if distribution == "truncated_normal":
        return truncnorm.rvs(-2, 2, scale=std / 0.8796, size=(n_out, n_in), random_state=rng)
    if distribution == "uniform":
        return (rng.random((n_out, n_in)) * 2 - 1) * np.sqrt(3) * std
    if distribution == "normal":
        return rng.normal(scale=std, size=(n_out, n_in))
    raise ValueError("unknown distribution %s" % distribution)
""",
        # the truncated normal drawn with std sqrt(scale/n), cut at ±2 of it, then divided by the constant
        _vs(truncated="""W = rng.normal(0, np.sqrt(v), (n_out, n_in))
    outside = np.abs(W) > 2 * np.sqrt(v)
    while outside.any():
        W[outside] = rng.normal(0, np.sqrt(v), outside.sum())
        outside = np.abs(W) > 2 * np.sqrt(v)
    return W / 0.87962566103423978"""),
    ],
    "sparse_init": [
        _sp(),
        _sp(cols="rng.permutation(n_in)[:m]", values="std * rng.standard_normal(m)"),
        _sp(cols="rng.choice(n_in, m, replace=False, shuffle=False)"),
        """
import numpy as np
def sparse_init(n_in, n_out, k, std=1.0, rng=None):
    rng = np.random.default_rng() if rng is None else rng
    m = min(int(k), int(n_in))
    cols = np.argsort(rng.random((n_out, n_in)), axis=1)[:, :m]
    W = np.zeros((n_out, n_in))
    np.put_along_axis(W, cols, rng.normal(0.0, std, (n_out, m)), axis=1)
    return W
""",
        """
import numpy as np
def sparse_init(n_in, n_out, k, std=1.0, rng=None):
    if rng is None:
        rng = np.random.default_rng()
    base = np.zeros(n_in, dtype=bool)
    base[:min(k, n_in)] = True
    mask = rng.permuted(np.tile(base, (n_out, 1)), axis=1)
    return np.where(mask, rng.normal(0, std, (n_out, n_in)), 0.0)
""",
    ],
    "answer_pytorch_default": ['answer_pytorch_default = "d"', "answer_pytorch_default = 'd'  # (1/3)·(1/2)"],
    "answer_keras_bound": ['answer_keras_bound = "c"', "answer_keras_bound = 'c'  # sqrt(2) * sqrt(3 / (5 * 16 * 32))"],
}

WRONG = keyed({
    "uniform_variance": UNIFORM_VARIANCE.catalogue() + [
        (_UV.format(expr="None"), "return", None),
        (_UV.format(expr="str(a ** 2 / 3)"), None, None),
    ],
    "uniform_bound": UNIFORM_BOUND.catalogue() + [(_UB.format(expr="-np.sqrt(3 * variance)"), None, None)],
    "xavier_uniform": XAVIER_UNIFORM[1] + [
        (uniform_initializer("xavier_uniform", "1 / (3 * {n_in})")[0][0], "standard", "rule-confused"),
        (uniform_initializer("xavier_uniform", "1 / (3 * ({n_in} + {n_out}))")[0][0], RULES["glorot_no_6"].detail,
         "rule-confused"),
        (uniform_initializer("xavier_uniform", "1 / ({n_in} + {n_out})")[0][0], RULES["half_glorot"].detail,
         "rule-confused"),
        (uniform_initializer("xavier_uniform", "2 / {n_in}")[0][0], RULES["he"].text, "rule-confused"),
    ],
    "he_uniform": HE_UNIFORM[1] + [
        (uniform_initializer("he_uniform", "2 / ({n_in} + {n_out})")[0][0], RULES["glorot"].text, "rule-confused"),
        (uniform_initializer("he_uniform", "1 / {n_in}")[0][0], RULES["lecun"].text, "rule-confused"),
        (uniform_initializer("he_uniform", "1 / (3 * {n_in})")[0][0], "standard", "rule-confused"),
    ],
    "variance_scaling": [
        (_vs(truncated="return rng.normal(0, np.sqrt(v), (n_out, n_in))"), "truncated", "truncated-normal"),
        (_vs(truncated=_RESAMPLE.format(draw="rng.normal", cut="2 * s").replace("/ 0.87962566103423978", "")),
         "0.8796 correction is missing", "truncated-normal"),
        (_vs(truncated="s = np.sqrt(v) / 0.87962566103423978\n"
                       "    return np.clip(rng.normal(0, s, (n_out, n_in)), -2 * s, 2 * s)"), "clipped",
         "truncated-normal"),
        (_vs(truncated=_RESAMPLE.format(draw="rng.normal", cut="2 * np.sqrt(v)")), "±2·sqrt(scale/n)",
         "truncated-normal"),
        (_vs(truncated=_RESAMPLE.format(draw="rng.normal", cut="2 * s").replace("/ 0.87962566103423978",
                                                                                "* 0.87962566103423978")),
         "multiplied by 0.8796", "truncated-normal"),
        # a constant that is too far off: 0.9 (the support stops short) or 0.86 (entries beyond the bound)
        (_vs(truncated=_RESAMPLE.format(draw="rng.normal", cut="2 * s").replace("0.87962566103423978", "0.9")),
         "short of", "truncated-normal"),
        (_vs(truncated=_RESAMPLE.format(draw="rng.normal", cut="2 * s").replace("0.87962566103423978", "0.86")),
         "beyond", "truncated-normal"),
        (_vs(truncated="a = np.sqrt(3 * v)\n    return rng.uniform(-a, a, (n_out, n_in))"), "looks like a uniform",
         "uniform-vs-normal"),
        (_vs(normal="rng.uniform(-np.sqrt(3 * v), np.sqrt(3 * v), (n_out, n_in))"), "looks like a uniform",
         "uniform-vs-normal"),
        (_vs(bound="np.sqrt(v)"), "bound", "uniform-vs-normal"),
        (_vs(bound="3 * v"), "square root is missing", "variance-as-std"),
        (_vs(normal="rng.normal(0, v, (n_out, n_in))"), "missing square root", "variance-as-std"),
        (_vs(avg="n_in + n_out"), "average", None),
        (_vs(avg="n_in"), "not n_avg", "fans-swapped"),
        (_vs(variance="1 / n"), "scale was ignored", None),
        (_vs(variance="scale ** 2 / n"), "the scale multiplies the std", "variance-as-std"),
        (_vs(normal="rng.normal(0, np.sqrt(v), (n_in, n_out))"), "transposed", "transposed"),
        (_vs(normal="np.random.normal(0, np.sqrt(v), (n_out, n_in))"), "global random state", "global-rng"),
        (_vs(truncated=_RESAMPLE.format(draw="np.random.normal", cut="2 * s")), "global random state", "global-rng"),
        # one redraw instead of redrawing until every value is inside: about 0.2 % stay outside
        (_vs(truncated="""s = np.sqrt(v) / 0.87962566103423978
    W = rng.normal(0, s, (n_out, n_in))
    bad = np.abs(W) > 2 * s
    W[bad] = rng.normal(0, s, bad.sum())
    return W"""), "beyond", "truncated-normal"),
        # the constant applied to the variance instead of the standard deviation
        (_vs(truncated=_RESAMPLE.format(draw="rng.normal", cut="2 * s").replace(
            "s = np.sqrt(v) / 0.87962566103423978", "s = np.sqrt(v / 0.87962566103423978)")), "not the variance",
         "truncated-normal"),
        (_vs(bound="np.sqrt(6 * v)"), "sqrt(6 · scale/n)", "uniform-vs-normal"),
        (_vs(check_mode="pass"), "ValueError", None),
        (_vs(check_distribution="pass"), "ValueError", None),
        (_vs(check_mode='if mode not in fans: raise ValueError("bad mode")'), "should name", None),
        (_vs(check_distribution='if distribution not in ("normal", "uniform", "truncated_normal"): '
                                'raise KeyError(distribution)'), "not ValueError", None),
        (_vs(check_distribution='if distribution not in ("normal", "uniform", "truncated_normal"): '
                                'raise ValueError("unknown distribution")'), "should name", None),
        # swapped fans: fan_in and fan_out exchanged
        (_vs().replace('"fan_in": n_in, "fan_out": n_out', '"fan_in": n_out, "fan_out": n_in'), "n_out (the fan-out)",
         "fans-swapped"),
        # Keras's default: "normal" means the truncated normal
        (_vs(normal="variance_scaling(n_in, n_out, scale, mode, 'truncated_normal', rng)"), "truncated",
         "truncated-normal"),
        (_vs().replace('distribution="normal"', 'distribution="truncated_normal"'), "default", "truncated-normal"),
        (_vs().replace('scale=1.0', 'scale=2.0'), "default", None),
    ],
    "sparse_init": [
        (_sp(cols="np.arange(m)"), "first", None),
        (_sp(cols="COLS").replace("    W = np.zeros((n_out, n_in))\n",
                                  "    W = np.zeros((n_out, n_in))\n    COLS = rng.choice(n_in, m, replace=False)\n"),
         "same columns", None),
        (_sp(cols="rng.integers(0, n_in, m)"), "replace", None),
        (_sp(cols="rng.choice(n_in, m)"), "replace", None),
        (_sp(m="k", cols="rng.choice(n_in, m, replace=k > n_in)"), "min(k, n_in)", None),
        (_sp(m="k"), "min(k, n_in)", None),
        (_sp(cols="rng.choice(n_in - 1, m, replace=False)"), "column", None),
        (_sp(cols="rng.integers(0, n_in - m + 1) + np.arange(m)"), "consecutive", None),
        # columns that are not random at all: a fixed stride, shifted by one for each row
        (_sp(cols="(i + np.arange(m) * (n_in // m)) % n_in"), "independently", None),
        # one random order of the columns, each row a window of it: the rows are not independent
        (_sp(cols="PERM[(i + np.arange(m)) % n_in]").replace(
            "    W = np.zeros((n_out, n_in))\n", "    W = np.zeros((n_out, n_in))\n    PERM = rng.permutation(n_in)\n"),
         "independently", None),
        # k non-zeros per column (per input, like torch.nn.init.sparse_), not per row
        ("""
import numpy as np
def sparse_init(n_in, n_out, k, std=1.0, rng=None):
    rng = np.random.default_rng() if rng is None else rng
    W = np.zeros((n_out, n_in))
    m = min(k, n_out)
    for j in range(n_in):
        rows = rng.choice(n_out, m, replace=False)
        W[rows, j] = rng.normal(0, std, m)
    return W
""", "each row (unit)", None),
        # an integer matrix: the normal values are cut down to whole numbers
        (_sp().replace("W = np.zeros((n_out, n_in))", "W = np.zeros((n_out, n_in), dtype=int)"), "whole number", None),
        (_sp(values="rng.normal(0, std ** 2, m)"), "missing square root", "variance-as-std"),
        (_sp(values="rng.standard_normal(m)"), "not multiplied by std", None),
        (_sp(values="rng.normal(0, std / np.sqrt(k), m)"), "sqrt(k)", None),
        (_sp(values="rng.uniform(-std, std, m)"), "uniform", "uniform-vs-normal"),
        (_sp(values="VALUES").replace("    W = np.zeros((n_out, n_in))\n",
                                      "    W = np.zeros((n_out, n_in))\n    VALUES = rng.normal(0, std, m)\n"),
         "same non-zero values", None),
        (_sp(cols="np.random.choice(n_in, m, replace=False)"), "global random state", "global-rng"),
        (_sp(values="np.random.normal(0, std, m)"), "global random state", "global-rng"),
        (_sp(result="W.T"), "transposed", "transposed"),
        (_sp().replace("rng = np.random.default_rng() if rng is None else rng", "rng = np.random.default_rng(0)"),
         "different seeds", "global-rng"),
        # a Bernoulli mask: about k non-zeros per row, not exactly k
        ("""
import numpy as np
def sparse_init(n_in, n_out, k, std=1.0, rng=None):
    rng = np.random.default_rng() if rng is None else rng
    mask = rng.random((n_out, n_in)) < min(k, n_in) / n_in
    return np.where(mask, rng.normal(0, std, (n_out, n_in)), 0.0)
""", "exactly", None),
    ],
    "answer_pytorch_default": wrong_choices("answer_pytorch_default", CHOICES) + [
        ("answer_pytorch_default = 'C'", "one of", None), ("answer_pytorch_default = 3 ** -10", "one of", None)],
    "answer_keras_bound": wrong_choices("answer_keras_bound", CHOICES) + [
        ("answer_keras_bound = 0.227", "one of", None)],
})
