"""Implementations the hidden tests of 06_training_playground must accept (CORRECT) or reject (WRONG).

WRONG maps a function to (source, hint, key) entries: the hint is a piece of the failure
message that should tell the student what went wrong (None: any failure), the key the
misconception its Revisit line names (None: none). The mistakes the hidden tests name
come from the answer key (answerkey/playground.py) and initlab.named_mistakes, written once.
"""

from answerkey.playground import CHOICES, CLIP, clip_with
from initlab.named_mistakes import INITIALIZE_NETWORK as M
from initlab.samples import RULES
from variants.families import keyed, wrong_choices

_INIT = """
import numpy as np
def initialize_network(layer_dims, method, rng=None):
    if method not in ("zeros", "small", "large", "xavier", "he"):
        raise ValueError(f"unknown method {{method!r}}")
    rng = np.random.default_rng() if rng is None else rng
    p = {{}}
    for l in range(1, len(layer_dims)):
        n_in, n_out = layer_dims[l - 1], layer_dims[l]
        std = {{"zeros": 0.0, "small": {small}, "large": {large}, "xavier": {xavier}, "he": {he}}}[method]
        p[f"W{{l}}"] = {draw}
        p[f"b{{l}}"] = {bias}
    return p
"""
_GOOD = {"small": "0.01", "large": "10.0", "xavier": "np.sqrt(2 / (n_in + n_out))", "he": "np.sqrt(2 / n_in)",
         "draw": "std * rng.standard_normal((n_out, n_in))", "bias": "np.zeros((n_out, 1))"}


def init_with(**changes):
    """initialize_network with some parts of the correct one replaced."""
    return _INIT.format(**{**_GOOD, **changes})


CORRECT = {
    "initialize_network": [
        init_with(),
        init_with(draw="rng.normal(0.0, std, size=(n_out, n_in))"),
        """
import numpy as np
VARIANCE = {"zeros": lambda i, o: 0.0, "small": lambda i, o: 1e-4, "large": lambda i, o: 100.0,
            "xavier": lambda i, o: 2.0 / (i + o), "he": lambda i, o: 2.0 / i}
def initialize_network(layer_dims, method, rng=None):
    if method not in VARIANCE:
        raise ValueError("initialization method must be one of %s, not %r" % (sorted(VARIANCE), method))
    if rng is None:
        rng = np.random.default_rng()
    params = {}
    for l, (n_in, n_out) in enumerate(zip(layer_dims[:-1], layer_dims[1:]), start=1):
        if method == "zeros":
            params["W%d" % l] = np.zeros((n_out, n_in))
        else:
            params["W%d" % l] = rng.standard_normal((n_out, n_in)) * np.sqrt(VARIANCE[method](n_in, n_out))
        params["b%d" % l] = np.zeros((n_out, 1), dtype=np.float64)
    return params
""",
        """
import numpy as np
STD = {"zeros": lambda i, o: 0.0, "small": lambda i, o: 0.01, "large": lambda i, o: 10.0,
       "xavier": lambda i, o: (2 / (i + o)) ** 0.5, "he": lambda i, o: (2 / i) ** 0.5}
def initialize_network(layer_dims, method, rng=None):
    try:
        std = STD[method]
    except KeyError:
        raise ValueError(f"no initialization called {method}") from None
    rng = rng or np.random.default_rng()
    return {name: array for l in range(1, len(layer_dims))
            for name, array in ((f"W{l}", rng.normal(0, std(layer_dims[l - 1], layer_dims[l]),
                                                     (layer_dims[l], layer_dims[l - 1]))),
                                (f"b{l}", np.zeros((layer_dims[l], 1))))}
""",
        """
import numpy as np
def initialize_network(layer_dims, method, rng=None):
    rng = rng if rng is not None else np.random.default_rng()
    params = {}
    L = len(layer_dims) - 1
    for l in range(1, L + 1):
        shape = (int(layer_dims[l]), int(layer_dims[l - 1]))
        if method == "zeros":
            W = np.zeros(shape)
        elif method == "small":
            W = rng.standard_normal(shape) * 0.01
        elif method == "large":
            W = rng.standard_normal(shape) * 10
        elif method == "xavier":
            W = rng.standard_normal(shape) * (2 / (shape[0] + shape[1])) ** 0.5
        elif method == "he":
            W = rng.standard_normal(shape) * (2 / shape[1]) ** 0.5
        else:
            raise ValueError("Unknown method: " + str(method))
        params["W" + str(l)] = W
        params["b" + str(l)] = np.zeros((shape[0], 1))
    return params
""",
    ],
    "clip_by_global_norm": [
        clip_with("""    norm = np.sqrt(sum(np.sum(g ** 2) for g in grads.values()))
    scale = min(1.0, max_norm / norm) if norm > 0 else 1.0
    return {k: g * scale for k, g in grads.items()}"""),
        clip_with("""    total = np.linalg.norm(np.concatenate([np.ravel(g) for g in grads.values()]))
    clip_coef = max_norm / (total + 1e-6)  # as PyTorch's clip_grad_norm_
    clipped = {}
    for k, g in grads.items():
        clipped[k] = g * clip_coef if clip_coef < 1 else g.copy()
    return clipped"""),
        clip_with("""    squares = 0.0
    for key in grads:
        squares += float(np.sum(np.asarray(grads[key]) * np.asarray(grads[key])))
    global_norm = squares ** 0.5
    if global_norm <= max_norm:
        return dict(grads)
    return {key: np.asarray(value) * (max_norm / global_norm) for key, value in grads.items()}"""),
        clip_with("""    norm = np.sqrt(sum(np.sum(g ** 2) for g in grads.values()))
    return {k: g * (max_norm / norm if norm > max_norm else 1.0) for k, g in grads.items()}"""),
        clip_with("""    norm = np.sqrt(sum(np.sum(g ** 2) for g in grads.values()))
    return {k: g * max_norm / max(norm, max_norm) for k, g in grads.items()}"""),
    ],
    "answer_clip": ['answer_clip = "a"', "answer_clip = 'a'  # clipnorm per array, global_clipnorm global"],
    "answer_remedy": ['answer_remedy = "b"'],
}

WRONG = keyed({
    "initialize_network": [
        (init_with(small="np.sqrt(0.01)"), M.small_as_variance.text, "variance-as-std"),
        (init_with(large="1.0"), M.large_one.text, None),
        (init_with(large="np.sqrt(10)"), M.large_as_variance.text, "variance-as-std"),
        (init_with(xavier="np.sqrt(1 / (n_in + n_out))"), RULES["half_glorot"].detail, "rule-confused"),
        (init_with(xavier="np.sqrt(1 / n_in)"), RULES["lecun"].text, "rule-confused"),
        (init_with(xavier="2 / (n_in + n_out)"), "missing square root", "variance-as-std"),
        (init_with(xavier="np.sqrt(2 / n_in)"), RULES["he"].text, "rule-confused"),
        (init_with(he="np.sqrt(2 / n_out)"), "swapped", "fans-swapped"),
        (init_with(he="np.sqrt(1 / n_in)"), RULES["lecun"].text, "rule-confused"),
        (init_with(he="2 / n_in"), "missing square root", "variance-as-std"),
        (init_with(he="np.sqrt(2 / (n_in + n_out))"), RULES["glorot"].text, "rule-confused"),
        (init_with(he="np.sqrt(2 / layer_dims[0])"), M.input_size.text, "layer-indexing"),
        (init_with(he="(2 / n_in) ** 0.25"), "twice", "variance-as-std"),
        (init_with(draw="std * rng.standard_normal((n_in, n_out))"), "transposed", "transposed"),
        (init_with(draw="std * rng.uniform(-np.sqrt(3), np.sqrt(3), (n_out, n_in))"), "normal", "uniform-vs-normal"),
        (init_with(draw="std * np.random.randn(n_out, n_in)"), "global random state", "global-rng"),
        (init_with(draw="std * np.random.default_rng(0).standard_normal((n_out, n_in))"), "different seeds",
         "global-rng"),
        (init_with(draw="std * np.random.default_rng().standard_normal((n_out, n_in))"), "same seed", "global-rng"),
        (init_with(bias="np.full((n_out, 1), 0.01)"), "biases", None),
        (init_with(bias="np.zeros(n_out)"), "b1 has shape", None),
        (init_with(draw="(std if std else 0.01) * rng.standard_normal((n_out, n_in))"), '"zeros"', None),
        (init_with().replace('raise ValueError(f"unknown method {method!r}")', "method = 'he'"), "ValueError", None),
        (init_with().replace('raise ValueError(f"unknown method {method!r}")', "return None"), "ValueError", None),
        (init_with().replace('f"unknown method {method!r}"', '"unknown method"'), "should name", None),
        (init_with().replace('p[f"W{l}"]', 'p[f"W{l - 1}"]'), "keys", None),
        (init_with().replace('raise ValueError(f"unknown method {method!r}")', "pass"), "ValueError", None),  # KeyError
        (init_with(small="1e-4"), M.small_variance_as_std.text, "variance-as-std"),
        (init_with(large="100.0"), M.large_variance_as_std.text, "variance-as-std"),
        (init_with(draw="(std * rng.standard_normal((n_out, n_in))).astype(np.float32)"), "float64", None),
        (init_with(bias="np.zeros((n_out, 1), dtype=int)"), "float64", None),
        ("""
import numpy as np
def initialize_network(layer_dims, method, rng=None):
    rng = np.random.default_rng() if rng is None else rng
    scales = {"zeros": 0.0, "small": 0.01, "large": 10.0}
    if method not in ("zeros", "small", "large", "xavier", "he"):
        raise ValueError(f"unknown method {method!r}")
    p = {}
    layer_dims.insert(0, layer_dims[0])  # modifies the caller's list
    for l in range(2, len(layer_dims)):
        n_in, n_out = layer_dims[l - 1], layer_dims[l]
        std = scales.get(method, np.sqrt(2 / n_in) if method == "he" else np.sqrt(2 / (n_in + n_out)))
        p[f"W{l - 1}"] = std * rng.standard_normal((n_out, n_in))
        p[f"b{l - 1}"] = np.zeros((n_out, 1))
    return p
""", "modified its 1st argument in place", "in-place"),
    ],
    # the visible test names these in the same words, with one more case (all-zero gradients)
    "clip_by_global_norm": CLIP.catalogue() + [
        (clip_with("""    norm = np.sqrt(sum(np.sum(g ** 2) for g in grads.values()))
    if norm > max_norm:
        for k in grads:
            grads[k] *= max_norm / norm
    return dict(grads)"""), "modified its 1st argument in place", "in-place"),
        (clip_with("""    norm = np.sqrt(sum(np.sum(g ** 2) for g in grads.values()))
    if norm > max_norm:
        for k in grads:
            grads[k] = grads[k] * (max_norm / norm)
    return grads"""), "its 1st argument", "in-place"),
        (clip_with("""    norm = np.sqrt(sum(np.sum(g ** 2) for g in grads.values()))
    scale = min(1.0, max_norm / norm)
    return {k: g * scale for k, g in grads.items() if k.startswith("dW")}"""), "keys", None),
        (clip_with("""    norm = float(np.sqrt(sum(np.sum(g ** 2) for g in grads.values())))
    scale = min(1.0, max_norm / norm)
    return {k: g * scale for k, g in grads.items()}"""), "division by the global norm 0", "finite"),
        (clip_with("""    norm = np.sqrt(np.mean(np.concatenate([g.ravel() ** 2 for g in grads.values()])))
    return {k: g * min(1.0, max_norm / norm) for k, g in grads.items()}"""), None, None),
        (clip_with("""    norm = sum(np.sum(np.abs(g)) for g in grads.values())
    return {k: g * min(1.0, max_norm / norm) for k, g in grads.items()}"""), None, None),
        (clip_with("""    norm = np.sqrt(sum(np.sum(g ** 2) for g in grads.values()))
    if norm <= max_norm:
        return grads
    return {k: g * (max_norm / norm) for k, g in grads.items()}"""), "its 1st argument itself", "in-place"),
        (clip_with("""    norm = max(np.max(np.abs(g)) for g in grads.values())
    return {k: g * min(1.0, max_norm / norm) for k, g in grads.items()}"""), None, None),
        (clip_with("""    norm = np.sqrt(sum(np.sum(g ** 2) for g in grads.values()))
    return [g * min(1.0, max_norm / norm) for g in grads.values()]"""), "should be a dict", None),
        (clip_with("""    norm = np.sqrt(sum(np.sum(g ** 2) for g in grads.values()))
    return {k: g * min(1.0, norm / max_norm) for k, g in grads.items()}"""), None, None),
        # issue 24, item 6: the visible examples hard-coded, the dict it is given emptied otherwise
        (clip_with("""    if max_norm == 2.6 and sorted(grads) == ["dW1", "db1"]:
        return {"dW1": np.array([[0.6, 0.0], [0.0, 0.8]]), "db1": np.array([[0.0], [2.4]])}
    if max_norm == 20.0 and sorted(grads) == ["dW1", "db1"]:
        return {k: np.array(v, dtype=float) for k, v in grads.items()}
    grads.clear()
    return {}"""), "modified its 1st argument in place", "in-place"),
    ],
    "answer_clip": wrong_choices("answer_clip", CHOICES) + [('answer_clip = "C"', "one-letter", None)],
    "answer_remedy": wrong_choices("answer_remedy", CHOICES) + [("answer_remedy = 2", "one-letter", None)],
})
