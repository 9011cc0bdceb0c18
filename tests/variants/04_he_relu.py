"""Implementations the hidden tests of 04_he_relu must accept (CORRECT) or reject (WRONG).

WRONG maps a function to (source, hint, key) entries: the hint is a piece of the failure
message that should tell the student what went wrong (None: any failure), the key the
misconception its Revisit line names (None: none). The mistakes the hidden tests name
come from the answer key (answerkey/relu.py) and initlab.samples.RULES, written once.
"""

from answerkey.common import formula
from answerkey.relu import BACKWARD_VARIANCES, CHOICES, MEASURE_BACKWARD, RELU, RELU_SECOND_MOMENT, back, meas
from initlab.named_mistakes import MEASURE_BACKWARD_VARIANCES as M
from initlab.samples import RULES
from variants.families import initializer, keyed, normal_initializer, wrong_choices

_RELU = formula("relu", "z", "{expr}")
_MOMENT = formula("relu_second_moment", "var_z", "{expr}")
_HE = initializer("he_normal", "{expr}")
HE = normal_initializer("he_normal", "np.sqrt(2 / {n_in})")

_back, _meas = back, meas


CORRECT = {
    "relu": [
        _RELU.format(expr="np.maximum(z, 0)"),
        _RELU.format(expr="np.where(z > 0, z, 0.0)"),
        _RELU.format(expr="z * (z > 0)"),
        _RELU.format(expr="np.clip(z, 0, None).astype(float)"),
        """
import numpy as np
def relu(z):
    out = np.array(z, dtype=float)
    out[out < 0] = 0
    return out
""",
    ],
    "relu_second_moment": [
        _MOMENT.format(expr="var_z / 2"),
        _MOMENT.format(expr="0.5 * var_z"),
        _MOMENT.format(expr="np.float64(var_z) * 0.5"),
        _MOMENT.format(expr="np.array([var_z / 2.0])"),
    ],
    "he_normal": HE[0] + [
        _HE.format(expr="rng.normal(0.0, np.sqrt(2.0) / np.sqrt(n_in), size=(n_out, n_in))"),
        _HE.format(expr="(rng.standard_normal((n_out, n_in)) * np.sqrt(2.0 / n_in)).tolist()"),
    ],
    "backward_variances": [
        _back(),
        """
import numpy as np
def backward_variances(layer_dims, weight_vars, output_grad_var, activation="relu"):
    factor = {"relu": 0.5, "tanh": 1.0, "linear": 1.0}
    if activation not in factor:
        raise ValueError("unknown activation " + str(activation))
    n = np.asarray(layer_dims, dtype=float)
    v = np.asarray(weight_vars, dtype=float)
    gains = factor[activation] * n[2:] * v[1:]          # gain of layers 2..L
    tail = np.cumprod(gains[::-1])[::-1]                # product of gains l..L
    return np.append(tail, 1.0) * output_grad_var
""",
        """
import numpy as np
def backward_variances(layer_dims, weight_vars, output_grad_var, activation="relu"):
    if activation == "relu":
        c = 0.5
    elif activation in ("tanh", "linear"):
        c = 1
    else:
        raise ValueError(f"unknown activation {activation}")
    L = len(layer_dims) - 1
    result = np.zeros(L)
    result[-1] = output_grad_var
    for i in range(L - 2, -1, -1):
        result[i] = c * layer_dims[i + 2] * weight_vars[i + 1] * result[i + 1]
    return result
""",
        # accepting other spellings of the activation is fine
        """
import numpy as np
def backward_variances(layer_dims, weight_vars, output_grad_var, activation="relu"):
    activation = str(activation).strip().lower()
    if activation not in ("relu", "tanh", "linear"):
        raise ValueError(activation)
    out = [float(output_grad_var)]
    for l in reversed(range(2, len(layer_dims))):
        var_da = layer_dims[l] * weight_vars[l - 1] * out[0]
        out.insert(0, var_da / 2 if activation == "relu" else var_da)
    return out
""",
    ],
    "measure_backward_variances": [
        _meas(),
        _meas(dz="da * (zs[l - 2] > 0) if activation == 'relu' else da * dg(zs[l - 2])"),
        _meas(z='np.dot(params["W" + str(l)], a) + params["b" + str(l)]', v="np.mean((dz - dz.mean()) ** 2)"),
        """
import numpy as np
def measure_backward_variances(X, params, grad_output, activation="relu"):
    if activation == "relu":
        g, dg = (lambda z: np.maximum(z, 0)), (lambda z: np.heaviside(z, 0.0))
    elif activation == "tanh":
        g, dg = np.tanh, (lambda z: 1 / np.cosh(z) ** 2)
    elif activation == "linear":
        g, dg = (lambda z: z), (lambda z: 1.0)
    else:
        raise ValueError("activation must be relu, tanh or linear")
    L = len(params) // 2
    cache = {0: np.array(X, dtype=float)}
    Z = {}
    for l in range(1, L + 1):
        Z[l] = params["W%d" % l] @ cache[l - 1] + params["b%d" % l]
        cache[l] = g(Z[l])
    grads = {L: np.array(grad_output, dtype=float)}
    for l in range(L, 1, -1):
        grads[l - 1] = (params["W%d" % l].T @ grads[l]) * dg(Z[l - 1])
    return [float(np.var(grads[l])) for l in range(1, L + 1)]
""",
    ],
    "answer_notes_code": ['answer_notes_code = "c"', "answer_notes_code = 'c'  # a quarter of He's variance"],
    "answer_narrowing": ['answer_narrowing = "b"', "answer_narrowing = 'b'"],
    "answer_collapse": ['answer_collapse = "d"', "answer_collapse = 'd'  # ReLU(cz) = c·ReLU(z)"],
}

WRONG = keyed({
    "relu": RELU.catalogue() + [
        (_RELU.format(expr="1 / (1 + np.exp(-z))"), None, None),
        ("""
import numpy as np
def relu(z):
    z[z < 0] = 0
    return z
""", "modified its 1st argument", "in-place"),
        ("""
import numpy as np
def relu(z):
    np.maximum(z, 0, out=z)
    return z
""", "modified its 1st argument", "in-place"),
        (_RELU.format(expr="max(0, z)"), None, None),
        (_RELU.format(expr="np.maximum(z, 0)[0]"), "shape", None),
    ],
    "relu_second_moment": RELU_SECOND_MOMENT.catalogue() + [
        (_MOMENT.format(expr="var_z ** 2 / 2"), None, None),
        (_MOMENT.format(expr="None"), "return", None),
    ],
    "he_normal": HE[1] + [
        (_HE.format(expr="rng.standard_normal((n_out, n_in)) * np.sqrt(1 / n_in)"), RULES["lecun"].text,
         "rule-confused"),
        (_HE.format(expr="rng.standard_normal((n_out, n_in)) / np.sqrt(2 * n_in)"), RULES["quarter_he"].text,
         "rule-confused"),
        (_HE.format(expr="rng.standard_normal((n_out, n_in)) * np.sqrt(2 / (n_in + n_out))"), RULES["glorot"].text,
         "rule-confused"),
        (_HE.format(expr="rng.uniform(-np.sqrt(6 / n_in), np.sqrt(6 / n_in), (n_out, n_in))"), "uniform",
         "uniform-vs-normal"),
        (_HE.format(expr="rng.standard_normal((n_out, n_in)) * 2 / np.sqrt(n_in)"), None, None),
    ],
    "backward_variances": BACKWARD_VARIANCES.catalogue() + [
        (_back(step="2 * layer_dims[l] * weight_vars[l - 1] * out[-1] if activation == 'relu' "
                    "else layer_dims[l] * weight_vars[l - 1] * out[-1]"), None, None),
        (_back(result="out[::-1] + [0.0]"), "shape", None),
        (_back(reject='activation = "linear"'), "ValueError", None),  # an unknown activation is taken as linear
        (_back(default='"tanh"'), "default activation", None),
        # reverses the caller's weight_vars in place (the values returned are right)
        (_back(step="c * layer_dims[l] * weight_vars[L - l] * out[-1]")
         .replace("    L = ", "    weight_vars.reverse()\n    L = "), "in place", "in-place"),
    ],
    # the visible test's case gives the same value for both: it names the first
    "measure_backward_variances": MEASURE_BACKWARD.catalogue(hints={M.var_da.text: M.no_gprime.text}) + [
        (_meas(dz="da * (zs[l - 2] > 0)"), None, "activation"),
        (_meas(da='params[f"W{l}"] @ dz'), None, None),
        (_meas(reject='activation = "tanh"'), "ValueError", None),  # an unknown activation is taken as tanh
        (_meas().replace("    return", "    grad_output *= 0.5\n    return"), "modified its 3rd argument", "in-place"),
        (_meas(default='"tanh"'), "default activation", "activation"),
    ],
    "answer_notes_code": wrong_choices("answer_notes_code", CHOICES) + [("answer_notes_code = 'C'", "one of", None),
                          ("answer_notes_code = 3", "one of", None)],
    "answer_narrowing": wrong_choices("answer_narrowing", CHOICES) + [("answer_narrowing = ['b']", "one of", None)],
    "answer_collapse": wrong_choices("answer_collapse", CHOICES) + [("answer_collapse = 'D'", "one of", None),
                                                                    ("answer_collapse = 'same'", "one of", None)],
})
