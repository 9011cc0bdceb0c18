"""nbgrader's settings for validating the notebooks of this folder (the Validate button, `nbgrader validate`).

Validating needs none: this file is here so that nbgrader finds one and does not warn. The course's own
settings (grading, feedback, the sandbox) are in the nbgrader_config.py of the course's root folder.
"""

c = get_config()  # noqa: F821 (provided by traitlets when nbgrader loads this file)
