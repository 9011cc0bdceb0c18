"""Notebook 6, the training playground: train a small network from each initialization, read its diagnostics, and
clip its gradients.

``Playground`` holds the training and test sets, the student's ``initialize_network`` and ``clip_by_global_norm``
and every run trained so far; its ``show()`` is the live figure with the Train button. Each move or training step
makes a view of the run (``Playground._view``) that the panels draw (``_PANELS``: the decision boundary, the cost,
the gradient norm per layer, the activations per layer, the dead or saturated units, the update-to-weight ratio, the
status line): a new diagnostic is one more axes in ``_setup`` and one more panel. The results tables train many
networks as one stack (``network.train_together``).
"""

import functools

import matplotlib.pyplot as plt
import numpy as np

from .. import data, network, plots, widgets

METHODS = ["zeros", "small", "large", "xavier", "he"]
DATA_SETS = {  # circles as in the deeplearning.ai assignment (noise 0.05, factor 0.8)
    "circles": lambda m, rng: data.make_circles(m, noise=0.05, factor=0.8, rng=rng),
    "moons": lambda m, rng: data.make_moons(m, noise=0.15, rng=rng),
    "spiral": lambda m, rng: data.make_spiral(m, noise=0.2, rng=rng),
    "xor": lambda m, rng: data.make_xor(m, noise=0.15, rng=rng),
}
TRAINING_POINTS, TEST_POINTS = 300, 10_000
LEARNING_RATES = (0.01, 0.03, 0.1, 0.3, 0.5, 1, 3, 5)  # the playground's α: exactly the values the text names
HIDDEN = {"10, 5": [10, 5], "10": [10], "20, 20": [20, 20], "10, 10, 10, 10": [10, 10, 10, 10]}
MAX_LAYERS = 1 + max(len(sizes) for sizes in HIDDEN.values())
DRAWS = 20  # draws of the weights the playground offers (seed, seed + 1, ...)
SURE = 1e-12  # network.cost keeps every probability at least this far from 0 and 1
SATURATED = 0.97  # a tanh unit with |a| above this is saturated (Karpathy's threshold)
RATIO_GUIDE = 1e-3  # the usual guide for ‖ΔW‖/‖W‖ per step (CS231n)
RATIO_RANGE = (1e-7, 1e1)
DECADES = (-10, 6)  # the range of log10 a of a ReLU layer's activations drawn
SOLVED = 0.95  # training accuracy of a run that has solved XOR
TABLE = ("circles", "moons", "xor")  # the data sets of the results table (spiral: hard for any start)
CLIPPING = {"none": "0.35", "global": "#1b9e77", "entry": "#d95f02"}  # not clipped, by global norm, per entry
FRAMES_PER_SECOND = 10  # while the Train button works (the browser test asks for at least 5)
LAYER_COLORS = plt.get_cmap("viridis")(np.linspace(0, 0.9, MAX_LAYERS))  # as plots.layer_lines: l = 1, 2, ...
DECADE_LABELS = {-8: "10⁻⁸", -4: "10⁻⁴", 0: "10⁰", 4: "10⁴"}


def course_sets(seed):
    """The chapter's data sets (DATA_SETS), two dicts name → (X, Y): TRAINING_POINTS points to train on (data set
    k drawn from seed + k) and TEST_POINTS held-out points of the same distribution (from seed + 100 + k)."""
    def sets(m, offset):
        return {name: make(m, np.random.default_rng(seed + offset + k)) for k, (name, make) in
                enumerate(DATA_SETS.items())}
    return sets(TRAINING_POINTS, 0), sets(TEST_POINTS, 100)


def _unless_grading(report):
    """A printed demo that trains: skipped under nbgrader (as widgets.show skips figures), with the friendly line
    for a student function not written yet."""
    @functools.wraps(report)
    def run(*args, **kwargs):
        if widgets.mode() == "skip":
            print("(Demo skipped while nbgrader runs the notebook.)")
            return
        with widgets.friendly():
            report(*args, **kwargs)
    return run


def first_step_report(initialize_network, X, Y, layer_dims, activation="relu", seed=0):
    """Per method (the student's initialize_network): std of z^[L], the initial cost, the share of points on which
    the output is certain and wrong, and the global norm of the first gradient."""
    print(f"{'method':8} {'std z^[L]':>10} {'cost':>8} {'sure and wrong':>15} {'|gradient|':>11}")
    for method in METHODS:
        params = initialize_network(layer_dims, method, rng=np.random.default_rng(seed))
        A, cache = network.forward(params, X, activation)
        grads = network.backward(params, cache, Y, activation)
        norm = np.sqrt(sum(np.sum(g ** 2) for g in grads.values()))
        sure_and_wrong = np.mean(np.abs(A - Y) > 1 - SURE)
        print(f"{method:8} {np.std(cache[f'z{len(layer_dims) - 1}']):10.3g} {network.cost(A, Y):8.3f} "
              f"{sure_and_wrong:15.1%} {norm:11.3g}")
    print(f"\ncost of a certain, wrong answer: -ln({SURE:g}) = {-np.log(SURE):.1f}; "
          f"cost of the answer 1/2: ln 2 = {np.log(2):.3f}")


def flatten(grads):
    """Every entry of every array of a gradient dict, in one vector."""
    return np.concatenate([np.ravel(value) for value in grads.values()])


def cosine(u, v):
    """The cosine of the angle between two vectors."""
    return float(u @ v / (np.linalg.norm(u) * np.linalg.norm(v)))


@_unless_grading
def clip_real_gradient(initialize_network, clip_by_global_norm, X, Y, layer_dims, max_norm=1.0, seed=0):
    """The first gradient of the "large" initialization (the student's), clipped at max_norm by the student's
    clip_by_global_norm and by np.clip entry by entry: the length of each and its cosine with the gradient, all
    arrays flattened into one vector."""
    params = initialize_network(layer_dims, "large", rng=np.random.default_rng(seed))
    grads = network.backward(params, network.forward(params, X)[1], Y)
    g = flatten(grads)
    by_norm = flatten(clip_by_global_norm(grads, max_norm))
    by_entry = flatten({key: np.clip(value, -max_norm, max_norm) for key, value in grads.items()})
    print(f"global norm of the gradient: {np.linalg.norm(g):.1f}")
    print(f"clip_by_global_norm: length {np.linalg.norm(by_norm):.3f}, cosine with the gradient "
          f"{cosine(by_norm, g):.6f}")
    print(f"np.clip per entry:   length {np.linalg.norm(by_entry):.3f}, cosine with the gradient "
          f"{cosine(by_entry, g):.3f} (an angle of {np.degrees(np.arccos(cosine(by_entry, g))):.0f}°)")
    print(f"entries capped by np.clip: {np.sum(np.abs(g) > max_norm)} of {g.size}")


def active_units(params, X):
    """Per hidden layer: the number of ReLU units that are on (z > 0) for at least one example."""
    _, cache = network.forward(params, X)
    return [int(np.sum(np.any(cache[f"z{l}"] > 0, axis=1))) for l in range(1, network.n_layers(params))]


def dead_layer(params, X):
    """Per network (of a stack): whether a hidden ReLU layer has every unit off (z <= 0) for every example."""
    _, cache = network.forward(params, X)
    return np.any([~np.any(cache[f"z{l}"] > 0, axis=(-2, -1)) for l in range(1, network.n_layers(params))], axis=0)


def unit_health(activation):
    """What the diagnostics watch at every step (``network.gradient_descent(watch=...)``), one number per hidden
    layer: the share of dead units (ReLU: off for every example) or of saturated entries (tanh: |a| > SATURATED)."""
    def watch(cache):
        hidden = range(1, sum(key.startswith("z") for key in cache))
        if activation == "tanh":
            return np.array([np.mean(np.abs(cache[f"a{l}"]) > SATURATED) for l in hidden])
        return np.array([np.mean(~np.any(cache[f"z{l}"] > 0, axis=-1)) for l in hidden])
    return watch


def true_boundary_accuracy(X, Y, factor=0.8):
    """Accuracy of the ideal rule for circles: inner class inside the circle halfway between the rings."""
    inside = np.sqrt(np.sum(X ** 2, axis=0)) < (1 + factor) / 2
    return float(np.mean(inside == (Y.ravel() > 0.5)))


def _stack(nets):
    return {name: np.stack([net[name] for net in nets]) for name in nets[0]}


def _range(values):
    """'median (lowest–highest)' of accuracies, in %."""
    values = 100 * np.asarray(values)
    if np.ptp(values) == 0:
        return f"{values[0]:5.1f}"
    return f"{np.median(values):5.1f} ({values.min():.1f}–{values.max():.1f})"


class Playground:
    """Runs of gradient descent on 2-D data sets (``data_sets``: name → (X, Y) to train on; ``test_sets``: name →
    held-out (X, Y) of the same distribution), started from the student's ``initialize_network`` (draw d of the
    weights: seed ``seed + d - 1``) and clipped, when asked, by ``clip(grads, max_norm)`` (the student's
    ``clip_by_global_norm``, which the notebook asks for after the playground: a function that looks it up when
    called); ``runs`` keeps every run trained (or training), keyed by its settings."""

    def __init__(self, initialize_network, data_sets, test_sets, clip, seed=0):
        self.initialize_network, self.clip = initialize_network, clip
        self.data, self.test, self.seed = data_sets, test_sets, seed
        self.runs, self._tables = {}, {}

    @staticmethod
    def key(data_set, init, activation, hidden, learning_rate, steps, clip, max_norm, draw=1):
        """The settings that decide a run (max_norm only matters with clipping)."""
        return (data_set, init, activation, hidden, round(learning_rate, 9), steps, clip,
                round(max_norm, 9) if clip else None, draw)

    def start(self, init, hidden, draw=1):
        """layer_dims and the initial parameters of a setting (the student's initialize_network)."""
        dims = [2, *HIDDEN[hidden], 1]
        return dims, self.initialize_network(dims, init, rng=np.random.default_rng(self.seed + draw - 1))

    def hook(self, clip, max_norm):
        """What the gradients go through before each update: the student's clipping, or nothing."""
        return (lambda grads: self.clip(grads, max_norm)) if clip else None

    def train(self, data_set, init, activation, hidden, learning_rate, steps, clip, max_norm, draw=1):
        """The Train button: gradient descent for these settings; keeps the run in ``runs`` as it goes and yields
        the fraction done (about 200 times, so that the figure can follow the run)."""
        key = self.key(data_set, init, activation, hidden, learning_rate, steps, clip, max_norm, draw)
        X, Y = self.data[data_set]
        for state in network.gradient_descent(self.start(init, hidden, draw)[1], X, Y, steps, learning_rate,
                                              activation, self.hook(clip, max_norm), max(steps // 200, 1),
                                              watch=unit_health(activation)):
            self.runs[key] = dict(state, steps=steps)
            yield state["step"] / steps

    def trained(self, *setting):
        """Train a setting to the end, as the Train button does, and return its run."""
        for _ in self.train(*setting):
            pass
        return self.runs[self.key(*setting)]

    # --- the live figure -----------------------------------------------------------------------------------------

    def _setup(self):
        fig, axes = plots.mosaic([["map", "cost", "norm", "key"], ["acts", "health", "ratio", "key"]], plots.WIDTH,
                                 6.1, width_ratios=[1.0, 1.0, 1.0, 0.42])
        axes["key"].axis("off")
        axes["key"].text(0, 0, "", transform=axes["key"].transAxes, va="bottom", fontsize=8.5, linespacing=1.5)
        parts = {"status": fig.suptitle(" "), "background": {}, "legend": None,
                 "boundary": plots.boundary_map(axes["map"]),
                 "cost": axes["cost"].plot([], [], marker="o", ms=4, markevery=[0])[0],  # a dot at step 0
                 "layers": plots.layer_lines(axes["norm"], MAX_LAYERS, r"$\|(dW^{[l]}, db^{[l]})\|$"),
                 "global": axes["norm"].plot([], [], "k--", lw=1, label="global")[0],
                 "max_norm": axes["norm"].plot([], [], ":", color="tab:red", lw=1.5, label="max_norm")[0],
                 "ratios": plots.layer_lines(axes["ratio"], MAX_LAYERS, r"$\|\Delta W^{[l]}\| / \|W^{[l]}\|$"),
                 "health": [axes["health"].plot([], [], color=color, lw=1.2, marker="o", ms=3, markevery=[0])[0]
                            for color in LAYER_COLORS[:-1]],
                 "acts": _ridges(axes["acts"]),
                 **{f"{name}_ax": axes[name] for name in ("cost", "norm", "key", "acts", "health", "ratio")}}
        axes["map"].set_title(r"$P(y=1\mid x)$ and the data")
        axes["cost"].set(ylabel=r"cost $\mathcal{J}$", title="cost")
        axes["cost"].grid()
        axes["norm"].set_title("gradient norm per layer", pad=10)  # above the top tick label
        axes["health"].set(ylim=(-3, 103), ylabel="% of the layer")
        axes["health"].grid()
        axes["ratio"].set_ylim(RATIO_RANGE)
        axes["ratio"].axhline(RATIO_GUIDE, color=plots.THEORY, ls="-.", lw=1)
        axes["ratio"].text(1.0, RATIO_GUIDE, " 10⁻³", transform=axes["ratio"].get_yaxis_transform(), va="center",
                           ha="left", fontsize=8, color=plots.THEORY)
        axes["ratio"].set_title("update / weights per step")
        for name in ("health", "ratio"):
            axes[name].set_xlabel("gradient-descent step")
        parts["step axes"] = [plots.live_axis(axes[name], "x", labels=4) for name in ("cost", "norm", "health",
                                                                                      "ratio")]
        parts["norm axis"] = plots.live_axis(axes["norm"], "y", labels=6)  # moves with the run: no background redrawn
        return fig, parts

    def _view(self, data_set, init, activation, hidden, learning_rate, steps, clip, max_norm, draw=1):
        """What the panels show for these settings: the run so far (or the starting point, before Train)."""
        X, Y = self.data[data_set]
        dims, params = self.start(init, hidden, draw)
        run = self.runs.get(self.key(data_set, init, activation, hidden, learning_rate, steps, clip, max_norm, draw))
        if run is None:
            A, cache = network.forward(params, X, activation)
            run = {"step": None, "params": params, "costs": np.array([network.cost(A, Y)]),
                   "norms": np.zeros((0, len(dims) - 1)), "ratios": np.zeros((0, len(dims) - 1)),
                   "watched": unit_health(activation)(cache)[None]}
        return {"X": X, "Y": Y, "test": self.test[data_set], "dims": dims, "run": run, "data_set": data_set,
                "init": init, "activation": activation, "learning_rate": learning_rate, "steps": steps, "clip": clip,
                "max_norm": max_norm, "draw": draw}

    def _update(self, parts, **settings):
        view = self._view(**settings)
        for panel in _PANELS:
            panel(parts, view)

    def show(self):
        """The playground: data set, initialization, activation, hidden layers, α, steps, clipping, draw of the
        weights; Train runs the student's network and the figure follows the run."""
        widgets.show(self._setup, self._update, prerender=[{"activation": "tanh"}],  # its own axes for activations
                     data_set=widgets.dropdown(list(self.data), "circles", "data"),
                     init=widgets.dropdown(METHODS, "he", "init"),
                     activation=widgets.dropdown(["relu", "tanh"], "relu", "activation"),
                     hidden=widgets.dropdown(list(HIDDEN), "10, 5", "hidden layers"),
                     learning_rate=widgets.choice_slider(LEARNING_RATES, 0.1, "learning rate α", continuous=False),
                     steps=widgets.slider(1500, 100, 5000, 100, "steps", integer=True, continuous=False),
                     clip=widgets.checkbox(False, "clip"),
                     max_norm=widgets.slider(1.0, -2, 2, 0.1, "max_norm", log=True, continuous=False),
                     draw=widgets.slider(1, 1, DRAWS, 1, "draw of W", integer=True, continuous=False),
                     train=widgets.button("Train", self.train, every=1 / FRAMES_PER_SECOND))

    # --- every initialization on every data set ------------------------------------------------------------------

    def results_table(self, steps=1500, learning_rate=0.1, draws=5, data_sets=TABLE, layer_dims=(2, 10, 5, 1)):
        """Every initialization on each of ``data_sets`` (draw 1), and on circles over ``draws`` draws of the
        weights, all trained as one stack: a dict of arrays (data set × method) ``train``, ``test`` (accuracies) and
        ``cost``, ``spread`` {method: (train, test) accuracies on circles over the draws} and ``params`` {(data set,
        method): the trained network of draw 1}. Kept: asking again is free."""
        key = (steps, learning_rate, draws, tuple(data_sets), tuple(layer_dims))
        if key not in self._tables:
            runs = [(name, method, 1) for name in data_sets for method in METHODS]
            runs += [("circles", method, draw) for method in METHODS[1:] for draw in range(2, draws + 1)]
            stack = _stack([self.initialize_network(list(layer_dims), method, rng=np.random.default_rng(
                self.seed + draw - 1)) for _, method, draw in runs])
            X, Y = (np.stack([self.data[name][k] for name, _, _ in runs]) for k in (0, 1))
            final = network.train_together(stack, X, Y, steps, learning_rate, "relu")
            Xt, Yt = (np.stack([self.test[name][k] for name, _, _ in runs]) for k in (0, 1))
            train, test = network.accuracy(final, X, Y), network.accuracy(final, Xt, Yt)
            cost = network.costs(network.forward(final, X)[0], Y)
            shape, table = (len(data_sets), len(METHODS)), len(data_sets) * len(METHODS)
            on_circles = {method: [k for k, (name, m, _) in enumerate(runs) if name == "circles" and m == method]
                          for method in METHODS}
            self._tables[key] = {
                "train": train[:table].reshape(shape), "test": test[:table].reshape(shape),
                "cost": cost[:table].reshape(shape),
                "spread": {method: (train[k], test[k]) for method, k in on_circles.items()},
                "params": {(name, method): {p: v[k] for p, v in final.items()}
                           for k, (name, method, _) in enumerate(runs[:table])}}
        return self._tables[key]

    def results(self, steps=1500, learning_rate=0.1, draws=5):
        """Print the results (train and test accuracy and final cost of draw 1 on every data set; on circles the
        median and range over the draws, and the true boundary) and draw the decision boundaries on circles."""
        def draw():
            results = self.results_table(steps, learning_rate, draws)
            names = list(TABLE)
            print(f"{'accuracy, train / test':22}" + "".join(f"{m:>15}" for m in METHODS))
            for k, name in enumerate(names):
                print(f"{name:22}" + "".join(f"{100 * a:8.1f} /{100 * t:5.1f}"
                                             for a, t in zip(results["train"][k], results["test"][k])))
            print(f"\n{'final cost (training)':22}" + "".join(f"{m:>15}" for m in METHODS))
            for k, name in enumerate(names):
                print(f"{name:22}" + "".join(f"{c:15.3f}" for c in results["cost"][k]))
            print(f"\ncircles, {draws} draws of the weights: median (lowest–highest), %")
            print(f"{'':8}{'train':>24}{'test':>24}")
            for method, (train, test) in results["spread"].items():
                print(f"{method:8}{_range(train):>24}{_range(test):>24}")
            print(f"the true boundary (the circle of radius 0.9): train "
                  f"{100 * true_boundary_accuracy(*self.data['circles']):.1f} %, test "
                  f"{100 * true_boundary_accuracy(*self.test['circles']):.1f} %")
            return self._boundaries(results)

        widgets.show(draw)

    @_unless_grading
    def results_row(self, steps, learning_rate, data_set="circles"):
        """One row of the results (draw 1 of every initialization on ``data_set``) for other settings."""
        results = self.results_table(steps, learning_rate)
        k = list(TABLE).index(data_set)
        print(f"{data_set}, alpha = {learning_rate:g}, {steps:,} steps, draw 1, train / test:", ", ".join(
            f"{m} {100 * a:.1f} / {100 * t:.1f} %" for m, a, t in zip(METHODS, results["train"][k],
                                                                     results["test"][k])))

    def _boundaries(self, results, data_set="circles"):
        """The decision boundary of draw 1 of every initialization, side by side, with its accuracies."""
        fig, axes = plots.figure(len(METHODS), height=2.55)
        X, Y = self.data[data_set]
        k = list(TABLE).index(data_set)
        for j, (ax, method) in enumerate(zip(axes, METHODS)):
            params = results["params"][(data_set, method)]
            plots.set_boundary(plots.boundary_map(ax), lambda P, params=params: network.forward(params, P)[0], X, Y)
            ax.set_title(f"{method}\ntrain {100 * results['train'][k, j]:.1f} %, test "
                         f"{100 * results['test'][k, j]:.1f} %", fontsize=9, color=plots.COLORS[method])
            ax.set(xticks=[], yticks=[], xlabel="", ylabel="", aspect="equal")
        fig.tight_layout()
        return fig

    # --- clipping ------------------------------------------------------------------------------------------------

    def clipping_spread(self, learning_rates=(1.0, 3.0, 5.0), draws=DRAWS, steps=80, max_norm=1.0,
                        data_set="xor", init="he", first_draw=1):
        """Train ``draws`` draws of the weights (from ``first_draw`` on) at each learning rate, without and with the
        student's clipping (one call per network and step), as two stacks; print how many runs end dead (a hidden
        layer off for every point), stuck (alive, below SOLVED training accuracy) or solved, and whether any run's
        outcome changed in the second half of the steps."""
        X, Y = self.data[data_set]
        chosen = range(first_draw, first_draw + draws)
        nets = [self.start(init, "10, 5", draw)[1] for _ in learning_rates for draw in chosen]
        rates = np.repeat(learning_rates, draws).reshape(-1, 1, 1)

        def clip_each(grads):
            clipped = [self.clip({k: v[b] for k, v in grads.items()}, max_norm) for b in range(len(nets))]
            return {k: np.stack([c[k] for c in clipped]) for k in grads}

        def fates(params):  # (3, rates, draws): dead, stuck, solved
            dead, solved = dead_layer(params, X), network.accuracy(params, X, Y) >= SOLVED
            return np.stack([dead, ~dead & ~solved, solved & ~dead]).reshape(3, len(learning_rates), draws)

        outcome, changed = {}, 0
        for clip in (False, True):
            hook = clip_each if clip else None
            half = network.train_together(_stack(nets), X, Y, steps // 2, rates, "relu", hook)
            final = network.train_together(half, X, Y, steps - steps // 2, rates, "relu", hook)
            outcome[clip] = fates(final)
            changed += int(np.sum(np.any(outcome[clip] != fates(half), axis=0)))
        print(f"{init} on {data_set}, {steps} steps, draws {chosen[0]}–{chosen[-1]} of the weights: dead / stuck / "
              "solved")
        print(f"{'learning rate α':>16}{'without clipping':>20}{f'clipped, max_norm = {max_norm:g}':>28}")
        for k, rate in enumerate(learning_rates):
            counts = {clip: " / ".join(str(n) for n in outcome[clip][:, k].sum(axis=1)) for clip in (False, True)}
            print(f"{rate:16g}{counts[False]:>20}{counts[True]:>28}")
        names, last = ["dead", "stuck", "solved"], len(learning_rates) - 1
        print(f"runs whose outcome changed between step {steps // 2} and step {steps}: {changed}")
        print(f"draw {first_draw} at α = {learning_rates[last]:g}: {names[int(np.argmax(outcome[False][:, last, 0]))]} "
              f"without clipping, {names[int(np.argmax(outcome[True][:, last, 0]))]} with it")

    def rescue(self, data_set="xor", init="he", learning_rate=5.0, steps=100, max_norm=1.0, draw=1):
        """One draw without and with the student's global-norm clipping: printed (final cost and accuracy, gradient
        norms, live units of layer 2 after each of the first 8 steps) and drawn (global gradient norm, live units of
        layer 2)."""
        def draw_runs():
            X, Y = self.data[data_set]
            runs = {}
            for clip in (False, True):
                runs[clip] = run = self.trained(data_set, init, "relu", "10, 5", learning_rate, steps, clip, max_norm,
                                                draw)
                norms = np.sqrt(np.sum(run["norms"] ** 2, axis=1))  # norms[k - 1]: the gradient of step k
                live = np.rint(5 * (1 - run["watched"][:, 1])).astype(int)  # live units of layer 2 before each step
                print(f"{'with' if clip else 'without'} clipping: final cost {run['costs'][-1]:.3f}, accuracy "
                      f"{100 * network.accuracy(run['params'], X, Y):.1f} %")
                print(f"    gradient norm: {norms[0]:.2f} at step 1, largest {norms.max():.2f}; above {max_norm:g} at "
                      f"steps {(np.flatnonzero(norms > max_norm) + 1).tolist()}" + (" (clipped there)" if clip else ""))
                print(f"    live units of layer 2 (of 5) after steps 1-8: {live[1:9].tolist()}; at the end: "
                      f"{live[-1]}")
                if not clip:
                    print("    update / weights at step 1, layers 1-3: " + ", ".join(
                        f"{ratio:.2g}" for ratio in run["ratios"][0]))
            fig, (norm_ax, unit_ax) = plots.figure(2, width=8.4, height=3.3)
            for clip, run in runs.items():
                color = CLIPPING["global" if clip else "none"]
                name = f"clipped at c = {max_norm:g}" if clip else "not clipped"
                norm_ax.plot(np.arange(1, len(run["norms"]) + 1), np.sqrt(np.sum(run["norms"] ** 2, axis=1)),
                             color=color, lw=1, label=name)
                unit_ax.step(np.arange(len(run["watched"])), 5 * (1 - run["watched"][:, 1]), where="post",
                             color=color)
            norm_ax.axhline(max_norm, color=CLIPPING["global"], ls=":", lw=1)
            norm_ax.set(ylabel=r"$\|g\|$ before clipping", yscale="log",
                        title=rf"{data_set.upper()}, {init}, $\alpha = {learning_rate:g}$, draw {draw}: gradient norm")
            unit_ax.set(ylabel="live units of layer 2", ylim=(-0.3, 5.3), title="units of layer 2 still on")
            for ax in (norm_ax, unit_ax):
                ax.set(xlabel="gradient-descent step", xlim=(0, steps))
                ax.grid()
            plots.legend_outside(norm_ax, "below", ncol=2)
            plots.plain_log_ticks(fig)
            fig.tight_layout()
            return fig

        widgets.show(draw_runs)

    @_unless_grading
    def clipped_runs(self, data_set, settings, steps=150, learning_rate=0.1, max_norm=1.0):
        """For each (init, hidden layers) of ``settings``, a run clipped by the student's function: its final
        accuracy and cost, its largest gradient norm and the share of its steps that clipping changed."""
        for init, hidden in settings:
            run = self.trained(data_set, init, "relu", hidden, learning_rate, steps, True, max_norm)
            norms = np.sqrt(np.sum(run["norms"] ** 2, axis=1))
            accuracy = network.accuracy(run["params"], *self.data[data_set])
            print(f"{init:5} [2, {hidden}, 1], clipped at c = {max_norm:g}: accuracy {100 * accuracy:.1f} %, cost "
                  f"{run['costs'][-1]:.3f}, largest gradient norm {norms.max():.2g}, clipping active in "
                  f"{np.mean(norms > max_norm):.0%} of the steps")


# --- the playground's panels: each draws one part of the figure from a view (Playground._view) ---------------------

def _ridges(ax, bins=40):
    """Empty histograms of each hidden layer's activations, one above the other (layer 1 on top, row l from
    MAX_LAYERS - 1 - l up), each with a line of text; _activations shows the rows of the network's hidden layers."""
    rows = MAX_LAYERS - 1
    ridges = [ax.stairs(np.full(bins, rows - l), np.linspace(0, 1, bins + 1), baseline=rows - l, fill=True,
                        color=color, alpha=0.7) for l, color in enumerate(LAYER_COLORS[:rows], start=1)]
    notes = [ax.text(0.99, rows - l + 0.72, "", transform=ax.get_yaxis_transform(), ha="right", fontsize=7.5)
             for l in range(1, rows + 1)]
    ax.tick_params(axis="y", length=0, labelsize=8)
    return {"ridges": ridges, "notes": notes, "bins": bins, "ax": ax}


def _step_axis(parts, k):
    """Grid lines and ticks of the k-th step axis (cost, norm, health, ratio); only the bottom row's are labelled:
    the panels above them show the same steps."""
    axis = parts["step axes"][k]
    plots.set_live_axis(axis)
    if k < 2:
        for text in axis["labels"]:
            text.set_visible(False)


def _boundary(parts, view):
    """P(y = 1 | x) of the network over the plane, under the data."""
    params, activation = view["run"]["params"], view["activation"]
    plots.set_boundary(parts["boundary"], lambda P: network.forward(params, P, activation)[0], view["X"], view["Y"])


def _cost(parts, view):
    """The cost at every step so far, in the initialization's colour, on axes from step 0 to the last step and
    from cost 0 up."""
    costs = view["run"]["costs"]
    parts["cost"].set_data(np.arange(len(costs)), costs)
    parts["cost"].set_color(plots.COLORS[view["init"]])
    top = np.nanmax(np.where(np.isfinite(costs), costs, np.nan)) if np.any(np.isfinite(costs)) else 1.0
    parts["cost_ax"].set(xlim=(0, view["steps"]), ylim=(0, plots.nice_ceiling(max(1.05 * top, 0.1))))
    _step_axis(parts, 0)


def _norms(parts, view):
    """The gradient norm of each layer, the global norm and max_norm; the legend lists this network's layers."""
    n_layers, steps, clip, max_norm = len(view["dims"]) - 1, view["steps"], view["clip"], view["max_norm"]
    norms = view["run"]["norms"].reshape(-1, n_layers)
    plots.set_layer_lines(parts["layers"], np.arange(1, len(norms) + 1), norms.T)
    total = np.sqrt(np.sum(norms ** 2, axis=1))
    parts["global"].set_data(np.arange(1, len(norms) + 1), np.where(total > 0, total, np.nan))
    parts["max_norm"].set_data([0, steps], [max_norm, max_norm])
    parts["max_norm"].set(color="tab:red" if clip else "0.6", linewidth=1.5 if clip else 1.0)
    if parts["legend"] != (n_layers, clip):
        lines = [*parts["layers"][:n_layers], parts["global"], parts["max_norm"]]
        handles = [plots.proxy(line.get_label() + ("" if clip or line is not parts["max_norm"] else " (off)"),
                               color=line.get_color(), ls=line.get_linestyle(), lw=line.get_linewidth())
                   for line in lines]
        parts["key_ax"].legend(handles=handles, loc="upper left", borderaxespad=0, title="layer")
        parts["legend"] = (n_layers, clip)
    positive = total[total > 0]
    level = max_norm if clip or not positive.size else positive[0]  # before training: a decade around max_norm
    low = min(norms[norms > 0].min() if positive.size else level, level)
    high = max(positive.max() if positive.size else level, level)
    low, high = np.floor(np.log10(low) - 0.1), np.ceil(np.log10(high) + 0.1)  # whole decades, off the edges
    parts["norm_ax"].set(xlim=(0, steps), ylim=(10.0 ** low, 10.0 ** high))
    _step_axis(parts, 1)
    plots.set_live_axis(parts["norm axis"])


def _activations(parts, view):
    """Histograms of each hidden layer's activations now, over the training set: tanh on [-1, 1] with the share of
    saturated entries; ReLU as log10 of the positive entries, with the share of entries off and the dead units. Only
    the network's hidden layers get a row."""
    acts, ax, activation = parts["acts"], parts["acts_ax"], view["activation"]
    _, cache = network.forward(view["run"]["params"], view["X"], activation)
    hidden = len(view["dims"]) - 2
    low, high = (-1.0, 1.0) if activation == "tanh" else DECADES
    edges = np.linspace(low, high, acts["bins"] + 1)
    for l, (ridge, note) in enumerate(zip(acts["ridges"], acts["notes"]), start=1):
        ridge.set_visible(l <= hidden)
        note.set_visible(l <= hidden)
        if l > hidden:
            continue
        a, base = cache[f"a{l}"], MAX_LAYERS - 1 - l
        if activation == "tanh":
            values = np.clip(a, low, high)
            note.set_text(f"{np.mean(np.abs(a) > SATURATED):.0%} saturated")
        else:
            values = np.clip(np.log10(a[a > 0]), low, high)
            dead = int(np.sum(~np.any(a > 0, axis=-1)))
            note.set_text(f"{np.mean(a <= 0):.0%} off · {dead} of {a.shape[0]} dead")
        counts = np.histogram(values, bins=edges)[0]
        ridge.set_data(base + 0.62 * counts / max(counts.max(), 1), edges, baseline=base)
    if parts["background"].get(ax) != (activation, hidden):
        rows = MAX_LAYERS - 1
        ax.set_yticks(np.arange(rows - hidden, rows) + 0.3, [f"layer {l}" for l in range(hidden, 0, -1)])
        if activation == "tanh":
            ax.set_xticks([-1, 0, 1], ["-1", "0", "1"])
            ax.set_xlabel(r"$a^{[l]} = \tanh(z^{[l]})$")
        else:
            ax.set_xticks(list(DECADE_LABELS), list(DECADE_LABELS.values()))
            ax.set_xlabel(r"$a^{[l]} > 0$ (ReLU), log scale")
        ax.set_title("activations now", pad=10)
        parts["background"][ax] = (activation, hidden)
    ax.set(xlim=(low, high), ylim=(MAX_LAYERS - 1 - hidden, MAX_LAYERS - 1))


def _health(parts, view):
    """Per hidden layer, over the steps: the share of dead units (ReLU) or of saturated entries (tanh)."""
    watched = view["run"]["watched"]
    hidden = len(view["dims"]) - 2
    for l, line in enumerate(parts["health"], start=1):
        line.set_visible(l <= hidden)
        if l <= hidden:
            line.set_data(np.arange(len(watched)), 100 * watched[:, l - 1])
    ax = parts["health_ax"]
    if parts["background"].get(ax) != view["activation"]:
        ax.set_title("dead units (off for every point)" if view["activation"] == "relu"
                     else f"saturated entries (|a| > {SATURATED:g})")
        parts["background"][ax] = view["activation"]
    ax.set_xlim(0, view["steps"])
    _step_axis(parts, 2)


def _ratios(parts, view):
    """‖ΔW^[l]‖ / ‖W^[l]‖ of every update so far, per layer (the usual guide: about 10⁻³)."""
    ratios = view["run"]["ratios"].reshape(-1, len(view["dims"]) - 1)
    plots.set_layer_lines(parts["ratios"], np.arange(1, len(ratios) + 1), np.clip(ratios.T, 0, RATIO_RANGE[1]))
    parts["ratio_ax"].set_xlim(0, view["steps"])
    _step_axis(parts, 3)


def _status(parts, view):
    """Where the run is (title): before Train, training (step k of N) or trained, with the training and test
    accuracy. The settings are listed beside the panels, in text drawn with the background (redrawn when they
    change, not at every step of a run)."""
    run, steps = view["run"], view["steps"]
    costs = run["costs"]
    if run["step"] is None:
        status = f"initial cost {costs[0]:.3f}: press Train"
    elif not np.isfinite(costs[-1]):
        status = f"stopped at step {run['step']}: the cost is no longer finite"
    else:
        train = network.accuracy(run["params"], view["X"], view["Y"], view["activation"])
        test = network.accuracy(run["params"], *view["test"], view["activation"])
        status = (f"{'trained' if run['step'] == steps else 'training'}: step {run['step']} of {steps}, "
                  f"cost {costs[-1]:.3f}, accuracy: train {100 * train:.1f} %, test {100 * test:.1f} %")
    parts["status"].set_text(status)
    settings = "\n".join([view["data_set"], f"{view['init']}, draw {view['draw']}", view["activation"],
                          "[" + ", ".join(map(str, view["dims"])) + "]", f"α = {view['learning_rate']:.3g}",
                          f"{steps} steps", "clipping " + (f"at {view['max_norm']:.3g}" if view["clip"] else "off")])
    key_ax = parts["key_ax"]
    key_ax.texts[0].set_text(settings)
    parts["background"][key_ax] = (parts["legend"], settings)


_PANELS = (_boundary, _cost, _norms, _activations, _health, _ratios, _status)


def clip_directions(clip_by_global_norm, gradient=(3.0, 0.5)):
    """A gradient with one steep and one shallow entry, clipped at a threshold c by the student's global-norm
    clipping and by np.clip entry by entry, as arrows with the circle and the square of radius c; slider: c."""
    G = np.array(gradient)

    def angle(v):
        return float(np.degrees(np.arccos(np.clip(cosine(v, G), -1, 1))))

    def setup():
        fig, (ax,) = plots.figure(1, width=6.2, height=4.0)
        parts = {"title": ax.title, "circle": ax.plot([], [], color=CLIPPING["global"], lw=0.8, alpha=0.6)[0],
                 "square": ax.plot([], [], color=CLIPPING["entry"], lw=0.8, alpha=0.6)[0], "arrows": {}}
        # widest at the bottom: arrows that coincide (nothing clipped) all stay visible
        for zorder, (name, color, width) in enumerate((("gradient", "0.75", 6), ("global", CLIPPING["global"], 3.2),
                                                       ("entry", CLIPPING["entry"], 1.4)), start=3):
            parts["arrows"][name] = ax.annotate("", xy=(0, 0), xytext=(0, 0), zorder=zorder, arrowprops={
                "arrowstyle": f"-|>,head_length={0.2 + 0.06 * width},head_width={0.1 + 0.04 * width}",
                "color": color, "lw": width, "shrinkA": 0, "shrinkB": 0})
        ax.plot([], [], color="0.75", lw=6, label=f"gradient $dW = ({G[0]:g}, {G[1]:g})$")
        ax.plot([], [], color=CLIPPING["global"], lw=3.2, label="clip_by_global_norm (yours): circle of radius c")
        ax.plot([], [], color=CLIPPING["entry"], lw=1.4, label="np.clip, entry by entry: square of side 2c")
        ax.set(xlim=(-0.5, 3.5), ylim=(-0.5, 2.0), aspect="equal", xlabel=r"$dW_1$", ylabel=r"$dW_2$")
        ax.grid()
        plots.legend_outside(ax, "below")
        return fig, parts

    def update(parts, c):
        by_norm = clip_by_global_norm({"dW": G.reshape(1, 2)}, c)["dW"].ravel()
        by_entry = np.clip(G, -c, c)
        for name, v in (("gradient", G), ("global", by_norm), ("entry", by_entry)):
            parts["arrows"][name].xy = tuple(v)
        t = np.linspace(0, 2 * np.pi, 200)
        parts["circle"].set_data(c * np.cos(t), c * np.sin(t))
        parts["square"].set_data([-c, c, c, -c, -c], [-c, -c, c, c, -c])
        if c >= np.linalg.norm(G):
            parts["title"].set_text(f"c = {c:.2f} ≥ ‖dW‖ = {np.linalg.norm(G):.2f}: nothing is clipped, "
                                    "the three arrows coincide")
        else:
            parts["title"].set_text(f"c = {c:.2f}: angle to the gradient {angle(by_norm):.1f}° (global norm), "
                                    f"{angle(by_entry):.1f}° (per entry)")

    widgets.show(setup, update, c=widgets.slider(1.0, 0.25, 3.5, 0.05, "threshold c"))
