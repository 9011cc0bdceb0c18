"""Helpers for the weight-initialization notebooks.

One module per concern: ``data`` (toy 2-D data sets), ``network`` (a small
numpy network: forward, backward, gradient-descent step), ``plots`` (the
course's figure style and axes helpers), ``widgets`` (controls and live
figures), ``figures`` (every notebook's figures, one module per chapter:
``figures.symmetry`` for notebook 1, ...), ``checks`` (the checks used by the
tests) and ``bridge`` (how tests call a student's function, in one kernel or
across two during autograding). The package never contains the solution of a
graded function: figures take the student's functions as arguments. Modules are
imported where they are used (``from initlab import data``), so that the
grader's test kernel loads numpy only.
"""

__all__ = ["bridge", "checks", "data", "figures", "network", "plots", "widgets"]
