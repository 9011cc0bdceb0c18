"""The facts of the course that every tool and test uses, and the two instructor steps.

Where things are (the course root, the assignment, its notebooks), what each cell
is (decided by ``nbgrader.utils``), the limits of grading, and how to run the
course's tools; ``release`` and ``execute_sources`` are the instructor's steps.
"""

import os
import subprocess
import sys
from pathlib import Path

from nbformat import from_dict
from nbgrader import utils

ROOT = Path(__file__).resolve().parents[1]
ASSIGNMENT = "initialization"
NOTEBOOK_PATTERN = "[0-9][0-9]_*.ipynb"

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


def source_dir(root=ROOT):
    return Path(root) / "source" / ASSIGNMENT


def release_dir(root=ROOT):
    return Path(root) / "release" / ASSIGNMENT


def notebooks(root=ROOT, only=None):
    """The assignment's notebooks, by name, in order (with ``only``: those starting with one of its prefixes)."""
    names = sorted(p.name for p in source_dir(root).glob(NOTEBOOK_PATTERN))
    if not only:
        return names
    chosen = [name for name in names if name.startswith(tuple(only))]
    if not chosen:
        raise ValueError(f"no notebook starts with {', '.join(map(repr, only))}; the notebooks are {', '.join(names)}")
    return chosen


# ------------------------------------------------------------ cell roles
def _node(cell):
    return cell if hasattr(cell, "metadata") else from_dict(cell)


def grade_id(cell):
    """The cell's nbgrader grade id, or None."""
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")


def is_test_cell(cell):
    """An autograder test cell: a graded code cell that is not a solution."""
    cell = _node(cell)
    return cell.cell_type == "code" and bool(utils.is_grade(cell)) and not utils.is_solution(cell)


def is_answer_cell(cell):
    """A cell the student writes in: code (autograded) or markdown (graded by hand)."""
    return bool(utils.is_solution(_node(cell)))


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


def nbgrader(*args, root=ROOT, check=True, **kwargs):
    """Run ``nbgrader ARGS`` in the course ``root``."""
    return subprocess.run([tool("nbgrader"), *args], cwd=root, env=tool_env(), check=check, **kwargs)


def release(root=ROOT):
    """Regenerate release/ from source/."""
    nbgrader("generate_assignment", ASSIGNMENT, "--force", root=root)
    return 0


def execute_sources(root=ROOT, only=None):
    """Execute every source notebook in place, so that its stored outputs are current.

    Runs as nbval does (static figures, a fresh kernel in the notebook's folder) and
    keeps no execution timings, so re-running changes only what the code prints.
    """
    import nbformat
    from nbclient import NotebookClient

    for name in notebooks(root, only):
        path = source_dir(root) / name
        nb = nbformat.read(str(path), as_version=4)
        NotebookClient(nb, timeout=600, record_timing=False, resources={"metadata": {"path": str(source_dir(root))}}
                       ).execute(env=tool_env(INITLAB_WIDGETS="static"))
        for cell in nb.cells:
            cell.metadata.pop("execution", None)
        nbformat.write(nb, str(path))
        print(f"executed {name}")
    return 0
