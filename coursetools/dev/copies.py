"""Throw-away copies of the course in which nbgrader really runs, and submissions to grade there.

``CourseCopy(path)`` copies what grading needs (the configuration, the tools, source/ and release/) and
releases the assignment; ``submit`` places notebooks in submitted/; ``submit_solutions`` the source notebooks'
solutions, answer cells replaced where asked. The tests, the grading benchmark and the synthetic classes use it.
"""

import re
import shutil
from pathlib import Path

import nbformat

from ..course import ROOT, Course, answer_cells, grade_id, written_answers

COPIED = ("nbgrader_config.py", "coursetools", "source", "release")


def read(path):
    """The notebook at ``path`` (nbformat 4)."""
    return nbformat.read(str(path), as_version=4)


def solution_code(cell):
    """What a student who found the solution would type: the source answer cell without delimiters."""
    return "\n".join(line for line in cell.source.splitlines()
                     if not re.match(r"\s*### (BEGIN|END) SOLUTION", line)) + "\n"


def solutions(notebook, course=None):
    """{grade_id: solution} of a source notebook's answer cells: the code of the autograded ones and the
    model answer of the written ones (graded by hand), as a student who found them would submit them.

    A written answer left "YOUR ANSWER HERE" would make nbgrader's Validate report the notebook as failed.
    """
    nb = read((course or Course()).source / notebook)
    return {fn: solution_code(cell) for fn, cell in {**answer_cells(nb), **written_answers(nb)}.items()}


def filled(notebook, answers, release=None):
    """The release notebook with the given answer cells replaced: {grade_id: code}."""
    nb = read(Path(release or Course().release) / notebook)
    for cell in nb.cells:
        if grade_id(cell) in answers:
            cell.source = answers[grade_id(cell)]
    return nb


class CourseCopy(Course):
    """A throw-away copy of the course at ``path`` in which nbgrader really runs (its ``notebooks``: all of the
    course's, or those given)."""

    def __init__(self, path, notebooks=None):
        super().__init__(path)
        self.chosen = list(notebooks) if notebooks is not None else Course().notebooks()
        for name in COPIED:
            src = ROOT / name
            if src.is_dir():
                ignore = shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints")
                shutil.copytree(src, self.root / name, ignore=ignore)
            else:
                shutil.copy(src, self.root / name)
        self.nbgrader("generate_assignment", self.assignment, "--force")

    def nbgrader(self, *args, check=True, **kwargs):
        """Run ``nbgrader ARGS`` here; its output is returned (a configuration that fails to load fails)."""
        kwargs = {"capture_output": True, "text": True, **kwargs}
        result = super().nbgrader(*args, check=check, **kwargs)
        assert "Exception while loading config file" not in (result.stderr or ""), result.stderr
        return result

    def submit(self, student, notebooks):
        """Place {notebook name: NotebookNode or raw text} in submitted/<student>/<assignment>/."""
        folder = self.submission(student)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "timestamp.txt").write_text("2026-11-20 12:00:00.000000 UTC")
        for name, nb in notebooks.items():
            text = nb if isinstance(nb, str) else nbformat.writes(nb)
            (folder / name).write_text(text)
        return folder

    def submit_solutions(self, student, overrides=None, only=None):
        """Notebooks solved, except the answer cells in ``overrides`` {notebook: {grade_id: code}}.

        ``only`` limits the submission to some notebooks (the others are missing).
        """
        overrides = overrides or {}
        return self.submit(student, {nb: filled(nb, {**solutions(nb), **overrides.get(nb, {})}, self.release)
                                     for nb in (only or self.chosen)})

    def scores(self, student):
        """{notebook: {grade_id: (auto_score, max_score)}} of the test cells, from the gradebook."""
        out = {}
        with self.gradebook() as gb:
            for nb in self.chosen:
                sub = gb.find_submission_notebook(nb[:-6], self.assignment, student)
                out[nb] = {g.name: (g.auto_score, g.max_score) for g in sub.grades
                           if g.name.startswith("test_")}
        return out


def full(scores):
    return {gid: mx for gid, (_, mx) in scores.items()}
