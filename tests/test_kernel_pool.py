"""The pool of student kernels started ahead of need (``coursetools.grade.pool``), with real sandboxed kernels.

Two students graded one after the other by the same grading process (``worker.grade``, as a Dask worker runs
it): what the first student's notebook leaves behind (a global, a module, an attribute of a module the pool
imported ahead, files in its working folder and in /tmp) is seen by that notebook itself and by no later notebook,
the student's own next one included; the kernels came from the pool, each ran one notebook, and they are sandboxed
(no port of the grading machine reachable, the grader's environment cleared).
"""

import concurrent.futures
import json
import os
import socket
import textwrap
import threading
import uuid

import nbformat
import pytest
from notebooks import NOTEBOOKS
from submissions import Course, filled, solutions

from coursetools.grade import pool, sandbox, staging, trusted, worker

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(sandbox.unavailable_reason() is not None, reason="needs bubblewrap")]

FIRST, SECOND = "01_symmetry_breaking.ipynb", "02_exploding_vanishing.ipynb"
TOKEN = f"canvas-token-{uuid.uuid4().hex}"

LEAVE = textwrap.dedent("""
    import os, sys, types, numpy
    open("left_in_folder.txt", "w").write("x")
    open("/tmp/left_in_tmp.txt", "w").write("x")
    LEFT_GLOBAL = 1
    sys.modules["left_module"] = types.ModuleType("left_module")
    numpy.left_attribute = 1
""")

LOOK = textwrap.dedent("""
    import os, sys, numpy
    print("SEEN", sorted(
        [name for name in ("left_in_folder.txt", "/tmp/left_in_tmp.txt") if os.path.exists(name)]
        + [name for name in ("LEFT_GLOBAL",) if name in globals()]
        + [name for name in ("left_module",) if name in sys.modules]
        + [name for name in ("left_attribute",) if hasattr(numpy, name)]))
""")

SEALED = textwrap.dedent("""
    import os, socket
    s = socket.socket()
    s.settimeout(2)
    try:
        s.connect(("127.0.0.1", HOST_PORT))
        print("REACHED the grader's port")
    except OSError as exc:
        print("refused", type(exc).__name__)
    print("ENVIRONMENT", sorted(os.environ))
""")


def with_cells(notebook, course, *sources):
    """The solved notebook with code cells of ``sources`` added right after its setup cell."""
    nb = filled(notebook, solutions(notebook), course.release)
    at = next(i for i, c in enumerate(nb.cells) if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == "setup")
    for offset, source in enumerate(sources, start=1):
        nb.cells.insert(at + offset, nbformat.v4.new_code_cell(source))
    return nb


def printed(result, notebook, marker):
    """The lines starting with ``marker`` that the autograded ``notebook`` of a worker's result shows."""
    nb = json.loads(result["files"][notebook])
    text = "".join("".join(o.get("text", "")) for c in nb["cells"] if c["cell_type"] == "code"
                   for o in c.get("outputs", []) if o.get("output_type") == "stream")
    return [line for line in text.splitlines() if line.startswith(marker)]


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    if FIRST not in NOTEBOOKS or SECOND not in NOTEBOOKS:
        pytest.skip("COURSE_NOTEBOOKS leaves out notebook 01 or 02")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CANVAS_API_TOKEN", TOKEN)  # a secret the TA exported: no kernel may see it
        patch.setenv("COURSE_KERNEL_POOL", "2")
        return grade_two_students(Course(tmp_path_factory.mktemp("pool"), [FIRST, SECOND]))


def grade_two_students(course):
    """{student: worker result} of ada and bob graded in turn in this process, and the kernels taken from pools."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    sealed = SEALED.replace("HOST_PORT", str(listener.getsockname()[1]))
    course.submit("ada", {FIRST: with_cells(FIRST, course, LEAVE, LOOK, sealed),
                          SECOND: with_cells(SECOND, course, LOOK)})
    course.submit("bob", {FIRST: with_cells(FIRST, course, LOOK), SECOND: with_cells(SECOND, course, LOOK)})
    payload = worker.bundle(course.root)
    taken = sum(p.taken for p in pool._POOLS.values())
    results = {}
    for student in ("ada", "bob"):
        files, _ = staging.staged_files(course.root, student)
        results[student] = worker.grade(payload, student, files, 600)
    listener.close()
    return results, sum(p.taken for p in pool._POOLS.values()) - taken


def test_what_a_notebook_leaves_is_seen_by_itself_and_by_no_later_notebook(graded):
    results, _ = graded
    assert all(r["success"] for r in results.values()), {s: r["log"][-2000:] for s, r in results.items()}
    assert printed(results["ada"], FIRST, "SEEN") == [
        "SEEN ['/tmp/left_in_tmp.txt', 'LEFT_GLOBAL', 'left_attribute', 'left_in_folder.txt', 'left_module']"]
    for student, notebook in (("ada", SECOND), ("bob", FIRST), ("bob", SECOND)):
        assert printed(results[student], notebook, "SEEN") == ["SEEN []"], (student, notebook)


def test_every_notebook_ran_in_a_kernel_of_the_pool_and_the_pool_is_sandboxed(graded):
    results, taken = graded
    assert taken == 4  # one kernel per notebook: none ran two
    assert printed(results["ada"], FIRST, "refused") == ["refused ConnectionRefusedError"]
    assert not printed(results["ada"], FIRST, "REACHED")
    environment = printed(results["ada"], FIRST, "ENVIRONMENT")
    assert len(environment) == 1 and "CANVAS_API_TOKEN" not in environment[0] and "HOME" in environment[0]


def test_a_warmed_up_worker_grades_its_first_notebook_without_waiting_for_a_kernel(tmp_path):
    """``worker.warm`` (which the batch runs on every worker as the cluster comes up) starts the pool and a test
    kernel; the first notebook takes a booted kernel from the pool, and its tests run in the test kernel started
    ahead."""
    course = Course(tmp_path, [FIRST])
    course.submit("cy", {FIRST: filled(FIRST, solutions(FIRST), course.release)})
    payload = worker.bundle(course.root)
    worker.warm(payload)
    for thread in [t for t in threading.enumerate() if t.name == "warm-up"]:  # none if it has already ended
        thread.join(120)
    release = str(worker.scratch_course(payload) / "release" / course.assignment)
    kernels = next(p for key, p in pool._POOLS.items() if os.path.realpath(key[0]) == os.path.realpath(release))
    concurrent.futures.wait(list(kernels.ready), timeout=120)
    ahead = [kernel for key, kernel in trusted._POOL.items() if key[1] is None]
    assert kernels.taken == 0 and len(ahead) == 1

    files, _ = staging.staged_files(course.root, "cy")
    result = worker.grade(payload, "cy", files, 600)
    assert result["success"], result["log"][-2000:]
    assert (kernels.taken, kernels.waited) == (1, 0)  # a booted kernel of the pool
    assert not any(key[1] is None for key in trusted._POOL) and ahead[0] in trusted._POOL.values()
