"""Building student submissions and grading them with the real nbgrader in a copy of the course."""

import json
import re
import shutil
from pathlib import Path

import nbformat
from nbgrader.api import Gradebook
from notebooks import ASSIGNMENT, NOTEBOOKS, RELEASE, ROOT, SOURCE, answer_cells, read, written_answers

from coursetools import course

COPIED = ("nbgrader_config.py", "coursetools", "source", "release")


def solution_code(cell):
    """What a student who found the solution would type: the source answer cell without delimiters."""
    return "\n".join(line for line in cell.source.splitlines()
                     if not re.match(r"\s*### (BEGIN|END) SOLUTION", line)) + "\n"


def solutions(notebook):
    """{grade_id: solution} of a source notebook's answer cells: the code of the autograded ones and the
    model answer of the written ones (graded by hand), as a student who found them would submit them.

    A written answer left "YOUR ANSWER HERE" would make nbgrader's Validate report the notebook as failed.
    """
    nb = read(SOURCE / notebook)
    return {fn: solution_code(cell) for fn, cell in {**answer_cells(nb), **written_answers(nb)}.items()}


def filled(notebook, answers, release=RELEASE):
    """The release notebook with the given answer cells replaced: {grade_id: code}."""
    nb = read(Path(release) / notebook)
    for cell in nb.cells:
        gid = cell.metadata.get("nbgrader", {}).get("grade_id")
        if gid in answers:
            cell.source = answers[gid]
    return nb


class Course:
    """A throw-away copy of the course in which nbgrader really runs."""

    def __init__(self, path):
        self.root = Path(path)
        for name in COPIED:
            src = ROOT / name
            if src.is_dir():
                ignore = shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints")
                shutil.copytree(src, self.root / name, ignore=ignore)
            else:
                shutil.copy(src, self.root / name)
        self.nbgrader("generate_assignment", ASSIGNMENT, "--force")

    def nbgrader(self, *args, check=True):
        result = course.nbgrader(*args, root=self.root, check=check, capture_output=True, text=True)
        assert "Exception while loading config file" not in result.stderr, result.stderr
        return result

    def submit(self, student, notebooks):
        """Place {notebook name: NotebookNode or raw text} in submitted/<student>/<assignment>/."""
        folder = self.root / "submitted" / student / ASSIGNMENT
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
        release = self.root / "release" / ASSIGNMENT
        return self.submit(student, {nb: filled(nb, {**solutions(nb), **overrides.get(nb, {})}, release)
                                     for nb in (only or NOTEBOOKS)})

    def scores(self, student):
        """{notebook: {grade_id: (auto_score, max_score)}} of the test cells, from the gradebook."""
        out = {}
        with Gradebook(f"sqlite:///{self.root / 'gradebook.db'}") as gb:
            for nb in NOTEBOOKS:
                sub = gb.find_submission_notebook(nb[:-6], ASSIGNMENT, student)
                out[nb] = {g.name: (g.auto_score, g.max_score) for g in sub.grades
                           if g.name.startswith("test_")}
        return out

    def feedback(self, student, notebook):
        return (self.root / "feedback" / student / ASSIGNMENT / notebook.replace(".ipynb", ".html")).read_text()

    def autograded(self, student, notebook):
        return json.loads((self.root / "autograded" / student / ASSIGNMENT / notebook).read_text())


def full(scores):
    return {gid: mx for gid, (_, mx) in scores.items()}
