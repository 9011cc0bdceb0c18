"""Answer key of 06_training_playground: the variance of each initialization, and clipping by the global norm."""

import numpy as np
from initlab.checks import rng
from initlab.named_mistakes import CLIP_BY_GLOBAL_NORM as M

from .common import Answer, case, cases_of, not_quite, wrong

__all__ = ["CHOICES", "CLIP", "VARIANCE", "case", "cases_of", "clip_cases", "clip_with"]

# the variance of a weight of layer (n_in -> n_out) for each random method
VARIANCE = {"small": lambda n_in, n_out: 1e-4, "large": lambda n_in, n_out: 100.0,
            "xavier": lambda n_in, n_out: 2 / (n_in + n_out), "he": lambda n_in, n_out: 2 / n_in}

_CLIP = """
import numpy as np
def clip_by_global_norm(grads, max_norm):
{body}
"""


def clip_with(body):
    """clip_by_global_norm with the given body."""
    return _CLIP.format(body=body)


CLIP = Answer("clip_by_global_norm", clip_with("""    norm = np.sqrt(sum(np.sum(g ** 2) for g in grads.values()))
    scale = min(1.0, max_norm / norm) if norm > 0 else 1.0
    return {k: g * scale for k, g in grads.items()}"""), [
    wrong(M.per_array, clip_with("""    out = {}
    for k, g in grads.items():
        n = np.linalg.norm(g)
        out[k] = g * min(1.0, max_norm / n) if n > 0 else g * 1.0
    return out""")),
    wrong(M.per_entry, clip_with("    return {k: np.clip(g, -max_norm, max_norm) for k, g in grads.items()}")),
    wrong(M.scaled_up, clip_with("""    norm = np.sqrt(sum(np.sum(g ** 2) for g in grads.values()))
    return {k: g * (max_norm / norm) for k, g in grads.items()}""")),
    wrong(M.no_sqrt, clip_with("""    norm = sum(np.sum(g ** 2) for g in grads.values())
    return {k: g * min(1.0, max_norm / norm) for k, g in grads.items()}""")),
    wrong(M.weights_only, clip_with("""    norm = np.sqrt(sum(np.sum(g ** 2) for k, g in grads.items() if "W" in k))
    return {k: g * min(1.0, max_norm / norm) for k, g in grads.items()}""")),
    wrong(M.sum_of_norms, clip_with("""    norm = sum(np.linalg.norm(g) for g in grads.values())
    return {k: g * min(1.0, max_norm / norm) for k, g in grads.items()}""")),
])


def clip_cases():
    """Hidden cases of clip_by_global_norm: 4 random arrays clipped, left alone, exactly at max_norm; large ones
    with an int max_norm; keys other than dW/db; one array; all zeros."""
    g = rng(5)
    grads = {key: g.standard_normal(shape) for key, shape in
             {"dW1": (30, 20), "db1": (30, 1), "dW2": (4, 30), "db2": (4, 1)}.items()}
    norm = float(np.sqrt(sum(np.sum(v ** 2) for v in grads.values())))
    return [case("4 random arrays, clipped", grads, 5.0), case("4 random arrays below max_norm", grads, 2 * norm),
            case("a global norm equal to max_norm", grads, norm),
            case("large gradients, max_norm an int", {k: 40 * v for k, v in grads.items()}, 3),
            case("keys other than dW and db", {"a": np.array([[6.0, 8.0]]), "weights": np.array([[0.0]])}, 5.0),
            case("one array", {"dW1": np.full((3, 2), 7.0)}, 1.5),
            case("all-zero gradients", {"dW1": np.zeros((3, 2)), "db1": np.zeros((3, 1))}, 1.0)]


# the multiple-choice answers: (the right option, {a wrong option: its mistake})
CHOICES = {
    "answer_clip": ("a", {
        "b": not_quite("clipnorm clips each array alone; global_clipnorm uses one norm", "global-norm"),
        "c": not_quite("global_clipnorm shrinks both arrays by one factor", "global-norm"),
        "d": not_quite("the global norm is √(sum of squared norms), not their sum", "global-norm")}),
    "answer_remedy": ("b", {
        "a": not_quite("tiny weights, tiny gradients: read the ratio panel"),
        "c": not_quite("small weights get tiny gradients: read the ratio panel"),
        "d": not_quite("small weights are small, not zero: the ratio is defined")}),
}
