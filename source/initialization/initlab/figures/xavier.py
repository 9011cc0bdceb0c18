"""Notebook 3, the Xavier derivation: Var(XY), the three regimes, a tanh network's variances and gains."""

import contextlib
import itertools

import numpy as np
from matplotlib import ticker
from matplotlib.collections import LineCollection

from .. import plots, widgets

SMALL, LARGE = "0.01·N(0,1)", "1.0·N(0,1)"
LECUN, XAVIER = "LeCun N(0, 1/n_in)", "Xavier N(0, 2/(n_in+n_out))"
TANH_GAIN_NAME = "LeCun × (5/3)², the tanh gain"
TANH_GAIN = 5 / 3  # PyTorch's nn.init.calculate_gain("tanh")
# The initializations of the tanh network: colour, and the variance each intends for a layer (n_in, n_out).
INITS = {
    SMALL: ("small", lambda n_in, n_out: 1e-4),
    LARGE: ("large", lambda n_in, n_out: 1.0),
    LECUN: ("lecun", lambda n_in, n_out: 1 / n_in),
    XAVIER: ("xavier", lambda n_in, n_out: 2 / (n_in + n_out)),
    TANH_GAIN_NAME: ("tanh_gain", lambda n_in, n_out: TANH_GAIN ** 2 / n_in),
}
ARCHITECTURES = {
    "5 × 500 (equal widths)": [500, 500, 500, 500, 500, 500],
    "500-1000-200-1000-200-1000 (unequal)": [500, 1000, 200, 1000, 200, 1000],
}
# Fixed y limits (variance, gain) per initialization: moving the slider never redraws the axes themselves.
# A prediction that grows beyond them leaves the plot at the top.
LIMITS = {SMALL: ((1e-9, 10), (1e-3, 10)), LARGE: ((10, 1e16), (0.1, 1e4)), LECUN: ((1e-3, 100), (0.01, 100)),
          XAVIER: ((1e-3, 100), (0.01, 100)), TANH_GAIN_NAME: ((0.1, 1e3), (0.01, 100))}


def product_check(variance_of_product, seed=0):
    """The student's Var(XY) formula against the sample variance of XY (200,000 draws) for three pairs of means."""
    def draw():
        sample_rng = np.random.default_rng(seed)
        cases = [(0.0, 1.0, 0.0, 2.0), (1.5, 1.0, 0.0, 2.0), (1.5, 1.0, -2.0, 2.0)]
        formula, sample = [], []
        for mx, vx, my, vy in cases:
            x = mx + np.sqrt(vx) * sample_rng.standard_normal(200_000)
            y = my + np.sqrt(vy) * sample_rng.standard_normal(200_000)
            formula.append(variance_of_product(mx, vx, my, vy))
            sample.append(np.var(x * y))
        fig, (ax,) = plots.figure(1, width=7.8, height=3.4)
        positions = np.arange(len(cases))
        ax.bar(positions - 0.2, formula, 0.4, color=plots.THEORY, label="formula (your variance_of_product)")
        ax.bar(positions + 0.2, sample, 0.4, color="tab:blue", label="sample variance of $XY$ (200,000 draws)")
        ax.set_xticks(positions, [rf"$\mathbb{{E}}[X] = {mx:g}$" "\n" rf"$\mathbb{{E}}[Y] = {my:g}$"
                                  for mx, _, my, _ in cases])
        ax.set(ylabel=r"$\mathrm{Var}(XY)$",
               title=r"$\mathrm{Var}(X) = 1$, $\mathrm{Var}(Y) = 2$: non-zero means add the cross terms")
        plots.legend_outside(ax, "right")
        fig.tight_layout()
        return fig

    widgets.show(draw)


def three_regimes(forward_variances):
    """The student's forward_variances for 50 linear layers of width 100 with gains 0.9, 1 and 1.1."""
    def draw():
        gains = (0.9, 1.0, 1.1)
        curves = [forward_variances([100] * 51, [gain / 100] * 50, 1.0, "linear") for gain in gains]
        fig, (ax,) = plots.figure(1, width=7.0, height=3.4)
        for curve, gain, color in zip(curves, gains, plots.REGIMES.values()):
            ax.plot(np.arange(1, 51), curve, color=color, label=rf"$n_{{l-1}}\,\mathrm{{Var}}(W^{{[l]}}) = {gain}$")
        ax.set(yscale="log", xlabel="layer $l$", ylabel=r"predicted $\mathrm{Var}(z^{[l]})$",
               title="three regimes (linear network, width 100)")
        ax.grid()
        plots.legend_outside(ax, "right")
        plots.plain_log_ticks(fig)
        fig.tight_layout()
        return fig

    widgets.show(draw)


def tanh_fixed_point(gain2, z, steps=100):
    """The variance v that a layer gain ``gain2`` keeps through tanh: v = gain2 · E[tanh(√v·z)²] (z standard
    normal samples), by iterating the map from v = 1."""
    v = 1.0
    for _ in range(steps):
        v = gain2 * np.mean(np.tanh(np.sqrt(v) * z) ** 2)
    return v


class TanhNetwork:
    """Five tanh layers, m = 200 inputs x ~ N(0, I) of size 500, zero biases; the weights of each architecture
    and initialization are drawn once with the student's lecun_normal and xavier_normal, and the variances are
    predicted and measured with the student's forward_variances and measure_forward_variances."""

    def __init__(self, forward_variances, measure_forward_variances, lecun_normal, xavier_normal, seed=0):
        self.forward_variances, self.measure_forward_variances = forward_variances, measure_forward_variances
        self.lecun_normal, self.xavier_normal = lecun_normal, xavier_normal
        self.seed = seed
        self.X = np.random.default_rng(seed + 1).standard_normal((500, 200))
        self.X_hist = self.X[:, :100].astype(np.float32)  # 100 examples are plenty for the histograms
        self._weights = {}

    def weights(self, architecture, init):
        """W^[1..L] of an initialization (drawn once with the student's functions, then kept)."""
        dims = ARCHITECTURES[architecture]
        if (architecture, init) not in self._weights:
            rng = np.random.default_rng(self.seed + 2)
            weights = []
            for n_in, n_out in zip(dims[:-1], dims[1:]):
                variance = INITS[init][1](n_in, n_out)
                if init in (LECUN, TANH_GAIN_NAME):
                    weights.append(np.sqrt(variance * n_in) * self.lecun_normal(n_in, n_out, rng=rng))
                elif init == XAVIER:
                    weights.append(self.xavier_normal(n_in, n_out, rng=rng))
                else:
                    weights.append(np.sqrt(variance) * rng.standard_normal((n_out, n_in)))
            self._weights[architecture, init] = weights, [W.astype(np.float32) for W in weights]  # float32: histograms
        return self._weights[architecture, init][0]

    def experiment(self, architecture, init, c=1.0):
        """What the figure shows for one setting, one entry per layer: the activations a^[l] (100 examples),
        predicted and measured Var(z^[l]), the forward gains n_{l-1}·Var(W^[l]), the backward gains
        n_l·Var(W^[l]) and the measured E[tanh'(z^[l])²]."""
        dims = ARCHITECTURES[architecture]
        weights, weights32 = self.weights(architecture, init), self._weights[architecture, init][1]
        params = {}
        for l, W in enumerate(weights, start=1):
            params[f"W{l}"] = np.sqrt(c) * W
            params[f"b{l}"] = np.zeros((dims[l], 1))
        weight_vars = np.array([c * INITS[init][1](n_in, n_out) for n_in, n_out in zip(dims[:-1], dims[1:])])
        activations, slopes, a = [], [], self.X_hist
        for W32 in weights32:
            a = np.tanh(np.float32(np.sqrt(c)) * (W32 @ a))
            activations.append(a)
            slopes.append(np.mean((1 - a ** 2) ** 2))  # tanh'(z) = 1 - tanh(z)²
        return {"activations": activations,
                "predicted": self.forward_variances(dims, weight_vars, 1.0, "tanh"),
                "measured": self.measure_forward_variances(self.X, params, "tanh"),
                "forward_gains": np.array(dims[:-1]) * weight_vars,
                "backward_gains": np.array(dims[1:]) * weight_vars,
                "tanh_slope2": np.array(slopes)}

    def table(self, architecture, init, c=1.0):
        """Print, layer by layer, what the figure shows for one setting of the controls."""
        r = self.experiment(architecture, init, c)
        measured = r["measured"]
        rows = {"predicted Var(z^[l])": r["predicted"], "measured Var(z^[l])": measured,
                "measured / layer before": np.r_[np.nan, measured[1:] / measured[:-1]],
                "E[tanh'(z^[l])²]": r["tanh_slope2"], "forward gain": r["forward_gains"],
                "backward gain (linear)": r["backward_gains"],
                "backward gain with tanh'": r["backward_gains"] * r["tanh_slope2"]}
        print(f"{init}, c = {c:.4g}, {architecture}")
        for name, values in rows.items():
            print(f"  {name:<26}" + "".join(f"{v:>10.3g}" if np.isfinite(v) else " " * 10 for v in values))

    def _setup(self):
        layout = [[f"a{l}" for l in range(1, 6)], ["var"] * 3 + ["gain"] * 2]
        fig, ax = plots.mosaic(layout, plots.WIDTH, 6.6, height_ratios=[1, 1.5])
        hist_axes = [ax[f"a{l}"] for l in range(1, 6)]
        parts = {"axes": [ax["var"], ax["gain"]], "bars": plots.activation_bars(hist_axes),
                 "variance": plots.variance_lines(ax["var"], 5, r"$\mathrm{Var}(z^{[l]})$"),
                 "titles": [ax["var"].title, ax["gain"].title]}
        hist_axes[0].set(ylim=(0, 1.05), ylabel="share of entries\n(÷ the tallest bar)")
        ax["var"].set_title(" ")
        gain, layers = ax["gain"], np.arange(1, 6)
        parts["gain_bars"] = gain.add_collection(LineCollection([], lw=2))
        parts["forward"], = gain.plot([], [], "D", label=r"forward: $n_{in}\,\mathrm{Var}(W)$")
        parts["backward"], = gain.plot([], [], "v", ms=8, label=r"backward: $n_{out}\,\mathrm{Var}(W)$ (linear regime)")
        parts["backward_tanh"], = gain.plot([], [], "o", mfc="none", mew=1.5, ms=8,
                                            label=r"backward with $\tanh'$: $n_{out}\,\mathrm{Var}(W)\,"
                                                  r"\mathbb{E}[\tanh'(z)^2]$")
        gain.axhline(1.0, color="gray", lw=0.8, ls=":")
        gain.set(yscale="log", xticks=layers, xlim=(0.5, 5.5), xlabel="layer $l$", ylabel="gain of layer $l$")
        gain.grid(which="major")
        gain.set_title(" ")
        for axes in (ax["var"], gain):  # few ticks: these axes are drawn again whenever their limits change
            axes.yaxis.set_major_locator(ticker.LogLocator(numticks=7))
            axes.yaxis.set_minor_locator(ticker.LogLocator(subs=(2, 5), numticks=7))
            axes.grid(False, which="minor")
        plots.legend_outside(ax["var"], "below", ncol=2, handles=[
            plots.proxy("predicted (theory)", marker="o", ls="--", mfc="white"),
            plots.proxy("measured", marker="s")])
        plots.legend_outside(gain, "below", handles=[
            plots.proxy(parts[key].get_label(), marker=parts[key].get_marker(), ls="none",
                        ms=parts[key].get_markersize(), mfc="none" if key == "backward_tanh" else None)
            for key in ("forward", "backward", "backward_tanh")])
        fig.suptitle(r"tanh network: histograms of $a^{[l]} = \tanh(z^{[l]})$, variance and gain per layer")
        for architecture, init in itertools.product(ARCHITECTURES, INITS):  # every weight set now, not on a move
            with contextlib.suppress(NotImplementedError):
                self.weights(architecture, init)
        return fig, parts

    def _update(self, parts, architecture, init, c):
        result = self.experiment(architecture, init, c)
        color = plots.COLORS[INITS[init][0]]
        layers = np.arange(1, 6)
        counts = [np.histogram(a, bins=parts["bars"][0].get_data().edges)[0] for a in result["activations"]]
        for bar, count in zip(parts["bars"], counts):
            bar.set_data(count / count.max())
            bar.set_color(color)
        for key in ("predicted", "measured"):
            parts["variance"][key].set_data(layers, result[key])
            parts["variance"][key].set_color(color)
        forward, backward = result["forward_gains"], result["backward_gains"]
        parts["gain_bars"].set_segments([[(l - 0.12, 1.0), (l - 0.12, g)] for l, g in zip(layers, forward)])
        parts["gain_bars"].set_color(color)
        for key, x, y in (("forward", layers - 0.12, forward), ("backward", layers + 0.12, backward),
                          ("backward_tanh", layers + 0.12, backward * result["tanh_slope2"])):
            parts[key].set_data(x, y)
            parts[key].set_color(color)
        parts["backward_tanh"].set_markerfacecolor("none")
        same = init == XAVIER and len(set(ARCHITECTURES[architecture])) == 1
        parts["titles"][0].set_text(f"{init}, variance × {c:.3g}" + ("\nequal widths: the same as LeCun" * same))
        parts["titles"][1].set_text(architecture)
        for axes, limits in zip(parts["axes"], LIMITS[init]):
            axes.set_ylim(limits)

    def explorer(self):
        """Histograms of a^[l] (top), predicted and measured Var(z^[l]) (bottom left) and the gains of each layer
        in both passes (bottom right); controls: the architecture, the initialization, a factor c on its variance."""
        widgets.show(self._setup, self._update,
                     architecture=widgets.dropdown(list(ARCHITECTURES), "5 × 500 (equal widths)", "architecture"),
                     init=widgets.dropdown(list(INITS), LECUN, "initialization"),
                     c=widgets.slider(1.0, -1.0, 1.0, 0.05, "variance × c", log=True),
                     prerender=[{"init": init} for init in INITS])  # each initialization's limits, drawn in advance

    def snapshot(self, architecture, init, c=1.0):
        """The explorer's figure for one setting, without controls."""
        widgets.snapshot(self._setup, self._update, architecture=architecture, init=init, c=c)


def correlated_inputs(lecun_normal, seed=0):
    """Var(z_k) of each unit of one layer W^[1] (the student's lecun_normal), for independent and for correlated
    inputs."""
    def draw():
        corr_rng = np.random.default_rng(seed)
        n0, m = 400, 2000
        independent = corr_rng.standard_normal((n0, m))
        shared = corr_rng.standard_normal((1, m))  # one factor common to every "pixel"
        correlated = np.sqrt(0.9) * shared + np.sqrt(0.1) * corr_rng.standard_normal((n0, m))
        W1 = lecun_normal(n0, 200, rng=corr_rng)
        fig, (ax,) = plots.figure(1, width=7.6, height=3.4)
        edges = np.logspace(-1.5, 1.2, 55)
        for name, X_in, color in (("independent inputs", independent, "tab:blue"),
                                  ("correlated inputs (correlation 0.9)", correlated, "tab:red")):
            unit_vars = np.var(W1 @ X_in, axis=1)  # one variance per unit k, over the m examples
            ax.stairs(np.histogram(unit_vars, bins=edges)[0], edges, color=color, lw=1.6,
                      label=f"{name}:\nmean {unit_vars.mean():.2f}, std {unit_vars.std():.2f}")
        ax.set(xscale="log", xlabel=r"$\mathrm{Var}(z^{[1]}_k)$ over the examples, one value per unit $k$",
               ylabel="number of units", title=r"$W^{[1]}$ ~ LeCun, $n_0 = 400$, $\mathrm{Var}(x) = 1$")
        plots.legend_outside(ax, "right")
        plots.plain_log_ticks(fig)
        fig.tight_layout()
        return fig

    widgets.show(draw)
