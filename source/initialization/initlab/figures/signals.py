"""Notebook 2, exploding and vanishing signals: the notes' chain W = s·I, products of random matrices, sigmoid."""

import functools

import numpy as np
from matplotlib.collections import LineCollection

from .. import plots, widgets

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
                                             ("da", "s", "tab:red", r"backward $\|da^{[l]}\|$")):
                parts[key], = left.semilogy([], [], style, color=color, lw=1, ms=4, label=label, clip_on=False)
            left.set(xmargin=0, xlabel="layer $l$", ylabel="norm (log scale)")
            left.grid()
            plots.legend_outside(left, "below", ncol=2)
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
            parts["mark"].set_data([scale], [a_norms[-1]])
            parts["titles"][0].set_text(f"hidden layers W = {scale:g}·I, depth L = {depth}")
            parts["titles"][1].set_text(f"depth L = {depth}, this s = {scale:g}")
            plots.rescale(parts["left"], parts["right"])

        widgets.show(setup, update,
                     scale=widgets.slider(1.5, 0.1, 2.0, 0.05, "scale s (notes: 0.5, 1.5)"),
                     depth=widgets.slider(10, 1, 50, 1, "depth L", integer=True))


# --- products of random matrices ---------------------------------------------------------------------------------

def digamma_half(n):
    """psi(n/2) for a positive integer n (no scipy needed)."""
    if n % 2 == 0:
        return -EULER_GAMMA + sum(1.0 / j for j in range(1, n // 2))
    return -EULER_GAMMA - 2 * np.log(2) + sum(2.0 / (2 * j - 1) for j in range(1, (n - 1) // 2 + 1))


def lyapunov_rate(n, std):
    """The predicted rate λ (nats per factor): the top Lyapunov exponent of n × n factors with entries N(0, std²)."""
    return np.log(std) + 0.5 * (np.log(2) + digamma_half(n))


def measured_rates(random_matrix_product, n, std, count=100, seeds=100, seed=0):
    """Per-factor growth of log ||M G1...G_count|| over ``seeds`` seeds (seed, seed + 1, ...), with the student's
    ``random_matrix_product``."""
    rates = []
    for k in range(seeds):
        r = np.random.default_rng(seed + k)
        M = r.standard_normal((n, n))
        P = random_matrix_product(M, count, std, rng=r)
        rates.append((np.log(np.linalg.norm(P)) - np.log(np.linalg.norm(M))) / count)
    return np.array(rates)


def product_explorer(random_matrix_product, M, seed=0, seeds=20, max_count=200):
    """log10 ||M G1 ... G_k|| against k for ``seeds`` seeds (the student's function, one factor at a time), their
    mean, the predicted slope λ/ln 10 and the naive one; sliders: the factors' std σ and their number."""
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
                 "lambda": ax.plot([], [], "--", color="black", label=r"prediction: slope $\lambda/\ln 10$")[0],
                 "naive": ax.plot([], [], ":", color="tab:red", label=r"naive: slope $\log(\sigma\sqrt{n})/\ln 10$")[0]}
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
        parts["title"].set_text(f"{n}×{n} factors, σ = {std:g}: rates in nats per factor, λ = {lam:.3f}, "
                                f"naive {naive:.3f}, measured {measured:.3f}")
        plots.rescale(parts["ax"], ladder=plots.FINE)

    widgets.show(setup, update,
                 std=widgets.slider(1.0, 0.05, 2.0, 0.01, "std σ of each factor"),
                 count=widgets.slider(100, 0, max_count, 10, "number of factors", integer=True))


def random_orthogonal(shape, rng):
    """Random orthogonal matrices, shape (..., n, n): Q of the QR decomposition of Gaussian matrices,
    each column's sign fixed by the sign of R's diagonal (then Q is uniformly distributed)."""
    Q, R = np.linalg.qr(rng.standard_normal(shape))
    return Q * np.sign(np.diagonal(R, axis1=-2, axis2=-1))[..., None, :]


def deviation(x):
    """A deviation from exact at the level of round-off prints as such (its digits vary between CPUs)."""
    return "< 1e-12 (round-off)" if x < 1e-12 else f"= {x:.1e}"


def norm_ratios(random_matrix_product, n, seeds=100, count=100, seed=0):
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


# --- the sigmoid ---------------------------------------------------------------------------------------------------

def sigmoid_figure(sigmoid_derivative, seed=0):
    """σ and the student's σ' with the bound 1/4 (left), σ' on a log scale (middle), and the product of σ'(z^[l])
    along a path through L layers for z ~ N(0, 1) and N(0, 3²) against 4^-L (right)."""
    def draw():
        z = np.linspace(-10, 10, 401)
        d_sig = sigmoid_derivative(z)
        depths = np.arange(1, 31)
        r = np.random.default_rng(seed)
        products = {spread: np.cumsum(np.log10(sigmoid_derivative(spread * r.standard_normal((200, depths[-1])))),
                                      axis=1).mean(axis=0) for spread in (1.0, 3.0)}
        fig, axes = plots.figure(3, height=3.9)
        axes[0].plot(z, 1 / (1 + np.exp(-z)), color="tab:blue", label=r"$\sigma(z)$")
        axes[0].plot(z, d_sig, color="tab:red", label=r"$\sigma'(z) = \sigma(z)(1-\sigma(z))$")
        axes[0].axhline(0.25, color=plots.THEORY, ls=":", lw=1, label=r"$\sigma'(0) = 1/4$")
        axes[0].set(xlabel="$z$", title="the sigmoid and its derivative")
        axes[1].semilogy(z, d_sig, color="tab:red", label=r"$\sigma'(z)$")
        axes[1].semilogy(z, np.exp(-np.abs(z)), "--", color=plots.THEORY, lw=1, label=r"$e^{-|z|}$")
        axes[1].set(xlabel="$z$", ylabel=r"$\sigma'(z)$", title="saturation: the tails vanish")
        for (spread, log_products), color in zip(products.items(), ("tab:orange", "tab:purple")):
            axes[2].plot(depths, log_products, "o-", ms=3, color=color,
                         label=rf"$z^{{[l]}} \sim \mathcal{{N}}(0, {spread:g}^2)$")
        axes[2].plot(depths, -depths * np.log10(4), "--", color=plots.THEORY, lw=1, label=r"bound $4^{-L}$")
        axes[2].set(xlabel="number of sigmoid layers $L$", ylabel=r"$\log_{10}\prod_{l}\sigma'(z^{[l]})$",
                    title=r"the product over $L$ layers")
        for ax in axes:
            ax.grid()
            plots.legend_outside(ax, "below")
        plots.plain_log_ticks(fig)
        fig.tight_layout()
        return fig

    widgets.show(draw)


def sigmoid_gains(sigmoid_derivative, n_var_w, n=256, depth=10, m=100, seed=0):
    """A sigmoid network of ``depth`` layers of width n with weights N(0, n_var_w / n) and a random gradient at the
    top: the spread of z, the share saturated (|z| > 4), E[σ'²] (the student's σ'), the predicted and measured gain
    per layer (geometric means), and the total change of the gradient's mean square."""
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
