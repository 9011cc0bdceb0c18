"""Benchmarks: ``python -m coursetools bench [SECTION ...]`` (default: all five).

1. ``latency``: every notebook in real JupyterLab in headless Chromium; every
   control of every live figure is moved MOVES times, one step at a time, and
   the time from the input event to the new figure loaded in the page is
   printed per control (median, p90, worst), next to the floor measured in the
   same run (a plain ipywidgets slider re-filling an Output with a one-line
   inline PNG) and the ratios to it. Target: median <= 1.5x, worst <= 3x.
2. ``kernel``: the same moves in this process, kernel side only: per update,
   *compute* (the notebook's update function: its computation and artist
   changes) and *draw* (drawing the figure and encoding the PNG).
3. ``runall``: each notebook's Run All in a real kernel (kernel start-up excluded).
4. ``autograde``: autograding one submission (the solutions) in a throw-away copy.
5. ``bridge``: a call from the test kernel to the student's, and back (``coursetools.dev.bench_bridge``).
"""

import contextlib
import io
import math
import os
import shutil
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

import nbformat

from ..course import Course, is_test_cell

MOVES = 8
TARGET = (1.5, 3.0)  # median and worst latency, as multiples of the floor


def _steps(control, moves):
    """The values a person moving ``control`` one step at a time goes through (back at the ends)."""
    kw, value = control.kwargs, control.value
    if "options" in kw or control.kind == "Checkbox":
        options = list(kw.get("options", [False, True]))
        return [options[(options.index(value) + k) % len(options)] for k in range(1, moves + 1)]
    log = control.kind == "FloatLogSlider"
    x, step, values = (math.log10(value) if log else value), kw["step"], []
    for _ in range(moves):
        if not kw["min"] - 1e-9 <= x + step <= kw["max"] + 1e-9:
            step = -step
        x = round(x + step, 10)
        values.append(10.0 ** x if log else type(value)(x))
    return values


def capture_widgets(notebook):
    """Run a source notebook's code in this process; return the (setup, update, controls, prerender) of each live
    figure, in the order the notebook shows them."""
    folder = Course().source
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))
    import matplotlib
    matplotlib.use("Agg")
    from initlab import widgets
    captured = []
    original, mode = widgets.show, os.environ.get("INITLAB_WIDGETS")
    widgets.show = lambda setup, update=None, prerender=(), **controls: update and captured.append(
        (setup, update, controls, prerender))
    os.environ["INITLAB_WIDGETS"] = "static"  # the notebook's own code, without widgets or figures
    try:
        nb = nbformat.read(str(folder / notebook), as_version=4)
        space = {"__name__": "__main__"}
        with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            _run_cells(nb, space, notebook)
    finally:
        widgets.show = original
        if mode is None:
            del os.environ["INITLAB_WIDGETS"]
        else:
            os.environ["INITLAB_WIDGETS"] = mode
    return captured


def control_labels(notebook):
    """[[the description of each control] for each live figure of a source notebook], run in this process."""
    return [[control.kwargs["description"] for control in controls.values()]
            for _, _, controls, _ in capture_widgets(notebook)]


def _run_cells(nb, space, notebook):
    for cell in nb.cells:
        if cell.cell_type == "code" and not is_test_cell(cell):
            code = "\n".join(ln for ln in cell.source.splitlines() if not ln.lstrip().startswith("%"))
            exec(compile(code, notebook, "exec"), space)


def bench_kernel(notebook, moves=MOVES):
    """[(notebook, control, compute ms list, draw ms list)]: each control stepped ``moves`` times."""
    rows = []
    captured = capture_widgets(notebook)
    from initlab import widgets
    for setup, update, every_control, prerender in captured:
        controls = {name: c for name, c in every_control.items() if c.kind != "Button"}
        live = widgets.LiveFigure(setup, update)
        values = {name: control.value for name, control in controls.items()}
        live.frame(values)
        for some in prerender:  # as widgets.show does once the figure is shown
            live.prerender({**values, **some})
        for name, control in controls.items():
            live.timings.clear()
            for value in _steps(control, moves):
                live.frame({**values, name: value})
            live.frame(values)  # back to the initial values before the next control
            times = live.timings[:-1]
            rows.append((notebook, control.kwargs["description"], [1000 * t[0] for t in times],
                         [1000 * t[1] for t in times]))
    return rows


def _stats(ms):
    ms = sorted(ms)
    return statistics.median(ms), ms[min(len(ms) - 1, int(round(0.9 * (len(ms) - 1))))], ms[-1]


def bench_latency(moves=MOVES, only=None):
    """(floor ms list, [(notebook, control, ms list)]) measured in one JupyterLab session.

    The floor is measured before the first notebook and after each one (its first move, a warm-up, is dropped).
    """
    from . import browser
    floor, rows = [], []
    with browser.course_lab() as (url, folder), browser.chromium() as chrome:
        def session(path, measure):
            page = browser.run_all(chrome, url, f"{folder}/{path}")
            try:
                for index, label, kind, item in browser.controls(page):
                    if kind == "button":  # a button starts work (Train), timed by the notebook itself
                        continue
                    times = []
                    for _ in range(moves):
                        times.append(1000 * browser.move(page, index, kind, item))
                        page.wait_for_timeout(200)
                    measure(label, times)
                if browser.errors(page):
                    print(f"warning: {path}: error output in the page:", *browser.errors(page), sep="\n")
            finally:
                page.close()
                browser.shutdown_kernels(url)

        session(browser.FLOOR, lambda label, times: floor.extend(times[1:]))
        for notebook in Course().notebooks(only=only):
            session(notebook, lambda label, times, nb=notebook: rows.append((nb, label, times)))
            session(browser.FLOOR, lambda label, times: floor.extend(times[1:]))
    return floor, rows


def print_latency(floor, rows):
    base = statistics.median(floor)
    print(f"Latency in JupyterLab, input event -> new figure loaded (ms; {MOVES} moves per control)")
    print(f"{'notebook':24} {'control':32} {'median':>7} {'p90':>6} {'worst':>6} {'med/floor':>9} {'worst/floor':>11}")
    f_med, f_p90, f_max = _stats(floor)
    print(f"{'floor (plain ipywidgets)':57} {f_med:7.0f} {f_p90:6.0f} {f_max:6.0f} {'':>9} {'':>11}  "
          f"({len(floor)} moves)")
    every = []
    for notebook, label, times in rows:
        med, p90, worst = _stats(times)
        every += times
        ok = "ok" if med <= TARGET[0] * base and worst <= TARGET[1] * base else "OVER TARGET"
        print(f"{notebook[:24]:24} {label[:32]:32} {med:7.0f} {p90:6.0f} {worst:6.0f} {med / base:9.2f} "
              f"{worst / base:11.2f}  {ok}")
    med, p90, worst = _stats(every)
    print(f"{'all controls':57} {med:7.0f} {p90:6.0f} {worst:6.0f} {med / base:9.2f} {worst / base:11.2f}  "
          f"({len(every)} moves; target: median <= {TARGET[0]}x, worst <= {TARGET[1]}x the floor median)")


def print_kernel(rows):
    print(f"Kernel side per update (ms; median / max over {MOVES} moves): compute = the notebook's update, "
          "draw = figure drawing + PNG")
    print(f"{'notebook':24} {'control':32} {'compute':>8} {'max':>6} {'draw':>6} {'max':>6}")
    for notebook, label, compute, draw in rows:
        print(f"{notebook[:24]:24} {label[:32]:32} {statistics.median(compute):8.1f} {max(compute):6.1f} "
              f"{statistics.median(draw):6.1f} {max(draw):6.1f}")


def bench_run_all(notebook):
    """Seconds to run every cell of a notebook in a fresh kernel, start-up excluded."""
    from nbclient import NotebookClient
    nb = nbformat.read(str(Course().source / notebook), as_version=4)
    client = NotebookClient(nb, resources={"metadata": {"path": str(Course().source)}})
    with client.setup_kernel():
        started = time.perf_counter()
        for index, cell in enumerate(nb.cells):
            client.execute_cell(cell, index)
        return time.perf_counter() - started


def bench_autograde():
    """Seconds for `nbgrader autograde` of one submission (the solutions), in a copy of the course."""
    with tempfile.TemporaryDirectory() as tmp:
        copy = Course(Path(tmp) / "course")
        copy.root.mkdir()
        for name in ("nbgrader_config.py", "coursetools", "source"):
            src = Course().root / name
            (shutil.copytree if src.is_dir() else shutil.copy)(src, copy.root / name)
        copy.nbgrader("generate_assignment", copy.assignment, capture_output=True)
        folder = copy.submission("bench")
        folder.mkdir(parents=True)
        for name in copy.notebooks():
            shutil.copy(copy.source / name, folder / name)
        started = time.perf_counter()
        copy.nbgrader("autograde", copy.assignment, "--student", "bench", capture_output=True)
        return time.perf_counter() - started


def main(sections=(), only=None):
    sections = sections or ("latency", "kernel", "runall", "autograde", "bridge")
    if "latency" in sections:
        print_latency(*bench_latency(only=only))
        print()
    if "kernel" in sections:
        print_kernel([row for notebook in Course().notebooks(only=only) for row in bench_kernel(notebook)])
        print()
    if "runall" in sections:
        print("Run All (s, kernel start-up excluded)")
        for notebook in Course().notebooks(only=only):
            print(f"{notebook:28} {bench_run_all(notebook):6.2f}")
        print()
    if "autograde" in sections:
        print(f"Autograde of one submission ({len(Course().notebooks())} notebooks): {bench_autograde():.1f} s")
    if "bridge" in sections:
        from . import bench_bridge
        bench_bridge.print_bridge(bench_bridge.measure())
    return 0
