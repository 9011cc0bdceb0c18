"""The notebooks' figures (initlab.figures) and the chapters that call them.

A notebook reads as a chapter: every code cell a student sees, answer and test cells aside, has at most 15
lines and no engineering comments, and the figure modules never hold a graded function's solution. In this
process (no kernel), every live figure of every notebook is built with the course's solutions, and every
control, moved one step, must change the picture; the playground's figure follows a run while it trains.
"""

import re

import numpy as np
import pytest
from notebooks import NOTEBOOKS, SOURCE, answer_cells, is_answer, is_test, read

from coursetools.dev import bench

FIGURES = SOURCE / "initlab" / "figures"
MAX_LINES = 15
ENGINEERING = re.compile(r"#.*\b(cache|mathtext|artists?|background|redraw|layout|slow|faster)\b", re.I)


def _demo_cells(name):
    return [c for c in read(SOURCE / name).cells if c.cell_type == "code" and not is_answer(c) and not is_test(c)]


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_every_code_cell_a_student_sees_is_short_and_free_of_plumbing(name):
    for cell in _demo_cells(name):
        lines = cell.source.splitlines()
        assert len(lines) <= MAX_LINES, f"{name}, cell {cell.id}: {len(lines)} lines (at most {MAX_LINES})"
        assert not [line for line in lines if ENGINEERING.search(line)], f"{name}, cell {cell.id}: plumbing comment"


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_the_figure_modules_hold_no_solution(name):
    """No figure module defines a graded function or holds two consecutive statements of a solution (lines of at
    least 20 characters; a `return` is not counted)."""
    def statements(text):
        return [line.strip() for line in text.splitlines() if len(line.strip()) >= 20
                and not line.strip().startswith("return")]

    modules = [*FIGURES.glob("*.py"), FIGURES.parent / "plots.py", FIGURES.parent / "widgets.py"]
    package = [line for path in modules for line in statements(path.read_text())]
    pairs = set(zip(package, package[1:]))
    for grade_id, cell in answer_cells(read(SOURCE / name)).items():
        assert not any(line.startswith(f"def {grade_id}(") for line in package), f"initlab defines {grade_id}"
        for block in re.findall(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION", cell.source, re.S):
            lines = statements(block)
            for pair in zip(lines, lines[1:]):
                assert pair not in pairs, f"initlab holds two lines of the solution of {grade_id}: {pair}"


def _values(controls):
    return {name: control.value for name, control in controls.items() if control.kind != "Button"}


@pytest.mark.kernel
@pytest.mark.parametrize("name", NOTEBOOKS)
def test_every_control_move_changes_the_figure(name):
    from initlab import widgets
    for setup, update, controls, _ in bench.capture_widgets(name):
        live = widgets.LiveFigure(setup, update)
        values = _values(controls)
        before = live.frame(values)
        for key, control in controls.items():
            if control.kind != "Button":
                moved = {**values, key: bench._steps(control, 1)[0]}
                assert live.frame(moved) != before, f"{name}: moving {control.kwargs['description']!r} changed nothing"


@pytest.fixture(scope="module")
def playground():
    """The live figure of notebook 06's playground, built with the solutions, its Playground, the controls' values
    and the controls."""
    from initlab import widgets
    setup, update, controls, _ = bench.capture_widgets("06_training_playground.ipynb")[0]
    live = widgets.LiveFigure(setup, update)
    return live, update.__self__, _values(controls), controls


@pytest.mark.kernel
def test_the_playground_follows_a_run_while_it_trains(playground):
    live, lab, values, _ = playground
    values = {**values, "steps": 1000, "hidden": "10, 10, 10, 10"}
    live.update(values)
    assert live.parts["status"].get_text().endswith("press Train")
    for done in lab.train(**values):
        if done >= 0.4:
            break
    live.update(values)
    assert re.search(r"training: step 4\d\d of 1000, cost", live.parts["status"].get_text())
    for _ in lab.train(**values):
        pass
    live.update(values)
    status = live.parts["status"].get_text()
    assert "trained: step 1000 of 1000" in status
    cost_ax, key_ax = live.parts["cost_ax"], live.parts["key_ax"]
    assert cost_ax.get_xlim() == (0, 1000) and cost_ax.get_ylim()[0] == 0  # the steps run, never a negative cost
    legend = [text.get_text() for text in key_ax.get_legend().get_texts()]
    assert legend == ["$l = 1$", "$l = 2$", "$l = 3$", "$l = 4$", "$l = 5$", "global", "max_norm (off)"]
    live.update({**values, "hidden": "10", "clip": True})
    legend = [text.get_text() for text in key_ax.get_legend().get_texts()]
    assert legend == ["$l = 1$", "$l = 2$", "global", "max_norm"]  # two layers, two lines


@pytest.mark.kernel
def test_the_playground_diagnostics_follow_a_layer_that_dies_and_one_that_saturates(playground):
    """He on XOR at α = 5 (draw 1): layer 2 dies within a few steps, after updates as large as the weights; the
    diagnostics show it (dead units, update/weight ratio, the histogram's note) and the title gives the test
    accuracy. large with tanh starts saturated."""
    live, lab, values, _ = playground
    values = {**values, "data_set": "xor", "learning_rate": 5.0, "steps": 100, "hidden": "10, 5", "draw": 1}
    for _ in lab.train(**values):
        pass
    live.update(values)
    health, ratios = live.parts["health"], live.parts["ratios"]
    assert health[1].get_ydata()[0] == 0 and health[1].get_ydata()[-1] == 100  # layer 2: alive, then all dead
    assert np.nanmax(ratios[2].get_ydata()[:5]) > 0.1  # the output layer's first updates: a tenth of W and more
    assert "5 of 5 dead" in live.parts["acts"]["notes"][1].get_text()
    assert re.search(r"accuracy: train 5\d\.\d %, test 5\d\.\d %", live.parts["status"].get_text())
    live.update({**values, "init": "large", "activation": "tanh", "data_set": "circles"})  # before training
    assert "saturated" in live.parts["acts"]["notes"][0].get_text()
    assert live.parts["health_ax"].get_title().startswith("saturated")
    assert 50 < health[0].get_ydata()[0] < 100  # most of layer 1 saturated from the start


@pytest.mark.kernel
def test_the_playground_has_a_row_per_hidden_layer_and_the_learning_rates_of_the_text(playground):
    """The activations panel draws one row per hidden layer the network has (no empty rows for layers it lacks),
    and α = 3 and α = 5 of §6.7 are exact values of the learning-rate control (not 3.16 and 5.01)."""
    live, _, values, controls = playground
    for hidden, layers in (("10, 5", 2), ("10", 1), ("10, 10, 10, 10", 4)):
        live.update({**values, "hidden": hidden})
        ax = live.parts["acts_ax"]
        assert [text.get_text() for text in ax.get_yticklabels()] == [f"layer {l}" for l in range(layers, 0, -1)]
        low, high = ax.get_ylim()
        assert high - low == layers
        assert sum(ridge.get_visible() for ridge in live.parts["acts"]["ridges"]) == layers
    options = controls["learning_rate"].kwargs["options"]
    assert 3 in options and 5 in options and 0.1 in options


@pytest.mark.kernel
def test_the_symmetry_figure_ends_its_step_axis_at_the_steps_run():
    from initlab import widgets
    setup, update, controls, _ = next(figure for figure in bench.capture_widgets("01_symmetry_breaking.ipynb")
                                      if "random_bias" in figure[2])  # the explorer of §1.5
    live = widgets.LiveFigure(setup, update)
    for steps in (300, 150):
        live.update({**_values(controls), "steps": steps})
        assert live.fig.axes[2].get_xlim() == (0, steps)
        assert np.all(np.isfinite(live.fig.axes[2].get_lines()[0].get_xdata()))
