"""Notebook 04's digits showcase (initlab.figures.he) is not one lucky draw.

The notebook stores one draw (seed 2040) and tells the student that other draws differ by several points. With the
course's solutions and three other seeds (other split, weights and minibatches), the deep He network still learns
and LeCun's and Glorot's stay at chance, the shallow network stays ahead, and the deep He network's accuracy moves
by several points from seed to seed.
"""

import pytest
from notebooks import SOURCE, answer_cells, read, setup_source

NOTEBOOK = "04_he_relu.ipynb"


@pytest.fixture(scope="module")
def solutions():
    """The setup cell and the solutions of notebook 04, run in one namespace."""
    nb = read(SOURCE / NOTEBOOK)
    space = {"__name__": "__main__"}
    exec(compile(setup_source(nb), "<setup>", "exec"), space)
    for grade_id, cell in answer_cells(nb).items():
        exec(compile(cell.source, f"<{grade_id}>", "exec"), space)
    return space


@pytest.mark.kernel
def test_the_digits_showcase_holds_for_other_draws(solutions):
    from initlab.figures import he
    deep_train = []
    for seed in (1, 2, 3):
        runs = he.digits_experiment(solutions["he_normal"], solutions["backward_variances"],
                                    solutions["measure_backward_variances"], seed)
        lecun, glorot = runs["LeCun 1/n_in"], runs["Glorot 2/(n_in+n_out)"]
        deep, shallow = runs["He 2/n_in (your he_normal)"], runs["He, 3 layers (shallow)"]
        for stalled in (lecun, glorot):
            assert stalled["train"] <= 0.12 and stalled["held out"] <= 0.12, f"seed {seed}: {stalled['train']:.3f}"
        assert deep["train"] >= 0.8 and deep["held out"] >= 0.7, f"seed {seed}: He {deep['train']:.3f}"
        assert shallow["train"] >= 0.9 and shallow["held out"] >= 0.85, f"seed {seed}: 3 layers"
        assert shallow["held out"] > deep["held out"], f"seed {seed}: the deep He network is not behind"
        deep_train.append(deep["train"])
    assert max(deep_train) - min(deep_train) >= 0.03, f"He's training accuracies {deep_train} differ by little"
