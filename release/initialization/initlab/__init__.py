"""Helpers for the weight-initialization notebooks.

One module per concern: ``data`` (toy 2-D data sets), ``network`` (a small
numpy network: forward, backward, gradient-descent step), ``plots``
(matplotlib figures), ``widgets`` (sliders that redraw a figure) and
``checks`` (the trusted checks used by the tests). The package never contains
the solution of a graded function: demos take the student's function as an
argument.
"""

from . import data, network, plots, widgets

# isort: off
from . import checks  # last: its snapshot must see every module above
# isort: on

__all__ = ["checks", "data", "network", "plots", "widgets"]
