"""``SafeExecute`` on one notebook, as nbgrader's autograde runs it (the student's kernel in the sandbox where there is
one, the test cells in the trusted kernel): a kernel that dies, a cell that hangs, too many faults and a spent
time budget each cost their own cells, show why, and are recorded as outcomes in the notebook."""

import shutil

import nbformat
import pytest
from notebooks import ASSIGNMENT, SOURCE
from submissions import solution_code

from coursetools import outcomes
from coursetools.course import Course, answer_cells, autograder_tests, grade_id
from coursetools.grade.execute import SafeExecute
from coursetools.outcomes import Kind

pytestmark = pytest.mark.kernel

NB = "01_symmetry_breaking.ipynb"
DIES = "import os\ndef initialize_zeros(layer_dims):\n    os._exit(1)\n"
HANGS = "def count_distinct_units(W, atol=1e-6):\n    while True:\n        pass\n"
SLEEPS = "import time\ntime.sleep(60)\n"


def execute(tmp_path, monkeypatch, answers, **limits):
    """The source notebook (its hidden tests included) with the solutions, ``answers`` replacing some, executed
    by SafeExecute in a folder holding the helper package, as the student's autograded folder does."""
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")  # as nbgrader's autograde sets it
    nb = nbformat.read(str(SOURCE / NB), as_version=4)
    code = {gid: solution_code(cell) for gid, cell in answer_cells(nb).items()}
    for cell in nb.cells:
        if grade_id(cell) in code:
            cell.source = answers.get(grade_id(cell), code[grade_id(cell)])
    folder = tmp_path / ASSIGNMENT
    shutil.copytree(SOURCE / "initlab", folder / "initlab", ignore=shutil.ignore_patterns("__pycache__"))
    resources = {"metadata": {"path": str(folder)},
                 "nbgrader": {"assignment": ASSIGNMENT, "notebook": NB[:-6], "student": "s"}}
    config = Course().config()
    for name, value in limits.items():  # over the course's configuration
        config.SafeExecute[name] = value
    nb, _ = SafeExecute(config=config).preprocess(nb, resources)
    return nb


def errors(nb):
    """{test cell: its error's (name, message)} for the test cells that failed."""
    return {gid: (out.ename, out.evalue) for gid, cell in autograder_tests(nb).items()
            for out in cell.outputs if out.output_type == "error"}


def test_a_dead_kernel_and_a_hung_cell_cost_their_own_cells_and_are_recorded(tmp_path, monkeypatch):
    nb = execute(tmp_path, monkeypatch, {"initialize_zeros": DIES, "count_distinct_units": HANGS}, timeout=10)
    died = "the kernel died while running this cell (os._exit, a crash, or a memory limit)"
    hung = "this cell ran for more than 10 s and was stopped (an infinite loop?)"
    assert errors(nb) == {"test_initialize_zeros": ("KernelFault", died),
                          "test_count_distinct_units": ("KernelFault", hung)}
    assert outcomes.recorded(nb) == [
        outcomes.Outcome(Kind.FAULT, notebook=NB, cell="test_initialize_zeros", detail=died),
        outcomes.Outcome(Kind.CELL_TIMEOUT, notebook=NB, cell="test_count_distinct_units", detail=hung)]


def test_after_too_many_faults_the_rest_of_the_notebook_is_abandoned(tmp_path, monkeypatch):
    nb = execute(tmp_path, monkeypatch, {"initialize_zeros": DIES}, max_faults=1)
    failed = errors(nb)
    abandoned = "not run: the kernel died or hung in 1 cells of this notebook, so the rest of it was abandoned"
    assert failed.pop("test_initialize_zeros")[0] == "KernelFault"
    assert failed and set(failed.values()) == {("KernelFault", abandoned)}  # every later test cell
    assert [o.kind for o in outcomes.recorded(nb)] == [Kind.FAULT, Kind.ABANDONED]


def test_a_spent_time_budget_stops_the_cell_running_and_every_later_one(tmp_path, monkeypatch):
    first_test = next(iter(autograder_tests(nbformat.read(str(SOURCE / NB), as_version=4))))
    nb = execute(tmp_path, monkeypatch, {"initialize_zeros": SLEEPS}, notebook_time_limit=8)
    spent = "not run: this notebook's 8 s time budget was spent"
    assert set(errors(nb).values()) == {("KernelFault", spent)} and first_test in errors(nb)
    assert [(o.kind, o.detail) for o in outcomes.recorded(nb)] == [(Kind.BUDGET_SPENT, spent)]
