"""Answer key of 05_uniform_bound: the variance of U(-a, a) and its inverse, the fans of variance scaling."""

from initlab.named_mistakes import UNIFORM_BOUND as B
from initlab.named_mistakes import UNIFORM_VARIANCE as V

from .common import Answer, case, cases_of, formula, not_quite, wrong

__all__ = ["CHOICES", "FAN", "UNIFORM_BOUND", "UNIFORM_VARIANCE", "case", "cases_of"]


def _variance(mistake, expr):
    return wrong(mistake, formula("uniform_variance", "a", expr))


UNIFORM_VARIANCE = Answer("uniform_variance", formula("uniform_variance", "a", "a ** 2 / 3"), [
    _variance(V.zero_to_a, "a ** 2 / 12"), _variance(V.not_squared, "a / 3"), _variance(V.std, "abs(a) / np.sqrt(3)"),
    _variance(V.density, "a ** 2"), _variance(V.half, "a ** 2 / 2"), _variance(V.twice, "a ** 2 / 6"),
    _variance(V.length, "(2 * a) ** 2 / 3"),
])


def _bound(mistake, expr):
    return wrong(mistake, formula("uniform_bound", "variance", expr))


UNIFORM_BOUND = Answer("uniform_bound", formula("uniform_bound", "variance", "np.sqrt(3 * variance)"), [
    _bound(B.std, "np.sqrt(variance)"), _bound(B.no_root, "3 * variance"), _bound(B.numerator, "np.sqrt(variance / 3)"),
    _bound(B.glorot_6, "np.sqrt(6 * variance)"), _bound(B.length, "np.sqrt(12 * variance)"),
    _bound(B.only_3, "3 * np.sqrt(variance)"),
])

# the n of variance scaling for each mode
FAN = {"fan_in": lambda n_in, n_out: n_in, "fan_out": lambda n_in, n_out: n_out,
       "fan_avg": lambda n_in, n_out: (n_in + n_out) / 2}


# the multiple-choice answers: (the right option, {a wrong option: its mistake})
CHOICES = {
    "answer_pytorch_default": ("d", {
        "a": not_quite("ReLU also halves the second moment", "relu-half"),
        "b": not_quite("ReLU halves the second moment; He's 2 is not here", "relu-half"),
        "c": not_quite("the fan-in cancels: n_in · 1/(3 n_in) = 1/3", "variance-algebra")}),
    "answer_keras_bound": ("c", {
        "a": not_quite("Keras's bound; PyTorch reads (out, in, kh, kw)", "transposed"),
        "b": not_quite("nonlinearity='relu' multiplies the bound by √2", "relu-half"),
        "d": not_quite("5·5·32 is Keras's fan-out; PyTorch reads its own layout", "fans-swapped")}),
}
