"""Notebook 6, the training playground: train a small network from each initialization, with gradient clipping.

``Playground`` holds the data sets, the student's ``initialize_network`` and ``clip_by_global_norm`` and every run
trained so far; its ``show()`` is the live figure with the Train button. Each move or training step makes a view
of the run (``Playground._view``) that the panels draw (``_PANELS``: the decision boundary, the cost, the
gradient norm per layer, the status line): a new diagnostic is one more axes in ``_setup`` and one more panel.
"""

import numpy as np

from .. import network, plots, widgets

METHODS = ["zeros", "small", "large", "xavier", "he"]
HIDDEN = {"10, 5": [10, 5], "10": [10], "20, 20": [20, 20], "10, 10, 10, 10": [10, 10, 10, 10]}
MAX_LAYERS = 1 + max(len(sizes) for sizes in HIDDEN.values())
SURE = 1e-12  # network.cost keeps every probability at least this far from 0 and 1
CLIPPING = {"none": "0.35", "global": "#1b9e77", "entry": "#d95f02"}  # not clipped, by global norm, per entry
FRAMES_PER_SECOND = 10  # while the Train button works (the browser test asks for at least 5)


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


def active_units(params, X):
    """Per hidden layer: the number of ReLU units that are on (z > 0) for at least one example."""
    _, cache = network.forward(params, X)
    return [int(np.sum(np.any(cache[f"z{l}"] > 0, axis=1))) for l in range(1, network.n_layers(params))]


def true_boundary_accuracy(X, Y, factor=0.8):
    """Training accuracy of the ideal rule for circles: inner class inside the circle halfway between the rings."""
    inside = np.sqrt(np.sum(X ** 2, axis=0)) < (1 + factor) / 2
    return float(np.mean(inside == (Y.ravel() > 0.5)))


class Playground:
    """Runs of gradient descent on 2-D data sets (``data_sets``: name → (X, Y)), started from the student's
    ``initialize_network`` (one seed for every run) and clipped, when asked, by ``clip(grads, max_norm)`` (the
    student's ``clip_by_global_norm``, which the notebook asks for after the playground: a function that looks it
    up when called); ``runs`` keeps every run trained (or training), keyed by its settings."""

    def __init__(self, initialize_network, data_sets, clip, seed=0):
        self.initialize_network, self.clip = initialize_network, clip
        self.data, self.seed = data_sets, seed
        self.runs, self._tables = {}, {}

    @staticmethod
    def key(data_set, init, activation, hidden, learning_rate, steps, clip, max_norm):
        """The settings that decide a run (max_norm only matters with clipping)."""
        return (data_set, init, activation, hidden, round(learning_rate, 9), steps, clip,
                round(max_norm, 9) if clip else None)

    def start(self, init, hidden):
        """layer_dims and the initial parameters of a setting (the student's initialize_network)."""
        dims = [2, *HIDDEN[hidden], 1]
        return dims, self.initialize_network(dims, init, rng=np.random.default_rng(self.seed))

    def hook(self, clip, max_norm):
        """What the gradients go through before each update: the student's clipping, or nothing."""
        return (lambda grads: self.clip(grads, max_norm)) if clip else None

    def train(self, data_set, init, activation, hidden, learning_rate, steps, clip, max_norm):
        """The Train button: gradient descent for these settings; keeps the run in ``runs`` as it goes and yields
        the fraction done (about 200 times, so that the figure can follow the run)."""
        key = self.key(data_set, init, activation, hidden, learning_rate, steps, clip, max_norm)
        X, Y = self.data[data_set]
        for state in network.gradient_descent(self.start(init, hidden)[1], X, Y, steps, learning_rate, activation,
                                              self.hook(clip, max_norm), report_every=max(steps // 200, 1)):
            self.runs[key] = dict(state, steps=steps)
            yield state["step"] / steps

    def trained(self, *setting):
        """Train a setting to the end, as the Train button does, and return its run."""
        for _ in self.train(*setting):
            pass
        return self.runs[self.key(*setting)]

    # --- the live figure -----------------------------------------------------------------------------------------

    def _setup(self):
        fig, (map_ax, cost_ax, norm_ax, key_ax) = plots.figure(4, height=4.1, width_ratios=[1.0, 1.0, 1.0, 0.36])
        key_ax.axis("off")
        parts = {"status": fig.suptitle(" \n "), "cost_ax": cost_ax, "norm_ax": norm_ax, "key_ax": key_ax,
                 "boundary": plots.boundary_map(map_ax),
                 "cost": cost_ax.plot([], [], marker="o", ms=4, markevery=[0])[0],  # a dot at step 0
                 "layers": plots.layer_lines(norm_ax, MAX_LAYERS, r"$\|(dW^{[l]}, db^{[l]})\|$"),
                 "global": norm_ax.plot([], [], "k--", lw=1, label="global")[0],
                 "max_norm": norm_ax.plot([], [], ":", color="tab:red", lw=1.5, label="max_norm")[0],
                 "background": {}, "legend": None}
        map_ax.set_title(r"$P(y=1\mid x)$ and the data")
        cost_ax.set(xlabel="gradient-descent step", ylabel=r"cost $\mathcal{J}$", title="cost")
        cost_ax.grid()
        norm_ax.set_xlabel("gradient-descent step")
        norm_ax.set_title("gradient norm per layer", pad=10)  # above the top tick label
        parts["step axes"] = [plots.live_axis(ax, "x", labels=4) for ax in (cost_ax, norm_ax)]  # end at the steps
        parts["norm axis"] = plots.live_axis(norm_ax, "y", labels=6)  # moves with the run: no background redrawn
        return fig, parts

    def _view(self, data_set, init, activation, hidden, learning_rate, steps, clip, max_norm):
        """What the panels show for these settings: the run so far (or the starting point, before Train)."""
        X, Y = self.data[data_set]
        dims, params = self.start(init, hidden)
        run = self.runs.get(self.key(data_set, init, activation, hidden, learning_rate, steps, clip, max_norm))
        if run is None:
            costs = np.array([network.cost(network.forward(params, X, activation)[0], Y)])
            run = {"step": None, "params": params, "costs": costs, "norms": np.zeros((0, len(dims) - 1))}
        return {"X": X, "Y": Y, "dims": dims, "run": run, "data_set": data_set, "init": init, "activation": activation,
                "learning_rate": learning_rate, "steps": steps, "clip": clip, "max_norm": max_norm}

    def _update(self, parts, **settings):
        view = self._view(**settings)
        for panel in _PANELS:
            panel(parts, view)

    def show(self):
        """The playground: data set, initialization, activation, hidden layers, α, steps, clipping; Train runs the
        student's network and the figure follows the run."""
        widgets.show(self._setup, self._update,
                     data_set=widgets.dropdown(list(self.data), "circles", "data"),
                     init=widgets.dropdown(METHODS, "he", "init"),
                     activation=widgets.dropdown(["relu", "tanh"], "relu", "activation"),
                     hidden=widgets.dropdown(list(HIDDEN), "10, 5", "hidden layers"),
                     learning_rate=widgets.slider(0.1, -3, 1, 0.1, "learning rate α", log=True, continuous=False),
                     steps=widgets.slider(1500, 100, 5000, 100, "steps", integer=True, continuous=False),
                     clip=widgets.checkbox(False, "clip"),
                     max_norm=widgets.slider(1.0, -2, 2, 0.1, "max_norm", log=True, continuous=False),
                     train=widgets.button("Train", self.train, every=1 / FRAMES_PER_SECOND))

    # --- every initialization on every data set ------------------------------------------------------------------

    def results_table(self, steps=1500, learning_rate=0.1, layer_dims=(2, 10, 5, 1), spread=("large", "he"),
                      draws=5):
        """Final training accuracy and cost (arrays data set × method) of every initialization on every data set
        (seed ``seed``), and {method: accuracies on circles over ``draws`` seeds} for the methods in ``spread``.
        All runs train as one stack; the result is kept."""
        key = (steps, learning_rate, tuple(layer_dims), tuple(spread), draws)
        if key not in self._tables:
            runs = [(name, method, self.seed) for name in self.data for method in METHODS]
            runs += [("circles", method, self.seed + k) for method in spread for k in range(1, draws)]
            nets = [self.initialize_network(list(layer_dims), method, rng=np.random.default_rng(seed))
                    for _, method, seed in runs]
            stack = {name: np.stack([net[name] for net in nets]) for name in nets[0]}
            X = np.stack([self.data[name][0] for name, _, _ in runs])
            Y = np.stack([self.data[name][1] for name, _, _ in runs])
            final = list(network.gradient_descent(stack, X, Y, steps, learning_rate, "relu"))[-1]
            accuracy, cost = network.accuracy(final["params"], X, Y, "relu"), final["costs"][-1]
            table = len(self.data) * len(METHODS)
            spreads = {method: np.array([a for a, (name, m, _) in zip(accuracy, runs) if name == "circles" and
                                         m == method]) for method in spread}
            shape = (len(self.data), len(METHODS))
            self._tables[key] = accuracy[:table].reshape(shape), cost[:table].reshape(shape), spreads
        return self._tables[key]

    def results(self, steps=1500, learning_rate=0.1):
        """Print the results table (training accuracy and final cost), the spread over draws on circles and the
        accuracy of the true boundary, and draw the accuracy as a heat map."""
        def draw():
            accuracy, cost, spread = self.results_table(steps, learning_rate)
            names = list(self.data)
            for title, table, cell in (("training accuracy", 100 * accuracy, "{:8.1f}%"),
                                       ("final cost", cost, "{:9.3f}")):
                print(("\n" if title == "final cost" else "") + f"{title:18}" + "".join(f"{m:>9}" for m in METHODS))
                for name, row in zip(names, table):
                    print(f"{name:18}" + "".join(cell.format(v) for v in row))
            draws = len(next(iter(spread.values())))
            print(f"\ncircles, {draws} draws of the weights: "
                  + "; ".join(f"{method} " + ", ".join(f"{100 * a:.1f}" for a in values) + " %"
                              for method, values in spread.items()))
            print(f"circles, the true boundary (the circle of radius 0.9 between the rings): "
                  f"{100 * true_boundary_accuracy(*self.data['circles']):.1f} % of the training points")
            fig, (ax,) = plots.figure(1, width=7.2, height=3.6)
            image = ax.imshow(100 * accuracy, cmap="RdYlGn", vmin=50, vmax=100)
            for i, j in np.ndindex(accuracy.shape):
                ax.text(j, i, f"{100 * accuracy[i, j]:.1f} %\nJ = {cost[i, j]:.3f}", ha="center", va="center",
                        fontsize=8.5, color="white" if not 0.6 <= accuracy[i, j] <= 0.93 else "black")
            ax.set_xticks(range(len(METHODS)), METHODS)
            ax.set_yticks(range(len(names)), names)
            ax.spines[:].set_visible(False)
            ax.set_title(f"[2, 10, 5, 1] ReLU, α = {learning_rate}, {steps} steps: training accuracy")
            fig.colorbar(image, ax=ax, label="training accuracy (%)")
            fig.tight_layout()
            return fig

        widgets.show(draw)

    # --- clipping ------------------------------------------------------------------------------------------------

    def rescue(self, data_set="xor", init="he", learning_rate=5.0, steps=500, max_norm=1.0):
        """The same run without and with the student's global-norm clipping: printed (final cost and accuracy,
        gradient norms, active units of layer 2 after each of the first 8 steps and at the end) and drawn (cost and
        global gradient norm)."""
        def draw():
            X, Y = self.data[data_set]
            runs = {}
            for clip in (False, True):
                runs[clip] = run = self.trained(data_set, init, "relu", "10, 5", learning_rate, steps, clip, max_norm)
                states = network.gradient_descent(self.start(init, "10, 5")[1], X, Y, 8, learning_rate, "relu",
                                                  self.hook(clip, max_norm), report_every=1)
                early = [active_units(state["params"], X)[1] for state in states]
                norms = np.sqrt(np.sum(run["norms"] ** 2, axis=1))  # norms[k - 1]: the gradient of step k
                above = np.flatnonzero(norms > max_norm) + 1
                units = active_units(run["params"], X)
                print(f"{'with' if clip else 'without'} clipping: final cost {run['costs'][-1]:.3f}, accuracy "
                      f"{100 * network.accuracy(run['params'], X, Y):.1f} %")
                print(f"    gradient norm: {norms[0]:.2f} at step 1, largest {norms.max():.2f}; above 1 at steps "
                      f"{above.tolist()}" + (" (clipped there)" if clip else ""))
                print(f"    active units of layer 2 (of 5) after steps 1-8: {early}; at the end: layer 1 {units[0]} "
                      f"of 10, layer 2 {units[1]} of 5")
            fig, (cost_ax, norm_ax) = plots.figure(2, height=3.8)
            for clip, run in runs.items():
                color = CLIPPING["global" if clip else "none"]
                name = f"clipped at c = {max_norm:g}" if clip else "not clipped"
                accuracy = network.accuracy(run["params"], X, Y)
                cost_ax.plot(run["costs"], color=color, label=f"{name}: {100 * accuracy:.1f} %")
                norm_ax.plot(np.arange(1, len(run["norms"]) + 1), np.sqrt(np.sum(run["norms"] ** 2, axis=1)),
                             color=color, lw=0.8, label=name)
            norm_ax.axhline(max_norm, color=CLIPPING["global"], ls=":", lw=1, label=f"c = {max_norm:g}")
            cost_ax.set(xlabel="gradient-descent step", ylabel=r"cost $\mathcal{J}$", yscale="log", xlim=(0, steps),
                        title=rf"{data_set.upper()}, {init}, $\alpha = {learning_rate:g}$: cost (final accuracy)")
            norm_ax.set(xlabel="gradient-descent step", ylabel=r"global norm $\|g\|$ (before clipping)",
                        yscale="log", xlim=(0, steps), title="gradient norm")
            for ax in (cost_ax, norm_ax):
                ax.grid()
                plots.legend_outside(ax, "below", ncol=2)
            plots.plain_log_ticks(fig)
            fig.tight_layout()
            return fig

        widgets.show(draw)

    def clipped_fraction(self, data_set, init, hidden, steps=300, learning_rate=0.1, max_norm=1.0):
        """Final accuracy and cost of a clipped run, the fraction of its steps that clipping changed, the largest
        gradient norm."""
        run = self.trained(data_set, init, "relu", hidden, learning_rate, steps, True, max_norm)
        norms = np.sqrt(np.sum(run["norms"] ** 2, axis=1))
        return network.accuracy(run["params"], *self.data[data_set]), run["costs"][-1], np.mean(norms > max_norm), \
            norms.max()


# --- the playground's panels: each draws one part of the figure from a view (Playground._view) ---------------------

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
    plots.set_live_axis(parts["step axes"][0])


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
        parts["key_ax"].legend(handles=handles, loc="upper left", borderaxespad=0, title="norm of")
        parts["legend"] = parts["background"][parts["key_ax"]] = (n_layers, clip)
    positive = total[total > 0]
    level = max_norm if clip or not positive.size else positive[0]  # before training: a decade around max_norm
    low = min(norms[norms > 0].min() if positive.size else level, level)
    high = max(positive.max() if positive.size else level, level)
    low, high = np.floor(np.log10(low) - 0.1), np.ceil(np.log10(high) + 0.1)  # whole decades, off the edges
    parts["norm_ax"].set(xlim=(0, steps), ylim=(10.0 ** low, 10.0 ** high))
    plots.set_live_axis(parts["step axes"][1])
    plots.set_live_axis(parts["norm axis"])


def _status(parts, view):
    """The settings, and where the run is: before Train, training (step k of N) or trained."""
    run, steps = view["run"], view["steps"]
    setting = (f"{view['data_set']} · {view['init']} · {view['activation']} · {view['dims']} · "
               f"α = {view['learning_rate']:.3g} · {steps} steps · clipping {'on' if view['clip'] else 'off'}, "
               f"max_norm {view['max_norm']:.3g}")
    costs = run["costs"]
    if run["step"] is None:
        status = f"initial cost {costs[0]:.3f}: press Train"
    elif not np.isfinite(costs[-1]):
        status = f"stopped at step {run['step']}: the cost is no longer finite"
    else:
        accuracy = network.accuracy(run["params"], view["X"], view["Y"], view["activation"])
        status = (f"{'trained' if run['step'] == steps else 'training'}: step {run['step']} of {steps}, "
                  f"cost {costs[-1]:.3f}, training accuracy {100 * accuracy:.1f} %")
    parts["status"].set_text(f"{setting}\n{status}")


_PANELS = (_boundary, _cost, _norms, _status)


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
