"""Answer key of 02_exploding_vanishing: chains of layers, products of random matrices, the sigmoid's slope."""

import numpy as np
from initlab.checks import rng
from initlab.named_mistakes import LINEAR_CHAIN_BACKWARD as B
from initlab.named_mistakes import LINEAR_CHAIN_FORWARD as F
from initlab.named_mistakes import RANDOM_MATRIX_PRODUCT as P
from initlab.named_mistakes import SCALED_IDENTITY_CHAIN as I
from initlab.named_mistakes import SIGMOID_DERIVATIVE as S

from .common import Answer, case, cases_of, not_quite, wrong

__all__ = ["BACKWARD", "CHOICES", "FORWARD", "IDENTITY", "PRODUCT", "SIGMOID", "backward_cases", "case", "cases_of",
           "forward_cases", "identity_cases", "product", "product_cases", "sigmoid_cases"]

IDENTITY = Answer("scaled_identity_chain", """
import numpy as np
def scaled_identity_chain(scale, depth, n=2):
    return [scale * np.eye(n) for _ in range(depth)]
""", [
    wrong(I.full, """
import numpy as np
def scaled_identity_chain(scale, depth, n=2):
    return [np.full((n, n), scale, dtype=float) for _ in range(depth)]
"""),
    wrong(I.squared, """
import numpy as np
def scaled_identity_chain(scale, depth, n=2):
    return [scale ** 2 * np.eye(n) for _ in range(depth)]
"""),
    wrong(I.unscaled, """
import numpy as np
def scaled_identity_chain(scale, depth, n=2):
    return [np.eye(n) for _ in range(depth)]
"""),
])

FORWARD = Answer("linear_chain_forward", """
import numpy as np
def linear_chain_forward(x, weights):
    out = [x]
    for W in weights:
        out.append(W @ out[-1])
    return out
""", [
    wrong(F.transposed, """
import numpy as np
def linear_chain_forward(x, weights):
    out = [x]
    for W in weights:
        out.append(W.T @ out[-1])
    return out
"""),
    wrong(F.reversed, """
import numpy as np
def linear_chain_forward(x, weights):
    out = [x]
    for W in weights[::-1]:
        out.append(W @ out[-1])
    return out
"""),
    wrong(F.unchained, """
import numpy as np
def linear_chain_forward(x, weights):
    return [x] + [W @ x for W in weights]
"""),
])

BACKWARD = Answer("linear_chain_backward", """
import numpy as np
def linear_chain_backward(weights, grad_output):
    grads = [grad_output]
    for W in reversed(weights):
        grads.append(W.T @ grads[-1])
    return grads[::-1]
""", [
    wrong(B.untransposed, """
import numpy as np
def linear_chain_backward(weights, grad_output):
    g = [grad_output]
    for W in reversed(weights):
        g.append(W @ g[-1])
    return g[::-1]
"""),
    wrong(B.reversed, """
import numpy as np
def linear_chain_backward(weights, grad_output):
    g = [grad_output]
    for W in reversed(weights):
        g.append(W.T @ g[-1])
    return g
"""),
    wrong(B.forward_walk, """
import numpy as np
def linear_chain_backward(weights, grad_output):
    g = [grad_output]
    for W in weights:
        g.append(W.T @ g[-1])
    return g[::-1]
"""),
])

_PRODUCT = """
import numpy as np
def random_matrix_product(M, count, std=1.0, rng=None):
    rng = {rng}
    P = {P0}
    for _ in range(count):
        {step}
    return {result}
"""
_PRODUCT_OK = dict(rng="np.random.default_rng() if rng is None else rng", P0="M.copy()",
                   step="P = P @ (rng.standard_normal(M.shape) * std)", result="P")


def product(**changes):
    """random_matrix_product with some parts of the reference replaced."""
    return _PRODUCT.format(**{**_PRODUCT_OK, **changes})


PRODUCT = Answer("random_matrix_product", product(), [
    wrong(P.left, product(
        step="P = (rng.standard_normal(M.shape) * std) @ P")),
    wrong(P.std_squared, product(
        step="P = P @ (rng.standard_normal(M.shape) * std ** 2)")),
    wrong(P.reversed, """
import numpy as np
def random_matrix_product(M, count, std=1.0, rng=None):
    rng = np.random.default_rng() if rng is None else rng
    G = [rng.standard_normal(M.shape) * std for _ in range(count)]
    P = M.copy()
    for g in reversed(G):
        P = P @ g
    return P
"""),
    wrong(P.no_std, product(step="P = P @ rng.standard_normal(M.shape)")),
    wrong(P.elementwise, product(
        step="P = P * (rng.standard_normal(M.shape) * std)")),
])


def product_cases():
    """Hidden cases of random_matrix_product: 100 factors, other sizes and stds, one factor, none."""
    g = rng(23)
    return [case(f"{count} factors of size {n}", g.standard_normal((n, n)), count, std, rng=rng(seed))
            for n, count, std, seed in ((4, 100, 1.0, 31), (5, 7, 0.3, 32), (2, 3, 2.5, 33), (4, 1, 0.5, 34),
                                        (3, 12, 0.57, 35), (3, 0, 2.0, 36))]


SIGMOID = Answer("sigmoid_derivative", """
import numpy as np
def sigmoid_derivative(z):
    e = np.exp(-np.abs(z))
    return e / (1.0 + e) ** 2
""", [
    wrong(S.sigma, """
import numpy as np
def sigmoid_derivative(z):
    return 1 / (1 + np.exp(-z))
"""),
    wrong(S.tanh, """
import numpy as np
def sigmoid_derivative(z):
    return 1 - np.tanh(z) ** 2
"""),
    wrong(S.plus, """
import numpy as np
def sigmoid_derivative(z):
    s = 1 / (1 + np.exp(-z))
    return s * (1 + s)
"""),
])


def sigmoid_cases():
    """Hidden cases of sigmoid_derivative: arrays of several shapes, and |z| up to 1000 (no overflow to NaN)."""
    g = rng(24)
    return [case("a 2-D array", g.standard_normal((2, 3)) * 3), case("a 3-D array", g.standard_normal((4, 1, 5)) * 10),
            case("z from -1000 to 1000", np.linspace(-1000, 1000, 2001)),
            case("large |z|", np.array([-1000.0, -745.0, -710.0, -40.0, -1e-3, 0.0, 1e-3, 40.0, 710.0, 745.0, 1000.0])),
            case("an integer array", np.array([[0, 1, -3]]))]


def identity_cases():
    """Hidden cases of scaled_identity_chain: negative, int and other scales, n from 1 to 5, depth 0 and 1."""
    return [case(f"depth {depth}, n = {n}", scale, depth, n=n)
            for scale, depth, n in ((0.5, 4, 3), (-0.7, 3, 5), (2, 2, 1), (1.25, 6, 4), (1.5, 0, 2), (1.5, 1, 2))]


def _layers(g):
    """Four square, non-symmetric layers, and four non-square ones 4 -> 6 -> 3 -> 5 -> 2."""
    square, sizes = [g.standard_normal((3, 3)) for _ in range(4)], [4, 6, 3, 5, 2]
    return square, [g.standard_normal((sizes[l + 1], sizes[l])) / 2 for l in range(4)]


def forward_cases():
    """Hidden cases of linear_chain_forward: square and non-square layers, several examples, one layer, none."""
    g = rng(21)
    square, rect = _layers(g)
    return [case("4 square layers", g.standard_normal((3, 1)), square),
            case("4 non-square layers, 7 examples", g.standard_normal((4, 7)), rect),
            case("one layer", g.standard_normal((3, 5)), square[:1]), case("no layer", np.ones((2, 1)), [])]


def backward_cases():
    """Hidden cases of linear_chain_backward: square and non-square layers, several examples, one layer, none."""
    g = rng(22)
    square, rect = _layers(g)
    return [case("4 square layers", square, g.standard_normal((3, 1))),
            case("4 non-square layers, 6 examples", rect, g.standard_normal((2, 6))),
            case("one layer", square[:1], g.standard_normal((3, 2))), case("no layer", [], np.ones((2, 1)))]


# the multiple-choice answers: (the right option, {a wrong option: its mistake})
CHOICES = {
    "answer_vanishing_depth": ("c", {
        "a": not_quite("that is the mean square; the size is asked", "variance-as-std"),
        "b": not_quite("count the powers of s a hidden weight collects", "layer-indexing"),
        "d": not_quite("a factor close to 1 still compounds with depth")}),
    "answer_plateau": ("c", {
        "a": not_quite("doubling α doubles the steps; compare the others", None),
        "b": not_quite("s enters through a power; compare the others", None),
        "d": not_quite("the three change the first step very differently", None)}),
    "answer_stable_std": ("b", {
        "a": not_quite("the factor n is missing: each layer multiplies by n·std²", "variance-algebra"),
        "c": not_quite("(n·std²)^20 multiplies the mean square, not the norm", "variance-as-std"),
        "d": not_quite("the stable variance is 1/n, so the stable std is 1/sqrt(n)", "variance-as-std")}),
    "answer_flat_std": ("b", {
        "a": not_quite("1/√n keeps the mean square, not the thick line", None),
        "c": not_quite("std = 1/n makes n·std² = 1/4: it shrinks", "variance-as-std"),
        "d": not_quite("std = 1/√2 makes n·std² = 2: it grows", "variance-algebra")}),
    "answer_sigmoid_bound": ("d", {
        "a": not_quite("the weights' n·Var(W) counts too, not only σ′ ≤ 1/4", "variance-algebra"),
        "b": not_quite("the sigmoid's σ′ ≈ 1/4 counts too, not only n·Var(W)", "activation"),
        "c": not_quite("n·Var(W) counts too, not only σ′(0)² = 1/16", "variance-algebra")}),
    "answer_centered": ("c", {
        "a": not_quite("the same slope σ′ is not the same saturation", "activation"),
        "b": not_quite("nothing pushes its units toward σ(z) ≈ 1", None),
        "d": not_quite("look at its top layer: not merely slower", None)}),
}
