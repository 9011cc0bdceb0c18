"""Answer key of 01_symmetry_breaking: counting distinct units, and the hidden cases."""

import numpy as np
from initlab.checks import rng
from initlab.named_mistakes import COUNT_DISTINCT_UNITS as M

from .common import Answer, case, cases_of, not_quite, wrong

__all__ = ["CHOICES", "COUNT", "case", "cases_of", "count_cases"]

_REPS = """
import numpy as np
def count_distinct_units(W, atol=1e-6):
    reps = []
    for row in {rows}:
        if not any({same} for r in reps):
            reps.append(row)
    return len(reps)
"""


def _reps(rows="W", same="np.max(np.abs(row - r)) <= atol"):
    """A greedy count: a row is new unless it is ``same`` as a kept one."""
    return _REPS.format(rows=rows, same=same)


def _body(body):
    return f"\nimport numpy as np\ndef count_distinct_units(W, atol=1e-6):\n{body}\n"


COUNT = Answer("count_distinct_units", _reps(), [
    wrong(M.atol_ignored, _body("    return len(np.unique(W, axis=0))")),
    wrong(M.rounding, _body("    return len(np.unique(np.round(W, 6), axis=0))")),
    wrong(M.norm, _reps(same="np.linalg.norm(row - r) <= atol")),
    wrong(M.columns, _reps(rows="np.asarray(W).T")),
    wrong(M.default_atol, _reps(same="np.max(np.abs(row - r)) <= 1e-6")),
    wrong(M.negative, _reps(same="np.max(np.abs(np.abs(row) - np.abs(r))) <= atol")),
    wrong(M.every_row, _body("    return W.shape[0]")),
    wrong(M.allclose, _reps(same="np.allclose(row, r, atol=atol)")),
])


def count_cases():
    """The hidden cases of count_distinct_units (non-square, so that counting columns fails)."""
    g = rng(7)
    base, row = g.standard_normal((3, 10)), g.standard_normal(10)
    return [
        case("clusters of near-identical rows", np.repeat(base, [4, 1, 3], axis=0) + 1e-8 * g.standard_normal((8, 10))),
        case("random rows, fewer columns than rows", g.standard_normal((6, 2))),
        case("an all-zero W", np.zeros((5, 3))),
        case("rows whose every entry differs by 0.9·atol", np.vstack([row, row + 0.9e-3]), atol=1e-3),
        case("rows differing by 1.5·atol in one entry", np.vstack([row, row + np.eye(10)[3] * 1.5e-3]), atol=1e-3),
        case("values 1e-10 apart that round differently", np.array([[0.12345649999], [0.1234565001]])),
        case("a row and its negative", np.vstack([row, -row, row])),
        case("entries of size 1000, 5e-6 apart", np.array([[1000.0, 0.0], [1000.0 + 5e-6, 0.0]])),
    ]


# the multiple-choice answers: (the right option, {a wrong option: its mistake}); the graded cell of
# answer_logistic_from_zero keeps the grade id answer_random_bias that the gradebook knows
CHOICES = {
    "answer_biases_alone": ("b", {
        "a": not_quite("units with different biases compute different functions", "symmetry"),
        "c": not_quite("different biases give W^[1]'s rows different gradients", "symmetry"),
        "d": not_quite("four different features fit the moons better than one", "symmetry")}),
    "answer_logistic_from_zero": ("d", {
        "a": not_quite("with one unit, dw = (y_hat - y) x^T / m is not 0", "symmetry"),
        "b": not_quite("one linear unit: its boundary is a straight line"),
        "c": not_quite("each w_k gets its own gradient through its own x_k", "symmetry")}),
    "answer_constant_layer": ("c", {
        "a": not_quite("layer 2's units share input, weights in and out", "symmetry"),
        "b": not_quite("W^[1]'s rows start different and stay different", "symmetry"),
        "d": not_quite("W^[1]'s rows start different and stay different", "symmetry")}),
}
