"""Notebook 5, the uniform bound: U(-a, a), uniform against normal, Glorot & Bengio's tanh network and its training
and held-out error, variance scaling and what the frameworks do (truncation, fans, orthogonal matrices), sparse
initialization and batch normalization."""

from math import erf, erfc, exp, pi, sqrt

import numpy as np
from matplotlib import ticker

from .. import data, network, plots, widgets

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
        print(f"prediction: Var(W) = {variance:.5f}, Var(z) = n_in · Var(W) · E[x²] = {n_in * variance:.3f}")
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
    uniform (the student's xavier_uniform), Glorot normal and He uniform (the student's he_uniform), and the forward
    second moments that the recursion v^[l+1] = G · E[tanh(z)²], z ~ N(0, v^[l]), predicts (G = n_in · Var(W),
    the variance gain)."""

    # the variance gain G = n_in · Var(W) of each initialization: 1/3, 2 n_in / (n_in + n_out) (1 for equal widths), 2
    GAINS = {"standard": lambda n_in, n_out: 1 / 3, "xavier": lambda n_in, n_out: 2 * n_in / (n_in + n_out),
             "he": lambda n_in, n_out: 2.0}

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
        """The activations a^[l], and E[(a^[l])²] and Var(dz^[l]) for l = 1..5 (cached)."""
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
            self._runs[key] = (activations, np.array([np.mean(a ** 2) for a in activations]),
                               np.array(grad_vars[::-1]))
        return self._runs[key]

    def predicted(self, init, input_std=1.0):
        """E[(a^[l])²] for l = 1..5 from v^[1] = gain · E[x²] and v^[l+1] = gain · E[tanh(z)²], z ~ N(0, v^[l])."""
        gain = self.GAINS[self.inits[init][0]]
        second_moments, moment = [], input_std ** 2
        for n_in, n_out in zip(self.dims[:-1], self.dims[1:]):
            moment = tanh_second_moment(gain(n_in, n_out) * moment)
            second_moments.append(moment)
        return np.array(second_moments)

    def report(self, input_std=1.0):
        """Print, for each initialization, E[(a^[l])²] measured and predicted, and Var(dz^[l]) measured."""
        print(f"inputs σₓ = {input_std:<3g}         E[(a^[l])²], l = 1..5: measured / predicted      "
              "Var(dz^[1]) → Var(dz^[5])")
        for init in self.inits:
            _, measured, grads = self.experiment(init, input_std)
            print(f"  {init.split(' (')[0]:35s} {np.array2string(measured, precision=4)}\n"
                  f"  {'':35s} {np.array2string(self.predicted(init, input_std), precision=4)}   "
                  f"{grads[0]:.4f} → {grads[-1]:.4f} (× {grads[-1] / grads[0]:.1f})")

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
            for key, title, ylabel in (("fwd", r"forward: $\mathbb{E}[(a^{[l]})^2]$", r"$\mathbb{E}[(a^{[l]})^2]$"),
                                       ("bwd", r"backward: $\mathrm{Var}(\partial\mathcal{J}/\partial z^{[l]})$",
                                        r"$\mathrm{Var}(dz^{[l]})$")):
                parts["lines"][key] = {"standard": ax[key].plot([], [], "o-", color=standard_color)[0],
                                       "other": ax[key].plot([], [], "s-")[0]}
                ax[key].set(yscale="log", xticks=layers, xlim=(0.5, layers[-1] + 0.5), ylim=(1e-5, 10),
                            xlabel="layer $l$", ylabel=ylabel, title=title)
                ax[key].grid()
            hollow = {"ls": "none", "marker": "o", "ms": 11, "mfc": "none", "mew": 1.2}
            parts["predicted"] = {which: ax["fwd"].plot([], [], color=standard_color, **hollow)[0]
                                  for which in ("standard", "other")}
            plots.figure_legend(fig, [plots.proxy(STANDARD, color=standard_color, marker="o"),
                                      plots.proxy("the initialization chosen above (its colour)", marker="s"),
                                      plots.proxy("predicted: v → G · E[tanh(z)²]", ls="none", marker="o",
                                                  ms=9, mfc="none")], ncol=3)
            return fig, parts

        def update(parts, compare_with, input_std):
            color = plots.COLORS[self.inits[compare_with][0]]
            for which, init in (("standard", STANDARD), ("other", compare_with)):
                activations, fwd, bwd = self.experiment(init, input_std)
                plots.set_activation_bars(parts["bars"][which], activations)
                parts["lines"]["fwd"][which].set_data(layers, fwd)
                parts["lines"]["bwd"][which].set_data(layers, bwd)
                parts["predicted"][which].set_data(layers, self.predicted(init, input_std))
            for item in (*parts["bars"]["other"], parts["lines"]["fwd"]["other"], parts["lines"]["bwd"]["other"],
                         parts["predicted"]["other"]):
                item.set_color(color)
            parts["title"].set_text(f"5 tanh layers of 250 units, input std σₓ = {input_std:g}: "
                                    f"the standard initialization against {compare_with.split(' (')[0]}")

        widgets.show(setup, update,
                     compare_with=widgets.dropdown(list(self.inits)[1:], list(self.inits)[1], "compare with"),
                     input_std=widgets.slider(1.0, 0.1, 2.0, 0.1, "input std σₓ"))


def gaussian_mean(f, points=60):
    """E[f(z)] for z ~ N(0, 1), by Gauss-Hermite quadrature."""
    z, weights = np.polynomial.hermite_e.hermegauss(points)
    return float(weights @ f(z) / np.sqrt(2 * np.pi))


def tanh_second_moment(v):
    """E[tanh(z)²] for z ~ N(0, v)."""
    return gaussian_mean(lambda z: np.tanh(np.sqrt(v) * z) ** 2)


def tanh_fixed_point(gain, start=1.0, steps=200):
    """The variance v* = G · E[tanh(z)²], z ~ N(0, v*), at which a tanh layer of variance gain G = n_in · Var(W)
    (``gain``) keeps the variance of its pre-activations, by iterating the recursion (for G > 1; below, v shrinks
    towards 0)."""
    v = start
    for _ in range(steps):
        v = gain * tanh_second_moment(v)
    return v


def standard_uniform(n_in, n_out, rng):
    """Glorot and Bengio's "standard" initialization U(±1/√n_in), PyTorch's nn.Linear default: shape (n_out, n_in)."""
    return rng.uniform(-1, 1, (n_out, n_in)) / np.sqrt(n_in)


def digits_split(seed=0, train=1200):
    """The 1797 digits shuffled with ``seed``: ((X, labels) of ``train`` of them, (X, labels) of the others)."""
    X, labels = data.load_digits()
    order = np.random.default_rng(seed).permutation(X.shape[1])
    return (X[:, order[:train]], labels[order[:train]]), (X[:, order[train:]], labels[order[train:]])


def _errors(stack, X, labels):
    """The error rate of each network of a stack of softmax classifiers with tanh hidden layers."""
    _, cache = network.forward(stack, X, "tanh")
    return np.mean(cache[f"z{network.n_layers(stack)}"].argmax(axis=-2) != labels, axis=-1)


def training_comparison(xavier_uniform, he_uniform, seed=0, hidden=(32,) * 5, draws=4, steps=200,
                        learning_rate=0.1, batch=32, marks=(0, 20, 50, 100, 200)):
    """Tanh networks (``hidden`` layers, softmax output) trained on 1200 digits by minibatch SGD from the standard
    initialization, Glorot uniform (the student's xavier_uniform) and He uniform (the student's he_uniform),
    ``draws`` networks each; the held-out error on the other 597 digits and the training error while they train
    (figure), and both at the end (printed)."""
    kinds = {"standard": "standard U(±1/√n_in)", "xavier": "Glorot uniform (your xavier_uniform)",
             "he": "He uniform (your he_uniform)"}
    marks = np.array(sorted({min(mark, steps) for mark in (*marks, steps)}))

    def draw():
        (X, labels), (X_out, labels_out) = digits_split(seed)
        dims = [X.shape[0], *hidden, 10]
        draw_weights = {"standard": standard_uniform, "xavier": lambda n_in, n_out, rng: xavier_uniform(
            n_in, n_out, rng=rng), "he": lambda n_in, n_out, rng: he_uniform(n_in, n_out, rng=rng)}
        nets = []
        for kind in kinds:
            for k in range(draws):
                rng = np.random.default_rng(seed + 10 + k)
                nets.append({f"W{l}": draw_weights[kind](dims[l - 1], dims[l], rng) for l in range(1, len(dims))})
        stack = {f"{w}{l}": np.stack([net[f"W{l}"] if w == "W" else np.zeros((dims[l], 1)) for net in nets])
                 for l in range(1, len(dims)) for w in "Wb"}
        seen, curves, batches = 0, {"held-out": [], "training": []}, np.random.default_rng(seed + 1)
        for mark in marks:
            stack, _ = network.train_softmax(stack, X, labels, mark - seen, learning_rate, batch, "tanh", rng=batches)
            seen = mark
            curves["held-out"].append(_errors(stack, X_out, labels_out).reshape(len(kinds), draws))
            curves["training"].append(_errors(stack, X, labels).reshape(len(kinds), draws))
        final = {"training": curves["training"][-1], "held-out": curves["held-out"][-1]}
        print(f"{f'after {steps} steps, {draws} networks each':39s} {'training error':20s} held-out error (597 digits)")
        for i, name in enumerate(kinds.values()):
            cells = [f"{e[i].mean():6.1%} ({100 * e[i].min():.1f}–{100 * e[i].max():.1f})" for e in final.values()]
            print(f"  {name:37s} {cells[0]:20s} {cells[1]}")
        fig, (ax,) = plots.figure(1, height=3.5)
        for i, kind in enumerate(kinds):
            held_out, training = (100 * np.array(curves[c])[:, i] for c in ("held-out", "training"))
            color = plots.COLORS[kind]
            ax.fill_between(marks, held_out.min(axis=1), held_out.max(axis=1), color=color, alpha=0.2, lw=0)
            ax.plot(marks, held_out.mean(axis=1), "o-", color=color, ms=4, label=kinds[kind])
            ax.plot(marks, training.mean(axis=1), "--", color=color, lw=1.2)
        ax.set(yscale="log", xlim=(0, steps), xlabel=f"step (minibatches of {batch})", ylabel="error (%)",
               title=f"{len(hidden)} tanh layers of {hidden[0]} units on the digits, learning rate {learning_rate:g}")
        ax.set_yticks([1, 2, 5, 10, 20, 50, 100], labels=["1", "2", "5", "10", "20", "50", "100"])
        ax.yaxis.set_minor_locator(ticker.NullLocator())
        ax.grid(which="major")
        handles = [*ax.get_lines()[::2], plots.proxy("held-out (mean; band: lowest to highest)", marker="o"),
                   plots.proxy("training (mean)", ls="--")]
        plots.legend_outside(ax, "right", handles=handles)
        plots.freeze_layout(fig)
        return fig

    widgets.show(draw)


# --- frameworks: truncation, fans, orthogonal matrices ----------------------------------------------------------------

def truncated_std(cut):
    """The standard deviation of N(0, 1) kept on [-cut, cut]: sqrt(1 - 2 cut φ(cut) / P(|z| ≤ cut))."""
    kept = erf(cut / sqrt(2))
    return sqrt(1 - 2 * cut * exp(-cut ** 2 / 2) / sqrt(2 * pi) / kept)


KERAS_CONSTANT = 0.87962566103423978  # the std of N(0, 1) cut at ±2, as Keras and JAX write it


def truncation_constant_check(seed=0, size=1_000_000):
    """The truncated normal's constant: P_2, φ(2) and the variance 1 - 4 φ(2) / P_2; the std of N(0, 1) cut at ±2
    by the formula against Keras's constant and against ``size`` draws; the variance after dividing by it."""
    kept_share, density = erf(2 / sqrt(2)), exp(-2) / sqrt(2 * pi)
    print(f"P_2 = {kept_share:.4f}, φ(2) = {density:.5f}, variance 1 - 4 φ(2) / P_2 = "
          f"{1 - 4 * density / kept_share:.4f}")
    cut_std = truncated_std(2)
    draws = np.random.default_rng(seed).standard_normal(size)
    kept = draws[np.abs(draws) <= 2]
    print(f"formula:     std of N(0, 1) cut at ±2 = {cut_std:.10f}, Keras's 0.87962566103423978 to machine "
          f"precision: {abs(cut_std - KERAS_CONSTANT) < 1e-15}")
    print(f"Monte Carlo: std of the {kept.size:,} draws inside ±2 = {kept.std():.5f} "
          f"(the other {draws.size - kept.size:,} draws, {1 - kept.size / draws.size:.2%}, would be redrawn)")
    print(f"after dividing s by the constant, Var(W) / (scale/n) = {np.var(kept / cut_std):.4f}; "
          f"the cut 2s = {2 / cut_std:.4f} · sqrt(scale/n)")


def pytorch_trunc_normal(std, size, rng, a=-2.0, b=2.0):
    """Draws as torch.nn.init.trunc_normal_(w, mean=0, std=std, a=a, b=b) is documented: N(0, std²), every value
    outside [a, b] redrawn until it is inside (a and b are values, not multiples of std)."""
    w = std * rng.standard_normal(size)
    redraw = (w < a) | (w > b)
    while redraw.any():
        w[redraw] = std * rng.standard_normal(int(redraw.sum()))
        redraw = (w < a) | (w > b)
    return w


def trunc_normal_table(stds=(0.02, 0.0625, 0.5, 1.0, 2.0), seed=0, size=200_000):
    """For each std, what PyTorch's trunc_normal_ with its default cut [-2, 2] does to N(0, std²), against a cut at
    ±2 std (Keras, JAX, variance_scaling): the share of draws redrawn and the std that results."""
    rng = np.random.default_rng(seed)
    print(f"{'trunc_normal_(w, std=s), a = -2, b = 2 (absolute)':56s}|  a cut at ±2 s (Keras)")
    print(f"{'s':>6s}   {'cut at':>7s}   {'redrawn':>7s}   {'std / s: formula, measured':27s}|  redrawn   std / s")
    for s in stds:
        w = pytorch_trunc_normal(s, size, rng)
        cut = 2 / s
        print(f"{s:6g}   {f'±{cut:.3g} s':>7s}   {erfc(cut / sqrt(2)):7.2%}   {truncated_std(cut):.3f}, "
              f"{w.std() / s:.3f}{'':15s}|  {erfc(sqrt(2)):6.2%}   {truncated_std(2):.3f}")


def framework_fans(shape, framework):
    """(fan_in, fan_out) as PyTorch (weight (out, in, *kernel)) or Keras (kernel (*kernel, in, out)) reads a
    weight's shape: each multiplies the channels by the receptive field, the product of the kernel's sizes."""
    if framework == "PyTorch":
        receptive_field = int(np.prod(shape[2:]))
        return shape[1] * receptive_field, shape[0] * receptive_field
    if framework == "Keras":
        receptive_field = int(np.prod(shape[:-2]))
        return shape[-2] * receptive_field, shape[-1] * receptive_field
    raise ValueError(f"framework must be 'PyTorch' or 'Keras', got {framework!r}")


def orthogonal(n_out, n_in, rng, gain=1.0):
    """A random (semi-)orthogonal (n_out, n_in) matrix times ``gain``, as torch.nn.init.orthogonal_ and Keras's
    Orthogonal draw it: Q of the QR decomposition of a Gaussian matrix, signs fixed by R's diagonal."""
    tall = rng.standard_normal((max(n_out, n_in), min(n_out, n_in)))
    with widgets.one_blas_thread():
        q, r = np.linalg.qr(tall)
    q = q * np.sign(np.diag(r))
    return gain * (q if n_out >= n_in else q.T)


def orthogonal_check(seed=0, shape=(100, 400)):
    """Orthogonal against LeCun normal weights of the same shape: the entries' variance and the singular values."""
    rng = np.random.default_rng(seed)
    n_out, n_in = shape
    for name, W in (("orthogonal", orthogonal(n_out, n_in, rng)),
                    ("LeCun N(0, 1/n_in)", rng.standard_normal(shape) / np.sqrt(n_in))):
        with widgets.one_blas_thread():
            singular = np.linalg.svd(W, compute_uv=False)
        print(f"{name:19s} W {shape}: Var(W) = {np.var(W):.5f} (1/n_in = {1 / n_in:.5f}), singular values "
              f"{singular.min():.3f} to {singular.max():.3f}")


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
            stairs.set_facecolor(DISTRIBUTIONS[d])
            stairs.set_alpha(0.45 if d == highlight else 0.9)
            lines.append(f"{d[:9]:9s} {np.var(drawn[d]):.3e}")
        top = 1.2 / (np.sqrt(2 * np.pi) * std)
        a, cut = np.sqrt(3 * target), 2 * std / KERAS_CONSTANT
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


# --- batch normalization (going further) ----------------------------------------------------------------------------

def last_layer(variance_scaling, r, normalize, seed=0, depth=20, width=100):
    """z^[depth] of a linear network whose weights have r times LeCun's variance (the student's variance_scaling),
    with or without batch normalization (without its learned scale and shift)."""
    bn_rng = np.random.default_rng(seed)
    a = bn_rng.standard_normal((width, 200))
    for _ in range(depth):
        z = np.sqrt(r) * variance_scaling(width, width, 1.0, "fan_in", "normal", rng=bn_rng) @ a
        if normalize:
            z = (z - z.mean(axis=1, keepdims=True)) / np.sqrt(z.var(axis=1, keepdims=True) + 1e-5)
        a = z
    return z


def batchnorm_check(variance_scaling, seed=0, factors=(0.5, 1.0, 2.0), depth=20):
    """For weights with r times LeCun's variance, r in ``factors``: Var(z^[depth]) without batch normalization
    against r^depth, and with it its variance and how far z^[depth] moves from r = 1."""
    with widgets.friendly():
        reference = last_layer(variance_scaling, 1.0, True, seed=seed, depth=depth)
        for r in factors:
            normalized = last_layer(variance_scaling, r, True, seed=seed, depth=depth)
            plain = last_layer(variance_scaling, r, False, seed=seed, depth=depth)
            print(f"r = {r}:  without BN Var(z^[{depth}]) = {np.var(plain):.3g} (r^{depth} = {r ** depth:.3g});  "
                  f"with BN Var = {np.var(normalized):.4f}, largest difference from r = 1: "
                  f"{np.abs(normalized - reference).max():.1e}")
