"""The notebooks in real JupyterLab, driven by headless Chromium (Playwright).

A JupyterLab server runs on a copy of the source notebooks (with solutions); each notebook is opened on a
laptop screen (1366 × 900, the file browser open) and run (Run All). On that screen and on a 1024 px one
without the file browser, every control of every live figure must be usable with a mouse: inside its output
area (the controls wrap onto rows instead of running off the edge) and, for a slider, with a track at least
150 px wide; the figure must fit its output area too. Nothing but the figure may be printed under a live
figure (no ``<initlab.widgets.LiveFigure at 0x…>``). Then every control (sliders, dropdowns, checkboxes) is
moved once: each move must bring a new figure, and no error output may appear. A button such as Train is
pressed: it must show its progress (its label counts the percentage done), redraw the figure at least five
times a second while its work runs and, once its work is done, show a new figure. Latency is not asserted
here: see ``python -m coursetools bench``.
"""

import re

import pytest
from notebooks import NOTEBOOKS

from coursetools.dev import bench, browser

playwright = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
pytestmark = [pytest.mark.slow, pytest.mark.skipif(browser.CHROMIUM is None,
                                                    reason="Chromium is not installed (make test installs it as root)")]
LAPTOP = browser.SCREENS["1366 px, file browser open"]
FRAMES_PER_SECOND = 5  # while a button's work runs


@pytest.fixture(scope="module")
def session():
    with browser.course_lab() as (url, folder), browser.chromium() as chrome:
        yield chrome, url, folder


@pytest.fixture(scope="module", params=NOTEBOOKS)
def notebook(session, request):
    """(name, page) of a notebook run in JupyterLab on a laptop screen; the page stays open for the tests below."""
    chrome, url, folder = session
    page = browser.run_all(chrome, url, f"{folder}/{request.param}", LAPTOP)
    try:
        yield request.param, page
    finally:
        page.close()
        browser.shutdown_kernels(url)


def test_run_all_shows_every_live_figure_and_control_without_errors(notebook):
    name, page = notebook
    assert not browser.errors(page), f"{name}: errors after Run All"
    figures = browser.layout(page)
    shown = [[control["label"] for control in figure["controls"]] for figure in figures]
    assert shown and shown == bench.control_labels(name), f"{name}: a live figure or a control is missing"


@pytest.mark.parametrize("screen", list(browser.SCREENS))
def test_every_control_is_usable_with_a_mouse(notebook, screen):
    name, page = notebook
    browser.set_screen(page, browser.SCREENS[screen])
    try:
        figures = browser.layout(page)
        assert figures and all(figure["controls"] for figure in figures), f"{name}: no live figure with controls"
        assert browser.unusable(figures) == [], f"{name} at {screen}: controls a mouse cannot use"
        assert browser.cut_figures(figures) == [], f"{name} at {screen}: figures wider than their output area"
    finally:
        browser.set_screen(page, LAPTOP)


def test_nothing_but_the_figure_is_printed_under_a_live_figure(notebook):
    name, page = notebook
    printed = page.locator(".jp-OutputArea-output").all_inner_texts()
    assert not [text for text in printed if re.search(r"<initlab\.|object at 0x|at 0x[0-9a-f]+>", text)], \
        f"{name}: a stray object line under a figure"


def test_every_control_redraws_its_figure(notebook):
    name, page = notebook
    for index, label, kind, item in browser.controls(page):
        try:
            if kind == "button":
                labels, frames, seconds = browser.press(page, index, item)
                assert any("%" in text for text in labels), f"{name}: {label!r} showed no progress: {labels}"
                assert frames / seconds >= FRAMES_PER_SECOND, \
                    f"{name}: {label!r} redrew {frames} times in {seconds:.2f} s of work"
            else:
                browser.move(page, index, kind, item)
        except playwright.TimeoutError:
            pytest.fail(f"{name}: {label!r} brought no new figure" + (" after its work" if kind == "button" else ""))
        assert not browser.errors(page), f"{name}: moving {label!r} wrote an error"
