"""Notebook 1, symmetry breaking: how hidden units move from zeros, from a constant and from random weights."""

import numpy as np

from .. import network, plots, widgets

SCALES = (0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0)  # the values of the slider "random scale s"
ALPHAS = np.arange(-8, 9) * 0.25  # the values of the slider "constant α"
MAX_STEPS = 600


def smallest_abs_cosine(W):
    """Smallest |cos| of the angle between two rows of W (1: every row on the same line)."""
    U = W / np.linalg.norm(W, axis=1, keepdims=True)
    return np.min(np.abs(U @ U.T))


class _Starts:
    """Every start the explorer's controls can choose, trained once for MAX_STEPS steps in one stack.

    A start is ("zeros",), ("constant", α, random biases?) or ("random", scale s); its run is
    (W^[1] at steps 0..MAX_STEPS, shape (MAX_STEPS + 1, n_1, n_0); the cost at those steps).
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
        W1s, costs = [], []
        for step in range(MAX_STEPS + 1):
            A, cache = network.forward(stack, self.X)
            W1s.append(stack["W1"])
            costs.append(network.costs(A, self.Y))
            if step < MAX_STEPS:
                stack = network.gd_step(stack, network.backward(stack, cache, self.Y), learning_rate=0.5)
        W1s, costs = np.array(W1s), np.array(costs)
        self.runs.update({start: (W1s[:, k], costs[:, k]) for k, start in enumerate(starts)})


def _key(alpha):
    """A slider's value to 12 digits: the key of its start, whatever the last bits the browser sent."""
    return float(f"{alpha:.12g}")


def explorer(initialize_zeros, initialize_constant, initialize_random, count_distinct_units, X, Y, layers=(2, 4, 1),
             seed=0):
    """Each hidden unit's weight path (its row of W^[1]) from a constant and from random weights, and the cost of
    the three starts, trained on (X, Y); sliders: the constant α, the steps shown, the random scale s, and random
    biases for the constant net. Every figure is drawn by the student's four functions."""
    starts = _Starts(initialize_zeros, initialize_constant, initialize_random, X, Y, layers, seed)

    def setup():
        starts.train([("zeros",)] + [("constant", _key(alpha), bias) for alpha in ALPHAS for bias in (False, True)]
                     + [("random", scale) for scale in SCALES])
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
            W1s, costs = starts.runs[start]
            parts["costs"][name].set_data(np.arange(steps + 1), costs[:steps + 1])
            if name != "zeros":
                plots.set_unit_paths(parts[name if name == "constant" else "random"],
                                     [(k, {"W1": W1s[k]}, costs[k]) for k in shown])
                count = count_distinct_units(W1s[steps])
                distinct[name] = f"{count} distinct unit" + "s" * (count != 1)
        parts["titles"][0].set_text(f"constant α = {value:g}" + (", random b" if random_bias else "")
                                    + f": {distinct['constant']}")
        parts["titles"][1].set_text(f"random, s = {scale:g}: {distinct['small']}")
        parts["axes"][2].set_xlim(0, max(steps, 1))
        plots.rescale(*parts["axes"][:2], margin=0.05, ladder=plots.FINE)

    widgets.show(setup, update,
                 value=widgets.slider(0.5, -2.0, 2.0, 0.25, "constant α"),
                 steps=widgets.slider(300, 0, MAX_STEPS, 50, "steps", integer=True),
                 scale=widgets.choice_slider(SCALES, 0.5, "random scale s"),
                 random_bias=widgets.checkbox(False, "random biases in layer 1 of the constant net"))
