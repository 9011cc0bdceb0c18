"""Implementations the hidden tests of 02_exploding_vanishing must accept (CORRECT) or reject (WRONG).

WRONG maps a function to (source, hint, key) entries: the hint is a piece of the failure
message that should tell the student what went wrong (None: any failure), the key the
misconception its Revisit line names (None: none). The mistakes the hidden tests name
come from the answer key (answerkey/chains.py), written once.
"""

from answerkey.chains import BACKWARD, CHOICES, FORWARD, IDENTITY, PRODUCT, SIGMOID, product
from variants.families import keyed, wrong_choices

CORRECT = {
    "scaled_identity_chain": [
        """
import numpy as np
def scaled_identity_chain(scale, depth, n=2):
    chain = []
    for _ in range(depth):
        chain.append(np.diag(np.full(n, float(scale))))
    return chain
""",
        """
import numpy as np
def scaled_identity_chain(scale, depth, n=2):
    W = scale * np.identity(n)
    return [W.copy() for _ in range(depth)]
""",
        """
import numpy as np
def scaled_identity_chain(scale, depth, n=2):
    return list(np.eye(n)[None] * np.full((depth, 1, 1), scale, dtype=float))
""",
    ],
    "linear_chain_forward": [
        """
import numpy as np
def linear_chain_forward(x, weights):
    a = [np.array(x, dtype=float)]
    for l in range(1, len(weights) + 1):
        a.append(np.dot(weights[l - 1], a[l - 1]))
    return a
""",
        """
import numpy as np
def linear_chain_forward(x, weights):
    out = [x]
    a = x
    for W in weights:
        a = np.matmul(W, a)
        out.append(a)
    return out
""",
        """
import numpy as np
from itertools import accumulate
def linear_chain_forward(x, weights):
    return list(accumulate(weights, lambda a, W: W @ a, initial=x))
""",
        # x has shape (n_0, m) by the spec: an implementation that relies on it is correct
        """
import numpy as np
def linear_chain_forward(x, weights):
    out = [x]
    for W in weights:
        out.append(np.einsum("ij,jm->im", W, out[-1]))
    return out
""",
    ],
    "linear_chain_backward": [
        """
import numpy as np
def linear_chain_backward(weights, grad_output):
    L = len(weights)
    g = [None] * (L + 1)
    g[L] = grad_output
    for l in range(L, 0, -1):
        g[l - 1] = weights[l - 1].T @ g[l]
    return g
""",
        """
import numpy as np
def linear_chain_backward(weights, grad_output):
    grads = [np.array(grad_output, dtype=float)]
    for W in weights[::-1]:
        grads.insert(0, np.transpose(W).dot(grads[0]))
    return grads
""",
        """
import numpy as np
def linear_chain_backward(weights, grad_output):
    out = [grad_output]
    for W in reversed(weights):
        out.append(np.einsum("ij,i...->j...", W, out[-1]))
    out.reverse()
    return out
""",
    ],
    "random_matrix_product": [
        """
import numpy as np
def random_matrix_product(M, count, std=1.0, rng=None):
    if rng is None:
        rng = np.random.default_rng()
    P = np.array(M, dtype=float)
    n = P.shape[0]
    for _ in range(count):
        P = P @ rng.normal(0.0, std, size=(n, n))
    return P
""",
        """
import numpy as np
from functools import reduce
def random_matrix_product(M, count, std=1.0, rng=None):
    rng = rng or np.random.default_rng()
    n = len(M)
    factors = [std * rng.standard_normal((n, n)) for _ in range(count)]
    return reduce(np.matmul, factors, M.copy())
""",
        """
import numpy as np
def random_matrix_product(M, count, std=1.0, rng=None):
    rng = np.random.default_rng() if rng is None else rng
    n = M.shape[0]
    if count == 0:
        return M + 0.0
    G = rng.standard_normal((count, n, n)) * std   # the same stream as count draws of (n, n)
    return np.linalg.multi_dot([M] + list(G)) if count > 1 else M @ G[0]
""",
    ],
    "sigmoid_derivative": [
        """
import numpy as np
def sigmoid_derivative(z):
    s = 1 / (1 + np.exp(-z))   # warns about an overflow at z = -1000, harmless
    return s * (1 - s)
""",
        """
import numpy as np
def sigmoid_derivative(z):
    return np.exp(-np.logaddexp(0, -z) - np.logaddexp(0, z))
""",
        """
import numpy as np
def sigmoid_derivative(z):
    z = np.asarray(z, dtype=float)
    s = np.where(z >= 0, 1 / (1 + np.exp(-np.abs(z))), np.exp(-np.abs(z)) / (1 + np.exp(-np.abs(z))))
    return s * (1.0 - s)
""",
        """
import numpy as np
def sigmoid_derivative(z):
    z = np.clip(z, -500, 500)
    return np.exp(-z) / (1 + np.exp(-z)) ** 2
""",
        """
import numpy as np
def sigmoid_derivative(z):
    s = np.exp(-np.logaddexp(0, -z))
    return s - s ** 2
""",
    ],
    "answer_vanishing_depth": ['answer_vanishing_depth = "c"', "answer_vanishing_depth = 'c'  # 0.9**44 < 0.01"],
    "answer_plateau": ['answer_plateau = "c"', "answer_plateau = 'c'  # 2**4 = 16 > 1.2**8 > 2"],
    "answer_flat_std": ['answer_flat_std = "b"', "answer_flat_std = 'b'  # exp(-lambda), Jensen"],
    "answer_stable_std": ['answer_stable_std = "b"', "answer_stable_std = 'b'  # (100 * 0.01**2)**20, 1/sqrt(100)"],
    "answer_centered": ['answer_centered = "c"', "answer_centered = 'c'  # mean 0: no offset to remove"],
    "answer_sigmoid_bound": ['answer_sigmoid_bound = "d"', "answer_sigmoid_bound = 'd'  # (0.1 / 16)**10"],
}

WRONG = keyed({
    "scaled_identity_chain": IDENTITY.catalogue() + [
        ("""
import numpy as np
def scaled_identity_chain(scale, depth, n=2):
    return [scale * np.eye(n)] * depth
""", "one array object several times", "aliasing"),
        ("""
import numpy as np
def scaled_identity_chain(scale, depth, n=2):
    return [scale * np.eye(n) for _ in range(depth + 1)]
""", "has 11 entries, expected 10", None),
        ("""
import numpy as np
def scaled_identity_chain(scale, depth, n=2):
    return [scale * np.eye(2) for _ in range(depth)]
""", "expected (3, 3)", None),
        ("""
import numpy as np
def scaled_identity_chain(scale, depth, n=2):
    return np.stack([scale * np.eye(n) for _ in range(depth)]) if depth else np.zeros((0, n, n))
""", "should be a list", None),
    ],
    "linear_chain_forward": FORWARD.catalogue() + [
        ("""
import numpy as np
def linear_chain_forward(x, weights):
    out = []
    a = x
    for W in weights:
        a = W @ a
        out.append(a)
    return out
""", "has 2 entries, expected 3", None),
        ("""
import numpy as np
def linear_chain_forward(x, weights):
    a = x
    out = [a]
    for W in weights:
        a[...] = W @ a
        out.append(a)
    return out
""", "modified its 1st argument in place", "in-place"),
        ("""
import numpy as np
def linear_chain_forward(x, weights):
    a = np.array(x, dtype=float)
    out = [x.copy()]
    for W in weights:
        a[...] = W @ a
        out.append(a)
    return out
""", "one array object several times", "aliasing"),
        ("""
import numpy as np
def linear_chain_forward(x, weights):
    a = x
    for W in weights:
        a = W @ a
    return a
""", "should be a list", None),
        ("""
import numpy as np
def linear_chain_forward(x, weights):
    out = [np.zeros_like(x)]
    for W in weights:
        out.append(W @ (x if len(out) == 1 else out[-1]))
    return out
""", "wrong result", None),
    ],
    "linear_chain_backward": BACKWARD.catalogue() + [
        ("""
import numpy as np
def linear_chain_backward(weights, grad_output):
    g = []
    cur = grad_output
    for W in reversed(weights):
        cur = W.T @ cur
        g.insert(0, cur)
    return g
""", "has 2 entries, expected 3", None),
        ("""
import numpy as np
def linear_chain_backward(weights, grad_output):
    g = grad_output
    out = [g]
    for W in reversed(weights):
        g[...] = W.T @ g
        out.insert(0, g)
    return out
""", "modified its 2nd argument in place", "in-place"),
        ("""
import numpy as np
def linear_chain_backward(weights, grad_output):
    g = np.array(grad_output, dtype=float)
    out = [grad_output]
    for W in reversed(weights):
        g[...] = W.T @ g
        out.insert(0, g)
    return out
""", "one array object several times", "aliasing"),
        ("""
import numpy as np
def linear_chain_backward(weights, grad_output):
    g = [grad_output]
    for l in range(len(weights) - 1, 0, -1):
        g.append(weights[l].T @ g[-1])
    g.append(weights[0].T @ g[-1])
    return g[::-1][1:] + [grad_output]
""", None, "aliasing"),
    ],
    "random_matrix_product": PRODUCT.catalogue(hints={"the factors were multiplied entry": "M @ G1"}) + [
        (product(rng="rng  # unused: np.random draws", step="P = P @ (np.random.randn(*M.shape) * std)"),
         "global random state", "global-rng"),
        (product(P0="M"), "returned its 1st argument itself", "in-place"),
        (product(P0="M", step="P[...] = P @ (rng.standard_normal(M.shape) * std)"), "1st argument", "in-place"),
        (product(rng="np.random.default_rng(0) if rng is None else rng"), "rng=None", "global-rng"),
        (product(rng="np.random.default_rng()"), "same seed gave different", "global-rng"),
        (product(result="P.tolist()"), "float64 array", None),
    ],
    "sigmoid_derivative": SIGMOID.catalogue() + [
        ("""
import numpy as np
def sigmoid_derivative(z):
    return np.exp(-z) / (1 + np.exp(-z)) ** 2
""", "inf/inf is nan", "finite"),
        ("""
import math
def sigmoid_derivative(z):
    return [1 / (1 + math.exp(-v)) * (1 - 1 / (1 + math.exp(-v))) for v in z]
""", None, None),
        ("""
import numpy as np
def sigmoid_derivative(z):
    return [float(v) for v in np.exp(-np.abs(np.ravel(z))) / (1 + np.exp(-np.abs(np.ravel(z)))) ** 2]
""", "float64 array", None),
        ("""
import numpy as np
def sigmoid_derivative(z):
    if isinstance(z, np.ndarray):
        np.abs(z, out=z)
    e = np.exp(-np.abs(z))
    return e / (1 + e) ** 2
""", "modified its 1st argument in place", "in-place"),
        ("""
import numpy as np
def sigmoid_derivative(z):
    s = lambda t: 1 / (1 + np.exp(-t))
    h = 1e-5
    return (s(z + h) - s(z)) / h
""", None, None),
    ],
    "answer_vanishing_depth": wrong_choices("answer_vanishing_depth", CHOICES) + [
        ('answer_vanishing_depth = "46"', "one of", None),
        ("answer_vanishing_depth = 46", "one of", None),
    ],
    "answer_plateau": wrong_choices("answer_plateau", CHOICES) + [
        ('answer_plateau = "L = 6"', "one of", None),
    ],
    "answer_flat_std": wrong_choices("answer_flat_std", CHOICES) + [
        ("answer_flat_std = 0.57", "one of", None),
    ],
    "answer_centered": wrong_choices("answer_centered", CHOICES) + [
        ('answer_centered = "C"', "one of", None),
    ],
    "answer_stable_std": wrong_choices("answer_stable_std", CHOICES) + [
        ('answer_stable_std = "1/2"', "one of", None),
        ("answer_stable_std = 0.1", "one of", None),
    ],
    "answer_sigmoid_bound": wrong_choices("answer_sigmoid_bound", CHOICES) + [
        ('answer_sigmoid_bound = "D"', "one of", None),
        ("answer_sigmoid_bound = 1e-22", "one of", None),
    ],
})

# What the visible part of each test cell must already reject, by a piece of the hint (tests/test_visible_tests.py):
# the aliasing and the returned argument the prose warns about, and the basic mistakes.
VISIBLE = {
    "scaled_identity_chain": ["one array object several times", "full of scale", "scale**2", "not multiplied by scale",
                              "expected 10", "expected (3, 3)", "should be a list"],
    "linear_chain_forward": ["W^[l].T", "reversed order", "computed from x", "in place", "one array object"],
    "linear_chain_backward": ["transpose is missing", "list is reversed", "in place", "one array object"],
    "random_matrix_product": ["returned its 1st argument itself", "on the left", "std**2", "std was ignored",
                              "global random state", "rng=None", "same seed gave different"],
    "sigmoid_derivative": ["sigma(z) itself", "tanh's derivative", "sigma * (1 + sigma)", "inf/inf is nan"],
    "answer_vanishing_depth": ["one of"],
    "answer_plateau": ["one of"],
    "answer_flat_std": ["one of"],
    "answer_centered": ["one of"],
}
