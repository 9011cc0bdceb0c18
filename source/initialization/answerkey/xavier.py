"""Answer key of 03_xavier_derivation: variances of products and layers, predicted and measured."""

import numpy as np
from initlab.checks import rng
from initlab.named_mistakes import FORWARD_VARIANCES as F
from initlab.named_mistakes import LINEAR_OUTPUT_VARIANCE as O
from initlab.named_mistakes import MEASURE_FORWARD_VARIANCES as M
from initlab.named_mistakes import VARIANCE_OF_PRODUCT as V

from .common import Answer, case, cases_of, formula, not_quite, wrong

__all__ = ["CHOICES", "FORWARD_CASES", "FORWARD_VARIANCES", "LINEAR_OUTPUT_VARIANCE", "MEASURE_FORWARD",
           "VARIANCE_OF_PRODUCT", "case", "cases_of", "fwd", "meas", "measure_cases"]

_VOP = "mean_x, var_x, mean_y, var_y"


def _product(mistake, expr):
    return wrong(mistake, formula("variance_of_product", _VOP, expr))


VARIANCE_OF_PRODUCT = Answer("variance_of_product", formula(
    "variance_of_product", _VOP, "mean_x**2 * var_y + var_x * mean_y**2 + var_x * var_y"), [
    _product(V.no_cross, "var_x * var_y"),
    _product(V.means, "mean_x * var_y + var_x * mean_y + var_x * var_y"),
    _product(V.second_moment, "mean_x**2 * var_y + var_x * mean_y**2 + var_x * var_y + mean_x**2 * mean_y**2"),
    _product(V.own_variance, "mean_x**2 * var_x + var_y * mean_y**2 + var_x * var_y"),
    _product(V.no_product, "mean_x**2 * var_y + var_x * mean_y**2"),
    _product(V.added, "mean_x**2 * var_y + var_x * mean_y**2 + var_x + var_y"),
])

_LOV = "fan_in, var_w, var_in"


def _output(mistake, expr):
    return wrong(mistake, formula("linear_output_variance", _LOV, expr))


LINEAR_OUTPUT_VARIANCE = Answer("linear_output_variance", formula(
    "linear_output_variance", _LOV, "fan_in * var_w * var_in"), [
    _output(O.no_fan_in, "var_w * var_in"), _output(O.no_var_in, "fan_in * var_w"),
    _output(O.no_var_w, "fan_in * var_in"), _output(O.fan_in_squared, "fan_in ** 2 * var_w * var_in"),
    _output(O.root, "np.sqrt(fan_in * var_w * var_in)"), _output(O.added, "fan_in + var_w + var_in"),
])

# forward_variances: a template with the first second moment, each term and the next moment as parameters
_FWD = """
import numpy as np
def forward_variances(layer_dims, weight_vars, input_var, activation={default}):
    if activation not in ("linear", "tanh", "relu"):
        {reject}
    out = []
    second = {first}
    for l in range(1, len(layer_dims)):
        out.append({term})
        second = {nxt}
    return np.array(out)
"""
_FWD_OK = dict(default='"tanh"', reject="raise ValueError(activation)", first="input_var",
               term="layer_dims[l-1] * weight_vars[l-1] * second",
               nxt="out[-1] / 2 if activation == 'relu' else out[-1]")


def fwd(**changes):
    """forward_variances with some parts of the reference replaced."""
    return _FWD.format(**{**_FWD_OK, **changes})


FORWARD_VARIANCES = Answer("forward_variances", fwd(), [
    wrong(F.fan_out, fwd(term="layer_dims[l] * weight_vars[l-1] * second")),
    wrong(F.halved_first, fwd(first="input_var / 2 if activation == 'relu' else input_var")),
    wrong(F.not_halved, fwd(nxt="out[-1]")),
    wrong(F.halved_always, fwd(nxt="out[-1] / 2")),
    wrong(F.no_input_var, fwd(first="1.0")),
])

FORWARD_CASES = [case(f"{len(dims) - 1} layers, {act}", dims, vs, v0, act) for dims, vs, v0, act in (
    ([4, 6, 3, 5], [0.2, 0.5, 0.1], 2, "relu"), ([4, 6, 3, 5], (0.2, 0.5, 0.1), 2.0, "tanh"),
    ([3, 8, 2, 7, 4], np.array([0.3, 0.05, 0.9, 0.2]), 1.5, "linear"), ([7, 3], [0.4], 3.0, "relu"),
    ([5, 9, 2], (1, 2), 1, "relu"))]

# measure_forward_variances: a template with the input, z, the variance taken and the next a as parameters
_MEAS = """
import numpy as np
def measure_forward_variances(X, params, activation="tanh"):
    g = {{"linear": lambda z: z, "tanh": np.tanh, "relu": lambda z: np.maximum(0, z)}}
    if activation not in g:
        {reject}
    a = {a0}
    out = []
    L = len(params) // 2
    for l in range(1, L + 1):
        z = {z}
        out.append({v})
        a = {a}
    return np.array(out)
"""
_MEAS_OK = dict(reject="raise ValueError(activation)", a0="X", z='params["W" + str(l)] @ a + params["b" + str(l)]',
                v="np.var(z)", a="g[activation](z)")


def meas(**changes):
    """measure_forward_variances with some parts of the reference replaced."""
    return _MEAS.format(**{**_MEAS_OK, **changes})


MEASURE_FORWARD = Answer("measure_forward_variances", meas(), [
    wrong(M.ddof, meas(v="np.var(z, ddof=1)")),
    wrong(M.rows, meas(v="np.var(z, axis=1).mean()")),
    wrong(M.columns, meas(v="np.mean(np.var(z, axis=0))")),
    wrong(M.var_of_a, meas(v="np.var(g[activation](z))")),
    wrong(M.no_bias, meas(z='params["W" + str(l)] @ a')),
    wrong(M.g_first, meas(a0="g[activation](X)")),
    wrong(M.skip_last, meas(a="g[activation](z) if l < L - 1 else z")),
    wrong(M.tanh_used, meas(a="np.tanh(z)")),
    wrong(M.none_applied, meas(a="z")),
    wrong(M.skip_first, meas(a="g[activation](z) if l > 1 else z")),
    wrong(M.relu_used, meas(a="np.maximum(0, z)")),
])


def measure_cases():
    """Hidden cases of measure_forward_variances: 3 layers (non-zero biases) with each activation, the default
    activation, one layer."""
    g = rng(21)
    dims = [3, 5, 4, 2]
    X = g.standard_normal((3, 4)) + np.array([[1.0], [-2.0], [0.5]])
    params = {}
    for l in range(1, 4):
        params[f"W{l}"] = g.standard_normal((dims[l], dims[l - 1]))
        params[f"b{l}"] = g.standard_normal((dims[l], 1))
    one = {"W1": params["W1"], "b1": params["b1"]}
    return [case(f"3 layers, {act}", X, params, act) for act in ("relu", "tanh", "linear")] + [
        case("3 layers, the default activation (tanh)", X, params), case("one layer, relu", X, one, "relu")]


# the multiple-choice answers: (the right option, {a wrong option: its mistake})
CHOICES = {
    "answer_wide_to_narrow": ("b", {
        "a": not_quite("forward gain n_in·Var(W), backward gain n_out·Var(W)", "fans-swapped"),
        "c": not_quite("the backward gain is n_out·Var(W), with n_out = 10", "fans-swapped"),
        "d": not_quite("a mean of 1/784 and 1/10 is far from both of them", "rule-confused")}),
    "answer_standard_backward": ("b", {
        "a": not_quite("Var U(-a, a) = a²/3: the bound is not the std", "uniform-vs-normal"),
        "c": not_quite("dz^[5] to dz^[1] crosses four layers, not five", "layer-indexing"),
        "d": not_quite("a backward gain of 1/3 shrinks the gradient")}),
    "answer_tanh_gain_depth": ("b", {
        "a": not_quite("the backward gain (25/9)·E[tanh'(z)²] is not 1"),
        "c": not_quite("(25/9)·E[tanh'(z)²] = 1.21 a layer is above 1"),
        "d": not_quite("the backward gain keeps the factor E[tanh'(z)²]", "activation")}),
}
