"""Notebook 5, the uniform bound: U(-a, a), uniform against normal, Glorot & Bengio's tanh network, variance
scaling, sparse initialization, biases and batch normalization."""

from math import erf, erfc, sqrt

import numpy as np

from .. import plots, widgets

# The shapes of distribution, in colours apart from the initializations' (plots.COLORS).
DISTRIBUTIONS = {"normal": "0.35", "truncated_normal": "#a6761d", "uniform": "#e7298a"}


def bound_explorer(uniform_variance, uniform_bound, seed=0, target=2 / (400 + 100)):
    """20,000 draws of U(-a, a) against the normal of the ``target`` variance (Glorot's for 400 → 100) and the
    bound of the same variance (the student's uniform_bound); slider: the bound a. The title compares a²/3 (the
    student's uniform_variance) with the measured variance."""
    unit_draws = np.random.default_rng(seed).uniform(-1.0, 1.0, 20_000)  # U(-1, 1); a · unit_draws ~ U(-a, a)

    def setup():
        fig, (ax,) = plots.figure(1, height=3.4)
        edges = np.linspace(-0.3, 0.3, 121)
        target_bound = uniform_bound(target)
        x = np.linspace(-0.3, 0.3, 400)
        ax.plot(x, np.exp(-x ** 2 / (2 * target)) / np.sqrt(2 * np.pi * target), color=plots.THEORY,
                label=f"target: N(0, {target:g})")
        for side in (-1, 1):
            ax.axvline(side * target_bound, color=plots.THEORY, ls="--", lw=1,
                       label=f"±uniform_bound({target:g})\n= ±{target_bound:.4f}" if side > 0 else None)
        parts = {"hist": plots.density_stairs(ax, edges, DISTRIBUTIONS["uniform"], "20,000 draws of U(-a, a)",
                                              fill=True),
                 "title": ax.set_title(" ")}
        ax.set(xlim=(-0.3, 0.3), xlabel="weight value", ylabel="density")
        plots.legend_outside(ax, "right")
        return fig, {**parts, "ax": ax}

    def update(parts, a):
        draws = a * unit_draws
        plots.set_density(parts["hist"], draws)
        peak = max(1 / np.sqrt(2 * np.pi * target), 1 / (2 * a))  # the normal's and the uniform's densities
        parts["ax"].set_ylim(0, plots.nice_ceiling(1.15 * peak, plots.FINE))
        parts["title"].set_text(f"a = {a:.3f}:  a²/3 = {uniform_variance(a):.5f} (your uniform_variance),  "
                                f"measured {np.var(draws):.5f},  target {target:g}")

    widgets.show(setup, update, a=widgets.slider(0.18, 0.04, 0.3, 0.005, "bound a"))


def kurtosis(v):
    """E[(v - mean)⁴] / Var(v)²: 3 for a normal, 1.8 for a uniform."""
    return np.mean((v - v.mean()) ** 4) / np.var(v) ** 2


def shape_comparison(xavier_uniform, seed=0, n_in=400, n_out=100, m=400):
    """Weights from the student's xavier_uniform and from a normal of the same variance, and the z = W x they give:
    printed statistics, and the histograms of W (left) and z (right)."""
    def draw():
        shape_rng = np.random.default_rng(seed)
        variance = 2 / (n_in + n_out)
        weights = {"uniform (your xavier_uniform)": xavier_uniform(n_in, n_out, rng=shape_rng),
                   "normal, same variance": np.sqrt(variance) * shape_rng.standard_normal((n_out, n_in))}
        X_in = shape_rng.standard_normal((n_in, m))
        rows = {}
        for name, W in weights.items():
            z = W @ X_in
            rows[name] = (W, z)
            print(f"{name:29s} Var(W) = {np.var(W):.5f}, kurtosis(W) = {kurtosis(W):.2f}, max |W| = "
                  f"{np.abs(W).max():.3f}  |  Var(z) = {np.var(z):.3f}, kurtosis(z) = {kurtosis(z):.2f}")
        print(f"prediction: Var(W) = {variance:.5f}, Var(z) = n_in · Var(W) · Var(x) = {n_in * variance:.3f}")
        bound = np.sqrt(3 * variance)
        beyond = np.mean(np.abs(weights["normal, same variance"]) > bound)
        print(f"normal weights beyond the uniform's bound sqrt(3)·σ = {bound:.4f}: {beyond:.2%} "
              f"(exact: 2(1 - Φ(√3)) = erfc(√1.5) = {erfc(sqrt(1.5)):.2%})")
        fig, axes = plots.figure(2, height=3.6)
        handles = []
        for (name, (W, z)), color in zip(rows.items(), (DISTRIBUTIONS["uniform"], DISTRIBUTIONS["normal"])):
            handles.append(plots.density_stairs(axes[0], np.linspace(-0.25, 0.25, 101), color, name))
            plots.set_density(handles[-1], W)
            plots.set_density(plots.density_stairs(axes[1], np.linspace(-5, 5, 101), color, name), z)
        axes[0].set(xlabel="weight $W_{kj}$", ylabel="density", title="the weights differ")
        axes[1].set(xlabel=r"$z_k = \sum_j W_{kj} x_j$", title="the pre-activations do not")
        for ax in axes:
            ax.relim()
            ax.autoscale_view()
        plots.figure_legend(fig, handles, ncol=2)
        plots.freeze_layout(fig)
        return fig

    widgets.show(draw)


# --- Glorot & Bengio's tanh network -------------------------------------------------------------------------------

STANDARD = "standard U(±1/√n_in)"


class GlorotBengio:
    """Five tanh layers of 250 units, 100 inputs x ~ N(0, input std²), a random gradient dJ/da^[5] at the top: the
    activations and the forward and backward variances per layer, for the standard initialization and for Glorot
    uniform (the student's xavier_uniform), Glorot normal and He uniform (the student's he_uniform)."""

    def __init__(self, xavier_uniform, he_uniform, seed=0, dims=(250,) * 6):
        self.dims = list(dims)
        self.inits = {
            STANDARD: ("standard", lambda n_in, n_out, rng: rng.uniform(-1, 1, (n_out, n_in)) / np.sqrt(n_in)),
            "Glorot uniform (your xavier_uniform)": ("xavier", lambda n_in, n_out, rng: xavier_uniform(n_in, n_out,
                                                                                                      rng=rng)),
            "Glorot normal N(0, 2/(n_in+n_out))": ("xavier", lambda n_in, n_out, rng: np.sqrt(2 / (n_in + n_out))
                                                   * rng.standard_normal((n_out, n_in))),
            "He uniform (your he_uniform)": ("he", lambda n_in, n_out, rng: he_uniform(n_in, n_out, rng=rng)),
        }
        self.seed = seed
        self.X = np.random.default_rng(seed + 3).standard_normal((self.dims[0], 100))  # scaled by the input std
        self.top = np.random.default_rng(seed + 4).standard_normal((self.dims[-1], 100))  # dJ/da^[5]
        self._runs = {}

    def experiment(self, init, input_std=1.0):
        """The activations a^[l], and Var(a^[l]) and Var(dz^[l]) for l = 1..5 (cached)."""
        key = (init, round(input_std, 3))
        if key not in self._runs:
            rng = np.random.default_rng(self.seed + 5)
            weights = [self.inits[init][1](n_in, n_out, rng) for n_in, n_out in zip(self.dims[:-1], self.dims[1:])]
            activations, a = [], input_std * self.X
            for W in weights:
                a = np.tanh(W @ a)
                activations.append(a)
            grad_vars, da = [], self.top
            for W, a in zip(weights[::-1], activations[::-1]):
                dz = da * (1 - a ** 2)
                grad_vars.append(np.var(dz))
                da = W.T @ dz
            self._runs[key] = (activations, np.array([np.var(a) for a in activations]), np.array(grad_vars[::-1]))
        return self._runs[key]

    def explorer(self):
        """Histograms of a^[l] (top) and the forward and backward variances per layer (bottom), the standard
        initialization against the one chosen; controls: that initialization and the inputs' std."""
        standard_color = plots.COLORS["standard"]
        layers = np.arange(1, len(self.dims))

        def setup():
            layout = [[f"a{l}" for l in layers], ["fwd"] * 2 + ["bwd"] * 3]
            fig, ax = plots.mosaic(layout, plots.WIDTH, 5.8, height_ratios=[1, 1.3])
            hist_axes = [ax[f"a{l}"] for l in layers]
            parts = {"bars": {"other": plots.activation_bars(hist_axes), "standard": []}, "lines": {},
                     "title": fig.suptitle(" ")}
            for bar in parts["bars"]["other"]:
                bar.set_alpha(0.45)
            for axes, bar in zip(hist_axes, parts["bars"]["other"]):  # the standard one as an outline on top
                parts["bars"]["standard"].append(axes.stairs(np.zeros(len(bar.get_data().edges) - 1),
                                                             bar.get_data().edges, color=standard_color, lw=1.4))
                axes.set_ylim(0, 0.3)
            for key, title, ylabel in (("fwd", r"forward: $\mathrm{Var}(a^{[l]})$", r"$\mathrm{Var}(a^{[l]})$"),
                                       ("bwd", r"backward: $\mathrm{Var}(\partial\mathcal{J}/\partial z^{[l]})$",
                                        r"$\mathrm{Var}(dz^{[l]})$")):
                parts["lines"][key] = {"standard": ax[key].plot([], [], "o-", color=standard_color)[0],
                                       "other": ax[key].plot([], [], "s-")[0]}
                ax[key].set(yscale="log", xticks=layers, xlim=(0.5, layers[-1] + 0.5), ylim=(1e-5, 10),
                            xlabel="layer $l$", ylabel=ylabel, title=title)
                ax[key].grid()
            plots.figure_legend(fig, [plots.proxy(STANDARD, color=standard_color, marker="o"),
                                      plots.proxy("the initialization chosen above (its colour)", marker="s")], ncol=2)
            return fig, parts

        def update(parts, compare_with, input_std):
            color = plots.COLORS[self.inits[compare_with][0]]
            for which, init in (("standard", STANDARD), ("other", compare_with)):
                activations, fwd, bwd = self.experiment(init, input_std)
                plots.set_activation_bars(parts["bars"][which], activations)
                parts["lines"]["fwd"][which].set_data(layers, fwd)
                parts["lines"]["bwd"][which].set_data(layers, bwd)
            for item in (*parts["bars"]["other"], parts["lines"]["fwd"]["other"], parts["lines"]["bwd"]["other"]):
                item.set_color(color)
            parts["title"].set_text(f"5 tanh layers of 250 units, inputs x ~ N(0, {input_std:g}²): the standard "
                                    f"initialization against {compare_with.split(' (')[0]}")

        widgets.show(setup, update,
                     compare_with=widgets.dropdown(list(self.inits)[1:], list(self.inits)[1], "compare with"),
                     input_std=widgets.slider(1.0, 0.1, 2.0, 0.1, "input std"))


def layer_ratios(values):
    """Ratio of each layer's variance to the previous layer's."""
    return np.round(values[1:] / values[:-1], 2)


def gaussian_mean(f, points=60):
    """E[f(z)] for z ~ N(0, 1), by Gauss-Hermite quadrature."""
    z, weights = np.polynomial.hermite_e.hermegauss(points)
    return float(weights @ f(z) / np.sqrt(2 * np.pi))


# --- variance scaling and sparse initialization ----------------------------------------------------------------------

def variance_scaling_explorer(variance_scaling, seed=0, layer=(400, 50)):
    """20,000 weights of a layer from the student's variance_scaling for each distribution, their histograms, the
    uniform's bound and the truncation's cut, and the measured variances beside the axes; controls: the scale, the
    mode and the distribution filled."""
    cache = {}

    def samples(scale, mode):
        key = (round(scale, 6), mode)
        if key not in cache:
            cache[key] = {d: variance_scaling(*layer, scale, mode, d, rng=np.random.default_rng(seed))
                          for d in DISTRIBUTIONS}
        return cache[key]

    def setup():
        fig, (ax,) = plots.figure(1, height=3.8)
        parts = {"hist": {d: plots.density_stairs(ax, [0, 1], color, d) for d, color in DISTRIBUTIONS.items()},
                 "uniform_bound": ax.plot([], [], ":", color=DISTRIBUTIONS["uniform"], lw=1.2,
                                          label="uniform's bound ±√(3·scale/n)")[0],
                 "cut": ax.plot([], [], "--", color=DISTRIBUTIONS["truncated_normal"], lw=1.2,
                                label="truncation at ±2 std")[0],
                 "text": ax.text(1.03, 0.0, "", transform=ax.transAxes, va="bottom", family="monospace", fontsize=8.5),
                 "title": ax.set_title(" "), "ax": ax}
        ax.set(xlabel="weight value", ylabel="density")
        plots.legend_outside(ax, "right")
        return fig, parts

    def update(parts, scale, mode, highlight):
        drawn = samples(scale, mode)
        n = {"fan_in": layer[0], "fan_out": layer[1], "fan_avg": sum(layer) / 2}[mode]
        target = scale / n
        std = np.sqrt(target)
        edges = np.linspace(-4.5 * std, 4.5 * std, 91)
        lines = ["measured variance", f"target  {target:.3e}", f"       = {scale:.3g}/{n:g}"]
        for d, stairs in parts["hist"].items():
            plots.set_density(stairs, drawn[d], edges)
            stairs.set_fill(d == highlight)
            stairs.set_alpha(0.45 if d == highlight else 0.9)
            lines.append(f"{d[:9]:9s} {np.var(drawn[d]):.3e}")
        top = 1.2 / (np.sqrt(2 * np.pi) * std)
        a, cut = np.sqrt(3 * target), 2 * std / 0.87962566103423978
        parts["uniform_bound"].set_data([-a, -a, np.nan, a, a], [0, top, np.nan, 0, top])
        parts["cut"].set_data([-cut, -cut, np.nan, cut, cut], [0, top, np.nan, 0, top])
        parts["text"].set_text("\n".join(lines))
        parts["title"].set_text(f"variance_scaling({layer[0]}, {layer[1]}, scale={scale:.3g}, mode={mode!r})")
        half_width = plots.nice_ceiling(3.2 * std)  # coarse limits: the background is redrawn only when they change
        parts["ax"].set(xlim=(-half_width, half_width), ylim=(0, plots.nice_ceiling(0.5 / std)))

    widgets.show(setup, update,
                 scale=widgets.slider(1.0, -1.0, 1.0, 0.05, "scale", log=True),
                 mode=widgets.dropdown(["fan_in", "fan_out", "fan_avg"], "fan_in", "mode"),
                 highlight=widgets.dropdown(list(DISTRIBUTIONS), "truncated_normal", "fill"))


def sparse_explorer(sparse_init, seed=0, n_in=400, n_out=200):
    """A corner of W from the student's sparse_init (left) and each unit's output variance over 1000 inputs,
    sorted, against a dense LeCun layer (right); controls: k and whether std = 1/√k."""
    X = np.random.default_rng(seed + 8).standard_normal((n_in, 1000))
    cache = {}

    def experiment(k, calibrated):
        if (k, calibrated) not in cache:
            std = 1 / np.sqrt(k) if calibrated else 1.0
            W = sparse_init(n_in, n_out, k, std, rng=np.random.default_rng(seed + 10))
            cache[k, calibrated] = W, np.sort(np.var(W @ X, axis=1)), std
        return cache[k, calibrated]

    def setup():
        fig, axes = plots.figure(2, height=3.9)
        parts = {"image": axes[0].imshow(np.zeros((40, 100)), cmap="RdBu_r", vmin=-1, vmax=1, aspect="auto",
                                         interpolation="nearest"),
                 "units": axes[1].plot([], [], color=plots.COLORS["sparse"], lw=2,
                                       label=r"sparse: $\mathrm{Var}(z_u)$, sorted")[0],
                 "predicted": axes[1].plot([], [], "--", color=plots.THEORY, label=r"prediction $k\sigma^2$")[0],
                 "titles": [axes[0].set_title(" "), axes[1].set_title(" ")], "ax": axes[1]}
        axes[0].set(xlabel="column $j$ (input)", ylabel="row $u$ (unit)")
        dense = np.random.default_rng(seed + 9).standard_normal((n_out, n_in)) / np.sqrt(n_in)  # LeCun
        axes[1].plot(np.arange(n_out), np.sort(np.var(dense @ X, axis=1)), color=plots.COLORS["lecun"], lw=1.5,
                     label="dense LeCun, sorted")
        axes[1].set(xlabel="unit (sorted by variance)", ylabel=r"$\mathrm{Var}(z_u)$ over 1000 examples", yscale="log")
        axes[1].grid()
        plots.legend_outside(axes[1], "below", ncol=2)
        return fig, parts

    def update(parts, k, calibrated):
        W, unit_vars, std = experiment(k, calibrated)
        parts["image"].set_data(W[:40, :100] / (2.5 * std))
        parts["units"].set_data(np.arange(n_out), unit_vars)
        parts["predicted"].set_data([0, n_out - 1], [k * std ** 2] * 2)
        parts["titles"][0].set_text(f"W[:40, :100], k = {k}, std = {std:.3g}")
        spread = unit_vars.std() / unit_vars.mean()
        parts["titles"][1].set_text(f"mean {unit_vars.mean():.3g} (prediction {k * std ** 2:.3g}), "
                                    f"spread {spread:.0%} (√(2/k) = {np.sqrt(2 / k):.0%})")
        plots.rescale(parts["ax"])

    widgets.show(setup, update, k=widgets.slider(10, 1, 100, 1, "k (connections per unit)", integer=True),
                 calibrated=widgets.checkbox(True, "std = 1/√k"))


# --- biases and batch normalization -------------------------------------------------------------------------------

def active_fractions(variance_scaling, weight_init, bias, seed=0, depth=10, width=128, layers=(1, 2, 5, 10)):
    """Fractions of units with z > 0 at the given layers of a ReLU network with a constant bias (weights He from the
    student's variance_scaling, or 0.01·N(0, 1)), and z^[depth]."""
    bias_rng = np.random.default_rng(seed)
    a = bias_rng.standard_normal((width, 200))
    fractions = []
    for _ in range(depth):
        if weight_init == "He":
            W = variance_scaling(width, width, 2.0, "fan_in", "normal", rng=bias_rng)
        else:
            W = 0.01 * bias_rng.standard_normal((width, width))
        z = W @ a + bias
        fractions.append(np.mean(z > 0))
        a = np.maximum(z, 0)
    return [fractions[l - 1] for l in layers], z


def normal_cdf(x):
    """Φ(x), the standard normal CDF."""
    return 0.5 * (1 + erf(x / sqrt(2)))


def last_layer(variance_scaling, c, normalize, seed=0, depth=20, width=100):
    """z^[depth] of a linear network whose weights have c times LeCun's variance (the student's variance_scaling),
    with or without batch normalization (without its learned scale and shift)."""
    bn_rng = np.random.default_rng(seed)
    a = bn_rng.standard_normal((width, 200))
    for _ in range(depth):
        z = np.sqrt(c) * variance_scaling(width, width, 1.0, "fan_in", "normal", rng=bn_rng) @ a
        if normalize:
            z = (z - z.mean(axis=1, keepdims=True)) / np.sqrt(z.var(axis=1, keepdims=True) + 1e-5)
        a = z
    return z
