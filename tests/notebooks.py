"""Reading the course's notebooks in the tests: the notebooks this run tests, their paths and cells (the roles of
cells are the product's, ``coursetools.course``), and the variant catalogues (tests/variants/)."""

import os
from pathlib import Path

import nbformat

from coursetools.course import (
    ASSIGNMENT,
    ROOT,
    Course,
    answer_cells,
    autograder_tests,
    grade_id,
    is_code_answer,
    is_test_cell,
    written_answers,
)

SOURCE, RELEASE = Course().source, Course().release
# Every notebook in source/; COURSE_NOTEBOOKS=01,02 narrows a run while authoring one notebook.
NOTEBOOKS = [name for name in Course().notebooks()
             if not os.environ.get("COURSE_NOTEBOOKS") or name[:2] in os.environ["COURSE_NOTEBOOKS"].split(",")]
__all__ = ["ASSIGNMENT", "NOTEBOOKS", "RELEASE", "ROOT", "SOURCE", "answer_cells", "grade_cells", "grade_id",
           "is_answer", "is_test", "read", "setup_source", "variants", "written_answers"]

is_test = is_test_cell  # a test cell
is_answer = is_code_answer  # an autograded answer cell (code; the written answers are markdown)
grade_cells = autograder_tests  # {grade_id: cell} of the test cells, in order


def read(path):
    """The notebook at ``path`` (nbformat 4)."""
    return nbformat.read(str(path), as_version=4)


def setup_source(nb):
    """Source of the locked setup cell, without IPython magics."""
    cell = next(c for c in nb.cells if grade_id(c) == "setup")
    return "\n".join(line for line in cell.source.splitlines() if not line.lstrip().startswith("%"))


def catalogue(notebook_name):
    """The namespace of a notebook's variant catalogue (tests/variants/)."""
    path = Path(__file__).parent / "variants" / notebook_name.replace(".ipynb", ".py")
    space = {}
    exec(compile(path.read_text(), str(path), "exec"), space)
    return space


def variants(notebook_name):
    """The CORRECT and WRONG implementations catalogued for a notebook's graded functions."""
    space = catalogue(notebook_name)
    return space["CORRECT"], space["WRONG"]


def run_test_source(notebook_name, implementation, test_source):
    """Run the notebook's setup, ``implementation`` and ``test_source`` in one namespace, as the test
    cells run in course tests (INITLAB_BRIDGE=loopback); return the exception raised, or None."""
    assert os.environ.get("INITLAB_BRIDGE") == "loopback"
    space = {"__name__": "__main__"}
    exec(compile(setup_source(read(SOURCE / notebook_name)), "<setup>", "exec"), space)
    try:
        exec(compile(implementation, "<implementation>", "exec"), space)
        exec(compile(test_source, "<test>", "exec"), space)
    except Exception as exc:
        return exc
    return None
