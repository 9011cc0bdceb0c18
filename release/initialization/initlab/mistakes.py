"""The misconceptions the course's tests name, and the lines a failing test ends its first part with.

A failing test's message starts with one line, ``<function>: <the mistake>`` (at most 88 characters, so
that ``nbgrader validate`` shows it whole), then details. When the mistake is an instance of one of the
course's misconceptions below, the message has a line ``Revisit: <title> (<notebook section>).`` too: it
points the student at what to re-read, and it lets the TA's insight report count the students who hold a
misconception across every cell it showed in (``identify``).

Keys are stable (reports and tests use them); titles may be reworded, and ``identify`` follows.
"""

from dataclasses import dataclass, field

__all__ = ["GRADED", "MISCONCEPTIONS", "Misconception", "identify", "notebook_of", "revisit_line"]


@dataclass(frozen=True)
class Misconception:
    """One idea students get wrong: its ``title`` and, per notebook ("01"...), the section to revisit."""

    key: str
    title: str
    sections: dict = field(default_factory=dict)


MISCONCEPTIONS = {m.key: m for m in [
    Misconception("variance-as-std", "the variance and the standard deviation (Var(cX) = c²·Var(X))",
                  {"01": "§1.4", "03": "§3.4", "04": "§4.2", "05": "§5.1, §5.4", "06": "§6.2"}),
    Misconception("fans-swapped", "fan_in and fan_out (W^[l] has shape (n_out, n_in))",
                  {"03": "§3.4–3.5, §3.7", "04": "§4.2, §4.4", "05": "§5.2, §5.4", "06": "§6.2"}),
    Misconception("transposed", "the shape of W^[l]: (n_out, n_in), one row per unit",
                  {"01": "§1.1", "02": "§2.2", "03": "§3.4", "04": "§4.2", "05": "§5.2", "06": "§6.2"}),
    Misconception("global-rng", "drawing from the rng argument only (no np.random.*, no reseeding)",
                  {"01": "§1.4", "02": "§2.4", "03": "§3.4", "04": "§4.2", "05": "§5.2", "06": "§6.2"}),
    Misconception("rule-confused", "which variance each rule gives: LeCun 1/n_in, Glorot 2/(n_in+n_out), He 2/n_in",
                  {"03": "§3.4–3.5", "04": "§4.2", "05": "§5.2–5.4", "06": "§6.2"}),
    Misconception("relu-half", "the factor ½ of ReLU (E[ReLU(z)²] = Var(z)/2) and He's 2",
                  {"03": "§3.7", "04": "§4.1–4.2, §4.4"}),
    Misconception("uniform-vs-normal", "uniform and normal weights (Var U(−a, a) = a²/3)",
                  {"03": "§3.5", "05": "§5.1–5.2"}),
    Misconception("in-place", "leaving inputs unchanged (return new arrays)"),
    Misconception("layer-indexing", "layer indexing: W^[l] maps a^[l−1] to z^[l], weights[l−1] is W^[l]",
                  {"02": "§2.2", "03": "§3.7–3.8", "04": "§4.4"}),
    Misconception("activation", "the activation g and its derivative g′ in the forward and backward pass",
                  {"02": "§2.7", "03": "§3.8", "04": "§4.1, §4.4"}),
    Misconception("variance-algebra", "variances of sums and products of independent variables",
                  {"03": "§3.2–3.3", "05": "§5.1"}),
    Misconception("global-norm", "one norm over every entry of every gradient array", {"06": "§6.5–6.6"}),
    Misconception("symmetry", "why the units must start different (identical rows stay identical)",
                  {"01": "§1.1–1.4"}),
    Misconception("aliasing", "one new array per layer (no [W] * depth, no array overwritten in place)",
                  {"02": "§2.2"}),
    Misconception("finite", "computing in a form that cannot overflow or divide by zero",
                  {"02": "§2.7", "06": "§6.5"}),
    Misconception("population-variance", "the population variance over every entry (np.var, ddof=0)",
                  {"03": "§3.8", "04": "§4.4"}),
    Misconception("truncated-normal", "the truncated normal: cut at ±2 std, redrawn, std divided by 0.8796",
                  {"05": "§5.4"}),
    Misconception("tolerance", "equal within atol: |a − b| ≤ atol in every entry, no relative tolerance",
                  {"01": "§1.3"}),
]}

# The graded functions and answers of each notebook: a failure names its notebook's section.
GRADED = {
    "01": ("initialize_zeros", "initialize_constant", "count_distinct_units", "initialize_random",
           "answer_biases_alone", "answer_logistic_from_zero", "answer_constant_layer"),
    "02": ("scaled_identity_chain", "linear_chain_forward", "linear_chain_backward", "answer_vanishing_depth",
           "answer_plateau", "random_matrix_product", "answer_flat_std", "answer_stable_std", "sigmoid_derivative",
           "answer_centered", "answer_sigmoid_bound"),
    "03": ("variance_of_product", "linear_output_variance", "lecun_normal", "xavier_normal", "answer_wide_to_narrow",
           "forward_variances", "measure_forward_variances", "answer_standard_backward", "answer_tanh_gain_depth"),
    "04": ("relu", "relu_second_moment", "he_normal", "answer_notes_code", "backward_variances",
           "measure_backward_variances", "answer_narrowing", "answer_collapse"),
    "05": ("uniform_variance", "uniform_bound", "xavier_uniform", "he_uniform", "answer_pytorch_default",
           "variance_scaling", "answer_keras_bound", "sparse_init"),
    "06": ("initialize_network", "clip_by_global_norm", "answer_clip", "answer_remedy"),
}

_PREFIX = "Revisit: "


def revisit_line(key, notebook=None):
    """The line a failure message carries for misconception ``key`` (its section in ``notebook``, if known)."""
    if key not in MISCONCEPTIONS:
        raise ValueError(f"unknown misconception key {key!r}; known: {', '.join(MISCONCEPTIONS)}")
    found = MISCONCEPTIONS[key]
    section = found.sections.get(notebook) if notebook else None
    return f"{_PREFIX}{found.title}" + (f" ({section})." if section else ".")


def notebook_of(name):
    """The notebook ("01"...) that grades the function or answer ``name`` (None if none does)."""
    return next((notebook for notebook, names in GRADED.items() if name in names), None)


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
