"""Notebook 1, symmetry breaking: how hidden units move from zeros, from a constant and from random weights."""

import numpy as np

from .. import network, plots, widgets

SCALES = (0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0)  # the slider "random scale s"
ALPHAS = np.arange(-8, 9) * 0.25  # the values of the slider "constant α"
MAX_STEPS = 600
TABLE_SCALES = (10.0, 0.5, 0.1, 0.01, 0.001, 0.0001)  # the rows of scale_table


def smallest_abs_cosine(W):
    """Smallest |cos| of the angle between two rows of W (1: every row on the same line)."""
    U = W / np.linalg.norm(W, axis=1, keepdims=True)
    return np.min(np.abs(U @ U.T))


class _Starts:
    """Every start a figure's controls can choose, trained once for MAX_STEPS steps in one stack.

    A start is ("zeros",), ("constant", α, random biases?) or ("random", scale s); its run is
    ({"W1": W^[1] at steps 0..MAX_STEPS, shape (MAX_STEPS + 1, n_1, n_0), "b1": ..., "W2": ..., "b2": ...};
    the cost at those steps).
    """

    def __init__(self, initialize_zeros, initialize_constant, initialize_random, X, Y, layers, seed):
        self.functions = initialize_zeros, initialize_constant, initialize_random
        self.X, self.Y, self.layers, self.seed = X, Y, list(layers), seed
        self.runs = {}

    def params(self, start):
        """The parameters of a start, from the student's initializers (the same random draws for every s)."""
        initialize_zeros, initialize_constant, initialize_random = self.functions
        if start[0] == "zeros":
            return initialize_zeros(self.layers)
        if start[0] == "constant":
            params = initialize_constant(self.layers, start[1])
            if start[2]:
                params["b1"] = np.random.default_rng(self.seed + 2).standard_normal((self.layers[1], 1))
            return params
        return initialize_random(self.layers, start[1], rng=np.random.default_rng(self.seed + 1))

    def train(self, starts):
        """Train the starts not trained yet, as one stack of networks (a first axis of size B)."""
        starts = [start for start in dict.fromkeys(starts) if start not in self.runs]
        if not starts:
            return
        params = [self.params(start) for start in starts]
        stack = {key: np.stack([p[key] for p in params]) for key in params[0]}
        steps, costs = {key: [] for key in stack}, []
        for step in range(MAX_STEPS + 1):
            A, cache = network.forward(stack, self.X)
            for key, value in stack.items():
                steps[key].append(value)
            costs.append(network.costs(A, self.Y))
            if step < MAX_STEPS:
                stack = network.gd_step(stack, network.backward(stack, cache, self.Y), learning_rate=0.5)
        steps, costs = {key: np.array(values) for key, values in steps.items()}, np.array(costs)
        self.runs.update({start: ({key: values[:, k] for key, values in steps.items()}, costs[:, k])
                          for k, start in enumerate(starts)})

    def at(self, start, step):
        """The parameters of a trained start after ``step`` steps, and their cost."""
        run, costs = self.runs[start]
        return {key: values[step] for key, values in run.items()}, costs[step]


_TRAINED = []  # the last _Starts, reused by the next figure drawn from the same functions and data


def _starts(initialize_zeros, initialize_constant, initialize_random, X, Y, layers, seed):
    """The trained starts of these initializers on (X, Y): the last figure's, if it used the same ones."""
    functions = initialize_zeros, initialize_constant, initialize_random
    for starts in _TRAINED:
        if (starts.functions == functions and starts.X is X and starts.Y is Y and starts.layers == list(layers)
                and starts.seed == seed):
            return starts
    _TRAINED[:] = [_Starts(*functions, X, Y, layers, seed)]
    return _TRAINED[0]


def _key(alpha):
    """A slider's value to 12 digits: the key of its start, whatever the last bits the browser sent."""
    return float(f"{alpha:.12g}")


# every start the two figures' controls can choose, trained in one stack by whichever figure comes first
EVERY_START = ([("zeros",)] + [("constant", _key(alpha), bias) for alpha in ALPHAS for bias in (False, True)]
               + [("random", scale) for scale in SCALES])


def explorer(initialize_zeros, initialize_constant, initialize_random, count_distinct_units, X, Y, layers=(2, 4, 1),
             seed=0):
    """Each hidden unit's weight path (its row of W^[1]) from a constant and from random weights, and the cost of
    the three starts, trained on (X, Y); sliders: the constant α, the steps shown, the random scale s, and random
    biases for the constant net. Every figure is drawn by the student's four functions."""
    starts = _starts(initialize_zeros, initialize_constant, initialize_random, X, Y, layers, seed)

    def setup():
        starts.train(EVERY_START)
        fig, axes = plots.figure(3, height=3.7)
        parts = {"axes": axes, "titles": [ax.title for ax in axes[:2]],
                 "constant": plots.unit_paths(axes[0], layers[1], plots.COLORS["constant"]),
                 "random": plots.unit_paths(axes[1], layers[1], plots.COLORS["small"])}
        plots.legend_outside(axes[0], "below", handles=[parts["constant"]["start"], parts["constant"]["ends"]], ncol=2)
        plots.legend_outside(axes[1], "below", handles=[parts["random"]["start"], parts["random"]["ends"]], ncol=2)
        labels = {"zeros": "zeros", "constant": "constant α", "small": "random, scale s"}
        parts["costs"] = {name: axes[2].plot([], [], label=label, color=plots.COLORS[name])[0]
                          for name, label in labels.items()}
        axes[2].axhline(np.log(2), color=plots.THEORY, ls=":", lw=1)
        axes[2].set(xlabel="gradient-descent step", ylabel=r"cost $\mathcal{J}$", title="cost during training",
                    ylim=(0, 1))
        axes[2].grid()
        plots.legend_outside(axes[2], "below", ncol=2)
        return fig, parts

    def update(parts, value, steps, scale, random_bias):
        chosen = {"zeros": ("zeros",), "constant": ("constant", _key(value), random_bias), "small": ("random", scale)}
        starts.train(chosen.values())
        shown = sorted(set(range(0, steps + 1, max(1, steps // 60))) | {steps})  # the steps drawn on the paths
        distinct = {}
        for name, start in chosen.items():
            run, costs = starts.runs[start]
            parts["costs"][name].set_data(np.arange(steps + 1), costs[:steps + 1])
            if name != "zeros":
                plots.set_unit_paths(parts[name if name == "constant" else "random"],
                                     [(k, {"W1": run["W1"][k]}, costs[k]) for k in shown])
                count = count_distinct_units(run["W1"][steps])
                distinct[name] = f"{count} distinct unit" + "s" * (count != 1) + f", cost {costs[steps]:.3f}"
        parts["titles"][0].set_text(f"constant α = {value:g}" + (", random b" if random_bias else "")
                                    + f"\n{distinct['constant']}")
        parts["titles"][1].set_text(f"random, s = {scale:g}\n{distinct['small']}")
        parts["axes"][2].set_xlim(0, max(steps, 1))
        plots.rescale(*parts["axes"][:2], margin=0.05, ladder=plots.FINE)

    widgets.show(setup, update,
                 value=widgets.slider(0.5, -2.0, 2.0, 0.25, "constant α"),
                 steps=widgets.slider(300, 0, MAX_STEPS, 50, "steps", integer=True),
                 scale=widgets.choice_slider(SCALES, 0.5, "random scale s"),
                 random_bias=widgets.checkbox(False, "random biases in layer 1 of the constant net"))


def boundaries(initialize_zeros, initialize_constant, initialize_random, X, Y, layers=(2, 4, 1), seed=0, value=0.5):
    """What three starts have learned after some steps of gradient descent on (X, Y): the predicted probability
    P(y = 1) over the plane (the decision boundary is where the colour turns) from zeros, from the constant
    ``value`` and from random weights of scale s, with the share of points classified right and the cost;
    sliders: s and the steps. Drawn by the student's initializers."""
    starts = _starts(initialize_zeros, initialize_constant, initialize_random, X, Y, layers, seed)
    fixed = {"zeros": ("zeros",), f"constant α = {value:g}": ("constant", _key(value), False)}

    def setup():
        starts.train(EVERY_START)
        fig, axes = plots.figure(3, height=3.5)
        maps = [plots.boundary_map(ax) for ax in axes]
        for ax in axes[1:]:
            ax.set_ylabel("")
        return fig, {"maps": maps, "titles": [ax.title for ax in axes]}

    def update(parts, scale, steps):
        shown = {**fixed, f"random, s = {scale:g}": ("random", scale)}
        for (label, start), artists, title in zip(shown.items(), parts["maps"], parts["titles"]):
            params, cost = starts.at(start, steps)
            plots.set_boundary(artists, lambda P, params=params: network.forward(params, P)[0], X, Y)
            title.set_text(f"{label}\n{100 * network.accuracy(params, X, Y):.0f} % right, cost {cost:.2f}")

    widgets.show(setup, update,
                 scale=widgets.choice_slider(SCALES, 10.0, "random scale s"),
                 steps=widgets.slider(300, 0, MAX_STEPS, 50, "steps", integer=True))


def distinct_units(count_distinct_units, params, X, Y, label, steps=300, every=5):
    """Train from ``params`` on (X, Y) and print the student's count of distinct rows of W^[1] every ``every`` steps
    from 0 to ``steps`` (one number if it never changes), and the cost at the first and the last step."""
    _, history = network.train(params, X, Y, steps, record_every=every)
    counts = [count_distinct_units(p["W1"]) for _, p, _ in history]
    seen = f"always {counts[0]}" if len(set(counts)) == 1 else ", ".join(map(str, counts))
    print(f"{label}: distinct hidden units, counted every {every} steps from 0 to {steps}: {seen}\n"
          f"cost: {history[0][2]:.4f} -> {history[-1][2]:.4f}")


def _random_stack(initialize_random, layers, scales, seed):
    """The networks of the scales ``scales``, the same random directions (the student's initialize_random), stacked."""
    starts = [initialize_random(list(layers), s, rng=np.random.default_rng(seed + 1)) for s in scales]
    return {key: np.stack([p[key] for p in starts]) for key in starts[0]}


def scale_table(initialize_random, X, Y, layers=(2, 4, 1), seed=0, scales=TABLE_SCALES, steps=300):
    """Per scale s, the same random directions (the student's initialize_random): the cost at step 0, the first step
    at which it is below 0.6, the cost after ``steps`` steps, and how aligned the units are then: the smallest |cos|
    between two rows of W^[1], and between two rows of [W^[1] b^[1]] (a unit's weights and its bias). The networks
    train as one stack."""
    stack, costs = _random_stack(initialize_random, layers, scales, seed), []
    for step in range(steps + 1):
        A, cache = network.forward(stack, X)
        costs.append(network.costs(A, Y))
        if step < steps:
            stack = network.gd_step(stack, network.backward(stack, cache, Y), learning_rate=0.5)
    costs = np.array(costs)
    lines = [f"{'s':>7} {'cost at 0':>10} {'cost<0.6 at':>12} {f'cost at {steps}':>12} {'|cos| W1 rows':>14}"
             f" {'with b1':>8}"]
    for k, s in enumerate(scales):
        W1, b1 = stack["W1"][k], stack["b1"][k]
        lines.append(f"{s:7g} {costs[0, k]:10.2f} {np.argmax(costs[:, k] < 0.6):12d} {costs[-1, k]:12.4f}"
                     f" {smallest_abs_cosine(W1):14.3f} {smallest_abs_cosine(np.hstack([W1, b1])):8.3f}")
    print("\n".join(lines))


def gradient_sizes(initialize_random, X, Y, layers=(2, 4, 1), seed=0, scales=TABLE_SCALES):
    """Per scale s, the same random directions as scale_table: the norms of the first gradients dW^[1] and dW^[2]
    divided by s (they settle to fixed values as s shrinks: each gradient is proportional to s)."""
    stack = _random_stack(initialize_random, layers, scales, seed)
    _, cache = network.forward(stack, X)
    grads = network.backward(stack, cache, Y)
    lines = [f"{'s':>7} {'|dW1|/s':>8} {'|dW2|/s':>8}"]
    lines += [f"{s:7g} {np.linalg.norm(grads['dW1'][k]) / s:8.3f} {np.linalg.norm(grads['dW2'][k]) / s:8.3f}"
              for k, s in enumerate(scales)]
    print("\n".join(lines))


def plateaus(initialize_random, X, Y, shapes, scale=0.01, seed=0, steps=300, below=0.6, max_steps=3000):
    """For each network shape in ``shapes``, started at ``scale`` · N(0, 1) (the student's initialize_random): the
    cost after ``steps`` steps and the first step at which it is below ``below`` (gradient descent, rate 0.5)."""
    for layers in shapes:
        params, costs = initialize_random(list(layers), scale, rng=np.random.default_rng(seed + 1)), []
        while len(costs) <= steps or (costs[-1] >= below and len(costs) <= max_steps):
            A, cache = network.forward(params, X)
            costs.append(network.cost(A, Y))
            params = network.gd_step(params, network.backward(params, cache, Y), learning_rate=0.5)
        first = next((f"at step {k}" for k, c in enumerate(costs) if c < below), f"not within {max_steps} steps")
        print(f"{str(list(layers)):14} from {scale:g}·N(0, 1): cost after {steps} steps {costs[steps]:.4f},"
              f" first below {below} {first}")


def hidden_units(params):
    """Print each hidden unit of a one-hidden-layer network: its row of W^[1], its bias, its outgoing weight, and
    the cosine of its row with u, the direction of the longest row."""
    W1, b1, W2 = params["W1"], params["b1"][:, 0], params["W2"][0]
    u = W1[np.argmax(np.linalg.norm(W1, axis=1))]
    u = u / np.linalg.norm(u)
    lines = [f"{'unit':>4}  {'row of W1':^18} {'b1':>6} {'W2':>7} {'cos(row, u)':>12}"]
    for j, (row, bias, out) in enumerate(zip(W1, b1, W2), start=1):
        lines.append(f"{j:4d}  ({row[0]:7.3f}, {row[1]:7.3f}) {bias:6.2f} {out:7.2f}"
                     f" {row @ u / np.linalg.norm(row):12.3f}")
    print("\n".join(lines))


def _minibatch_sgd(params, X, Y, steps, batch, rng):
    """Gradient descent on a fresh random minibatch of ``batch`` examples at every step."""
    for _ in range(steps):
        chosen = rng.choice(X.shape[1], size=batch, replace=False)
        _, cache = network.forward(params, X[:, chosen])
        params = network.gd_step(params, network.backward(params, cache, Y[:, chosen]), learning_rate=0.5)
    return params


def _dropout_gd(params, X, Y, steps, keep, rng):
    """Gradient descent with (inverted) dropout on the hidden layer of a one-hidden-layer ReLU network: at every
    step each hidden unit is kept, for each example on its own, with probability ``keep``."""
    for _ in range(steps):
        _, cache = network.forward(params, X)
        mask = rng.random(cache["z1"].shape) < keep
        cache["a1"] = cache["a1"] * mask / keep  # a dropped unit outputs 0 and gets no gradient
        cache["z1"] = np.where(mask, cache["z1"], 0.0)
        cache["a2"] = network.sigmoid(params["W2"] @ cache["a1"] + params["b2"])
        scaled = {**params, "W2": params["W2"] / keep}  # the 1/keep of a kept unit, on the way back
        params = network.gd_step(params, network.backprop(scaled, cache, cache["a2"] - Y), learning_rate=0.5)
    return params


def beyond_gradient_descent(initialize_zeros, initialize_constant, count_distinct_units, X, Y, layers=(2, 4, 1),
                            seed=0, steps=300):
    """Distinct hidden units after ``steps`` steps in three settings §1.2's argument does not cover as written:
    sigmoid hidden units from zeros (on a subset with twice as many points of class 1 as of class 0), minibatch
    SGD and dropout from the constant 0.5."""
    ones, zeros = np.flatnonzero(Y[0] == 1), np.flatnonzero(Y[0] == 0)
    subset = np.concatenate([ones, zeros[: len(ones) // 2]])
    Xs, Ys = X[:, subset], Y[:, subset]
    sigmoid_net, history = network.train(initialize_zeros(list(layers)), Xs, Ys, steps, activation="sigmoid",
                                         record_every=steps)
    rng = np.random.default_rng(seed + 5)
    runs = [(f"sigmoid units from zeros, classes 2:1, cost {history[0][2]:.3f} -> {history[-1][2]:.3f}",
             sigmoid_net),
            ("ReLU, constant 0.5, minibatch SGD (20 examples a step)",
             _minibatch_sgd(initialize_constant(list(layers), 0.5), X, Y, steps, 20, rng)),
            ("ReLU, constant 0.5, dropout (each unit kept with probability 1/2)",
             _dropout_gd(initialize_constant(list(layers), 0.5), X, Y, steps, 0.5, rng))]
    print("\n".join(f"{label:67}  distinct units after {steps} steps: {count_distinct_units(params['W1'])}"
                    for label, params in runs))


def compare_with_logistic(logistic, params, X, Y, label="the network"):
    """Logistic regression ``logistic`` (the network [n0, 1]) beside a one-hidden-layer network ``params``: their
    costs and shares of points classified right, and the |cos| of the angle between logistic regression's w and u,
    the direction of the network's longest row of W^[1]."""
    lines = [f"{name:32}  cost {network.cost(network.forward(p, X)[0], Y):.4f}, "
             f"right on {network.accuracy(p, X, Y):.0%} of the points"
             for name, p in (("logistic regression from w = 0", logistic), (label, params))]
    w = logistic["W1"][0]
    u = params["W1"][np.argmax(np.linalg.norm(params["W1"], axis=1))]
    cosine = abs(w @ u) / (np.linalg.norm(w) * np.linalg.norm(u))
    lines.append(f"w = ({w[0]:.2f}, {w[1]:.2f}); |cos| of its angle with u, the network's direction: {cosine:.3f}")
    print("\n".join(lines))
