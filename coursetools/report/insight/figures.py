"""The insight page's figures: score distributions, the outcome of every graded cell, grading times (PNG data
URIs, so that the page loads nothing)."""

import base64
import io

from ...course import ASSIGNMENT


def _png(fig):
    import matplotlib.pyplot as plt
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90)
    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _hist(ax, values, top, title):
    import numpy as np
    top = max(top, 1)
    bins = np.linspace(0, top, min(int(top), 20) + 1) if top >= 1 else 10
    ax.hist(values, bins=bins, color="#4a7ab5", edgecolor="white")
    ax.set_xlim(0, top)
    ax.set_title(title, fontsize=9)
    ax.yaxis.get_major_locator().set_params(integer=True)


def load():
    """Import what drawing the figures needs (about 1 s: the batch does it while it waits for its workers)."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    return plt


def figures(students, summary, layout):
    plt = load()

    out = {}
    notebooks = [nb for nb in layout if any(nb in s.notebook_scores for s in students.values())]
    cols = min(3, max(1, len(notebooks)))
    rows = 1 + (len(notebooks) + cols - 1) // cols
    fig = plt.figure(figsize=(3.2 * cols, 2.3 * rows))
    grid = fig.add_gridspec(rows, cols)
    ax = fig.add_subplot(grid[0, :])
    top = summary["max_score"]
    _hist(ax, summary["totals"], top, f"{ASSIGNMENT}: total score (of {top:g})")
    for k, nb in enumerate(notebooks):
        ax = fig.add_subplot(grid[1 + k // cols, k % cols])
        scores = [s.notebook_scores[nb][0] for s in students.values() if nb in s.notebook_scores]
        top = max(s.notebook_scores[nb][1] for s in students.values() if nb in s.notebook_scores)
        _hist(ax, scores, top, f"{nb} (of {top:g})")
    fig.supylabel("students", fontsize=9)
    fig.tight_layout()
    out["scores"] = _png(fig)

    functions = summary["functions"]
    if functions:
        fig, ax = plt.subplots(figsize=(7.5, 0.28 * len(functions) + 0.9))
        labels = [f"{f['notebook'][:2]} {f['function']}{' (written)' if f['kind'] == 'manual' else ''}"
                  for f in functions][::-1]
        left = [0] * len(functions)
        for key, color in (("full", "#3d9a50"), ("partial", "#e0a030"), ("zero", "#c8443a"),
                           ("not attempted", "#b0b0b0"), ("waiting", "#6a8fc8")):
            share = [100 * f[key.replace(" ", "_")] / f["students"] for f in functions][::-1]
            if any(share):
                ax.barh(labels, share, left=left, color=color, label=key)
            left = [a + b for a, b in zip(left, share)]
        ax.set_xlim(0, 100)
        ax.set_xlabel("% of students")
        ax.tick_params(axis="y", labelsize=7)
        ax.legend(ncols=5, fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.09 - 1.2 / len(functions)),
                  frameon=False)
        ax.margins(y=0.01)
        fig.tight_layout()
        out["functions"] = _png(fig)

    times = [s.seconds for s in students.values() if s.seconds is not None]
    if times:
        fig, ax = plt.subplots(figsize=(6, 2.4))
        ax.hist(times, bins=min(20, max(5, len(times) // 2)), color="#7a5ab5", edgecolor="white")
        ax.set_xlabel("seconds to grade one student")
        ax.set_ylabel("students")
        ax.yaxis.get_major_locator().set_params(integer=True)
        fig.tight_layout()
        out["times"] = _png(fig)
    return out
