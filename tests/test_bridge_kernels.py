"""The bridge between two real kernels: calls and lookups on the call socket the student's kernel serves.

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

pytestmark = pytest.mark.kernel

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

CALLS = 0
def counted():
    global CALLS
    CALLS += 1
    return CALLS

answer_weights = {"W1": np.arange(6.0).reshape(2, 3), "b1": np.zeros((2, 1))}
"""


@pytest.fixture(scope="module")
def student(tmp_path_factory):
    folder = tmp_path_factory.mktemp("kernel")  # Unix sockets, as during autograding
    km = KernelManager(kernel_name="python3", transport="ipc", ip=str(folder / "k"),
                       connection_file=str(folder / "kernel.json"))
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


def test_the_first_lookup_opens_the_call_socket_then_calls_run_no_cell(student):
    found = student.lookup({"scale", "draw", "nothing_here"})
    assert student.socket is not None
    assert found == {"scale": {"function": True}, "draw": {"function": True}, "nothing_here": {"missing": True}}
    before = cells_run(student)
    for _ in range(5):
        assert student.call("scale", (3.0,), {})[0] == 6.0
    assert cells_run(student) == before  # the calls and lookups were served from the loop, not run as cells


def test_a_call_keeps_its_meaning(student):
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
    weights = student.lookup({"answer_weights"})["answer_weights"]["value"]
    assert weights.keys() == {"W1", "b1"} and np.array_equal(weights["W1"], np.arange(6.0).reshape(2, 3))


def test_a_malformed_request_is_answered_at_once(student):
    started = time.monotonic()
    with pytest.raises(AssertionError, match="did not answer"):
        student.request({"name": "scale"}, [b"not json"])
    with pytest.raises(AssertionError, match="KeyError"):
        student.request({"name": "no_such_function"}, [b'{"args": [], "kwargs": []}'])
    assert time.monotonic() - started < 5
    assert student.call("scale", (1.0,), {})[0] == 2.0  # and the kernel goes on answering


def test_a_request_not_signed_with_the_kernel_key_is_neither_run_nor_answered(student):
    import zmq
    from jupyter_client.session import Session

    before = student.call("counted", (), {})[0]
    intruder = zmq.Context.instance().socket(zmq.DEALER)
    intruder.linger = 0
    intruder.connect(student.socket.getsockopt(zmq.LAST_ENDPOINT).decode())
    request = [b'{"args": [], "kwargs": []}']
    for session in (Session(key=b"not the kernel's key"), Session(key=b"")):
        session.send(intruder, bridge.CALL_REQUEST, {"name": "counted"}, buffers=request)
    intruder.send_multipart([b"garbage"])
    assert not intruder.poll(1000)  # no answer to any of them
    intruder.close()
    assert student.call("counted", (), {})[0] == before + 1  # none of them ran the function


def test_the_bridge_benchmark_times_each_operation():
    from coursetools.dev import bench_bridge

    rows = bench_bridge.measure(repeats=3)
    assert [operation.split()[0] for operation, _ in rows] == ["draw(400,", "a", "square(0.6)", "draw(400,"]
    assert all(0 < ms < 10_000 for _, ms in rows)


def test_a_reply_of_too_many_frames_or_bytes_is_refused(student):
    """A student's kernel that answers with many frames (which could all be views of one buffer) or too many bytes
    fails that call; the test kernel reads nothing further of it."""
    patch = ("import initlab.bridge.student as b\nb._real_answer = getattr(b, '_real_answer', b._answer)\n"
             "b.REPLY = 'patched'\nb._answer = lambda msg: ({'status': 'ok'}, [b'{}'] + [FRAMES])\n")
    try:
        for frames in ("b'x'] * 2000", "memoryview(bytearray(40 * 2**20))] * 2"):
            assert student.run(patch.replace("FRAMES]", frames)) == "patched"
            with pytest.raises(AssertionError, match="too large"):
                student.call("scale", (1.0,), {})
    finally:
        student.run("import initlab.bridge.student as b\nb._answer = b._real_answer\nb.REPLY = 'restored'\n")
    assert student.call("scale", (1.0,), {})[0] == 2.0


def test_the_test_kernel_runs_with_its_address_space_capped():
    import asyncio

    from nbclient import NotebookClient

    from coursetools import course
    from coursetools.grade import trusted

    async def limits():
        kernel = trusted.TrustedKernel(SOURCE, 30, NotebookClient, None)
        await kernel.start()
        try:
            with open(f"/proc/{kernel.km.provisioner.pid}/limits") as f:
                return next(line.split()[3] for line in f if line.startswith("Max address space"))
        finally:
            await kernel.stop()
    assert int(asyncio.run(limits())) == course.TEST_KERNEL_MEMORY_LIMIT
