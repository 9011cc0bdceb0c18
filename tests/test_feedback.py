"""The feedback page a student reads (coursetools/report/feedback.py, template course_feedback), without grading.

A released notebook with a failing test cell in the course's message format is exported with the course's
``FeedbackExporter``: the function and the named mistake come first, the details next, the visible test folded
below; math is MathJax 3 inlined (no script from elsewhere); in Chromium, with every request off the file
aborted, the math typesets and a long message wraps between words.
"""

import re

import nbformat
import pytest
from nbformat.v4 import new_output
from notebooks import RELEASE

from coursetools.dev import browser
from coursetools.report import feedback

NB = "03_xavier_derivation.ipynb"
FIRST = "lecun_normal: the variance was used as the standard deviation (missing square root)"
DETAILS = ("lecun_normal(400, 100) gave weights of variance 0.0000062 where 0.0025 was expected; "
           + "supercalifragilisticexpialidocious " * 12 + "\nRevisit: the variance and the standard deviation.")


def failing_notebook():
    nb = nbformat.read(str(RELEASE / NB), as_version=4)
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade"):  # as nbgrader's GetGrades leaves them
            cell.metadata.nbgrader["score"] = cell.metadata.nbgrader["points"]
        if cell.metadata.get("nbgrader", {}).get("grade_id") == "test_lecun_normal":
            message = f"{FIRST}\n{DETAILS}"
            cell.outputs = [new_output("stream", name="stdout", text="checked lecun_normal(400, 100)\n"),
                            new_output("error", ename="AssertionError", evalue=message,
                                       traceback=[f"AssertionError: {message}"])]
            cell.metadata.nbgrader["score"] = 0
    return nb


@pytest.fixture(scope="module")
def page_html():
    html, _ = feedback.FeedbackExporter().from_notebook_node(failing_notebook(), resources={
        "nbgrader": {"notebook": NB[:-6], "score": 0, "max_score": 14, "late_penalty": 0}})
    return html


def test_the_function_and_its_mistake_come_first_then_details_then_the_folded_test(page_html):
    cell = page_html[page_html.index('<a name="test_lecun_normal">'):]
    heading, mistake = cell.index("Tests of <code>lecun_normal</code>"), cell.index(FIRST)
    details, folded = cell.index("lecun_normal(400, 100) gave weights"), cell.index("<details>")
    assert heading < mistake < details < cell.index("checked lecun_normal") < folded
    assert "check_initializer" in cell[folded:cell.index("</details>")]  # the visible test's source, folded
    toc = page_html[page_html.index('<div id="toc">'):page_html.index("</ol>")]
    assert "<code>lecun_normal</code>" in toc and FIRST in toc and "Test cell" not in toc


def test_math_is_inlined_and_nothing_is_loaded_from_elsewhere(page_html):
    assert "cdnjs" not in page_html and "MathJax.Hub" not in page_html  # nbconvert's CDN MathJax 2 is gone
    assert "window.MathJax = {" in page_html and len(page_html) > 2_000_000  # MathJax 3 with its fonts
    assert not re.search(r"<script[^>]+src=", page_html) and not re.search(r"<link[^>]+href=\"?http", page_html)


@pytest.mark.slow
@pytest.mark.skipif(browser.CHROMIUM is None, reason="Chromium is not installed")
def test_offline_in_chromium_math_typesets_and_messages_wrap_between_words(page_html, tmp_path):
    path = tmp_path / "feedback.html"
    path.write_text(page_html)
    with browser.chromium() as chrome:
        page = chrome.new_page(viewport={"width": 700, "height": 900})
        elsewhere = []
        page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(("file:", "data:"))
                   else (elsewhere.append(r.request.url), r.abort()))
        page.goto(path.as_uri(), wait_until="load")
        page.wait_for_function("() => document.querySelectorAll('mjx-container').length > 50", timeout=30000)
        details = page.locator("div.test-cell pre.details")
        style = details.evaluate("e => [getComputedStyle(e).whiteSpace, getComputedStyle(e).overflowWrap, "
                                 "getComputedStyle(e).wordBreak, e.scrollWidth - e.clientWidth]")
        assert style[:3] == ["pre-wrap", "break-word", "normal"] and style[3] <= 1, style
        lines = details.evaluate("""e => { const r = document.createRange(); r.selectNodeContents(e);
            return Array.from(r.getClientRects()).length; }""")
        assert lines > 3  # the long line wrapped, between words (break-word breaks a word only if it cannot fit)
        assert elsewhere == []
