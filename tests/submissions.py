"""Student submissions graded by the real nbgrader in a copy of the course (``coursetools.dev.copies``), on the
notebooks this run tests (``COURSE_NOTEBOOKS`` narrows them)."""

import json

from notebooks import NOTEBOOKS

from coursetools.dev.copies import COPIED, CourseCopy, filled, full, solution_code, solutions

__all__ = ["COPIED", "Course", "filled", "full", "solution_code", "solutions"]


class Course(CourseCopy):
    """A throw-away copy of the course in which nbgrader really runs, on the notebooks of this test run."""

    def __init__(self, path, notebooks=None):
        super().__init__(path, NOTEBOOKS if notebooks is None else notebooks)

    def feedback(self, student, notebook):
        return (self.root / "feedback" / student / self.assignment / notebook.replace(".ipynb", ".html")).read_text()

    def autograded(self, student, notebook=None):
        """The autograded folder of ``student``, or the JSON of one of its notebooks."""
        folder = super().autograded(student)
        return folder if notebook is None else json.loads((folder / notebook).read_text())
