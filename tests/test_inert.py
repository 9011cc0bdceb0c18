"""InertContent on small notebooks (no kernel), and review/batch treating a bad submission as its own problem."""

import base64
import json
from html.parser import HTMLParser

import nbformat
import pytest
from nbconvert import HTMLExporter
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output, new_raw_cell
from notebooks import NOTEBOOKS, RELEASE, read

from coursetools import pipeline
from coursetools.grade import inert
from coursetools.grade.inert import InertContent, inert_markdown, is_inert, is_locked_text, render
from coursetools.report import review

PNG = base64.b64encode(b"\x89PNG\r\n\x1a\n" + bytes(16)).decode()
SCRIPT = "<script>window.__pwned=1</script>"
IMG = '<img src=x onerror="window.__pwned=1">'


class Active(HTMLParser):
    """Collects what could run or load: event handlers, javascript: and remote URLs, svg, student scripts."""

    def __init__(self, html):
        super().__init__()
        self.found, self.tag = [], None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tag = tag
        if tag in ("svg", "iframe", "object", "embed"):
            self.found.append(tag)
        for name, value in attrs:
            if name.startswith("on") or (name in ("href", "src") and (value or "").lower().startswith(
                    ("javascript:", "http://example", "data:text", "data:image/svg"))):
                self.found.append(f"{tag} {name}={value}")

    def handle_data(self, data):
        if self.tag == "script" and "__pwned" in data:
            self.found.append("script")


def make_inert(nb, student="s1"):
    return InertContent().preprocess(nb, {"nbgrader": {"student": student}})[0]


def payload_notebook():
    answer = new_markdown_cell(f"The variance is $\\frac{{2}}{{n_{{in}}+n_{{out}}}}$ and $a<b$. {IMG}\n\n{SCRIPT}\n")
    answer.metadata = {"nbgrader": {"grade": True, "solution": True, "grade_id": "derive", "points": 3,
                                    "locked": False, "schema_version": 3, "cell_type": "markdown"},
                       "tags": ['x" onmouseover="window.__pwned=1'], "alt": IMG, "jupyter": {"source_hidden": True}}
    outputs = [
        new_output("display_data", data={"text/html": IMG, "text/plain": "<IPython.core.display.HTML object>"}),
        new_output("display_data", data={"image/svg+xml": f"<svg onload='window.__pwned=1'>{SCRIPT}</svg>"}),
        new_output("display_data", data={"application/javascript": "window.__pwned=1",
                                         "application/vnd.jupyter.widget-view+json": {"model_id": "x"},
                                         "text/markdown": IMG, "text/latex": r"$\href{javascript:x}{y}$"}),
        new_output("display_data", data={"image/png": PNG}, metadata={"image/png": {"width": "1 onerror=x"}}),
        new_output("display_data", data={"image/png": "not base64 <script>"}),
        new_output("execute_result", data={"text/plain": "42"}, execution_count=3),
        new_output("stream", name="stdout", text=f"printed {SCRIPT}\n"),
        new_output("error", ename="ValueError", evalue=IMG, traceback=[IMG]),
    ]
    code = new_code_cell("print(1)", outputs=outputs, execution_count=3)
    code.metadata = {"nbgrader": {"grade_id": f"bad{IMG}", "solution": True}, "widgets": {"x": 1}}
    raw = new_raw_cell(SCRIPT)
    raw.metadata = {"raw_mimetype": "text/html"}
    attach = new_markdown_cell("![plot](attachment:plot.png) ![x](attachment:evil.svg)")
    attach.attachments = {"plot.png": {"image/png": PNG}, "evil.svg": {"image/svg+xml": "PHN2Zz4="}}
    nb = new_notebook(cells=[answer, code, raw, attach])
    nb.metadata = {"kernelspec": {"name": "python3", "display_name": f"Python {SCRIPT}", "language": "python"},
                   "title": IMG, "widgets": {"application/vnd.jupyter.widget-state+json": {"state": {}}}}
    return nb


def test_outputs_keep_text_tracebacks_and_pictures_only():
    cells = make_inert(payload_notebook()).cells
    outs = cells[1].outputs
    assert [o.output_type for o in outs] == ["display_data"] * 5 + ["execute_result", "stream", "error"]
    assert outs[0].data == {"text/plain": "<IPython.core.display.HTML object>"}
    assert outs[1].data == {"text/plain": "[output not shown: image/svg+xml]"}
    assert set(outs[2].data) == {"text/plain"} and "application/javascript" in outs[2].data["text/plain"]
    assert outs[3].data == {"image/png": PNG} and not outs[3].metadata
    assert outs[4].data == {"text/plain": "[output not shown: image/png]"}
    assert outs[5].data == {"text/plain": "42"} and outs[5].execution_count == 1  # its cell, the first run
    assert outs[6].text == f"printed {SCRIPT}\n" and outs[7].evalue == IMG  # text, escaped by every template
    assert "nbgrader" not in cells[1].metadata and "widgets" not in cells[1].metadata


def test_markdown_keeps_math_and_text_but_no_markup():
    nb = make_inert(payload_notebook())
    answer = nb.cells[0]
    assert answer.metadata == {"nbgrader": {"grade": True, "solution": True, "grade_id": "derive", "points": 3,
                                            "locked": False, "schema_version": 3, "cell_type": "markdown"}}
    html = render(answer.source)
    assert "$\\frac{2}{n_{in}+n_{out}}$" in html and "$a&lt;b$" in html
    assert "&lt;img src=x onerror=" in html and "&lt;script&gt;" in html and "<img" not in html
    assert nb.cells[2].cell_type == "markdown" and render(nb.cells[2].source).startswith("<pre><code>&lt;script")
    assert set(nb.cells[3].attachments) == {"plot.png"}
    assert set(nb.metadata) == {"kernelspec"} and "<" not in nb.metadata.kernelspec.display_name


@pytest.mark.parametrize("source", [
    "[x](javascript:window.__pwned=1)", "![x](http://example.org/beacon.png)", "<!-- c --><b>x</b>",
    "```mermaid\n<img src=x onerror=1>\n```", r"$\href{javascript:x}{y}$ $\style{background:url(http://e/)}{x}$",
    "<scr<script>ipt>x</script>", "`` ` <script>x</script> ``", "<a href='javascript:1'>x</a>",
    "<svg/onload=x>", "[a](<javascript:x>)", r"\(\h&#114;ef{javascript:x}{y}\)", "![a](attachment:missing.png)",
    '<div style="background:url(http://e/)">x</div>', "[x]: javascript:x\n\n[y][x]"])
def test_every_markdown_trick_renders_inert(source):
    out = inert_markdown(source)
    assert is_inert(out), out
    assert not Active(render(out)).found


def test_honest_markdown_is_unchanged():
    for source in ["# Derivation\n\nWith $\\mathrm{Var}(W) = \\frac{1}{n}$, **so** $x<y$:\n\n$$a_i = b$$\n",
                   "- [x] done\n- item `code <b>`\n\n| a | b |\n|:-|-:|\n| 1 | 2 |\n\n> quote\n",
                   "see [the notes](https://example.org/notes#x) and [below](#Derivation)"]:
        assert inert_markdown(source) == source


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_every_markdown_cell_of_the_release_renders_as_written(notebook):
    """The course's own text (headings with apostrophes and their anchors, math, numbered lists, links inside the
    course) passes the filter unchanged: the formgrader and the feedback render it as JupyterLab does."""
    for cell in read(RELEASE / notebook).cells:
        if cell.cell_type == "markdown":
            assert inert_markdown(cell.source, cell.get("attachments"), is_locked_text(cell)) == cell.source, (
                cell.source[:200])
            assert not Active(render(cell.source)).found


def test_course_style_markdown_renders_as_written():
    for source in ["## 3.5 The backward pass, and Glorot's compromise\n\ntext",
                   '## Glorot and Bengio\'s "standard" initialization',
                   "### $\\sigma$, $\\sigma'$, and the product\n\n5. **Unequal widths.** item\n6. next",
                   "See [notebook 03](03_xavier_derivation.ipynb) and [its backward pass](03_xavier_derivation.ipynb"
                   "#3.5-The-backward-pass,-and-Glorot's-compromise), or [above](#The-notes'-experiment)."]:
        assert inert_markdown(source) == source, source


FOLDED = ("<details>\n<summary>Discussion of the question (open it once you have answered)</summary>\n\n"
          "**b**, as $x$.\n\n</details>")


def test_the_courses_locked_folds_stay_folds_and_a_students_are_escaped():
    """A discussion the course folds under <details> (a locked cell, restored from the release) renders folded;
    the same text in a student's cell, or a fold with attributes or markup in its summary, shows as text."""
    assert inert_markdown(FOLDED, course_text=True) == FOLDED
    assert "&lt;details&gt;" in inert_markdown(FOLDED)
    for trick in ['<details open ontoggle="window.__pwned=1">\n<summary>x</summary>\n\ny\n\n</details>',
                  "<details>\n<summary><img src=x onerror=alert(1)></summary>\n\ny\n\n</details>",
                  FOLDED.replace("**b**", SCRIPT)]:
        out = inert_markdown(trick, course_text=True)
        assert is_inert(out) and not Active(render(out)).found, out
    locked = {"metadata": {"nbgrader": {"locked": True, "solution": False, "grade": False, "grade_id": "d"}}}
    assert is_locked_text(locked)
    assert not is_locked_text({"metadata": {"nbgrader": {**locked["metadata"]["nbgrader"], "solution": True}}})
    assert not is_locked_text({"metadata": {}})


@pytest.mark.parametrize("source", ["[x](../../../api/contents/x)", "[x](03_x.ipynb/../../api)", "[x](//evil.org/x)",
                                    '<ol start="1 onclick=x"><li>a</li></ol>'])
def test_links_that_leave_the_course_folder_are_still_refused(source):
    assert not is_inert(source)


def test_the_feedback_html_of_an_inert_notebook_has_no_script_from_the_student():
    nb = make_inert(payload_notebook())
    html, _ = HTMLExporter(template_name="classic", sanitize_html=True).from_notebook_node(nb)
    assert Active(html).found == []
    assert Active(HTMLExporter(template_name="classic").from_notebook_node(payload_notebook())[0]).found


def test_execution_counts_follow_the_notebook_order():
    cells = [new_code_cell("a", execution_count=4), new_code_cell("t", execution_count=1), new_markdown_cell("m"),
             new_code_cell("skipped"), new_code_cell("b", execution_count=7,
                                                     outputs=[new_output("execute_result", data={"text/plain": "1"},
                                                                         execution_count=7)])]
    nb = make_inert(new_notebook(cells=cells))
    assert [c.get("execution_count") for c in nb.cells] == [1, 2, None, None, 3]
    assert nb.cells[4].outputs[0].execution_count == 3


def test_unsafe_student_ids_are_refused():
    with pytest.raises(ValueError):
        make_inert(new_notebook(), student="<img src=x onerror=1>")
    assert inert.SAFE_ID.fullmatch("lovelace.ada+1@uni-x")


def test_files_a_browser_would_run_are_removed_from_the_autograded_folder(tmp_path):
    for name in ("evil.html", "x.svg", "a/b.xhtml", "run.js", "doc.pdf", "page.mhtml", "plot.png", "notes.txt",
                 "initlab/checks.py", "data.json"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(SCRIPT)
    InertContent().preprocess(new_notebook(), {"metadata": {"path": str(tmp_path)}})
    left = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if p.is_file())
    assert left == ["data.json", "initlab/checks.py", "notes.txt", "plot.png"]


def test_autograde_runs_inert_content_right_after_execution():
    steps = pipeline.autograde_preprocessors()
    assert [pp.__name__ for pp in steps[steps.index(InertContent) - 2:steps.index(InertContent)]] == [
        "SafeExecute", "CleanTestOutputs"]


def test_review_reports_a_broken_submission_and_goes_on(tmp_path):
    folder = tmp_path / "submitted"
    good = nbformat.writes(new_notebook(cells=[new_code_cell("import ctypes")]))
    for student, text in {"deep": "[" * 100_000 + "]" * 100_000, "list": "[1, 2]", "ok": good,
                          "cells": json.dumps({"cells": [None, {"cell_type": "code", "source": [1]},
                                                         {"cell_type": "code", "source": "(" * 10_000}]})}.items():
        (folder / student / "initialization").mkdir(parents=True)
        (folder / student / "initialization" / "01_x.ipynb").write_text(text)
    (tmp_path / "release" / "initialization").mkdir(parents=True)
    report = review.scan(tmp_path)
    assert "unreadable notebook: RecursionError" in report[("deep", "01_x.ipynb", "file")][0]
    assert ("list", "01_x.ipynb", "file") in report
    assert ("ok", "01_x.ipynb", "added cell 0") in report
    assert {label for s, _, label in report if s == "cells"} == {"cell 0", "cell 1", "added cell 2"}
