"""Merge one student's autograded notebooks from a worker into the course: ``autograded/`` and the gradebook.

Only the coordinating process writes here. The gradebook is updated with
nbgrader's own steps, as ``nbgrader autograde`` does in the course itself: the
submission (with its timestamp) is created or updated, notebooks missing from
the submission score 0, and each autograded notebook goes through nbgrader's
``SaveAutoGrades`` and ``AssignLatePenalties``. So manual scores, comments and
extra credit already in the gradebook are kept, and a test cell that has a
manual score is marked as needing a manual grade again, exactly as nbgrader marks it.
"""

import shutil
import warnings
from pathlib import Path

import nbformat
from nbgrader.api import Gradebook
from nbgrader.preprocessors import AssignLatePenalties, SaveAutoGrades
from nbgrader.utils import parse_utc

from . import course


class Merger:
    """Writes workers' results into the course at ``root`` (one instance per batch)."""

    def __init__(self, root):
        from .worker import load_config
        self.root = Path(root)
        self.db_url = f"sqlite:///{self.root / 'gradebook.db'}"
        config = load_config(self.root)
        self.steps = [SaveAutoGrades(config=config), AssignLatePenalties(config=config)]

    def merge(self, student, files):
        """Write ``files`` ({path: bytes} of the autograded folder) and record their grades."""
        folder = self.root / "autograded" / student / course.ASSIGNMENT
        shutil.rmtree(folder, ignore_errors=True)
        for name, data in files.items():
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            (folder / name).write_bytes(data)
        stamp = files.get("timestamp.txt", b"").decode(errors="replace").strip()
        with Gradebook(self.db_url) as gb, warnings.catch_warnings():
            warnings.simplefilter("ignore")  # SQLAlchemy's autoflush notes, which nbgrader's own runs also get
            gb.update_or_create_student(student)
            if stamp:
                gb.update_or_create_submission(course.ASSIGNMENT, student, timestamp=parse_utc(stamp))
            else:
                gb.update_or_create_submission(course.ASSIGNMENT, student)
            for notebook in gb.find_assignment(course.ASSIGNMENT).notebooks:
                if f"{notebook.name}.ipynb" not in files:  # as nbgrader: a missing notebook scores 0
                    for grade in gb.find_submission_notebook(notebook.name, course.ASSIGNMENT, student).grades:
                        grade.auto_score = 0
                        grade.needs_manual_grade = False
                    gb.db.commit()
        for name in sorted(n for n in files if n.endswith(".ipynb") and "/" not in n):
            nb = nbformat.reads(files[name].decode(), as_version=4)
            resources = {"nbgrader": {"db_url": self.db_url, "assignment": course.ASSIGNMENT,
                                      "notebook": name[:-6], "student": student}}
            for step in self.steps:
                nb, resources = step.preprocess(nb, resources)


def snapshot(root, assignment=course.ASSIGNMENT):
    """Every grade and comment of the course gradebook, for comparing two gradings cell by cell.

    {(student, notebook, cell): (auto_score, manual_score, extra_credit, max_score, needs_manual_grade)
    for grades, (auto_comment, manual_comment) for comments}, with each notebook's late penalty.
    """
    out = {}
    with Gradebook(f"sqlite:///{Path(root) / 'gradebook.db'}") as gb:
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
