"""Unit tests of coursetools.grade.normalize on a small release built here: no kernel, no nbgrader run."""

import copy

import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from coursetools.grade import normalize as rebuilding
from coursetools.grade.normalize import defines


def normalize(submitted, release):
    """The rebuilt notebook and its repairs in words, as the batch report prints them."""
    nb, repairs = rebuilding.normalize(submitted, release)
    return nb, [repair.sentence for repair in repairs]

STUB = "def {}(x):\n    raise NotImplementedError\n"


def _graded(gid, source, points=None, **roles):
    """A code cell with nbgrader metadata; ``points`` makes it a test cell, ``solution=True`` an answer."""
    meta = {"grade_id": gid, "grade": points is not None, "solution": False, "locked": True, "schema_version": 3}
    meta.update(roles)
    if points is not None:
        meta["points"] = points
    return new_code_cell(source, id=f"cell-{gid}", metadata={"nbgrader": meta})


def release():
    """Markdown, setup, answers ``f`` and ``g`` each followed by its test cell (2 and 3 points)."""
    return new_notebook(cells=[
        new_markdown_cell("# Fixture", id="cell-title"),
        _graded("setup", "import math\n"),
        _graded("f", STUB.format("f"), solution=True, locked=False),
        _graded("test_f", "assert f(1) == 1\n", points=2),
        _graded("g", STUB.format("g"), solution=True, locked=False),
        _graded("test_g", "assert g(2) == 4\n", points=3),
    ])


RELEASE = release()


def _nbgrader(cell):
    return cell.metadata.get("nbgrader", {})


def submission(**answers):
    """The release with answer cells filled in: ``f="def f(x): ..."``."""
    nb = copy.deepcopy(RELEASE)
    for cell in nb.cells:
        if _nbgrader(cell).get("grade_id") in answers:
            cell.source = answers[_nbgrader(cell)["grade_id"]]
    return nb


def at(nb, gid):
    """Index of the cell with grade_id ``gid``."""
    return next(i for i, c in enumerate(nb.cells) if _nbgrader(c).get("grade_id") == gid)


def layout(nb):
    """[(grade_id, points, source)] of every cell: what grading depends on."""
    return [(_nbgrader(c).get("grade_id"), _nbgrader(c).get("points"), c.source) for c in nb.cells]


F, G = "def f(x):\n    return x\n", "def g(x):\n    return x * x\n"
SOLVED = layout(submission(f=F, g=G))


def test_unchanged_submission_gives_no_notes_and_the_release_structure():
    nb = submission(f=F, g=G)
    out, notes = normalize(nb, RELEASE)
    assert notes == []
    assert out.cells == nb.cells


def test_deleted_test_cell_is_restored():
    nb = submission(f=F, g=G)
    del nb.cells[at(nb, "test_f")]
    out, notes = normalize(nb, RELEASE)
    assert notes == ["locked cell 'test_f' was deleted; restored from the release"]
    assert layout(out) == SOLVED


def test_emptied_test_cell_gets_its_released_source_back():
    nb = submission(f=F, g=G)
    nb.cells[at(nb, "test_f")].source = ""
    out, notes = normalize(nb, RELEASE)
    assert notes == []
    assert layout(out) == SOLVED


def test_test_cell_relabelled_with_an_unknown_grade_id_is_ignored_and_restored():
    nb = submission(f=F, g=G)
    nb.cells[at(nb, "test_f")].metadata.nbgrader.grade_id = "test_mine"
    out, notes = normalize(nb, RELEASE)
    assert notes == ["cell with unknown grade_id 'test_mine' ignored (edited nbgrader metadata?)",
                     "locked cell 'test_f' was deleted; restored from the release"]
    assert layout(out) == SOLVED


def test_test_cell_relabelled_as_another_test_counts_as_a_moved_duplicate():
    nb = submission(f=F, g=G)
    nb.cells[at(nb, "test_g")].metadata.nbgrader.grade_id = "test_f"
    out, notes = normalize(nb, RELEASE)
    assert notes == ["locked cell 'test_f' was duplicated; the copy is ignored",
                     "cells were moved; the released order is restored",
                     "locked cell 'test_g' was deleted; restored from the release"]
    assert layout(out) == SOLVED


def test_duplicated_test_cell_runs_once():
    nb = submission(f=F, g=G)
    copied = copy.deepcopy(nb.cells[at(nb, "test_f")])
    copied.id = "copy-of-test-f"
    nb.cells.insert(at(nb, "test_f") + 1, copied)
    out, notes = normalize(nb, RELEASE)
    assert notes == ["locked cell 'test_f' was duplicated; the copy is ignored"]
    assert layout(out) == SOLVED


def test_moved_test_cell_goes_back_to_its_released_place():
    nb = submission(f=F, g=G)
    nb.cells.insert(at(nb, "f"), nb.cells.pop(at(nb, "test_g")))
    out, notes = normalize(nb, RELEASE)
    assert notes == ["cells were moved; the released order is restored"]
    assert layout(out) == SOLVED


def test_inflated_points_are_reset_to_the_release():
    nb = submission(f=F, g=G)
    nb.cells[at(nb, "test_f")].metadata.nbgrader.points = 100
    out, notes = normalize(nb, RELEASE)
    assert notes == []
    assert layout(out) == SOLVED


def test_duplicated_answer_cell_grades_the_last_copy():
    nb = submission(f=F, g=G)
    second = copy.deepcopy(nb.cells[at(nb, "f")])
    second.id, second.source = "copy-of-f", "def f(x):\n    return 1\n"
    nb.cells.insert(at(nb, "f") + 1, second)
    out, notes = normalize(nb, RELEASE)
    assert notes == ["answer cell 'f' appears 2 times; the last one is graded"]
    assert layout(out) == layout(submission(f=second.source, g=G))


def _pasted(where):
    """A submission whose answer cell ``f`` was deleted and its code pasted into a new cell at ``where``."""
    nb = submission(g=G)
    del nb.cells[at(nb, "f")]
    nb.cells.insert(where(nb), new_code_cell(F, id="pasted"))
    return nb


RESCUED = ["answer cell 'f' had lost its nbgrader metadata; the cell that defines it is graded instead"]


def test_answer_pasted_into_a_new_untagged_cell_is_rescued():
    out, notes = normalize(_pasted(lambda nb: at(nb, "test_f") + 1), RELEASE)
    assert notes == RESCUED
    assert layout(out) == SOLVED


def test_answer_pasted_where_the_deleted_answer_cell_was_is_rescued():
    out, notes = normalize(_pasted(lambda nb: at(nb, "test_f")), RELEASE)
    assert notes == RESCUED
    assert layout(out) == SOLVED


def test_answer_cell_stripped_of_its_nbgrader_metadata_is_rescued():
    nb = submission(f=F, g=G)
    del nb.cells[at(nb, "f")].metadata["nbgrader"]
    out, notes = normalize(nb, RELEASE)
    assert notes == RESCUED
    assert layout(out) == SOLVED


def test_student_cells_follow_the_graded_cell_they_followed_without_outputs_or_metadata():
    nb = submission(f=F, g=G)
    scratch = new_code_cell("f(3)\n", id="scratch", execution_count=7, metadata={"tags": ["mine"]},
                            outputs=[new_output("execute_result", data={"text/plain": "3"}, execution_count=7)])
    nb.cells.insert(at(nb, "test_f") + 1, scratch)
    nb.cells.insert(at(nb, "test_f") + 2, new_markdown_cell("my notes", id="notes"))
    nb.cells.insert(0, new_code_cell("x = 1\n", id="first"))  # before any graded cell: after setup
    out, notes = normalize(nb, RELEASE)
    assert notes == []
    expected = SOLVED[:2] + [(None, None, "x = 1\n")] + SOLVED[2:4] + [(None, None, "f(3)\n"),
                                                                     (None, None, "my notes")] + SOLVED[4:]
    assert layout(out) == expected
    added = [c for c in out.cells if c.source in ("x = 1\n", "f(3)\n", "my notes")]
    assert [c.metadata for c in added] == [{}, {}, {}]
    assert [(c.outputs, c.execution_count) for c in added if c.cell_type == "code"] == [([], None), ([], None)]
    assert len({c.id for c in out.cells}) == len(out.cells)


def test_cell_with_an_unknown_grade_id_is_dropped():
    nb = submission(f=F, g=G)
    nb.cells.append(_graded("bonus", "assert True\n", points=50))
    out, notes = normalize(nb, RELEASE)
    assert notes == ["cell with unknown grade_id 'bonus' ignored (edited nbgrader metadata?)"]
    assert layout(out) == SOLVED


def test_missing_answer_cell_is_graded_as_the_stub():
    nb = submission(f=F)
    del nb.cells[at(nb, "g")]
    out, notes = normalize(nb, RELEASE)
    assert notes == ["answer cell 'g' is missing: graded as unanswered"]
    assert layout(out) == layout(submission(f=F))


@pytest.mark.parametrize("source,expected", [
    ("def f(x):\n    pass\n", True),
    ("import math\nf = lambda x: x\n", True),
    ("f=1\n", True),
    ("def ff(x):\n    pass\n", False),
    ("def g(x):\n    f = 1\n", False),
    ("print(f(1))\n", False),
])
def test_defines_finds_top_level_definitions_only(source, expected):
    assert defines(new_code_cell(source), "f") is expected
