"""The feedback a student reads: ``nbgrader generate_feedback`` with the course's exporter (nbgrader_config.py).

``FeedbackExporter`` is nbgrader's HTML feedback (its ``feedback`` template) with the course's template
``course_feedback`` (coursetools/report/templates/nbconvert/) on top:

- per test cell, the function's name, its score and the named mistake (the first line of the failure message,
  ``<function>: <the mistake>``) first, then the details, then the cell's other output; the visible test source
  is folded below (``<details>``); the summary at the top names each function and its mistake;
- messages wrap at word boundaries;
- math typeset by MathJax 3 inlined in the file (``inline_mathjax``), from the course's environment (the
  ``django-static-mathjax`` package, MathJax 3.2.2 with its fonts): the file loads nothing from the network, so a
  student reads it offline, after ``nbgrader release_feedback`` or an upload to the LMS, which carry the HTML file
  alone. TeX's ``html`` package is left out and ``\\href`` shows its text: no math in a feedback file links, styles
  or loads anything.

Its nbgrader steps (``pipeline.generate_feedback_preprocessors``): ``RemoveRubric`` takes out the rubric
``AddRubric`` put below each written answer, ``FeedbackClearHiddenTests`` removes the hidden tests, and
``WrapOutputs`` wraps long output lines.
"""

import functools
import os
from importlib.util import find_spec
from pathlib import Path

from markupsafe import Markup
from nbconvert.exporters import HTMLExporter
from nbgrader.preprocessors import ClearHiddenTests, NbGraderPreprocessor
from traitlets import List, Unicode

from ..grade.preprocessors import RUBRIC

TEMPLATES = str(Path(__file__).parent / "templates" / "nbconvert")
MATHJAX_CONFIG = """window.MathJax = {
  tex: {inlineMath: [['$', '$'], ['\\\\(', '\\\\)']], displayMath: [['$$', '$$'], ['\\\\[', '\\\\]']],
        processEscapes: true, processEnvironments: true, tags: 'ams',
        packages: {'[-]': ['html', 'require', 'autoload']}, macros: {href: ['{#2}', 2]}},
  svg: {fontCache: 'global'},
  options: {enableMenu: false},
  startup: {typeset: true}
};"""


def nbgrader_templates():
    """nbgrader's template folder (its ``feedback`` and ``formgrade`` templates)."""
    import nbgrader
    return os.path.join(os.path.dirname(nbgrader.__file__), "server_extensions", "formgrader", "templates")


def mathjax_file():
    """MathJax 3's single-file TeX-to-SVG component (fonts included), from the course's environment."""
    spec = find_spec("mathjax")
    path = Path(spec.origin).parent / "static" / "mathjax" / "es5" / "tex-svg-full.js" if spec and spec.origin else None
    if path is None or not path.is_file():
        raise FileNotFoundError("MathJax 3 is not installed: pip install -r requirements.txt (django-static-mathjax)")
    return path


@functools.cache
def _mathjax_script():
    source = mathjax_file().read_text(encoding="utf-8").replace("</script", "<\\/script")
    return Markup(f"<script>\n{MATHJAX_CONFIG}\n</script>\n<script>\n{source}\n</script>")


def inline_mathjax(_=None):
    """The ``<script>`` elements of the configured MathJax 3, inlined (a template filter)."""
    return _mathjax_script()


class FeedbackExporter(HTMLExporter):
    """nbgrader's HTML feedback with the course's template ``course_feedback`` and MathJax inlined (see the module).

    The template and its folders are the exporter's own (nbgrader's GenerateFeedback configures the plain
    HTMLExporter's): ``course_feedback`` extends nbgrader's ``feedback/index.html.j2``."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.extra_template_basedirs = [TEMPLATES, nbgrader_templates()]
        bootstrap = os.path.join(os.path.dirname(nbgrader_templates()), "static", "node_modules", "bootstrap", "dist",
                                 "css")  # nbgrader's feedback includes its CSS (GenerateFeedback adds it too)
        self.extra_template_paths = [*self.extra_template_paths, nbgrader_templates(), bootstrap]
        self.template_name = "course_feedback"
        self.template_paths = self._template_paths()  # nbconvert computed them for the configured template

    def default_filters(self):
        yield from super().default_filters()
        yield ("inline_mathjax", inline_mathjax)


class FeedbackStep(NbGraderPreprocessor):
    """A preprocessor of generate_feedback. nbconvert's HTML exporter configures
    ``NbConvertBase.display_data_priority``, which nbgrader's preprocessors redeclare without ``config=True``, so
    traitlets printed "Config option `display_data_priority` not recognized by `ClearHiddenTests`" (and by any
    such step); declared configurable here (as nbgrader's GetGrades does), it is accepted and unused."""

    display_data_priority = List(Unicode()).tag(config=True)


class RemoveRubric(FeedbackStep):
    """Feedback: the rubric cells ``AddRubric`` inserted are taken out (the student never sees the mark scheme)."""

    def preprocess(self, nb, resources):
        nb.cells = [cell for cell in nb.cells if not cell.metadata.get(RUBRIC)]
        return nb, resources


class FeedbackClearHiddenTests(FeedbackStep, ClearHiddenTests):
    """nbgrader's ClearHiddenTests, without its warning about ``display_data_priority`` (see FeedbackStep)."""


class WrapOutputs(FeedbackStep):
    """Feedback: long output lines (a failed test's message) wrap instead of running off the page.
    Runs after CSSHTMLHeaderPreprocessor, whose inlined CSS the feedback template includes."""

    css = ".output_subarea pre, .output_area pre { white-space: pre-wrap; overflow-wrap: anywhere; }"

    def preprocess(self, nb, resources):
        resources.setdefault("inlining", {}).setdefault("css", []).append(self.css)
        return nb, resources
