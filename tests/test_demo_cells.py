"""Which demonstration cells autograding leaves out (coursetools.grade.demo_cells), without kernels."""

import time

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from coursetools.course import Course
from coursetools.grade import demo_cells

SETUP = {"grade": False, "solution": False, "locked": True, "grade_id": "setup"}
ANSWER = {"grade": False, "solution": True, "locked": False, "grade_id": "f"}
TEST = {"grade": True, "solution": False, "locked": True, "points": 1, "grade_id": "test_f"}


def cell(source, nbgrader=None):
    return new_code_cell(source, metadata={"nbgrader": dict(nbgrader)} if nbgrader else {})


DEMO_TABLE = "TABLE = {'a': 1}\nprint(TABLE)\n"
DEMO_FIGURE = "def draw():\n    z = f(2)\n    return z\n\ndraw()\n"
RELEASE = [cell("import numpy as np\n", SETUP), cell("def f(x):\n    raise NotImplementedError\n", ANSWER),
           cell(DEMO_TABLE), cell(DEMO_FIGURE), new_markdown_cell("text"),
           cell("from checks import call\nx = 3\nassert call(f, x) == 2 * x\n", TEST)]


def notebook(answer, *, demo_figure=DEMO_FIGURE, extra=()):
    """The released notebook with the student's ``answer`` (and a changed demo or added cells)."""
    cells = [nbformat.from_dict(c) for c in RELEASE]
    cells[1] = cell(answer, ANSWER)
    cells[3] = cell(demo_figure)
    return new_notebook(cells=cells[:5] + [cell(c) for c in extra] + cells[5:])


def skipped(nb):
    return demo_cells.skippable(nb, new_notebook(cells=RELEASE))


def test_unchanged_demonstrations_that_no_grade_reads_are_left_out():
    assert skipped(notebook("def f(x):\n    z = 2 * x\n    return z\n")) == {2, 3}


def test_a_demonstration_whose_name_an_answer_reads_runs():
    nb = notebook("def f(x):\n    return TABLE['a'] * 2 * x\n")
    assert skipped(nb) == {3}


def test_a_name_read_by_a_later_cell_or_in_a_comprehension_counts():
    assert skipped(notebook("def f(x):\n    return 2 * x * K\n", extra=["K = TABLE['a']\n"])) == {3}
    assert skipped(notebook("def f(x):\n    return sum(TABLE[k] for k in 'a') * 2 * x\n")) == {3}


def test_a_name_read_at_the_top_level_before_the_demonstration_binds_it_does_not_count():
    # the student's own top-to-bottom run fails there too (NameError)
    assert skipped(notebook("K = TABLE['a']\ndef f(x):\n    return 2 * x\n")) == {2, 3}


def test_a_function_local_with_a_demonstrations_name_does_not_count():
    assert skipped(notebook("def f(x):\n    TABLE = 2\n    return TABLE * x\n")) == {2, 3}


def test_a_demonstration_that_changes_a_needed_object_runs():
    nb = notebook("def f(x):\n    return 2 * x * TABLE['a']\n", demo_figure="TABLE['a'] = 5\n")
    assert 2 not in skipped(nb) and 3 not in skipped(nb)


def test_a_demonstration_the_student_edited_runs():
    assert skipped(notebook("def f(x):\n    return 2 * x\n", demo_figure=DEMO_FIGURE + "# mine\n")) == {2}


def test_a_cell_the_student_added_runs_and_keeps_what_it_reads():
    nb = notebook("def f(x):\n    return 2 * x\n", extra=["print(TABLE)\n"])
    assert skipped(nb) == {3}


@pytest.mark.parametrize("dynamic", ["globals()['TABLE']", "eval('TABLE')", "vars()", "get_ipython().user_ns",
                                     "%who", "__import__('__main__').TABLE", "import sys\nsys.modules['__main__']"])
def test_a_cell_that_can_reach_any_name_keeps_every_demonstration(dynamic):
    assert skipped(notebook("def f(x):\n    return 2 * x\n", extra=[dynamic + "\n"])) == set()


def test_a_test_cell_needs_only_the_names_it_reads_without_binding_them():
    # the test binds x itself: a demonstration binding x is not needed by it
    nb = notebook("def f(x):\n    return 2 * x\n", demo_figure="x = 1\n")
    assert skipped(nb) == {2}  # the edited demo runs; the table is left out


def test_a_chain_of_demonstrations_runs_together_when_its_end_is_needed():
    release = [cell("A = 1\n"), cell("B = A + 1\n"), cell("def f(x):\n    raise NotImplementedError\n", ANSWER)]
    nb = new_notebook(cells=[release[0], release[1], cell("def f(x):\n    return B * x\n", ANSWER)])
    assert demo_cells.skippable(nb, new_notebook(cells=release)) == set()
    nb.cells[2] = cell("def f(x):\n    return 2 * x\n", ANSWER)
    assert demo_cells.skippable(nb, new_notebook(cells=release)) == {0, 1}


def test_setup_answer_and_test_cells_always_run():
    nb = notebook("def f(x):\n    return 2 * x\n")
    assert not skipped(nb) & {0, 1, 5}


@pytest.mark.parametrize("name", Course().notebooks())
def test_the_solutions_of_each_notebook_run_no_demonstration(name):
    """The course's own figures and worked examples are independent of its graded cells."""
    nb = nbformat.read(str(Course().source / name), as_version=4)
    release = nbformat.read(str(Course().release / name), as_version=4)
    demos = {i for i, c in enumerate(nb.cells) if c.cell_type == "code" and "nbgrader" not in c.metadata}
    assert demos and demo_cells.skippable(nb, release) == demos


def test_magics_and_shell_escapes_mean_every_cell_runs_without_a_costly_analysis():
    shell = "\n".join(f"!echo {'x' * 1200} {i}" for i in range(80))  # 97 KB: IPython's transformer took 59 s
    nb = notebook("def f(x):\n    return 2 * x\n", extra=[shell])
    started = time.perf_counter()
    assert skipped(nb) == set()
    assert skipped(notebook("def f(x):\n    return 2 * x\n", extra=["x = 1\n" * 5000])) == set()  # too long
    assert skipped(notebook("def f(x):\n    return 2 * x\n", extra=["nonlocal x\n"])) == set()  # symtable refuses
    assert time.perf_counter() - started < 0.5
