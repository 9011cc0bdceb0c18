"""Grades for Canvas, written by ``nbgrader export`` itself (``c.ExportApp.plugin_class`` in nbgrader_config.py).

``CanvasGrades`` writes ``grades-canvas.csv`` in the course root, in Canvas's gradebook import format
(*Grades → Import*): the columns ``Student, ID, SIS User ID, SIS Login ID, Section, <column>``, a
*Points Possible* row, then one row per student of the gradebook with the assignment's total after late
penalties (a student who submitted nothing gets 0, as in nbgrader's own CSV). ``ID`` is the student's Canvas
user id, nbgrader's ``lms_user_id``, which ``nbgrader zip_collect`` stores (``coursetools/collect/collector.py``).

Grades go back once, complete: while a written answer still waits for a TA the export refuses, naming how many
answers wait and in which cells, unless ``--CanvasGrades.provisional=True``, which writes
``grades-canvas-PROVISIONAL.csv`` instead. One file name each: a new export replaces the file, and a complete
export removes the provisional one.
"""

from collections import Counter
from pathlib import Path

from nbgrader.api import MissingEntry
from nbgrader.plugins import ExportPlugin
from traitlets import Bool, Unicode

from ..course import ASSIGNMENT

FINAL = "grades-canvas.csv"
PROVISIONAL = "grades-canvas-PROVISIONAL.csv"
HEADER = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]


class GradesNotFinal(Exception):
    """Written answers still wait for a TA: the grades would go back too early."""


def _number(x):
    return f"{x:.2f}".rstrip("0").rstrip(".")


class CanvasGrades(ExportPlugin):
    """``nbgrader export`` to Canvas's gradebook import CSV, refused while answers wait for manual grading."""

    column = Unicode("", help="The Canvas gradebook column of the assignment, as Canvas's own export names it, "
                              "e.g. 'Weight initialization (123456)'. Empty: the assignment's name (Canvas then "
                              "offers to create a new assignment of that name).").tag(config=True)
    provisional = Bool(False, help=f"Write the grades even while answers wait for a TA, to {PROVISIONAL} "
                                   "(never to the final file).").tag(config=True)

    def export(self, gradebook):
        """Write the file (see the module); a refusal is nbgrader's error line and exit status 1."""
        try:
            return self.write_grades(gradebook)
        except (GradesNotFinal, ValueError) as error:
            if hasattr(self.parent, "fail"):
                self.parent.fail(str(error))
            raise

    def write_grades(self, gradebook):
        assignment = self._assignment()
        rows, top, waiting, no_id = self.rows(gradebook, assignment)
        final = self._destination()
        if waiting and not self.provisional:
            if final.exists():
                final.unlink()  # its totals are no longer final: it must not be uploaded by mistake
                self.log.warning("Removed the earlier %s: answers wait for a TA again", final.name)
            raise GradesNotFinal(self.waiting_message(waiting))
        path = final.with_name(PROVISIONAL) if waiting else final
        self.write(path, rows, top, self.column or assignment)
        if not waiting:
            final.with_name(PROVISIONAL).unlink(missing_ok=True)
        else:
            self.log.warning("PROVISIONAL grades: %s", self.waiting_message(waiting, short=True))
        if no_id:
            self.log.warning("%d student(s) have no Canvas id (not collected with zip_collect): %s; Canvas will not "
                             "match their rows", len(no_id), ", ".join(no_id))
        if not self.column:
            self.log.warning("Canvas column %r: Canvas matches a column by its header, e.g. 'Weight initialization "
                             "(123456)' in Canvas's own export; set c.CanvasGrades.column in nbgrader_config.py",
                             assignment)
        self.log.info("Wrote %s: %d students, column %r, points possible %s", path, len(rows),
                      self.column or assignment, _number(top))
        return path

    def rows(self, gradebook, assignment):
        """([Student, ID, '', '', '', total] per student), points possible, Counter of waiting cells, [no Canvas id]."""
        try:
            top = float(gradebook.find_assignment(assignment).max_score or 0)
        except MissingEntry:
            raise ValueError(f"no assignment {assignment!r} in the gradebook: run `nbgrader generate_assignment "
                             f"{assignment}` and grade it first") from None
        rows, waiting, no_id = [], Counter(), []
        for student in sorted(gradebook.students, key=lambda s: s.id):
            if self.student and student.id not in [str(s) for s in self.student]:
                continue
            total = 0.0
            try:
                sub = gradebook.find_submission(assignment, student.id)
            except MissingEntry:
                pass
            else:
                total = max(0.0, float(sub.score or 0) - float(sub.late_submission_penalty or 0))
                for nb in sub.notebooks:
                    waiting.update(f"{nb.name} {g.name}" for g in nb.grades if g.needs_manual_grade)
            name = " ".join(n for n in (student.first_name, student.last_name) if n) or student.id
            lms_id = str(student.lms_user_id or "").strip()
            if not lms_id:
                no_id.append(student.id)
            rows.append([name, lms_id, "", "", "", _number(total)])
        return rows, top, waiting, no_id

    @staticmethod
    def waiting_message(waiting, short=False):
        cells = "; ".join(f"{cell}: {n}" for cell, n in sorted(waiting.items()))
        text = f"{sum(waiting.values())} written answer(s) still wait for a TA ({cells})"
        if short:
            return text
        return (f"{FINAL} not written: {text}. Grade them in the formgrader (Manual Grading), then run "
                f"`nbgrader export` again; or write {PROVISIONAL} with "
                "`nbgrader export --CanvasGrades.provisional=True`.")

    @staticmethod
    def write(path, rows, top, column):
        import csv
        with open(path, "w", newline="") as f:
            writer = csv.writer(f)
            writer.writerow([*HEADER, column])
            writer.writerow(["Points Possible", "", "", "", "", _number(top)])
            writer.writerows(rows)

    def _assignment(self):
        if len(self.assignment) > 1:
            raise ValueError(f"one assignment per Canvas column, got {self.assignment!r}")
        return str(self.assignment[0]) if self.assignment else ASSIGNMENT

    def _destination(self):
        if self.to:
            return Path(self.to).resolve()
        coursedir = getattr(self.parent, "coursedir", None)
        return Path(coursedir.root if coursedir is not None else ".").resolve() / FINAL
