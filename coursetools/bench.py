"""Benchmarks: ``python -m coursetools bench``.

1. Every widget of every source notebook: each control is moved through its
   range (ends, initial value, every option), and each update is timed. The
   time is split into *compute* (everything but matplotlib: the student's
   functions, training, statistics) and *figure* (time with a matplotlib frame
   on the stack), and the PNG rendering is timed apart.
2. Each notebook's Run All in a real kernel (kernel start-up excluded).
3. Autograding one submission (the solutions) in a throw-away copy of the course.
"""

import contextlib
import io
import itertools
import os
import shutil
import statistics
import sys
import tempfile
import time
import warnings
from io import BytesIO
from pathlib import Path

import nbformat

from . import course


def _control_values(control):
    kw = control.kwargs
    if "options" in kw:
        return list(kw["options"])
    if control.kind == "Checkbox":
        return [False, True]
    if control.kind == "FloatLogSlider":  # min and max are base-10 exponents, the value is not
        return [10.0 ** kw["min"], control.value, 10.0 ** kw["max"]]
    return [kw["min"], control.value, kw["max"]]


def capture_widgets(notebook):
    """Run a source notebook's code in this process; return the (draw, controls) of each widgets.show."""
    folder = course.source_dir()
    sys.path.insert(0, str(folder))
    os.environ["INITLAB_WIDGETS"] = "static"
    import matplotlib
    matplotlib.use("Agg")
    from initlab import widgets
    captured = []
    original = widgets.show
    widgets.show = lambda draw, **controls: captured.append((draw, controls))
    try:
        nb = nbformat.read(str(folder / notebook), as_version=4)
        space = {"__name__": "__main__"}
        with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            _run_cells(nb, space, notebook)
    finally:
        widgets.show = original
    return captured


def _run_cells(nb, space, notebook):
        for cell in nb.cells:
            grade = cell.metadata.get("nbgrader", {})
            if cell.cell_type == "code" and not (grade.get("grade") and not grade.get("solution")):
                code = "\n".join(ln for ln in cell.source.splitlines() if not ln.lstrip().startswith("%"))
                exec(compile(code, notebook, "exec"), space)


def _is_mpl(path):
    return "matplotlib" in path or "mpl_toolkits" in path


def time_update(draw, values):
    """(total, compute, png) seconds of one widget update.

    compute = total minus the time during which a matplotlib frame is on the stack.
    """
    import matplotlib.pyplot as plt
    state = {"depth": 0, "start": 0.0, "mpl": 0.0}

    def profile(frame, event, _arg):
        if event not in ("call", "return") or not _is_mpl(frame.f_code.co_filename):
            return
        if event == "call":
            if state["depth"] == 0:
                state["start"] = time.perf_counter()
            state["depth"] += 1
        else:
            state["depth"] -= 1
            if state["depth"] == 0:
                state["mpl"] += time.perf_counter() - state["start"]

    started = time.perf_counter()
    sys.setprofile(profile)
    try:
        fig = draw(**values)
    finally:
        sys.setprofile(None)
    total = time.perf_counter() - started
    started = time.perf_counter()
    fig.savefig(BytesIO(), format="png")
    png = time.perf_counter() - started
    plt.close(fig)
    return total, max(total - state["mpl"], 0.0), png


def bench_widgets(notebook):
    rows = []
    for draw, controls in capture_widgets(notebook):
        names = list(controls)
        grid = [_control_values(controls[n]) for n in names]
        combos = list(itertools.product(*grid))[:60]
        draw(**{n: c.value for n, c in controls.items()})  # warm caches
        times = [time_update(draw, dict(zip(names, combo))) for combo in combos]
        compute = [t[1] for t in times]
        rows.append((notebook, draw.__name__, len(times), 1000 * statistics.median(compute), 1000 * max(compute),
                     1000 * statistics.median(t[0] - t[1] for t in times),
                     1000 * statistics.median(t[2] for t in times)))
    return rows


def bench_run_all(notebook):
    """Seconds to run every cell of a notebook in a fresh kernel, start-up excluded."""
    from nbclient import NotebookClient
    nb = nbformat.read(str(course.source_dir() / notebook), as_version=4)
    client = NotebookClient(nb, resources={"metadata": {"path": str(course.source_dir())}})
    with client.setup_kernel():
        started = time.perf_counter()
        for index, cell in enumerate(nb.cells):
            client.execute_cell(cell, index)
        return time.perf_counter() - started


def bench_autograde():
    """Seconds for `nbgrader autograde` of one submission (the solutions), in a copy of the course."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "course"
        root.mkdir()
        for name in ("nbgrader_config.py", "coursetools", "source"):
            src = course.ROOT / name
            (shutil.copytree if src.is_dir() else shutil.copy)(src, root / name)
        course.nbgrader("generate_assignment", course.ASSIGNMENT, root=root, capture_output=True)
        folder = root / "submitted" / "bench" / course.ASSIGNMENT
        folder.mkdir(parents=True)
        for name in course.notebooks(root):
            shutil.copy(course.source_dir(root) / name, folder / name)
        started = time.perf_counter()
        course.nbgrader("autograde", course.ASSIGNMENT, "--student", "bench", root=root, capture_output=True)
        return time.perf_counter() - started


def main():
    print("Widget updates (ms; compute = all but matplotlib; median and max over the control grid)")
    print(f"{'notebook':28} {'draw function':28} {'n':>3} {'compute':>8} {'max':>7} {'figure':>7} {'png':>6}")
    for notebook in course.notebooks():
        for row in bench_widgets(notebook):
            print(f"{row[0]:28} {row[1]:28} {row[2]:3d} {row[3]:8.1f} {row[4]:7.1f} {row[5]:7.1f} {row[6]:6.1f}")
    print("\nRun All (s, kernel start-up excluded)")
    for notebook in course.notebooks():
        print(f"{notebook:28} {bench_run_all(notebook):6.2f}")
    print(f"\nAutograde of one submission ({len(course.notebooks())} notebooks): {bench_autograde():.1f} s")
    return 0
