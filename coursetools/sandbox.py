"""Confine autograded kernels with bubblewrap.

During ``nbgrader autograde`` the student's code runs in a kernel started in
``autograded/<student>/<assignment>/``. ``SandboxKernelManager`` starts that
kernel inside ``bwrap``: the whole file system is read-only, the course root and
the home directory are replaced by empty folders, the kernel has its own pid
namespace (no grader process in /proc) and no capabilities, and the submission's
folder is an empty scratch space in which only the helper package is visible,
read-only: the notebooks there hold the hidden tests nbgrader restored, and
anything the student's code writes (a module that would shadow numpy, a symlink
that generate_feedback would follow) vanishes with the kernel. Without
``JPY_PARENT_PID`` ipykernel does not poll a parent it cannot see;
``--die-with-parent`` ends it with the grader. Memory, file size and
CPU time are capped with ``prlimit`` so that a runaway answer raises
``MemoryError`` instead of taking the grader's machine down.
"""

import functools
import os
import pwd
import shutil
import site
import subprocess
import sys
import sysconfig

from jupyter_client.manager import AsyncKernelManager

from . import course


@functools.lru_cache(maxsize=1)
def unavailable_reason():
    """None when bwrap can confine a process here, else why it cannot."""
    if os.environ.get("COURSE_SANDBOX", "on") == "off":
        return "disabled by COURSE_SANDBOX=off"
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        return "bubblewrap is not installed (apt-get install bubblewrap)"
    probe = subprocess.run([bwrap, "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "true"],
                           capture_output=True, text=True)
    if probe.returncode != 0:
        return f"bwrap cannot create a sandbox here: {probe.stderr.strip() or probe.returncode}"
    return None


def _needed_paths():
    """The Python installation the kernel runs from (it may lie under a hidden folder).

    Only the interpreter's prefixes and site-packages: never sys.path entries such as
    the course root, which nbgrader_config.py puts on the grader's path.
    """
    paths = {sys.prefix, sys.base_prefix, sys.exec_prefix, os.path.dirname(os.path.realpath(sys.executable))}
    paths.update(sysconfig.get_paths().values())
    paths.update(site.getsitepackages())
    root = str(course.ROOT)
    return sorted(p for p in paths if p and os.path.exists(p)
                  and not (p == root or (p.startswith(root + os.sep) and not p.startswith(sys.prefix))))


def _hidden_roots():
    """The course root, the temporary folders and the home folder: both $HOME and the user's own (the tests
    point $HOME at a temporary folder)."""
    roots = {str(course.ROOT), "/tmp", "/var/tmp"}
    for home in (os.path.expanduser("~"), pwd.getpwuid(os.getuid()).pw_dir):
        if home and home != "/":
            roots.add(os.path.realpath(home))
    return sorted(r for r in roots if not any(r.startswith(o + os.sep) for o in roots))


def bwrap_command(cmd, workdir, connection_file):
    """``cmd`` wrapped in bubblewrap, run in ``workdir`` (see the module docstring)."""
    workdir = os.path.realpath(workdir)
    hidden = _hidden_roots()
    args = [shutil.which("bwrap"), "--ro-bind", "/", "/", "--dev", "/dev",
            # own pid namespace: /proc shows no grader process (whose cwd would lead to the course root)
            "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--proc", "/proc", "--cap-drop", "ALL",
            "--die-with-parent", "--new-session"]
    for root in hidden:
        args += ["--tmpfs", root]
    for path in _needed_paths():
        if any(path == r or path.startswith(r + os.sep) for r in hidden):
            args += ["--ro-bind", path, path]
    conn = os.path.realpath(connection_file)
    # The submission folder is an empty scratch tmpfs inside: what the student's code writes there
    # (a numpy.py, a symlink to source/) vanishes with the kernel. Only the helper package is shown,
    # read-only; the notebooks, which nbgrader wrote with the hidden tests restored, are not.
    args += ["--ro-bind", conn, conn, "--tmpfs", workdir]
    for name in sorted(os.listdir(workdir)):
        if not name.endswith(".ipynb"):
            path = os.path.join(workdir, name)
            args += ["--ro-bind", path, path]
    args += ["--setenv", "HOME", "/tmp", "--setenv", "MPLCONFIGDIR", "/tmp", "--setenv", "TMPDIR", "/tmp",
             "--setenv", "PYTHONDONTWRITEBYTECODE", "1", "--unsetenv", "JPY_PARENT_PID", "--chdir", workdir]
    limits = [shutil.which("prlimit") or "prlimit", f"--as={course.MEMORY_LIMIT}",
              f"--fsize={course.FILE_SIZE_LIMIT}", "--"]
    return args + ["--"] + limits + list(cmd)


class SandboxKernelManager(AsyncKernelManager):
    """A kernel manager whose kernels run inside bwrap (see module docstring)."""

    async def _async_pre_start_kernel(self, **kw):
        cmd, kw = await super()._async_pre_start_kernel(**kw)
        workdir = kw.get("cwd") or os.getcwd()
        return bwrap_command(cmd, workdir, self.connection_file), kw
