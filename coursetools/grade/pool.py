"""Student kernels started ahead of need: a notebook's grading never waits for a kernel to start.

Each grading process keeps ``course.POOL_SIZE`` sandboxed student kernels booted, with the course's heavy imports
done (``WARM``: numpy, matplotlib and the helper package, which every notebook's setup cell imports), in a thread of
its own. A kernel grades exactly one notebook run and is then discarded, killed with its sandbox (its in-memory
``/tmp``, working folder and sockets vanish with it); taking one starts the next. So, as far as student code can
tell, every notebook starts in a new kernel: nothing a notebook leaves (globals, modules, files) reaches the next,
and a kernel a student's code damaged is never used again.

A pooled kernel starts exactly as one started for the notebook (``coursetools.grade.sandbox``: the same sandbox,
limits and cleared environment), but in a working folder of the pool, which shows the assignment's files that
autograding gives every student (the helper package), not a student's folder: it is the same for every
student, and shows no notebook. Kernels are pooled only in the sandbox (without it a shared working folder would
carry files from one notebook to the next). The warm-up runs silently: no execution count, no history, no output
in the notebook.
"""

import asyncio
import atexit
import collections
import contextlib
import os
import shutil
import tempfile
import threading

from .. import course
from . import sandbox

WARM = ("import numpy, matplotlib.pyplot\n"
        "import initlab.data, initlab.network, initlab.plots, initlab.widgets\n"
        "import initlab.figures.symmetry, initlab.figures.signals, initlab.figures.xavier, initlab.figures.he\n"
        "import initlab.figures.uniform, initlab.figures.playground\n")
START_TIMEOUT = 120  # seconds a pooled kernel may take to start and import WARM


class KernelPool:
    """Kernels of ``kernel_name`` started with ``arguments`` and ``env``, kept ``size`` ahead, in a working folder
    holding what the released assignment ``release`` holds besides its notebooks (and ``ignore``d files)."""

    def __init__(self, release, ignore, kernel_name, arguments, env, config, size=course.POOL_SIZE):
        self.kernel_name, self.arguments, self.env, self.config = kernel_name, arguments, env, config
        self.base = tempfile.mkdtemp(prefix="kernel-pool-")
        self.folder = os.path.join(self.base, course.ASSIGNMENT)
        shutil.copytree(release, self.folder, ignore=shutil.ignore_patterns("*.ipynb", *ignore))
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="kernel-pool", daemon=True)
        self.thread.start()
        self.ready, self.live, self.taken, self.waited = collections.deque(), set(), 0, 0
        for _ in range(size):
            self._start_one()

    def _start_one(self):
        self.ready.append(asyncio.run_coroutine_threadsafe(self._started(), self.loop))

    async def _started(self):
        """A kernel booted in the sandbox, ``WARM`` imported."""
        km = sandbox.SandboxKernelManager(kernel_name=self.kernel_name, config=self.config)
        self.live.add(km)
        try:
            await km.start_kernel(extra_arguments=list(self.arguments), cwd=self.folder, env=dict(self.env))
            kc = km.client()
            kc.start_channels()
            try:
                await kc.wait_for_ready(timeout=START_TIMEOUT)
                msg_id = kc.execute(WARM, silent=True, store_history=False, allow_stdin=False)
                while True:
                    reply = await kc.get_shell_msg(timeout=START_TIMEOUT)
                    if reply["parent_header"].get("msg_id") == msg_id:
                        break
                if reply["content"]["status"] != "ok":
                    raise RuntimeError(f"the warm-up imports failed: {reply['content'].get('ename')}: "
                                       f"{reply['content'].get('evalue')}")
            finally:
                kc.stop_channels()
        except BaseException:
            await self._stopped(km)
            raise
        return km

    async def _stopped(self, km):
        self.live.discard(km)
        with contextlib.suppress(Exception):
            await km.shutdown_kernel(now=True)

    async def take(self):
        """A started kernel's manager (from the caller's event loop); the next one starts meanwhile. Raises what
        made its start fail, or RuntimeError for a kernel that died while it waited."""
        future = self.ready.popleft()
        self.taken += 1
        self.waited += not future.done()  # the notebook waits for its kernel's start: the pool was not ahead
        self._start_one()
        km = await asyncio.wrap_future(future)
        if not await km.is_alive():
            self.discard(km)
            raise RuntimeError("the kernel died while it waited in the pool")
        return km

    def discard(self, km):
        """Kill a kernel that ran its notebook (in the pool's thread: the grader does not wait for it)."""
        asyncio.run_coroutine_threadsafe(self._stopped(km), self.loop)

    def kill(self):
        """End every kernel of the pool and remove its folder, without its event loop (at exit)."""
        for km in list(self.live):
            pid = getattr(getattr(km, "provisioner", None), "pid", None)
            if pid:
                with contextlib.suppress(OSError):
                    os.kill(pid, 9)
        shutil.rmtree(self.base, ignore_errors=True)


_POOLS = {}  # (release, ignored, kernel name, arguments, what the sandbox passes of the environment) -> KernelPool
_LOCK = threading.Lock()


def pool(release, ignore, kernel_name, arguments, config, env=None):
    """This process's pool for kernels of ``kernel_name`` with ``arguments`` beside the files of ``release``, in the
    environment ``env`` (by default, of now; what counts of it is ``sandbox.PASSED``); None where kernels are not
    pooled (no sandbox, another kernel)."""
    if sandbox.unavailable_reason() is not None or kernel_name not in ("", None, "python3") or course.POOL_SIZE < 1:
        return None
    env = dict(os.environ if env is None else env)
    key = (str(release), tuple(ignore), kernel_name or "python3", tuple(arguments),
           tuple(env.get(k) for k in sandbox.PASSED))
    with _LOCK:
        if key not in _POOLS:
            _POOLS[key] = KernelPool(release, ignore, key[2], key[3], env, config)
        return _POOLS[key]


@atexit.register
def _kill_pools():
    for found in _POOLS.values():
        found.kill()
