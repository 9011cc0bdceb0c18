"""The notebooks' live figures in real JupyterLab, driven by headless Chromium (Playwright).

Used by the browser test (every control usable on a laptop screen, and moved once) and by
``python -m coursetools bench`` (every control moved several times, latency from the input
event to the new figure loaded in the page, next to a floor measured in the
same run: a plain ipywidgets slider whose observer re-fills an ``Output`` with a
one-line inline PNG).
"""

import contextlib
import json
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

import nbformat

from ..course import Course, tool, tool_env

TOKEN = "course-browser"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLOOR = "floor.ipynb"
FLOOR_CODE = """\
import ipywidgets
import matplotlib.pyplot as plt
from IPython.display import display

out = ipywidgets.Output()
slider = ipywidgets.IntSlider(value=50, min=0, max=100, description="floor")


def redraw(_change=None):
    with out:
        out.clear_output(wait=True)
        fig, ax = plt.subplots(figsize=(4, 3))
        ax.plot([0, 1], [0, slider.value])
        display(fig)
        plt.close(fig)


slider.observe(redraw, names="value")
box = ipywidgets.VBox([slider, out])
box.add_class("initlab-live")
display(box)
redraw()
"""

# In-page probe: the time of the first input event after arming, and of the next image loaded in the box.
PROBE = """
([index]) => {
  const p = window.__probe || (window.__probe = {armed: false, t0: null, t1: null});
  if (!p.installed) {
    for (const type of ["keydown", "input", "change", "click"]) {
      document.addEventListener(type, () => { if (p.armed && p.t0 === null) p.t0 = performance.now(); }, true);
    }
    p.installed = true;
  }
  const box = document.querySelectorAll(".initlab-live")[index];
  if (!box.__probed) {
    box.addEventListener("load", () => { if (p.armed && p.t0 !== null && p.t1 === null) p.t1 = performance.now(); },
                         true);
    box.__probed = true;
  }
  Object.assign(p, {armed: true, t0: null, t1: null});
}
"""
# In-page record of a button press: the labels the button shows while its work runs (e.g. "Train 40 %"), the
# time it is back to its own label and enabled (the work is done), and the times of the images loaded in the box.
PRESS_PROBE = """
([index]) => {
  const box = document.querySelectorAll(".initlab-live")[index];
  const button = box.querySelector(".widget-button");
  const p = {label: button.textContent.trim(), labels: [], start: performance.now(), done: null, loads: []};
  new MutationObserver(() => {
    const text = button.textContent.trim();
    if (p.labels[p.labels.length - 1] !== text) p.labels.push(text);
    if (p.done === null && p.labels.length > 1 && text === p.label && !button.disabled) p.done = performance.now();
  }).observe(button, {childList: true, subtree: true, characterData: true, attributes: true});
  box.addEventListener("load", () => p.loads.push(performance.now()), true);
  window.__press = p;
}
"""
# In-page layout of every live figure: the box of its output area, of its figure and of each control, and the
# width of each slider's track (what a mouse can drag).
CONTROLS = ".widget-slider, .widget-dropdown, .widget-checkbox, .widget-button"
LAYOUT = r"""
([controls]) => {
  const rect = (element) => {
    const r = element.getBoundingClientRect();
    return {left: r.left, right: r.right, top: r.top, bottom: r.bottom, width: r.width, height: r.height};
  };
  return [...document.querySelectorAll(".initlab-live")].map((box) => ({
    area: rect(box.closest(".jp-OutputArea-output") || box.parentElement),
    image: box.querySelector(".widget-image") ? rect(box.querySelector(".widget-image")) : null,
    controls: [...box.querySelectorAll(controls)].map((item) => ({
      label: (item.innerText || "").replace(/\u200b/g, "").trim().split("\n")[0],
      kind: ["slider", "dropdown", "checkbox", "button"].find((kind) => item.classList.contains(`widget-${kind}`)),
      box: rect(item),
      track: item.querySelector(".noUi-target") ? rect(item.querySelector(".noUi-target")).width : null,
    })),
  }));
}
"""
# The screens a student must be able to use every control on: (width, height, JupyterLab's file browser open).
SCREENS = {"1366 px, file browser open": (1366, 900, True), "1024 px, file browser closed": (1024, 900, False)}
MIN_TRACK = 150  # px: a slider track narrower than this jumps to an end of its range when dragged

ERRORS = ("[data-mime-type='application/vnd.jupyter.stderr'], "
          "[data-mime-type='application/vnd.jupyter.error']")


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url):
    with urllib.request.urlopen(url, timeout=5) as reply:
        return json.load(reply)


@contextlib.contextmanager
def lab(root):
    """A JupyterLab server on ``root``; yields its URL. Workspaces, settings and runtime files stay in a
    temporary folder (nothing in ~/.jupyter), notebooks render every cell (no windowing), and no news toast
    covers the page."""
    with tempfile.TemporaryDirectory() as state:
        settings = Path(state) / "settings" / "@jupyterlab"
        for extension, name, values in (("notebook-extension", "tracker", {"windowingMode": "none"}),
                                        ("apputils-extension", "notification",  # no news toast over the outputs
                                         {"fetchNews": "false", "checkForUpdates": False})):
            (settings / extension).mkdir(parents=True)
            (settings / extension / f"{name}.jupyterlab-settings").write_text(json.dumps(values))
        port = _free_port()
        server = subprocess.Popen(
            [tool("jupyter"), "lab", "--no-browser", "--allow-root", f"--port={port}",
             "--ServerApp.ip=127.0.0.1", f"--IdentityProvider.token={TOKEN}", f"--ServerApp.root_dir={root}",
             f"--LabApp.workspaces_dir={state}/workspaces", f"--LabApp.user_settings_dir={state}/settings"],
            env=tool_env(JUPYTER_RUNTIME_DIR=f"{state}/runtime"),
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        url = f"http://127.0.0.1:{port}"
        try:
            for _ in range(240):
                try:
                    _get(f"{url}/api/status?token={TOKEN}")
                    break
                except OSError:
                    time.sleep(0.5)
            else:
                raise RuntimeError("JupyterLab did not start")
            yield url
        finally:
            server.terminate()
            server.wait(timeout=30)


@contextlib.contextmanager
def chromium():
    """Headless Chromium (Debian's), through Playwright."""
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run",
            "--disable-background-timer-throttling", "--disable-renderer-backgrounding"])
        try:
            yield browser
        finally:
            browser.close()


@contextlib.contextmanager
def course_lab():
    """JupyterLab on a copy of the source notebooks (with solutions) and the floor notebook; yields
    (url, folder of the notebooks relative to the server root)."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "course"
        shutil.copytree(Course().source, folder, ignore=shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints"))
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(FLOOR_CODE)])
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        nbformat.write(nb, str(folder / FLOOR))
        with lab(tmp) as url:
            yield url, "course"


def _kernels_idle(url):
    try:
        kernels = _get(f"{url}/api/kernels?token={TOKEN}")
    except OSError:  # the server is busy starting or ending a kernel: ask again
        return False
    return bool(kernels) and all(k["execution_state"] == "idle" for k in kernels)


def _wait_idle(url, seconds):
    deadline = time.monotonic() + seconds
    while not _kernels_idle(url) and time.monotonic() < deadline:
        time.sleep(0.3)


def shutdown_kernels(url):
    for kernel in _get(f"{url}/api/kernels?token={TOKEN}"):
        request = urllib.request.Request(f"{url}/api/kernels/{kernel['id']}?token={TOKEN}", method="DELETE")
        urllib.request.urlopen(request, timeout=10).close()


def run_all(browser, url, path, screen=(1500, 1000, True)):
    """Open a notebook on a screen (width, height, file browser open), run all its cells, wait for the kernel
    to be idle; return the page."""
    width, height, file_browser = screen
    page = browser.new_page(viewport={"width": width, "height": height})
    page.goto(f"{url}/lab/tree/{path}?token={TOKEN}&reset")  # this notebook only, not the last workspace
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=120_000)
    _wait_idle(url, 120)
    show_file_browser(page, file_browser)
    page.click(".jp-Notebook")
    page.click("div.lm-MenuBar-itemLabel:text-is('Run')")
    page.click("div.lm-Menu-itemLabel:text-is('Run All Cells')")
    page.wait_for_timeout(1000)
    page.wait_for_function("![...document.querySelectorAll('.jp-InputPrompt')].some(p => p.textContent.includes('*'))",
                           timeout=300_000, polling=200)  # no cell queued or running
    _wait_idle(url, 60)
    page.wait_for_timeout(300)
    return page


def show_file_browser(page, shown):
    """Open or close JupyterLab's file browser (the left side panel)."""
    tab = page.locator(".lm-TabBar-tab[data-id='filebrowser']")
    if tab.count() and ("lm-mod-current" in (tab.get_attribute("class") or "")) != shown:
        tab.click()
        page.wait_for_timeout(300)


def set_screen(page, screen):
    """Resize the page and open or close the file browser, as a student with that screen would."""
    width, height, file_browser = screen
    page.set_viewport_size({"width": width, "height": height})
    show_file_browser(page, file_browser)
    page.wait_for_timeout(500)  # JupyterLab lays the panels out again


def layout(page):
    """Every live figure's output area, figure and controls on the page, as boxes in CSS pixels (see LAYOUT)."""
    return page.evaluate(LAYOUT, [CONTROLS])


def unusable(figures, min_track=MIN_TRACK):
    """[(label, why)] for every control that a mouse cannot use: outside its output area (cut off or behind a
    scroll bar), hidden, or a slider whose track is narrower than ``min_track`` pixels."""
    found = []
    for figure in figures:
        area = figure["area"]
        for control in figure["controls"]:
            box, label = control["box"], control["label"] or control["kind"]
            if box["width"] < 1 or box["height"] < 1:
                found.append((label, "hidden"))
            elif box["left"] < area["left"] - 0.5 or box["right"] > area["right"] + 0.5:
                found.append((label, f"outside the output area (x {box['left']:.0f}-{box['right']:.0f} px, "
                                     f"the area {area['left']:.0f}-{area['right']:.0f} px)"))
            elif control["track"] is not None and control["track"] < min_track:
                found.append((label, f"slider track {control['track']:.0f} px wide (< {min_track} px)"))
    return found


def cut_figures(figures):
    """The figures (index, right edge, the area's right edge) that reach beyond their output area."""
    return [(k, f["image"]["right"], f["area"]["right"]) for k, f in enumerate(figures)
            if f["image"] and f["image"]["width"] > 0 and f["image"]["right"] > f["area"]["right"] + 0.5]


def controls(page):
    """[(box index, label, kind, locator)] of every control of every live figure on the page, in order."""
    found = []
    boxes = page.locator(".initlab-live")
    for index in range(boxes.count()):
        items = boxes.nth(index).locator(CONTROLS)
        for k in range(items.count()):
            item = items.nth(k)
            kind = next(kind for kind in ("slider", "dropdown", "checkbox", "button")
                        if f"widget-{kind}" in item.get_attribute("class"))
            text = item.inner_text().replace("\u200b", "").strip()
            found.append((index, text.splitlines()[0] if text else kind, kind, item))
    return found


def _input(page, kind, item):
    """Move a control by one step (a slider away from its end), as a person would."""
    if kind == "slider":
        handle = item.locator(".noUi-handle").first
        now, top = (float(handle.get_attribute(a)) for a in ("aria-valuenow", "aria-valuemax"))
        handle.focus()
        page.keyboard.press("ArrowLeft" if now >= top else "ArrowRight")
    elif kind == "dropdown":
        select = item.locator("select")
        options = select.locator("option").all_inner_texts()
        current = select.evaluate("s => s.options[s.selectedIndex].text")
        select.select_option(label=options[(options.index(current) + 1) % len(options)])
    elif kind == "button":  # e.g. Train: the figure is redrawn while the work goes on
        item.click()
    else:
        item.locator("input").click()


def move(page, index, kind, item, timeout=30_000):
    """Move one control once; return the seconds from the input event to the new figure loaded."""
    item.scroll_into_view_if_needed()
    page.evaluate(PROBE, [index])
    _input(page, kind, item)
    page.wait_for_function("window.__probe.t1 !== null", timeout=timeout, polling=10)
    t0, t1 = page.evaluate("[window.__probe.t0, window.__probe.t1]")
    page.evaluate("window.__probe.armed = false")
    return (t1 - t0) / 1000


def press(page, index, item, timeout=120_000):
    """Press a live figure's button (e.g. Train) and wait for the end of its work and the figure drawn after it.

    Returns (the labels the button showed, e.g. "Train 40 %", the number of figures loaded while the work ran,
    the seconds the work took from the click).
    """
    item.scroll_into_view_if_needed()
    page.evaluate(PRESS_PROBE, [index])
    item.click()
    page.wait_for_function("window.__press.done !== null && window.__press.loads.some(t => t > window.__press.done)",
                           timeout=timeout, polling=50)
    labels, start, done, loads = page.evaluate(
        "[window.__press.labels, window.__press.start, window.__press.done, window.__press.loads]")
    return labels, sum(t < done for t in loads), (done - start) / 1000


def errors(page):
    """Text of the error outputs on the page (stderr, tracebacks)."""
    return page.locator(ERRORS).all_inner_texts()


def notebook_paths(folder):
    return [f"{folder}/{name}" for name in Course().notebooks()]
