"""Grade every submission safely and in parallel: the ``python -m coursetools autograde`` batch.

For each student folder in submitted/, the coordinating process (this one):

1. stages a clean copy of the submission in memory (``coursetools.grade.staging``);
2. sends it as a task to a ``dask.distributed`` cluster (``coursetools.grade.cluster``), by default a
   ``LocalCluster`` with one worker process per core, or the cluster of
   ``--scheduler tls://HOST:PORT``; the worker runs nbgrader's autograde on it
   in a scratch course of its own (``coursetools.grade.worker``), within the
   student's time budget;
3. merges the autograded notebooks it gets back into autograded/ and the course
   gradebook with nbgrader's own steps (``coursetools.grade.merge``), and
   checks that every test cell got a score.

No file system is shared with the workers. A task whose worker dies runs again
on another one. A worker takes one student at a time, so that no student waits behind
another's task on a busy worker. Only one batch runs at a time (a lock file; a second
one waits). One student's failure never stops the batch.

What happened to each submission is a list of ``Outcome`` records (``coursetools.outcomes``): the batch
writes them as JSON beside its Markdown report in reports/, and renders the report, the line printed per
student and the progress bar (students done, failures, time left) from them.
"""

import contextlib
import fcntl
import sys
import uuid
from datetime import datetime

from ..collect import downloads
from ..course import ROOT, STUDENT_TIME_LIMIT, Course
from ..outcomes import Kind, Outcome, Result, recorded_in, sandbox_line, write_batch
from . import cluster, merge, staging, worker
from .inert import SAFE_ID

# Seconds a task may run past the student's time budget before the worker gives up on it: the budget stops the
# student's cells (coursetools.grade.execute); this only stops nbgrader itself if it ever hung.
TASK_GRACE = 120


def merge_result(root, merger, result):
    """Merge a worker's result for one student and check it; return (ok, [Outcome])."""
    student = result["student"]
    if result["timed_out"]:
        return False, [Outcome(Kind.TASK_TIMEOUT, seconds=STUDENT_TIME_LIMIT + TASK_GRACE)]
    if "Exception while loading config file" in result["log"]:
        raise SystemExit("nbgrader_config.py failed to load; nothing was graded:\n" + result["log"])
    if result["success"] or any(name.endswith(".ipynb") for name in result["files"]):
        merger.merge(student, result["files"])  # as nbgrader, which records nothing when it grades nothing
    found = [Outcome(Kind.GRADED, seconds=result["seconds"])]
    if not result["success"]:
        tail = "\n".join(result["log"].strip().splitlines()[-8:])
        found.append(Outcome(Kind.AUTOGRADE_FAILED, file=result["host"], detail=tail))
    problems = merge.check_scores(root, student)
    return result["success"] and not problems, found + problems + recorded_in(Course(root).autograded(student))


@contextlib.contextmanager
def _course_lock(course):
    lock_path = course.work / "autograde.lock"
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            print("Another autograde of this course is running; waiting for it to finish...", flush=True)
            fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def _staged(course, names, merger, record):
    """(student, staged files, [Outcome]) of each student who can be graded, in turn; ``record(Result)`` for the
    others."""
    left_out, _ = downloads.left_out(course.root, merger.config)
    graded_uploads = downloads.uploads(course.root, merger.config)
    releases = {}
    for student in names:
        if not SAFE_ID.fullmatch(student):  # printed unescaped by the formgrader (README, "In the browser")
            record(Result(student, False, (Outcome(Kind.NOT_PLAIN_ID),)))
            continue
        try:
            files, found = staging.staged_files(course.root, student, releases)
        except Exception as exc:  # one student never stops the batch
            record(Result(student, False, (Outcome(Kind.STAGING_CRASHED, detail=f"{type(exc).__name__}: {exc}"),)))
            continue
        if any(o.kind in (Kind.MISSING_NOTEBOOK, Kind.ANSWER_MISSING) for o in found):  # what the download held
            found += left_out.get(student, [])
        yield student, files, graded_uploads.get(student, []) + found


def _grade_all(course, names, starting, record, payload):
    """Stage each student, grade them with the course's ``payload`` (``worker.bundle``) on the client that
    ``starting`` (a future) gives once the cluster is up, merge results as they come. Students are staged while the
    cluster starts, and sent as soon as it is up.

    Calls ``record(Result)`` once per student; returns the workers' sandbox states.
    """
    from distributed import as_completed

    merger = merge.Merger(course.root)
    futures, staged, waiting, sandboxes, shared = {}, {}, [], set(), []

    def send(client):
        if not shared:
            # each worker readies its kernels while the first students travel to it
            client.run(worker.warm, payload, on_error="return")
            # the course goes to the cluster once, as a task's result that each worker fetches once (and that
            # Dask computes again if the worker holding it dies), not inside every student's task (1.5 MiB each)
            shared.append(client.submit(worker.held, payload, key=f"course-{payload['hash']}", pure=False))
        for student, files in waiting:
            future = client.submit(worker.grade, shared[0], student, files, STUDENT_TIME_LIMIT + TASK_GRACE,
                                   key=f"autograde-{student}-{uuid.uuid4().hex[:8]}", pure=False)
            futures[future] = student
        waiting.clear()

    for student, files, found in _staged(course, names, merger, record):
        staged[student] = found
        waiting.append((student, files))
        if starting.done():
            send(starting.result())
    send(starting.result())
    for future in as_completed(futures):
        student = futures[future]
        score, scored = None, False
        try:
            result = future.result()
            sandboxes.add(result["sandbox"])
            ok, found = merge_result(course.root, merger, result)
            score, scored = merge.score(course.root, student), True
        except SystemExit:
            raise
        except Exception as exc:  # a crash, or a worker lost too often: this student only
            ok, found = False, [Outcome(Kind.GRADING_CRASHED, detail=f"{type(exc).__name__}: {exc}")]
        record(Result(student, ok, tuple(staged[student] + found), score, scored))
        future.release()
    return sandboxes


def run(root=ROOT, only=None, workers=None, scheduler=None, credentials=None):
    """Grade every (or each ``only``) student; return the report text and whether all went cleanly.
    ``credentials``: the ``Security`` of the cluster at ``scheduler`` (by default, Dask's configuration)."""
    from tqdm import tqdm

    from .sandbox import unavailable_reason

    course = Course(root)
    with _course_lock(course):
        reason = unavailable_reason()
        names = only or course.students()
        results, sandboxes = {}, set()
        print(sandbox_line(reason), flush=True)
        bar = tqdm(total=len(names), unit="student", desc="autograde", file=sys.stderr, dynamic_ncols=True)

        def record(result):
            results[result.student] = result
            tqdm.write(result.markdown(), file=sys.stdout)
            bar.update()
            bar.set_postfix(failed=sum(not r.ok for r in results.values()))

        try:  # the cluster starts while this process stages every submission
            payload = worker.bundle(course.root)
            with cluster.starting(workers, scheduler, credentials) as starting:
                sandboxes = _grade_all(course, names, starting, record, payload)
        except KeyboardInterrupt:
            bar.close()
            print(f"\nInterrupted: {len(results)} of {len(names)} students graded and saved. "
                  "Run the same command again to complete the batch.", flush=True)
            raise
        bar.close()
    worker_reason = next((r for r in sandboxes if r is not None), None)
    sandbox = None if reason is None and worker_reason is None else reason or worker_reason
    _, unclaimed = downloads.left_out(course.root)
    ordered = [results.get(s, Result(s, False, (Outcome(Kind.NOT_GRADED),))) for s in names]
    report, path = write_batch(course.reports, datetime.now(), sandbox, ordered, unclaimed)
    if unclaimed:
        print("\nNot collected from downloaded/ (no student):\n" + "\n".join(f"- {o.sentence}" for o in unclaimed))
    failed = sum(not r.ok for r in ordered)
    print(f"\n{sandbox_line(sandbox)}\n{len(names)} students, {failed} failed. Report written to {path}")
    return report, all(r.ok and not r.problems for r in ordered)
