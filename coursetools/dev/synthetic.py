"""A graded class built without kernels, with known mistakes: what ``python -m coursetools insight`` reads.

``build(root, plan)`` writes, in ``root``, what grading a class leaves behind: the gradebook (nbgrader's API, every
graded cell of the release), the autograded notebooks (the release with each student's answers and the failures of
the test cells as error outputs) and a batch report; ``source/`` and ``release/`` are links to this checkout.
A plan maps each student to what went wrong, by graded cell:

- ``("misconception", key, section)``: the test fails with a message in the course's format, its first line
  ``<function>: <mistake>``, details with measured values, and ``Revisit: <title> (<section>).``;
- ``("mistake", text)``: the test fails with ``text`` and no ``Revisit:`` line;
- ``"blank"``: the answer is left as released; its test says ``<function> is not implemented yet.``;
- a written answer: ``("written", score)`` (graded by a TA), ``("written", None)`` (waiting) or ``"blank"``;
- ``"missing": [notebook, ...]``: notebooks the student did not submit.

Every other test cell passes and every other written answer waits for a TA. ``python -m coursetools.dev.synthetic
FOLDER [N]`` builds a class of N (default 40) with ``random_plan``.
"""

import json
import random
import sys
from datetime import datetime
from pathlib import Path

from ..course import ASSIGNMENT, ROOT, Course, function_name, grade_id, nbgrader_metadata
from ..outcomes import Kind, Outcome, Result, write_batch

# Where each misconception shows, as the random plan draws it: {key: [(notebook prefix, function, section)]}
WHERE = {
    "variance-as-std": [("03", "lecun_normal", "3.3 LeCun"), ("03", "xavier_normal", "3.5 Glorot"),
                        ("04", "he_normal", "4.2 He"), ("01", "initialize_random", "1.4 Small random")],
    "global-rng": [("01", "initialize_random", "1.4 Small random"), ("02", "random_matrix_product", "2.2 Products"),
                   ("05", "he_uniform", "5.2 Uniform"), ("05", "sparse_init", "5.5 Sparse")],
    "fans-swapped": [("03", "lecun_normal", "3.3 LeCun"), ("04", "he_normal", "4.2 He"),
                     ("05", "variance_scaling", "5.4 Variance scaling")],
    "transposed": [("01", "initialize_random", "1.4 Small random"), ("03", "xavier_normal", "3.5 Glorot"),
                   ("06", "initialize_network", "6.1 The network")],
    "relu-half": [("04", "relu_second_moment", "4.1 ReLU"), ("04", "backward_variances", "4.3 Backward")],
    "uniform-vs-normal": [("05", "xavier_uniform", "5.2 Uniform"), ("05", "he_uniform", "5.2 Uniform")],
    "global-norm": [("06", "clip_by_global_norm", "6.3 Clipping")],
}
FIRST_LINES = {
    "variance-as-std": "the variance was used as the standard deviation",
    "global-rng": "drew from numpy's global random state, not from rng",
    "fans-swapped": "n_in and n_out were swapped (fan_out used for fan_in)",
    "transposed": "W has shape (n_in, n_out): transposed",
    "relu-half": "the factor 1/2 of ReLU is missing",
    "uniform-vs-normal": "normal weights where uniform ones were asked for",
    "global-norm": "each array was clipped by its own norm",
}


def notebook_names():
    return [name[:-6] for name in Course().notebooks()]


def message(function, key, section, rng):
    """A failure message in the course's format (initlab/mistakes.py), with a measured value that varies."""
    title = Course().helper("mistakes").MISCONCEPTIONS[key].title
    measured = f"{rng.uniform(0.001, 0.09):.4f}"
    return (f"{function}: {FIRST_LINES[key]}\n"
            f"{function}(400, 100) gave weights of variance {measured} where {0.0025:.4f} was expected "
            f"(n_in=400, n_out=100).\nRevisit: {title} ({section}).")


def build(root, plan, seed=0):
    """Write the graded class of ``plan`` in ``root`` (see the module); return ``root``."""
    import nbformat
    from nbformat.v4 import new_output

    rng = random.Random(seed)
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    for name in ("source", "release"):
        if not (root / name).exists():
            (root / name).symlink_to(ROOT / name)
    course = Course(root)
    releases = {nb: nbformat.read(str(course.release / f"{nb}.ipynb"), as_version=4) for nb in notebook_names()}
    results = []
    with course.gradebook() as gb:
        gb.add_assignment(ASSIGNMENT)
        for nb, release in releases.items():
            gb.add_notebook(nb, ASSIGNMENT)
            for cell in release.cells:
                meta = nbgrader_metadata(cell)
                if meta.get("grade"):
                    gb.add_grade_cell(meta["grade_id"], nb, ASSIGNMENT, max_score=meta["points"],
                                      cell_type=cell.cell_type)
                if meta.get("solution"):
                    gb.add_solution_cell(meta["grade_id"], nb, ASSIGNMENT)
        for student, wrong in plan.items():
            gb.add_student(student)
            sub = gb.add_submission(ASSIGNMENT, student)
            missing = set(wrong.get("missing", []))
            folder = course.autograded(student)
            folder.mkdir(parents=True, exist_ok=True)
            for nb_grades in sub.notebooks:
                nb = nb_grades.name
                graded = _autograded(releases[nb], wrong, rng, new_output)
                for grade in nb_grades.grades:
                    function = function_name(grade.name)
                    what = wrong.get(function)
                    if nb in missing:
                        grade.auto_score = 0.0
                    elif grade.cell_type == "markdown":
                        grade.auto_score = 0.0 if what == "blank" else None
                        grade.needs_manual_grade = what != "blank" and (what is None or what[1] is None)
                        if isinstance(what, tuple) and what[1] is not None:
                            grade.manual_score = what[1]
                    else:
                        grade.auto_score = 0.0 if what else grade.max_score
                        grade.needs_manual_grade = False
                if nb not in missing:
                    nbformat.write(graded, str(folder / f"{nb}.ipynb"))
            results.append(Result(student, True, (Outcome(Kind.GRADED, seconds=round(10 + rng.random() * 5)),)))
        gb.db.commit()
    write_batch(course.reports, datetime(2026, 12, 1, 10, 0), None, results)
    return root


def _autograded(release, wrong, rng, new_output):
    """The release notebook as the student's autograded copy: answers written (or left), failures shown."""
    import copy
    nb = copy.deepcopy(release)
    for cell in nb.cells:
        meta, gid = nbgrader_metadata(cell), grade_id(cell) or ""
        if meta.get("solution") and wrong.get(gid) != "blank":
            cell.source = (f"My derivation of {gid}: Var(z) = n Var(W) Var(x)." if cell.cell_type == "markdown"
                           else f"def {gid}(*args, **kwargs):\n    return 0.0  # the student's attempt\n")
        if cell.cell_type != "code" or not gid.startswith("test_"):
            continue
        function = gid[len("test_"):]
        what = wrong.get(function)
        if what is None:
            cell.outputs = [new_output("stream", name="stdout", text=f"{function}: the visible tests passed.\n")]
            continue
        if what == "blank":
            ename, text = "AssertionError", f"{function} is not implemented yet."
        elif what[0] == "misconception":
            ename, text = "AssertionError", message(function, what[1], what[2], rng)
        else:
            ename, text = "AssertionError", what[1]
        cell.outputs = [new_output("error", ename=ename, evalue=text, traceback=[f"{ename}: {text}"])]
    return nb


def random_plan(n, seed=0):
    """A class of ``n`` with the misconceptions of ``WHERE`` (each student holds some, in some of their cells),
    other mistakes, blank answers, written answers graded or waiting, and a missing notebook now and then."""
    rng = random.Random(seed)
    weights = {"variance-as-std": 0.35, "global-rng": 0.25, "fans-swapped": 0.2, "transposed": 0.12,
               "relu-half": 0.15, "uniform-vs-normal": 0.1, "global-norm": 0.08}
    plan = {}
    for i in range(1, n + 1):
        wrong = {}
        for key, p in weights.items():
            if rng.random() < p:
                for _, function, section in WHERE[key]:
                    if rng.random() < 0.6:
                        wrong.setdefault(function, ("misconception", key, section))
        if rng.random() < 0.3:
            wrong.setdefault("count_distinct_units", ("mistake", "count_distinct_units: rows equal within atol "
                                                                 "were counted as distinct\nWith atol=1e-06 ..."))
        if rng.random() < 0.15:
            for function in ("measure_forward_variances", "measure_backward_variances", "sparse_init"):
                wrong[function] = "blank"
        for answer in ("derive_backward", "derive_relu_second_moment"):
            wrong[answer] = "blank" if rng.random() < 0.1 else ("written", rng.choice([None, 1, 2, 3, 3]))
        if rng.random() < 0.05:
            wrong["missing"] = ["06_training_playground"]
        plan[f"student{i:03d}"] = wrong
    return plan


if __name__ == "__main__":
    folder = Path(sys.argv[1])
    size = int(sys.argv[2]) if len(sys.argv) > 2 else 40
    build(folder, random_plan(size))
    print(json.dumps({"root": str(folder), "students": size}))
