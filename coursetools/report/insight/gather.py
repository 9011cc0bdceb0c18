"""What grading left behind, gathered per student and graded cell (the insight page's data).

- the gradebook: every graded cell's score (a manual score wins over the automatic one), which written answers
  still wait for a TA, late penalties, each student's LMS id (nbgrader's ``Student.lms_user_id``, kept from
  ``zip_collect``; the nbgrader id when empty);
- the autograded notebooks: the failure message each test cell printed (the hidden tests name the likely
  mistake), and the cells in which the kernel died or hung (``coursetools.outcomes.recorded``);
- the batches' outcomes (reports/autograde-*.json): grading time, time-outs, failures, repaired, renamed or
  missing notebooks and cells; for a student graded by plain ``nbgrader autograde`` the same checks are run
  on submitted/ here (``coursetools.grade.staging``), and the grading time is estimated from the times of the
  autograded files;
- ``coursetools.report.review`` on submitted/: code that patches modules or the kernel.
"""

import json
from dataclasses import dataclass, field
from pathlib import Path

from nbgrader.api import MissingEntry

from ... import outcomes
from ...course import (
    STUDENT_TIME_LIMIT,
    Course,
    function_name,
    grade_id,
    is_answer_cell,
    is_graded,
    is_test_cell,
    nbgrader_metadata,
    source_text,
)
from ...grade import staging
from ...outcomes import Kind, Outcome
from .. import failures, review

NOT_SUBMITTED = "notebook not submitted"
NOT_ATTEMPTED = "did not attempt"
PLAIN = " (found in submitted/; plain nbgrader autograde does not repair it)"


def file_time_estimates(root, students):
    """{student: seconds} estimated from the autograded files' times (plain nbgrader records no timings).

    Plain ``nbgrader autograde`` grades one student after the other and writes each notebook
    when it is done: a student's time is from the previous file written to their last one.
    """
    files = []
    for student in students:
        folder = Course(root).autograded(student)
        files += [(p.stat().st_mtime, student) for p in folder.glob("*.ipynb")]
    last, estimates = {}, {}
    for mtime, student in sorted(files):
        last[student] = mtime
    order = sorted(last.items(), key=lambda item: item[1])
    for (_, before), (student, end) in zip(order, order[1:]):
        if 0 < end - before < STUDENT_TIME_LIMIT:
            estimates[student] = end - before
    return estimates


@dataclass
class Cell:
    """One graded cell of one student."""

    student: str
    notebook: str
    name: str
    kind: str  # "autograded" (a test cell) or "manual" (a written answer)
    score: float
    max_score: float
    needs_manual_grade: bool
    mistake: str = ""
    message: str = ""
    misconception: str = ""  # the key of initlab.mistakes the message names, if any
    section: str = ""  # the section its Revisit line points to
    attempted: bool = True  # False: the answer is the release's stub (or says it is not implemented)
    submitted: bool = True  # False: the student did not submit this notebook

    @property
    def outcome(self):
        """"waiting" (for a TA), "full", "partial", "zero" (a mistake) or "not attempted" (blank, stub, missing)."""
        if self.kind == "manual" and self.needs_manual_grade:
            return "waiting"
        if self.score >= self.max_score:
            return "full"
        if self.score > 0:
            return "partial"
        return "zero" if self.attempted and self.submitted else "not attempted"


@dataclass
class Student:
    id: str
    code: str
    lms_id: str
    name: str
    score: float = 0.0
    max_score: float = 0.0
    penalty: float = 0.0
    notebook_scores: dict = field(default_factory=dict)
    seconds: float | None = None
    timing: str = ""  # "batch" or "file times"
    problems: list = field(default_factory=list)  # (category, notebook or "", detail)

    @property
    def total(self):
        return max(0.0, self.score - self.penalty)


def graded_cells(root):
    """({notebook name: [(grade_id, kind)]}, {notebook name: {answer grade_id: released source}}) of the release."""
    course = Course(root)
    out, stubs = {}, {}
    for name in course.notebooks() if course.source.exists() else []:
        path = course.release / name
        if not path.exists():
            continue
        cells = []
        for cell in json.loads(path.read_text())["cells"]:
            gid = grade_id(cell)
            if is_answer_cell(cell) and gid:
                stubs.setdefault(name[:-6], {})[gid] = source_text(cell).strip()
            if is_graded(cell):
                cells.append((gid, "autograded" if is_test_cell(cell) else "manual"))
        out[name[:-6]] = cells
    return out, stubs


def test_outputs(root, student, notebook):
    """({grade_id: (ename, message)} of the failed test cells, {answer grade_id: source}) of an autograded
    notebook; None if absent."""
    path = Course(root).autograded(student) / f"{notebook}.ipynb"
    if not path.exists():
        return None
    try:
        cells = json.loads(path.read_text())["cells"]
    except (ValueError, KeyError, RecursionError):
        return {}, {}
    errors, answers = {}, {}
    for cell in cells:
        gid = grade_id(cell)
        if not gid:
            continue
        if nbgrader_metadata(cell).get("solution"):
            answers[gid] = source_text(cell).strip()
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                errors[gid] = (str(out.get("ename", "")), str(out.get("evalue", "")))
                break
    return errors, answers


def collect(root):
    """(students {id: Student}, cells [Cell], layout {notebook: [(grade_id, kind)]}) of the graded class."""
    course = Course(root)
    layout, stubs = graded_cells(root)
    students, cells = {}, []
    with course.gradebook() as gb:
        try:
            submissions = gb.find_assignment(course.assignment).submissions
        except MissingEntry:
            submissions = []
        for number, sub in enumerate(sorted(submissions, key=lambda s: s.student.id), start=1):
            st = sub.student
            name = " ".join(n for n in (st.first_name, st.last_name) if n)
            student = Student(id=st.id, code=f"S{number:02d}", lms_id=str(st.lms_user_id or "").strip() or st.id,
                              name=name, penalty=float(sub.late_submission_penalty or 0))
            students[st.id] = student
            for nb in sub.notebooks:
                layout.setdefault(nb.name, [])
                known = {gid for gid, _ in layout[nb.name]}
                found = test_outputs(root, st.id, nb.name)
                errors, answers = found if found is not None else ({}, {})
                unchanged = {gid for gid, source in answers.items() if source == stubs.get(nb.name, {}).get(gid)}
                nb_score = nb_max = 0.0
                for g in nb.grades:
                    kind = "manual" if g.cell_type == "markdown" else "autograded"
                    if g.name not in known:
                        layout[nb.name].append((g.name, kind))
                        known.add(g.name)
                    cell = Cell(st.id, nb.name, g.name, kind, float(g.score or 0), float(g.max_score or 0),
                                bool(g.needs_manual_grade))
                    function = function_name(g.name)
                    if kind == "manual" and cell.score < cell.max_score and g.name in unchanged:
                        cell.attempted, cell.mistake = False, NOT_ATTEMPTED
                    if kind == "autograded" and cell.score < cell.max_score:
                        if found is None:
                            cell.submitted, cell.mistake, cell.message = False, NOT_SUBMITTED, NOT_SUBMITTED
                        elif g.name in errors:
                            ename, cell.message = errors[g.name]
                            if function in unchanged or failures.not_attempted(cell.message, ename):
                                cell.attempted, cell.mistake = False, NOT_ATTEMPTED
                            else:
                                cell.mistake = failures.mistake_key(cell.message, ename, function)
                                cell.misconception, cell.section = failures.misconception(cell.message, root)
                            if ename != "AssertionError":
                                cell.message = f"{ename}: {cell.message}"
                        elif g.manual_score is not None:
                            cell.mistake = "score set by hand"
                        else:
                            cell.mistake = "no failure shown in the autograded notebook"
                    cells.append(cell)
                    nb_score += cell.score
                    nb_max += cell.max_score
                student.notebook_scores[nb.name] = (nb_score, nb_max)
                student.score += nb_score
                student.max_score += nb_max

    results = outcomes.read_batches(course.reports)
    estimates = file_time_estimates(root, [s for s in students if s not in results])
    flagged = review.scan(root)
    for sid, student in students.items():
        student.problems = problems(course, student, results.get(sid), estimates,
                                    {key[1:]: flags for key, flags in flagged.items() if key[0] == sid})
    return students, cells, layout


def problems(course, student, result, estimates, flagged):
    """The problems of ``student`` [(category, notebook, detail)]: the batch's outcomes (or, for a student graded
    by plain nbgrader, what staging finds in submitted/), the cells grading stopped and the review's flags; sets
    the grading time."""
    if result is not None:
        student.seconds, student.timing = result.seconds, "batch"
        found, plain = ([] if result.ok else [Outcome(Kind.BATCH_FAILED)]) + list(result.outcomes), False
    else:
        student.seconds = estimates.get(student.id)
        student.timing = "file times" if student.seconds is not None else ""
        try:
            _, found = staging.staged_files(course.root, student.id)
        except Exception as exc:  # (one submission's problem, never the report's)
            found = [Outcome(Kind.UNREADABLE_SUBMISSION, detail=type(exc).__name__)]
        plain = True
    found += outcomes.recorded_in(course.autograded(student.id))
    found += [Outcome(Kind.FLAGGED_CODE, notebook=notebook, cell=label, detail=flag)
              for (notebook, label), flags in flagged.items() for flag in flags]
    listed, seen = [], set()
    for outcome in found:
        if outcome.problem and outcome not in seen:
            seen.add(outcome)
            detail = outcome.sentence.splitlines()[0]
            if plain and outcome.category in ("repaired", "tampering") and outcome.kind is not Kind.FLAGGED_CODE:
                detail += PLAIN
            listed.append((outcome.category, Path(outcome.notebook).stem, detail))
    return listed
