"""Answer key of 04_he_relu: ReLU and its second moment, gradients predicted and measured through a network."""

import numpy as np
from initlab.checks import rng
from initlab.named_mistakes import BACKWARD_VARIANCES as B
from initlab.named_mistakes import MEASURE_BACKWARD_VARIANCES as M
from initlab.named_mistakes import RELU as R
from initlab.named_mistakes import RELU_SECOND_MOMENT as S

from .common import Answer, case, cases_of, formula, not_quite, wrong

__all__ = ["BACKWARD_CASES", "BACKWARD_VARIANCES", "CHOICES", "MEASURE_BACKWARD", "RELU", "RELU_SECOND_MOMENT",
           "back", "case", "cases_of", "meas", "measure_cases", "relu_cases"]


def _relu(mistake, expr):
    return wrong(mistake, formula("relu", "z", expr))


RELU = Answer("relu", formula("relu", "z", "np.maximum(z, 0.0)"), [
    _relu(R.absolute, "np.abs(z)"), _relu(R.derivative, "(z > 0).astype(float)"),
    _relu(R.leaky, "np.maximum(z, 0.01 * z)"), _relu(R.minimum, "np.minimum(z, 0)"),
])


def relu_cases():
    """Hidden cases of relu: arrays of 1 to 3 dimensions with an exact 0, and an integer array."""
    g = rng(7)
    arrays = [g.standard_normal(shape) for shape in ((5,), (4, 7), (3, 2, 6))]
    for z in arrays:
        z.flat[0] = 0.0
    return [case(f"an array of shape {z.shape}", z) for z in arrays] + [case("integers", np.array([[-3, 0, 4]]))]


def _moment(mistake, expr):
    return wrong(mistake, formula("relu_second_moment", "var_z", expr))


RELU_SECOND_MOMENT = Answer("relu_second_moment", formula("relu_second_moment", "var_z", "var_z / 2"), [
    _moment(S.variance, "var_z * (0.5 - 1 / (2 * np.pi))"), _moment(S.no_half, "var_z"),
    _moment(S.std, "np.sqrt(var_z) / 2"), _moment(S.quarter, "var_z / 4"),
    _moment(S.squared_mean, "var_z / (2 * np.pi)"),
])

# backward_variances: a template with the output entry, each step and the order as parameters
_BACK = """
import numpy as np
def backward_variances(layer_dims, weight_vars, output_grad_var, activation={default}):
    if activation not in ("relu", "tanh", "linear"):
        {reject}
    c = 0.5 if activation == "relu" else 1.0
    L = len(layer_dims) - 1
    out = [{top}]
    for l in range(L, 1, -1):
        out.append({step})
    return np.array({result})
"""
_BACK_OK = dict(default='"relu"', reject="raise ValueError(activation)", top="output_grad_var",
                step="c * layer_dims[l] * weight_vars[l - 1] * out[-1]", result="out[::-1]")


def back(**changes):
    """backward_variances with some parts of the reference replaced."""
    return _BACK.format(**{**_BACK_OK, **changes})


BACKWARD_VARIANCES = Answer("backward_variances", back(), [
    wrong(B.fan_in, back(step="c * layer_dims[l - 1] * weight_vars[l - 1] * out[-1]")),
    wrong(B.not_halved, back(step="layer_dims[l] * weight_vars[l - 1] * out[-1]")),
    wrong(B.halved_always, back(step="0.5 * layer_dims[l] * weight_vars[l - 1] * out[-1]")),
    wrong(B.halved_last, back(top="c * output_grad_var")),
    wrong(B.v_shift, back(step="c * layer_dims[l] * weight_vars[l - 2] * out[-1]")),
    wrong(B.reversed, back(result="out")),
    wrong(B.no_output_var, back(top="1.0")),
])

BACKWARD_CASES = [case(f"{len(dims) - 1} layers, {act}", dims, vs, g, act) for dims, vs, g, act in (
    ([4, 6, 3, 5], [0.2, 0.5, 0.1], 2, "relu"), ([4, 6, 3, 5], (0.2, 0.5, 0.1), 2.0, "tanh"),
    ([3, 8, 2, 7, 4], np.array([0.3, 0.05, 0.9, 0.2]), 1.5, "linear"), ([7, 3], [0.4], 3.0, "relu"),
    ([5, 9, 2, 6], (1, 2, 0.5), 1, "relu"), ([64, 128, 256, 512], [2 / 64, 2 / 128, 2 / 256], 1.0, "relu"))]

# measure_backward_variances: a template with the forward pass, the backward step and what is recorded as parameters
_MEAS = """
import numpy as np
def measure_backward_variances(X, params, grad_output, activation={default}):
    fns = {{"relu": (lambda z: np.maximum(z, 0), lambda z: (z > 0) * 1.0),
           "tanh": (np.tanh, lambda z: 1 - np.tanh(z) ** 2),
           "linear": (lambda z: z, lambda z: np.ones_like(z))}}
    if activation not in fns:
        {reject}
    g, dg = fns[{pick}]
    L = len(params) // 2
    a, zs = {a0}, []
    for l in range(1, L + 1):
        zs.append({z})
        a = g(zs[-1])
    dz = {top}
    out = [np.var(dz)]
    for l in range(L, 1, -1):
        da = {da}
        dz = {dz}
        out.append({v})
    return np.array({result})
"""
_MEAS_OK = dict(default='"relu"', reject="raise ValueError(activation)", pick="activation", a0="X",
                z='params[f"W{l}"] @ a + params[f"b{l}"]', top="grad_output", da='params[f"W{l}"].T @ dz',
                dz="da * dg(zs[l - 2])", v="np.var(dz)", result="out[::-1]")


def meas(**changes):
    """measure_backward_variances with some parts of the reference replaced."""
    return _MEAS.format(**{**_MEAS_OK, **changes})


MEASURE_BACKWARD = Answer("measure_backward_variances", meas(), [
    wrong(M.g0, meas(dz="da * (zs[l - 2] >= 0) if activation == 'relu' else da * dg(zs[l - 2])")),
    wrong(M.no_gprime, meas(dz="da")),
    wrong(M.var_da, meas(v="np.var(da)")),
    wrong(M.reversed, meas(result="out")),
    wrong(M.ddof, meas(v="np.var(dz, ddof=1)").replace("out = [np.var(dz)]", "out = [np.var(dz, ddof=1)]")),
    wrong(M.no_bias, meas(z='params[f"W{l}"] @ a')),
    wrong(M.g_first, meas(a0="g(X)")),
    wrong(M.gprime_top, meas(top="grad_output * dg(zs[-1])")),
    wrong(M.tanh_of_a, meas(
        dz="da * (1 - np.tanh(g(zs[l - 2])) ** 2) if activation == 'tanh' else da * dg(zs[l - 2])")),
    wrong(M.relu_used, meas(pick="'relu'")),
    wrong(M.tanh_used, meas(pick="'tanh'")),
])


def measure_cases():
    """Hidden cases of measure_backward_variances: 3 layers of small integers (some z exactly 0, non-zero
    biases) with each activation and the default one, one layer, and a wide He network."""
    g = rng(31)
    dims = [4, 6, 5, 3]
    X = g.integers(-2, 3, size=(4, 7)).astype(float)
    params = {}
    for l in range(1, 4):
        params[f"W{l}"] = g.integers(-2, 3, size=(dims[l], dims[l - 1])).astype(float)
        params[f"b{l}"] = g.integers(-1, 2, size=(dims[l], 1)).astype(float)
    G = g.standard_normal((3, 7))
    wide = {}
    for l in range(1, 5):
        wide[f"W{l}"] = g.standard_normal((300, 300)) * np.sqrt(2 / 300)
        wide[f"b{l}"] = np.zeros((300, 1))
    return [case(f"3 layers, {act}", X, params, G, act) for act in ("relu", "tanh", "linear")] + [
        case("3 layers, the default activation (ReLU)", X, params, G),
        case("one layer", X, {"W1": params["W1"], "b1": params["b1"]}, G[:1].repeat(6, 0)),
        case("a He network of width 300", g.standard_normal((300, 200)), wide, g.standard_normal((300, 200)))]


# the multiple-choice answers: (the right option, {a wrong option: its mistake})
CHOICES = {
    "answer_notes_code": ("c", {
        "a": not_quite("randn(n) / sqrt(2n) has variance 1/(2n), not He's 2/n", "variance-as-std"),
        "b": not_quite("a gain is ½·n·Var(W): count ReLU's ½ and the 1/(2n)", "relu-half"),
        "d": not_quite("the variance 1/(2n) is below He's 2/n: the signal shrinks", "relu-half")}),
    "answer_collapse": ("d", {
        "a": not_quite("LeCun's weights shrink every z^[l]; do the angles change?"),
        "b": not_quite("gain 1 keeps the signal's size, not its direction"),
        "c": not_quite("larger weights grow every z^[l]; do the angles change?")}),
    "answer_narrowing": ("b", {
        "a": not_quite("a backward gain is ½·n_l·2/n_{l-1} = n_l/n_{l-1}", "fans-swapped"),
        "c": not_quite("mind the direction: the product of n_l/n_{l-1} from 2 to 40", "fans-swapped"),
        "d": not_quite("each backward gain is a ratio of widths, not ½", "relu-half")}),
}
