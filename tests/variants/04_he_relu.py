"""Implementations the hidden tests of 04_he_relu must accept (CORRECT) or reject (WRONG).

WRONG maps a function to (source, hint) pairs: the hint is a piece of the failure
message that should tell the student what went wrong (None: any failure).
"""

from variants.families import initializer, normal_initializer

_RELU = """
import numpy as np
def relu(z):
    return {expr}
"""
_MOMENT = """
import numpy as np
def relu_second_moment(var_z):
    return {expr}
"""
_HE = initializer("he_normal", "{expr}")
HE = normal_initializer("he_normal", "np.sqrt(2 / {n_in})")

_BACK = """
import numpy as np
def backward_variances(layer_dims, weight_vars, output_grad_var, activation={default}):
    if activation not in ("relu", "tanh", "linear"):
        {reject}
    c = 0.5 if activation == "relu" else 1.0
    L = len(layer_dims) - 1
    out = [{top}]
    for l in range(L, 1, -1):
        out.append({step})
    return np.array({result})
"""
_BACK_OK = dict(default='"relu"', reject="raise ValueError(activation)", top="output_grad_var",
                step="c * layer_dims[l] * weight_vars[l - 1] * out[-1]", result="out[::-1]")

_MEAS = """
import numpy as np
def measure_backward_variances(X, params, grad_output, activation={default}):
    fns = {{"relu": (lambda z: np.maximum(z, 0), lambda z: (z > 0) * 1.0),
           "tanh": (np.tanh, lambda z: 1 - np.tanh(z) ** 2),
           "linear": (lambda z: z, lambda z: np.ones_like(z))}}
    if activation not in fns:
        {reject}
    g, dg = fns[{pick}]
    L = len(params) // 2
    a, zs = {a0}, []
    for l in range(1, L + 1):
        zs.append({z})
        a = g(zs[-1])
    dz = {top}
    out = [np.var(dz)]
    for l in range(L, 1, -1):
        da = {da}
        dz = {dz}
        out.append({v})
    return np.array({result})
"""
_MEAS_OK = dict(default='"relu"', reject="raise ValueError(activation)", pick="activation", a0="X",
                z='params[f"W{l}"] @ a + params[f"b{l}"]', top="grad_output", da='params[f"W{l}"].T @ dz',
                dz="da * dg(zs[l - 2])", v="np.var(dz)", result="out[::-1]")


def _back(**kw):
    return _BACK.format(**{**_BACK_OK, **kw})


def _meas(**kw):
    return _MEAS.format(**{**_MEAS_OK, **kw})


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
}

WRONG = {
    "relu": [
        (_RELU.format(expr="np.abs(z)"), "absolute value"),
        (_RELU.format(expr="(z > 0).astype(float)"), "derivative"),
        (_RELU.format(expr="np.maximum(z, 0.01 * z)"), "leaky"),
        (_RELU.format(expr="np.minimum(z, 0)"), "min(0, z)"),
        (_RELU.format(expr="1 / (1 + np.exp(-z))"), None),
        ("""
import numpy as np
def relu(z):
    z[z < 0] = 0
    return z
""", "modified its input"),
        ("""
import numpy as np
def relu(z):
    np.maximum(z, 0, out=z)
    return z
""", "modified its input"),
        (_RELU.format(expr="max(0, z)"), None),
        (_RELU.format(expr="np.maximum(z, 0)[0]"), "shape"),
    ],
    "relu_second_moment": [
        (_MOMENT.format(expr="var_z * (0.5 - 1 / (2 * np.pi))"), "variance of relu(z)"),
        (_MOMENT.format(expr="var_z"), "halving is missing"),
        (_MOMENT.format(expr="np.sqrt(var_z) / 2"), "standard deviation"),
        (_MOMENT.format(expr="var_z / 4"), "1/4"),
        (_MOMENT.format(expr="var_z / (2 * np.pi)"), "squared mean"),
        (_MOMENT.format(expr="var_z ** 2 / 2"), None),
        (_MOMENT.format(expr="None"), "return"),
    ],
    "he_normal": HE[1] + [
        (_HE.format(expr="rng.standard_normal((n_out, n_in)) * np.sqrt(1 / n_in)"), "lecun"),
        (_HE.format(expr="rng.standard_normal((n_out, n_in)) / np.sqrt(2 * n_in)"), "1/(2·n_in)"),
        (_HE.format(expr="rng.standard_normal((n_out, n_in)) * np.sqrt(2 / (n_in + n_out))"), "glorot"),
        (_HE.format(expr="rng.uniform(-np.sqrt(6 / n_in), np.sqrt(6 / n_in), (n_out, n_in))"), "uniform"),
        (_HE.format(expr="rng.standard_normal((n_out, n_in)) * 2 / np.sqrt(n_in)"), None),
    ],
    "backward_variances": [
        (_back(step="c * layer_dims[l - 1] * weight_vars[l - 1] * out[-1]"), "fan-in"),
        (_back(step="layer_dims[l] * weight_vars[l - 1] * out[-1]"), "1/2"),
        (_back(step="0.5 * layer_dims[l] * weight_vars[l - 1] * out[-1]"), "only relu"),
        (_back(top="c * output_grad_var"), "entry l is output_grad_var"),
        (_back(step="c * layer_dims[l] * weight_vars[l - 2] * out[-1]"), "v_{l-1}"),
        (_back(result="out"), "backward order"),
        (_back(top="1.0"), "output_grad_var was ignored"),
        (_back(step="2 * layer_dims[l] * weight_vars[l - 1] * out[-1] if activation == 'relu' "
                    "else layer_dims[l] * weight_vars[l - 1] * out[-1]"), None),
        (_back(result="out[::-1] + [0.0]"), "shape"),
        (_back(reject='activation = "linear"'), "ValueError"),  # an unknown activation is taken as linear
        (_back(default='"tanh"'), "default activation"),
        # reverses the caller's weight_vars in place (the values returned are right)
        (_back(step="c * layer_dims[l] * weight_vars[L - l] * out[-1]")
         .replace("    L = ", "    weight_vars.reverse()\n    L = "), None),
    ],
    "measure_backward_variances": [
        (_meas(dz="da * (zs[l - 2] >= 0) if activation == 'relu' else da * dg(zs[l - 2])"), "g'(0)"),
        (_meas(dz="da"), "missing"),
        (_meas(v="np.var(da)"), "variance of da"),
        (_meas(result="out"), "backward order"),
        (_meas(v="np.var(dz, ddof=1)").replace("out = [np.var(dz)]", "out = [np.var(dz, ddof=1)]"), "ddof=1"),
        (_meas(z='params[f"W{l}"] @ a'), "biases"),
        (_meas(a0="g(X)"), "before the first layer"),
        (_meas(top="grad_output * dg(zs[-1])"), "grad_output too"),
        (_meas(dz="da * (1 - np.tanh(g(zs[l - 2])) ** 2) if activation == 'tanh' else da * dg(zs[l - 2])"),
         "tanh' was evaluated"),
        (_meas(pick="'relu'"), "relu used"),
        (_meas(pick="'tanh'"), "tanh used"),
        (_meas(dz="da * (zs[l - 2] > 0)"), None),
        (_meas(da='params[f"W{l}"] @ dz'), None),
        (_meas(reject='activation = "tanh"'), "ValueError"),  # an unknown activation is taken as tanh
        (_meas().replace("    return", "    grad_output *= 0.5\n    return"), "must not be modified"),
        (_meas(default='"tanh"'), "default activation"),
    ],
    "answer_notes_code": [('answer_notes_code = "a"', "not quite"), ('answer_notes_code = "b"', "not quite"),
                          ('answer_notes_code = "d"', "not quite"), ("answer_notes_code = 'C'", "one of"),
                          ("answer_notes_code = 3", "one of")],
    "answer_narrowing": [('answer_narrowing = "a"', "not quite"), ('answer_narrowing = "c"', "not quite"),
                         ('answer_narrowing = "d"', "not quite"), ("answer_narrowing = ['b']", "one of")],
}
