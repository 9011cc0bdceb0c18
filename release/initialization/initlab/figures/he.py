"""Notebook 4, He initialization: ReLU's second moment, forward and backward through a ReLU stack, the digits."""

import numpy as np

from .. import data, network, plots, widgets

MAX_DEPTH, M_DEMO = 50, 64
PATTERNS = ["equal widths", "alternating n, 2n", "widening n → 4n"]
RULES = {"He (fan_in) 2/n_in": lambda n_in, n_out: 2 / n_in,
         "He (fan_out) 2/n_out": lambda n_in, n_out: 2 / n_out,
         "LeCun 1/n_in": lambda n_in, n_out: 1 / n_in,
         "Glorot 2/(n_in+n_out)": lambda n_in, n_out: 2 / (n_in + n_out)}
RULE_COLORS = {"He (fan_in) 2/n_in": "he", "He (fan_out) 2/n_out": "he_fan_out", "LeCun 1/n_in": "lecun",
               "Glorot 2/(n_in+n_out)": "xavier"}


def second_moment_check(relu, relu_second_moment, seed=0):
    """The sample mean of relu(z)² (the student's relu) against relu_second_moment(Var z) (the student's) for four
    zero-mean distributions of variance 1; prints the numbers and draws them as bars."""
    def draw():
        mc_rng = np.random.default_rng(seed)
        n = 200_000
        samples = {"normal": mc_rng.standard_normal(n),
                   "uniform": mc_rng.uniform(-np.sqrt(3), np.sqrt(3), n),
                   "Laplace": mc_rng.laplace(0.0, np.sqrt(0.5), n),
                   "centred exponential\n(not symmetric)": mc_rng.exponential(1.0, n) - 1.0}
        sampled = [np.mean(relu(z) ** 2) for z in samples.values()]
        predicted = [relu_second_moment(np.var(z)) for z in samples.values()]
        for name, s, p in zip(samples, sampled, predicted):
            print(f"{name.splitlines()[0]:>20}: sample E[ReLU(z)²] = {s:.4f}, relu_second_moment(Var z) = {p:.4f}")
        print(f"centred exponential, exact: E[ReLU(z)²] = 2/e = {2 / np.e:.4f}")
        print(f"normal: sample Var(ReLU(z)) = {np.var(relu(samples['normal'])):.4f}, "
              f"1/2 - 1/(2π) = {0.5 - 1 / (2 * np.pi):.4f} (the variance, not the second moment)")
        fig, (ax,) = plots.figure(1, width=8.4, height=3.4)
        positions = np.arange(len(samples))
        ax.bar(positions - 0.2, predicted, 0.4, color=plots.THEORY, label=r"relu_second_moment(Var $z$)")
        ax.bar(positions + 0.2, sampled, 0.4, color="tab:blue", label=r"sample mean of relu$(z)^2$")
        ax.set_xticks(positions, list(samples))
        ax.set(ylabel=r"$\mathbb{E}[\mathrm{ReLU}(z)^2]$", ylim=(0, 0.8),
               title=r"zero mean, $\mathrm{Var}(z) = 1$: symmetry is what makes it $1/2$")
        plots.legend_outside(ax, "right")
        fig.tight_layout()
        return fig

    widgets.show(draw)


def stack_dims(pattern, n, depth):
    """layer_dims of a ReLU stack: the first depth + 1 widths of the 50-layer pattern."""
    if pattern == PATTERNS[0]:
        dims = [n] * (MAX_DEPTH + 1)
    elif pattern == PATTERNS[1]:
        dims = [n if l % 2 == 0 else 2 * n for l in range(MAX_DEPTH + 1)]
    else:
        dims = [int(round(n * 4 ** (l / MAX_DEPTH))) for l in range(MAX_DEPTH + 1)]
    return dims[:depth + 1]


def relu_forward_prediction(dims, weight_vars, input_second_moment):
    """Var(z^[1]) = n_0·v_1·E[x²], then the gain ½·n_{l-1}·v_l of every ReLU layer (section 4.2)."""
    gains = 0.5 * np.asarray(dims[:-1], dtype=float) * np.asarray(weight_vars, dtype=float)
    gains[0] *= 2  # x is not a ReLU output
    return input_second_moment * np.cumprod(gains)


class ReluStack:
    """m = 64 standard normal inputs through up to 50 ReLU layers with zero biases, weights from a rule times c,
    and a standard normal gradient dz^[L] backpropagated; the backward variances are predicted and measured with the
    student's backward_variances and measure_backward_variances."""

    def __init__(self, backward_variances, measure_backward_variances, seed=0):
        self.backward_variances, self.measure_backward_variances = backward_variances, measure_backward_variances
        self.seed = seed
        self._draws, self._runs = {}, {}

    def _standard_draws(self, pattern, n):
        """The inputs, top gradients and standard normal matrices of a 50-layer stack, drawn once."""
        if (pattern, n) not in self._draws:
            draw_rng = np.random.default_rng(self.seed + 1)
            dims = stack_dims(pattern, n, MAX_DEPTH)
            X = draw_rng.standard_normal((n, M_DEMO))
            tops = [draw_rng.standard_normal((width, M_DEMO)) for width in dims]
            self._draws[pattern, n] = X, tops, [draw_rng.standard_normal((n_out, n_in))
                                                for n_in, n_out in zip(dims, dims[1:])]
        return self._draws[pattern, n]

    def experiment(self, pattern, n, depth, rule, c):
        """Predicted and measured Var(z^[l]) and Var(dz^[l]), l = 1..depth, for one setting of the controls."""
        key = (pattern, n, depth, rule, c)
        if key not in self._runs:
            X, tops, standard = self._standard_draws(pattern, n)
            dims = stack_dims(pattern, n, depth)
            weight_vars = [c * RULES[rule](n_in, n_out) for n_in, n_out in zip(dims, dims[1:])]
            params = {}
            for l in range(1, depth + 1):
                params[f"W{l}"] = np.sqrt(weight_vars[l - 1]) * standard[l - 1]
                params[f"b{l}"] = np.zeros((dims[l], 1))
            _, cache = network.forward(params, X, "relu")
            self._runs[key] = (relu_forward_prediction(dims, weight_vars, np.mean(X ** 2)),
                               [np.var(cache[f"z{l}"]) for l in range(1, depth + 1)],
                               self.backward_variances(dims, weight_vars, np.var(tops[depth]), "relu"),
                               self.measure_backward_variances(X, params, tops[depth], "relu"))
        return self._runs[key]

    def _setup(self):
        fig, axes = plots.figure(2, height=4.2)
        ticks = [1, 10, 20, 30, 40, 50]
        fig.suptitle("ReLU stack: forward signal and backward gradient, prediction and measurement")
        parts = {"axes": axes, "note": fig.text(0.99, 0.02, "", ha="right", va="bottom", color="0.3"),
                 "forward": plots.variance_lines(axes[0], MAX_DEPTH, r"$\mathrm{Var}(z^{[l]})$", ticks, markersize=3),
                 "backward": plots.variance_lines(axes[1], MAX_DEPTH, r"$\mathrm{Var}(dz^{[l]})$", ticks, markersize=3),
                 "ratios": [ax.text(0.5, 1.02, " ", transform=ax.transAxes, ha="center", va="bottom", fontsize=9)
                            for ax in axes]}
        axes[0].set_title(r"forward: $\mathrm{Var}(z^{[l]})$", pad=18)
        axes[1].set_title(r"backward: $\mathrm{Var}(dz^{[l]})$", pad=18)
        plots.figure_legend(fig, [plots.proxy("predicted (theory)", marker="o", ls="--", mfc="white", ms=3),
                                  plots.proxy("measured", marker="s", ms=3)], ncol=2, loc="lower left")
        # c moves the y limits at nearly every step: the y axes are drawn with the curves, the rest never again
        parts["y axes"] = [plots.live_log_yaxis(ax) for ax in axes]
        return fig, parts

    def _update(self, parts, pattern, n, depth, rule, c):
        fwd_pred, fwd_meas, bwd_pred, bwd_meas = self.experiment(pattern, n, depth, rule, c)
        layers = np.arange(1, depth + 1)
        color = plots.COLORS[RULE_COLORS[rule]]
        for name, predicted, measured in (("forward", fwd_pred, fwd_meas), ("backward", bwd_pred, bwd_meas)):
            parts[name]["predicted"].set_data(layers, predicted)
            parts[name]["measured"].set_data(layers, measured)
            for line in parts[name].values():
                line.set_color(color)
        parts["ratios"][0].set_text(f"L / 1: {fwd_meas[-1] / fwd_meas[0]:.2g}, theory {fwd_pred[-1] / fwd_pred[0]:.2g}")
        parts["ratios"][1].set_text(f"1 / L: {bwd_meas[0] / bwd_meas[-1]:.2g}, theory {bwd_pred[0] / bwd_pred[-1]:.2g}")
        same = rule.startswith("Glorot") and pattern == PATTERNS[0]
        parts["note"].set_text("Glorot = LeCun here: with equal widths 2/(n + n) = 1/n" if same else "")
        plots.rescale(*parts["axes"], margin=0.02)
        for axis in parts["y axes"]:
            plots.set_live_log_yaxis(axis)

    def explorer(self):
        """Forward Var(z^[l]) and backward Var(dz^[l]) per layer, predicted and measured; controls: the widths'
        pattern, the width n, the depth L, the initialization rule and a factor c on its variance."""
        widgets.show(self._setup, self._update,
                     pattern=widgets.dropdown(PATTERNS, PATTERNS[0], "widths"),
                     n=widgets.slider(64, 16, 96, 16, "width n", integer=True),
                     depth=widgets.slider(50, 1, MAX_DEPTH, 1, "depth L", integer=True),
                     rule=widgets.dropdown(list(RULES), "He (fan_in) 2/n_in", "initialization"),
                     c=widgets.slider(1.0, -2.0, 2.0, 0.05, "variance × c", log=True))

    def snapshot(self, **values):
        """The explorer's figure for one setting, without controls."""
        widgets.snapshot(self._setup, self._update, **values)


def bias_comparison(he_normal, rng, width=100, depth=30, m=500, layers=(1, 10, 30)):
    """A He network (the student's he_normal; the same weights for both) with biases 0 and 0.01: per bias, at the
    given layers, the fraction of active entries, the number of units inactive on every input, and Var(z)."""
    X = rng.standard_normal((width, m))
    weights = [he_normal(width, width, rng=rng) for _ in range(depth)]
    found = {}
    for bias in (0.0, 0.01):
        params = {}
        for l, W in enumerate(weights, start=1):
            params[f"W{l}"], params[f"b{l}"] = W, np.full((width, 1), bias)
        _, cache = network.forward(params, X, "relu")
        z = [cache[f"z{l}"] for l in layers]
        found[bias] = ([np.mean(z_l > 0) for z_l in z], [int(np.sum(np.all(z_l <= 0, axis=1))) for z_l in z],
                       [np.var(z_l) for z_l in z])
    return found


# --- the digits ----------------------------------------------------------------------------------------------------

DIGIT_DIMS = [64] + [32] * 29 + [10]  # L = 30 layers
TRAINING = {"steps": 300, "learning_rate": 0.02, "batch_size": 64}
DIGIT_RULES = {"LeCun 1/n_in": "LeCun 1/n_in", "Glorot 2/(n_in+n_out)": "Glorot 2/(n_in+n_out)",
               "He 2/n_in (your he_normal)": "He (fan_in) 2/n_in"}


def _digit_network(he_normal, rule, init_rng):
    """Parameters of the 30-layer network, W^[l] from the rule (He: the student's he_normal), zero biases."""
    params = {}
    for l, (n_in, n_out) in enumerate(zip(DIGIT_DIMS, DIGIT_DIMS[1:]), start=1):
        if rule.startswith("He"):
            params[f"W{l}"] = he_normal(n_in, n_out, rng=init_rng)
        else:
            params[f"W{l}"] = np.sqrt(RULES[DIGIT_RULES[rule]](n_in, n_out)) * init_rng.standard_normal((n_out, n_in))
        params[f"b{l}"] = np.zeros((n_out, 1))
    return params


def digits_experiment(he_normal, backward_variances, measure_backward_variances, seed=0):
    """For each rule: the variances at initialization (predicted and measured, both directions), the training costs,
    and the cost, accuracy and number of classes predicted on all 1797 digits after training."""
    X, labels = data.load_digits()
    L = len(DIGIT_DIMS) - 1
    nets = {rule: _digit_network(he_normal, rule, np.random.default_rng(seed + 10)) for rule in DIGIT_RULES}
    # the three networks train as one stack (leading axis 3): the same minibatches, about the time of one
    stack = {key: np.stack([params[key] for params in nets.values()]) for key in nets[next(iter(nets))]}
    trained, costs = network.train_softmax(stack, X, labels, rng=np.random.default_rng(seed + 11), **TRAINING)
    _, final = network.forward(trained, X, "relu")
    final_costs, _ = network.softmax_cost(final[f"z{L}"], labels)
    predicted = np.argmax(final[f"z{L}"], axis=1)  # (3, 1797)
    runs = {}
    for k, (rule, params) in enumerate(nets.items()):
        weight_vars = [RULES[DIGIT_RULES[rule]](n_in, n_out) for n_in, n_out in zip(DIGIT_DIMS, DIGIT_DIMS[1:])]
        _, cache = network.forward(params, X, "relu")
        _, top = network.softmax_cost(cache[f"z{L}"], labels)  # ŷ - y, one column per digit
        runs[rule] = {"forward": (relu_forward_prediction(DIGIT_DIMS, weight_vars, np.mean(X ** 2)),
                                  np.array([np.var(cache[f"z{l}"]) for l in range(1, L + 1)])),
                      "backward": (backward_variances(DIGIT_DIMS, weight_vars, np.var(top), "relu"),
                                   measure_backward_variances(X, params, top, "relu")),
                      "costs": costs[:, k], "final cost": final_costs[k],
                      "accuracy": np.mean(predicted[k] == labels), "classes": len(np.unique(predicted[k]))}
    return runs


def digits_showcase(he_normal, backward_variances, measure_backward_variances, seed=0):
    """Train the 30-layer ReLU network on the digits from LeCun, Glorot and He (the student's he_normal) and show
    the training costs next to the variances at initialization that explain them; prints the numbers."""
    def draw():
        runs = digits_experiment(he_normal, backward_variances, measure_backward_variances, seed)
        fig, axes = plots.figure(3, height=4.0)
        layers = np.arange(1, len(DIGIT_DIMS))
        window = 20
        # Glorot equals LeCun on the 32 → 32 layers: LeCun is drawn wide and pale, Glorot thin on top of it
        styles = {"LeCun 1/n_in": {"lw": 4.5, "alpha": 0.45}, "Glorot 2/(n_in+n_out)": {"lw": 1.4, "ls": (0, (4, 2))},
                  "He 2/n_in (your he_normal)": {"lw": 1.6}}
        for rule, run in runs.items():
            color, style = plots.COLORS[RULE_COLORS[DIGIT_RULES[rule]]], styles[rule]
            smooth = np.convolve(run["costs"], np.ones(window) / window, mode="valid")
            label = rule + (" (on top of LeCun)" if rule.startswith("Glorot") else "")
            axes[0].plot(np.arange(window, len(run["costs"]) + 1), smooth, color=color, label=label, **style)
            for ax, name in ((axes[1], "forward"), (axes[2], "backward")):
                predicted, measured = run[name]
                ax.plot(layers, predicted, color=color, **{**style, "ls": ":", "lw": min(style["lw"], 1.6)})
                ax.plot(layers, measured, color=color, marker="o", ms=2.5, **style)
            (fwd_pred, fwd), (bwd_pred, bwd) = run["forward"], run["backward"]
            print(f"{rule}: minibatch cost {np.mean(run['costs'][:20]):.3f} (first 20 steps) → "
                  f"{np.mean(run['costs'][-20:]):.3f} (last 20); after training, on all 1797 digits: cost "
                  f"{run['final cost']:.3f}, accuracy {run['accuracy']:.1%}, {run['classes']} of the 10 classes "
                  "predicted")
            print(f"    at initialization: Var(z^[1]) = {fwd[0]:.3g} (predicted {fwd_pred[0]:.3g}), Var(z^[30]) = "
                  f"{fwd[-1]:.3g} (predicted {fwd_pred[-1]:.3g}); Var(dz^[1]) = {bwd[0]:.3g} "
                  f"(predicted {bwd_pred[0]:.3g}), Var(dz^[30]) = {bwd[-1]:.3g}")
        he, lecun = runs["He 2/n_in (your he_normal)"], runs["LeCun 1/n_in"]
        print(f"He / LeCun, measured Var(z^[30]): {he['forward'][1][-1] / lecun['forward'][1][-1]:.4g}; "
              f"2^30 = {2.0 ** 30:.4g}")
        guess = axes[0].axhline(np.log(10), color=plots.THEORY, lw=0.8, ls=":", label="ln 10 (guessing)")
        axes[0].set(xlabel="training step", ylabel="cost (average of 20 steps)", title="training on the digits")
        for ax, label in ((axes[1], r"$\mathrm{Var}(z^{[l]})$"), (axes[2], r"$\mathrm{Var}(dz^{[l]})$")):
            ax.set(yscale="log", xlabel="layer $l$", ylabel=label + " at initialization")
            ax.grid()
        axes[1].set_title("forward")
        axes[2].set_title("backward")
        plots.figure_legend(fig, [*axes[0].get_lines()[:3], guess, plots.proxy("measured", marker="o", ms=2.5),
                                  plots.proxy("predicted (theory)", ls=":")])
        plots.plain_log_ticks(fig)
        plots.freeze_layout(fig)
        return fig

    widgets.show(draw)


def fluctuations(relu, he_normal, seed=0, widths=(32, 96)):
    """Var(z^[30]) / its prediction over 40 He networks (the student's relu and he_normal) of equal widths, for two
    widths: printed, and as outlined histograms (no overlap of fills)."""
    def ratios(width, depth=30, draws=40, m=64):
        ratio_rng = np.random.default_rng(seed)
        found = []
        for _ in range(draws):
            a = ratio_rng.standard_normal((width, m))
            for _ in range(depth):
                z = he_normal(width, width, rng=ratio_rng) @ a
                a = relu(z)
            found.append(np.var(z) / 2.0)  # predicted: Var(z^[1]) = 2·E[x²] = 2, then gain 1 per layer
        return np.array(found)

    def draw():
        fig, (ax,) = plots.figure(1, width=8.0, height=3.4)
        edges = np.logspace(-3, 1.5, 28)
        for width, color in zip(widths, ("tab:red", "tab:blue")):
            r = ratios(width)
            print(f"width {width:>2}, 30 layers, 40 He networks: Var(z^[30]) / prediction has median "
                  f"{np.median(r):.2f}, 10% to 90% range {np.percentile(r, 10):.3f} to {np.percentile(r, 90):.2f}")
            counts, _ = np.histogram(np.clip(r, edges[0], edges[-1]), bins=edges)
            ax.stairs(counts, edges, color=color, lw=1.8, label=f"width {width}: median {np.median(r):.2f}")
        ax.axvline(1.0, color=plots.THEORY, ls=":", label="prediction")
        ax.set(xscale="log", xlabel=r"measured $\mathrm{Var}(z^{[30]})$ / predicted", ylabel="number of networks",
               title="one network, one draw: 30 He layers of equal width")
        plots.legend_outside(ax, "right")
        plots.plain_log_ticks(fig)
        fig.tight_layout()
        return fig

    widgets.show(draw)
