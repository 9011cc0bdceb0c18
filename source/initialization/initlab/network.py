"""A small fully connected network in numpy, in the notation of the notes.

``params`` holds ``W1, b1, ..., WL, bL`` with ``W^[l]`` of shape (n_l, n_{l-1})
and ``b^[l]`` of shape (n_l, 1); examples are columns. Hidden layers use
``activation`` ("relu", "tanh" or "linear"); the output layer is a sigmoid
trained with the binary cross-entropy cost.
"""

import numpy as np

ACTIVATIONS = ("relu", "tanh", "linear")


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
    raise ValueError(f"activation must be one of {ACTIVATIONS}, got {activation!r}")


def activate_grad(z, activation):
    """g'(z) for a hidden layer (g'(0) = 0 for ReLU)."""
    if activation == "relu":
        return (z > 0).astype(np.float64)
    if activation == "tanh":
        return 1.0 - np.tanh(z) ** 2
    if activation == "linear":
        return np.ones_like(z)
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


def backward(params, cache, Y, activation="relu"):
    """Gradients dW1, db1, ..., dWL, dbL of the mean cross-entropy."""
    return backprop(params, cache, cache[f"a{n_layers(params)}"] - Y, activation)


def backprop(params, cache, dz, activation="relu"):
    """Gradients of a cost averaged over the m examples, from ``dz`` = m·∂cost/∂z^[L] (shape (n_L, m))."""
    L = n_layers(params)
    m = dz.shape[1]
    grads = {}
    for l in range(L, 0, -1):
        grads[f"dW{l}"] = dz @ cache[f"a{l - 1}"].T / m
        grads[f"db{l}"] = dz.sum(axis=1, keepdims=True) / m
        if l > 1:
            dz = (params[f"W{l}"].T @ dz) * activate_grad(cache[f"z{l - 1}"], activation)
    return grads


def gd_step(params, grads, learning_rate):
    """One step of gradient descent; returns new parameters (inputs unchanged)."""
    if learning_rate <= 0:
        raise ValueError(f"learning_rate must be > 0, got {learning_rate!r}")
    return {k: v - learning_rate * grads["d" + k] for k, v in params.items()}


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
    """Fraction of examples classified correctly (threshold 0.5)."""
    A, _ = forward(params, X, activation)
    return float(np.mean((A > 0.5) == (Y > 0.5)))


def softmax_cost(Z, labels):
    """Mean cross-entropy of softmax(Z) (classes as rows) for integer ``labels``; returns (cost, P - Y)."""
    Z = Z - Z.max(axis=0, keepdims=True)
    P = np.exp(Z)
    P /= P.sum(axis=0, keepdims=True)
    m = Z.shape[1]
    Y = np.zeros_like(P)
    Y[labels, np.arange(m)] = 1.0
    return float(-np.mean(np.log(P[labels, np.arange(m)] + 1e-300))), P - Y


def train_softmax(params, X, labels, steps, learning_rate=0.02, batch_size=64, activation="relu", rng=None):
    """Minibatch SGD on the softmax cross-entropy (output layer linear + softmax); returns (params, costs).

    ``costs[t]`` is the cost of the minibatch of step t, before its update. Inputs are unchanged.
    """
    if steps < 0:
        raise ValueError(f"steps must be >= 0, got {steps!r}")
    rng = np.random.default_rng() if rng is None else rng
    params = {k: np.array(v, dtype=np.float64) for k, v in params.items()}
    labels = np.asarray(labels)
    L, costs = n_layers(params), []
    for _ in range(steps):
        batch = rng.choice(X.shape[1], size=min(batch_size, X.shape[1]), replace=False)
        _, cache = forward(params, X[:, batch], activation)
        cost_value, dz = softmax_cost(cache[f"z{L}"], labels[batch])
        costs.append(cost_value)
        params = gd_step(params, backprop(params, cache, dz, activation), learning_rate)
    return params, np.array(costs)
