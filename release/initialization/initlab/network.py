"""A small fully connected network in numpy, in the notation of the notes.

``params`` holds ``W1, b1, ..., WL, bL`` with ``W^[l]`` of shape (n_l, n_{l-1})
and ``b^[l]`` of shape (n_l, 1); examples are columns. Hidden layers use
``activation`` ("relu", "tanh", "linear" or "sigmoid"); the output layer is a sigmoid
trained with the binary cross-entropy cost.

``forward``, ``backward`` and ``gd_step`` also take a stack of networks: arrays
with a leading axis of size B (``W^[l]`` of shape (B, n_l, n_{l-1}), X of shape
(2, m) or (B, 2, m)), so that B runs train at the cost of about one.
"""

import numpy as np

ACTIVATIONS = ("relu", "tanh", "linear", "sigmoid")


def n_layers(params):
    """Number of layers L of a parameter dict."""
    L = max(len(params) // 2, 1)
    expected = {f"{kind}{l}" for l in range(1, L + 1) for kind in "Wb"}
    if set(params) != expected:
        raise ValueError(f"params must have the keys W1, b1, ..., W{L}, b{L}; got {sorted(params)}")
    return L


def activate(z, activation):
    """g(z) for a hidden layer."""
    if activation == "relu":
        return np.maximum(z, 0.0)
    if activation == "tanh":
        return np.tanh(z)
    if activation == "linear":
        return z
    if activation == "sigmoid":
        return sigmoid(z)
    raise ValueError(f"activation must be one of {ACTIVATIONS}, got {activation!r}")


def activate_grad(z, activation):
    """g'(z) for a hidden layer (g'(0) = 0 for ReLU)."""
    if activation == "relu":
        return (z > 0).astype(np.float64)
    if activation == "tanh":
        return 1.0 - np.tanh(z) ** 2
    if activation == "linear":
        return np.ones_like(z)
    if activation == "sigmoid":
        s = sigmoid(z)
        return s * (1.0 - s)
    raise ValueError(f"activation must be one of {ACTIVATIONS}, got {activation!r}")


def sigmoid(z):
    """Numerically stable logistic function."""
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def forward(params, X, activation="relu"):
    """Forward pass; returns the output A^[L] (1, m) and a cache of every z and a."""
    L = n_layers(params)
    a = np.asarray(X, dtype=np.float64)
    cache = {"a0": a}
    for l in range(1, L + 1):
        z = params[f"W{l}"] @ a + params[f"b{l}"]
        a = sigmoid(z) if l == L else activate(z, activation)
        cache[f"z{l}"], cache[f"a{l}"] = z, a
    return a, cache


def cost(A, Y):
    """Mean binary cross-entropy."""
    eps = 1e-12
    return float(-np.mean(Y * np.log(A + eps) + (1 - Y) * np.log(1 - A + eps)))


def costs(A, Y):
    """Mean binary cross-entropy of each network of a stack (shape (B,)); a number for one network."""
    eps = 1e-12
    return -(Y * np.log(A + eps) + (1 - Y) * np.log(1 - A + eps)).mean(axis=(-2, -1))


def backward(params, cache, Y, activation="relu"):
    """Gradients dW1, db1, ..., dWL, dbL of the mean cross-entropy."""
    return backprop(params, cache, cache[f"a{n_layers(params)}"] - Y, activation)


def backprop(params, cache, dz, activation="relu"):
    """Gradients of a cost averaged over the m examples, from ``dz`` = m·∂cost/∂z^[L] (shape (n_L, m))."""
    L = n_layers(params)
    m = dz.shape[-1]
    grads = {}
    for l in range(L, 0, -1):
        grads[f"dW{l}"] = dz @ np.swapaxes(cache[f"a{l - 1}"], -1, -2) / m
        grads[f"db{l}"] = dz.sum(axis=-1, keepdims=True) / m
        if l > 1:
            dz = (np.swapaxes(params[f"W{l}"], -1, -2) @ dz) * activate_grad(cache[f"z{l - 1}"], activation)
    return grads


def gd_step(params, grads, learning_rate):
    """One step of gradient descent; returns new parameters (inputs unchanged). For a stack of networks the
    learning rate may be an array of one rate per network, shape (B, 1, 1)."""
    _check_learning_rate(learning_rate)
    return {k: v - learning_rate * grads["d" + k] for k, v in params.items()}


def _check_learning_rate(learning_rate):
    if np.any(np.asarray(learning_rate) <= 0):
        raise ValueError(f"learning_rate must be > 0, got {learning_rate!r}")


def train(params, X, Y, steps, learning_rate=0.5, activation="relu", record_every=1):
    """Run gradient descent; returns final params and a history of (step, params, cost).

    The history holds a copy of the parameters every ``record_every`` steps and
    at the last step, so that demos can show how the hidden units evolve.
    """
    if steps < 0:
        raise ValueError(f"steps must be >= 0, got {steps!r}")
    if record_every < 1:
        raise ValueError(f"record_every must be >= 1, got {record_every!r}")
    params = {k: np.array(v, dtype=np.float64) for k, v in params.items()}
    history = []
    for step in range(steps + 1):
        A, cache = forward(params, X, activation)
        if step % record_every == 0 or step == steps:
            history.append((step, params, cost(A, Y)))
        if step == steps:
            break
        params = gd_step(params, backward(params, cache, Y, activation), learning_rate)
    return params, history


def accuracy(params, X, Y, activation="relu"):
    """Fraction of examples classified correctly (threshold 0.5); one per network of a stack."""
    A, _ = forward(params, X, activation)
    fraction = np.mean((A > 0.5) == (Y > 0.5), axis=(-2, -1))
    return float(fraction) if fraction.ndim == 0 else fraction


def layer_gradient_norms(grads):
    """Frobenius norm of (dW^[l], db^[l]) for l = 1..L: shape (L,), or (L, B) for a stack."""
    L = len(grads) // 2
    squares = [(grads[f"dW{l}"] * grads[f"dW{l}"]).sum(axis=(-2, -1)) + (grads[f"db{l}"] * grads[f"db{l}"]).sum(
        axis=(-2, -1)) for l in range(1, L + 1)]
    return np.sqrt(np.array(squares))


def update_ratios(params, grads, learning_rate):
    """‖ΔW^[l]‖ / ‖W^[l]‖ for l = 1..L of the update ``-learning_rate * grads``: shape (L,), or (L, B) for a stack
    (NaN where W^[l] is 0). Biases are left out."""
    L = n_layers(params)
    step = np.reshape(learning_rate, np.shape(learning_rate)[:-2] or ())
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.array([step * np.sqrt((grads[f"dW{l}"] ** 2).sum(axis=(-2, -1)))
                         / np.sqrt((params[f"W{l}"] ** 2).sum(axis=(-2, -1))) for l in range(1, L + 1)])


def gradient_descent(params, X, Y, steps, learning_rate=0.5, activation="relu", grad_hook=None, report_every=0,
                     watch=None):
    """Gradient descent that records the cost, every layer's gradient norm and update ratio; a generator.

    At each step the gradients (a dict dW1, db1, ...) go through ``grad_hook`` (e.g. a
    clipping function) before the update; the norms recorded are those of the raw
    gradients, the ratios ‖ΔW^[l]‖/‖W^[l]‖ those of the update made (``update_ratios``).
    Yields a dict ``step``, ``params``, ``costs`` (the cost before each step and at the
    end, length step + 1), ``norms`` and ``ratios`` (shape (step, L)) and, with
    ``watch``, ``watched`` (``watch(cache)`` of each forward pass, length step + 1)
    every ``report_every`` steps (0: only at the end) and always at the end. Works on a
    stack of networks too (``costs`` then of shape (step + 1, B)). Stops early if the
    cost stops being finite. Inputs are not modified.
    """
    if steps < 0:
        raise ValueError(f"steps must be >= 0, got {steps!r}")
    L = n_layers(params)
    params = {k: np.array(v, dtype=np.float64) for k, v in params.items()}
    cost_log, norm_log, ratio_log, watch_log = [], [], [], []
    for step in range(steps + 1):
        A, cache = forward(params, X, activation)
        cost_log.append(costs(A, Y))
        if watch is not None:
            watch_log.append(watch(cache))
        done = step == steps or not np.all(np.isfinite(cost_log[-1]))
        if done or (report_every and step and step % report_every == 0):
            shape = (step, L, *np.shape(cost_log[-1]))
            state = {"step": step, "params": params, "costs": np.array(cost_log),
                     "norms": np.array(norm_log).reshape(shape), "ratios": np.array(ratio_log).reshape(shape)}
            yield state if watch is None else {**state, "watched": np.array(watch_log)}
        if done:
            return
        grads = backward(params, cache, Y, activation)
        norm_log.append(layer_gradient_norms(grads))
        if grad_hook is not None:
            grads = grad_hook(grads)
        ratio_log.append(update_ratios(params, grads, learning_rate))
        params = gd_step(params, grads, learning_rate)


def train_together(params, X, Y, steps, learning_rate=0.5, activation="relu", grad_hook=None):
    """The final parameters of ``steps`` steps of ``gradient_descent`` (the same updates, up to round-off), in fewer
    array operations, most of them in place: for a stack of networks trained as one (results tables).

    ``params``: a network or a stack (leading axis B); X of shape (n0, m) or (B, n0, m); ``learning_rate`` a number
    or one per network (shape (B, 1, 1)); ``grad_hook`` as in gradient_descent. Inputs are not modified.
    """
    if steps < 0:
        raise ValueError(f"steps must be >= 0, got {steps!r}")
    _check_learning_rate(learning_rate)
    activate(np.zeros(1), activation)  # an unknown activation: its ValueError now
    L = n_layers(params)
    W = [None] + [np.array(params[f"W{l}"], dtype=np.float64) for l in range(1, L + 1)]
    b = [None] + [np.array(params[f"b{l}"], dtype=np.float64) for l in range(1, L + 1)]
    a = [np.asarray(X, dtype=np.float64)]
    for l in range(1, L + 1):
        a.append(np.matmul(W[l], a[l - 1]))  # a^[l] and dz^[l] are overwritten at every step
    dz = [None] + [np.empty_like(a[l]) for l in range(1, L + 1)]
    m = a[0].shape[-1]
    for _ in range(steps):
        for l in range(1, L + 1):
            np.matmul(W[l], a[l - 1], out=a[l])
            a[l] += b[l]
            if l < L:
                _activate_in_place(a[l], activation)
        with np.errstate(over="ignore"):
            np.exp(np.negative(a[L], out=dz[L]), out=dz[L])
        dz[L] += 1.0
        np.reciprocal(dz[L], out=dz[L])  # sigmoid(z^[L]) = A
        dz[L] -= Y  # m * dcost/dz^[L]
        grads = {}
        for l in range(L, 0, -1):
            grads[f"dW{l}"] = np.matmul(dz[l], np.swapaxes(a[l - 1], -1, -2)) / m
            grads[f"db{l}"] = dz[l].sum(axis=-1, keepdims=True) / m
            if l > 1:
                _backward_in_place(a[l - 1], np.matmul(np.swapaxes(W[l], -1, -2), dz[l], out=dz[l - 1]), activation)
        if grad_hook is not None:
            grads = grad_hook(grads)
        for l in range(1, L + 1):
            W[l] -= learning_rate * grads[f"dW{l}"]
            b[l] -= learning_rate * grads[f"db{l}"]
    return {f"{kind}{l}": (W if kind == "W" else b)[l] for l in range(1, L + 1) for kind in "Wb"}


def _activate_in_place(z, activation):
    """z <- g(z)."""
    if activation == "relu":
        np.maximum(z, 0.0, out=z)
    elif activation == "tanh":
        np.tanh(z, out=z)
    elif activation == "sigmoid":
        z[...] = sigmoid(z)


def _backward_in_place(a, da, activation):
    """da <- da * g'(z), from a = g(z) (g'(0) = 0 for ReLU)."""
    if activation == "relu":
        np.multiply(da, a > 0, out=da)
    elif activation == "tanh":
        da *= 1.0 - a * a
    elif activation == "sigmoid":
        da *= a * (1.0 - a)


def softmax_cost(Z, labels):
    """Mean cross-entropy of softmax(Z) (classes as rows) for integer ``labels``; returns (cost, P - Y).

    For a stack of networks (Z of shape (B, n_L, m)) the cost is an array of shape (B,).
    """
    Z = Z - Z.max(axis=-2, keepdims=True)
    P = np.exp(Z)
    P /= P.sum(axis=-2, keepdims=True)
    m = Z.shape[-1]
    columns = np.arange(m)
    cost = -np.log(P[..., labels, columns] + 1e-300).mean(axis=-1)
    P[..., labels, columns] -= 1.0  # P - Y, Y one-hot
    return (float(cost) if np.ndim(cost) == 0 else cost), P


def train_softmax(params, X, labels, steps, learning_rate=0.02, batch_size=64, activation="relu", rng=None,
                  momentum=0.0, cosine=False):
    """Minibatch SGD on the softmax cross-entropy (output layer linear + softmax); returns (params, costs).

    ``costs[t]`` is the cost of the minibatch of step t, before its update. Inputs are unchanged. A stack
    of networks (leading axis B, see ``forward``) trains on the same minibatches at the cost of about one;
    ``costs`` then has shape (steps, B). With ``momentum`` μ > 0 the step follows a velocity, v ← μ·v + grad
    (PyTorch's SGD); with ``cosine`` the learning rate of step t is learning_rate·(1 + cos(π·t/steps))/2.
    """
    if steps < 0:
        raise ValueError(f"steps must be >= 0, got {steps!r}")
    if not 0 <= momentum < 1:
        raise ValueError(f"momentum must be in [0, 1), got {momentum!r}")
    rng = np.random.default_rng() if rng is None else rng
    params = {k: np.array(v, dtype=np.float64) for k, v in params.items()}
    labels = np.asarray(labels)
    L, costs, velocity = n_layers(params), [], None
    for t in range(steps):
        batch = rng.choice(X.shape[1], size=min(batch_size, X.shape[1]), replace=False)
        _, cache = forward(params, X[:, batch], activation)
        cost_value, dz = softmax_cost(cache[f"z{L}"], labels[batch])
        costs.append(cost_value)
        grads = backprop(params, cache, dz, activation)
        if momentum:
            velocity = grads if velocity is None else {k: momentum * velocity[k] + g for k, g in grads.items()}
            grads = velocity
        rate = learning_rate * (1 + np.cos(np.pi * t / steps)) / 2 if cosine else learning_rate
        params = gd_step(params, grads, rate)
    return params, np.array(costs)
