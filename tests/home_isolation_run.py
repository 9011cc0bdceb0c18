"""The representative real run of tests/test_home_isolation.py, in a nested pytest (its name keeps it out of the
outer run: pytest collects it only when given its path)."""

from notebooks import ASSIGNMENT, NOTEBOOKS
from submissions import Course


def test_a_representative_real_run(tmp_path):
    from coursetools.dev import browser

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
