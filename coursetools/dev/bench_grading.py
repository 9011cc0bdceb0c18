"""Benchmark of class grading: ``python -m coursetools bench-grading [--students N]``.

Builds a synthetic class of N students (``synthetic_class``: correct, alternative-correct,
wrong and faulty submissions mixed, every notebook; the alternatives and the wrong
implementations are the answer key's), then grades copies of it with plain ``nbgrader
autograde`` (sequential), and with ``python -m coursetools autograde`` on one
worker and on one worker per core. Prints seconds per student and per
notebook, the floor (a kernel started in the sandbox and a correct
notebook's setup, answer and test cells run with nbclient, measured in the
same run), the ratio to the floor, the speed-ups, the peak memory of each
grading (all its processes) and whether its grades equal plain nbgrader's. ``--record FILE`` adds each
row to FILE as a JSON line (with the revision, the date and the load averages), which
``coursetools.dev.scaling_plot`` draws.
"""

import argparse
import datetime
import functools
import importlib
import json
import os
import pkgutil
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from ..course import Course, grade_id, tool, tool_env

KINDS = ("correct", "variant", "wrong", "faulty")


@functools.cache
def answer_key():
    """{function: answerkey.common.Answer} of every graded function the answer key implements: its reference
    (an implementation other than the notebook's solution) and its wrong implementations."""
    sys.path.insert(0, str(Course().source))  # the answer key imports initlab (as the test kernel does)
    import answerkey
    from answerkey.common import Answer

    found = {}
    for module in pkgutil.iter_modules(answerkey.__path__):
        for value in vars(importlib.import_module(f"answerkey.{module.name}")).values():
            if isinstance(value, Answer):
                found[value.name] = value
    return found


def answers(kind, i, notebooks=None):
    """{notebook: {grade_id: code}}: what the i-th synthetic student of ``kind`` changes in the solutions: nothing
    (correct), the answer key's reference of every function it has (variant), one wrong implementation of the
    answer key (wrong), one function that raises (faulty)."""
    from .copies import solutions

    key, plan = answer_key(), {}
    for nb in notebooks or Course().notebooks():
        functions = list(solutions(nb))
        fn = functions[i % len(functions)]
        known = [f for f in functions if f in key and key[f].wrongs]
        if kind == "variant":
            plan[nb] = {f: key[f].reference for f in functions if f in key}
        elif kind == "wrong" and known:
            wrongs = key[known[i % len(known)]].wrongs
            plan[nb] = {known[i % len(known)]: wrongs[i % len(wrongs)].source}
        elif kind == "faulty":
            plan[nb] = {fn: f"def {fn}(*args, **kwargs):\n    raise RuntimeError('unfinished')\n"}
    return plan


def synthetic_class(target, n, notebooks=None):
    """A throw-away copy of the course at ``target`` with ``n`` submissions of every kind in turn (on
    ``notebooks``, by default all)."""
    from .copies import CourseCopy

    Path(target).mkdir(parents=True)
    copy = CourseCopy(target, notebooks)
    for i in range(n):
        kind = KINDS[i % len(KINDS)]
        copy.submit_solutions(f"s{i:03d}_{kind}", answers(kind, i, copy.chosen))
    return copy


def floor(repeats=2):
    """Seconds per notebook: a sandboxed kernel started, then a correct notebook's setup, answer and test cells (the
    hidden tests included)."""
    import nbformat
    from nbclient import NotebookClient

    from ..grade.sandbox import SandboxKernelManager, unavailable_reason

    kernel_manager = SandboxKernelManager if unavailable_reason() is None else None
    times, course = [], Course()
    with tempfile.TemporaryDirectory(dir="/tmp") as work:
        for package in ("initlab", "answerkey"):  # the hidden tests import the answer key: here, in one kernel
            shutil.copytree(course.source / package, Path(work) / package)
        for name in course.notebooks():
            nb = nbformat.read(str(course.source / name), as_version=4)
            nb.cells = [c for c in nb.cells if c.cell_type == "code" and grade_id(c)]
            for _ in range(repeats):
                client = NotebookClient(nb, timeout=60, resources={"metadata": {"path": work}},
                                        **({"kernel_manager_class": kernel_manager} if kernel_manager else {}))
                started = time.perf_counter()
                client.execute(env=tool_env(NBGRADER_EXECUTION="autograde"))
                times.append(time.perf_counter() - started)
    return statistics.mean(times)


def _sample_tree(proc, cpu):
    """The memory in use by ``proc`` and all its descendants; records each one's CPU seconds so far in ``cpu``."""
    import psutil
    try:
        procs = [proc, *proc.children(recursive=True)]
    except psutil.Error:
        return 0
    total = 0
    for p in procs:
        try:
            with p.oneshot():
                total += p.memory_info().rss
                times = p.cpu_times()
            cpu[(p.pid, p.create_time())] = times.user + times.system
        except psutil.Error:
            pass
    return total


def timed(cmd, root):
    """(seconds, CPU seconds, peak bytes of memory) of the command and all its processes.

    The CPU of every process of the run (kernels included, whoever starts and reaps them) is sampled every 0.2 s,
    so up to 0.2 s of each process's last moments is missed."""
    import psutil
    env = dict(tool_env(), PYTHONPATH=str(root))
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak, cpu, watched = [0], {}, psutil.Process(proc.pid)

    def sample():
        while proc.poll() is None:
            peak[0] = max(peak[0], _sample_tree(watched, cpu))
            time.sleep(0.2)
    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    proc.wait()
    seconds = time.perf_counter() - started
    sampler.join()
    return seconds, sum(cpu.values()), peak[0]


def measured_floor(work, repeats=2, copies=1):
    """(wall, CPU) seconds per notebook of the floor, run in a process of its own like the gradings; with
    ``copies``, that many processes run it side by side and the means of theirs are given."""
    outs = [Path(work) / f"floor-{i}.txt" for i in range(copies)]
    code = ("import sys\nfrom coursetools.dev.bench_grading import floor\n"
            f"open(sys.argv[1], 'w').write(str(floor({repeats})))")
    cmd = [sys.executable, "-c", code]
    if copies > 1:  # one process that starts the copies, so that `timed` samples them all
        cmd = [sys.executable, "-c", "import subprocess, sys\n"
               f"procs = [subprocess.Popen([*{cmd!r}, out]) for out in sys.argv[1:]]\n"
               "sys.exit(max(p.wait() for p in procs))"]
    _, cpu, _ = timed([*cmd, *map(str, outs)], Course().root)
    return (statistics.mean(float(out.read_text()) for out in outs),
            cpu / (copies * repeats * len(Course().notebooks())))


def core_scaling(work):
    """How many times as fast as one this machine runs one floor per core side by side (the ceiling of the speed-up
    of one worker per core): cores x one floor's seconds per notebook / the floor's seconds per notebook when
    every core runs one."""
    one = measured_floor(work)[0]
    together = measured_floor(work, copies=os.cpu_count())[0]
    return os.cpu_count() * one / together


RUNS = ("plain", "one", "cores")  # plain nbgrader, the batch on one worker, the batch on one worker per core


def runs(chosen=RUNS):
    """[(label, command)] of the chosen runs, in the order of ``RUNS``."""
    cores = os.cpu_count()
    commands = {"plain": ("plain nbgrader autograde", [tool("nbgrader"), "autograde", Course.assignment]),
                "one": ("coursetools autograde, 1 worker",
                        [sys.executable, "-m", "coursetools", "autograde", "--workers", "1"]),
                "cores": (f"coursetools autograde, {cores} workers",
                          [sys.executable, "-m", "coursetools", "autograde", "--workers", str(cores)])}
    return [commands[name] for name in RUNS if name in chosen]


def bench(n, work, chosen=RUNS):
    """Grade a synthetic class of ``n`` in ``work``: one row per run, each with the floor measured just before and
    just after it.

    Each run's grades are compared with the first run's (plain nbgrader's when it runs)."""
    from ..grade.merge import snapshot

    base = synthetic_class(Path(work) / "base", n)
    notebooks = n * len(Course().notebooks())
    rows, reference = [], None
    ceiling = core_scaling(work) if "cores" in chosen and os.cpu_count() > 1 else None
    for label, cmd in runs(chosen):
        before = measured_floor(work)
        root = Path(work) / label.replace(" ", "_").replace(",", "")
        shutil.copytree(base.root, root, symlinks=True)
        load = os.getloadavg()[0]
        seconds, cpu, peak = timed(cmd, root)
        load = (load, os.getloadavg()[0])
        after = measured_floor(work)  # the machine's speed drifts: the floor is the mean of both sides of the run
        floor_wall, floor_cpu = (before[0] + after[0]) / 2, (before[1] + after[1]) / 2
        grades = snapshot(root)
        reference = grades if reference is None else reference
        rows.append({"run": label, "seconds": seconds, "per_student": seconds / n, "per_notebook": seconds / notebooks,
                     "floor": floor_wall, "floors": (before[0], after[0]), "cpu_per_notebook": cpu / notebooks,
                     "floor_cpu": floor_cpu, "peak_mib": peak / 2**20, "same": grades == reference, "load": load,
                     "ceiling": ceiling})
        shutil.rmtree(root)
    return rows


def table(n, rows):
    one = next((r["seconds"] for r in rows if r["run"].endswith(", 1 worker")), None)
    reference = "plain nbgrader" if rows[0]["run"].startswith("plain") else rows[0]["run"]
    course = Course()
    lines = [f"Class of {n} students x {len(course.notebooks())} notebooks, {os.cpu_count()} cores. Floor: a "
             "sandboxed kernel started + a correct notebook's setup, answer and test cells, the mean of two "
             "measurements, just before and just after each run.", "",
             "| run | total s | s / student | s / notebook | floor s | × floor | CPU s / notebook | × floor CPU "
             f"| speed-up vs 1 worker | peak memory MiB | grades = {reference} |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        speed_up = f"{one / r['seconds']:.2f}" if one else "—"
        lines.append(f"| {r['run']} | {r['seconds']:.0f} | {r['per_student']:.2f} | {r['per_notebook']:.2f} "
                     f"| {r['floor']:.2f} | {r['per_notebook'] / r['floor']:.2f} | {r['cpu_per_notebook']:.2f} "
                     f"| {r['cpu_per_notebook'] / r['floor_cpu']:.2f} | {speed_up} "
                     f"| {r['peak_mib']:.0f} | {'yes' if r['same'] else 'NO'} |")
    if rows[0].get("ceiling"):
        lines += ["", f"The floor run on every core at once ({os.cpu_count()} copies side by side) goes "
                  f"{rows[0]['ceiling']:.2f}x as fast as one: the most one worker per core can gain over one."]
    lines += ["", "Floor before / after each run (s): "
              + "; ".join(f"{r['run']} {r['floors'][0]:.2f} / {r['floors'][1]:.2f}" for r in rows),
              "Load average (1 min) at the start / end of each run: "
              + "; ".join(f"{r['run']} {r['load'][0]:.1f} / {r['load'][1]:.1f}" for r in rows)]
    return "\n".join(lines)


def arguments(parser):
    """Add the benchmark's options to ``parser`` (its own, or the ``bench-grading`` command's)."""
    parser.add_argument("--students", type=int, default=40, help="size of the synthetic class (default 40)")
    parser.add_argument("--runs", default=",".join(RUNS),
                        help="which gradings, comma-separated: plain (nbgrader autograde), one (the batch on one "
                             "worker), cores (one worker per core); default all three")
    parser.add_argument("--record", metavar="FILE", help="add each row to FILE as a JSON line (for the plot)")
    return parser


def record(path, n, rows):
    """Add ``rows`` of a class of ``n`` to the JSON-lines file ``path``, with the revision and the date."""
    revision = subprocess.run(["git", "describe", "--always", "--dirty"], cwd=Course().root, capture_output=True,
                              text=True).stdout.strip()
    with open(path, "a") as out:
        for row in rows:
            out.write(json.dumps({"students": n, "revision": revision, "cores": os.cpu_count(),
                                  "date": datetime.date.today().isoformat(), **row}) + "\n")


def main(argv=None):
    parser = arguments(argparse.ArgumentParser(prog="python -m coursetools bench-grading"))
    args = parser.parse_args(argv)
    chosen = args.runs.split(",")
    if args.students < 1 or not chosen or set(chosen) - set(RUNS):
        parser.error(f"--students must be at least 1 and --runs a comma-separated list of {', '.join(RUNS)} "
                     f"(got --students {args.students} --runs {args.runs})")
    with tempfile.TemporaryDirectory(prefix="bench-grading-") as work:
        rows = bench(args.students, work, chosen)
    print(table(args.students, rows))
    if args.record:
        record(args.record, args.students, rows)
    return 0 if all(r["same"] for r in rows) else 1
