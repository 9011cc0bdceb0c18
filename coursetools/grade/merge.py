"""Merge one student's autograded notebooks from a worker into the course: ``autograded/`` and the gradebook.

Only the coordinating process writes here. The gradebook is updated with
nbgrader's own steps, as ``nbgrader autograde`` does in the course itself: the
submission (with its timestamp) is created or updated, notebooks missing from
the submission score 0, and each autograded notebook goes through nbgrader's
``SaveAutoGrades`` and ``AssignLatePenalties``. So manual scores, comments and
extra credit already in the gradebook are kept (and the student's LMS id, which
``nbgrader zip_collect`` stored).

One difference from plain nbgrader: ``SaveAutoGrades`` marks every cell that has a
manual score as needing a manual grade again, so after a re-run every graded
written answer looks ungraded. Here a cell a TA has graded keeps its graded state
when what the TA judged is unchanged: the same cell source as in the notebook the
TA graded (the previous ``autograded/`` copy) and the same autograder score.
A changed answer (a new submission) is flagged for review again.

After a merge, ``check_scores`` and ``score`` read what the gradebook holds for the student (``Outcome`` records
of cells left without a score, the student's ``Score``).
"""

import shutil
import warnings

import nbformat
from nbgrader.api import MissingEntry
from nbgrader.preprocessors import AssignLatePenalties, SaveAutoGrades
from nbgrader.utils import parse_utc

from ..course import Course, grade_id, is_graded
from ..outcomes import Kind, Outcome, Score

GRADEBOOK_STEPS = (SaveAutoGrades, AssignLatePenalties)  # the autograding steps that write the gradebook


class Merger:
    """Writes workers' results into the course at ``root`` (one instance per batch)."""

    def __init__(self, root):
        self.course = Course(root)
        self.config = config = self.course.config()
        self.steps = [step(config=config) for step in GRADEBOOK_STEPS]

    def merge(self, student, files):
        """Write ``files`` ({path: bytes} of the autograded folder) and record their grades."""
        assignment = self.course.assignment
        folder = self.course.autograded(student)
        graded = self._graded_by_hand(student, folder)
        shutil.rmtree(folder, ignore_errors=True)
        for name, data in files.items():
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            (folder / name).write_bytes(data)
        stamp = files.get("timestamp.txt", b"").decode(errors="replace").strip()
        with self.course.gradebook() as gb, warnings.catch_warnings():
            warnings.simplefilter("ignore")  # SQLAlchemy's autoflush notes, which nbgrader's own runs also get
            gb.update_or_create_student(student)
            if stamp:
                gb.update_or_create_submission(assignment, student, timestamp=parse_utc(stamp))
            else:
                gb.update_or_create_submission(assignment, student)
            for notebook in gb.find_assignment(assignment).notebooks:
                if f"{notebook.name}.ipynb" not in files:  # as nbgrader: a missing notebook scores 0
                    for grade in gb.find_submission_notebook(notebook.name, assignment, student).grades:
                        grade.auto_score = 0
                        grade.needs_manual_grade = False
                    gb.db.commit()
        for name in sorted(n for n in files if n.endswith(".ipynb") and "/" not in n):
            nb = nbformat.reads(files[name].decode(), as_version=4)
            resources = {"nbgrader": {"db_url": self.course.gradebook_url, "assignment": assignment,
                                      "notebook": name[:-6], "student": student}}
            for step in self.steps:
                nb, resources = step.preprocess(nb, resources)
        self._keep_graded_state(student, graded, files)

    def _graded_by_hand(self, student, folder):
        """{(notebook, grade id): (auto score, cell source)} of the cells a TA has graded (a manual score and
        no longer flagged), with the source of the cell in the autograded notebook the TA saw."""
        graded = {}
        with self.course.gradebook() as gb:
            try:
                submission = gb.find_submission(self.course.assignment, student)
            except MissingEntry:
                return graded
            for nb in submission.notebooks:
                for grade in nb.grades:
                    if grade.manual_score is not None and not grade.needs_manual_grade:
                        graded[(nb.name, grade.name)] = grade.auto_score
        sources = {}
        for name in {name for name, _ in graded}:
            sources[name] = _cell_sources((folder / f"{name}.ipynb").read_bytes()
                                          if (folder / f"{name}.ipynb").exists() else None)
        return {key: (auto, sources[key[0]].get(key[1])) for key, auto in graded.items()
                if sources[key[0]].get(key[1]) is not None}

    def _keep_graded_state(self, student, graded, files):
        """Clear the "needs manual grade" flag SaveAutoGrades set on cells graded by hand whose answer and
        autograder score are unchanged."""
        if not graded:
            return
        with self.course.gradebook() as gb:
            for (name, gid), (auto, source) in graded.items():
                new = _cell_sources(files.get(f"{name}.ipynb"))
                grade = gb.find_grade(gid, name, self.course.assignment, student)
                if new.get(gid) == source and grade.auto_score == auto and grade.manual_score is not None:
                    grade.needs_manual_grade = False
            gb.db.commit()


def _cell_sources(data):
    """{grade id: source} of an autograded notebook's graded cells ({} when there is none or it is unreadable)."""
    if data is None:
        return {}
    try:
        nb = nbformat.reads(data.decode() if isinstance(data, bytes) else data, as_version=4)
    except Exception:  # an unreadable old copy: the TA's grade is flagged for review again
        return {}
    return {grade_id(cell): cell.source for cell in nb.cells if is_graded(cell)}


def check_scores(root, student):
    """Outcomes of the gradebook entries of ``student`` that lack a score (none when every test cell has one)."""
    course = Course(root)
    problems = []
    with course.gradebook() as gb:
        for name in course.notebooks():
            try:
                sub = gb.find_submission_notebook(name[:-6], course.assignment, student)
            except MissingEntry:
                problems.append(Outcome(Kind.NO_GRADES, notebook=name))
                continue
            missing = [g.name for g in sub.grades if g.name.startswith("test_") and g.auto_score is None]
            if missing:
                problems.append(Outcome(Kind.NO_SCORE, notebook=name, cells=tuple(missing)))
    return problems


def score(root, student):
    """The ``Score`` of ``student`` in the gradebook (None when it has no grades), with the written answers left
    to grade by hand."""
    course = Course(root)
    with course.gradebook() as gb:
        try:
            sub = gb.find_submission(course.assignment, student)
        except MissingEntry:
            return None
        notebooks = sorted(sub.notebooks, key=lambda n: n.name)
        return Score(sub.score, sub.max_score, tuple((nb.name, nb.score, nb.max_score) for nb in notebooks),
                     sum(1 for nb in notebooks for g in nb.grades if g.needs_manual_grade))


def snapshot(root, assignment=Course.assignment):
    """Every grade and comment of the course gradebook, for comparing two gradings cell by cell.

    {(student, notebook, cell): (auto_score, manual_score, extra_credit, max_score, needs_manual_grade)
    for grades, (auto_comment, manual_comment) for comments}, with each notebook's late penalty.
    """
    out = {}
    with Course(root).gradebook() as gb:
        for sub in gb.find_assignment(assignment).submissions:
            for nb in sub.notebooks:
                key = (sub.student.id, nb.name)
                out[(*key, "late_submission_penalty")] = nb.late_submission_penalty
                for g in nb.grades:
                    out[(*key, g.name)] = (g.auto_score, g.manual_score, g.extra_credit, g.max_score,
                                           g.needs_manual_grade)
                for c in nb.comments:
                    out[(*key, "comment " + c.name)] = (c.auto_comment, c.manual_comment)
    return out
