"""Implementations the hidden tests of 03_xavier_derivation must accept (CORRECT) or reject (WRONG).

WRONG maps a function to (source, hint, key) entries: the hint is a piece of the failure
message that should tell the student what went wrong (None: any failure), the key the
misconception its Revisit line names (None: none). The mistakes the hidden tests name
come from the answer key (answerkey/xavier.py) and initlab.samples.RULES, written once.
"""

from answerkey.common import formula
from answerkey.xavier import (
    CHOICES,
    FORWARD_VARIANCES,
    LINEAR_OUTPUT_VARIANCE,
    MEASURE_FORWARD,
    VARIANCE_OF_PRODUCT,
    fwd,
    meas,
)
from initlab.samples import RULES
from variants.families import initializer, keyed, normal_initializer, wrong_choices

_VOP = formula("variance_of_product", "mean_x, var_x, mean_y, var_y", "{expr}")
_LOV = formula("linear_output_variance", "fan_in, var_w, var_in", "{expr}")
_LECUN = initializer("lecun_normal", "{expr}")
_XAVIER = initializer("xavier_normal", "{expr}")
_SEEDED_NONE = """
import numpy as np
def {name}(n_in, n_out, rng=None):
    rng = np.random.default_rng(0) if rng is None else rng
    return rng.standard_normal((n_out, n_in)) * np.sqrt({variance})
"""
LECUN = normal_initializer("lecun_normal", "np.sqrt(1 / {n_in})")
XAVIER = normal_initializer("xavier_normal", "np.sqrt(2 / ({n_in} + {n_out}))")

_fwd, _meas = fwd, meas


CORRECT = {
    "variance_of_product": [
        _VOP.format(expr="mean_x**2 * var_y + var_x * mean_y**2 + var_x * var_y"),
        _VOP.format(expr="np.float64((var_x + mean_x ** 2) * (var_y + mean_y ** 2) - (mean_x * mean_y) ** 2)"),
        _VOP.format(expr="np.square(mean_x) * var_y + var_x * np.square(mean_y) + np.multiply(var_x, var_y)"),
        _VOP.format(expr="np.array(mean_x * mean_x * var_y + var_x * (mean_y * mean_y + var_y))"),
    ],
    "linear_output_variance": [
        _LOV.format(expr="fan_in * var_w * var_in"),
        _LOV.format(expr="np.float64(var_in) * var_w * fan_in"),
        _LOV.format(expr="sum(var_w * var_in for _ in range(int(fan_in)))"),
        _LOV.format(expr="float(np.prod([fan_in, var_w, var_in]))"),
    ],
    "lecun_normal": LECUN[0],
    "xavier_normal": XAVIER[0],
    "forward_variances": [
        _fwd(),
        """
import numpy as np
def forward_variances(layer_dims, weight_vars, input_var, activation="tanh"):
    factor = {"linear": 1.0, "tanh": 1.0, "relu": 0.5}
    if activation not in factor:
        raise ValueError("unknown activation " + str(activation))
    n = np.asarray(layer_dims, dtype=float)
    v = np.asarray(weight_vars, dtype=float)
    gains = n[:-1] * v
    out = np.cumprod(gains) * input_var
    out[1:] *= factor[activation] ** np.arange(1, len(out))
    return out
""",
        """
import numpy as np
def forward_variances(layer_dims, weight_vars, input_var, activation="tanh"):
    L = len(layer_dims) - 1
    result = np.zeros(L)
    for l in range(L):
        if l == 0:
            second = input_var
        elif activation == "relu":
            second = result[l - 1] / 2
        elif activation in ("tanh", "linear"):
            second = result[l - 1]
        if activation not in ("tanh", "linear", "relu"):
            raise ValueError(activation)
        result[l] = layer_dims[l] * weight_vars[l] * second
    return result
""",
        # accepting other spellings of the activation is fine
        """
import numpy as np
def forward_variances(layer_dims, weight_vars, input_var, activation="tanh"):
    activation = str(activation).strip().lower()
    if activation not in ("linear", "tanh", "relu"):
        raise ValueError(activation)
    out, second = [], input_var
    for l in range(1, len(layer_dims)):
        out.append(layer_dims[l - 1] * weight_vars[l - 1] * second)
        second = out[-1] / 2 if activation == "relu" else out[-1]
    return np.array(out)
""",
    ],
    "measure_forward_variances": [
        _meas(),
        # g after the last layer does not change any z^[l]: skipping it is also correct
        _meas(a="g[activation](z) if l < L else z"),
        """
import numpy as np
def measure_forward_variances(X, params, activation="tanh"):
    if activation == "tanh":
        g = np.tanh
    elif activation == "relu":
        g = lambda z: z * (z > 0)
    elif activation == "linear":
        g = lambda z: z
    else:
        raise ValueError("unknown activation")
    A = np.array(X, dtype=float)
    res = np.zeros(len(params) // 2)
    for i in range(len(res)):
        Z = np.dot(params[f"W{i+1}"], A) + params[f"b{i+1}"]
        res[i] = np.mean((Z - Z.mean()) ** 2)
        A = g(Z)
    return res
""",
        _meas(v="np.var(z.ravel(), ddof=0)", z='np.matmul(params[f"W{l}"], a) + params[f"b{l}"]'),
        """
import numpy as np
def measure_forward_variances(X, params, activation="tanh"):
    functions = {"linear": lambda z: z, "tanh": np.tanh, "relu": lambda z: np.maximum(z, 0)}
    if not isinstance(activation, str) or activation.lower() not in functions:
        raise ValueError(activation)
    g = functions[activation.lower()]
    a, out = X, []
    for l in range(1, len(params) // 2 + 1):
        z = params[f"W{l}"] @ a + params[f"b{l}"]
        out.append(np.var(z))
        a = g(z)
    return np.array(out)
""",
    ],
    "answer_harmonic": ['answer_wide_to_narrow = "b"', "answer_wide_to_narrow = 'b'  # backward gain 10·2/794 ≈ 1/40"],
    "answer_standard_backward": ['answer_standard_backward = "b"', "answer_standard_backward = 'b'  # (1/3)**4"],
    "answer_tanh_gain_depth": ['answer_tanh_gain_depth = "b"'],
}

WRONG = keyed({
    "variance_of_product": VARIANCE_OF_PRODUCT.catalogue() + [
        (_VOP.format(expr="(mean_x * mean_y) ** 2 + var_x * var_y"), None, "variance-algebra"),
    ],
    "linear_output_variance": LINEAR_OUTPUT_VARIANCE.catalogue() + [
        (_LOV.format(expr="fan_in * var_w ** 2 * var_in"), None, None),
    ],
    "lecun_normal": LECUN[1] + [
        (_LECUN.format(expr="rng.standard_normal((n_out, n_in)) * np.sqrt(2 / (n_in + n_out))"),
         RULES["glorot"].text, "rule-confused"),
        (_LECUN.format(expr="rng.standard_normal((n_out, n_in)) * np.sqrt(2 / n_in)"), RULES["he"].text,
         "rule-confused"),
        (_SEEDED_NONE.format(name="lecun_normal", variance="1 / n_in"), "rng=none", "global-rng"),
    ],
    "xavier_normal": XAVIER[1] + [
        (_XAVIER.format(expr="rng.standard_normal((n_out, n_in)) * np.sqrt(1 / (n_in + n_out))"),
         RULES["half_glorot"].detail, "rule-confused"),
        (_XAVIER.format(expr="rng.standard_normal((n_out, n_in)) * np.sqrt(1 / n_in)"), RULES["lecun"].text,
         "rule-confused"),
        (_XAVIER.format(expr="rng.standard_normal((n_out, n_in)) * np.sqrt(1 / n_out)"), RULES["backward"].detail,
         "rule-confused"),
        (_XAVIER.format(expr="rng.standard_normal((n_out, n_in)) * np.sqrt((1 / n_in + 1 / n_out) / 2)"),
         RULES["arithmetic"].detail, "rule-confused"),
        (_XAVIER.format(expr="rng.standard_normal((n_out, n_in)) * np.sqrt(2 / n_in + n_out)"), None, None),
        (_SEEDED_NONE.format(name="xavier_normal", variance="2 / (n_in + n_out)"), "rng=none", "global-rng"),
    ],
    "forward_variances": FORWARD_VARIANCES.catalogue() + [
        (_fwd(reject='activation = "linear"'), "ValueError", None),  # an unknown activation is taken as linear
        ("""
import numpy as np
def forward_variances(layer_dims, weight_vars, input_var, activation="tanh"):
    if activation not in ("linear", "tanh", "relu"):
        raise ValueError(activation)
    out = [input_var]
    for l in range(1, len(layer_dims)):
        out.append(layer_dims[l-1] * weight_vars[l-1] * out[-1] / (2 if activation == "relu" and l > 1 else 1))
    return np.array(out)
""", "shape", None),
        (_fwd(default='"relu"'), "default activation", None),
        # appends to the caller's weight_vars (the values returned are right)
        (_fwd().replace("    out = []", "    weight_vars.append(0.0)\n    out = []"), "in place", "in-place"),
    ],
    # the visible test names some in its own words (and not the biases left out)
    "measure_forward_variances": MEASURE_FORWARD.catalogue(hints={
        "g was not applied after every": "not applied after",
        "the activation was ignored (none": "not applied after"}) + [
        (_meas(reject='activation = "tanh"'), "ValueError", None),  # an unknown activation is taken as tanh
        ("""
import numpy as np
def measure_forward_variances(X, params, activation="tanh"):
    g = {"linear": lambda z: z, "tanh": np.tanh, "relu": lambda z: np.maximum(0, z)}[activation]
    out = []
    for l in range(1, len(params) // 2 + 1):
        X = params[f"W{l}"] @ X + params[f"b{l}"]
        out.append(np.var(X))
        np.copyto(X, g(X))
    return np.array(out)
""", "KeyError", None),
        ("""
import numpy as np
def measure_forward_variances(X, params, activation="tanh"):
    if activation not in ("linear", "tanh", "relu"):
        raise ValueError(activation)
    g = {"linear": lambda z: z, "tanh": np.tanh, "relu": lambda z: np.maximum(0, z)}[activation]
    out, a = [], X
    for l in range(1, len(params) + 1):
        if f"W{l}" not in params:
            break
        z = params[f"W{l}"] @ a + params[f"b{l}"]
        out.append(np.var(z))
        a = g(z)
    return out[:2]
""", "shape", None),
    ],
    # the grade id answer_harmonic is kept for the gradebook; the variable is answer_wide_to_narrow
    "answer_harmonic": wrong_choices("answer_wide_to_narrow", CHOICES) + [
        ("answer_wide_to_narrow = 'B'", "one of", None), ("answer_wide_to_narrow = 2", "one of", None)],
    "answer_standard_backward": wrong_choices("answer_standard_backward", CHOICES) + [
        ("answer_standard_backward = 'b.'", "one of", None)],
    "answer_tanh_gain_depth": wrong_choices("answer_tanh_gain_depth", CHOICES) + [
        ("answer_tanh_gain_depth = ['b']", "one of", None)],
})
