"""What can happen to a submission, as data (``coursetools.outcomes``): every kind rendered as the batch report,
the line per student and the insight page show it, and read back from JSON, without kernels."""

import json
from datetime import datetime

import nbformat
import pytest

from coursetools import outcomes
from coursetools.course import Course
from coursetools.grade.inert import InertContent
from coursetools.outcomes import Kind, Outcome, Result, Score
from coursetools.report.insight import gather

NB = "01_symmetry_breaking.ipynb"
# every kind: a record with its fields, and its sentence in the batch report
EVERY_KIND = {
    Kind.GRADED: (Outcome(Kind.GRADED, seconds=12.4), "autograded in 12 s"),
    Kind.UPLOAD_GRADED: (Outcome(Kind.UPLOAD_GRADED, notebook=NB, file="downloaded/x/ada_1_2_01.ipynb", count=2,
                                 files=("ada_1_1_01.ipynb", "ada_1_3_01-1.ipynb")),
                         f"upload graded: {NB} from downloaded/x/ada_1_2_01.ipynb (upload 2); superseded: "
                         "ada_1_1_01.ipynb, ada_1_3_01-1.ipynb"),
    Kind.EXTRA_FILE: (Outcome(Kind.EXTRA_FILE, file="numpy.py"), "extra file ignored: numpy.py"),
    Kind.DUPLICATE: (Outcome(Kind.DUPLICATE, notebook=NB, file="01_notes.ipynb", detail=NB),
                     f"01_notes.ipynb ignored: {NB} already stands for {NB}"),
    Kind.RENAMED: (Outcome(Kind.RENAMED, notebook=NB, file="01_symmetry_breaking (1).ipynb"),
                   f"01_symmetry_breaking (1).ipynb graded as {NB} (renamed)"),
    Kind.NO_FOLDER: (Outcome(Kind.NO_FOLDER, file="submitted/ada/initialization"),
                     "no folder submitted/ada/initialization"),
    Kind.MISSING_NOTEBOOK: (Outcome(Kind.MISSING_NOTEBOOK, notebook=NB), f"{NB} missing: graded as unanswered"),
    Kind.UNREADABLE_NOTEBOOK: (Outcome(Kind.UNREADABLE_NOTEBOOK, notebook=NB, detail="NotJSONError: x"),
                               f"{NB} could not be read (NotJSONError: x); graded as unanswered"),
    Kind.UNREADABLE_SUBMISSION: (Outcome(Kind.UNREADABLE_SUBMISSION, detail="RecursionError"),
                                 "submission could not be read: RecursionError"),
    Kind.ANSWER_DUPLICATED: (Outcome(Kind.ANSWER_DUPLICATED, notebook=NB, cell="f", count=2),
                             f"{NB}: answer cell 'f' appears 2 times; the last one is graded"),
    Kind.ANSWER_RESCUED: (Outcome(Kind.ANSWER_RESCUED, notebook=NB, cell="f"),
                          f"{NB}: answer cell 'f' had lost its nbgrader metadata; the cell that defines it is "
                          "graded instead"),
    Kind.ANSWER_MISSING: (Outcome(Kind.ANSWER_MISSING, notebook=NB, cell="g"),
                          f"{NB}: answer cell 'g' is missing: graded as unanswered"),
    Kind.LOCKED_DUPLICATED: (Outcome(Kind.LOCKED_DUPLICATED, notebook=NB, cell="test_f"),
                             f"{NB}: locked cell 'test_f' was duplicated; the copy is ignored"),
    Kind.LOCKED_DELETED: (Outcome(Kind.LOCKED_DELETED, notebook=NB, cell="test_f"),
                          f"{NB}: locked cell 'test_f' was deleted; restored from the release"),
    Kind.UNKNOWN_CELL: (Outcome(Kind.UNKNOWN_CELL, notebook=NB, cell="bonus"),
                        f"{NB}: cell with unknown grade_id 'bonus' ignored (edited nbgrader metadata?)"),
    Kind.CELLS_MOVED: (Outcome(Kind.CELLS_MOVED, notebook=NB),
                       f"{NB}: cells were moved; the released order is restored"),
    Kind.FLAGGED_CODE: (Outcome(Kind.FLAGGED_CODE, notebook=NB, cell="initialize_zeros",
                                detail="line 2: calls os._exit (ends the process, runs a program or signals)"),
                        f"{NB} initialize_zeros: line 2: calls os._exit (ends the process, runs a program or signals)"),
    Kind.FAULT: (Outcome(Kind.FAULT, notebook=NB, cell="test_f", detail="the kernel died while running this cell"),
                 f"{NB} test_f: KernelFault: the kernel died while running this cell"),
    Kind.CELL_TIMEOUT: (Outcome(Kind.CELL_TIMEOUT, notebook=NB, detail="this cell ran for more than 20 s"),
                        f"{NB} a cell: KernelFault: this cell ran for more than 20 s"),
    Kind.ABANDONED: (Outcome(Kind.ABANDONED, notebook=NB, detail="not run: the kernel died or hung in 4 cells"),
                     f"{NB}: KernelFault: not run: the kernel died or hung in 4 cells"),
    Kind.BUDGET_SPENT: (Outcome(Kind.BUDGET_SPENT, notebook=NB, detail="not run: the student's 600 s time budget "
                                                                       "was spent"),
                        f"{NB}: KernelFault: not run: the student's 600 s time budget was spent"),
    Kind.TASK_TIMEOUT: (Outcome(Kind.TASK_TIMEOUT, seconds=720), "autograde took more than 720 s and was stopped"),
    Kind.AUTOGRADE_FAILED: (Outcome(Kind.AUTOGRADE_FAILED, file="worker1", detail="Traceback\nValueError: x"),
                            "nbgrader autograde failed on worker1:\nTraceback\nValueError: x"),
    Kind.NO_GRADES: (Outcome(Kind.NO_GRADES, notebook=NB), f"{NB}: no grades in the gradebook"),
    Kind.NO_SCORE: (Outcome(Kind.NO_SCORE, notebook=NB, cells=("test_f", "test_g")),
                    f"{NB}: no score for test_f, test_g"),
    Kind.NOT_PLAIN_ID: (Outcome(Kind.NOT_PLAIN_ID), "not a plain student id (letters, digits, _.@+-); not graded"),
    Kind.STAGING_CRASHED: (Outcome(Kind.STAGING_CRASHED, detail="OSError: x"), "staging crashed: OSError: x"),
    Kind.GRADING_CRASHED: (Outcome(Kind.GRADING_CRASHED, detail="KilledWorker: x"), "grading crashed: KilledWorker: x"),
    Kind.NOT_GRADED: (Outcome(Kind.NOT_GRADED), "not graded"),
    Kind.BATCH_FAILED: (Outcome(Kind.BATCH_FAILED), "not graded cleanly: the batch reported FAILED"),
    Kind.NOT_COLLECTED: (Outcome(Kind.NOT_COLLECTED, file="downloaded/x/zed_notes.txt", detail="not a notebook"),
                         "downloaded/x/zed_notes.txt: not collected, not a notebook"),
    Kind.NOT_IN_SUBMITTED: (Outcome(Kind.NOT_IN_SUBMITTED, notebook=NB, file="downloaded/x/ada_1_2_01.ipynb",
                                    detail="ada"),
                            f"downloaded/x/ada_1_2_01.ipynb: matched as {NB} of ada but not in submitted/: run "
                            "`nbgrader zip_collect initialization --force` again"),
}
CATEGORIES = {"information", "time-out", "fault", "failed", "tampering", "repaired", "missing", "extra file", "other"}


def test_every_kind_has_an_example_here():
    assert set(EVERY_KIND) == set(Kind)


@pytest.mark.parametrize("kind", list(Kind))
def test_every_kind_renders_its_sentence_and_comes_back_from_json(kind):
    outcome, sentence = EVERY_KIND[kind]
    assert outcome.sentence == sentence
    assert outcome.category in CATEGORIES
    assert outcome.problem == (kind not in (Kind.GRADED, Kind.UPLOAD_GRADED))
    assert Outcome.from_json(json.loads(json.dumps(outcome.to_json()))) == outcome


def test_a_record_that_is_not_one_is_refused_by_name():
    with pytest.raises(ValueError, match="not an outcome record.*'renamed!'"):
        Outcome.from_json({"kind": "renamed!"})
    with pytest.raises(ValueError, match="unknown fields"):
        Outcome.from_json({"kind": "graded", "colour": "red"})


def test_the_batch_report_and_its_json_hold_every_kind(tmp_path):
    score = Score(27, 37, (("01_symmetry_breaking", 6, 6), ("03_xavier_derivation", 4, 10)), waiting=1)
    problems = tuple(o for o, _ in EVERY_KIND.values() if o.problem and o.kind is not Kind.NOT_COLLECTED)
    results = [Result("ada", True, (EVERY_KIND[Kind.GRADED][0],), score, scored=True),
               Result("bob", True, problems, score, scored=True),
               Result("<img>", False, (EVERY_KIND[Kind.NOT_PLAIN_ID][0],)),
               Result("cy", True, (EVERY_KIND[Kind.GRADED][0],), None, scored=True)]
    unclaimed = (EVERY_KIND[Kind.NOT_COLLECTED][0],)
    text, path = outcomes.write_batch(tmp_path, datetime(2026, 12, 1, 10, 0), None, results, unclaimed)
    assert path == tmp_path / "autograde-20261201-100000.md" and path.read_text() == text
    assert text.startswith("# Autograde report, 2026-12-01 10:00\n\nSandbox: on (bubblewrap)\n")
    assert "- downloaded/x/zed_notes.txt: not collected, not a notebook" in text
    assert "- **ada**: ok — 27 / 37 points (01 6/6, 03 4/10), 1 cell to grade by hand\n    - autograded in 12 s" in text
    assert "- **bob**: graded, see notes — 27 / 37 points" in text
    assert "- **&lt;img&gt;**: FAILED\n    - not a plain student id" in text
    assert "- **cy**: ok — no grades in the gradebook" in text
    for outcome in problems:
        assert outcome.sentence.split("\n")[0].replace("<", "&lt;") in text, outcome
    assert outcomes.read_batches(tmp_path) == {r.student: r for r in results}
    assert outcomes.markdown(datetime(2026, 12, 1, 10, 0), "no bwrap", []).splitlines()[2] == "Sandbox: OFF (no bwrap)"


def test_the_latest_batch_of_each_student_wins_and_a_broken_file_is_skipped(tmp_path):
    first = Result("ada", False, (Outcome(Kind.NOT_GRADED),))
    outcomes.write_batch(tmp_path, datetime(2026, 12, 1, 10, 0), None, [first, Result("bob", True)])
    outcomes.write_batch(tmp_path, datetime(2026, 12, 2, 10, 0), None, [Result("ada", True)])
    (tmp_path / "autograde-20261203-100000.json").write_text("{ not json")
    assert outcomes.read_batches(tmp_path) == {"ada": Result("ada", True), "bob": Result("bob", True)}


def test_the_insight_page_lists_each_problem_under_its_category_once(tmp_path):
    kept = [o for o, _ in EVERY_KIND.values()]
    result = Result("ada", False, tuple(kept) + tuple(kept))
    student = gather.Student(id="ada", code="S01", lms_id="ada", name="")
    listed = gather.problems(Course(tmp_path), student, result, {}, {})
    assert listed[0] == ("failed", "", "not graded cleanly: the batch reported FAILED")
    assert student.seconds == 12.4 and student.timing == "batch"
    expected = [(o.category, o.notebook[:-6], o.sentence.splitlines()[0]) for o in kept
                if o.problem and o.kind is not Kind.BATCH_FAILED]
    assert listed[1:] == expected  # once each; the information (grading time, upload graded) is not a problem


def test_what_grading_stopped_is_kept_in_the_notebook_through_inert_content():
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1")])
    stopped = [EVERY_KIND[Kind.FAULT][0], EVERY_KIND[Kind.BUDGET_SPENT][0]]
    outcomes.record(nb, stopped)
    nb.metadata["widgets"] = {"state": {}}
    nb, _ = InertContent().preprocess(nb, {})
    assert outcomes.recorded(json.loads(nbformat.writes(nb))) == stopped
    assert set(nb.metadata) == {"coursetools"}
    nb.metadata["coursetools"]["outcomes"].append({"kind": "graded", "script": "<script>"})  # not a record
    nb, _ = InertContent().preprocess(nb, {})
    assert outcomes.recorded(nb) == stopped and "<script>" not in nbformat.writes(nb)
    outcomes.record(nb, [])
    assert "coursetools" not in nb.metadata
