"""The tests leave the user's home folder untouched (the root conftest.py points it at a temporary folder).

A representative real run (nbgrader generate_assignment, autograde with sandboxed kernels and
generate_feedback; JupyterLab opening a notebook in Chromium and running it) is run by a nested pytest
whose $HOME is an empty folder, as in a TA's shell (none of the Jupyter, IPython or XDG variables set):
afterwards that folder must still be empty.
"""

import os
import subprocess
import sys

import pytest
from notebooks import ROOT

pytestmark = pytest.mark.slow


def test_tests_leave_the_home_folder_untouched(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    session_home = os.environ["HOME"]  # the root conftest.py's: drop every variable it set, as in a TA's shell
    env = {k: v for k, v in os.environ.items() if not v.startswith(session_home)}
    env["HOME"] = str(home)
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-x",
                             "tests/home_isolation_run.py"],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=1200)
    assert result.returncode == 0 and "1 passed" in result.stdout, result.stdout + result.stderr
    left = sorted(str(p.relative_to(home)) for p in home.rglob("*"))
    assert left == [], f"written into the home folder: {left}"
