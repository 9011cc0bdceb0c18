"""Benchmark of the bridge of autograding: ``python -m coursetools bench bridge``.

A student kernel is started as during autograding (sandboxed when bubblewrap
runs) and two functions are defined in it; each row is the median time of one
operation, in ms: a function called in this process, then a lookup (a round
trip on the call socket that runs nothing) and calls across the bridge, as
the test kernel makes them (``initlab.bridge.StudentKernel``).
"""

import json
import os
import shutil
import statistics
import sys
import tempfile
import time

from jupyter_client import BlockingKernelClient
from jupyter_core.utils import run_sync

from ..course import Course, tool_env
from ..grade import trusted

STUDENT = """
import numpy as np

def square(x):
    return x * x

def draw(rows, cols, rng):
    return rng.uniform(-1.0, 1.0, size=(rows, cols))
"""


def _median_ms(operation, repeats):
    operation()  # the first call may open sockets or warm caches
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        operation()
        times.append(time.perf_counter() - started)
    return 1000 * statistics.median(times)


def _student_kernel(work):
    """A kernel started in ``work`` as the student's is during autograding, with ``STUDENT`` run in it."""
    from ..grade.sandbox import kernel_manager_class, unavailable_reason

    km = kernel_manager_class(unavailable_reason())(kernel_name="python3")
    run_sync(km.start_kernel)(cwd=work, env=tool_env(NBGRADER_EXECUTION="autograde"))
    client = BlockingKernelClient()
    client.load_connection_info(km.get_connection_info())
    client.start_channels()
    try:
        client.wait_for_ready(timeout=60)
        reply = client.execute_interactive(STUDENT, timeout=60)
        if reply["content"]["status"] != "ok":
            raise RuntimeError(f"the student kernel could not run the benchmark's code: {reply['content']}")
    finally:
        client.stop_channels()
    return km


def measure(repeats=200):
    """[(operation, median ms)] of the bridge's operations."""
    sys.path.insert(0, str(Course().source))
    import numpy as np
    from initlab import bridge

    here = {}
    exec(STUDENT, here)
    rng = np.random.default_rng(0)
    with tempfile.TemporaryDirectory(dir="/tmp") as work:
        shutil.copytree(Course().source / "initlab", os.path.join(work, "initlab"))
        km = _student_kernel(work)
        student = bridge.StudentKernel(json.loads(trusted.connection_info(km)))
        try:
            return [
                ("draw(400, 100) called in this process", _median_ms(lambda: here["draw"](400, 100, rng), repeats)),
                ("a lookup (one round trip, nothing run)", _median_ms(lambda: student.lookup(set()), repeats)),
                ("square(0.6) across the bridge", _median_ms(lambda: student.call("square", (0.6,), {}), repeats)),
                ("draw(400, 100) across: a 400 x 100 array back",
                 _median_ms(lambda: student.call("draw", (400, 100, rng), {}), repeats)),
            ]
        finally:
            student.close()
            run_sync(km.shutdown_kernel)(now=True)


def print_bridge(rows):
    print("\nBridge (median ms of each operation):")
    for operation, ms in rows:
        print(f"  {operation:50} {ms:7.2f}")
