"""Live figures: controls that update a figure in place, with a static fallback.

A demo builds its figure once and updates its artists when a control moves::

    def setup():                    # build the figure once; return it and the artists to update
        fig, (ax,) = plots.figure(1)
        line, = ax.plot([], [])
        return fig, {"ax": ax, "line": line}

    def update(parts, scale):       # called with the controls' values; no new figure, no tight_layout
        x = np.linspace(0, 1, 50)
        parts["line"].set_data(x, scale * x)
        parts["ax"].set_ylim(0, 2)

    widgets.show(setup, update, scale=widgets.slider(1.0, 0, 2, 0.1, "scale"))

``show`` calls ``update`` with the initial values, fixes the layout once
(``plots.freeze_layout``) and then, per move, only calls ``update`` and draws the
same figure to a PNG that replaces the previous one in place (an
``ipywidgets.Image`` that shrinks to the output area; the front end coalesces the
moves made while the kernel is busy, so intermediate values are dropped, not
queued). Sliders redraw while dragged. The controls sit in a row that wraps onto
more rows on a narrow screen, each slider wide enough for its label and a track of
``TRACK`` pixels. A figure without controls is ``show(draw)`` with ``draw()``
returning a new figure. A ``button`` runs a longer piece of work (training) and
redraws the figure while it runs. The chapters' figures (``initlab.figures``) are
built this way; a notebook calls them.

Modes (``mode()``): *interactive* in any front end with ipywidgets (JupyterLab,
Notebook 7, VS Code, Colab); *static*, one figure from the initial values,
stored in the notebook, when it is run non-interactively (nbval, nbconvert,
``python -m coursetools execute``, plain Python); *skip* under nbgrader.
A student function that still raises ``NotImplementedError`` gives one line,
and no empty axes.
"""

import collections
import contextlib
import io
import os
import time

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from . import plots

try:
    import ipywidgets
    from IPython import get_ipython
    from IPython.display import display
except ImportError:  # plain Python: no widgets, static figures only
    ipywidgets = get_ipython = None
    display = print

# Parent processes that run a notebook without a person (nbval under pytest, nbconvert, nbclient, papermill).
_BATCH_RUNNERS = ("pytest", "nbval", "nbconvert", "nbclient", "papermill", "coursetools")


def _run_by_a_tool():
    """Whether this kernel's parent process is a known batch runner (Linux; False elsewhere)."""
    try:
        with open(f"/proc/{os.getppid()}/cmdline", "rb") as f:
            args = [os.path.basename(arg) for arg in f.read().decode(errors="replace").split("\0")]
    except OSError:
        return False
    if args and args[0].startswith("python"):  # python [-X ...] [-m module | script]
        rest = [arg for arg in args[1:] if not arg.startswith("-") or arg == "-m"]
        args = rest[1:2] if rest[:1] == ["-m"] else rest[:1]
    program = args[0] if args else ""
    return any(name in program for name in _BATCH_RUNNERS)


def mode():
    """'skip' under nbgrader, 'static' when run non-interactively, else 'interactive'.

    ``INITLAB_WIDGETS=static``, ``=interactive`` or ``=skip`` overrides the guess.
    """
    forced = os.environ.get("INITLAB_WIDGETS", "")
    if forced in ("static", "interactive", "skip"):
        return forced
    if os.environ.get("NBGRADER_EXECUTION"):
        return "skip"
    shell = get_ipython() if get_ipython else None
    if ipywidgets is None or shell is None or not hasattr(shell, "kernel") or _run_by_a_tool():
        return "static"
    return "interactive"


def _unimplemented_name(exc):
    """Name of the function whose body raised NotImplementedError."""
    tb = exc.__traceback__
    name = None
    while tb is not None:
        name = tb.tb_frame.f_code.co_name
        tb = tb.tb_next
    return name or "a function"


def _friendly_line(exc, what="figure"):
    return (f"This {what} needs your `{_unimplemented_name(exc)}`, which is not implemented yet: "
            "fill in its answer cell, run it, then run this cell again.")


@contextlib.contextmanager
def friendly(what="cell"):
    """Run a demo block; if a student function is not written yet, say so in one line.

    Use it as ``with widgets.friendly():`` around demo code that calls student functions. The block's
    matrix products run on one BLAS thread (see ``one_blas_thread``).
    """
    try:
        with one_blas_thread():
            yield
    except NotImplementedError as exc:
        print(_friendly_line(exc, what))


def render(draw, values):
    """Call ``draw(**values)`` and display its new figure, or one friendly line."""
    opened = set(plt.get_fignums())
    try:
        with one_blas_thread():
            fig = draw(**values)
    except NotImplementedError as exc:
        for number in set(plt.get_fignums()) - opened:  # axes made before the stub raised: never shown
            plt.close(number)
        print(_friendly_line(exc))
        return None
    display(fig)
    plt.close(fig)
    return fig


def _openblas_threads():
    """(get, set) of the thread count of numpy's bundled OpenBLAS, or None (another BLAS, not found)."""
    import ctypes
    import glob

    import numpy
    for path in glob.glob(os.path.join(os.path.dirname(numpy.__file__), os.pardir, "numpy.libs", "*openblas*")):
        with contextlib.suppress(OSError):
            blas = ctypes.CDLL(path)
            for prefix, suffix in (("scipy_openblas", "64_"), ("scipy_openblas", ""), ("openblas", "64_"),
                                   ("openblas", "")):
                get = getattr(blas, f"{prefix}_get_num_threads{suffix}", None)
                put = getattr(blas, f"{prefix}_set_num_threads{suffix}", None)
                if get and put:
                    return get, put
    return None


@contextlib.contextmanager
def one_blas_thread():
    """Run numpy's matrix products on one thread: the demos' products are small, and threads that wait
    for a busy core (the browser, the Jupyter server, other kernels) make them several times slower."""
    global _BLAS
    if _BLAS is False:
        _BLAS = _openblas_threads()
    if _BLAS is None:
        yield
        return
    get, put = _BLAS
    before = get()
    put(1)
    try:
        yield
    finally:
        put(before)


_BLAS = False  # not looked up yet


class LiveFigure:
    """A figure built once by ``setup()`` and updated in place by ``update(parts, **values)``.

    ``update`` may change the artists in ``parts`` (data, text, visibility) and
    the axes limits, nothing else: the rest (axes, ticks, labels, fixed
    legends) is drawn once per set of axes limits and reused, and only the
    artists in ``parts`` are drawn at every update. An axis in ``parts``
    (e.g. ``ax.yaxis``, with its ticks, grid lines and label) is drawn at every
    update too, and its limits then change without redrawing the background:
    cheaper for a control that moves the limits at nearly every step (every
    artist placed in its data coordinates must then be in ``parts``). When ``update`` changes
    a fixed artist (e.g. rebuilds a legend for another number of layers), it puts a value that
    says so in ``parts["background"][ax]``: the background of ``ax`` is drawn again when that
    value changes. The PNGs of the last values are kept. ``timings`` lists the (update, draw) seconds of every
    frame: computation and artist changes, then drawing and PNG encoding.
    """

    BACKGROUNDS = 8  # rendered backgrounds kept, one per set of axes limits
    FRAMES = 64  # PNGs kept, one per set of control values

    def __init__(self, setup, update):
        self.fig, self.parts = setup()
        plt.close(self.fig)  # kept out of pyplot: never shown twice by the inline backend
        FigureCanvasAgg(self.fig)  # drawn in the kernel, whatever the backend
        self._update = update
        self._laid_out = False
        self._animated = None
        self._backgrounds, self._frames = {}, {}  # {limits: (pixels, boxes)}, {values: png}
        self._blank = self._current = self._current_key = None
        self.timings = []

    def update(self, values):
        """Update the artists for ``values``; the layout is fixed on the first call."""
        self._update(self.parts, **values)
        if not self._laid_out:
            plots.plain_log_ticks(self.fig)
            plots.freeze_layout(self.fig)
            self._laid_out = True

    def _dynamic_artists(self):
        """The artists in ``parts``, animated (left out of the background), in drawing order (by zorder, then in
        the order of ``parts``, as matplotlib draws them), each once."""
        found, todo = {}, collections.deque([self.parts])
        while todo:
            item = todo.popleft()
            if isinstance(item, dict):
                todo.extend(item.values())
            elif isinstance(item, (list, tuple)):
                todo.extend(item)
            elif isinstance(item, Artist) and not isinstance(item, (Axes, Figure)):
                item.set_animated(True)
                found[id(item)] = item
        return sorted(found.values(), key=lambda artist: artist.get_zorder())

    def _limits(self):
        """What the background of each axes depends on: its limits, and the value ``update`` put in
        ``parts["background"][ax]`` (e.g. the number of layers a legend lists, when ``update`` rebuilt the legend).
        An axis in ``parts`` (``ax.yaxis``: its ticks, tick labels, grid lines and label) is drawn at every update,
        so its limits are left out: they change without a redraw of the background (every other artist placed by
        them must then be in parts too)."""
        live = {id(artist) for artist in self._animated or ()}
        keys = self.parts.get("background", {}) if isinstance(self.parts, dict) else {}
        return tuple((None if id(ax.xaxis) in live else ax.get_xlim(), None if id(ax.yaxis) in live else ax.get_ylim(),
                      keys.get(ax)) for ax in self.fig.axes)

    def _box(self, ax, renderer):
        """The pixels (rows, columns) that ``ax`` draws on, as two slices."""
        height, width = self._blank.shape[:2]
        box = ax.get_tightbbox(renderer)
        return (slice(max(0, int(height - box.y1) - 2), min(height, int(height - box.y0) + 3)),
                slice(max(0, int(box.x0) - 2), min(width, int(box.x1) + 3)))

    def _redraw(self, pixels, renderer, limits):
        """Bring the last background up to ``limits``: only the axes whose limits changed, and those that
        overlap them, are cleared (to the figure without axes) and drawn again."""
        last_limits, last_boxes = self._current
        dirty = {ax for ax, new, old in zip(self.fig.axes, limits, last_limits) if new != old}
        boxes = dict(last_boxes)
        boxes.update({ax: self._box(ax, renderer) for ax in dirty})
        areas = [last_boxes[ax] for ax in dirty] + [boxes[ax] for ax in dirty]
        overlap = lambda a, b: all(s.start < t.stop and t.start < s.stop for s, t in zip(a, b))  # noqa: E731
        grown = True
        while grown:
            grown = False
            for ax in self.fig.axes:
                if ax not in dirty and any(overlap(boxes[ax], area) for area in areas):
                    dirty.add(ax)
                    areas.append(boxes[ax])
                    grown = True
        for area in areas:
            pixels[area] = self._blank[area]
        for ax in sorted(dirty, key=lambda ax: ax.get_zorder()):
            ax.draw(renderer)
        return boxes

    def _background(self, canvas):
        """Put in the canvas the figure without the artists in parts, for the current axes limits."""
        limits = self._limits()
        pixels = np.asarray(canvas.buffer_rgba()) if self._blank is not None else None
        if limits in self._backgrounds:
            image, boxes = self._backgrounds.pop(limits)
            np.copyto(pixels, image)
        elif self._blank is None:  # first frame: the figure without axes, then the whole figure
            for ax in self.fig.axes:
                ax.set_visible(False)
            canvas.draw()
            self._blank = np.asarray(canvas.buffer_rgba()).copy()
            for ax in self.fig.axes:
                ax.set_visible(True)
            canvas.draw()
            pixels = np.asarray(canvas.buffer_rgba())
            boxes = {ax: self._box(ax, canvas.get_renderer()) for ax in self.fig.axes}
        else:
            np.copyto(pixels, self._backgrounds[self._current_key][0])
            boxes = self._redraw(pixels, canvas.get_renderer(), limits)
        self._backgrounds[limits] = (pixels.copy(), boxes)
        self._current, self._current_key = (limits, boxes), limits
        while len(self._backgrounds) > self.BACKGROUNDS:
            del self._backgrounds[next(k for k in self._backgrounds if k != limits)]

    def png(self):
        """The figure as PNG bytes: the background for these limits, then the artists in parts."""
        from PIL import Image
        if self._animated is None:
            self._animated = self._dynamic_artists()
        canvas = self.fig.canvas
        self._background(canvas)
        renderer = canvas.get_renderer()
        for artist in self._animated:
            if artist.get_visible():
                artist.draw(renderer)
        buffer = io.BytesIO()
        Image.frombuffer("RGBA", canvas.get_width_height(), canvas.buffer_rgba()).convert("RGB").save(
            buffer, format="png", compress_level=1)  # fast, lossless
        return buffer.getvalue()

    def prerender(self, values):
        """Draw now the background (axes, ticks, labels) that ``values`` needs, without making a frame: the first
        move to a setting that changes the axes limits then costs no more than any other move."""
        with one_blas_thread():
            self.update(values)
            if self._animated is None:
                self._animated = self._dynamic_artists()
            self._background(self.fig.canvas)

    def forget(self):
        """Forget the remembered PNGs (after a button's work, ``update`` may draw other things for the same values)."""
        self._frames.clear()

    def frame(self, values):
        """The PNG for ``values``: remembered if these values were drawn lately, else updated and drawn
        (``update`` sets every artist in ``parts`` from the values alone); record the two times."""
        key = tuple(sorted(values.items()))
        if key in self._frames:
            self._frames[key] = png = self._frames.pop(key)
            self.timings.append((0.0, 0.0))
            return png
        with one_blas_thread():
            started = time.perf_counter()
            self.update(values)
            updated = time.perf_counter()
            png = self.png()
        self.timings.append((updated - started, time.perf_counter() - updated))
        self._frames[key] = png
        while len(self._frames) > self.FRAMES:
            del self._frames[next(iter(self._frames))]
        return png


class Control:
    """A control described by its ipywidgets class and arguments; built only when shown."""

    def __init__(self, kind, value, **kwargs):
        self.kind, self.value, self.kwargs = kind, value, kwargs

    def press(self, values):
        """A button's work for the other controls' ``values``: yields the fraction done."""
        yield from self.kwargs["action"](**values)

    def build(self):
        """The ipywidgets object, wide enough for its label and, for a slider, a track of ``TRACK`` pixels."""
        if self.kind == "Button":
            return ipywidgets.Button(description=self.kwargs["description"], button_style="primary")
        widget = getattr(ipywidgets, self.kind)(value=self.value, **self.kwargs)
        widget.style.description_width = "initial"
        label = _text_width(self.kwargs["description"])
        if "Slider" in self.kind:
            widget.layout.width = f"{label + TRACK + READOUT}px"
        elif self.kind == "Dropdown":
            widget.layout.width = f"{label + min(max(_text_width(str(o)) for o in self.kwargs['options']), 300) + 40}px"
        elif self.kind == "Checkbox":
            widget.indent, widget.layout.width = False, f"{label + 40}px"
        return widget


TRACK = 190  # px: a slider's track, wide enough to drag one step at a time (the browser test wants 150)
READOUT = 90  # px: the margins and the value shown at a slider's right


def _text_width(text):
    """The width in pixels of ``text`` in a widget label (13 px system font), rounded up."""
    return int(7.5 * len(text)) + 8


def _static(setup, update, values, buttons=()):
    """Display one figure for ``values`` after pressing ``buttons`` once (or the friendly line)."""
    if update is None:
        return render(setup, values)
    try:
        with one_blas_thread():
            for button in buttons:
                for _ in button.press(values):
                    pass
            live = LiveFigure(setup, update)
            live.update(values)
    except NotImplementedError as exc:
        print(_friendly_line(exc))
        return None
    display(live.fig)
    return live


def show(setup, update=None, prerender=(), **controls):
    """Display ``controls`` driving a live figure (``setup``, ``update``); see the module docstring.

    ``prerender`` lists settings of some controls (dicts, the other controls at their initial values) whose
    backgrounds are drawn right after the figure is shown, e.g. one per dropdown option that changes the axes
    limits. Returns the LiveFigure in interactive mode (None otherwise).
    """
    current = mode()
    if current == "skip":
        print("(Demo skipped while nbgrader runs the notebook.)")
        return None
    buttons = {name: control for name, control in controls.items() if control.kind == "Button"}
    values = {name: control.value for name, control in controls.items() if name not in buttons}
    if current == "static" or update is None:
        _static(setup, update, values, buttons.values())
        return None
    try:
        with one_blas_thread():
            live = LiveFigure(setup, update)
    except NotImplementedError as exc:
        print(_friendly_line(exc))
        return None
    built = {name: control.build() for name, control in controls.items()}
    dpi = live.fig.dpi
    width, height = live.fig.get_size_inches()
    image = ipywidgets.Image(format="png", layout=ipywidgets.Layout(  # shrinks to the output area, keeps its shape
        width=f"{width * dpi:.0f}px", max_width="100%", height="auto", margin="0px"))
    message = ipywidgets.Output()

    def current_values():
        return {name: widget.value for name, widget in built.items() if name not in buttons}

    def redraw(_change=None):
        try:
            image.value = live.frame(current_values())
        except NotImplementedError as exc:
            image.layout.display = "none"
            message.outputs = ({"output_type": "stream", "name": "stdout", "text": _friendly_line(exc) + "\n"},)
            return
        if message.outputs:
            message.outputs = ()
        image.layout.display = None

    def pressed(widget, button):
        label, widget.disabled = widget.description, True
        shown = None  # the first progress is drawn at once, then a frame (and the percentage) every `every` s
        try:
            for done in button.press(current_values()):
                if shown is None or time.perf_counter() - shown >= button.kwargs["every"]:
                    shown = time.perf_counter()
                    widget.description = f"{label} {100 * done:3.0f} %"
                    live.forget()
                    redraw()
        except NotImplementedError as exc:
            message.outputs = ({"output_type": "stream", "name": "stdout", "text": _friendly_line(exc) + "\n"},)
            return
        except Exception as exc:  # a click handler's errors would otherwise vanish into the log
            message.outputs = ({"output_type": "stream", "name": "stdout",
                                "text": f"{label} stopped: {type(exc).__name__}: {exc}\n"},)
            return
        finally:
            widget.description, widget.disabled = label, False
            live.forget()
        if message.outputs:
            message.outputs = ()
        redraw()

    for name, widget in built.items():
        if name in buttons:
            widget.on_click(lambda widget, button=buttons[name]: pressed(widget, button))
        else:
            widget.observe(redraw, names="value")
    row = ipywidgets.HBox(list(built.values()), layout=ipywidgets.Layout(flex_flow="row wrap", align_items="center"))
    box = ipywidgets.VBox([row, message, image])  # controls wrap onto rows on a narrow screen
    box.add_class("initlab-live")
    redraw()
    display(box)
    initial = current_values()
    with contextlib.suppress(NotImplementedError):
        for values in prerender:
            live.prerender({**initial, **values})
    return live


def snapshot(setup, update, **values):
    """One static figure of a live figure for ``values``, without controls (skipped under nbgrader)."""
    if mode() == "skip":
        print("(Demo skipped while nbgrader runs the notebook.)")
        return
    _static(setup, update, values)


def slider(value, low, high, step, description, integer=False, log=False, continuous=True):
    """A slider; it redraws while dragged unless ``continuous=False`` (then when released).

    With ``log=True``, ``low`` and ``high`` are base-10 exponents.
    """
    kind = "FloatLogSlider" if log else ("IntSlider" if integer else "FloatSlider")
    return Control(kind, value, min=low, max=high, step=step, description=description,
                   continuous_update=continuous)


def choice_slider(options, value, description, continuous=True):
    """A slider over a few given values (e.g. 0.001, 0.002, 0.005, ..., 1), showing the value itself.

    Every value it can take is known in advance, so a demo can compute them all once.
    """
    return Control("SelectionSlider", value, options=list(options), description=description,
                   continuous_update=continuous)


def dropdown(options, value, description):
    """A dropdown menu."""
    return Control("Dropdown", value, options=options, description=description)


def checkbox(value, description):
    """A checkbox."""
    return Control("Checkbox", value, description=description)



def button(description, action, every=0.15):
    """A button that runs ``action(**values)`` (the other controls' values), then redraws the figure.

    ``action`` is a generator that does the work (e.g. trains a network and stores
    the result where ``update`` finds it) and yields the fraction done often: the
    figure is redrawn at the first yield and then every ``every`` seconds, so that
    the person pressing it sees the progress, and the button shows the percentage.
    A static figure is drawn after pressing the button once with the initial values.
    """
    return Control("Button", None, description=description, action=action, every=every)
