"""Student content never runs in the TA's or the student's browser (README, "In the browser").

In a copy of the course, a student submits notebook 03 with payloads in every place a student controls:
HTML, SVG, JavaScript, Markdown, LaTeX, widget-view and image outputs, the written answer (markdown with
<img onerror> and <script>), added markdown and raw cells, cell and notebook metadata, attachments, a file
name and a student id. Each payload marks the page, creates a file in the course root through
/api/contents and sets every grade of notebook 03 through the formgrader's API, with the TA's XSRF
cookie. ``mallory`` is graded by the batch, ``mallory_plain`` by plain ``nbgrader autograde``; a
classmate is graded normally. The formgrader pages are opened in headless Chromium as a logged-in TA,
the feedback HTML as the student: nothing runs, no grade changes, and the TA still reads the written
answer, a text output and a PNG. With the network cut off, the math of both pages typesets and the course's text
renders as in JupyterLab. A last test checks that the payloads do run in the formgrader when the
autograded notebook is not made inert (so the first ones cannot pass for a harmless reason).
"""

import base64
import html
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_markdown_cell, new_raw_cell
from nbgrader.api import Gradebook
from notebooks import ASSIGNMENT
from submissions import Course, filled, solutions

from coursetools.grade import batch

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
playwright = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (make test installs it as root)")]

NB = "03_xavier_derivation.ipynb"
TOKEN = "course-security-tests"
PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
ANSWER_TEXT = "Backward: Var(dx) = n_out Var(W) Var(dz), so Var(W) = 1/n_out"
PRINTED = "a plain printed line the TA must see"
# What a payload does with the TA's session (single quotes only: it goes into HTML attributes too).
JS = ("(function(){var w=window.top;w.__pwned=1;w.document.title='PWNED';"
      "var m=document.cookie.match(/_xsrf=([^;]+)/),h={'Content-Type':'application/json',"
      "'X-XSRFToken':m?decodeURIComponent(m[1]):''};"
      "fetch('/api/contents/PWNED.txt',{method:'PUT',headers:h,credentials:'include',"
      "body:JSON.stringify({type:'file',format:'text',content:'pwned'})});"
      "fetch('/formgrader/api/submitted_notebooks/initialization/03_xavier_derivation',{credentials:'include'})"
      ".then(function(r){return r.json()}).then(function(subs){subs.forEach(function(s){"
      "fetch('/formgrader/api/grades?submission_id='+s.id,{credentials:'include'}).then(function(r){return r.json()})"
      ".then(function(gs){gs.forEach(function(g){fetch('/formgrader/api/grade/'+g.id,{method:'PUT',headers:h,"
      "credentials:'include',body:JSON.stringify({manual_score:s.student==='mallory'?g.max_score:0})})})})})})})()")
IMG = f'<img src=x onerror="{JS}">'
NAME = "<img src=x onerror=window.top.__pwned=1>"  # a file name or student id cannot hold a '/'
SCRIPT = f"<script>{JS}</script>"
SVG = f'<svg xmlns="http://www.w3.org/2000/svg" onload="{JS}"><script>{JS}</script></svg>'
OUTPUTS = f"""
from IPython.display import display
JS = {JS!r}
display({{"text/html": {IMG!r}, "text/plain": "html output"}}, raw=True)
display({{"image/svg+xml": {SVG!r}}}, raw=True)
display({{"application/javascript": JS}}, raw=True)
display({{"text/markdown": {IMG!r}}}, raw=True)
display({{"text/latex": r"$\\href{{javascript:" + JS + "}}{{x}}$"}}, raw=True)
display({{"application/vnd.jupyter.widget-view+json": {{"model_id": "x", "version_major": 2, "version_minor": 0}},
          "text/html": {SCRIPT!r}}}, raw=True)
display({{"image/png": {PNG!r}}}, metadata={{"image/png": {{"width": "20 onload=" + JS}}}}, raw=True)
display({{"image/png": "x onerror=" + JS}}, raw=True)
print({PRINTED!r})
"""


def payload_notebook(root):
    """Notebook 03 solved, with a payload in every place a student controls."""
    nb = filled(NB, solutions(NB), root / "release" / ASSIGNMENT)
    cells = {c.metadata.get("nbgrader", {}).get("grade_id"): c for c in nb.cells}
    cells["variance_of_product"].source += OUTPUTS
    cells["variance_of_product"].metadata["tags"] = ['x" onmouseover="window.top.__pwned=1']  # no commas in tags
    cells["derive_backward"].source = f"{ANSWER_TEXT}, with $\\frac{{1}}{{n_{{out}}}}$.\n\n{IMG}\n\n{SCRIPT}\n"
    cells["derive_backward"].metadata["alt"] = IMG
    added = new_markdown_cell(f"[click](javascript:{JS}) ![beacon](http://127.0.0.1:9/beacon.png) "
                              "![svg](attachment:evil.svg) ![page](attachment:evil.html)\n\n"
                              f"```mermaid\n{IMG}\n```\n\n$\\href{{javascript:{JS}}}{{x}}$")
    added.attachments = {"evil.svg": {"image/svg+xml": _b64(SVG)}, "evil.html": {"text/html": _b64(SCRIPT)}}
    raw = new_raw_cell(SCRIPT)
    raw.metadata["raw_mimetype"] = "text/html"
    at = nb.cells.index(cells["derive_backward"]) + 1
    nb.cells[at:at] = [added, raw]
    nb.metadata["kernelspec"]["display_name"] = f"Python {SCRIPT}"
    nb.metadata["title"] = SCRIPT
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}, "x": SCRIPT}}
    return nb


def _b64(text):
    return base64.b64encode(text.encode()).decode()


def grades(root):
    """Every grade of notebook 03: {(student, grade cell): (auto, manual, extra credit)}."""
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        return {(sub.student.id, g.name): (g.auto_score, g.manual_score, g.extra_credit)
                for sub in gb.notebook_submissions(NB[:-6], ASSIGNMENT) for g in sub.grades}


def submission_id(root, student):
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        return gb.find_submission_notebook(NB[:-6], ASSIGNMENT, student).id


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The graded course, a Jupyter server with the formgrader in it (as a TA runs it), and Chromium."""
    with pytest.MonkeyPatch.context() as short:  # short cells for this grading only
        short.setenv("COURSE_CELL_TIMEOUT", "8")
        course = Course(tmp_path_factory.mktemp("security"))
        root = course.root
        course.submit_solutions("alice", only=[NB])
        course.submit("mallory", {NB: payload_notebook(root), f"{NAME}.ipynb": payload_notebook(root)})
        folder = course.submit("mallory_plain", {NB: payload_notebook(root)})
        (folder / "page.html").write_text(f"<html><body>{SCRIPT}</body></html>")  # served by the formgrader
        course.submit(NAME, {NB: filled(NB, {}, root / "release" / ASSIGNMENT)})
        course.report, _ = batch.run(root, only=["alice", "mallory", NAME])
        course.nbgrader("autograde", ASSIGNMENT, "--student", "mallory_plain")
        course.plain_refused = course.nbgrader("autograde", ASSIGNMENT, "--student", NAME, check=False)
        course.nbgrader("generate_feedback", ASSIGNMENT)

    home = tmp_path_factory.mktemp("home")  # nothing of the server goes to the user's ~/.jupyter
    env = dict(os.environ, HOME=str(home), JUPYTER_CONFIG_DIR=str(home / "config"),
               JUPYTER_DATA_DIR=str(home / "data"), JUPYTER_RUNTIME_DIR=str(home / "runtime"),
               IPYTHONDIR=str(home / "ipython"))
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env["PATH"]
    port = _free_port()
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "jupyter"), "server", "--no-browser", "--allow-root", f"--port={port}",
         "--ServerApp.ip=127.0.0.1", f"--IdentityProvider.token={TOKEN}", f"--ServerApp.root_dir={root}"],
        cwd=root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(f"{url}/api/status?token={TOKEN}", timeout=2)
                break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail("the Jupyter server did not start")
        with playwright.sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=[
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run"])
            ta = browser.new_context()
            ta.new_page().goto(f"{url}/formgrader?token={TOKEN}")  # logs in: the TA's cookies, XSRF included
            course.url, course.ta, course.browser = url, ta, browser
            yield course
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=30)


def visit(context, address, server):
    """Open a page and give any script time to run; return the page, the payloads' marker, the page title and
    the student's beacon requests (requests off the Jupyter server are aborted; the course's pages make none, see
    ``test_math_and_course_text_render_with_no_network``)."""
    page, elsewhere = context.new_page(), []

    def route(request):
        if request.request.url.startswith((server, "file://", "data:")):
            return request.continue_()
        elsewhere.append(request.request.url)
        return request.abort()

    page.route("**/*", route)
    page.goto(address, wait_until="load")
    page.wait_for_timeout(1500)
    marker, title = page.evaluate("() => [window.__pwned || null, document.title]")
    return page, marker, title, [u for u in elsewhere if "beacon" in u]


def readable(page):
    """The written answer (rendered as markdown, its markup as text), a printed line and a PNG are visible."""
    page.locator("p", has_text=ANSWER_TEXT).first.wait_for(state="visible", timeout=5000)
    page.get_by_text("<img src=x onerror=").first.wait_for(state="visible", timeout=5000)
    page.get_by_text(PRINTED).first.wait_for(state="visible", timeout=5000)
    png = page.locator("img[src^='data:image/png']").first
    png.wait_for(state="visible", timeout=5000)
    assert png.evaluate("img => img.naturalWidth") == 1


@pytest.mark.parametrize("student", ["mallory", "mallory_plain"])
def test_the_formgrader_shows_the_submission_without_running_it(site, student):
    before = grades(site.root)
    page, marker, title, beacons = visit(
        site.ta, f"{site.url}/formgrader/submissions/{submission_id(site.root, student)}/", site.url)
    assert (marker, title, beacons) == (None, NB[:-6], [])
    readable(page)
    # the written answer's rubric (AddRubric), below the answer, for the TA
    page.get_by_text("Rubric for the TA").first.wait_for(state="visible", timeout=5000)
    page.get_by_text("Model answer.").first.wait_for(state="visible", timeout=5000)
    page, marker, title, beacons = visit(site.ta, f"{site.url}/formgrader/gradebook/{ASSIGNMENT}/{NB[:-6]}", site.url)
    assert marker is None and title != "PWNED" and not beacons
    assert not (site.root / "PWNED.txt").exists()
    assert grades(site.root) == before


def test_a_submitted_page_is_not_served_with_the_tas_origin(site):
    address = f"{site.url}/formgrader/submissions/{submission_id(site.root, 'mallory_plain')}/page.html"
    page, marker, title, _ = visit(site.ta, address, site.url)
    assert marker is None and title != "PWNED"
    assert not list((site.root / "autograded").rglob("page.html"))


@pytest.mark.parametrize("student", ["mallory", "mallory_plain"])
def test_the_feedback_html_shows_the_answer_without_running_it(site, student):
    before = grades(site.root)
    feedback = site.root / "feedback" / student / ASSIGNMENT / NB.replace(".ipynb", ".html")
    context = site.browser.new_context()
    page, marker, title, beacons = visit(context, feedback.as_uri(), site.url)
    assert (marker, title, beacons) == (None, NB[:-6], [])
    readable(page)
    assert page.get_by_text("Rubric for the TA").count() == 0 and page.get_by_text("Model answer.").count() == 0
    context.close()
    assert grades(site.root) == before


def offline(context, address, server):
    """Open a page with every request off the Jupyter server aborted; return the page and what it tried to load."""
    page, elsewhere = context.new_page(), []

    def route(request):
        if request.request.url.startswith((server, "file://", "data:")):
            return request.continue_()
        elsewhere.append(request.request.url)
        return request.abort()

    page.route("**/*", route)
    page.goto(address, wait_until="load")
    return page, elsewhere


def test_math_and_course_text_render_with_no_network(site):
    """The formgrader (MathJax 2 from the course's Jupyter server) and the feedback (MathJax 3 inlined) typeset the
    course's and the student's math, render the course's headings, and ask for nothing off this machine."""
    formgrader = f"{site.url}/formgrader/submissions/{submission_id(site.root, 'alice')}/"
    page, elsewhere = offline(site.ta, formgrader, site.url)
    page.wait_for_function("() => window.MathJax && MathJax.loaded === true", timeout=30000)
    assert page.evaluate("() => document.querySelectorAll('span.MathJax').length") > 20
    page.locator("h2", has_text="Glorot's compromise").first.wait_for(state="visible", timeout=5000)
    assert page.locator("pre", has_text="## 3.5").count() == 0  # no course text shown as raw markdown
    assert elsewhere == []
    context = site.browser.new_context()
    feedback = site.root / "feedback" / "alice" / ASSIGNMENT / NB.replace(".ipynb", ".html")
    page, elsewhere = offline(context, feedback.as_uri(), site.url)
    page.wait_for_function("() => document.querySelectorAll('mjx-container').length > 20", timeout=30000)
    page.locator("h2", has_text="Glorot's compromise").first.wait_for(state="visible", timeout=5000)
    assert page.locator("mjx-container merror").count() == 0  # no TeX error
    assert elsewhere == []
    context.close()


def test_feedback_names_the_function_and_the_mistake_first_and_folds_the_test(site):
    page, _ = offline(site.browser.new_context(), (site.root / "feedback" / "mallory" / ASSIGNMENT /
                                                     NB.replace(".ipynb", ".html")).as_uri(), site.url)
    toc = page.locator("#toc").inner_text()
    assert "variance_of_product" in toc and "Test cell" not in toc
    cell = page.locator("div.test-cell").first
    assert "Tests of variance_of_product" in cell.locator(".panel-heading").inner_text()
    source = cell.locator("details .input_area")
    assert not source.is_visible()  # folded
    cell.locator("details summary").click()
    assert source.is_visible()
    page.context.close()


def test_payload_ids_and_file_names_are_refused_and_reported_as_text(site):
    assert "not a plain student id" in site.report and "<img" not in site.report
    assert f"extra file ignored: {html.escape(NAME)}.ipynb" in site.report
    assert "unsafe student id" in site.plain_refused.stdout + site.plain_refused.stderr
    assert {s for s, _ in grades(site.root)} == {"alice", "mallory", "mallory_plain"}
    with Gradebook(f"sqlite:///{site.root / 'gradebook.db'}") as gb:
        assert {s.id for s in gb.students} == {"alice", "mallory", "mallory_plain"}
    for student in ("mallory", "mallory_plain"):  # graded as usual
        assert grades(site.root)[(student, "test_variance_of_product")][0] == 1


def test_the_payloads_do_run_where_content_is_not_made_inert(site):
    """Control: alice's autograded notebook replaced by the raw payload notebook (as without InertContent).

    The written answer's payload runs (nbgrader's formgrade template renders markdown unsanitized), while
    a JavaScript output does not: the formgrader got sanitize_html from nbgrader_config.py."""
    autograded = site.root / "autograded" / "alice" / ASSIGNMENT / NB
    raw = payload_notebook(site.root)
    for cell in raw.cells:  # what executing the answer cell would have displayed
        if cell.metadata.get("nbgrader", {}).get("grade_id") == "variance_of_product":
            cell.outputs = [nbformat.v4.new_output("display_data", data={"text/html": IMG}),
                            nbformat.v4.new_output("display_data", data={"application/javascript": "window.__js=1"})]
    nbformat.write(raw, autograded)
    page, marker, title, beacons = visit(
        site.ta, f"{site.url}/formgrader/submissions/{submission_id(site.root, 'alice')}/", site.url)
    assert (marker, title) == (1, "PWNED") and beacons
    assert page.evaluate("() => window.__js || null") is None

    def attacked():  # the classmate's grades set to 0, the attacker's to full marks
        now = grades(site.root)
        return now[("alice", "test_variance_of_product")][1] == 0 and now[("mallory", "test_xavier_normal")][1] == 2

    deadline = time.monotonic() + 15
    while not attacked() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert attacked() and (site.root / "PWNED.txt").exists()
