"""The bridge between two real kernels: how a call crosses once the student's kernel answers CALL_REQUEST.

The trusted side here is this process (``initlab.bridge.StudentKernel``); the student's side is a real
IPython kernel that imports the helper package from source/, as during autograding.
"""

import os
import time
from pathlib import Path

import numpy as np
import pytest
from initlab import bridge
from jupyter_client import KernelManager

pytestmark = pytest.mark.slow

SOURCE = Path(__file__).resolve().parents[1] / "source" / "initialization"
STUDENT_CODE = """
import numpy as np

CELLS_RUN = 0
_transform = get_ipython().transform_cell
def _count(cell):  # every cell IPython runs, silent or not, is transformed first
    global CELLS_RUN
    CELLS_RUN += 1
    return _transform(cell)
get_ipython().transform_cell = _count

def scale(x, factor=2.0):
    x *= factor
    return x

def draw(n, rng):
    return rng.normal(size=n)

def broken(x):
    raise ValueError(f"bad x: {x}")
"""


@pytest.fixture(scope="module")
def student():
    km = KernelManager(kernel_name="python3")
    km.start_kernel(cwd=str(SOURCE), env={**os.environ, "PYTHONPATH": str(SOURCE)})
    client = km.blocking_client()
    client.start_channels()
    client.wait_for_ready(timeout=60)
    reply = client.execute_interactive(STUDENT_CODE, timeout=60)
    assert reply["content"]["status"] == "ok"
    client.stop_channels()
    info = dict(km.get_connection_info())
    info["key"] = info["key"].decode()
    kernel = bridge.StudentKernel(info)
    yield kernel
    kernel.close()
    km.shutdown_kernel(now=True)


def cells_run(kernel):
    return kernel.lookup({"CELLS_RUN"})["CELLS_RUN"]["value"]


def test_first_lookup_installs_the_handler_then_calls_run_no_cell(student):
    found = student.lookup({"scale", "draw", "nothing_here"})
    assert student.installed
    assert found == {"scale": {"function": True}, "draw": {"function": True}, "nothing_here": {"missing": True}}
    before = cells_run(student)
    for _ in range(5):
        assert student.call("scale", (3.0,), {})[0] == 6.0
    assert cells_run(student) == before  # the calls and lookups ran in the shell loop, not as cells


def test_a_call_keeps_its_meaning(student):
    student.lookup({"scale"})
    x = np.arange(4.0)
    result, moved = student.call("scale", (x,), {"factor": 0.5})
    assert result is x and np.array_equal(x, [0, 0.5, 1, 1.5])  # changed in place, returned as the caller's own
    assert moved is False
    rng, twin = np.random.default_rng(7), np.random.default_rng(7)
    drawn, _ = student.call("draw", (3, rng), {})
    assert np.array_equal(drawn, twin.normal(size=3))
    assert rng.bit_generator.state == twin.bit_generator.state  # the generator's state came back
    with pytest.raises(ValueError, match=r"bad x: 1 \(raised by broken\)") as info:
        student.call("broken", (1,), {})
    assert isinstance(info.value, bridge.RaisedByStudent)


def test_a_malformed_request_is_answered_at_once(student):
    student.lookup({"scale"})
    started = time.monotonic()
    with pytest.raises(AssertionError, match="did not answer"):
        student.request({"name": "scale"}, b"not json")
    with pytest.raises(AssertionError, match="KeyError"):
        student.request({"name": "no_such_function"}, b'{"args": [], "kwargs": []}')
    assert time.monotonic() - started < 5
    assert student.call("scale", (1.0,), {})[0] == 2.0  # and the kernel goes on answering
