"""Notebook 3, the Xavier derivation: Var(XY), the three regimes, a tanh network's variances forward and backward."""

import numpy as np
from matplotlib import colors as mcolors

from .. import plots, widgets

SMALL, LARGE = "0.01·N(0,1)", "1.0·N(0,1)"
STANDARD = "standard U(±1/√n_in)"
LECUN, XAVIER = "LeCun N(0, 1/n_in)", "Xavier N(0, 2/(n_in+n_out))"
TANH_GAIN_NAME = "LeCun × (5/3)², the tanh gain"
TANH_GAIN = 5 / 3  # PyTorch's nn.init.calculate_gain("tanh")
# The initializations of the tanh network: colour, and the variance each intends for a layer (n_in, n_out).
INITS = {
    SMALL: ("small", lambda n_in, n_out: 1e-4),
    LARGE: ("large", lambda n_in, n_out: 1.0),
    STANDARD: ("standard", lambda n_in, n_out: 1 / (3 * n_in)),  # U(-a, a) has variance a²/3
    LECUN: ("lecun", lambda n_in, n_out: 1 / n_in),
    XAVIER: ("xavier", lambda n_in, n_out: 2 / (n_in + n_out)),
    TANH_GAIN_NAME: ("tanh_gain", lambda n_in, n_out: TANH_GAIN ** 2 / n_in),
}
EQUAL, UNEQUAL = "5 × 500 (equal widths)", "500-1000-200-1000-200-1000 (unequal)"
ARCHITECTURES = {EQUAL: [500] * 6, UNEQUAL: [500, 1000, 200, 1000, 200, 1000]}
EXAMPLES = 100  # m, the columns of X
# The rows of section 3.9's table: (architecture, initialization, c).
REPORT_SETTINGS = [(EQUAL, SMALL, 1), (EQUAL, LARGE, 1), (EQUAL, STANDARD, 1), (EQUAL, LECUN, 1), (EQUAL, LECUN, 2),
                   (EQUAL, LECUN, 0.5), (UNEQUAL, LECUN, 1), (UNEQUAL, XAVIER, 1)]
# Fixed y limits of both variance panels per initialization: moving the slider never redraws the axes themselves.
# A prediction that grows beyond them leaves the plot at the top.
_MIDDLE = (1e-3, 1e3)
LIMITS = {SMALL: (1e-9, 10), LARGE: (0.1, 1e16), STANDARD: _MIDDLE, LECUN: _MIDDLE, XAVIER: _MIDDLE,
          TANH_GAIN_NAME: _MIDDLE}
GRADIENT_RANGE = 3.0  # the gradient histograms show dz^[l] in [-3, 3]; dz^[5] is standard normal


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


def gaussian_mean(f, var):
    """E[f(z)] for z ~ N(0, var), summed on a grid of step at most 0.01 over ±12 standard deviations."""
    std = np.sqrt(var)
    z = np.linspace(-12 * std, 12 * std, max(4001, int(2400 * std) + 1))
    density = np.exp(-0.5 * (z / std) ** 2)
    return float(np.sum(f(z) * density) / np.sum(density))


def tanh_square(z):
    """tanh(z)², whose mean is E[a²] for a = tanh(z)."""
    return np.tanh(z) ** 2


def tanh_slope_square(z):
    """tanh'(z)² = (1 - tanh(z)²)², the factor a gradient's variance gets through tanh."""
    return (1 - np.tanh(z) ** 2) ** 2


def tanh_fixed_point(gain2, steps=400):
    """The variance q that layers of gain ``gain2`` = n_in·Var(W) keep through tanh, q = gain2·E[tanh(z)²] for
    z ~ N(0, q), by iterating that map from q = 1 (it creeps towards 0 when gain2 <= 1)."""
    q = 1.0
    for _ in range(steps):
        q = gain2 * gaussian_mean(tanh_square, q)
    return q


def layer_by_layer(gain2, depth, input_var=1.0):
    """The variance rule through ``depth`` tanh layers of gain ``gain2``, with E[tanh(z)²] and E[tanh'(z)²] of a
    Gaussian z at every layer: (Var(z^[depth]), Var(dz^[1]) / Var(dz^[depth]))."""
    variances = [gain2 * input_var]
    for _ in range(depth - 1):
        variances.append(gain2 * gaussian_mean(tanh_square, variances[-1]))
    growth = np.prod([gain2 * gaussian_mean(tanh_slope_square, v) for v in variances[:-1]])
    return variances[-1], float(growth)


def _histogram(values, limit, bins):
    """Counts of ``values`` in ``bins`` equal bins over [-limit, limit] (values outside left out), scaled to the
    tallest bar."""
    counts = np.histogram(values, bins=bins, range=(-limit, limit))[0].astype(float)
    return counts / max(counts.max(), 1.0)


def _shades(color, n=5):
    """``n`` shades of ``color``, from light (layer 1) to the colour itself (layer n)."""
    rgb = np.array(mcolors.to_rgb(color))
    return [tuple(1 - (1 - rgb) * t) for t in np.linspace(0.4, 1.0, n)]


def _backpropagate(weights, scales, X, top=None):
    """Forward through tanh layers z^[l] = scales[l-1]·W^[l] a^[l-1] (zero biases), then backward from
    dz^[L] = top: ([z^[l]], [a^[l]], [dz^[l]]) for l = 1..L (no gradients without ``top``)."""
    a, zs, activations = X, [], []
    for W, scale in zip(weights, scales):
        zs.append(scale * (W @ a))
        a = np.tanh(zs[-1])
        activations.append(a)
    if top is None:
        return zs, activations, None
    gradients = [top]
    for W, scale, a in zip(weights[:0:-1], scales[:0:-1], activations[-2::-1]):
        gradients.insert(0, (scale * (W.T @ gradients[0])) * (1 - a * a))  # (W^[l]ᵀ dz^[l]) * tanh'(z^[l-1])
    return zs, activations, gradients


class TanhNetwork:
    """Five tanh layers, m = 100 inputs x ~ N(0, I) of size 500, zero biases, and a standard normal gradient
    dz^[5] at the top (see ``weights`` for the weights). Forward, Var(z^[l]) is predicted and measured with the
    student's forward_variances and measure_forward_variances; backward, Var(dz^[l]) is predicted with the
    student's linear_output_variance (the fan-out in place of the fan-in) and measured by backpropagation."""

    BINS = {"activations": (1.0, 50), "gradients": (GRADIENT_RANGE, 60)}  # (limit, bins) of the histograms

    def __init__(self, forward_variances, measure_forward_variances, linear_output_variance, lecun_normal,
                 xavier_normal, seed=0):
        self.forward_variances, self.measure_forward_variances = forward_variances, measure_forward_variances
        self.linear_output_variance = linear_output_variance
        self.lecun_normal, self.xavier_normal = lecun_normal, xavier_normal
        self.seed = seed
        draw = np.random.default_rng(seed + 1)
        self.X = draw.standard_normal((500, EXAMPLES))
        self.X32 = self.X.astype(np.float32)
        self.top = draw.standard_normal((1000, EXAMPLES)).astype(np.float32)  # dz^[5]: its first n_5 rows
        self._draws, self._runs = {}, {}

    def weights(self, architecture, init):
        """(W^[1..5] in float32, the factor of each layer): the weights of an initialization are its draws times
        the factors, drawn once: LeCun's with the student's lecun_normal (the small, large and tanh-gain weights
        are the same draws rescaled), Xavier's with the student's xavier_normal, the standard ones uniform."""
        dims = ARCHITECTURES[architecture]
        base = LECUN if init in (SMALL, LARGE, TANH_GAIN_NAME) else init
        if (architecture, base) not in self._draws:
            rng = np.random.default_rng(self.seed + 2)
            draw = {LECUN: lambda n_in, n_out: self.lecun_normal(n_in, n_out, rng=rng),
                    XAVIER: lambda n_in, n_out: self.xavier_normal(n_in, n_out, rng=rng),
                    STANDARD: lambda n_in, n_out: rng.uniform(-1 / np.sqrt(n_in), 1 / np.sqrt(n_in), (n_out, n_in))}
            self._draws[architecture, base] = [draw[base](n_in, n_out).astype(np.float32)
                                               for n_in, n_out in zip(dims, dims[1:])]
        factors = [np.sqrt(INITS[init][1](n_in, n_out) / INITS[base][1](n_in, n_out))
                   for n_in, n_out in zip(dims, dims[1:])]
        return self._draws[architecture, base], factors

    def experiment(self, architecture, init, c=1.0):
        """What the figure shows for one setting, one entry per layer l = 1..5: the histograms of a^[l] and dz^[l],
        Var(z^[l]) predicted and measured, Var(dz^[l]) predicted (the written derivation, and with the measured
        E[tanh'(z^[l])²]) and measured, and E[tanh'(z^[l])²]. Kept for the settings seen last."""
        key = (architecture, init, float(c))
        if key not in self._runs:
            self._runs[key] = self._run(architecture, init, float(c))
            while len(self._runs) > 256:
                del self._runs[next(iter(self._runs))]
        return self._runs[key]

    def _run(self, architecture, init, c):
        dims = ARCHITECTURES[architecture]
        weights, factors = self.weights(architecture, init)
        scales = [np.float32(np.sqrt(c) * factor) for factor in factors]
        weight_vars = [c * INITS[init][1](n_in, n_out) for n_in, n_out in zip(dims, dims[1:])]
        params = {}
        for l, (W, scale) in enumerate(zip(weights, scales), start=1):
            params[f"W{l}"], params[f"b{l}"] = scale * W, np.zeros((dims[l], 1))
        _, activations, gradients = _backpropagate(weights, scales, self.X32, self.top[:dims[-1]])
        slopes = [1 - a * a for a in activations]  # tanh'(z^[l]) = 1 - (a^[l])²
        slope2 = np.array([np.mean(s * s) for s in slopes])
        derivation = with_slopes = [float(np.var(gradients[-1], dtype=np.float64))]
        for l in range(len(dims) - 1, 1, -1):  # through layer l the sum has n_l terms
            derivation = [self.linear_output_variance(dims[l], weight_vars[l - 1], derivation[0]), *derivation]
            with_slopes = [slope2[l - 2] * self.linear_output_variance(dims[l], weight_vars[l - 1], with_slopes[0]),
                           *with_slopes]
        return {"activations": [_histogram(a, *self.BINS["activations"]) for a in activations],
                "gradients": [_histogram(g, *self.BINS["gradients"]) for g in gradients],
                "predicted": np.asarray(self.forward_variances(dims, weight_vars, 1.0, "tanh"), dtype=float),
                "measured": np.asarray(self.measure_forward_variances(self.X, params, "tanh"), dtype=float),
                "backward_predicted": np.array(derivation), "backward_tanh": np.array(with_slopes),
                "backward_measured": np.array([np.var(g, dtype=np.float64) for g in gradients]),
                "tanh_slope2": slope2}

    def table(self, settings):
        """Print, for each (architecture, init, c), Var(z^[5]) predicted and measured, and Var(dz^[1]) predicted
        (the written derivation, tanh' = 1; with the measured E[tanh'(z)²]) and measured, for Var(dz^[5]) = 1."""
        print(f"{'':38}{'Var(z^[5])':^22}  {'Var(dz^[1]), Var(dz^[5]) = 1':^33}")
        print(f"{'setting':38}" + "".join(f"{h:>11}" for h in ("predicted", "measured", "tanh' = 1",
                                                                "with tanh'", "measured")))
        for architecture, init, c in settings:
            r = self.experiment(architecture, init, c)
            label = init + (f", c = {c:g}" if c != 1 else "") + (", unequal" if architecture == UNEQUAL else "")
            values = (r["predicted"][-1], r["measured"][-1], r["backward_predicted"][0], r["backward_tanh"][0],
                      r["backward_measured"][0])
            print(f"{label:38}" + "".join(f"{v:>11.2g}" for v in values))

    def report(self):
        """What section 3.9 cites: the table of ``REPORT_SETTINGS``, the mean singular value of the last layer's
        Jacobian (standard and Xavier), tanh's E[tanh(z)²] and E[tanh'(z)²], the fixed point of c = 2, and what the
        variance rule at gain 1 keeps of Var(z^[1]) after five layers for two input variances."""
        self.table(REPORT_SETTINGS)
        print("\nmean singular value of the Jacobian of layer 5:", ", ".join(
            f"{init} {self.jacobian_singular_value(init):.2f}" for init in (STANDARD, XAVIER)))
        for var_z in (1 / 3, 1.0):
            print(f"Var(z) = {var_z:.2g}: E[tanh(z)²] = {gaussian_mean(tanh_square, var_z):.2f}, "
                  f"E[tanh'(z)²] = {gaussian_mean(tanh_slope_square, var_z):.2f}")
        print(f"c = 2: Var(z) settles at q = 2·E[tanh(z)²] = {tanh_fixed_point(2.0):.2f}")
        kept = ", ".join(f"{layer_by_layer(1.0, 5, var_x)[0] / var_x:.2f} from Var(x) = {var_x:g}"
                         for var_x in (1, 0.1))
        print(f"gain 1, the variance rule through tanh: Var(z^[5]) / Var(z^[1]) = {kept}")

    def jacobian_singular_value(self, init, architecture=EQUAL):
        """The mean singular value of the last layer's Jacobian da^[5]/da^[4] = diag(tanh'(z^[5])) W^[5] at the
        first example (Glorot and Bengio's section 4.2.2 reports it per layer)."""
        weights, factors = self.weights(architecture, init)
        scales = [np.float32(factor) for factor in factors]
        _, activations, _ = _backpropagate(weights, scales, self.X32[:, :1])
        jacobian = ((1 - activations[-1] ** 2) * (scales[-1] * weights[-1])).astype(np.float64)
        return float(np.mean(np.sqrt(np.clip(np.linalg.eigvalsh(jacobian @ jacobian.T), 0, None))))

    def _setup(self):
        fig, ax = plots.mosaic([["a", "dz"], ["var", "grad"]], plots.WIDTH, 6.6, height_ratios=[1, 1.45])
        parts = {"axes": [ax["var"], ax["grad"]], "titles": [ax["var"].title, ax["grad"].title]}
        for key, symbol, direction in (("a", "a", "forward"), ("dz", "dz", "backward")):
            limit, bins = self.BINS["activations" if key == "a" else "gradients"]
            edges = np.linspace(-limit, limit, bins + 1)
            parts[key] = [ax[key].stairs(np.zeros(bins), edges, lw=1.3) for _ in range(5)]
            ax[key].set(xlim=(-limit, limit), ylim=(0, 1.05), xlabel=f"${symbol}^{{[l]}}$",
                        title=f"{direction}: ${symbol}^{{[l]}}$, layers 1 (light) to 5 (dark)")
        ax["a"].set_ylabel("share of entries\n(÷ the tallest bar)")
        ax["a"].set_xticks([-1, -0.5, 0, 0.5, 1])
        ax["dz"].tick_params(labelleft=False)
        parts["variance"] = plots.variance_lines(ax["var"], 5, r"$\mathrm{Var}(z^{[l]})$")
        parts["gradient"] = plots.variance_lines(ax["grad"], 5, r"$\mathrm{Var}(dz^{[l]})$")
        parts["gradient"]["with_slopes"], = ax["grad"].plot([], [], "x:", ms=7, mew=1.5, lw=1.2)
        for axes in parts["axes"]:
            axes.set_title(" ")
            axes.grid(False)
        parts["y axes"] = [plots.live_axis(axes, "y", labels=7) for axes in parts["axes"]]  # limits move, no redraw
        plots.legend_outside(ax["var"], "below", ncol=2, handles=[
            plots.proxy("predicted (linear regime)", marker="o", ls="--", mfc="white"),
            plots.proxy("measured", marker="s")])
        plots.legend_outside(ax["grad"], "below", ncol=2, handles=[
            plots.proxy("your derivation: $n_{out}\\,\\mathrm{Var}(W)$ per layer", marker="o", ls="--", mfc="white"),
            plots.proxy("measured", marker="s"),
            plots.proxy(r"with the measured $\mathbb{E}[\tanh'(z)^2]$", marker="x", ls=":", mew=1.5)])
        fig.suptitle("tanh network: forward signal and back-propagated gradient, layer by layer")
        return fig, parts

    def _update(self, parts, architecture, init, c):
        result = self.experiment(architecture, init, c)
        color = plots.COLORS[INITS[init][0]]
        for key, name in (("a", "activations"), ("dz", "gradients")):
            for stairs, counts, shade in zip(parts[key], result[name], _shades(color)):
                stairs.set_data(counts)
                stairs.set_color(shade)
        layers = np.arange(1, 6)
        for lines, keys in ((parts["variance"], {"predicted": "predicted", "measured": "measured"}),
                            (parts["gradient"], {"predicted": "backward_predicted", "measured": "backward_measured",
                                                 "with_slopes": "backward_tanh"})):
            for line_key, result_key in keys.items():
                lines[line_key].set_data(layers + 0.15 * (line_key == "with_slopes"), result[result_key])
                lines[line_key].set_color(color)
            lines["predicted"].set_markerfacecolor("white")
        same = init == XAVIER and len(set(ARCHITECTURES[architecture])) == 1
        parts["titles"][0].set_text(f"{init}, variance × {c:.3g}" + ("\nequal widths: the same as LeCun" * same))
        parts["titles"][1].set_text(architecture)
        for axes, axis in zip(parts["axes"], parts["y axes"]):
            axes.set_ylim(LIMITS[init])
            plots.set_live_axis(axis)

    def explorer(self):
        """Histograms of a^[l] and dz^[l] (top), predicted and measured Var(z^[l]) and Var(dz^[l]) (bottom);
        controls: the architecture, the initialization, a factor c on its variance."""
        widgets.show(self._setup, self._update,
                     architecture=widgets.dropdown(list(ARCHITECTURES), EQUAL, "architecture"),
                     init=widgets.dropdown(list(INITS), LECUN, "initialization"),
                     c=widgets.slider(1.0, -1.0, 1.0, 0.05, "variance × c", log=True))

    def snapshot(self, architecture, init, c=1.0):
        """The explorer's figure for one setting, without controls."""
        widgets.snapshot(self._setup, self._update, architecture=architecture, init=init, c=c)


def deep_tanh_check(lecun_normal, seed=0, depth=50, width=200):
    """Print Var(z^[depth]) and the gradient's growth Var(dz^[1]) / Var(dz^[depth]) in tanh networks of ``depth``
    layers of ``width`` units (zero biases, m = 100 inputs x ~ N(0, I), dz^[depth] ~ N(0, 1)) whose weights are
    the student's lecun_normal times a gain: measured, and from the variance rule layer by layer."""
    draw = np.random.default_rng(seed)
    X = draw.standard_normal((width, EXAMPLES)).astype(np.float32)
    top = draw.standard_normal((width, EXAMPLES)).astype(np.float32)
    lecun = [lecun_normal(width, width, rng=draw).astype(np.float32) for _ in range(depth)]
    print(f"{depth} tanh layers of width {width}: {'Var(z^[L])':^22}  {'Var(dz^[1]) / Var(dz^[L])':^22}")
    print(f"{'n_in·Var(W)':27}" + "".join(f"{h:>11}" for h in ("rule", "measured", "rule", "measured")))
    for name, gain2 in (("1 (LeCun)", 1.0), ("2 (LeCun, c = 2)", 2.0), ("25/9 (the tanh gain)", TANH_GAIN ** 2)):
        zs, _, gradients = _backpropagate(lecun, [np.float32(np.sqrt(gain2))] * depth, X, top)
        forward = float(np.var(zs[-1], dtype=np.float64))
        ratio = float(np.var(gradients[0], dtype=np.float64) / np.var(top, dtype=np.float64))
        rule = layer_by_layer(gain2, depth)
        print(f"{name:27}" + "".join(f"{v:>11.2g}" for v in (rule[0], forward, rule[1], ratio)))


def scaled_tanh(z):
    """LeCun et al.'s (1998) f(z) = 1.7159·tanh(2z/3), made so that f(±1) = ±1."""
    return 1.7159 * np.tanh(2 * z / 3)


def going_further_tanh():
    """The numbers of the Going-further box on tanh: the fixed point q* and the backward gain there for gains
    k = n·Var(W) above 1, the power law at k = 1, E[tanh'(z)²] for a large variance, the scaled tanh."""
    for k in (1.2, 1.5, 2.0, TANH_GAIN ** 2, 4.0):
        q = tanh_fixed_point(k)
        print(f"k = n·Var(W) = {k:.2f}: fixed point q* = {q:.3f}, backward gain there "
              f"k·E[tanh'(z)²] = {k * gaussian_mean(tanh_slope_square, q):.3f}")
    print(f"k = 1: Var(z^[50]) = {layer_by_layer(1.0, 50)[0]:.4f}, and 1/(2·50) = {1 / 100:.4f}")
    print(f"E[tanh'(z)²] for z ~ N(0, V), V = 480: {gaussian_mean(tanh_slope_square, 480):.4f}, "
          f"(4/3)/sqrt(2π·480) = {4 / 3 / np.sqrt(2 * np.pi * 480):.4f}")
    print(f"scaled tanh f(z) = 1.7159·tanh(2z/3): f(1) = {scaled_tanh(1.0):.4f}, slope at 0 = {1.7159 * 2 / 3:.3f}, "
          f"E[f(z)²] = {gaussian_mean(lambda z: scaled_tanh(z) ** 2, 1.0):.3f} for z ~ N(0, 1)")


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
