"""Staging a submission (``coursetools.grade.staging``): the assignment's notebooks only, recognised under other
names and rebuilt on the release, without kernels."""

import nbformat
from notebooks import ASSIGNMENT, NOTEBOOKS, RELEASE, read
from submissions import filled, solutions

from coursetools.course import grade_id
from coursetools.grade import staging

NB = "01_symmetry_breaking.ipynb"
SOLVED = solutions(NB)


def _find(cells, gid):
    return next(i for i, c in enumerate(cells) if grade_id(c) == gid)


def test_staging_prefers_exact_names_and_recognises_copies(tmp_path):
    (tmp_path / "release").mkdir()
    (tmp_path / "release" / ASSIGNMENT).symlink_to(RELEASE)
    folder = tmp_path / "submitted" / "s" / ASSIGNMENT
    folder.mkdir(parents=True)
    solved = nbformat.writes(filled(NB, SOLVED))
    (folder / "01_notes.ipynb").write_text(nbformat.writes(nbformat.v4.new_notebook()))
    (folder / NB).write_text(solved)
    if len(NOTEBOOKS) > 1:
        copy = folder / NOTEBOOKS[1].replace(".ipynb", "-Copy1.ipynb")
        copy.write_text(nbformat.writes(read(RELEASE / NOTEBOOKS[1])))
    notes = [outcome.sentence for outcome in staging.stage(tmp_path, "s")]
    staged = tmp_path / staging.STAGED / "s" / ASSIGNMENT
    cells = read(staged / NB).cells
    assert cells[_find(cells, "initialize_zeros")].source == SOLVED["initialize_zeros"]
    assert any("01_notes.ipynb ignored" in n for n in notes)
    if len(NOTEBOOKS) > 1:
        assert (staged / NOTEBOOKS[1]).exists() and any("(renamed)" in n for n in notes)
