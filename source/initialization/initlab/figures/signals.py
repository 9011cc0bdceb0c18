"""Notebook 2, exploding and vanishing signals: the notes' chain W = s·I and its training, products of random
matrices, the sigmoid's gain, and Glorot & Bengio's saturated top layer."""

import functools

import numpy as np
from matplotlib import colormaps
from matplotlib.collections import LineCollection

from .. import data, plots, widgets
from ..printing import deviation, magnitude

EULER_GAMMA = 0.5772156649015329


class Chain:
    """The notes' deep linear chain: hidden layers s·I (2 × 2), a fixed output row ``w_out``, one input ``x``;
    drawn with the student's three chain functions."""

    def __init__(self, x, w_out, scaled_identity_chain, linear_chain_forward, linear_chain_backward):
        self.x, self.w_out = x, w_out
        self.functions = scaled_identity_chain, linear_chain_forward, linear_chain_backward

    def norms(self, scale, depth):
        """Forward norms ||a^[l]|| and backward norms ||da^[l]||, l = 0..depth, with the student's functions."""
        scaled_identity_chain, linear_chain_forward, linear_chain_backward = self.functions
        weights = scaled_identity_chain(scale, depth - 1) + [self.w_out]
        activations = linear_chain_forward(self.x, weights)
        grads = linear_chain_backward(weights, np.ones((1, 1)))
        return (np.array([np.linalg.norm(a) for a in activations]),
                np.array([np.linalg.norm(da) for da in grads]))

    def closed_form(self, scale, depth):
        """The closed forms: ||a^[l]|| = s^l ||x||, ||da^[l]|| = s^(L-1-l) ||W^[L]||, and the two ends."""
        l = np.arange(depth + 1)
        a = scale ** np.minimum(l, depth - 1) * np.linalg.norm(self.x)
        a[-1] = abs((self.w_out @ self.x).item()) * scale ** (depth - 1)  # y_hat = W^[L] s^(L-1) x
        da = scale ** np.maximum(depth - 1 - l, 0) * np.linalg.norm(self.w_out)
        da[-1] = 1.0
        return a, da

    def explorer(self):
        """Norms per layer, measured and closed form (left); |ŷ| and a hidden weight's gradient against s (right).
        Sliders: the scale s and the depth L."""
        s_grid = np.linspace(0.1, 2.0, 200)
        output = abs((self.w_out @ self.x).item())
        gradient = np.linalg.norm(self.w_out) * np.linalg.norm(self.x)

        def setup():
            fig, (left, right) = plots.figure(2, height=4.3)
            parts = {"left": left, "right": right, "titles": [left.title, right.title]}
            for key, style, color, label in (("a_pred", "--", "tab:blue", r"closed form $s^{l}\|x\|$"),
                                             ("a", "o", "tab:blue", r"forward $\|a^{[l]}\|$"),
                                             ("da_pred", "--", "tab:red", r"closed form $s^{L-1-l}\|W^{[L]}\|$"),
                                             ("da", "s", "tab:red", r"backward $\|da^{[l]}\|$"),
                                             ("dw", "D", "tab:purple",
                                              r"weights $\|da^{[l]}\|\,\|a^{[l-1]}\|$, hidden $l$")):
                parts[key], = left.semilogy([], [], style, color=color, lw=1, ms=4, label=label, clip_on=False)
            left.set(xmargin=0, xlabel="layer $l$", ylabel="norm (log scale)")
            left.grid()
            plots.legend_outside(left, "below", ncol=2, fontsize=8)
            parts["y"], = right.semilogy([], [], color="tab:blue", label=r"$|\hat y| = |W^{[L]}x|\,s^{L-1}$")
            parts["w"], = right.semilogy([], [], color="tab:purple",
                                         label=r"$\|\partial\hat y/\partial W^{[l]}\| \propto s^{L-2}$")
            parts["mark"], = right.semilogy([], [], "o", color="black", ms=6, label=r"measured $|\hat y|$ at this $s$")
            for s_mark in (0.5, 1.5):
                right.axvline(s_mark, color="gray", ls=":", lw=1)
                right.text(s_mark, 1.02, f"s = {s_mark}", transform=right.get_xaxis_transform(), ha="center",
                           fontsize=8, color="gray")
            right.axhline(1.0, color="gray", lw=0.5)
            right.set(xlim=(0, 2.1), xlabel=r"scale $s$ of the hidden layers $W = s\,I$", ylabel="size (log scale)")
            right.set_title(" ", pad=14)
            right.grid()
            plots.legend_outside(right, "below", ncol=2)
            return fig, parts

        def update(parts, scale, depth):
            a_norms, da_norms = self.norms(scale, depth)
            a_pred, da_pred = self.closed_form(scale, depth)
            layers = np.arange(depth + 1)
            for key, values in (("a_pred", a_pred), ("a", a_norms), ("da_pred", da_pred), ("da", da_norms)):
                parts[key].set_data(layers, values)
            parts["y"].set_data(s_grid, output * s_grid ** (depth - 1))
            parts["w"].set_data(s_grid, gradient * s_grid ** (depth - 2))
            parts["w"].set_visible(depth >= 2)
            hidden = np.arange(1, depth)
            parts["dw"].set_data(hidden, da_norms[hidden] * a_norms[hidden - 1])
            parts["mark"].set_data([scale], [a_norms[-1]])
            parts["titles"][0].set_text(f"hidden layers W = {scale:g}·I, depth L = {depth}")
            parts["titles"][1].set_text(f"s^(L−2) = {scale ** (depth - 2):.3g}: weights' gradients vs s = 1")
            plots.rescale(parts["left"], parts["right"])

        widgets.show(setup, update,
                     scale=widgets.slider(1.5, 0.1, 2.0, 0.05, "scale s (notes: 0.5, 1.5)"),
                     depth=widgets.slider(10, 1, 50, 1, "depth L", integer=True))


    def train(self, scale, depth, rate, X, Y, steps=200):
        """Gradient descent on J = ||ŷ - Y||² / (2m) from W^[1..L-1] = s·I and W^[L] = ``w_out``, every layer trained,
        gradients from the student's functions: the cost before each step and ||∂J/∂W^[1]||. A run whose cost
        overflows stops (its arrays are shorter)."""
        scaled_identity_chain, linear_chain_forward, linear_chain_backward = self.functions
        weights = scaled_identity_chain(scale, depth - 1) + [self.w_out.copy()]
        m, costs, first = X.shape[1], [], []
        with np.errstate(over="ignore", invalid="ignore"):
            for _ in range(steps):
                activations = linear_chain_forward(X, weights)
                error = activations[-1] - Y
                costs.append(0.5 * np.mean(error ** 2))
                if not costs[-1] < DIVERGED:
                    break
                grads = linear_chain_backward(weights, error / m)
                weight_grads = [g @ a.T for g, a in zip(grads[1:], activations[:-1])]  # da^[l] a^[l-1]ᵀ
                first.append(np.linalg.norm(weight_grads[0]))
                weights = [W - rate * dW for W, dW in zip(weights, weight_grads)]
        return np.array(costs), np.array(first)

    def trainer(self, seed=0, m=32, steps=200):
        """Cost and first layer's gradient against the step for a scale s, depth L and learning rate α, next to
        the run from s = 1 (grey). The data: m inputs x ~ N(0, I), targets y = [1, -1/2] x."""
        r = np.random.default_rng(seed)
        X = r.standard_normal((2, m))
        Y = np.array([[1.0, -0.5]]) @ X
        reference = functools.lru_cache(maxsize=64)(lambda depth, rate: self.train(1.0, depth, rate, X, Y, steps))

        def setup():
            fig, (left, right) = plots.figure(2, height=3.7)
            parts = {"titles": [left.title, right.title]}
            parts["ref_cost"], = left.semilogy([], [], color="0.6", lw=1.2, label="from s = 1")
            parts["cost"], = left.semilogy([], [], color="tab:blue", label="from the chosen s")
            parts["end"], = left.semilogy([], [], "x", color="tab:red", ms=9, mew=2, clip_on=False,
                                          label="overflow: diverged")
            parts["ref_grad"], = right.semilogy([], [], color="0.6", lw=1.2)
            parts["grad"], = right.semilogy([], [], color="tab:blue")
            left.set(xlim=(0, steps), ylim=SHOWN, xlabel="gradient-descent step", ylabel=r"cost $\mathcal{J}$")
            right.set(xlim=(0, steps), ylim=SHOWN, xlabel="gradient-descent step",
                      ylabel=r"$\|\partial\mathcal{J}/\partial W^{[1]}\|$")
            for ax in (left, right):
                ax.grid()
            plots.figure_legend(fig, left.get_legend_handles_labels()[0], ncol=3)
            return fig, parts

        def update(parts, scale, depth, rate):
            costs, grads = self.train(scale, depth, rate, X, Y, steps)
            ref_costs, ref_grads = reference(depth, rate)
            diverged = len(costs) < steps  # then the last cost has overflowed: drawn at the top
            parts["cost"].set_data(np.arange(len(costs)), np.clip(costs, *SHOWN))
            parts["ref_cost"].set_data(np.arange(len(ref_costs)), np.clip(ref_costs, *SHOWN))
            parts["end"].set_data(*(([len(costs) - 1], [SHOWN[1]]) if diverged else ([], [])))
            parts["grad"].set_data(np.arange(len(grads) + diverged), np.clip(np.r_[grads, [np.inf] * diverged], *SHOWN))
            parts["ref_grad"].set_data(np.arange(len(ref_grads)), np.clip(ref_grads, *SHOWN))
            parts["titles"][0].set_text(run_text(costs, steps))
            parts["titles"][1].set_text(f"first gradient: {grads[0] / ref_grads[0]:.3g} × that from s = 1")

        widgets.show(setup, update,
                     scale=widgets.slider(0.5, 0.3, 1.7, 0.05, "start s"),
                     depth=widgets.slider(10, 3, 20, 1, "depth L", integer=True),
                     rate=widgets.choice_slider(RATES, 0.1, "step size α"))


DIVERGED = 1e12  # a cost above this has overflowed for good
SHOWN = (1e-8, 1e12)  # the costs and gradients drawn: below, round-off; above, divergence
RATES = (0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5)


def run_text(costs, steps):
    """How a run went: diverged (at which step), or the first step where the cost is below half its start, and
    the last cost."""
    if len(costs) < steps:
        return f"the cost overflows at step {len(costs) - 1}: diverged"
    below = np.flatnonzero(costs < costs[0] / 2)
    halved = f"cost halved at step {below[0]}" if len(below) else f"cost not halved in {steps} steps"
    return f"{halved}, last {costs[-1]:.2g}" if costs[-1] >= SHOWN[0] else f"{halved}, last < {SHOWN[0]:g}"


# --- products of random matrices ---------------------------------------------------------------------------------

def digamma_half(n):
    """psi(n/2) for a positive integer n (no scipy needed)."""
    if n % 2 == 0:
        return -EULER_GAMMA + sum(1.0 / j for j in range(1, n // 2))
    return -EULER_GAMMA - 2 * np.log(2) + sum(2.0 / (2 * j - 1) for j in range(1, (n - 1) // 2 + 1))


def lyapunov_rate(n, std):
    """The exact rate λ (nats per factor): the top Lyapunov exponent of n × n factors with entries N(0, std²)."""
    return np.log(std) + 0.5 * (np.log(2) + digamma_half(n))


def measured_rates(random_matrix_product, n, std, count=100, seeds=50, seed=0):
    """Per-factor growth of log ||M G1...G_count|| over ``seeds`` seeds (seed, seed + 1, ...), with the student's
    ``random_matrix_product``."""
    rates = []
    for k in range(seeds):
        r = np.random.default_rng(seed + k)
        M = r.standard_normal((n, n))
        P = random_matrix_product(M, count, std, rng=r)
        rates.append((np.log(np.linalg.norm(P)) - np.log(np.linalg.norm(M))) / count)
    return np.array(rates)


def lyapunov_table(random_matrix_product, seed=0):
    """Print the exact rate λ against log(std·√n) and the rate measured over 50 seeds (``measured_rates``, seeds
    from seed + 1000·row) for six (n, std), then λ's consequences for n = 4."""
    with widgets.friendly():
        table = [f"{'n':>3} {'std':>7} | {'log(std*sqrt n)':>15} {'predicted λ':>12} | {'measured (mean ± s.e.)':>24}"]
        for i, (n, std) in enumerate([(2, 1.0), (4, 1.0), (16, 1.0), (2, 2 ** -0.5), (4, 0.5), (16, 0.25)]):
            rates = measured_rates(random_matrix_product, n, std, seed=seed + 1000 * i)
            table.append(f"{n:>3} {std:>7.4f} | {np.log(std * np.sqrt(n)):>15.4f} {lyapunov_rate(n, std):>12.4f} | "
                         f"{rates.mean():>14.4f} ± {rates.std() / np.sqrt(len(rates)):.4f}")
        print("\n".join(table))
        lam = lyapunov_rate(4, 1.0)
        print(f"\nn = 4, std = 1: lambda = {lam:.4f}; 100 factors: e^{100 * lam:.1f} = 10^{100 * lam / np.log(10):.1f}")
        print(f"n = 4, std = 0.5: e^lambda = {np.exp(lyapunov_rate(4, 0.5)):.4f} per factor;  "
              f"std keeping the typical size: {np.exp(-lam):.3f}")


def product_explorer(random_matrix_product, M, seed=0, seeds=20, max_count=200):
    """log10 ||M G1 ... G_k|| against k for ``seeds`` seeds (the student's function, one factor at a time), their
    mean, the slope λ/ln 10 of the exact rate and that of the mean-square rule; sliders: the factors' std and their
    number."""
    n = M.shape[0]
    start = np.log10(np.linalg.norm(M))

    @functools.lru_cache(maxsize=32)
    def paths(std):
        """log10 norms for k = 0..max_count and every seed; the first k factors do not depend on how many follow,
        so one run per std serves every count."""
        logs = np.empty((seeds, max_count + 1))
        for s in range(seeds):
            r = np.random.default_rng(seed + s)
            P = M
            logs[s, 0] = start
            for k in range(1, max_count + 1):
                P = random_matrix_product(P, 1, std, rng=r)  # the same draws as one call with count=k
                logs[s, k] = np.log10(np.linalg.norm(P))
        return logs

    def setup():
        fig, (ax,) = plots.figure(1, height=3.8)
        parts = {"ax": ax, "title": ax.title,
                 "seeds": ax.add_collection(LineCollection([], color="tab:blue", alpha=0.25, lw=0.8,
                                                           label="one seed")),
                 "mean": ax.plot([], [], color="tab:blue", lw=2.5, label=f"mean of {seeds} seeds")[0],
                 "lambda": ax.plot([], [], "--", color="black", label="exact rate λ (Going further)")[0],
                 "naive": ax.plot([], [], ":", color="tab:red",
                                  label=r"mean-square rule: $\log(\mathrm{std}\sqrt{n})$")[0]}
        ax.axhline(start, color="gray", lw=0.5)
        ax.set(xlabel="number of factors $k$", ylabel=r"$\log_{10}\|M G_1 \cdots G_k\|$")
        ax.grid()
        plots.legend_outside(ax, "right")
        return fig, parts

    def update(parts, std, count):
        logs = paths(std)[:, :count + 1]
        k = np.arange(count + 1)
        lam, naive = lyapunov_rate(n, std), np.log(std * np.sqrt(n))
        parts["seeds"].set_segments([np.column_stack([k, path]) for path in logs])
        parts["mean"].set_data(k, logs.mean(axis=0))
        parts["lambda"].set_data(k, start + k * lam / np.log(10))
        parts["naive"].set_data(k, start + k * naive / np.log(10))
        measured = (logs[:, -1].mean() - start) * np.log(10) / count if count > 0 else float("nan")
        parts["title"].set_text(f"std = {std:g}, nats per factor: measured {measured:.3f}, "
                                f"mean-square rule {naive:.3f}, λ = {lam:.3f}")
        plots.rescale(parts["ax"], ladder=plots.FINE)

    widgets.show(setup, update,
                 std=widgets.slider(1.0, 0.05, 2.0, 0.01, "std of each factor"),
                 count=widgets.slider(100, 0, max_count, 10, "number of factors", integer=True))


def random_orthogonal(shape, rng):
    """Random orthogonal matrices, shape (..., n, n): Q of the QR decomposition of Gaussian matrices,
    each column's sign fixed by the sign of R's diagonal (then Q is uniformly distributed)."""
    Q, R = np.linalg.qr(rng.standard_normal(shape))
    return Q * np.sign(np.diagonal(R, axis1=-2, axis2=-1))[..., None, :]


def norm_ratios(random_matrix_product, n, seeds=50, count=100, seed=0):
    """||M F1 ... F_count|| / ||M|| for ``seeds`` Gaussian M: Gaussian factors with std 1/sqrt n (the student's
    ``random_matrix_product``), and orthogonal factors."""
    r = np.random.default_rng(seed)
    Ms = r.standard_normal((seeds, n, n))
    gaussian = [np.linalg.norm(random_matrix_product(M, count, std=1 / np.sqrt(n), rng=r)) for M in Ms]
    P = Ms.copy()
    for _ in range(count):  # all seeds at once: one batch of factors per step
        P = P @ random_orthogonal((seeds, n, n), r)
    norms = np.linalg.norm(Ms, axis=(1, 2))
    return np.array(gaussian) / norms, np.linalg.norm(P, axis=(1, 2)) / norms


def orthogonal_table(random_matrix_product, seed=0):
    """Print how far one random orthogonal 4 × 4 factor (seed) is from orthogonal, then the percentiles of
    ``norm_ratios`` (seeds seed + 1, seed + 2) for n = 4 and 16: Gaussian factors with std 1/√n and orthogonal ones."""
    with widgets.friendly():
        Q = random_orthogonal((4, 4), np.random.default_rng(seed))
        lines = [f"one 4x4 factor: largest |Q^T Q - I| {deviation(np.abs(Q.T @ Q - np.eye(4)).max())}",
                 "||M F1 ... F100|| / ||M|| over 50 seeds: median [5th, 95th percentile]"]
        for k, n in enumerate((4, 16)):
            gaussian, orthogonal = norm_ratios(random_matrix_product, n, seed=seed + 1 + k)
            for name, ratios in ((f"Gaussian, std 1/sqrt({n})", gaussian), ("orthogonal", orthogonal)):
                low, median, high = np.percentile(ratios, [5, 50, 95])
                lines.append(f"n = {n:>2}, {name:<22} {median:9.3g} [{low:.3g}, {high:.3g}]   "
                             f"largest |ratio - 1| {deviation(np.abs(ratios - 1).max())}")
        print("\n".join(lines))


# --- the sigmoid ---------------------------------------------------------------------------------------------------

def sigmoid_figure(sigmoid_derivative):
    """The student's σ' on a log scale: its peak 1/4 at z = 0 and its tails e^-|z| (saturation)."""
    def draw():
        z = np.linspace(-12, 12, 241)
        fig, (ax,) = plots.figure(1, width=6.4, height=3.0)
        ax.semilogy(z, sigmoid_derivative(z), color="tab:red", label=r"your $\sigma'(z) = \sigma(z)(1-\sigma(z))$")
        ax.semilogy(z, np.exp(-np.abs(z)), "--", color=plots.THEORY, lw=1, label=r"$e^{-|z|}$")
        ax.axhline(0.25, color=plots.THEORY, ls=":", lw=1, label=r"$\sigma'(0) = 1/4$")
        ax.set(xlabel="$z$", ylim=(1e-6, 2),
               title=r"$\sigma' \leq 1/4$, and saturated tails that vanish like $e^{-|z|}$")
        ax.grid()
        plots.legend_outside(ax, "right")
        plots.plain_log_ticks(fig)
        fig.tight_layout()
        return fig

    widgets.show(draw)


def sigmoid_gains(sigmoid_derivative, n_var_w, n=256, depth=10, m=100, seed=0):
    """A sigmoid network of ``depth`` layers of width n with weights N(0, n_var_w / n) and a random gradient at the
    top: std(z), the share saturated (|z| > 4), E[σ'²] (the student's σ'), the predicted and measured gain of the
    gradient's mean square per layer (geometric means), and its total change from da^[depth] to da^[0]."""
    r = np.random.default_rng(seed)
    a = r.standard_normal((n, m))
    weights, pre = [], []
    for _ in range(depth):
        W = r.standard_normal((n, n)) * np.sqrt(n_var_w / n)
        z = W @ a
        weights.append(W)
        pre.append(z)
        a = 1 / (1 + np.exp(-z))
    da = r.standard_normal((n, m))
    mean_squares, predicted = [np.mean(da ** 2)], []
    for W, z in zip(weights[::-1], pre[::-1]):  # from the top layer down
        d = sigmoid_derivative(z)
        predicted.append(n_var_w * np.mean(d ** 2))
        da = W.T @ (d * da)
        mean_squares.append(np.mean(da ** 2))
    mean_squares = np.array(mean_squares)
    z = np.concatenate(pre[1:])  # the layers fed by sigmoids
    return (np.std(z), np.mean(np.abs(z) > 4), np.mean(sigmoid_derivative(z) ** 2),
            np.exp(np.mean(np.log(predicted))), np.exp(np.mean(np.log(mean_squares[1:] / mean_squares[:-1]))),
            mean_squares[-1] / mean_squares[0])


def sigmoid_gain_table(sigmoid_derivative, seed=0, n_var_ws=(1, 4, 16, 64, 256, 1024)):
    """Print ``sigmoid_gains`` for each n Var(W) in ``n_var_ws`` (seeds seed, seed + 1, ...) as a table, with the
    norm's gain (the square root of the mean square's); return the rows, each (n Var(W), *sigmoid_gains), or None
    while the student's σ' is not written."""
    with widgets.friendly():
        rows = [(n_var_w, *sigmoid_gains(sigmoid_derivative, n_var_w, seed=seed + k))
                for k, n_var_w in enumerate(n_var_ws)]
        print(f"{'n Var(W)':>8} {'std(z)':>6} {'|z|>4':>6} {'E[σ′²]':>7} | {'mean-square gain: predicted':>27} "
              f"{'measured':>8} | {'norm gain':>9} | {'da0 vs da10':>11}")
        for n_var_w, std_z, saturated, e_d2, gain_pred, gain, total in rows:
            print(f"{n_var_w:>8} {std_z:>6.2f} {saturated:>6.0%} {e_d2:>7.4f} | {gain_pred:>27.3f} {gain:>8.3f} | "
                  f"{np.sqrt(gain):>9.2f} | {magnitude(total, 2):>11}")
        return rows


# --- Glorot & Bengio's sigmoid network, in small ---------------------------------------------------------------------

NETWORKS = {"sigmoid σ(z)": 0.0, "centered σ(z) − ½": 0.5}  # what is subtracted from σ(z): a = σ(z) − shift


def saturation_run(sigmoid_derivative, hidden=4, width=32, steps=1000, rate=2.0, batch=100, every=25, seed=0):
    """Glorot & Bengio's (2010) section 3.1 in small: ``hidden`` sigmoid layers of ``width`` units and a softmax on
    the digits, their "standard" initialization U(±1/√n_in), biases 0, minibatch SGD on the cross-entropy. The
    sigmoid network (a = σ(z)) and the centered one (a = σ(z) − ½, the same σ′) train side by side from the same
    weights on the same minibatches; backpropagation uses the student's ``sigmoid_derivative``. Every ``every``
    steps, on 300 fixed digits: the mean and standard deviation of σ(z^[l]) per hidden layer, and the cost."""
    X, labels = data.load_digits()
    r = np.random.default_rng(seed)
    dims = [X.shape[0]] + [width] * hidden + [int(labels.max()) + 1]
    shift = np.array(list(NETWORKS.values()))[:, None, None]
    weights = [np.repeat(r.uniform(-1, 1, (1, n_out, n_in)) / np.sqrt(n_in), len(shift), axis=0)
               for n_in, n_out in zip(dims[:-1], dims[1:])]
    biases = [np.zeros((len(shift), n, 1)) for n in dims[1:]]
    test = r.choice(X.shape[1], 300, replace=False)

    def forward(x):
        pre, post = [], [x]
        for W, b in zip(weights[:-1], biases[:-1]):
            pre.append(W @ post[-1] + b)
            post.append(1 / (1 + np.exp(-pre[-1])) - shift)
        return pre, post, weights[-1] @ post[-1] + biases[-1]

    record = {"step": [], "mean": [], "std": [], "cost": []}
    for step in range(steps + 1):
        if step % every == 0:
            _, post, out = forward(X[:, test])
            sig = np.stack([a + shift for a in post[1:]], axis=1)  # (network, layer, unit, example)
            record["step"].append(step)
            record["mean"].append(sig.mean(axis=(2, 3)))
            record["std"].append(sig.std(axis=(2, 3)))
            record["cost"].append(softmax_cost(out, labels[test])[0])
        if step == steps:
            break
        batch_ids = r.integers(0, X.shape[1], batch)
        pre, post, out = forward(X[:, batch_ids])
        dz = softmax_cost(out, labels[batch_ids])[1] / batch
        for l in range(len(weights) - 1, -1, -1):
            grad_W, grad_b = dz @ np.swapaxes(post[l], -1, -2), dz.sum(axis=-1, keepdims=True)
            if l > 0:
                dz = (np.swapaxes(weights[l], -1, -2) @ dz) * sigmoid_derivative(pre[l - 1])
            weights[l] = weights[l] - rate * grad_W
            biases[l] = biases[l] - rate * grad_b
    return {key: np.array(value) for key, value in record.items()}


def softmax_cost(out, labels):
    """Mean cross-entropy of softmax(out) per network (out: (network, class, example)) and its gradient P − Y."""
    P = np.exp(out - out.max(axis=1, keepdims=True))
    P /= P.sum(axis=1, keepdims=True)
    columns = np.arange(out.shape[-1])
    cost = -np.log(P[:, labels, columns]).mean(axis=-1)
    P[:, labels, columns] -= 1.0
    return cost, P


def saturation_figure(sigmoid_derivative, seed=0):
    """Left: the mean (line) and standard deviation (bars: ± one std) of σ(z^[l]) for each hidden layer against the
    training step, as in Glorot & Bengio's figure 2; right: the cost on 300 fixed digits. Dropdown: the sigmoid
    network or the centered one, trained together once (``saturation_run``)."""
    run = {}

    def setup():
        run.update(saturation_run(sigmoid_derivative, seed=seed))
        layers = run["mean"].shape[-1]
        fig, (left, right) = plots.figure(2, height=3.7, width_ratios=(1.35, 1))
        colors = [colormaps["viridis"](0.85 * k / max(layers - 1, 1)) for k in range(layers)]
        parts = {"left": left, "right": right, "titles": [left.title, right.title],
                 "bars": [left.add_collection(LineCollection([], color=c, lw=1.2)) for c in colors],
                 "means": [left.plot([], [], color=c, label=f"layer {k + 1}" + (" (top)" if k == layers - 1 else ""))[0]
                           for k, c in enumerate(colors)]}
        parts["cost"], = right.plot([], [], color="black")
        right.axhline(np.log(10), color=plots.THEORY, ls=":", lw=1)
        right.text(0.98, np.log(10), "ln 10: chance", transform=right.get_yaxis_transform(), ha="right",
                   va="bottom", fontsize=8, color=plots.THEORY)
        left.set(xlim=(0, run["step"][-1]), ylim=(0, 1), xlabel="training step",
                 ylabel=r"$\sigma(z^{[l]})$: mean and std")
        right.set(xlim=(0, run["step"][-1]), ylim=(0, 2.5), xlabel="training step", ylabel="cost on 300 digits")
        for ax in (left, right):
            ax.grid()
        plots.legend_outside(left, "right")
        return fig, parts

    def update(parts, network):
        k = list(NETWORKS).index(network)
        steps, mean, std = run["step"], run["mean"][:, k], run["std"][:, k]
        every = max(1, len(steps) // 10)  # a bar of ± one std every tenth of the run, as in their figure 2
        for layer, (line, bars) in enumerate(zip(parts["means"], parts["bars"])):
            line.set_data(steps, mean[:, layer])
            x = steps[::every] + (layer - (len(parts["bars"]) - 1) / 2) * 0.006 * steps[-1]
            low, high = (mean - std)[::every, layer], (mean + std)[::every, layer]
            bars.set_segments([[(u, lo), (u, hi)] for u, lo, hi in zip(x, low, high)])
        top = mean[:, -1]
        parts["cost"].set_data(steps, run["cost"][:, k])
        parts["titles"][0].set_text(f"top layer: mean σ(z) {top.min():.2f} at its lowest, {top[-1]:.2f} at the end")
        parts["titles"][1].set_text(f"cost at step {steps[-1]}: {run['cost'][-1, k]:.2f}")

    widgets.show(setup, update, network=widgets.dropdown(list(NETWORKS), list(NETWORKS)[0], "network"))
