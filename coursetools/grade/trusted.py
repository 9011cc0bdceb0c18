"""The trusted test kernel of autograding.

While nbgrader autogrades a notebook, the student's cells run in the student's
kernel (sandboxed, see ``coursetools.grade.sandbox``) and the test cells run here: in
a second kernel, outside the sandbox, that never receives student code. Before
each test cell, ``initlab.bridge`` binds the names the cell reads to the student
kernel's functions and answers, and each call crosses as plain data.

The kernel talks over Unix sockets in a private folder, which no sandbox shows:
student code cannot listen to its messages (the test cells' source is in them).
It imports the helper package from the course's ``source/`` folder, never from
the student's. Its address space is capped (``course.TEST_KERNEL_MEMORY_LIMIT``):
what a student's kernel sends it can make it die, which costs that test cell,
but never take the grader's machine.
"""

import atexit
import contextlib
import json
import os
import shutil
import signal
import tempfile
import threading

import nbformat
from jupyter_client.manager import AsyncKernelManager
from nbclient.exceptions import DeadKernelError

from .. import course

CONNECT = "import initlab.bridge\ninitlab.bridge.connect(json.loads({info!r}))\n"


class TestKernelDied(Exception):
    """The test kernel died while it ran a test cell (a student's reply over its memory limit, say)."""


class LimitedKernelManager(AsyncKernelManager):
    """A kernel manager whose kernels start with their address space capped (``prlimit``)."""

    async def _async_pre_start_kernel(self, **kw):
        cmd, kw = await super()._async_pre_start_kernel(**kw)
        prlimit = shutil.which("prlimit")
        return ([prlimit, f"--as={course.TEST_KERNEL_MEMORY_LIMIT}", "--", *cmd] if prlimit else cmd), kw


def connection_info(km):
    """The student kernel's connection info as JSON (the key as text)."""
    info = dict(km.get_connection_info())
    info["key"] = info["key"].decode() if isinstance(info["key"], bytes) else info["key"]
    return json.dumps(info)


class TrustedKernel:
    """Start, drive and stop the kernel that runs the test cells (one per thread, kept between notebooks)."""

    def __init__(self, helper_path, timeout, client_class, log):
        self.helper_path, self.timeout, self.log = str(helper_path), timeout, log
        self.client_class = client_class
        self.folder = self.km = self.client = None
        self.busy = False  # a test cell did not finish (it timed out waiting for the student's kernel)

    async def start(self):
        """Launch the kernel process (it boots while the student's kernel does)."""
        self.folder = tempfile.mkdtemp(prefix="initlab-trusted-")
        self.km = LimitedKernelManager(kernel_name="python3", transport="ipc",
                                     ip=os.path.join(self.folder, "kernel"),
                                     connection_file=os.path.join(self.folder, "kernel.json"))
        env = {k: v for k, v in os.environ.items() if not k.startswith("JPY_")}
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [self.helper_path, env.get("PYTHONPATH")]))
        env.setdefault("MPLBACKEND", "Agg")
        await self.km.start_kernel(cwd=self.folder, env=env,
                                   extra_arguments=["--HistoryManager.hist_file=:memory:"])

    async def _run(self, source):
        cell = nbformat.v4.new_code_cell(source)
        self.client.nb.cells = [cell]
        await self.client.async_execute_cell(cell, 0, store_history=False)
        return [o for o in cell.outputs if o.output_type == "error"]

    async def connect(self, student_info):
        """Wait until the kernel is ready and link it to the student's kernel."""
        if self.client is None:
            self.client = self.client_class(nbformat.v4.new_notebook(), km=self.km, timeout=self.timeout,
                                            allow_errors=True, record_timing=False, log=self.log)
            await self.client.async_start_new_kernel_client()
        errors = await self._run("import json\n" + CONNECT.format(info=student_info))
        if errors:
            raise RuntimeError(f"the trusted test kernel could not start: {errors[0].ename}: {errors[0].evalue}")

    async def usable(self):
        """Whether the kernel can run the next notebook's tests (a timed-out test is interrupted first)."""
        try:
            if self.km is None or not await self.km.is_alive():
                return False
            if self.busy:
                await self.km.interrupt_kernel()
                self.busy = bool(await self._run("pass"))
            return not self.busy
        except Exception:
            return False

    def execute(self, nb, index):
        """Run the test cell ``nb.cells[index]`` here; nbclient's timeout handling applies."""
        self.client.nb = nb
        self.busy = True
        try:
            cell = self.client.execute_cell(nb.cells[index], index, store_history=False)
        except DeadKernelError:
            raise TestKernelDied("the trusted test kernel died") from None
        self.busy = False
        return cell

    async def stop(self):
        try:
            if self.client is not None and self.client.kc is not None:
                self.client.kc.stop_channels()
            if self.km is not None and await self.km.is_alive():
                await self.km.shutdown_kernel(now=True)
            if self.km is not None:
                await self.km.cleanup_resources()
        finally:
            self.kill()

    def kill(self):
        """End the kernel process and remove its folder, without an event loop (at exit)."""
        pid = getattr(getattr(self.km, "provisioner", None), "pid", None)
        if pid:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
        if self.folder:
            shutil.rmtree(self.folder, ignore_errors=True)
        self.folder = self.km = self.client = None


_POOL = {}  # (helper path, thread, or None for one started ahead) -> the TrustedKernel kept for the next notebook
_LOCK = threading.Lock()  # _POOL is read and changed by grading threads and the worker's warm-up


def _left_by_ended_threads(helper_path):
    """The kernels for ``helper_path`` kept by threads that have ended (a Dask worker grades each student in a
    thread of its own) or started ahead: the first, for this thread to take over, and the others, which are
    killed."""
    alive = {thread.ident for thread in threading.enumerate()}
    with _LOCK:
        left = [key for key in _POOL if key[0] == str(helper_path) and key[1] not in alive]
        found = [_POOL.pop(key) for key in left]
    for kernel in found[1:]:
        kernel.kill()
    return found[0] if found else None


async def acquire(helper_path, timeout, client_class, log):
    """A test kernel for ``helper_path``: this thread's previous one when still usable, or one a thread that has
    ended left (or ``prestart`` began), else a new one. No two running threads share one; none is left behind by
    an ended thread."""
    key = (str(helper_path), threading.get_ident())
    with _LOCK:
        kernel = _POOL.pop(key, None)
    kernel = kernel or _left_by_ended_threads(helper_path)
    if kernel is not None and not await kernel.usable():
        await kernel.stop()
        kernel = None
    if kernel is None:
        kernel = TrustedKernel(helper_path, timeout, client_class, log)
        await kernel.start()
    kernel.timeout = timeout
    if kernel.client is not None:
        kernel.client.timeout = timeout
    with _LOCK:
        _POOL[key] = kernel
    return kernel


async def prestart(helper_path, timeout, client_class, log):
    """Launch a test kernel for ``helper_path`` ahead of the first notebook, which ``acquire`` takes over."""
    kernel = TrustedKernel(helper_path, timeout, client_class, log)
    await kernel.start()
    with _LOCK:
        _POOL[(str(helper_path), None)] = kernel


@atexit.register
def _kill_pool():
    for kernel in _POOL.values():
        kernel.kill()
