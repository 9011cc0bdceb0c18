"""The notebooks in real JupyterLab, driven by headless Chromium (Playwright).

A JupyterLab server runs on a copy of the course; in notebook 01 with its
solutions, Run All draws the widgets, and moving a slider redraws the figure.
"""

import json
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from notebooks import ASSIGNMENT, SOURCE

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
playwright = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (make test installs it as root)")
TOKEN = "course-tests"
NB = "01_symmetry_breaking.ipynb"


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    root = tmp_path_factory.mktemp("lab")
    shutil.copytree(SOURCE, root / "source" / ASSIGNMENT, ignore=shutil.ignore_patterns("__pycache__"))
    port = _free_port()
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "jupyter"), "lab", "--no-browser", "--allow-root", f"--port={port}",
         "--ServerApp.ip=127.0.0.1", f"--IdentityProvider.token={TOKEN}", f"--ServerApp.root_dir={root}"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(120):
        try:
            urllib.request.urlopen(f"{url}/api/status?token={TOKEN}", timeout=2)
            break
        except OSError:
            time.sleep(0.5)
    else:
        server.kill()
        pytest.fail("JupyterLab did not start")
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run"])
        yield browser, url
        browser.close()
    server.terminate()
    server.wait(timeout=30)


def kernels_idle(url):
    with urllib.request.urlopen(f"{url}/api/kernels?token={TOKEN}", timeout=5) as reply:
        kernels = json.load(reply)
    return bool(kernels) and all(k["execution_state"] == "idle" for k in kernels)


def run_all(browser, url, path):
    """Open a notebook in JupyterLab, run all cells, wait for the kernel to be idle; return the page."""
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(f"{url}/lab/tree/{path}?token={TOKEN}")
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=90_000)
    deadline = time.monotonic() + 90
    while not kernels_idle(url) and time.monotonic() < deadline:
        time.sleep(0.5)
    page.click(".jp-Notebook")
    page.click("div.lm-MenuBar-itemLabel:text-is('Run')")
    page.click("div.lm-Menu-itemLabel:text-is('Run All Cells')")
    page.wait_for_timeout(2000)
    deadline = time.monotonic() + 120
    while not kernels_idle(url) and time.monotonic() < deadline:
        time.sleep(0.5)
    page.wait_for_timeout(1000)
    return page


def test_a_slider_redraws_the_figure_in_jupyterlab(lab):
    browser, url = lab
    page = run_all(browser, url, f"source/{ASSIGNMENT}/{NB}")
    slider = page.locator(".widget-slider").first
    slider.wait_for(timeout=30_000)
    figure = page.locator(".initlab-live img").first
    figure.wait_for(timeout=30_000)
    before = figure.get_attribute("src")
    slider.scroll_into_view_if_needed()
    slider.locator(".noUi-handle").focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_function("src => { const img = document.querySelector('.initlab-live img');"
                           " return img && img.src !== src; }", arg=before, timeout=30_000)
    assert page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']").count() == 0
    page.close()

