"""Paths of the course and the two instructor steps: execute the sources, regenerate the release."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ASSIGNMENT = "initialization"


def source_dir(root=ROOT):
    return Path(root) / "source" / ASSIGNMENT


def notebooks(root=ROOT):
    """The assignment's notebooks, by name, in order."""
    return sorted(p.name for p in source_dir(root).glob("[0-9][0-9]_*.ipynb"))


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


def execute_sources(root=ROOT):
    """Execute every source notebook in place, so that its stored outputs are current.

    Runs as nbval does (static figures, a fresh kernel in the notebook's folder) and
    keeps no execution timings, so re-running changes only what the code prints.
    """
    import nbformat
    from nbclient import NotebookClient

    for name in notebooks(root):
        path = source_dir(root) / name
        nb = nbformat.read(str(path), as_version=4)
        NotebookClient(nb, timeout=600, record_timing=False, resources={"metadata": {"path": str(source_dir(root))}}
                       ).execute(env=tool_env(INITLAB_WIDGETS="static"))
        for cell in nb.cells:
            cell.metadata.pop("execution", None)
        nbformat.write(nb, str(path))
        print(f"executed {name}")
    return 0
