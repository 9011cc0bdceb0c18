"""Developer tools, never used by grading: the benches (figures in JupyterLab, the bridge, grading a class),
JupyterLab in Chromium, throw-away copies of the course and synthetic graded classes."""
