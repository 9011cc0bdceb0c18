"""nbgrader configuration of the course (works from any working directory).

Everything lives beside this file: source/, release/, submitted/, autograded/,
feedback/ and the sqlite gradebook. The course's nbgrader steps (fault-tolerant
execution in a kernel sandbox, inert content, the feedback page, the Canvas
collector and export) are in coursetools/ (``coursetools.pipeline`` lists them).
"""

import os
import sys

COURSE_ROOT = os.path.dirname(os.path.abspath(__file__))
if COURSE_ROOT not in sys.path:
    sys.path.insert(0, COURSE_ROOT)

from coursetools import course, pipeline
from coursetools.collect import collector
from coursetools.report import canvas, feedback

c = get_config()  # noqa: F821 (provided by traitlets when nbgrader loads this file)

c.CourseDirectory.root = COURSE_ROOT
c.CourseDirectory.course_id = "initialization-course"
c.CourseDirectory.db_url = course.Course(COURSE_ROOT).gradebook_url

# Per-cell time limit. Every cell of these notebooks runs in well under 2 s (heavy
# demos skip themselves while nbgrader executes), so 20 s leaves a wide margin for a
# slow machine while bounding a student's infinite loop (see README, "Grading").
c.Execute.timeout = course.CELL_TIMEOUT
c.ExecutePreprocessor.timeout = course.CELL_TIMEOUT

# The hidden tests' answer key (source/initialization/answerkey/) is never released, and autograde never copies
# it beside a submission (where the student's kernel runs): only the trusted test kernel imports it from source/.
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", "answerkey"]

# Release: no outputs (nbgrader clears them) and no widget state in release/.
c.GenerateAssignment.preprocessors = pipeline.generate_assignment_preprocessors()

# Autograde: fault-tolerant execution in a sandboxed kernel, output capped.
c.Autograde.sanitize_preprocessors = pipeline.autograde_sanitize_preprocessors()
c.Autograde.autograde_preprocessors = pipeline.autograde_preprocessors()
c.LimitOutput.max_lines = 200

# Feedback never shows hidden tests. It is the course's page (coursetools/report/feedback.py): per test cell the
# function and the named mistake first, the visible test folded below, and MathJax inlined (no network).
c.GenerateFeedback.preprocessors = pipeline.generate_feedback_preprocessors()
c.GenerateFeedback.exporter_class = feedback.FeedbackExporter

# Math without a network: the formgrader's MathJax comes from the course's Jupyter server (jupyter-server-mathjax),
# through the course's templates (coursetools/report/templates/nbconvert/formgrade/mathjax.html.j2) before nbgrader's.
c.HTMLExporter.extra_template_basedirs = [feedback.TEMPLATES, feedback.nbgrader_templates()]

# Student content never runs in a browser (README, "In the browser"): autograding keeps only inert content
# (coursetools/grade/inert.py); as a second line, the HTML of the feedback and of the formgrader (which reads this
# file when Jupyter starts in the course root) drops script and sanitizes HTML outputs.
c.HTMLExporter.sanitize_html = True

# zip_collect: Canvas downloads, "<name>_[LATE_]<canvas user id>_<submission id>_01_symmetry_breaking.ipynb", with
# re-uploads named "..._01_symmetry_breaking-1.ipynb" (the latest upload wins). The Canvas user id is kept in the
# gradebook as the student's lms_user_id (coursetools/collect/collector.py). For another LMS, adapt the pattern (matched
# against each extracted file's full path): it needs the groups student_id and file_id; lms_user_id and upload
# are optional.
c.ZipCollectApp.collector_plugin = collector.CanvasCollector
c.FileNameCollectorPlugin.named_regexp = collector.CANVAS_PATTERN

# The nbgrader exchange (release_assignment / collect / release_feedback between accounts of one machine) is the
# folder exchange/ of the course; without it the formgrader shows a warning banner. An LMS course does not use it.
c.Exchange.root = os.path.join(COURSE_ROOT, "exchange")

# Grades: `nbgrader export` writes grades-canvas.csv for Canvas's gradebook import (coursetools/report/canvas.py),
# keyed by the Canvas ids zip_collect stored, and refuses while written answers wait for a TA (unless
# --CanvasGrades.provisional=True: grades-canvas-PROVISIONAL.csv). The column: the header of the assignment's column
# in a gradebook exported from Canvas, e.g. "Weight initialization (123456)"; empty means the assignment's name.
c.ExportApp.plugin_class = canvas.CanvasGrades
c.CanvasGrades.column = ""
