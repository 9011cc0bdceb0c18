"""The trusted test kernel of autograding.

While nbgrader autogrades a notebook, the student's cells run in the student's
kernel (sandboxed, see ``coursetools.sandbox``) and the test cells run here: in
a second kernel, outside the sandbox, that never receives student code. Before
each test cell, ``initlab.bridge`` binds the names the cell reads to the student
kernel's functions and answers, and each call crosses as plain data.

The kernel talks over Unix sockets in a private folder under /tmp, which the
sandbox hides: student code cannot listen to its messages (the test cells'
source is in them) even though both kernels share the network. It imports the
helper package from the course's ``source/`` folder, never from the student's.
"""

import json
import os
import shutil
import tempfile

import nbformat
from jupyter_client.manager import AsyncKernelManager
from nbclient.exceptions import DeadKernelError

CONNECT = "import initlab.bridge\ninitlab.bridge.connect(json.loads({info!r}))\n"


def connection_info(km):
    """The student kernel's connection info as JSON (the key as text)."""
    info = dict(km.get_connection_info())
    info["key"] = info["key"].decode() if isinstance(info["key"], bytes) else info["key"]
    return json.dumps(info)


class TrustedKernel:
    """Start, drive and stop the kernel that runs the test cells of one notebook."""

    def __init__(self, helper_path, timeout, client_class, log):
        self.helper_path, self.timeout, self.log = str(helper_path), timeout, log
        self.client_class = client_class
        self.folder = self.km = self.client = None

    async def start(self):
        """Launch the kernel process (it boots while the student's kernel does)."""
        self.folder = tempfile.mkdtemp(prefix="initlab-trusted-")
        self.km = AsyncKernelManager(kernel_name="python3", transport="ipc",
                                     ip=os.path.join(self.folder, "kernel"),
                                     connection_file=os.path.join(self.folder, "kernel.json"))
        env = {k: v for k, v in os.environ.items() if not k.startswith("JPY_")}
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [self.helper_path, env.get("PYTHONPATH")]))
        env.setdefault("MPLBACKEND", "Agg")
        await self.km.start_kernel(cwd=self.folder, env=env,
                                   extra_arguments=["--HistoryManager.hist_file=:memory:"])

    async def connect(self, student_info):
        """Wait until the kernel is ready and link it to the student's kernel."""
        self.client = self.client_class(nbformat.v4.new_notebook(), km=self.km, timeout=self.timeout,
                                        allow_errors=True, record_timing=False, log=self.log)
        await self.client.async_start_new_kernel_client()
        cell = nbformat.v4.new_code_cell("import json\n" + CONNECT.format(info=student_info))
        self.client.nb.cells = [cell]
        await self.client.async_execute_cell(cell, 0, store_history=False)
        errors = [o for o in cell.outputs if o.output_type == "error"]
        if errors:
            raise RuntimeError(f"the trusted test kernel could not start: {errors[0].ename}: {errors[0].evalue}")

    def execute(self, nb, index):
        """Run the test cell ``nb.cells[index]`` here; nbclient's timeout handling applies."""
        self.client.nb = nb
        try:
            return self.client.execute_cell(nb.cells[index], index, store_history=False)
        except DeadKernelError:
            raise RuntimeError("the trusted test kernel died") from None

    async def stop(self):
        try:
            if self.client is not None and self.client.kc is not None:
                self.client.kc.stop_channels()
            if self.km is not None and await self.km.is_alive():
                await self.km.shutdown_kernel(now=True)
            if self.km is not None:
                await self.km.cleanup_resources()
        finally:
            if self.folder:
                shutil.rmtree(self.folder, ignore_errors=True)
            self.folder = self.km = self.client = None

