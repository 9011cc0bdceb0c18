"""The figures of the notebooks, one module per notebook, named after its chapter.

``symmetry`` (01), ``signals`` (02), ``xavier`` (03), ``he`` (04), ``uniform``
(05), ``playground`` (06). Each function or class shows one figure (or prints one
table) of its notebook and takes the student's functions as arguments, so a
figure is always drawn by the student's own code; nothing here solves a graded
function. They build on ``initlab.plots`` (the course style and axes helpers)
and ``initlab.widgets`` (controls and live figures). A figure that meets a
function the student has not written yet says so in one line.
"""

__all__ = ["he", "playground", "signals", "symmetry", "uniform", "xavier"]
