"""Every test run keeps out of the user's home folder.

Kernels (nbval, nbgrader, JupyterLab), JupyterLab itself, IPython, matplotlib and Chromium write state
into the home folder: workspaces (which reopen a notebook at the TA's next ``jupyter lab``), settings,
runtime and connection files, IPython history, font caches, browser profiles. Before anything starts,
this points $HOME and every such folder at one temporary folder of the session, removed at its end.
(Loaded for every test, nbval's notebooks included: it sits in pytest's root folder.)
"""

import atexit
import os
import shutil
import tempfile

REAL_HOME = os.path.expanduser("~")
SESSION_HOME = tempfile.mkdtemp(prefix="course-tests-home-")


def isolated_env(home):
    """The variables that point everything a test starts at ``home``."""
    return {
        "HOME": home,
        "JUPYTER_CONFIG_DIR": os.path.join(home, ".jupyter"),
        "JUPYTER_DATA_DIR": os.path.join(home, ".local", "share", "jupyter"),
        "JUPYTER_RUNTIME_DIR": os.path.join(home, ".local", "share", "jupyter", "runtime"),
        "JUPYTERLAB_WORKSPACES_DIR": os.path.join(home, ".jupyter", "lab", "workspaces"),
        "JUPYTERLAB_SETTINGS_DIR": os.path.join(home, ".jupyter", "lab", "user-settings"),
        "IPYTHONDIR": os.path.join(home, ".ipython"),
        "MPLCONFIGDIR": os.path.join(home, ".config", "matplotlib"),
        "XDG_CONFIG_HOME": os.path.join(home, ".config"),
        "XDG_DATA_HOME": os.path.join(home, ".local", "share"),
        "XDG_CACHE_HOME": os.path.join(home, ".cache"),
        "XDG_STATE_HOME": os.path.join(home, ".local", "state"),
    }


os.environ.update(isolated_env(SESSION_HOME))


# removed at exit, after what registered later (an in-process IPython shell saves its history there at exit)
atexit.register(shutil.rmtree, SESSION_HOME, ignore_errors=True)
