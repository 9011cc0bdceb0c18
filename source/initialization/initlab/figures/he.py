"""Notebook 4, He initialization: ReLU's second moment, forward and backward through a ReLU stack, the digits."""

import math

import numpy as np

from .. import data, network, plots, widgets
from ..printing import deviation, magnitude

MAX_DEPTH, M_DEMO = 50, 64
PATTERNS = ["equal widths", "alternating n, 2n", "widening n → 4n"]
RULES = {"He (fan_in) 2/n_in": lambda n_in, n_out: 2 / n_in,
         "He (fan_out) 2/n_out": lambda n_in, n_out: 2 / n_out,
         "LeCun 1/n_in": lambda n_in, n_out: 1 / n_in,
         "Glorot 2/(n_in+n_out)": lambda n_in, n_out: 2 / (n_in + n_out)}
RULE_COLORS = {"He (fan_in) 2/n_in": "he", "He (fan_out) 2/n_out": "he_fan_out", "LeCun 1/n_in": "lecun",
               "Glorot 2/(n_in+n_out)": "xavier"}


def mean_cosine(Z):
    """The mean cosine between the columns (examples) of Z over all pairs of different columns: with unit columns
    u_i, the sum over i ≠ k of u_i·u_k is |u_1 + ... + u_m|² − m."""
    total = (Z / np.linalg.norm(Z, axis=-2, keepdims=True)).sum(axis=-1)
    m = Z.shape[-1]
    return ((total * total).sum(axis=-1) - m) / (m * (m - 1))


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
               title=r"zero mean, $\mathrm{Var}(z) = 1$: which give $1/2$?")
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


def geometric_dims(first, last, depth):
    """layer_dims of a stack whose widths change geometrically: n_0 = n_1 = first, ..., n_depth = last."""
    return [first] + [int(round(first * (last / first) ** ((l - 1) / max(depth - 1, 1)))) for l in range(1, depth + 1)]


def relu_forward_prediction(dims, weight_vars, input_second_moment):
    """Var(z^[1]) = n_0·v_1·E[x²], then the gain ½·n_{l-1}·v_l of every ReLU layer (section 4.2)."""
    gains = 0.5 * np.asarray(dims[:-1], dtype=float) * np.asarray(weight_vars, dtype=float)
    gains[0] *= 2  # x is not a ReLU output
    return input_second_moment * np.cumprod(gains)


def notes_example(sigma2, width, measured, z):
    """Prints, for weights N(0, sigma2) in ReLU layers of the given width and E[x²] = 1, Var(z^[l]) predicted
    (n·sigma2·(n·sigma2/2)^(l-1)) and measured (measured[l]) at a few layers, and the top layer's largest |z|."""
    gain = 0.5 * width * sigma2
    with np.errstate(over="ignore"):  # the prediction overflows float64 for sigma² = 1e5
        predicted = {l: width * sigma2 * np.float64(gain) ** (l - 1) for l in (1, 10, 30, 50)}
    print(f"sigma² = {sigma2:g}: gain {gain:g} per layer; Var(z^[l]) predicted / measured:")
    print("    " + "; ".join(f"l = {l}: {p:.2g} / {measured[l]:.2g}" for l, p in predicted.items()))
    print(f"    largest |z^[50]| = {np.max(np.abs(z)):.2g}, all entries finite: {bool(np.all(np.isfinite(z)))}")


def telescoping_table(backward_variances):
    """Var(z^[L]) / Var(z^[1]) (theory) and Var(dz^[1]) / Var(dz^[L]) (the student's backward_variances) for three
    stacks whose widths change geometrically, under He's two modes and LeCun's rule."""
    with widgets.friendly():
        print(f"{'widths':>18} {'L':>3} {'rule':>21}   Var(z^[L]) / Var(z^[1])   Var(dz^[1]) / Var(dz^[L])")
        for first, last, depth in ((1024, 128, 40), (64, 512, 10), (64, 512, 50)):
            dims = geometric_dims(first, last, depth)
            for rule in ("He (fan_in) 2/n_in", "He (fan_out) 2/n_out", "LeCun 1/n_in"):
                weight_vars = [RULES[rule](n_in, n_out) for n_in, n_out in zip(dims, dims[1:])]
                forward = relu_forward_prediction(dims, weight_vars, 1.0)
                backward = backward_variances(dims, weight_vars, 1.0, "relu")
                gains = magnitude(forward[-1] / forward[0], 4), magnitude(backward[0] / backward[-1], 4)
                print(f"{f'{first} → {last}':>18} {depth:>3} {rule:>21}   {gains[0]:>23}   {gains[1]:>25}")


class ReluStack:
    """m = 64 standard normal inputs through up to 50 ReLU layers with zero biases, weights from a rule times r,
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

    def experiment(self, pattern, n, depth, rule, r):
        """Predicted and measured Var(z^[l]) and Var(dz^[l]), l = 1..depth, for one setting of the controls."""
        key = (pattern, n, depth, rule, r)
        if key not in self._runs:
            X, tops, standard = self._standard_draws(pattern, n)
            dims = stack_dims(pattern, n, depth)
            weight_vars = [r * RULES[rule](n_in, n_out) for n_in, n_out in zip(dims, dims[1:])]
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
        # r moves the y limits at nearly every step: the y axes are drawn with the curves, the rest never again
        parts["y axes"] = [plots.live_log_yaxis(ax) for ax in axes]
        return fig, parts

    def _update(self, parts, pattern, n, depth, rule, r):
        fwd_pred, fwd_meas, bwd_pred, bwd_meas = self.experiment(pattern, n, depth, rule, r)
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
        pattern, the width n, the depth L, the initialization rule and a factor r on its variance."""
        widgets.show(self._setup, self._update,
                     pattern=widgets.dropdown(PATTERNS, PATTERNS[0], "widths"),
                     n=widgets.slider(64, 16, 96, 16, "width n", integer=True),
                     depth=widgets.slider(50, 1, MAX_DEPTH, 1, "depth L", integer=True),
                     rule=widgets.dropdown(list(RULES), "He (fan_in) 2/n_in", "initialization"),
                     r=widgets.slider(1.0, -2.0, 2.0, 0.05, "variance × r", log=True))

    def snapshot(self, **values):
        """The explorer's figure for one setting, without controls."""
        widgets.snapshot(self._setup, self._update, **values)

    def histograms(self, layers=(1, 10, 20, 30, 50), rules=("LeCun 1/n_in", "He (fan_in) 2/n_in"), n=64):
        """Histograms of the non-zero activations a^[l] at a few layers (one row each, each scaled to its own
        height), with each layer's standard deviation, for the explorer's stack of equal widths n; one panel per
        rule, the same standard normal draws."""
        def draw():
            X, _, standard = self._standard_draws(PATTERNS[0], n)
            fig, axes = plots.figure(len(rules), height=3.3)
            edges = np.linspace(0, 5, 51)
            for ax, rule in zip(axes, rules):
                a, color = X, plots.COLORS[RULE_COLORS[rule]]
                for l in range(1, max(layers) + 1):
                    a = np.maximum(np.sqrt(RULES[rule](n, n)) * standard[l - 1] @ a, 0.0)
                    if l in layers:
                        row = len(layers) - 1 - layers.index(l)  # layer 1 on top
                        counts, _ = np.histogram(np.clip(a[a > 0], 0, edges[-1]), bins=edges)
                        ax.stairs(row + 0.85 * counts / counts.max(), edges, baseline=row, fill=True, color=color,
                                  alpha=0.8)
                        ax.text(edges[-1], row + 0.3, f"std {np.std(a):.2g}", ha="right", fontsize=8.5)
                ax.set(yticks=range(len(layers)), yticklabels=[f"layer {l}" for l in layers[::-1]],
                       ylim=(-0.1, len(layers)), xlim=(0, edges[-1]), xlabel=r"activation $a^{[l]} > 0$",
                       title=rule)
            fig.suptitle(f"{M_DEMO} inputs, {max(layers)} ReLU layers of width {n}: the activations that are not 0 "
                         "(about half are)")
            fig.subplots_adjust(left=0.08, right=0.98, top=0.83, bottom=0.16, wspace=0.22)
            return fig

        widgets.show(draw)


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


def leaky_and_bias(relu, he_normal, seed=0):
    """Leaky ReLU g(z) = relu(z) - a·relu(-z) (the student's relu): E[g(z)²] / Var(z) sampled against (1 + a²)/2
    for a few slopes a; then bias_comparison of a He network (the student's he_normal) with biases 0 and 0.01."""
    with widgets.friendly():
        remark_rng = np.random.default_rng(seed)
        z = remark_rng.standard_normal(200_000)
        for a in (0.01, 0.1, 0.2, 0.5, 1.0):
            leaky = relu(z) - a * relu(-z)
            print(f"a = {a:<4}: E[g(z)²] / Var(z) = {np.mean(leaky ** 2) / np.var(z):.4f}, (1 + a²)/2 = "
                  f"{(1 + a * a) / 2:.4f}, gain sqrt(2/(1+a²)) = {np.sqrt(2 / (1 + a * a)):.4f}")
        found = bias_comparison(he_normal, remark_rng, layers=(1, 10, 30))
        for bias, (active, dead, spread) in found.items():
            print(f"biases {bias:<4}, layers 1, 10, 30: share of active entries "
                  f"{', '.join(f'{v:.3f}' for v in active)}; units inactive on all 500 inputs "
                  f"{', '.join(map(str, dead))}; Var(z) {', '.join(f'{v:.2f}' for v in spread)}")
        growth = np.array(found[0.01][2]) / np.array(found[0.0][2])
        print(f"Var(z) with biases 0.01 / with biases 0, layers 1, 10, 30: {', '.join(f'{v:.2f}' for v in growth)}")


# --- directions and dead units -------------------------------------------------------------------------------------

def cosine_map(rho):
    """The cosine between ReLU(u) and ReLU(v) for zero-mean Gaussian vectors u, v of cosine rho (the arc-cosine
    kernel of Cho and Saul, 2009): the cosine of z^[l+1] from that of z^[l] in a wide layer."""
    rho = np.clip(rho, -1.0, 1.0)
    return (np.sqrt(1 - rho * rho) + (np.pi - np.arccos(rho)) * rho) / np.pi


def _normal_cdf(x):
    return 0.5 * (1 + np.vectorize(math.erf)(x / np.sqrt(2)))


def dead_share(rho, m):
    """The chance that a unit is inactive on all m inputs whose z have pairwise correlation rho (z_i = √rho·u +
    √(1 − rho)·e_i with independent standard normal u, e_i): the average over u of Φ(−u·√(rho/(1 − rho)))^m."""
    u = np.linspace(-8, 8, 801)
    weights = np.exp(-u * u / 2) / np.sqrt(2 * np.pi) * (u[1] - u[0])
    rho = np.clip(rho, 0.0, 1 - 1e-12)
    return np.array([np.sum(weights * _normal_cdf(-u * np.sqrt(r / (1 - r))) ** m) for r in rho])


def collapse_experiment(relu, he_normal, seed=0, width=100, depth=50, m=500):
    """m standard normal inputs through a ReLU stack of equal widths with the student's he_normal (and LeCun's
    weights, the same divided by √2): per layer the mean cosine between the inputs' z^[l] (both networks, and the
    arc-cosine prediction) and the units inactive on every input (measured, and predicted from the measured
    cosine)."""
    draw_rng = np.random.default_rng(seed)
    x = draw_rng.standard_normal((width, m))
    a_he, a_lecun, found = x, x, {"he": [], "lecun": [], "dead": []}
    for _ in range(depth):
        W = np.asarray(he_normal(width, width, rng=draw_rng), dtype=float)
        z_he, z_lecun = W @ a_he, (W / np.sqrt(2)) @ a_lecun
        found["he"].append(mean_cosine(z_he))
        found["lecun"].append(mean_cosine(z_lecun))
        found["dead"].append(int(np.sum(np.all(z_he <= 0, axis=1))))
        a_he, a_lecun = relu(z_he), relu(z_lecun)
    theory = [mean_cosine(x)]
    for _ in range(depth - 1):
        theory.append(cosine_map(theory[-1]))
    return {key: np.array(values) for key, values in found.items()} | {
        "theory": np.array(theory), "dead theory": width * dead_share(np.array(found["he"]), m), "width": width, "m": m}


def collapse(relu, he_normal, seed=0, shown=(1, 5, 10, 30, 50)):
    """The mean cosine between examples' z^[l] per layer (He, LeCun, theory) and the units inactive on every input
    (measured, predicted); prints both at a few layers."""
    def draw():
        found = collapse_experiment(relu, he_normal, seed)
        width, m = found["width"], found["m"]
        rows = [f"layer {l}: {found['he'][l - 1]:.2f} (theory {found['theory'][l - 1]:.2f}), "
                f"{found['dead'][l - 1]} ({found['dead theory'][l - 1]:.0f})" for l in shown]
        print(f"mean cosine between the {m} inputs' z^[l] (theory), units of {width} inactive on all {m} inputs "
              "(predicted):\n    " + "\n    ".join(rows))
        gap = np.max(np.abs(found["he"] - found["lecun"]))
        print(f"largest difference between He's and LeCun's cosines {deviation(gap)}")
        fig, axes = plots.figure(2, height=3.5)
        layers = np.arange(1, len(found["he"]) + 1)
        axes[0].plot(layers, found["lecun"], color=plots.COLORS["lecun"], lw=5, alpha=0.4, label="LeCun, measured")
        axes[0].plot(layers, found["he"], "o", color=plots.COLORS["he"], ms=3, label="He, measured")
        axes[0].plot(layers, found["theory"], "--", color=plots.THEORY, lw=1.2, label="theory (arc-cosine map)")
        axes[0].set(xlabel="layer $l$", ylabel=r"mean cosine between examples' $z^{[l]}$", ylim=(-0.05, 1.05),
                    title="the inputs' directions collapse")
        axes[1].plot(layers, 100 * found["dead"] / width, "o", color=plots.COLORS["he"], ms=3, label="measured")
        axes[1].plot(layers, 100 * found["dead theory"] / width, "--", color=plots.THEORY, lw=1.2,
                     label="predicted from the cosine (left)")
        axes[1].axhline(50, color=plots.THEORY, lw=0.8, ls=":", label="half of the units")
        axes[1].set(xlabel="layer $l$", ylabel=f"units inactive on all {m} inputs (%)", ylim=(0, 60),
                    title="units that never fire")
        for ax in axes:
            ax.grid()
            ax.legend(loc="lower right")
        fig.subplots_adjust(left=0.07, right=0.99, top=0.92, bottom=0.14, wspace=0.22)
        return fig

    widgets.show(draw)


def conv_check(he_normal, relu, seed=0, c_in=64, c_out=128, k=3):
    """One k×k convolution from c_in to c_out channels applied to the ReLU outputs of standard normal
    pre-activations: the gain Var(z) / Var(z below) when Var(W) = 2/n for three choices of n."""
    with widgets.friendly():
        conv_rng = np.random.default_rng(seed)
        below = conv_rng.standard_normal((32, c_in, 12, 12))
        windows = np.lib.stride_tricks.sliding_window_view(relu(below), (k, k), axis=(2, 3))
        patches = windows.transpose(1, 4, 5, 0, 2, 3).reshape(c_in * k * k, -1)  # (c_in·k·k, positions)
        W = np.asarray(he_normal(c_in * k * k, c_out, rng=conv_rng), dtype=float)  # Var(W) = 2/(k²c_in)
        print(f"a {k}×{k} convolution from c_in = {c_in} to c_out = {c_out} channels (weight {c_out}×{c_in}×{k}×{k}) "
              f"at {patches.shape[1]} positions, on ReLU outputs; Var(W) = 2/n with")
        for n, what in ((c_in * k * k, "k²·c_in, He et al., PyTorch's fan_in"), (c_in, "c_in, the channels only"),
                        (c_out * k * k, "k²·c_out, the fan_out")):
            z = np.sqrt(c_in * k * k / n) * W @ patches
            print(f"    n = {n:>4} ({what}): Var(z) / Var(z below) = {np.var(z) / np.var(below):.2f}")


# --- the digits ----------------------------------------------------------------------------------------------------

DIGIT_DEPTH, DIGIT_WIDTH, SHALLOW_DEPTH, HELD_OUT, AT_START = 30, 64, 3, 450, 500
TRAINING = {"steps": 300, "learning_rate": 0.004, "batch_size": 64, "momentum": 0.9, "cosine": True}
# name: (rule, depth); Glorot is LeCun on the hidden layers of equal width, only its output layer differs
DIGIT_NETWORKS = {"LeCun 1/n_in": ("LeCun 1/n_in", DIGIT_DEPTH),
                  "Glorot 2/(n_in+n_out)": ("Glorot 2/(n_in+n_out)", DIGIT_DEPTH),
                  "He 2/n_in (your he_normal)": ("He (fan_in) 2/n_in", DIGIT_DEPTH),
                  "He, 3 layers (shallow)": ("He (fan_in) 2/n_in", SHALLOW_DEPTH)}


def digit_dims(depth):
    """64 pixels in, depth - 1 hidden ReLU layers of width 64, 10 classes out."""
    return [64] + [DIGIT_WIDTH] * (depth - 1) + [10]


def digits_split(seed):
    """The digits (X of shape (64, 1797), labels), split at random into training examples and HELD_OUT others."""
    X, labels = data.load_digits()
    order = np.random.default_rng(seed).permutation(len(labels))
    held, train = order[:HELD_OUT], order[HELD_OUT:]
    return (X[:, train], labels[train]), (X[:, held], labels[held])


def _digit_network(he_normal, rule, depth, init_rng):
    """Parameters of one network, W^[l] from the rule (He: the student's he_normal), zero biases."""
    params = {}
    for l, (n_in, n_out) in enumerate(zip(digit_dims(depth), digit_dims(depth)[1:]), start=1):
        if rule.startswith("He"):
            params[f"W{l}"] = he_normal(n_in, n_out, rng=init_rng)
        else:
            params[f"W{l}"] = np.sqrt(RULES[rule](n_in, n_out)) * init_rng.standard_normal((n_out, n_in))
        params[f"b{l}"] = np.zeros((n_out, 1))
    return params


def _accuracy(params, X, labels):
    _, cache = network.forward(params, X, "relu")
    return np.mean(np.argmax(cache[f"z{len(params) // 2}"], axis=0) == labels)


def _train_by_depth(params, X, labels, seed):
    """Train the networks, those of one depth together as one stack, so all see the same minibatches. Returns the
    trained parameters and the minibatch costs of each network."""
    trained, costs = {}, {}
    for depth in sorted({depth for _, depth in DIGIT_NETWORKS.values()}):
        names = [name for name, (_, d) in DIGIT_NETWORKS.items() if d == depth]
        stack = {key: np.stack([params[name][key] for name in names]) for key in params[names[0]]}
        result, history = network.train_softmax(stack, X, labels, rng=np.random.default_rng(seed), **TRAINING)
        for k, name in enumerate(names):
            trained[name], costs[name] = {key: value[k] for key, value in result.items()}, history[:, k]
    return trained, costs


def digits_experiment(he_normal, backward_variances, measure_backward_variances, seed=0):
    """Per network: at initialization, Var(dz^[l]) predicted and measured (the student's functions) and the mean
    cosine between the digits' z^[L-1], on AT_START training digits; the minibatch costs; the accuracy on the
    training and the held-out digits after training. The networks are drawn from the same seed and see the same
    minibatches."""
    (X, labels), (X_held, labels_held) = digits_split(seed + 9)
    params = {name: _digit_network(he_normal, rule, depth, np.random.default_rng(seed + 10))
              for name, (rule, depth) in DIGIT_NETWORKS.items()}
    trained, costs = _train_by_depth(params, X, labels, seed + 11)
    start, start_labels = X[:, :AT_START], labels[:AT_START]
    runs = {}
    for name, (rule, depth) in DIGIT_NETWORKS.items():
        dims = digit_dims(depth)
        weight_vars = [RULES[rule](n_in, n_out) for n_in, n_out in zip(dims, dims[1:])]
        _, cache = network.forward(params[name], start, "relu")
        _, top = network.softmax_cost(cache[f"z{depth}"], start_labels)  # ŷ - y, one column per digit
        runs[name] = {"depth": depth, "backward": (backward_variances(dims, weight_vars, np.var(top), "relu"),
                                                   measure_backward_variances(start, params[name], top, "relu")),
                      "cosine": mean_cosine(cache[f"z{depth - 1}"]), "costs": costs[name],
                      "train": _accuracy(trained[name], X, labels),
                      "held out": _accuracy(trained[name], X_held, labels_held)}
    return runs


def _print_digits(runs):
    for name, run in runs.items():
        predicted, measured = run["backward"]
        print(f"{name}: minibatch cost {np.mean(run['costs'][:20]):.3f} (first 20 steps) → "
              f"{np.mean(run['costs'][-20:]):.3f} (last 20); accuracy {run['train']:.1%} on the training digits, "
              f"{run['held out']:.1%} on the {HELD_OUT} held-out digits")
        print(f"    at initialization: Var(dz^[1]) / Var(dz^[{run['depth']}]) = {measured[0] / measured[-1]:.2g} "
              f"(theory {predicted[0] / predicted[-1]:.2g}); mean cosine between the digits' z^[{run['depth'] - 1}]: "
              f"{run['cosine']:.2f}")


def digits_showcase(he_normal, backward_variances, measure_backward_variances, seed=0):
    """Train 30-layer ReLU networks on the digits from LeCun, Glorot and He (the student's he_normal), and a 3-layer
    He network for scale; show the training costs, the accuracies on the training and the held-out digits, and the
    gradients' variances at initialization that explain them; prints the numbers."""
    def draw():
        runs = digits_experiment(he_normal, backward_variances, measure_backward_variances, seed)
        _print_digits(runs)
        fig, axes = plots.figure(3, height=3.9, width_ratios=[1.2, 1.05, 1])
        window = 20
        styles = {"LeCun 1/n_in": {"lw": 4.5, "alpha": 0.45}, "Glorot 2/(n_in+n_out)": {"lw": 1.4, "ls": (0, (4, 2))},
                  "He 2/n_in (your he_normal)": {"lw": 1.6}, "He, 3 layers (shallow)": {"lw": 1.4}}
        colors = {name: plots.COLORS[RULE_COLORS[rule]] for name, (rule, _) in DIGIT_NETWORKS.items()}
        colors["He, 3 layers (shallow)"] = "0.55"
        handles = []
        for k, (name, run) in enumerate(runs.items()):
            smooth = np.convolve(run["costs"], np.ones(window) / window, mode="valid")
            handles += axes[0].plot(np.arange(window, len(run["costs"]) + 1), smooth, color=colors[name], label=name,
                                    **styles[name])
            for offset, key, hatch in ((-0.2, "train", None), (0.2, "held out", "//")):
                axes[1].bar(k + offset, 100 * run[key], 0.4, color=colors[name], alpha=0.85 if hatch else 1,
                            hatch=hatch, edgecolor="white")
                axes[1].text(k + offset, 100 * run[key] + 1.5, f"{100 * run[key]:.0f}", ha="center", fontsize=8)
            if run["depth"] == DIGIT_DEPTH:
                predicted, measured = run["backward"]
                layers = np.arange(1, DIGIT_DEPTH + 1)
                axes[2].plot(layers, predicted, color=colors[name], **{**styles[name], "ls": ":", "lw": 1.4})
                axes[2].plot(layers, measured, color=colors[name], marker="o", ms=2.5, **styles[name])
        handles.append(axes[0].axhline(np.log(10), color=plots.THEORY, lw=0.8, ls="-.",
                                       label="guessing (ln 10; 10 %)"))
        axes[0].set(xlabel="training step", ylabel="minibatch cost (average of 20)", title="training", ylim=(0, None))
        axes[1].set(xticks=range(len(runs)), xticklabels=["LeCun", "Glorot", "He", "He,\n3 layers"],
                    ylabel="accuracy (%)", ylim=(0, 105), title="accuracy: training | held-out (hatched)")
        axes[1].axhline(10, color=plots.THEORY, lw=0.8, ls="-.")
        axes[2].set(yscale="log", xlabel="layer $l$", ylabel=r"$\mathrm{Var}(dz^{[l]})$ at initialization",
                    title="gradients at initialization")
        axes[2].grid()
        plots.figure_legend(fig, [*handles, plots.proxy("measured", marker="o", ms=2.5),
                                  plots.proxy("predicted (theory)", ls=":")], ncol=4)
        plots.plain_log_ticks(fig)
        fig.subplots_adjust(left=0.075, right=0.99, top=0.93, bottom=0.28, wspace=0.45)
        return fig

    widgets.show(draw)


def fluctuations(relu, he_normal, seed=0, widths=(32, 64)):
    """Var(z^[30]) / its prediction over 40 He networks (the student's relu and he_normal) of equal widths, for two
    widths: printed, and as outlined histograms (no overlap of fills)."""
    def ratios(width, depth=30, draws=40, m=64):
        ratio_rng = np.random.default_rng(seed)
        a = ratio_rng.standard_normal((draws, width, m))
        for _ in range(depth):  # one he_normal call per layer draws the layer of every network
            z = np.asarray(he_normal(width, draws * width, rng=ratio_rng), dtype=float).reshape(draws, width, width) @ a
            a = relu(z)
        return np.var(z, axis=(1, 2)) / 2.0  # predicted: Var(z^[1]) = 2·E[x²] = 2, then gain 1 per layer

    def draw():
        fig, (ax,) = plots.figure(1, width=8.0, height=3.4)
        edges = np.logspace(-3, 1.5, 28)
        for width, color in zip(widths, ("tab:red", "tab:blue")):
            r = ratios(width)
            print(f"width {width:>2}, 30 layers, 40 He networks: Var(z^[30]) / prediction has mean {np.mean(r):.2f}, "
                  f"median {np.median(r):.2f}, 10% to 90% range {np.percentile(r, 10):.3f} to "
                  f"{np.percentile(r, 90):.2f}")
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
