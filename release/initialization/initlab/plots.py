"""The course's figure style and the axes helpers every figure module uses.

One style for every figure (``STYLE``: font sizes, a fixed title position, no
top and right spines), one colour per initialization kept in every notebook
(``COLORS``; predictions are drawn in ``THEORY`` grey, dashed), figures at most
``WIDTH`` inches wide (they fit JupyterLab's output area at 1366 px with the
file browser open), legends beside or below the data (``legend_outside``).
Labels and fixed titles use mathtext (``$W^{[l]}$``); text that changes at every
move of a control is plain text with Unicode (σ, ², ·), which draws faster.
Log axes are labelled 10², 10⁻³ without mathtext (``plain_log_ticks``).
"""

import re
import weakref

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
from matplotlib import ticker
from matplotlib.collections import LineCollection
from matplotlib.lines import Line2D
from matplotlib.transforms import ScaledTranslation

STYLE = {
    "figure.dpi": 100,
    "font.size": 10,
    "axes.titlesize": 10.5,
    "axes.labelsize": 10,
    "xtick.labelsize": 9,
    "ytick.labelsize": 9,
    "legend.fontsize": 8.5,
    "legend.framealpha": 0.9,
    "figure.titlesize": 11,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titley": 1.0,  # a fixed title position: no tick-label bounding boxes at every draw
    "grid.alpha": 0.3,
    "lines.linewidth": 1.6,
    "lines.markersize": 5,
}
mpl.rcParams.update(STYLE)

WIDTH = 9.2  # inches at 100 dpi: 920 px, the output area of JupyterLab at 1366 px with the file browser open

# One colour per initialization, in every notebook.
COLORS = {
    "zeros": "#7f7f7f",       # grey
    "constant": "#8c564b",    # brown
    "small": "#17becf",       # cyan: random with a small scale, 0.01·N(0, 1) (notebook 1's scale s too)
    "large": "#d62728",       # red: random with a large scale
    "standard": "#bcbd22",    # olive: U(±1/√n_in), the old "standard" initialization
    "lecun": "#ff7f0e",       # orange: 1/n_in
    "xavier": "#1f77b4",      # blue: Glorot/Xavier 2/(n_in + n_out)
    "he": "#2ca02c",          # green: He/Kaiming 2/n_in
    "he_fan_out": "#0b6e2e",  # dark green: He 2/n_out
    "orthogonal": "#9467bd",  # purple
    "tanh_gain": "#e377c2",   # pink: LeCun × (5/3)², the tanh gain
    "sparse": "#393b79",      # indigo: k non-zero weights per unit
}
THEORY = "0.3"  # dark grey: predictions, bounds and other lines drawn from a formula (dashed)
REGIMES = {"vanishing": "#6a3d9a", "stable": "0.15", "exploding": "#b15928"}  # gains below, at and above 1


def proxy(label, color=THEORY, **line):
    """A legend entry for a kind of line or marker whose colour changes with a control (the initialization's
    colour): drawn in grey, e.g. ``proxy("measured", marker="s")``."""
    return Line2D([], [], color=color, label=label, **line)


def figure(ncols=1, width=None, height=3.4, width_ratios=None):
    """A row of ``ncols`` axes, ``width`` inches wide in all (default ``WIDTH``); returns (fig, list of axes)."""
    fig, axes = plt.subplots(1, ncols, figsize=(width or WIDTH, height), squeeze=False, width_ratios=width_ratios)
    return fig, list(axes[0])


def mosaic(layout, width, height, **kwargs):
    """Axes laid out by ``plt.subplot_mosaic(layout)``; returns (fig, dict of axes)."""
    return plt.subplot_mosaic(layout, figsize=(width, height), **kwargs)


def freeze_layout(fig):
    """Lay the figure out once (tight, with room for a ``figure_legend`` at the bottom, or its own layout engine)
    and keep that layout: a live figure's axes never move between updates."""
    if fig.get_layout_engine() is None:
        renderer = fig.canvas.get_renderer()
        bottom = max([legend.get_window_extent(renderer).height / fig.bbox.height for legend in fig.legends] or [0])
        fig.tight_layout(rect=(0, bottom, 1, 1))
    else:
        fig.draw_without_rendering()
        fig.set_layout_engine("none")


def figure_legend(fig, handles, ncol=3, loc="lower center"):
    """One legend for the whole figure, below its axes (``freeze_layout`` makes room for it)."""
    return fig.legend(handles=handles, loc=loc, ncol=ncol, borderaxespad=0.3)


def legend_outside(ax, where="right", **kwargs):
    """A legend beside the axes (``where="right"``) or below its tick labels and x label (``"below"``): off the
    data. Call it after setting the x label."""
    if where == "right":
        return ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0, **kwargs)
    rc = mpl.rcParams
    below = rc["xtick.major.size"] + rc["xtick.major.pad"] + 1.2 * rc["xtick.labelsize"] + 4  # points
    if ax.get_xlabel():
        below += rc["axes.labelpad"] + 1.2 * rc["axes.labelsize"]
    shift = ScaledTranslation(0, -below / 72, ax.figure.dpi_scale_trans)
    return ax.legend(loc="upper center", bbox_to_anchor=(0.5, 0), bbox_transform=ax.transAxes + shift,
                     borderaxespad=0, **kwargs)


_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


class PlainLogFormatter(ticker.LogFormatterSciNotation):
    """Log-axis labels such as 10⁻³ or 2×10¹ in plain text (no mathtext parse for a new label)."""

    def __call__(self, x, pos=None):
        label = super().__call__(x, pos)
        text = re.sub(r"10\^\{([-\d]+)\}", lambda m: "10" + m[1].translate(_SUPERSCRIPT), label)
        text = text.replace(r"\times", "×").replace(r"\mathdefault{", "").replace("$", "")
        text = text[:-1] if text.endswith("}") else text
        return label if "\\" in text or "{" in text else text


def plain_log_ticks(fig):
    """Give every log axis of ``fig`` plain-text tick labels."""
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            if axis.get_scale() == "log":
                axis.set_major_formatter(PlainLogFormatter())
                axis.set_minor_formatter(PlainLogFormatter(labelOnlyBase=False, minor_thresholds=(1, 0.4)))


def unit_paths(ax, n_units, color):
    """Empty artists for each hidden unit's weight path (a row of W^[1] in the plane); see set_unit_paths."""
    artists = {"paths": ax.add_collection(LineCollection([], color=color, alpha=0.6, lw=1)),
               "ends": ax.plot([], [], "o", color=color, ms=4, label="end")[0],
               "start": ax.plot([], [], "k+", ms=8, label="start")[0],
               "extent": ax.plot([], [], ls="none")[0]}  # the paths' box: relim ignores collections
    ax.set_xlabel(r"$W^{[1]}_{j1}$")
    ax.set_ylabel(r"$W^{[1]}_{j2}$")
    return artists


def set_unit_paths(artists, history):
    """Fill unit_paths' artists with the rows of W^[1] along a training ``history``."""
    W = np.stack([params["W1"] for _, params, _ in history])  # (steps, n1, n0)
    if W.shape[2] != 2:
        raise ValueError(f"unit_trajectories needs 2 inputs, W1 has {W.shape[2]} columns")
    artists["paths"].set_segments([W[:, unit, :] for unit in range(W.shape[1])])
    artists["ends"].set_data(W[-1, :, 0], W[-1, :, 1])
    artists["start"].set_data(W[0, :, 0], W[0, :, 1])
    artists["extent"].set_data([W[..., 0].min(), W[..., 0].max()], [W[..., 1].min(), W[..., 1].max()])


def unit_trajectories(ax, history, title, color):
    """Draw each hidden unit's weight vector (a row of W^[1]) as a path in the plane."""
    set_unit_paths(unit_paths(ax, history[0][1]["W1"].shape[0], color), history)
    ax.set_title(title)
    ax.relim()
    ax.autoscale_view()


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


def activation_bars(axes, bins=60, limit=1.0, color="tab:blue"):
    """Empty histograms, one per layer (``axes[l-1]`` for a^[l]) over [-limit, limit], one y scale for all
    (labelled on the first); see set_activation_bars."""
    edges = np.linspace(-limit, limit, bins + 1)
    bars = []
    for ax in axes[1:]:
        ax.sharey(axes[0])
        ax.tick_params(labelleft=False)
    for l, ax in enumerate(axes, start=1):
        bars.append(ax.stairs(np.zeros(bins), edges, fill=True, color=color, alpha=0.75))
        ax.set_xlim(-limit, limit)
        ax.set_xlabel(f"$a^{{[{l}]}}$")
        ax.set_title(f"layer {l}", fontsize=9)
        ax.tick_params(labelsize=8)
    axes[0].set_ylabel("share of entries")
    return bars


def set_activation_bars(bars, activations):
    """Fill activation_bars' histograms with ``activations[l-1]`` = a^[l] (clipped to the range)."""
    for bar, a in zip(bars, activations):
        edges = bar.get_data().edges
        counts, _ = np.histogram(np.clip(a, edges[0], edges[-1]), bins=edges)
        bar.set_data(counts / counts.sum())


def variance_lines(ax, n_layers, ylabel=r"$\mathrm{Var}(z^{[l]})$", ticks=None, markersize=6, color="tab:blue"):
    """Empty predicted (dashed, open markers) and measured (solid, filled) variance lines for layers 1..n_layers,
    log scale, with the stable level 1 dotted; give them the initialization's colour (``set_color``).

    ``ticks`` are the layers labelled on the x axis (default: every layer).
    """
    layers = np.arange(1, n_layers + 1)
    lines = {"predicted": ax.plot([], [], "o--", color=color, mfc="white", label="predicted (theory)",
                                  ms=markersize, lw=1.2)[0],
             "measured": ax.plot([], [], "s-", color=color, label="measured", ms=markersize)[0]}
    ax.axhline(1.0, color="gray", lw=0.8, ls=":")
    ax.set_yscale("log")
    ax.set_xticks(layers if ticks is None else ticks)
    ax.set_xlim(0.5, n_layers + 0.5)
    ax.set_xlabel("layer $l$")
    ax.set_ylabel(ylabel)
    ax.grid(which="major")
    return lines


def boundary_map(ax, n=64):
    """Empty artists of a decision-boundary map: P(y=1) as an image under the data; see set_boundary."""
    image = ax.imshow(np.full((n, n), 0.5), origin="lower", extent=(0, 1, 0, 1), cmap="RdBu", vmin=0, vmax=1,
                      alpha=0.5, aspect="auto", interpolation="nearest")
    points = ax.scatter(np.zeros(0), np.zeros(0), c=np.zeros(0), cmap="RdBu", vmin=0, vmax=1, s=9,
                        edgecolors="k", linewidths=0.2)
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    return {"ax": ax, "image": image, "points": points, "n": n}


def set_boundary(artists, predict, X, Y, pad=0.3):
    """Shade ``predict(points)`` (P(y=1) of columns of points) over the box of ``X`` and scatter the data."""
    low, high = X.min(axis=1) - pad, X.max(axis=1) + pad
    g0, g1 = np.meshgrid(np.linspace(low[0], high[0], artists["n"]), np.linspace(low[1], high[1], artists["n"]))
    P = np.asarray(predict(np.vstack([g0.ravel(), g1.ravel()]))).reshape(g0.shape)
    artists["image"].set_data(P)
    artists["image"].set_extent((low[0], high[0], low[1], high[1]))
    artists["points"].set_offsets(X.T)
    artists["points"].set_array(Y.ravel())
    artists["ax"].set_xlim(low[0], high[0])
    artists["ax"].set_ylim(low[1], high[1])


def layer_lines(ax, n_lines, ylabel, cmap="viridis"):
    """Empty lines for layers 1..n_lines on a log axis (legend l = 1, 2, ...); see set_layer_lines."""
    colors = plt.get_cmap(cmap)(np.linspace(0, 0.9, n_lines))
    lines = [ax.plot([], [], color=color, lw=1.2, label=f"$l = {l}$")[0] for l, color in enumerate(colors, start=1)]
    ax.set_yscale("log")
    ax.set_ylabel(ylabel)
    ax.grid()
    return lines


def set_layer_lines(lines, x, ys):
    """Show ``ys[l-1]`` against ``x`` on line l; lines beyond len(ys) are hidden. Zeros are not drawn (log axis)."""
    for l, line in enumerate(lines):
        visible = l < len(ys)
        line.set_visible(visible)
        if visible:
            y = np.asarray(ys[l], dtype=np.float64)
            line.set_data(x, np.where(y > 0, y, np.nan))


COARSE = (1, 2, 5)  # round limits: 1, 2 or 5 times a power of 10
FINE = (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8)  # for axes whose limits should hug the data


def _nice(value, up, ladder=COARSE):
    """``value`` rounded away from (``up``) or toward zero to a ``ladder`` value times a power of 10."""
    if value == 0 or not np.isfinite(value):
        return value
    size = abs(value)
    steps = np.array([*ladder, 10.0]) * 10.0 ** np.floor(np.log10(size))
    grow = up == (value > 0)
    nice = steps[np.searchsorted(steps, size * (1 - 1e-9))] if grow else steps[
        np.searchsorted(steps, size * (1 + 1e-9), side="right") - 1]
    return float(np.copysign(nice, value))


def rescale(*axes, fill=0.3, room=0.5, margin=0.0, ladder=COARSE):
    """Fit each axes' autoscaled limits to its data (after ``set_data``), in coarse round steps.

    Limits are whole decades on a log axis, 1, 2 or 5 times a power of 10 on a
    linear one (or another ``ladder``, e.g. ``FINE``), with a ``margin`` (a
    fraction of the data's span) around the data. Limits that still hold the
    data, which fills at least ``fill`` of them, are kept; limits that grow get
    ``room`` (a fraction of the data's span) on the growing side and keep the
    other side where it still holds the data: a live figure then mostly reuses
    its background (ticks, labels, grid) from one update to the next.
    """
    for ax in axes:
        old = {"x": ax.get_xlim(), "y": ax.get_ylim()}
        for name, axis in (("x", ax.xaxis), ("y", ax.yaxis)):
            if not getattr(ax, f"get_autoscale{name}_on")():
                continue
            shared = getattr(ax, f"get_shared_{name}_axes")().get_siblings(ax)  # shared axes: their union
            for sibling in shared:
                sibling.relim(visible_only=True)
            low = min(getattr(sibling.dataLim, f"interval{name}")[0] for sibling in shared)
            high = max(getattr(sibling.dataLim, f"interval{name}")[1] for sibling in shared)
            log = axis.get_scale() == "log"
            with np.errstate(all="ignore"):
                lo, hi, dlo, dhi = np.log10([*old[name], low, high]) if log else (*old[name], low, high)
            if not np.all(np.isfinite([lo, hi, dlo, dhi])):
                continue
            dlo, dhi = dlo - margin * (dhi - dlo), dhi + margin * (dhi - dlo)
            fitted = ax in _FITTED
            if fitted and lo <= dlo <= dhi <= hi and dhi - dlo >= fill * (hi - lo):
                continue
            span, grown = dhi - dlo, fitted and (dlo < lo or dhi > hi)
            pad = room * span if fitted else 0.0
            dlo, dhi = dlo - pad * (dlo < lo), dhi + pad * (dhi > hi)
            if grown and lo <= dlo and span >= fill * (dhi - lo):  # the side that still holds the data stays
                dlo = lo
            if grown and dhi <= hi and span >= fill * (hi - dlo):
                dhi = hi
            if log:
                limits = 10.0 ** np.floor(dlo), 10.0 ** max(np.ceil(dhi), np.floor(dlo) + 1)
            else:
                limits = _nice(dlo, up=False, ladder=ladder), _nice(dhi, up=True, ladder=ladder)
                if limits[0] == limits[1]:
                    limits = limits[0] - 1, limits[1] + 1
            getattr(ax, f"set_{name}lim")(limits, auto=None)
        _FITTED.add(ax)


_FITTED = weakref.WeakSet()  # axes that rescale has fitted once


def density_stairs(ax, edges, color, label=None, fill=False):
    """An empty density histogram over ``edges`` (a step outline, filled if ``fill``); see set_density."""
    return ax.stairs(np.zeros(len(edges) - 1), edges, fill=fill, color=color, alpha=0.45 if fill else 0.9,
                     lw=1.5, label=label)


def set_density(stairs, samples, edges=None):
    """Fill a density_stairs artist with the histogram density of ``samples`` (over new ``edges`` if given)."""
    edges = stairs.get_data().edges if edges is None else np.asarray(edges)
    counts, _ = np.histogram(np.ravel(samples), bins=edges)
    stairs.set_data(counts / (max(counts.sum(), 1) * np.diff(edges)), edges)


def nice_ceiling(value, ladder=COARSE):
    """``value`` rounded up to 1, 2 or 5 (or another ``ladder`` value) times a power of 10: axis limits that
    change rarely."""
    return _nice(float(value), up=True, ladder=ladder)


def live_axis(ax, which="y", labels=8):
    """The grid lines, tick marks and labels of ``ax``'s x or y axis (log or linear) as a few artists redrawn with
    the data.

    For a live figure whose limits move at nearly every update (see ``widgets.LiveFigure``): matplotlib's own
    axis, emptied here and returned among the artists (so that its limits no longer key the figure's
    background), would take 20-40 ms to draw at every update, these artists a few. The axis label becomes
    fixed text beside the axes. Put the returned dict in a live figure's ``parts`` and call ``set_live_axis``
    after each change of the limits. The lines already on ``ax`` (placed in its data coordinates) are returned
    too; an artist added later in data coordinates must go in ``parts``.
    """
    from matplotlib.markers import MarkerStyle
    from matplotlib.path import Path

    axis, rc = getattr(ax, f"{which}axis"), plt.rcParams
    axis.set_major_locator(ticker.NullLocator())
    axis.set_minor_locator(ticker.NullLocator())
    out = (rc[f"{which}tick.major.size"] + rc[f"{which}tick.major.pad"]) / 72  # inches from the axes to the labels
    if which == "y":  # the label left of tick labels such as 10⁻¹⁵
        left = ScaledTranslation(-out - (2.7 * rc["ytick.labelsize"] + rc["axes.labelpad"]) / 72, 0,
                                 ax.figure.dpi_scale_trans)
        ax.text(0, 0.5, ax.get_ylabel(), transform=ax.transAxes + left, rotation=90, ha="right", va="center",
                fontsize=rc["axes.labelsize"])
        ax.set_ylabel("")
        transform, mark, shift = ax.get_yaxis_transform(), [(-1.0, 0.0), (0.0, 0.0)], (-out, 0)
        alignment = {"ha": "right", "va": "center"}
    else:
        below = ScaledTranslation(0, -out - (1.3 * rc["xtick.labelsize"] + rc["axes.labelpad"]) / 72,
                                  ax.figure.dpi_scale_trans)
        ax.text(0.5, 0, ax.get_xlabel(), transform=ax.transAxes + below, ha="center", va="top",
                fontsize=rc["axes.labelsize"])
        ax.set_xlabel("")
        transform, mark, shift = ax.get_xaxis_transform(), [(0.0, -1.0), (0.0, 0.0)], (0, -out)
        alignment = {"ha": "center", "va": "top"}
    grid_style = {"colors": rc["grid.color"], "linewidths": rc["grid.linewidth"], "alpha": rc["grid.alpha"]}
    tick = MarkerStyle(Path(mark))  # a tick mark outside the axes (length: half the marker size)

    def marks(size):  # collections: relim (plots.rescale) does not count them as data
        return ax.scatter(np.zeros(0), np.zeros(0), s=(2 * size) ** 2, marker=tick, facecolors="none", edgecolors="k",
                          linewidths=rc[f"{which}tick.major.width"], transform=transform, clip_on=False)

    return {"axis": axis, "which": which, "ax": ax, "lines": list(ax.lines),
            "grid": ax.add_collection(LineCollection([], zorder=0.5, transform=transform, **grid_style), autolim=False),
            "ticks": marks(rc[f"{which}tick.major.size"]), "minor": marks(rc[f"{which}tick.minor.size"]),
            "labels": [ax.text(0, 0, "", transform=transform + ScaledTranslation(*shift, ax.figure.dpi_scale_trans),
                               clip_on=False, fontsize=rc[f"{which}tick.labelsize"], **alignment)
                       for _ in range(labels)]}


def set_live_axis(axis):
    """Place the grid lines, ticks and labels of a ``live_axis`` for its axes' current limits. On a log axis: a
    label every 1, 2, 5, 10, 20, 50, ... decades, and minor ticks 2..9 when the axis spans a few decades; on a
    linear one, at most as many round values as the axis has labels (matplotlib's MaxNLocator)."""
    ax, which, slots = axis["ax"], axis["which"], len(axis["labels"])
    low, high = ax.get_ylim() if which == "y" else ax.get_xlim()
    if axis["axis"].get_scale() == "log":
        low, high = np.log10([low, high])
        first, last = int(np.ceil(low - 1e-9)), int(np.floor(high + 1e-9))
        step = next(s * 10 ** k for k in range(4) for s in (1, 2, 5) if (last - first) // (s * 10 ** k) < slots)
        decades = [k for k in range(first, last + 1) if k % step == 0]
        minor = [k + np.log10(m) for k in range(first - 1, last + 1) for m in range(2, 10)] if last - first <= 4 else []
        minor = 10.0 ** np.array([y for y in minor if low <= y <= high])
        major = 10.0 ** np.array(decades, dtype=float)
        texts = ["10" + str(k).translate(_SUPERSCRIPT) for k in decades]
    else:
        major = ticker.MaxNLocator(nbins=slots - 1).tick_values(low, high)
        major = major[(major >= low - 1e-9 * (high - low)) & (major <= high + 1e-9 * (high - low))]
        minor, texts = np.zeros(0), [f"{v:g}" for v in major]
    along = (lambda v: [(0, v), (1, v)]) if which == "y" else (lambda v: [(v, 0), (v, 1)])
    at = (lambda v: np.column_stack([np.zeros(len(v)), v])) if which == "y" else (
        lambda v: np.column_stack([v, np.zeros(len(v))]))
    axis["grid"].set_segments([along(v) for v in major])
    axis["ticks"].set_offsets(at(major))
    axis["minor"].set_offsets(at(minor).reshape(-1, 2))
    for k, text in enumerate(axis["labels"]):
        text.set_visible(k < len(major))
        if k < len(major):
            text.set_position((0, major[k]) if which == "y" else (major[k], 0))
            text.set_text(texts[k])


def live_log_yaxis(ax, labels=8):
    """``live_axis`` for a log y axis."""
    return live_axis(ax, "y", labels)


set_live_log_yaxis = set_live_axis
