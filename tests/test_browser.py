"""The notebooks in real JupyterLab, driven by headless Chromium (Playwright).

A JupyterLab server runs on a copy of the source notebooks (with solutions); in
each notebook, Run All draws the live figures, and every control of every
figure (sliders, dropdowns, checkboxes) is moved once: each move must bring a new figure, and no
error output may appear. A button such as Train is pressed: it must show its progress (its label
counts the percentage done) and, once its work is done, a new figure. Latency is not asserted here: see
``python -m coursetools bench``.
"""

import re

import pytest
from notebooks import NOTEBOOKS, SOURCE, read

from coursetools import browser

playwright = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
pytestmark = [pytest.mark.slow, pytest.mark.skipif(browser.CHROMIUM is None,
                                                    reason="Chromium is not installed (make test installs it as root)")]
LIVE_FIGURE = re.compile(r"widgets\.show\(\s*\w+,\s*\w+")


@pytest.fixture(scope="module")
def session():
    with browser.course_lab() as (url, folder), browser.chromium() as chrome:
        yield chrome, url, folder


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_every_control_redraws_its_figure(session, notebook):
    chrome, url, folder = session
    page = browser.run_all(chrome, url, f"{folder}/{notebook}")
    try:
        assert not browser.errors(page), f"{notebook}: errors after Run All"
        expected = sum(len(LIVE_FIGURE.findall(c.source)) for c in read(SOURCE / notebook).cells
                       if c.cell_type == "code")
        assert page.locator(".initlab-live").count() == expected, f"{notebook}: a live figure is missing"
        for index, label, kind, item in browser.controls(page):
            try:
                if kind == "button":
                    labels, _, _ = browser.press(page, index, item)
                    assert any("%" in text for text in labels), f"{notebook}: {label!r} showed no progress: {labels}"
                else:
                    browser.move(page, index, kind, item)
            except playwright.TimeoutError:
                pytest.fail(f"{notebook}: {label!r} brought no new figure" + (" after its work" if kind == "button"
                                                                               else ""))
            assert not browser.errors(page), f"{notebook}: moving {label!r} wrote an error"
    finally:
        page.close()
        browser.shutdown_kernels(url)
