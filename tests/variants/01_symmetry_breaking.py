"""Implementations the hidden tests of 01_symmetry_breaking must accept (CORRECT) or reject (WRONG).

WRONG maps a function to (source, hint, key) entries: the hint is a piece of the failure
message that should tell the student what went wrong (None: any failure), the key the
misconception its Revisit line names (None: none). The mistakes the hidden tests name
come from the answer key (answerkey/symmetry.py), written once.
"""

from answerkey.symmetry import CHOICES, COUNT
from variants.families import keyed, wrong_choices

CORRECT = {
    "initialize_zeros": [
        """
import numpy as np
def initialize_zeros(layer_dims):
    return {k: v for l in range(1, len(layer_dims))
            for k, v in ((f"W{l}", np.zeros((layer_dims[l], layer_dims[l-1]))),
                         (f"b{l}", np.zeros((layer_dims[l], 1))))}
""",
        """
import numpy as np
def initialize_zeros(layer_dims):
    p = {}
    for l, (n_in, n_out) in enumerate(zip(layer_dims[:-1], layer_dims[1:]), start=1):
        p["W" + str(l)] = np.zeros([n_out, n_in], dtype=np.float64)
        p["b" + str(l)] = np.zeros([n_out, 1])
        print("layer", l, "ok")
    return p
""",
    ],
    "initialize_constant": [
        """
import numpy as np
def initialize_constant(layer_dims, value):
    p = {}
    for l in range(1, len(layer_dims)):
        p[f"W{l}"] = value * np.ones((layer_dims[l], layer_dims[l-1]))
        p[f"b{l}"] = np.zeros((layer_dims[l], 1))
    return p
""",
        """
import numpy as np
def initialize_constant(layer_dims, value):
    p = {}
    for l in range(1, len(layer_dims)):
        p[f"W{l}"] = np.full((layer_dims[l], layer_dims[l-1]), value)
        p[f"b{l}"] = np.zeros((layer_dims[l], 1))
    return p
""",
    ],
    "count_distinct_units": [
        """
import numpy as np
def count_distinct_units(W, atol=1e-6):
    W = np.asarray(W)
    n = W.shape[0]
    seen = []
    for i in range(n):
        if all(np.abs(W[i] - W[j]).max() > atol for j in seen):
            seen.append(i)
    return len(seen)
""",
        """
import numpy as np
def count_distinct_units(W, atol=1e-6):
    reps = np.empty((0, W.shape[1]))
    for row in W:
        if reps.shape[0] == 0 or not np.any(np.all(np.abs(reps - row) <= atol, axis=1)):
            reps = np.vstack([reps, row])
    return int(reps.shape[0])
""",
        """
import numpy as np
def count_distinct_units(W, atol=1e-6):
    distinct = []
    for row in W:
        if not any(np.allclose(row, d, rtol=0, atol=atol) for d in distinct):
            distinct.append(row)
    return np.int64(len(distinct))
""",
    ],
    "initialize_random": [
        """
import numpy as np
def initialize_random(layer_dims, scale=0.01, rng=None):
    if rng is None:
        rng = np.random.default_rng()
    p = {}
    for l in range(1, len(layer_dims)):
        p[f"W{l}"] = rng.normal(0, scale, size=(layer_dims[l], layer_dims[l-1]))
        p[f"b{l}"] = np.zeros((layer_dims[l], 1))
    return p
""",
        """
import numpy as np
import warnings
def initialize_random(layer_dims, scale=0.01, rng=None):
    rng = rng or np.random.default_rng()
    warnings.warn("a harmless warning from a correct answer")
    np.float64(1.0) / np.float64(0.0)
    p = {}
    for l in range(1, len(layer_dims)):
        p["b%d" % l] = np.zeros((layer_dims[l], 1))
        p["W%d" % l] = rng.standard_normal((layer_dims[l], layer_dims[l-1])) * scale
    return p
""",
    ],
    "answer_biases_alone": ['answer_biases_alone = "b"', "answer_biases_alone = 'ab'[1]  # the biases differ"],
    # the grade id the gradebook knows; the question now asks about logistic regression from w = 0
    "answer_random_bias": ['answer_logistic_from_zero = "d"', "answer_logistic_from_zero = 'D'.lower()  # one unit"],
    "answer_constant_layer": ['answer_constant_layer = "c"', "answer_constant_layer = str('c')"],
}

_ZEROS_BODY = """
import numpy as np
def initialize_zeros(layer_dims):
    p = {{}}
    for l in range(1, len(layer_dims)):
        p[f"W{{l}}"] = {W}
        p[f"b{{l}}"] = {b}
    return p
"""
_CONST_BODY = _ZEROS_BODY.replace("initialize_zeros(layer_dims)", "initialize_constant(layer_dims, value)")
_RANDOM_BODY = """
import numpy as np
def initialize_random(layer_dims, scale=0.01, rng=None):
    rng = np.random.default_rng() if rng is None else rng
    p = {{}}
    for l in range(1, len(layer_dims)):
        p[f"W{{l}}"] = {W}
        p[f"b{{l}}"] = np.zeros((layer_dims[l], 1))
    return p
"""
WRONG = keyed({
    "initialize_zeros": [
        (_ZEROS_BODY.format(W="np.zeros((layer_dims[l-1], layer_dims[l]))", b="np.zeros((layer_dims[l], 1))"),
         "transposed", "transposed"),
        (_ZEROS_BODY.format(W="np.zeros((layer_dims[l], layer_dims[l-1]))", b="np.zeros(layer_dims[l])"),
         "b1 has shape", None),
        (_ZEROS_BODY.format(W="np.zeros((layer_dims[l], layer_dims[l-1]))", b="np.ones((layer_dims[l], 1))"),
         "should be 0", None),
        ("""
import numpy as np
def initialize_zeros(layer_dims):
    return {f"W{l}": np.zeros((layer_dims[l], layer_dims[l-1])) for l in range(1, len(layer_dims))}
""", "keys", None),
        ("""
import numpy as np
def initialize_zeros(layer_dims):
    p = {}
    for l in range(len(layer_dims) - 1):
        p[f"W{l}"] = np.zeros((layer_dims[l+1], layer_dims[l]))
        p[f"b{l}"] = np.zeros((layer_dims[l+1], 1))
    return p
""", "keys", None),
        ("""
import numpy as np
def initialize_zeros(layer_dims):
    p = {}
    for l in range(1, len(layer_dims)):
        p[f"W{l}"] = np.zeros((layer_dims[l], layer_dims[l-1]))
        p[f"b{l}"] = np.zeros((layer_dims[l], 1))
""", "return", None),
    ],
    "initialize_constant": [
        (_CONST_BODY.format(W="np.full((layer_dims[l], layer_dims[l-1]), value)",
                            b="np.full((layer_dims[l], 1), value)"), "only", None),
        (_CONST_BODY.format(W="np.full((layer_dims[l-1], layer_dims[l]), value)", b="np.zeros((layer_dims[l], 1))"),
         "transposed", "transposed"),
        (_CONST_BODY.format(W="np.ones((layer_dims[l], layer_dims[l-1]))", b="np.zeros((layer_dims[l], 1))"),
         "every entry", None),
        (_CONST_BODY.format(W="value * np.eye(layer_dims[l], layer_dims[l-1])", b="np.zeros((layer_dims[l], 1))"),
         "every entry", None),
    ],
    # the visible test names the tolerance mistakes in its own words
    "count_distinct_units": COUNT.catalogue(hints={
        "atol was ignored": "atol", "rounding": "largest entry difference", "atol was compared": "norm",
        "the columns": "rows", "the default": "atol", "np.allclose": "rtol", "every row": "distinct rows"},
        keys={"every row": "tolerance"}) + [
        # sorts each row of the caller's W in place
        (COUNT.reference.replace("    reps = []", "    W.sort(axis=1)\n    reps = []"), "in place", "in-place"),
    ],
    "initialize_random": [
        (_RANDOM_BODY.format(W="np.random.randn(layer_dims[l], layer_dims[l-1]) * scale"), "global random state",
         "global-rng"),
        (_RANDOM_BODY.format(W="np.random.default_rng(0).standard_normal((layer_dims[l], layer_dims[l-1])) * scale"),
         "same result", "global-rng"),
        (_RANDOM_BODY.format(W="np.random.default_rng().standard_normal((layer_dims[l], layer_dims[l-1])) * scale"),
         "same seed", "global-rng"),
        ("""
import numpy as np
def initialize_random(layer_dims, scale=0.01, rng=None):
    rng = np.random.default_rng(0) if rng is None else rng
    return {k: v for l in range(1, len(layer_dims)) for k, v in (
        (f"W{l}", scale * rng.standard_normal((layer_dims[l], layer_dims[l-1]))),
        (f"b{l}", np.zeros((layer_dims[l], 1))))}
""", "with rng=None two calls gave the same result", "global-rng"),
        (_RANDOM_BODY.format(W="rng.normal(0, np.sqrt(scale), (layer_dims[l], layer_dims[l-1]))"),
         "scale was used as the variance", "variance-as-std"),
        (_RANDOM_BODY.format(W="rng.normal(0, scale ** 2, (layer_dims[l], layer_dims[l-1]))"),
         "scale**2 was used as the standard deviation", "variance-as-std"),
        (_RANDOM_BODY.format(W="scale * rng.random((layer_dims[l], layer_dims[l-1]))"), "mean 0", None),
        (_RANDOM_BODY.format(W="scale * rng.uniform(-1.7320508, 1.7320508, (layer_dims[l], layer_dims[l-1]))"),
         "normal", "uniform-vs-normal"),
        (_RANDOM_BODY.format(W="scale * rng.standard_normal((layer_dims[l-1], layer_dims[l]))"), "transposed",
         "transposed"),
        (_RANDOM_BODY.format(W="rng.standard_normal((layer_dims[l], layer_dims[l-1]))"), "not multiplied by scale",
         None),
        (_RANDOM_BODY.format(W="scale * np.tile(rng.standard_normal((1, layer_dims[l-1])), (layer_dims[l], 1))"),
         "rows of W1 are identical", "symmetry"),
        (_RANDOM_BODY.format(W="scale * np.full((layer_dims[l], layer_dims[l-1]), rng.standard_normal())"),
         "rows of W1 are identical", "symmetry"),
        ("""
import numpy as np
def initialize_random(layer_dims, scale=1.0, rng=None):
    rng = np.random.default_rng() if rng is None else rng
    return {k: v for l in range(1, len(layer_dims)) for k, v in (
        (f"W{l}", scale * rng.standard_normal((layer_dims[l], layer_dims[l-1]))),
        (f"b{l}", np.zeros((layer_dims[l], 1))))}
""", "default scale", None),
        ("""
import numpy as np
def initialize_random(layer_dims, scale=0.01, rng=None):
    rng = np.random.default_rng() if rng is None else rng
    p = {}
    for l in range(1, len(layer_dims)):
        p[f"W{l}"] = scale * rng.standard_normal((layer_dims[l], layer_dims[l-1]))
        p[f"b{l}"] = scale * rng.standard_normal((layer_dims[l], 1))
    return p
""", "biases", None),
    ],
    "answer_biases_alone": wrong_choices("answer_biases_alone", CHOICES) + [
        ("answer_biases_alone = 'B'", "one of", None)],
    "answer_random_bias": wrong_choices("answer_logistic_from_zero", CHOICES) + [
        ("answer_logistic_from_zero = 'D.'", "one of", None),
        ("answer_logistic_from_zero = None", "one of", None)],
    "answer_constant_layer": wrong_choices("answer_constant_layer", CHOICES) + [
        ("answer_constant_layer = ['c']", "one of", None)],
})

# The basic mistakes the *visible* part of each test cell must already catch and name, as pieces of the hints
# of WRONG above (tests/test_visible_tests.py): a student learns of them before submitting.
VISIBLE = {
    "count_distinct_units": ["atol", "largest entry difference", "norm", "rows", "rtol"],
    "initialize_random": ["global random state", "same result", "same seed", "rng=None",
                          "scale was used as the variance",
                          "scale**2 was used as the standard deviation", "mean 0", "normal", "transposed",
                          "not multiplied by scale", "rows of W1 are identical", "default scale", "biases"],
    "answer_biases_alone": ["one of"],
    "answer_random_bias": ["one of"],
    "answer_constant_layer": ["one of"],
}
