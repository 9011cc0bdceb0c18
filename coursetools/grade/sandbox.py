"""Confine autograded kernels with bubblewrap.

During autograding the student's code runs in a kernel started in
``autograded/<student>/<assignment>/``. ``SandboxKernelManager`` starts it inside ``bwrap``:

- **Files: an allow-list.** An empty, read-only root in which only the Python
  environment, the system's shared libraries and the two launchers below are bound,
  read-only (``allowed_paths``); its own ``/proc`` (a pid namespace: no grader
  process) and a minimal ``/dev``. ``/tmp``, ``/dev/shm`` and the working folder
  are empty in-memory folders of a fixed size (``course.SCRATCH_SIZE``): what the
  student's code writes there counts against a limit and vanishes with the kernel
  (a ``numpy.py`` that would shadow numpy, a symlink that generate_feedback would
  follow). In the working folder only the helper package is shown, read-only: the
  notebooks nbgrader wrote there hold the hidden tests.
- **No network.** A network namespace of its own: nothing listens on its loopback
  but the kernel. Its channels are Unix sockets in a folder of the sandbox
  (``/kernel``, also in memory), which the grader reaches from outside through
  ``/proc/<pid>/root``; the test kernel's call socket is there too. So no socket
  of the machine, of the grader, of Dask or of another student's kernel can be
  reached from inside.
- **A cleared environment**: ``ENVIRONMENT`` and the few variables of ``PASSED``.
- **Resources.** One process (the seccomp filter of ``coursetools.grade.seccomp``: no
  fork, no memory outside the limits), and ``prlimit``: address space, CPU time,
  file size, threads. As root, the kernel runs as a user id of its own (``setpriv``,
  no capabilities left), for which the thread limit counts; otherwise bubblewrap
  makes a user namespace, in which it counts.

``PrivateKernelManager`` (no bubblewrap) keeps only the Unix sockets in a private
folder. Without ``JPY_PARENT_PID`` ipykernel does not poll a parent it cannot see;
``--die-with-parent`` ends the kernel with the grader.
"""

import asyncio
import functools
import os
import shutil
import site
import subprocess
import sys
import sysconfig
import tempfile
import threading

import zmq
from jupyter_client.manager import AsyncKernelManager

from .. import course
from . import seccomp

INSIDE = "/kernel"  # the kernel's folder inside the sandbox: its sockets and its connection file
SYSTEM_PREFIXES = {"/", "/usr", "/usr/local"}  # never bound whole: only their Python folders
SYSTEM_LIBRARIES = ("/lib", "/lib32", "/lib64", "/usr/lib", "/usr/lib32", "/usr/lib64", "/etc/ld.so.cache")
LAUNCHERS = ("setpriv", "prlimit")
PASSED = ("NBGRADER_EXECUTION", "NBGRADER_VALIDATING", "INITLAB_WIDGETS")  # kept from the grader's environment
ENVIRONMENT = {
    "HOME": "/tmp", "TMPDIR": "/tmp", "MPLCONFIGDIR": "/tmp/matplotlib", "LANG": "C.UTF-8",
    "PATH": os.path.dirname(sys.executable), "PYTHONDONTWRITEBYTECODE": "1",
    # one core per worker: BLAS threads would only compete (and count against the thread limit)
    "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
}


def _inside(path, folder):
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def _python_paths():
    """The Python environment: a virtual environment whole, the interpreter's own folders, its site-packages."""
    paths = set()
    for prefix in {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix}:
        if prefix not in SYSTEM_PREFIXES:
            paths.add(prefix)
    for scheme in (sysconfig.get_paths(), sysconfig.get_paths(vars={"base": sys.base_prefix,
                                                                     "platbase": sys.base_exec_prefix})):
        paths.update(scheme[key] for key in ("stdlib", "platstdlib", "purelib", "platlib"))
    paths.update(site.getsitepackages())
    return paths


def _interpreter(paths):
    """(files, {link: target}): the interpreter and each symbolic link leading to it, where ``paths`` misses them."""
    files, links, path = set(), {}, sys.executable
    for _ in range(40):
        covered = any(_inside(path, p) for p in paths)
        if not os.path.islink(path):
            if not covered:
                files.add(path)
            break
        target = os.readlink(path)
        if not covered:
            links[path] = target
        path = os.path.normpath(os.path.join(os.path.dirname(path), target))
    return files, links


@functools.lru_cache(maxsize=1)
def allowed_paths():
    """(paths bound read-only, {link: target}): everything of the machine a sandboxed kernel sees (module docstring).

    Never the course root or a folder that holds it (a virtual environment inside the course is bound alone).
    """
    root = str(course.ROOT)
    paths, links = set(), {}
    for path in SYSTEM_LIBRARIES:
        if os.path.islink(path):
            links[path] = os.readlink(path)
        elif os.path.exists(path):
            paths.add(path)
    paths |= {p for p in _python_paths() if p and os.path.exists(p)}
    paths |= {shutil.which(name) for name in LAUNCHERS} - {None}
    files, chain = _interpreter(paths)
    paths |= files
    links.update(chain)
    paths = {os.path.normpath(p) for p in paths
             if not _inside(root, p) and (not _inside(p, root) or _inside(p, sys.prefix))}
    paths = sorted(p for p in paths if not any(q != p and _inside(p, q) for q in paths))
    return paths, dict(sorted(links.items()))


def visible(path):
    """Whether a sandboxed kernel can read ``path`` (the worker keeps its scratch course elsewhere)."""
    paths, _ = allowed_paths()
    return any(_inside(os.path.realpath(path), p) for p in paths)


_UIDS = iter(range(1 << 30))
_UIDS_LOCK = threading.Lock()


def kernel_uid():
    """None, or when this process is root, a user id of its own for the next kernel: this process's id and a
    counter (no two kernels of the machine share one while they run)."""
    if os.geteuid() != 0:
        return None
    with _UIDS_LOCK:
        count = next(_UIDS)
    return (1 << 30) + ((os.getpid() & 0x3FFFFF) << 8) + (count & 0xFF)


def _parents(paths, made):
    """Every folder above ``paths`` but the mounts in ``made``, parents first (bubblewrap would make them private
    to root)."""
    found = set()
    for path in paths:
        parent = os.path.dirname(path)
        while parent not in ("/", "") and parent not in made:
            found.add(parent)
            parent = os.path.dirname(parent)
    return sorted(found, key=lambda p: (p.count(os.sep), p))


def _scratch(mount):
    return ["--perms", "1777", "--size", str(course.SCRATCH_SIZE), "--tmpfs", mount]


def bwrap_args(workdir, connection_file, env, seccomp_fd=None, uid=None):
    """The bubblewrap command, up to the kernel's own, that confines a kernel run in ``workdir`` (module docstring);
    ``uid``: the user id the kernel runs as (when this process is root)."""
    workdir = os.path.realpath(workdir)
    paths, links = allowed_paths()
    args = [shutil.which("bwrap"), "--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts",
            "--die-with-parent", "--new-session", "--clearenv", "--dev", "/dev", "--proc", "/proc"]
    scratch = ["/tmp", "/dev/shm", INSIDE]  # in memory, of a fixed size, writable by the kernel; so is workdir
    for mount in scratch:
        args += _scratch(mount)
    for parent in _parents([*paths, *links, workdir], made=scratch):
        args += ["--perms", "0755", "--dir", parent]
    args += _scratch(workdir)
    for path in paths:
        args += ["--ro-bind", path, path]
    for link, target in links.items():
        args += ["--symlink", target, link]
    for name in sorted(os.listdir(workdir)):
        if not name.endswith(".ipynb"):  # the helper package, read-only; not the notebooks
            args += ["--ro-bind", os.path.join(workdir, name), os.path.join(workdir, name)]
    args += ["--ro-bind", os.path.realpath(connection_file), f"{INSIDE}/kernel.json",
             "--remount-ro", "/dev", "--remount-ro", "/", "--chdir", workdir]
    for name, value in {**ENVIRONMENT, **{k: env[k] for k in PASSED if k in env}}.items():
        args += ["--setenv", name, value]
    if seccomp_fd is not None:
        args += ["--seccomp", str(seccomp_fd)]
    args.append("--")
    if uid is not None:
        args += [shutil.which("setpriv") or "/usr/bin/setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups",
                 "--bounding-set=-all", "--inh-caps=-all", "--no-new-privs", "--"]
    return args + [shutil.which("prlimit") or "/usr/bin/prlimit", f"--as={course.MEMORY_LIMIT}",
                   f"--cpu={course.CPU_TIME_LIMIT}", f"--fsize={course.FILE_SIZE_LIMIT}",
                   f"--nproc={course.MAX_THREADS}", "--"]


def seccomp_fd():
    """A descriptor from which bubblewrap reads the seccomp program (the caller closes it once bwrap started)."""
    read, write = os.pipe()
    os.write(write, seccomp.program())  # a few hundred bytes: the pipe holds them
    os.close(write)
    return read


@functools.lru_cache(maxsize=1)
def unavailable_reason():
    """None when bwrap can confine a kernel here (tried once, with every option a kernel gets), else why not."""
    if os.environ.get("COURSE_SANDBOX", "on") == "off":
        return "disabled by COURSE_SANDBOX=off"
    if shutil.which("bwrap") is None:
        return "bubblewrap is not installed (apt-get install bubblewrap)"
    if os.geteuid() == 0 and shutil.which("setpriv") is None:
        return "setpriv is not installed (apt-get install util-linux)"
    if seccomp.program() is None:
        return f"no seccomp filter for this machine ({os.uname().machine})"
    with tempfile.TemporaryDirectory() as folder:
        connection = os.path.join(folder, "kernel.json")
        open(connection, "w").close()
        fd = seccomp_fd()
        try:
            cmd = [*bwrap_args(folder, connection, {}, fd, kernel_uid()), sys.executable, "-I", "-c",
                   "import os; os.fork()"]
            probe = subprocess.run(cmd, capture_output=True, text=True, pass_fds=(fd,))
        finally:
            os.close(fd)
    if "PermissionError" not in probe.stderr:  # the sandbox started, and refused the fork
        return f"bwrap cannot create a sandbox here: {probe.stderr.strip()[-300:] or probe.returncode}"
    return None


class PrivateKernelManager(AsyncKernelManager):
    """A kernel whose channels are Unix sockets in a private folder (removed with the kernel), not loopback ports;
    the frames the grader takes from it are capped (``course.MAX_FRAME_BYTES``)."""

    folder = None

    async def _async_pre_start_kernel(self, **kw):
        if self.folder is None:
            self.folder = tempfile.mkdtemp(prefix="kernel-")
        self.transport, self.ip = "ipc", self.kernel_ip()
        self.connection_file = os.path.join(self.folder, "kernel.json")
        return await super()._async_pre_start_kernel(**kw)

    def kernel_ip(self):
        """The sockets' path prefix, as the kernel sees it."""
        return os.path.join(self.folder, "kernel")

    def client(self, **kwargs):
        kc = super().client(**kwargs)
        kc.context.setsockopt(zmq.MAXMSGSIZE, course.MAX_FRAME_BYTES)  # for the channels it is about to open
        return kc

    async def _async_cleanup_resources(self, restart=False):
        await super()._async_cleanup_resources(restart=restart)
        if not restart and self.folder:
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder = None

    cleanup_resources = _async_cleanup_resources


class SandboxKernelManager(PrivateKernelManager):
    """A kernel manager whose kernels run inside bwrap (see the module docstring)."""

    def kernel_ip(self):
        return f"{INSIDE}/kernel"

    async def _async_pre_start_kernel(self, **kw):
        cmd, kw = await super()._async_pre_start_kernel(**kw)
        cmd = [f"{INSIDE}/kernel.json" if arg == self.connection_file else arg for arg in cmd]
        uid = kernel_uid()
        if uid is not None:  # the kernel reads its connection file (the folder stays the grader's alone)
            os.chown(self.connection_file, uid, uid)
        self._seccomp_fd = seccomp_fd()
        args = bwrap_args(kw.get("cwd") or os.getcwd(), self.connection_file, kw.get("env") or {}, self._seccomp_fd,
                          uid)
        kw["pass_fds"] = (*kw.get("pass_fds", ()), self._seccomp_fd)
        kw["env"] = {}  # bubblewrap's own processes (pid 1 inside) hold no variable of the grader's either
        return args + cmd, kw

    async def _async_launch_kernel(self, kernel_cmd, **kw):
        try:
            await super()._async_launch_kernel(kernel_cmd, **kw)
        finally:
            os.close(self._seccomp_fd)
        # from now on the grader reaches the kernel's sockets through the sandbox's root
        self.ip = f"/proc/{await self._sandbox_pid()}/root{self.kernel_ip()}"

    async def _sandbox_pid(self):
        """The pid of bubblewrap's process inside the sandbox (the child of the one started)."""
        pid = self.provisioner.pid
        for _ in range(400):
            try:
                with open(f"/proc/{pid}/task/{pid}/children") as f:
                    children = f.read().split()
            except OSError:
                children = []
            if children:
                return int(children[0])
            if self.provisioner.process.poll() is not None:
                break
            await asyncio.sleep(0.005)
        raise RuntimeError("the sandboxed kernel did not start (bubblewrap exited)")

    _launch_kernel = _async_launch_kernel


def kernel_manager_class(reason):
    """The student kernel's manager: in the sandbox when ``reason`` (why it is unavailable) is None."""
    return SandboxKernelManager if reason is None else PrivateKernelManager
