"""``nbgrader export`` writes the Canvas grades file itself (coursetools/report/canvas.py, set in nbgrader_config.py).

A gradebook is built with nbgrader's API (no kernel): an assignment of two notebooks with test cells and a
written answer, students with and without a Canvas id, a late penalty and a student who submitted nothing. The
real ``nbgrader export`` runs in a folder with the course's nbgrader_config.py: it refuses while answers wait for
a TA (naming how many and where), writes a provisional file on request, and the final one once all is graded.
"""

import csv
import shutil

import pytest
from nbgrader.api import Gradebook
from notebooks import ASSIGNMENT, ROOT

from coursetools.course import Course
from coursetools.report import canvas

CELLS = {"01_a": {"test_f": 2.0, "test_g": 3.0}, "03_b": {"test_h": 4.0, "derive": 5.0}}  # 14 points
STUDENTS = {  # id: (Canvas id, {cell: score}, late penalty)
    "ada": ("1001", {"test_f": 2, "test_g": 3, "test_h": 4}, 0.0),
    "bob": ("1002", {"test_f": 0, "test_g": 1.5, "test_h": 4}, 1.0),
    "cy": ("", {"test_f": 2, "test_g": 0, "test_h": 0}, 0.0),
}


@pytest.fixture
def root(tmp_path):
    shutil.copy(ROOT / "nbgrader_config.py", tmp_path)
    (tmp_path / "coursetools").symlink_to(ROOT / "coursetools")
    with Course(tmp_path).gradebook() as gb:
        gb.add_assignment(ASSIGNMENT)
        for nb, cells in CELLS.items():
            gb.add_notebook(nb, ASSIGNMENT)
            for name, points in cells.items():
                gb.add_grade_cell(name, nb, ASSIGNMENT, max_score=points,
                                  cell_type="markdown" if name == "derive" else "code")
        for sid, (lms, scores, penalty) in STUDENTS.items():
            gb.add_student(sid, first_name=sid.title(), last_name="Test", lms_user_id=lms or None)
            sub = gb.add_submission(ASSIGNMENT, sid)
            for nb in sub.notebooks:
                for grade in nb.grades:
                    grade.auto_score = scores.get(grade.name, 0)
                    grade.needs_manual_grade = grade.name == "derive"  # written answers wait for a TA
            sub.notebooks[0].late_submission_penalty = penalty  # the assignment's is the sum of its notebooks'
        gb.add_student("dee", lms_user_id="1004")  # in the class, submitted nothing
        gb.db.commit()
    return tmp_path


def grade_written(root, scores):
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        for sid, score in scores.items():
            grade = gb.find_grade("derive", "03_b", ASSIGNMENT, sid)
            grade.manual_score, grade.needs_manual_grade = score, False
        gb.db.commit()


def export(root, *args):
    return Course(root).nbgrader("export", *args, check=False, capture_output=True, text=True)


def rows(path):
    return list(csv.reader(path.open()))


@pytest.mark.kernel
def test_export_refuses_while_written_answers_wait_and_names_them(root):
    result = export(root)
    assert result.returncode == 1
    assert "3 written answer(s) still wait for a TA (03_b derive: 3)" in result.stderr
    assert "--CanvasGrades.provisional=True" in result.stderr
    assert not list(root.glob("grades*.csv"))


@pytest.mark.kernel
def test_provisional_export_is_named_so(root):
    result = export(root, "--CanvasGrades.provisional=True")
    assert result.returncode == 0, result.stderr
    assert [p.name for p in root.glob("grades*.csv")] == [canvas.PROVISIONAL]
    table = rows(root / canvas.PROVISIONAL)
    assert table[2:] == [["Ada Test", "1001", "", "", "", "9"], ["Bob Test", "1002", "", "", "", "4.5"],
                         ["Cy Test", "", "", "", "", "2"], ["dee", "1004", "", "", "", "0"]]
    assert "PROVISIONAL grades: 3 written answer(s)" in result.stderr


@pytest.mark.kernel
def test_complete_export_has_canvas_ids_the_column_and_totals_after_penalties(root):
    export(root, "--CanvasGrades.provisional=True")
    grade_written(root, {"ada": 5, "bob": 2.5, "cy": 0})
    result = export(root, "--CanvasGrades.column=Weight initialization (4821)")
    assert result.returncode == 0, result.stderr
    assert [p.name for p in root.glob("grades*.csv")] == [canvas.FINAL]  # the provisional file is gone
    table = rows(root / canvas.FINAL)
    assert table[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "Weight initialization (4821)"]
    assert table[1] == ["Points Possible", "", "", "", "", "14"]
    assert {r[1] or r[0]: r[5] for r in table[2:]} == {"1001": "14", "1002": "7", "Cy Test": "2", "1004": "0"}
    assert "have no Canvas id (not collected with zip_collect): cy" in result.stderr
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:  # the same totals as nbgrader's own
        totals = {s.student.lms_user_id: s.score - s.late_submission_penalty
                  for s in gb.find_assignment(ASSIGNMENT).submissions if s.student.lms_user_id}
    assert {k: float(v) for k, v in totals.items()} == {r[1]: float(r[5]) for r in table[2:] if r[1] and r[1] != "1004"}


@pytest.mark.kernel
def test_a_final_file_is_removed_when_an_answer_waits_again(root):
    grade_written(root, {"ada": 5, "bob": 2.5, "cy": 0})
    assert export(root).returncode == 0 and (root / canvas.FINAL).exists()
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:  # a re-submitted answer is flagged again
        gb.find_grade("derive", "03_b", ASSIGNMENT, "bob").needs_manual_grade = True
        gb.db.commit()
    result = export(root)
    assert result.returncode == 1 and "1 written answer(s) still wait for a TA (03_b derive: 1)" in result.stderr
    assert not (root / canvas.FINAL).exists() and "Removed the earlier grades-canvas.csv" in result.stderr


def test_more_than_one_assignment_or_an_unknown_one_is_refused(root):
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        with pytest.raises(ValueError, match="one assignment per Canvas column"):
            canvas.CanvasGrades(assignment=["a", "b"]).export(gb)
        with pytest.raises(ValueError, match="no assignment 'a' in the gradebook"):
            canvas.CanvasGrades(assignment=["a"]).export(gb)
