"""Implementations the hidden tests of 01_symmetry_breaking must accept (CORRECT) or reject (WRONG).

WRONG maps a function to (source, hint) pairs: the hint is a piece of the failure
message that should tell the student what went wrong (None: any failure).
"""

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
    "answer_random_bias": ['answer_random_bias = "b"', "answer_random_bias = 'b'  # the biases differ"],
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
_COUNT_BODY = """
import numpy as np
def count_distinct_units(W, atol=1e-6):
{body}
"""
# counts greedily: a row is new unless it is {same} as a kept one (the mistakes vary {rows} or {same})
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
    return _REPS.format(rows=rows, same=same)


WRONG = {
    "initialize_zeros": [
        (_ZEROS_BODY.format(W="np.zeros((layer_dims[l-1], layer_dims[l]))", b="np.zeros((layer_dims[l], 1))"),
         "transposed"),
        (_ZEROS_BODY.format(W="np.zeros((layer_dims[l], layer_dims[l-1]))", b="np.zeros(layer_dims[l])"),
         "b1 has shape"),
        (_ZEROS_BODY.format(W="np.zeros((layer_dims[l], layer_dims[l-1]))", b="np.ones((layer_dims[l], 1))"),
         "should be 0"),
        ("""
import numpy as np
def initialize_zeros(layer_dims):
    return {f"W{l}": np.zeros((layer_dims[l], layer_dims[l-1])) for l in range(1, len(layer_dims))}
""", "keys"),
        ("""
import numpy as np
def initialize_zeros(layer_dims):
    p = {}
    for l in range(len(layer_dims) - 1):
        p[f"W{l}"] = np.zeros((layer_dims[l+1], layer_dims[l]))
        p[f"b{l}"] = np.zeros((layer_dims[l+1], 1))
    return p
""", "keys"),
        ("""
import numpy as np
def initialize_zeros(layer_dims):
    p = {}
    for l in range(1, len(layer_dims)):
        p[f"W{l}"] = np.zeros((layer_dims[l], layer_dims[l-1]))
        p[f"b{l}"] = np.zeros((layer_dims[l], 1))
""", "return"),
    ],
    "initialize_constant": [
        (_CONST_BODY.format(W="np.full((layer_dims[l], layer_dims[l-1]), value)",
                            b="np.full((layer_dims[l], 1), value)"), "only"),
        (_CONST_BODY.format(W="np.full((layer_dims[l-1], layer_dims[l]), value)", b="np.zeros((layer_dims[l], 1))"),
         "transposed"),
        (_CONST_BODY.format(W="np.ones((layer_dims[l], layer_dims[l-1]))", b="np.zeros((layer_dims[l], 1))"),
         "every entry"),
        (_CONST_BODY.format(W="value * np.eye(layer_dims[l], layer_dims[l-1])", b="np.zeros((layer_dims[l], 1))"),
         "every entry"),
    ],
    "count_distinct_units": [
        (_COUNT_BODY.format(body="    return len(np.unique(W, axis=0))"), "atol"),
        (_COUNT_BODY.format(body="    return len(np.unique(np.round(W, 6), axis=0))"), "largest entry difference"),
        (_reps(same="np.linalg.norm(row - r) <= atol"), "norm"),
        (_reps(rows="np.asarray(W).T"), "rows"),
        (_reps(same="np.max(np.abs(row - r)) <= 1e-6"), "atol"),
        (_reps(same="np.max(np.abs(np.abs(row) - np.abs(r))) <= atol"), "negative"),
        (_COUNT_BODY.format(body="    return W.shape[0]"), "distinct rows"),
        (_reps(same="np.allclose(row, r, atol=atol)"), "rtol"),
        # sorts each row of the caller's W in place
        (_reps().replace("    reps = []", "    W.sort(axis=1)\n    reps = []"), None),
    ],
    "initialize_random": [
        (_RANDOM_BODY.format(W="np.random.randn(layer_dims[l], layer_dims[l-1]) * scale"), "global random state"),
        (_RANDOM_BODY.format(W="np.random.default_rng(0).standard_normal((layer_dims[l], layer_dims[l-1])) * scale"),
         "same result"),
        (_RANDOM_BODY.format(W="np.random.default_rng().standard_normal((layer_dims[l], layer_dims[l-1])) * scale"),
         "same seed"),
        (_RANDOM_BODY.format(W="rng.normal(0, np.sqrt(scale), (layer_dims[l], layer_dims[l-1]))"),
         "scale used as the variance"),
        (_RANDOM_BODY.format(W="rng.normal(0, scale ** 2, (layer_dims[l], layer_dims[l-1]))"),
         "scale**2 used as the standard deviation"),
        (_RANDOM_BODY.format(W="scale * rng.random((layer_dims[l], layer_dims[l-1]))"), "mean 0"),
        (_RANDOM_BODY.format(W="scale * rng.uniform(-1.7320508, 1.7320508, (layer_dims[l], layer_dims[l-1]))"),
         "normal"),
        (_RANDOM_BODY.format(W="scale * rng.standard_normal((layer_dims[l-1], layer_dims[l]))"), "transposed"),
        (_RANDOM_BODY.format(W="rng.standard_normal((layer_dims[l], layer_dims[l-1]))"), "not multiplied by scale"),
        (_RANDOM_BODY.format(W="scale * np.tile(rng.standard_normal((1, layer_dims[l-1])), (layer_dims[l], 1))"),
         "rows of W1 are identical"),
        (_RANDOM_BODY.format(W="scale * np.full((layer_dims[l], layer_dims[l-1]), rng.standard_normal())"),
         "rows of W1 are identical"),
        ("""
import numpy as np
def initialize_random(layer_dims, scale=1.0, rng=None):
    rng = np.random.default_rng() if rng is None else rng
    return {k: v for l in range(1, len(layer_dims)) for k, v in (
        (f"W{l}", scale * rng.standard_normal((layer_dims[l], layer_dims[l-1]))),
        (f"b{l}", np.zeros((layer_dims[l], 1))))}
""", "default scale"),
        ("""
import numpy as np
def initialize_random(layer_dims, scale=0.01, rng=None):
    rng = np.random.default_rng() if rng is None else rng
    p = {}
    for l in range(1, len(layer_dims)):
        p[f"W{l}"] = scale * rng.standard_normal((layer_dims[l], layer_dims[l-1]))
        p[f"b{l}"] = scale * rng.standard_normal((layer_dims[l], 1))
    return p
""", "biases"),
    ],
    "answer_random_bias": [('answer_random_bias = "a"', "not quite"), ('answer_random_bias = "c"', "own input"),
                           ('answer_random_bias = "d"', "not quite"), ("answer_random_bias = 'B.'", "one of"),
                           ("answer_random_bias = None", "one of")],
}

# The basic mistakes the *visible* part of each test cell must already catch and name, as pieces of the hints
# of WRONG above (tests/test_visible_tests.py): a student learns of them before submitting.
VISIBLE = {
    "count_distinct_units": ["atol", "largest entry difference", "norm", "rows", "rtol"],
    "initialize_random": ["global random state", "same result", "same seed", "scale used as the variance",
                          "scale**2 used as the standard deviation", "mean 0", "normal", "transposed",
                          "not multiplied by scale", "rows of W1 are identical", "default scale", "biases"],
    "answer_random_bias": ["one of"],
}
