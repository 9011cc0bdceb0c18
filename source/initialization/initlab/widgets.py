"""Controls that redraw a figure, with a static fallback.

``show(draw, **controls)`` displays ipywidgets controls driving ``draw``, a
function of the controls' values that returns a matplotlib figure. When the
notebook is not run by a person in Jupyter (nbval, nbconvert, nbgrader), it
draws one static figure from the controls' initial values instead, so that the
executed notebook keeps a picture. During autograding the demo is skipped.
"""

import contextlib
import os

import matplotlib.pyplot as plt

try:
    import ipywidgets
    from IPython.display import display
except ImportError:  # plain Python: no widgets, static figures only
    ipywidgets = None
    display = print


def mode():
    """'skip' while nbgrader runs the notebook, 'interactive' in a Jupyter server, else 'static'.

    ``INITLAB_WIDGETS=static`` or ``=interactive`` overrides the guess.
    """
    forced = os.environ.get("INITLAB_WIDGETS", "")
    if forced in ("static", "interactive", "skip"):
        return forced
    if os.environ.get("NBGRADER_EXECUTION"):
        return "skip"
    if "JPY_SESSION_NAME" in os.environ and ipywidgets is not None:
        return "interactive"
    return "static"


def _unimplemented_name(exc):
    """Name of the function whose body raised NotImplementedError."""
    tb = exc.__traceback__
    name = None
    while tb is not None:
        name = tb.tb_frame.f_code.co_name
        tb = tb.tb_next
    return name or "a function"


def _say_unimplemented(exc, what="figure"):
    print(f"This {what} needs your `{_unimplemented_name(exc)}`, which is not implemented yet: "
          "fill in its answer cell, run it, then run this cell again.")


@contextlib.contextmanager
def friendly(what="cell"):
    """Run a demo block; if a student function is not written yet, say so in one line.

    Use it as ``with widgets.friendly():`` around demo code that calls student functions.
    """
    try:
        yield
    except NotImplementedError as exc:
        _say_unimplemented(exc, what)


def render(draw, values):
    """Call ``draw(**values)`` and display its figure, or one friendly line."""
    try:
        fig = draw(**values)
    except NotImplementedError as exc:
        _say_unimplemented(exc)
        return None
    display(fig)
    plt.close(fig)
    return fig


class Control:
    """A control described by its ipywidgets class and arguments; built only when shown."""

    def __init__(self, kind, value, **kwargs):
        self.kind, self.value, self.kwargs = kind, value, kwargs

    def build(self):
        """The ipywidgets object."""
        widget = getattr(ipywidgets, self.kind)(value=self.value, **self.kwargs)
        widget.style.description_width = "initial"
        return widget


def show(draw, **controls):
    """Display ``controls`` driving ``draw``; see the module docstring."""
    current = mode()
    if current == "skip":
        print("(Demo skipped while nbgrader runs the notebook.)")
        return None
    values = {name: control.value for name, control in controls.items()}
    if current == "static":
        render(draw, values)
        return None
    built = {name: control.build() for name, control in controls.items()}
    out = ipywidgets.Output()

    def update(_change=None):
        with out:
            out.clear_output(wait=True)
            render(draw, {name: widget.value for name, widget in built.items()})

    for widget in built.values():
        widget.observe(update, names="value")
    display(ipywidgets.VBox([ipywidgets.HBox(list(built.values())), out]))
    update()
    return None


def slider(value, low, high, step, description, integer=False, log=False):
    """A slider that redraws when released (continuous_update=False).

    With ``log=True``, ``low`` and ``high`` are base-10 exponents.
    """
    kind = "FloatLogSlider" if log else ("IntSlider" if integer else "FloatSlider")
    return Control(kind, value, min=low, max=high, step=step, description=description,
                   continuous_update=False)


def dropdown(options, value, description):
    """A dropdown menu."""
    return Control("Dropdown", value, options=options, description=description)


def checkbox(value, description):
    """A checkbox."""
    return Control("Checkbox", value, description=description)
