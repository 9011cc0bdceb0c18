"""The facts of the course, each decided here once: where things are, what the assignment holds, what a cell is.

``Course(root)`` answers for the course at ``root`` (this checkout by default): its folders, the assignment and
its notebooks, the students who submitted, the gradebook, nbgrader's configuration (its ``nbgrader_config.py``)
and the modules of its helper package. The cell roles (``grade_id``, ``is_test_cell``, ``answer_cells``...) are
decided by ``nbgrader.utils``. The limits of grading and how to run nbgrader and Jupyter from this environment
(``tool_env``, ``Course.nbgrader``) are here too.
"""

import contextlib
import functools
import importlib.util
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ASSIGNMENT = "initialization"
NOTEBOOK_PATTERN = "[0-9][0-9]_*.ipynb"
WORK = ".grading"  # the batch's own folder in the course root: its lock, staged submissions

# Limits of grading (README, "Time bounds" and "Threat model"). COURSE_CELL_TIMEOUT, COURSE_NOTEBOOK_TIME_LIMIT and
# COURSE_STUDENT_TIME_LIMIT override the time limits (the tests use short ones).
CELL_TIMEOUT = int(os.environ.get("COURSE_CELL_TIMEOUT", "20"))  # seconds per cell
NOTEBOOK_TIME_LIMIT = int(os.environ.get("COURSE_NOTEBOOK_TIME_LIMIT", "120"))  # seconds per notebook, reruns included
STUDENT_TIME_LIMIT = int(os.environ.get("COURSE_STUDENT_TIME_LIMIT", "600"))  # seconds for one student's notebooks
MAX_FAULTS = 4  # cells that may kill or hang the kernel before the rest of a notebook is abandoned
MAX_OUTPUT_CHARS = 100_000  # characters of output kept per cell (errors and tracebacks included)
MEMORY_LIMIT = 3 * 1024**3  # bytes of address space per student kernel (one process: it cannot fork)
SCRATCH_SIZE = 32 * 1024**2  # bytes each in-memory folder of a student kernel holds (/tmp, /dev/shm, its folders)
FILE_SIZE_LIMIT = 64 * 1024**2  # bytes per file a student kernel writes
CPU_TIME_LIMIT = 300  # CPU seconds per student kernel
MAX_THREADS = 64  # threads per student kernel (ipykernel and numpy need about 10)
TEST_KERNEL_MEMORY_LIMIT = 4 * 1024**3  # bytes of address space of the trusted test kernel
MAX_FRAME_BYTES = 64 * 1024**2  # bytes per message frame the grader accepts from a student kernel
POOL_SIZE = int(os.environ.get("COURSE_KERNEL_POOL", "2"))  # student kernels a grading process keeps started ahead


class Course:
    """The course at ``root``: its folders, notebooks, students, gradebook and configuration."""

    assignment = ASSIGNMENT

    def __init__(self, root=ROOT):
        self.root = Path(root)

    def __repr__(self):
        return f"Course({str(self.root)!r})"

    # -- folders
    @property
    def source(self):
        """The instructor's notebooks, the helper package and the answer key."""
        return self.root / "source" / self.assignment

    @property
    def release(self):
        """The student notebooks, generated from ``source``."""
        return self.root / "release" / self.assignment

    def submission(self, student):
        """Where ``nbgrader collect`` or ``zip_collect`` put a student's files."""
        return self.root / "submitted" / student / self.assignment

    def autograded(self, student):
        """Where a student's autograded notebooks are."""
        return self.root / "autograded" / student / self.assignment

    @property
    def downloads(self):
        """The files ``nbgrader zip_collect`` extracted from an LMS download."""
        return self.root / "downloaded" / self.assignment / "extracted"

    @property
    def reports(self):
        """The batch reports and the insight pages."""
        return self.root / "reports"

    @property
    def work(self):
        """The batch's own working folder (its lock, staged submissions)."""
        return self.root / WORK

    # -- what the course holds
    def notebooks(self, only=None):
        """The assignment's notebooks, by name, in order: those of ``source`` (of ``release`` in a course without
        ``source``); with ``only``, those starting with one of its prefixes (``ValueError`` when none does)."""
        folder = self.source if self.source.is_dir() else self.release
        names = sorted(p.name for p in folder.glob(NOTEBOOK_PATTERN))
        if not only:
            return names
        chosen = [name for name in names if name.startswith(tuple(only))]
        if not chosen:
            raise ValueError(f"no notebook starts with {', '.join(map(repr, only))}; the notebooks are "
                             f"{', '.join(names)}")
        return chosen

    def students(self):
        """The students with a folder in submitted/, by id."""
        folder = self.root / "submitted"
        return sorted(p.name for p in folder.iterdir() if p.is_dir()) if folder.is_dir() else []

    # -- the gradebook and nbgrader
    @property
    def gradebook_path(self):
        return self.root / "gradebook.db"

    @property
    def gradebook_url(self):
        return f"sqlite:///{self.gradebook_path}"

    def gradebook(self):
        """nbgrader's gradebook of the course (a context manager), created empty if there is none."""
        from nbgrader.api import Gradebook
        if not self.gradebook_path.exists():
            empty_gradebook(self.gradebook_path)
        return Gradebook(self.gradebook_url)

    def gradebook_version(self):
        """The schema version recorded in the course's gradebook (None without one)."""
        if not self.gradebook_path.is_file():
            return None
        try:
            with contextlib.closing(sqlite3.connect(f"file:{self.gradebook_path}?mode=ro", uri=True)) as db:
                row = db.execute("SELECT version_num FROM alembic_version").fetchone()
        except sqlite3.Error:
            return None
        return row[0] if row else None

    def config(self):
        """The nbgrader configuration of the course (its nbgrader_config.py)."""
        from traitlets.config.loader import PyFileConfigLoader
        return PyFileConfigLoader("nbgrader_config.py", path=str(self.root)).load_config()

    def nbgrader(self, *args, check=True, **kwargs):
        """Run ``nbgrader ARGS`` in the course."""
        return subprocess.run([tool("nbgrader"), *args], cwd=self.root, env=tool_env(), check=check, **kwargs)

    def helper(self, name):
        """The module ``initlab.<name>`` of the course's source, loaded on its own (it must import nothing of the
        package), or None when it is absent or broken: the course tools read the helper package's facts (the
        misconceptions, the names a test cell reads) without importing the package."""
        return _load(str(self.source / "initlab" / (name.replace(".", os.sep) + ".py")))


def empty_gradebook(path, version=None):
    """An empty gradebook at ``path`` with schema ``version`` (by default nbgrader's latest), as nbgrader creates
    one. nbgrader asks the ``alembic`` program for the version of a new gradebook: a process that takes about 3 s
    to start; here it is read from nbgrader's migration scripts, or from the course's gradebook."""
    from nbgrader.api import Base
    from sqlalchemy import create_engine, text

    engine = create_engine(f"sqlite:///{path}")
    try:
        Base.metadata.create_all(bind=engine)
        with engine.begin() as db:
            db.execute(text("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)"))
            db.execute(text("INSERT INTO alembic_version (version_num) VALUES (:version)"),
                       {"version": version or _schema_head()})
    finally:
        engine.dispose()


@functools.cache
def _schema_head():
    """nbgrader's latest gradebook schema version: what ``alembic heads`` prints, read in this process."""
    import nbgrader
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", os.path.join(os.path.dirname(nbgrader.__file__), "alembic"))
    return ScriptDirectory.from_config(config).get_current_head()


@functools.lru_cache(maxsize=16)
def _load(path):
    spec = importlib.util.spec_from_file_location(f"course_{Path(path).stem}", path)
    if spec is None or not os.path.isfile(path):
        return None
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except (OSError, SyntaxError, ImportError):
        return None
    return module


# ------------------------------------------------------------ cell roles
def _node(cell):
    from nbformat import from_dict
    return cell if hasattr(cell, "metadata") else from_dict(cell)


def nbgrader_metadata(cell):
    """The cell's nbgrader metadata ({} when it has none)."""
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return meta if isinstance(meta, dict) else {}


def grade_id(cell):
    """The cell's nbgrader grade id, or None."""
    return nbgrader_metadata(cell).get("grade_id")


def is_test_cell(cell):
    """An autograder test cell: a graded code cell that is not a solution."""
    from nbgrader import utils
    cell = _node(cell)
    return cell.cell_type == "code" and bool(utils.is_grade(cell)) and not utils.is_solution(cell)


def is_answer_cell(cell):
    """A cell the student writes in: code (autograded) or markdown (graded by hand)."""
    from nbgrader import utils
    return bool(utils.is_solution(_node(cell)))


def is_code_answer(cell):
    """An autograded answer cell (code)."""
    return cell.get("cell_type") == "code" and is_answer_cell(cell)


def is_written_answer(cell):
    """A written answer (a markdown answer cell, graded by hand)."""
    return cell.get("cell_type") == "markdown" and is_answer_cell(cell)


def is_graded(cell):
    """A cell with points in the gradebook: a test cell or a written answer."""
    return bool(nbgrader_metadata(cell).get("grade")) and grade_id(cell) is not None


def is_demonstration(cell):
    """A code cell without an nbgrader role (not an answer, test, setup or other locked cell)."""
    from nbgrader import utils
    cell = _node(cell)
    return cell.cell_type == "code" and not (utils.is_solution(cell) or utils.is_grade(cell) or utils.is_locked(cell))


def autograder_tests(nb):
    """{grade_id: cell} of the autograder test cells, in order."""
    return {grade_id(c): c for c in nb.cells if is_test_cell(c)}


def answer_cells(nb):
    """{grade_id: cell} of the autograded answer cells, in order."""
    return {grade_id(c): c for c in nb.cells if is_code_answer(c)}


def written_answers(nb):
    """{grade_id: cell} of the written answers, in order."""
    return {grade_id(c): c for c in nb.cells if is_written_answer(c)}


def function_name(grade_id):
    """The graded function of a test cell (``test_<function>``), or the answer's own id."""
    return grade_id[len("test_"):] if grade_id.startswith("test_") else grade_id


def source_text(cell):
    """A cell's source as one string (JSON may hold it as a list of lines)."""
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


# ------------------------------------------------------------ running the course's programs
def tool_env(**extra):
    """Environment for nbgrader and jupyter subprocesses: this Python's bin/ first on PATH
    (nbgrader runs `alembic` from there), no JupyterLab session, widgets in their default mode."""
    env = dict(os.environ)
    env["PATH"] = os.path.dirname(sys.executable) + os.pathsep + env.get("PATH", "")
    env.pop("JPY_SESSION_NAME", None)
    env.pop("INITLAB_WIDGETS", None)
    env.update(extra)
    return env


def tool(name):
    """Path of a console script installed beside this Python."""
    return str(Path(sys.executable).parent / name)
