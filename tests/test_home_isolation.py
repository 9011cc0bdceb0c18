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
from notebooks import ASSIGNMENT, NOTEBOOKS, ROOT
from submissions import Course

pytestmark = pytest.mark.slow

INNER = "COURSE_HOME_CHECK"


@pytest.mark.skipif(not os.environ.get(INNER), reason="run by test_tests_leave_the_home_folder_untouched")
def test_a_representative_real_run(tmp_path):
    from coursetools import browser

    course = Course(tmp_path)
    course.submit_solutions("s", only=NOTEBOOKS[:1])
    course.nbgrader("autograde", ASSIGNMENT)
    course.nbgrader("generate_feedback", ASSIGNMENT)
    assert course.scores("s")[NOTEBOOKS[0]]
    if browser.CHROMIUM is None:
        return
    with browser.course_lab() as (url, folder), browser.chromium() as chrome:
        page = browser.run_all(chrome, url, f"{folder}/{NOTEBOOKS[0]}")
        assert not browser.errors(page)
        page.close()
        browser.shutdown_kernels(url)


def test_tests_leave_the_home_folder_untouched(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    session_home = os.environ["HOME"]  # the root conftest.py's: drop every variable it set, as in a TA's shell
    env = {k: v for k, v in os.environ.items() if not v.startswith(session_home)}
    env.update(HOME=str(home), **{INNER: "1"})
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-x",
                             "tests/test_home_isolation.py::test_a_representative_real_run"],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=1200)
    assert result.returncode == 0 and "1 passed" in result.stdout, result.stdout + result.stderr
    left = sorted(str(p.relative_to(home)) for p in home.rglob("*"))
    assert left == [], f"written into the home folder: {left}"
