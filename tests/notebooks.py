"""Reading the course's notebooks: paths and the nbgrader roles of their cells."""

import os
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
ASSIGNMENT = "initialization"
SOURCE = ROOT / "source" / ASSIGNMENT
RELEASE = ROOT / "release" / ASSIGNMENT
# Every notebook in source/; COURSE_NOTEBOOKS=01,02 narrows a run while authoring one notebook.
NOTEBOOKS = sorted(p.name for p in SOURCE.glob("[0-9][0-9]_*.ipynb")
                   if not os.environ.get("COURSE_NOTEBOOKS")
                   or p.name[:2] in os.environ["COURSE_NOTEBOOKS"].split(","))


def read(path):
    """The notebook at ``path`` (nbformat 4)."""
    return nbformat.read(str(path), as_version=4)


def nbgrader(cell):
    """The cell's nbgrader metadata ({} for a plain cell)."""
    return cell.get("metadata", {}).get("nbgrader", {})


def grade_id(cell):
    return nbgrader(cell).get("grade_id")


def is_test(cell):
    meta = nbgrader(cell)
    return cell.cell_type == "code" and meta.get("grade", False) and not meta.get("solution", False)


def is_answer(cell):
    meta = nbgrader(cell)
    return cell.cell_type == "code" and meta.get("solution", False)


def grade_cells(nb):
    """{grade_id: cell} of the autograder test cells, in order."""
    return {grade_id(c): c for c in nb.cells if is_test(c)}


def answer_cells(nb):
    """{grade_id: cell} of the autograded answer cells, in order."""
    return {grade_id(c): c for c in nb.cells if is_answer(c)}


def setup_source(nb):
    """Source of the locked setup cell, without IPython magics."""
    cell = next(c for c in nb.cells if grade_id(c) == "setup")
    return "\n".join(line for line in cell.source.splitlines() if not line.lstrip().startswith("%"))


def variants(notebook_name):
    """The CORRECT and WRONG implementations catalogued for a notebook's graded functions."""
    path = Path(__file__).parent / "variants" / notebook_name.replace(".ipynb", ".py")
    space = {}
    exec(compile(path.read_text(), str(path), "exec"), space)
    return space["CORRECT"], space["WRONG"]
