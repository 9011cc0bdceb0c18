"""Matplotlib figures shared by the notebooks (notation of the notes in every label)."""

import matplotlib.pyplot as plt
import numpy as np

COLORS = {"constant": "tab:red", "random": "tab:blue", "zeros": "tab:gray"}


def figure(ncols=1, width=4.2, height=3.4):
    """A row of ``ncols`` axes; returns (fig, list of axes)."""
    fig, axes = plt.subplots(1, ncols, figsize=(width * ncols, height), squeeze=False)
    return fig, list(axes[0])


def unit_trajectories(ax, history, title, color):
    """Draw each hidden unit's weight vector (a row of W^[1]) as a path in the plane."""
    W = np.stack([params["W1"] for _, params, _ in history])  # (steps, n1, n0)
    if W.shape[2] != 2:
        raise ValueError(f"unit_trajectories needs 2 inputs, W1 has {W.shape[2]} columns")
    for unit in range(W.shape[1]):
        ax.plot(W[:, unit, 0], W[:, unit, 1], color=color, alpha=0.6, lw=1)
        ax.plot(W[-1, unit, 0], W[-1, unit, 1], "o", color=color, ms=4)
    ax.plot(W[0, :, 0], W[0, :, 1], "k+", ms=8, label="start")
    ax.set_xlabel(r"$W^{[1]}_{j1}$")
    ax.set_ylabel(r"$W^{[1]}_{j2}$")
    ax.set_title(title)
    ax.legend(loc="best", fontsize=8)


def series(ax, x, ys, labels, colors, xlabel, ylabel, title, logy=False):
    """Several curves on one axes."""
    for y, label, color in zip(ys, labels, colors):
        ax.plot(x, y, label=label, color=color)
    if logy:
        ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.legend(loc="best", fontsize=8)
    ax.grid(alpha=0.3)


def decision_boundary(ax, predict, X, Y, title):
    """Shade predict(points) over the data's box and scatter the data."""
    pad = 0.5
    x0 = np.linspace(X[0].min() - pad, X[0].max() + pad, 120)
    x1 = np.linspace(X[1].min() - pad, X[1].max() + pad, 120)
    g0, g1 = np.meshgrid(x0, x1)
    P = predict(np.vstack([g0.ravel(), g1.ravel()])).reshape(g0.shape)
    ax.contourf(g0, g1, P, levels=[0, 0.5, 1], colors=["#f4c7c3", "#c6dbef"], alpha=0.8)
    ax.scatter(X[0], X[1], c=Y.ravel(), cmap="RdBu", s=10, edgecolors="k", linewidths=0.2)
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.set_title(title)


def activation_histograms(axes, activations, bins=60, limit=1.0, color="tab:blue"):
    """One histogram per layer: ``activations[l-1]`` is a^[l], drawn on ``axes[l-1]`` over [-limit, limit]."""
    edges = np.linspace(-limit, limit, bins + 1)
    for l, (ax, a) in enumerate(zip(axes, activations), start=1):
        counts, _ = np.histogram(np.clip(a, -limit, limit), bins=edges)
        ax.stairs(counts / counts.sum(), edges, fill=True, color=color, alpha=0.75)
        ax.set_xlim(-limit, limit)
        ax.set_xlabel(f"$a^{{[{l}]}}$")
        ax.set_title(f"layer {l}", fontsize=9)
        ax.tick_params(labelsize=7)
    axes[0].set_ylabel("fraction of entries")


def variance_profile(ax, predicted, measured, title, ylabel=r"Var$(z^{[l]})$"):
    """Predicted and measured variance per layer l = 1..L, log scale, with the stable level 1 dashed."""
    layers = np.arange(1, len(measured) + 1)
    ax.plot(layers, predicted, "o--", color="tab:orange", label="predicted (theory)")
    ax.plot(layers, measured, "s-", color="tab:blue", label="measured")
    ax.axhline(1.0, color="gray", lw=0.8, ls=":")
    ax.set_yscale("log")
    ax.set_xticks(layers)
    ax.set_xlabel("layer $l$")
    ax.set_ylabel(ylabel)
    ax.set_title(title, fontsize=10)
    ax.legend(loc="best", fontsize=8)
    ax.grid(alpha=0.3, which="both")
