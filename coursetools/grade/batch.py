"""Grade every submission safely and in parallel: ``python -m coursetools autograde``.

For each student folder in submitted/, the coordinating process (this one):

1. stages a clean copy of the submission in memory (``coursetools.staging``);
2. sends it as a task to a ``dask.distributed`` cluster, by default a
   ``LocalCluster`` with one worker process per core, or the cluster of
   ``--scheduler tls://HOST:PORT``; the worker runs nbgrader's autograde on it
   in a scratch course of its own (``coursetools.worker``), within the
   student's time budget;
3. merges the autograded notebooks it gets back into autograded/ and the course
   gradebook with nbgrader's own steps (``coursetools.gradebook_merge``), and
   checks that every test cell got a score.

No file system is shared with the workers. A task whose worker dies runs again
on another one. The cluster requires credentials: TLS with temporary certificates
for the local cluster, the certificates of Dask's configuration for
``--scheduler`` (README, "Grading a large class"); a worker takes one student at a
time, so that no student waits behind another's task on a busy worker. Only one
batch runs at a time (a lock file; a second one waits). One student's failure
never stops the batch. A progress bar shows the students done, the failures and
the time left; a report of every submission that did not grade cleanly, and why,
is printed and written to reports/, with each student's score (and the maximum)
and the score of each notebook.
"""

import contextlib
import fcntl
import html
import json
import logging
import os
import sys
import uuid
import warnings
from datetime import datetime
from pathlib import Path

from nbgrader.api import Gradebook, MissingEntry

from . import collect, course, staging, worker
from .gradebook_merge import Merger
from .inert import SAFE_ID
from .staging import STAGED, expected_notebooks, stage  # noqa: F401 (the batch's staging, as before)

# Seconds a task may run past the student's time budget before the worker gives up on it: the budget stops the
# student's cells (coursetools.preprocessors); this only stops nbgrader itself if it ever hung.
TASK_GRACE = 120


def check_scores(root, student):
    """Problems with the gradebook entries of ``student`` (empty when every test cell has a score)."""
    problems = []
    with Gradebook(f"sqlite:///{Path(root) / 'gradebook.db'}") as gb:
        for name in expected_notebooks(root):
            try:
                sub = gb.find_submission_notebook(name[:-6], course.ASSIGNMENT, student)
            except MissingEntry:
                problems.append(f"{name}: no grades in the gradebook")
                continue
            missing = [g.name for g in sub.grades if g.name.startswith("test_") and g.auto_score is None]
            if missing:
                problems.append(f"{name}: no score for {', '.join(missing)}")
    return problems


def _points(x):
    return f"{x:g}" if x is not None else "?"


def score_line(root, student):
    """"27 / 31 points (01 5/5, 02 8/8, 03 6/9, ...)" from the gradebook, with the written answers left to grade."""
    with Gradebook(f"sqlite:///{Path(root) / 'gradebook.db'}") as gb:
        try:
            sub = gb.find_submission(course.ASSIGNMENT, student)
        except MissingEntry:
            return "no grades in the gradebook"
        parts, waiting = [], 0
        for nb in sorted(sub.notebooks, key=lambda n: n.name):
            parts.append(f"{nb.name[:2]} {_points(nb.score)}/{_points(nb.max_score)}")
            waiting += sum(1 for g in nb.grades if g.needs_manual_grade)
        line = f"{_points(sub.score)} / {_points(sub.max_score)} points ({', '.join(parts)})"
        if waiting:
            line += f", {waiting} cell{'s' if waiting > 1 else ''} to grade by hand"
        return line


def faults(root, student):
    """Cells of the autograded notebooks in which the kernel died or hung."""
    found = []
    seen = set()
    folder = Path(root) / "autograded" / student / course.ASSIGNMENT
    for path in sorted(folder.glob("*.ipynb")):
        for cell in json.loads(path.read_text()).get("cells", []):
            gid = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id", "a cell")
            for out in cell.get("outputs", []):
                if out.get("output_type") == "error" and out.get("ename") == "KernelFault":
                    line = f"{path.name}: {out['ename']}: {out.get('evalue', '')}"
                    if out.get("evalue", "").startswith("not run:"):
                        if line not in seen:  # one line for all the abandoned cells
                            seen.add(line)
                            found.append(line)
                    else:
                        found.append(f"{path.name} {gid}: {out['ename']}: {out.get('evalue', '')}")
    return found


def merge_result(root, merger, result):
    """Merge a worker's result for one student and check it; return (ok, notes)."""
    student = result["student"]
    if result["timed_out"]:
        return False, [f"autograde took more than {course.STUDENT_TIME_LIMIT + TASK_GRACE} s and was stopped"]
    if "Exception while loading config file" in result["log"]:
        raise SystemExit("nbgrader_config.py failed to load; nothing was graded:\n" + result["log"])
    if result["success"] or any(name.endswith(".ipynb") for name in result["files"]):
        merger.merge(student, result["files"])  # as nbgrader, which records nothing when it grades nothing
    notes = [f"autograded in {result['seconds']:.0f} s"]
    if not result["success"]:
        tail = "\n".join(result["log"].strip().splitlines()[-8:])
        notes.append(f"nbgrader autograde failed on {result['host']}:\n{tail}")
    problems = check_scores(root, student)
    return result["success"] and not problems, notes + problems + faults(root, student)


def students(root):
    folder = Path(root) / "submitted"
    return sorted(p.name for p in folder.iterdir() if p.is_dir()) if folder.exists() else []


@contextlib.contextmanager
def _course_lock(root):
    lock_path = Path(root) / ".grading" / "autograde.lock"
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            print("Another autograde of this course is running; waiting for it to finish...", flush=True)
            fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def security(scheduler=None):
    """The credentials of the cluster: temporary ones for a local cluster, else those of Dask's configuration
    (``distributed.comm.tls.*``), which a ``tls://`` scheduler needs (README)."""
    from distributed.security import Security

    if scheduler is None:
        return Security.temporary()
    if not scheduler.startswith("tls://"):
        raise SystemExit(f"--scheduler {scheduler}: use a tls:// address with certificates (README, 'Grading a "
                         "large class'); a plain tcp:// scheduler runs whatever anyone who reaches it sends")
    found = Security()
    if not found.tls_client_cert:
        raise SystemExit("--scheduler: no client certificate in Dask's configuration (set "
                         "DASK_DISTRIBUTED__COMM__TLS__CA_FILE and DASK_DISTRIBUTED__COMM__TLS__CLIENT__CERT, README)")
    return found


@contextlib.contextmanager
def cluster_client(workers=None, scheduler=None, credentials=None):
    """A dask.distributed Client: on the cluster at ``scheduler``, or on a new LocalCluster, with ``credentials``
    (a distributed ``Security``; by default ``security(scheduler)``)."""
    import dask
    from distributed import Client, LocalCluster

    for name in ("distributed", "tornado", "asyncio"):
        logging.getLogger(name).setLevel(logging.CRITICAL)
    warnings.filterwarnings("ignore", module="distributed")
    credentials = credentials or security(scheduler)
    if scheduler:
        with Client(scheduler, timeout="30s", security=credentials) as client:
            yield client
        return
    # one task per worker at a time: a second one queued on a busy worker would wait for the first
    with dask.config.set({"distributed.scheduler.worker-saturation": 1.0}), \
            LocalCluster(n_workers=workers or os.cpu_count(), threads_per_worker=1, processes=True,
                         host="127.0.0.1", dashboard_address=None, silence_logs=logging.CRITICAL,
                         security=credentials) as cluster, Client(cluster, security=credentials) as client:
        client.register_plugin(worker.Quiet())
        yield client


def _grade_all(root, names, client, record):
    """Stage each student, grade them on ``client``, merge results as they come.

    Calls ``record(student, ok, notes, score)`` once per student (``score``: ``score_line`` once merged, else
    None); returns the workers' sandbox states.
    """
    from distributed import as_completed

    payload = worker.bundle(root)
    merger = Merger(root)
    left_out, _ = collect.uncollected(root, merger.config)
    graded_uploads = collect.uploads(root, merger.config)
    releases, staged_notes, futures, sandboxes = {}, {}, {}, set()
    for student in names:
        if not SAFE_ID.fullmatch(student):  # printed unescaped by the formgrader (README, "In the browser")
            record(student, False, ["not a plain student id (letters, digits, _.@+-); not graded"])
            continue
        try:
            files, staged_notes[student] = staging.staged_files(root, student, releases)
        except Exception as exc:  # one student never stops the batch
            record(student, False, [f"staging crashed: {type(exc).__name__}: {exc}"])
            continue
        if any(n.endswith("missing: graded as unanswered") for n in staged_notes[student]):
            staged_notes[student] += left_out.get(student, [])
        staged_notes[student] = graded_uploads.get(student, []) + staged_notes[student]
        future = client.submit(worker.grade, payload, student, files, course.STUDENT_TIME_LIMIT + TASK_GRACE,
                               key=f"autograde-{student}-{uuid.uuid4().hex[:8]}", pure=False)
        futures[future] = student
    for future in as_completed(futures):
        student = futures[future]
        score = None
        try:
            result = future.result()
            sandboxes.add(result["sandbox"])
            ok, notes = merge_result(root, merger, result)
            score = score_line(root, student)
        except SystemExit:
            raise
        except Exception as exc:  # a crash, or a worker lost too often: this student only
            ok, notes = False, [f"grading crashed: {type(exc).__name__}: {exc}"]
        record(student, ok, staged_notes[student] + notes, score)
        future.release()
    return sandboxes


def run(root=course.ROOT, only=None, workers=None, scheduler=None, credentials=None):
    """Grade every (or each ``only``) student; return the report text and whether all went cleanly.
    ``credentials``: the ``Security`` of the cluster at ``scheduler`` (by default, Dask's configuration)."""
    from tqdm import tqdm

    root = Path(root)
    with _course_lock(root):
        from .sandbox import unavailable_reason
        reason = unavailable_reason()
        names = only or students(root)
        entries, sandboxes = {}, set()
        clean = True
        print("Sandbox: " + ("on (bubblewrap)" if reason is None else f"OFF ({reason})"), flush=True)
        bar = tqdm(total=len(names), unit="student", desc="autograde", file=sys.stderr, dynamic_ncols=True)

        def record(student, ok, notes, score=None):
            nonlocal clean
            problems = [n for n in notes if not n.startswith(("autograded in", collect.UPLOAD))]
            clean &= ok and not problems
            status = "FAILED" if not ok else ("graded, see notes" if problems else "ok")
            if score:
                status += f" — {score}"
            # student ids and file names may hold markup: the report shows it as text
            entries[student] = ([f"- **{html.escape(student)}**: {status}"]
                                + [f"    - {html.escape(n, quote=False)}" for n in notes])
            tqdm.write("\n".join(entries[student]), file=sys.stdout)
            bar.update()
            bar.set_postfix(failed=sum("FAILED" in e[0] for e in entries.values()))

        try:
            with cluster_client(workers, scheduler, credentials) as client:
                sandboxes = _grade_all(root, names, client, record)
        except KeyboardInterrupt:
            bar.close()
            print(f"\nInterrupted: {len(entries)} of {len(names)} students graded and saved. "
                  "Run the same command again to complete the batch.", flush=True)
            raise
        bar.close()
    worker_reason = next((r for r in sandboxes if r is not None), None)
    sandbox_line = "Sandbox: " + ("on (bubblewrap)" if reason is None and worker_reason is None
                                  else f"OFF ({reason or worker_reason})")
    lines = [f"# Autograde report, {datetime.now():%Y-%m-%d %H:%M}", "", sandbox_line, ""]
    _, unclaimed = collect.uncollected(root)
    if unclaimed:
        lines += ["Files in downloaded/ that `nbgrader zip_collect` did not collect for any student:", ""]
        lines += [f"- {html.escape(line, quote=False)}" for line in unclaimed] + [""]
    for student in names:
        lines += entries.get(student, [f"- **{html.escape(student)}**: FAILED", "    - not graded"])
    report = "\n".join(lines) + "\n"
    out = root / "reports" / f"autograde-{datetime.now():%Y%m%d-%H%M%S}.md"
    out.parent.mkdir(exist_ok=True)
    out.write_text(report)
    failed = sum("FAILED" in entries.get(s, ["FAILED"])[0] for s in names)
    if unclaimed:
        print("\nNot collected from downloaded/ (no student):\n" + "\n".join(f"- {line}" for line in unclaimed))
    print(f"\n{sandbox_line}\n{len(names)} students, {failed} failed. Report written to {out}")
    return report, clean


def main(only=None, workers=None, scheduler=None):
    try:
        _, clean = run(only=only, workers=workers, scheduler=scheduler)
    except KeyboardInterrupt:
        return 130
    from .insight import after_batch
    after_batch()  # what the class got wrong, in reports/ (never fails the batch)
    return 0 if clean else 1
