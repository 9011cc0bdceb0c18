"""The grading task that runs on a Dask worker: one student, pure data in and out.

``grade(bundle, student, files, limit)`` writes the staged submission into a
scratch course of its own (under the worker's local directory, never shared),
runs nbgrader's ``Autograde`` through its Python API in this long-lived process
(no interpreter start per student; ``SafeExecute`` and the kernel sandbox come
from the course's ``nbgrader_config.py``), and returns the autograded folder as
bytes. The scratch course is written once per worker process from ``bundle``,
which the coordinating process makes once per batch: the course's config and
source/, keyed by a content hash, and what ``generate_assignment`` makes of them
(release/ and a gradebook that knows the assignment's cells, which ``Autograde``
needs to restore locked cells and hidden tests; it starts from an empty gradebook
with the course's schema version, ``course.empty_gradebook``). The worker's autograde leaves out the steps that
record grades (``GRADEBOOK_STEPS``): only the coordinating process writes the
course gradebook, with those very steps (``coursetools.grade.merge``). A
task gives the same result when run twice, so Dask may run it again on another
worker if this one dies.
"""

import contextlib
import hashlib
import logging
import os
import shutil
import sqlite3
import tempfile
import threading
import time
from pathlib import Path

import nbformat
from distributed.diagnostics.plugin import WorkerPlugin

from .. import course
from ..course import Course
from .merge import GRADEBOOK_STEPS

_SCRATCH = {}  # bundle hash -> scratch course root, in this worker process
_BUILD = threading.Lock()


def bundle(root):
    """What a worker needs of the course, made once per batch: {"hash", "files": {relative path: bytes}}.

    The course's nbgrader_config.py and source/ (notebooks without their outputs), and the assignment as nbgrader's
    ``generate_assignment`` made it: release/ and the gradebook's record of the assignment's cells, copied from the
    course's gradebook without any student (``_assignment_gradebook``); a course whose gradebook does not hold the
    notebooks of source/ has them generated here (2-3 s, which every worker paid before). ``hash`` names it all.
    """
    root = Path(root)
    files = {"nbgrader_config.py": (root / "nbgrader_config.py").read_bytes()}
    for path in sorted(Course(root).source.rglob("*")):
        if path.is_file() and not {"__pycache__", ".ipynb_checkpoints"} & set(path.parts):
            data = path.read_bytes()
            if path.suffix == ".ipynb":
                nb = nbformat.reads(data.decode(), as_version=4)
                for cell in nb.cells:
                    if cell.cell_type == "code":
                        cell.outputs, cell.execution_count = [], None
                data = nbformat.writes(nb).encode()
            files[str(path.relative_to(root))] = data
    gradebook = _assignment_gradebook(Course(root))
    if gradebook is None:
        files.update(_generated(files, Course(root).gradebook_version()))
    else:
        files["gradebook.db"] = gradebook
        files.update({str(p.relative_to(root)): p.read_bytes() for p in sorted(Course(root).release.rglob("*"))
                      if p.is_file() and "__pycache__" not in p.parts})
    digest = hashlib.sha256()
    for name, data in sorted(files.items()):
        digest.update(name.encode() + b"\0" + hashlib.sha256(data).digest())
    return {"hash": digest.hexdigest()[:16], "files": files}


STUDENT_TABLES = ("grade", "comment", "submitted_notebook", "submitted_assignment", "student")  # children first


def _assignment_gradebook(course):
    """The course's gradebook without its students (bytes), or None when it does not record the notebooks of
    ``source/`` as the assignment's (never released, or released before a notebook was added)."""
    if not course.gradebook_path.is_file() or not course.release.is_dir():
        return None
    expected = sorted(name[:-len(".ipynb")] for name in course.notebooks())
    with tempfile.TemporaryDirectory(prefix="gradebook-") as folder:
        copy = Path(folder) / "gradebook.db"
        with contextlib.closing(sqlite3.connect(f"file:{course.gradebook_path}?mode=ro", uri=True)) as db, \
                contextlib.closing(sqlite3.connect(copy)) as out:
            try:
                db.backup(out)
                recorded = sorted(row[0] for row in out.execute(
                    "SELECT notebook.name FROM notebook JOIN assignment ON notebook.assignment_id = assignment.id "
                    "WHERE assignment.name = ?", (course.assignment,)))
            except sqlite3.Error:
                return None
            if recorded != expected or sorted(p.stem for p in course.release.glob("*.ipynb")) != expected:
                return None
            for table in STUDENT_TABLES:
                out.execute(f"DELETE FROM {table}")
            out.commit()
            out.execute("VACUUM")
        return copy.read_bytes()


def _write(root, files):
    for name, data in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)


def _generated(files, version):
    """{relative path: bytes} of release/ and the gradebook, as ``generate_assignment`` makes them from ``files``
    (its gradebook starts empty, with the course's schema ``version``: ``course.empty_gradebook``)."""
    from nbgrader.converters import GenerateAssignment

    with tempfile.TemporaryDirectory(prefix="course-") as folder:
        root = Path(folder)
        _write(root, files)
        course.empty_gradebook(Course(root).gradebook_path, version)
        result = _run(GenerateAssignment, root)
        if not result["success"]:
            raise RuntimeError("generate_assignment failed in a scratch course:\n"
                               + (result.get("error") or "") + (result.get("log") or ""))
        made = [Course(root).gradebook_path, *sorted(p for p in Course(root).release.rglob("*") if p.is_file())]
        return {str(p.relative_to(root)): p.read_bytes() for p in made}


def _run(cls, root, student=None):
    """Run nbgrader's converter ``cls`` in the course at ``root``; nbgrader's result dict."""
    from nbgrader.converters import Autograde
    from nbgrader.coursedir import CourseDirectory
    from nbgrader.utils import capture_log
    config = Course(root).config()
    if issubclass(cls, Autograde):  # the coordinating process records the grades (coursetools.grade.merge)
        config.Autograde.autograde_preprocessors = [step for step in config.Autograde.autograde_preprocessors
                                                    if step not in GRADEBOOK_STEPS]
    coursedir = CourseDirectory(config=config, root=str(root), assignment_id=course.ASSIGNMENT)
    if student is not None:
        coursedir.student_id = student
    app = cls(coursedir=coursedir, config=config)
    app.force = True
    return capture_log(app)


def _scratch_parent(dask_worker=None):
    """The worker's local directory, if the sandbox hides it from kernels (it holds the hidden tests), else /tmp."""
    from distributed import get_worker

    from .sandbox import visible
    try:
        folder = os.path.realpath((dask_worker or get_worker()).local_directory)
    except ValueError:  # not in a Dask worker
        folder = tempfile.gettempdir()
    return "/tmp" if visible(folder) else folder


def scratch_course(bundle, parent=None):
    """The root of this worker's scratch course for ``bundle``, built on first use (under ``parent``, by default
    ``_scratch_parent()``)."""
    with _BUILD:
        if bundle["hash"] in _SCRATCH:
            return _SCRATCH[bundle["hash"]]
        os.environ.update(course.tool_env())  # kernels and alembic as when the course runs `nbgrader`
        for name in ("JPY_SESSION_NAME", "INITLAB_WIDGETS"):
            os.environ.pop(name, None)
        root = Path(tempfile.mkdtemp(prefix=f"course-{bundle['hash']}-", dir=parent or _scratch_parent()))
        _write(root, bundle["files"])
        _SCRATCH[bundle["hash"]] = root
        return root


def held(bundle):
    """``bundle`` itself: as a task's result, the cluster holds one copy that every task refers to."""
    return bundle


def warm(bundle, dask_worker=None):
    """Get this worker ready for its first student before it arrives: the scratch course, and the kernels its
    first notebook takes (``SafeExecute.prestart``). The batch runs it on every worker (``Client.run``) as soon as
    the cluster is up; it returns at once, and the work goes on in a thread, which the first task finds done or
    under way (then it starts what it still lacks itself, as without a warm-up)."""
    parent = _scratch_parent(dask_worker)
    threading.Thread(target=_warm, args=(bundle, parent), name="warm-up", daemon=True).start()


def _warm(bundle, parent):
    import asyncio

    from .execute import SafeExecute
    try:
        root = scratch_course(bundle, parent)
        resources = {"nbgrader": {"assignment": course.ASSIGNMENT, "notebook": ""}}  # any of its notebooks
        asyncio.run(SafeExecute(config=Course(root).config()).prestart(resources))
    except Exception:  # a warm-up that fails costs only its time (the task starts its own kernels): say so, go on
        logging.getLogger(__name__).warning("The worker's warm-up failed; its first notebook starts its own kernels",
                                            exc_info=True)


def grade(bundle, student, files, limit):
    """Autograde one staged submission ({file name: bytes}); give up after ``limit`` seconds (the student's time
    budget stops their cells before that: ``SafeExecute``).

    Returns {"student", "success", "log", "files": {path: bytes} of the autograded folder,
    "seconds", "host", "sandbox" (None when on, else why not), "timed_out"}.
    """
    from nbgrader.converters import Autograde

    from .sandbox import unavailable_reason
    from .staging import write

    started = time.monotonic()
    root = scratch_course(bundle)
    write(Course(root).submission(student), files)
    autograded = Course(root).autograded(student)
    shutil.rmtree(autograded, ignore_errors=True)
    result = {}
    thread = threading.Thread(target=lambda: result.update(_run(Autograde, root, student)), daemon=True)
    thread.start()
    thread.join(limit)
    timed_out = thread.is_alive()
    if timed_out:  # it ends within the cell limits; later tasks use a fresh scratch course meanwhile
        with _BUILD:
            _SCRATCH.pop(bundle["hash"], None)
        out = {}
    else:
        out = {str(p.relative_to(autograded)): p.read_bytes() for p in sorted(autograded.rglob("*"))
               if p.is_file()}
        shutil.rmtree(root / "submitted" / student, ignore_errors=True)
        shutil.rmtree(root / "autograded" / student, ignore_errors=True)
    return {"student": student, "success": bool(result.get("success")) and not timed_out,
            "log": (result.get("error") or "") + (result.get("log") or ""), "files": out,
            "seconds": time.monotonic() - started, "host": os.uname().nodename,
            "sandbox": unavailable_reason(), "timed_out": timed_out}


class Quiet(WorkerPlugin):
    """A local worker's output (dask's logs, kernel banners) stays out of the TA's terminal."""

    name = "coursetools-quiet"

    def setup(self, worker):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.dup2(devnull, 2)
        os.close(devnull)
