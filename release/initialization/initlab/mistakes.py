"""The misconceptions the course's tests name, and the lines a failing test ends its first part with.

A failing test's message starts with one line, ``<function>: <the mistake>`` (at most 88 characters, so
that ``nbgrader validate`` shows it whole), then details. When the mistake is an instance of one of the
course's misconceptions below, the message has a line ``Revisit: <title> (<notebook section>).`` too: it
points the student at what to re-read, and it lets the TA's insight report count the students who hold a
misconception across every cell it showed in (``identify``).

Keys are stable (reports and tests use them); titles may be reworded, and ``identify`` follows.
"""

from dataclasses import dataclass, field

__all__ = ["MISCONCEPTIONS", "Misconception", "identify", "revisit_line"]


@dataclass(frozen=True)
class Misconception:
    """One idea students get wrong: its ``title`` and, per notebook ("01"...), the section to revisit."""

    key: str
    title: str
    sections: dict = field(default_factory=dict)


MISCONCEPTIONS = {m.key: m for m in [
    Misconception("variance-as-std", "the variance and the standard deviation (Var(cX) = c²·Var(X))"),
    Misconception("fans-swapped", "fan_in and fan_out (W^[l] has shape (n_out, n_in))"),
    Misconception("transposed", "the shape of W^[l]: (n_out, n_in), one row per unit"),
    Misconception("global-rng", "drawing from the rng argument only (no np.random.*, no reseeding)"),
    Misconception("rule-confused", "which variance each rule gives: LeCun 1/n_in, Glorot 2/(n_in+n_out), He 2/n_in"),
    Misconception("relu-half", "the factor ½ of ReLU (E[ReLU(z)²] = Var(z)/2) and He's 2"),
    Misconception("uniform-vs-normal", "uniform and normal weights (Var U(−a, a) = a²/3)"),
    Misconception("in-place", "leaving inputs unchanged (return new arrays)"),
    Misconception("layer-indexing", "layer indexing: W^[l] maps a^[l−1] to z^[l], weights[l−1] is W^[l]"),
    Misconception("activation", "the activation g and its derivative g′ in the forward and backward pass"),
    Misconception("variance-algebra", "variances of sums and products of independent variables"),
    Misconception("global-norm", "one norm over every entry of every gradient array"),
]}

_PREFIX = "Revisit: "


def revisit_line(key, notebook=None):
    """The line a failure message carries for misconception ``key`` (its section in ``notebook``, if known)."""
    if key not in MISCONCEPTIONS:
        raise ValueError(f"unknown misconception key {key!r}; known: {', '.join(MISCONCEPTIONS)}")
    found = MISCONCEPTIONS[key]
    section = found.sections.get(notebook) if notebook else None
    return f"{_PREFIX}{found.title}" + (f" ({section})." if section else ".")


def identify(message):
    """The key of the misconception a failure message names on its ``Revisit:`` line, or None."""
    for line in (message or "").splitlines():
        line = line.strip()
        if line.startswith(_PREFIX):
            text = line[len(_PREFIX):]
            for key, found in MISCONCEPTIONS.items():
                if text == found.title or text.startswith(found.title + " (") or text == found.title + ".":
                    return key
    return None
