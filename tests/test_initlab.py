"""Unit tests of the helper package shipped with the notebooks (initlab)."""

import re
import subprocess
import sys
import types

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest

matplotlib.use("Agg")

from initlab import bridge, checks, data, network, plots, widgets


def small_net(rng, dims=(2, 3, 1)):
    return {k: v for l in range(1, len(dims)) for k, v in (
        (f"W{l}", rng.standard_normal((dims[l], dims[l - 1]))), (f"b{l}", rng.standard_normal((dims[l], 1))))}


def numerical_gradient(cost_of, params, h=1e-6):
    """Central differences of ``cost_of(params)`` with respect to every entry of every parameter."""
    numeric = {}
    for key, value in params.items():
        numeric[key] = np.zeros_like(value)
        for idx in np.ndindex(value.shape):
            for sign in (1, -1):
                shifted = {k: v.copy() for k, v in params.items()}
                shifted[key][idx] += sign * h
                numeric[key][idx] += sign * cost_of(shifted) / (2 * h)
    return numeric


@pytest.mark.parametrize("activation", network.ACTIVATIONS)
def test_backward_matches_numerical_gradient(activation):
    rng = np.random.default_rng(0)
    params = small_net(rng, (2, 4, 3, 1))
    X, Y = data.make_moons(20, rng=rng)
    _, cache = network.forward(params, X, activation)
    grads = network.backward(params, cache, Y, activation)
    numeric = numerical_gradient(lambda p: network.cost(network.forward(p, X, activation)[0], Y), params)
    for key in params:
        assert np.allclose(grads["d" + key], numeric[key], atol=1e-6), key


def test_softmax_backprop_matches_numerical_gradient():
    rng = np.random.default_rng(2)
    params = small_net(rng, (3, 5, 4))
    X, labels = rng.standard_normal((3, 6)), np.array([0, 3, 1, 2, 3, 0])

    def mean_cost(p):
        _, cache = network.forward(p, X, "relu")
        return network.softmax_cost(cache["z2"], labels)[0]

    _, cache = network.forward(params, X, "relu")
    _, dz = network.softmax_cost(cache["z2"], labels)
    grads = network.backprop(params, cache, dz, "relu")
    numeric = numerical_gradient(mean_cost, params)
    for key in params:
        assert np.allclose(grads["d" + key], numeric[key], atol=1e-6), key


def test_train_softmax_learns_the_digits_and_leaves_inputs_unchanged():
    X, labels = data.load_digits()
    assert X.shape == (64, 1797) and labels.shape == (1797,) and set(labels) == set(range(10))
    assert np.allclose(X.mean(axis=1), 0) and np.all(np.isfinite(X))
    rng = np.random.default_rng(3)
    params = {}
    for l, (n_in, n_out) in enumerate(((64, 32), (32, 10)), start=1):
        params[f"W{l}"], params[f"b{l}"] = rng.standard_normal((n_out, n_in)) * np.sqrt(2 / n_in), np.zeros((n_out, 1))
    before = {k: v.copy() for k, v in params.items()}
    trained, costs = network.train_softmax(params, X, labels, steps=150, learning_rate=0.1, rng=rng)
    assert costs.shape == (150,) and costs[-20:].mean() < 0.5 * costs[:5].mean()
    assert all(np.array_equal(params[k], before[k]) for k in params)
    with pytest.raises(ValueError, match="-1"):
        network.train_softmax(params, X, labels, steps=-1)


def test_train_softmax_with_momentum_and_a_cosine_schedule():
    X, labels = data.load_digits()
    rng = np.random.default_rng(4)
    params = {"W1": rng.standard_normal((16, 64)) * np.sqrt(2 / 64), "b1": np.zeros((16, 1)),
              "W2": rng.standard_normal((10, 16)) * np.sqrt(2 / 16), "b2": np.zeros((10, 1))}
    _, plain = network.train_softmax(params, X, labels, steps=80, learning_rate=0.005, rng=np.random.default_rng(0))
    _, heavy = network.train_softmax(params, X, labels, steps=80, learning_rate=0.005, momentum=0.9,
                                     rng=np.random.default_rng(0))
    assert heavy[-20:].mean() < 0.8 * plain[-20:].mean()  # the velocity makes the steps up to 10 times longer
    # the first step: zero velocity and the full rate of the schedule, plain gradient descent
    first_plain, _ = network.train_softmax(params, X, labels, steps=1, rng=np.random.default_rng(0))
    first, _ = network.train_softmax(params, X, labels, steps=1, momentum=0.9, cosine=True,
                                     rng=np.random.default_rng(0))
    assert all(np.allclose(first[k], first_plain[k]) for k in params)
    # two steps of the cosine schedule: the full rate, then half of it
    batches = np.random.default_rng(0)
    halfway, _ = network.train_softmax(params, X, labels, steps=1, learning_rate=0.1, rng=batches)
    by_hand, _ = network.train_softmax(halfway, X, labels, steps=1, learning_rate=0.05, rng=batches)
    scheduled, _ = network.train_softmax(params, X, labels, steps=2, learning_rate=0.1, cosine=True,
                                         rng=np.random.default_rng(0))
    assert all(np.allclose(scheduled[k], by_hand[k]) for k in params)
    with pytest.raises(ValueError, match="1.5"):
        network.train_softmax(params, X, labels, steps=1, momentum=1.5)


def test_train_lowers_the_cost_and_leaves_inputs_unchanged():
    rng = np.random.default_rng(1)
    params = small_net(rng, (2, 8, 1))
    before = {k: v.copy() for k, v in params.items()}
    X, Y = data.make_moons(100, rng=rng)
    final, history = network.train(params, X, Y, steps=200, learning_rate=0.5, record_every=50)
    assert [step for step, _, _ in history] == [0, 50, 100, 150, 200]
    assert history[-1][2] < history[0][2]
    assert all(np.array_equal(params[k], before[k]) for k in params)
    assert network.accuracy(final, X, Y) > 0.8


@pytest.mark.parametrize("bad, match", [
    (lambda: network.activate(np.zeros(2), "softplus"), "softplus"),
    (lambda: network.gd_step({}, {}, -1), "-1"),
    (lambda: network.train({"W1": np.eye(2)}, np.zeros((2, 1)), np.zeros((1, 1)), 1), "b1"),
    (lambda: network.train(small_net(np.random.default_rng()), np.zeros((2, 1)), np.zeros((1, 1)), -3), "-3"),
    (lambda: data.make_moons(1), "1"),
    (lambda: data.make_circles(10, factor=2), "2"),
])
def test_bad_input_raises_a_value_error_naming_the_value(bad, match):
    with pytest.raises(ValueError, match=match):
        bad()


def test_data_sets_have_examples_as_columns_and_are_seeded():
    for make in (data.make_moons, data.make_circles):
        X, Y = make(50, rng=np.random.default_rng(3))
        assert X.shape == (2, 50) and Y.shape == (1, 50) and set(np.unique(Y)) == {0.0, 1.0}
        assert np.array_equal(X, make(50, rng=np.random.default_rng(3))[0])


def test_plots_draw_unit_paths_and_series():
    rng = np.random.default_rng(4)
    X, Y = data.make_moons(30, rng=rng)
    _, history = network.train(small_net(rng), X, Y, steps=10)
    fig, axes = plots.figure(3)
    plots.unit_trajectories(axes[0], history, "t", "red")
    plots.series(axes[1], [0, 1], [[1, 2], [2, 1]], ["a", "b"], ["r", "b"], "x", "y", "t", logy=True)
    plots.decision_boundary(axes[2], lambda P: network.forward(history[-1][1], P)[0], X, Y, "b")
    assert len(axes[0].collections[0].get_segments()) == 3  # one path per hidden unit
    assert len(axes[0].lines[0].get_xdata()) == 3  # and its end point


# --- widgets -----------------------------------------------------------------
def test_widget_mode_follows_the_environment(monkeypatch):
    for var in ("INITLAB_WIDGETS", "NBGRADER_EXECUTION", "JPY_SESSION_NAME"):
        monkeypatch.delenv(var, raising=False)
    assert widgets.mode() == "static"  # plain Python, no kernel
    monkeypatch.setattr(widgets, "get_ipython", lambda: types.SimpleNamespace(kernel=object()))
    monkeypatch.setattr(widgets, "_run_by_a_tool", lambda: False)
    assert widgets.mode() == "interactive"  # any front end's kernel, with or without JPY_SESSION_NAME
    monkeypatch.setattr(widgets, "_run_by_a_tool", lambda: True)
    assert widgets.mode() == "static"  # nbval, nbconvert, nbclient
    monkeypatch.setenv("INITLAB_WIDGETS", "interactive")
    assert widgets.mode() == "interactive"
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    monkeypatch.delenv("INITLAB_WIDGETS")
    assert widgets.mode() == "skip"
    monkeypatch.setenv("INITLAB_WIDGETS", "static")
    assert widgets.mode() == "static"


def test_a_kernel_started_by_pytest_counts_as_run_by_a_tool():
    code = "from initlab import widgets; print(widgets._run_by_a_tool())"
    child = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                           cwd=widgets.__file__.rsplit("/initlab/", 1)[0])
    assert child.stdout.strip() == str(sys.platform.startswith("linux"))


def _live_line(seen):
    """A (setup, update) pair drawing one line; update records its values."""
    def setup():
        fig, (ax,) = plots.figure(1)
        return fig, {"ax": ax, "line": ax.plot([], [])[0], "title": ax.title}

    def update(parts, a, b="x"):
        seen.append((a, b))
        parts["line"].set_data([0, 1], [0, a])
        parts["title"].set_text(f"a = {a}")
        plots.rescale(parts["ax"])
    return setup, update


def test_static_mode_draws_once_with_the_initial_values(monkeypatch, capsys):
    monkeypatch.setenv("INITLAB_WIDGETS", "static")
    seen = []
    widgets.show(*_live_line(seen), a=widgets.slider(0.5, 0, 1, 0.1, "a"), b=widgets.dropdown(["x", "y"], "y", "b"))
    assert seen == [(0.5, "y")]
    assert "Figure" in capsys.readouterr().out
    widgets.snapshot(*_live_line(seen), a=2)
    assert seen[-1] == (2, "x") and "Figure" in capsys.readouterr().out
    widgets.show(lambda: plots.figure(1)[0])  # a figure without controls
    assert "Figure" in capsys.readouterr().out


def test_unimplemented_student_function_gives_one_friendly_line(monkeypatch, capsys):
    monkeypatch.setenv("INITLAB_WIDGETS", "static")

    def initialize_random(dims):
        raise NotImplementedError()

    def update(parts, n):
        initialize_random([n])

    widgets.show(lambda: plots.figure(1), update, n=widgets.slider(2, 1, 5, 1, "n", integer=True))
    out = capsys.readouterr().out.strip().splitlines()
    assert out == ["This figure needs your `initialize_random`, which is not implemented yet: fill in its "
                   "answer cell, run it, then run this cell again."]  # and no empty axes


def test_interactive_mode_updates_one_figure_in_place(monkeypatch):
    monkeypatch.setenv("INITLAB_WIDGETS", "interactive")
    seen, shown = [], []
    monkeypatch.setattr(widgets, "display", shown.append)
    plt.close("all")
    live = widgets.show(*_live_line(seen), a=widgets.slider(1, 0, 5, 1, "a", integer=True))
    controls, message, image = shown[0].children
    assert bytes(image.value).startswith(b"\x89PNG") and not message.outputs
    before = bytes(image.value)
    controls.children[0].value = 3
    assert seen == [(1, "x"), (3, "x")] and bytes(image.value) != before
    assert controls.children[0].continuous_update and len(live.timings) == 2 and all(live.timings[1])
    assert len(plt.get_fignums()) == 0  # one figure, kept out of pyplot
    controls.children[0].value = 1  # back: the same PNG, remembered
    assert bytes(image.value) == before


def test_a_choice_slider_shows_and_sends_the_values_themselves(monkeypatch):
    monkeypatch.setenv("INITLAB_WIDGETS", "interactive")
    seen, shown = [], []
    monkeypatch.setattr(widgets, "display", shown.append)
    scales = (0.001, 0.01, 0.1, 1.0)
    widgets.show(*_live_line(seen), a=widgets.choice_slider(scales, 0.1, "scale s"))
    slider = shown[0].children[0].children[0]
    assert slider.value == 0.1 and slider.label == "0.1" and slider.continuous_update
    slider.index = 0
    assert seen[-1][0] == 0.001 and slider.label == "0.001"


def test_interactive_mode_says_what_is_missing_instead_of_empty_axes(monkeypatch):
    monkeypatch.setenv("INITLAB_WIDGETS", "interactive")
    shown = []
    monkeypatch.setattr(widgets, "display", shown.append)

    def update(parts, n):
        if n > 2:
            raise NotImplementedError()
        parts["line"].set_data([0, 1], [0, n])

    def setup():
        fig, (ax,) = plots.figure(1)
        return fig, {"line": ax.plot([], [])[0]}

    widgets.show(setup, update, n=widgets.slider(2, 1, 5, 1, "n", integer=True))
    controls, message, image = shown[0].children
    controls.children[0].value = 3
    assert image.layout.display == "none" and "not implemented yet" in message.outputs[0]["text"]
    controls.children[0].value = 1
    assert image.layout.display is None and not message.outputs


def test_a_figure_function_that_meets_a_stub_leaves_no_empty_axes(monkeypatch, capsys):
    monkeypatch.setenv("INITLAB_WIDGETS", "static")
    plt.close("all")

    def forward_variances():
        raise NotImplementedError()

    def draw():
        fig, axes = plots.figure(1)  # axes made before the student's function is called
        axes[0].plot(forward_variances())
        return fig

    widgets.show(draw)
    assert "not implemented yet" in capsys.readouterr().out and plt.get_fignums() == []


def test_prerender_draws_the_backgrounds_of_other_settings_at_once(monkeypatch):
    monkeypatch.setenv("INITLAB_WIDGETS", "interactive")
    shown = []
    monkeypatch.setattr(widgets, "display", shown.append)

    def setup():
        fig, (ax,) = plots.figure(1)
        return fig, {"ax": ax, "line": ax.plot([], [])[0]}

    def update(parts, scale, n):
        parts["line"].set_data([0, 1], [0, n])
        parts["ax"].set_ylim(0, {"small": 1, "large": 100}[scale])

    live = widgets.show(setup, update, prerender=[{"scale": "large"}],
                        scale=widgets.dropdown(["small", "large"], "small", "scale"),
                        n=widgets.slider(1, 0, 1, 1, "n", integer=True))
    assert len(live._backgrounds) == 2 and len(live._frames) == 1  # backgrounds only, no frame
    controls = shown[0].children[0]
    controls.children[0].value = "large"
    assert len(live._backgrounds) == 2 and len(live._frames) == 2


def test_rescale_keeps_round_limits_while_the_data_fills_them():
    fig, (ax,) = plots.figure(1)
    line, = ax.plot([], [])
    line.set_data([0, 10], [0, 0.031])
    plots.rescale(ax)
    assert ax.get_xlim() == (0, 10) and ax.get_ylim() == (0, 0.05)
    line.set_data([0, 9], [0, 0.04])
    plots.rescale(ax)
    assert ax.get_xlim() == (0, 10) and ax.get_ylim() == (0, 0.05)  # unchanged: same background
    line.set_data([0, 12], [0, 0.01])
    plots.rescale(ax)
    assert ax.get_xlim() == (0, 20) and ax.get_ylim() == (0, 0.01)  # grown with room; shrunk to fit
    assert plots.PlainLogFormatter()(100.0) in ("10²", "")


def test_rescale_keeps_the_side_that_still_holds_the_data():
    fig, (ax,) = plots.figure(1)
    ax.set_yscale("log")
    line, = ax.plot([], [])
    line.set_data([0, 1], [1e-3, 1e2])
    plots.rescale(ax)
    assert ax.get_ylim() == (1e-3, 1e2)
    line.set_data([0, 1], [1e-2, 1e4])  # grows at the top only: the bottom limit stays (no redraw next time back)
    plots.rescale(ax)
    assert ax.get_ylim() == (1e-3, 1e7)
    line.set_data([0, 1], [1e0, 1e2])  # fills too little of the limits: fitted again
    plots.rescale(ax)
    assert ax.get_ylim() == (1e0, 1e2)
    plt.close(fig)


def test_autograding_skips_demos(monkeypatch, capsys):
    monkeypatch.delenv("INITLAB_WIDGETS", raising=False)
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    widgets.show(lambda: pytest.fail("demo ran during autograding"))
    assert "skipped" in capsys.readouterr().out


# --- checks --------------------------------------------------------------------
class LyingFloat(float):
    def __sub__(self, other):
        return 0.0

    def __eq__(self, other):
        return True

    __hash__ = float.__hash__


class AlwaysEqual:
    def __eq__(self, other):
        return True


def test_checks_compare_plain_values_not_lying_objects():
    assert checks.as_float(LyingFloat(0.25)) == 0.25
    assert not checks.close(LyingFloat(0.25), 0.5)
    with pytest.raises(AssertionError):
        checks.as_array(AlwaysEqual())
    with pytest.raises(AssertionError, match="None"):
        checks.as_array(None)
    with pytest.raises(AssertionError, match="transposed"):
        checks.as_array(np.zeros((3, 2)), "W1", (2, 3))


def test_weight_sample_check_names_the_likely_mistake():
    rng = np.random.default_rng(0)
    W = rng.standard_normal((100, 400)) * np.sqrt(1 / 100)
    with pytest.raises(AssertionError, match="fan_out"):
        checks.check_weight_sample(W, 400, 100, 1 / 400, mistakes={"fan_out used for fan_in": 1 / 100})
    checks.check_weight_sample(rng.uniform(-1, 1, (100, 400)), 400, 100, 1 / 3, "uniform")
    with pytest.raises(AssertionError, match="normal"):
        checks.check_weight_sample(rng.uniform(-1, 1, (100, 400)), 400, 100, 1 / 3, "normal")


def test_weight_sample_check_finds_a_bounded_distribution_cut_at_the_wrong_place():
    rng = np.random.default_rng(1)
    z = rng.standard_normal(200_000)
    z = z[np.abs(z) <= 2][:40_000].reshape(100, 400)
    for constant in (0.87962566103423978, 0.8796, 0.88):  # rounded constants pass with a small slack
        checks.check_weight_sample(z * 0.05 / constant, 400, 100, 0.0025, "truncated_normal", slack=1e-3, reach=0.005)
    with pytest.raises(AssertionError, match="short of"):  # variance within tolerance, support too narrow
        checks.check_weight_sample(z * 0.05 / 0.9, 400, 100, 0.0025, "truncated_normal", slack=1e-3, reach=0.005)
    with pytest.raises(AssertionError, match="beyond"):
        checks.check_weight_sample(z * 0.05 / 0.87, 400, 100, 0.0025, "truncated_normal", slack=1e-3, reach=0.005)
    with pytest.raises(AssertionError, match="short of"):
        checks.check_weight_sample(rng.uniform(-1, 1, (100, 400)) * 0.98, 400, 100, 1 / 3, "uniform", reach=0.002)


def test_error_check_wants_the_bad_value_named():
    def strict(mode):
        raise ValueError(f"unknown mode {mode!r}")

    checks.check_error_names(ValueError, "fan_sum", strict, "fan_sum")
    with pytest.raises(AssertionError, match="should name"):
        checks.check_error_names(ValueError, "fan_sum", lambda mode: int("x"), "fan_sum")
    with pytest.raises(AssertionError, match="no ValueError for the bad value 'fan_sum'"):
        checks.check_error_names(ValueError, "fan_sum", lambda mode: 1, "fan_sum")


def _sparse(rng, n_in, n_out, k, columns=None):
    W = np.zeros((n_out, n_in))
    for row in W:
        row[rng.choice(n_in, min(k, n_in), replace=False) if columns is None else columns(rng)] = \
            rng.standard_normal(min(k, n_in))
    return W


def test_sparse_check_accepts_random_rows_and_names_the_usual_mistakes():
    rng = np.random.default_rng(2)
    fixed = rng.choice(50, 10, replace=False)
    checks.check_sparse_rows(_sparse(rng, 50, 2000, 10), 50, 2000, 10, 1.0)
    checks.check_sparse_rows(_sparse(rng, 6, 40, 10), 6, 40, 10, 1.0)
    cases = {
        "first": _sparse(rng, 50, 2000, 10, lambda r: np.arange(10)),
        "same columns": _sparse(rng, 50, 2000, 10, lambda r: fixed),
        "consecutive": _sparse(rng, 50, 2000, 10, lambda r: r.integers(0, 41) + np.arange(10)),
        "last one": _sparse(rng, 50, 2000, 10, lambda r: r.choice(49, 10, replace=False)),
        "exactly": rng.standard_normal((2000, 50)) * (rng.random((2000, 50)) < 0.2),
        "replace": _sparse(rng, 50, 2000, 10, lambda r: r.integers(0, 50, 10)),
        "std": _sparse(rng, 50, 2000, 10) * 2,
        "look normal": np.sign(_sparse(rng, 50, 2000, 10)) * rng.uniform(0, 3 ** 0.5, (2000, 50)),
    }
    for hint, W in cases.items():
        with pytest.raises(AssertionError, match=hint):
            checks.check_sparse_rows(W, 50, 2000, 10, 1.0)


def test_rng_check_rejects_the_global_random_state_and_a_fixed_seed():
    def draws(n, rng=None):
        return (np.random.default_rng() if rng is None else rng).standard_normal(n)

    def seeded(n, rng=None):
        return (np.random.default_rng(0) if rng is None else rng).standard_normal(n)

    checks.check_rng_use(draws, 5)
    for wrong, message in ((lambda n, rng=None: np.random.randn(n), "global random state"),
                           (lambda n, rng=None: np.random.default_rng().standard_normal(n), "same seed"),
                           (lambda n, rng=None: np.random.default_rng(0).standard_normal(n), "different seeds"),
                           (seeded, "rng=None")):
        with pytest.raises(AssertionError, match=message) as failed:
            checks.check_rng_use(wrong, 5)
        assert "Revisit: drawing from the rng argument" in str(failed.value)


def test_call_mutes_warnings_and_reports_unimplemented(capfd):
    def noisy():
        np.float64(1.0) / np.float64(0.0)
        import warnings
        warnings.warn("harmless", stacklevel=1)
        return 1

    assert checks.call(noisy) == 1
    assert capfd.readouterr().err == ""

    def todo():
        raise NotImplementedError()

    with pytest.raises(AssertionError, match="not implemented yet"):
        checks.call(todo)


def test_friendly_block_turns_unimplemented_into_one_line(capsys):
    def xavier_normal(n_in, n_out):
        raise NotImplementedError()

    with widgets.friendly():
        xavier_normal(3, 2)
        pytest.fail("the block should stop at the unimplemented function")
    assert capsys.readouterr().out.startswith("This cell needs your `xavier_normal`")
    with pytest.raises(ValueError):
        with widgets.friendly():
            raise ValueError("other errors propagate")


# --- bridge: calls as plain data -------------------------------------------------
def loopback(fn, *args, **kwargs):
    """Call ``fn`` through the encoding used between the grader's two kernels."""
    return bridge.loopback(fn, args, kwargs)


def test_values_cross_as_plain_data_of_the_same_types():
    value = {"W1": np.arange(6.0).reshape(2, 3), "n": np.int64(3), "f": np.float32(0.5), "flags": np.array([True]),
             "t": (1, 2.5, "x", None, False), "l": [[1], {"k": -2}], 7: float("nan")}
    got, moved = loopback(lambda v: v, value)
    assert not moved and got.keys() == value.keys()
    assert got["W1"].dtype == np.float64 and np.array_equal(got["W1"], value["W1"])
    assert type(got["n"]) is np.int64 and type(got["f"]) is np.float32 and got["flags"].dtype == bool
    assert got["t"] == (1, 2.5, "x", None, False) and got["l"] == [[1], {"k": -2}] and np.isnan(got[7])


def test_identity_and_in_place_changes_are_kept():
    x, weights = np.ones(3), [np.eye(2)]

    def student(x, weights):
        x *= 2  # in place: the caller's x changes too
        weights.append(np.zeros(1))
        shared = np.full(2, 5.0)
        return [x, shared, shared]

    got, _ = loopback(student, x, weights)
    assert got[0] is x and np.array_equal(x, [2, 2, 2])
    assert got[1] is got[2] and got[1] is not x
    assert len(weights) == 2 and np.array_equal(weights[1], [0.0])


def test_a_generator_state_travels_both_ways_and_global_state_is_watched():
    g = checks.rng(5)
    expected = checks.rng(5).standard_normal(3)
    got, moved = loopback(lambda rng: rng.standard_normal(3), rng=g)
    assert np.array_equal(got, expected) and not moved
    assert np.array_equal(g.standard_normal(2), checks.rng(5).standard_normal(5)[3:])
    _, moved = loopback(lambda: np.random.randn(2))
    assert moved


def test_student_exceptions_keep_their_builtin_class_and_are_marked():
    def bad(activation):
        raise ValueError(f"unknown activation {activation!r}")

    with pytest.raises(ValueError, match="sigmoid") as info:
        loopback(bad, "sigmoid")
    assert isinstance(info.value, bridge.RaisedByStudent)

    class Custom(Exception):
        pass

    def custom():
        raise Custom("boom")

    with pytest.raises(RuntimeError, match="Custom: boom"):
        loopback(custom)
    with pytest.raises(AssertionError, match="not implemented yet"):
        loopback(lambda: (_ for _ in ()).throw(NotImplementedError()))


def test_results_that_are_not_plain_data_fail_with_a_clear_message():
    with pytest.raises(AssertionError, match="could not be sent to the grader: a set object"):
        loopback(lambda: {1, 2})
    with pytest.raises(AssertionError, match="could not be sent"):
        loopback(lambda: np.array(["a"]))


@pytest.mark.parametrize("reply", [
    "not json", "[1, 2]", '{"result": {"r": 5}}', '{"result": {"a": "<f8", "s": [3], "b": 0}}',
    '{"result": {"a": "<f8", "s": [1], "b": 1}}', '{"result": {"a": "<f8", "s": [1], "b": "0"}}',
    '{"result": {"a": "|O", "s": [1], "b": 0}}', '{"result": {"n": "<f8", "b": 0}}',
    '{"result": {"m": [[{"l": []}, 1]]}}', '{"changed": [[9, 1]]}', '{"result": {"g": {"state": "x"}}}',
    '{"result": ' + "[" * 5000 + "]" * 5000 + "}", '{"result": {"i": 3, "l": []}}',
])
def test_malformed_replies_are_rejected_not_executed(reply):
    with pytest.raises(AssertionError, match="could not be read by the grader"):
        bridge.decode_reply(reply, [b"\0" * 4], [], "f")  # one buffer, of 4 bytes (not a float64)


def test_free_names_are_the_names_a_test_cell_reads_from_the_notebook():
    source = ("import numpy as np\nfrom initlab.checks import call\nW = np.eye(2)\n"
              "def helper(x):\n    return x\n"
              "check(call(initialize_zeros, [2]) == answer_a, len(W))\nfor k in range(2):\n    print(k)\n")
    assert bridge.free_names(source) == {"check", "initialize_zeros", "answer_a"}


def test_a_stack_of_networks_trains_like_each_network_alone():
    rng = np.random.default_rng(5)
    nets = [small_net(rng, (2, 4, 3, 1)) for _ in range(3)]
    X, Y = data.make_xor(40, rng=rng)
    stack = {k: np.stack([net[k] for net in nets]) for k in nets[0]}
    together = list(network.gradient_descent(stack, X, Y, 20, 0.3, "tanh"))[-1]
    for b, net in enumerate(nets):
        alone = list(network.gradient_descent(net, X, Y, 20, 0.3, "tanh"))[-1]
        assert np.allclose(together["costs"][:, b], alone["costs"])
        assert np.allclose(together["norms"][:, :, b], alone["norms"])
        assert np.isclose(network.accuracy(together["params"], X, Y, "tanh")[b],
                          network.accuracy(alone["params"], X, Y, "tanh"))


def test_gradient_descent_reports_progress_records_raw_norms_and_applies_the_hook():
    rng = np.random.default_rng(6)
    params = small_net(rng, (2, 5, 1))
    before = {k: v.copy() for k, v in params.items()}
    X, Y = data.make_spiral(60, rng=rng)
    seen = []
    reports = list(network.gradient_descent(params, X, Y, 30, 0.5, grad_hook=lambda g: seen.append(g) or g,
                                            report_every=10))
    assert [r["step"] for r in reports] == [10, 20, 30] and len(seen) == 30
    last = reports[-1]
    assert last["costs"].shape == (31,) and last["norms"].shape == (30, 2)
    assert np.allclose(last["norms"][0], network.layer_gradient_norms(seen[0]))
    assert all(np.array_equal(params[k], before[k]) for k in params)
    frozen = list(network.gradient_descent(params, X, Y, 5, 0.5, grad_hook=lambda g: {k: 0 * v for k, v in g.items()}))
    assert np.allclose(frozen[-1]["costs"], frozen[-1]["costs"][0])  # a zero update leaves the cost unchanged


def test_gradient_descent_stops_when_the_cost_is_not_finite():
    params = small_net(np.random.default_rng(7))
    X, Y = data.make_circles(20, rng=np.random.default_rng(8))
    poison = lambda grads: {k: v * np.nan for k, v in grads.items()}  # noqa: E731
    last = list(network.gradient_descent(params, X, Y, 50, 0.5, grad_hook=poison))
    assert last[-1]["step"] == 1 and len(last) == 1


@pytest.mark.parametrize("activation", network.ACTIVATIONS)
def test_train_together_makes_the_updates_of_gradient_descent(activation):
    rng = np.random.default_rng(10)
    stack = {k: np.stack([net[k] for net in [small_net(rng, (2, 4, 3, 1)) for _ in range(3)]])
             for k in small_net(rng, (2, 4, 3, 1))}
    before = {k: v.copy() for k, v in stack.items()}
    X, Y = data.make_moons(40, rng=rng)
    rates = np.array([0.1, 0.3, 1.0]).reshape(3, 1, 1)  # one learning rate per network
    halve = lambda grads: {k: 0.5 * v for k, v in grads.items()}  # noqa: E731
    for hook in (None, halve):
        expected = list(network.gradient_descent(stack, X, Y, 25, rates, activation, hook))[-1]["params"]
        got = network.train_together(stack, X, Y, 25, rates, activation, hook)
        assert all(np.allclose(got[k], expected[k], rtol=1e-10, atol=1e-12) for k in stack)
    assert all(np.array_equal(stack[k], before[k]) for k in stack)


@pytest.mark.parametrize("bad, match", [
    (lambda: network.train_together(small_net(np.random.default_rng()), np.zeros((2, 3)), np.zeros((1, 3)), -2), "-2"),
    (lambda: network.train_together(small_net(np.random.default_rng()), np.zeros((2, 3)), np.zeros((1, 3)), 5, 0.0),
     "0.0"),
    (lambda: network.train_together(small_net(np.random.default_rng()), np.zeros((2, 3)), np.zeros((1, 3)), 5, 0.1,
                                    "softplus"), "softplus"),
])
def test_train_together_rejects_bad_input_naming_it(bad, match):
    with pytest.raises(ValueError, match=match):
        bad()


def test_gradient_descent_records_the_update_ratio_of_the_update_made_and_what_it_watches():
    rng = np.random.default_rng(11)
    params = small_net(rng, (2, 5, 4, 1))
    X, Y = data.make_xor(50, rng=rng)
    seen = []
    tenth = lambda g: seen.append(g) or {k: 0.1 * v for k, v in g.items()}  # noqa: E731
    last = list(network.gradient_descent(params, X, Y, 12, 0.7, grad_hook=tenth,
                                         watch=lambda cache: cache["a2"].mean()))[-1]
    assert last["ratios"].shape == (12, 3) and last["watched"].shape == (13,)
    expected = [0.7 * 0.1 * np.linalg.norm(seen[0][f"dW{l}"]) / np.linalg.norm(params[f"W{l}"]) for l in (1, 2, 3)]
    assert np.allclose(last["ratios"][0], expected)  # ‖ΔW‖ / ‖W‖ of the first (hooked) update
    assert np.isclose(last["watched"][0], network.forward(params, X)[1]["a2"].mean())
    zero = {k: 0 * v for k, v in params.items()}
    assert np.all(np.isnan(list(network.gradient_descent(zero, X, Y, 1, 0.5))[-1]["ratios"][0, :2]))  # W = 0


def test_spiral_and_xor_have_balanced_labels():
    X, Y = data.make_xor(400, rng=np.random.default_rng(9))
    assert abs(Y.mean() - 0.5) < 0.1 and np.mean((X[0] * X[1] < 0) == (Y[0] > 0)) > 0.9
    X, Y = data.make_spiral(400, rng=np.random.default_rng(9))
    assert Y.mean() == 0.5 and X.shape == (2, 400)


def _training_button(done):
    def action(a):
        for k in range(4):
            done.append((a, k))
            yield (k + 1) / 4
    return widgets.button("Train", action, every=0.0)


def test_a_button_runs_its_work_before_the_static_figure(monkeypatch, capsys):
    monkeypatch.setenv("INITLAB_WIDGETS", "static")
    seen, done = [], []
    widgets.show(*_live_line(seen), a=widgets.slider(0.5, 0, 1, 0.1, "a"), train=_training_button(done))
    assert done == [(0.5, k) for k in range(4)] and seen == [(0.5, "x")]
    assert "Figure" in capsys.readouterr().out


def test_a_button_redraws_the_figure_while_it_works(monkeypatch):
    monkeypatch.setenv("INITLAB_WIDGETS", "interactive")
    seen, done, shown = [], [], []
    monkeypatch.setattr(widgets, "display", shown.append)
    widgets.show(*_live_line(seen), a=widgets.slider(1, 0, 5, 1, "a", integer=True), train=_training_button(done))
    controls, message, image = shown[0].children
    slider, train = controls.children
    slider.value = 2
    slider.value = 1  # remembered
    assert done == [] and seen == [(1, "x"), (2, "x")]
    train.click()
    assert done == [(1, k) for k in range(4)] and len(seen) == 7  # a frame per step and one at the end
    assert train.description == "Train" and not train.disabled
    slider.value = 2  # the frame remembered from before the work is not shown again: it is drawn anew
    assert len(seen) == 8


def test_a_dict_of_arrays_is_checked_key_by_key_and_copied():
    shapes = {"dW1": (2, 1), "db1": (2, 1)}
    given = {"dW1": np.ones((2, 1)), "db1": [[0], [1]]}
    out = checks.as_arrays(given, shapes, "clipped")
    assert out["db1"].dtype == np.float64 and out["dW1"] is not given["dW1"]
    for bad, message in (({"dW1": np.ones((2, 1))}, "same keys"), ([1], "should be a dict"), (None, "return"),
                         ({"dW1": np.ones((1, 2)), "db1": np.ones((2, 1))}, "shape")):
        with pytest.raises(AssertionError, match=message):
            checks.as_arrays(bad, shapes, "clipped")


def test_boundary_map_and_layer_lines_update_in_place():
    fig, (ax, ax2) = plots.figure(2)
    artists = plots.boundary_map(ax, n=20)
    X, Y = data.make_xor(50, rng=np.random.default_rng(1))
    plots.set_boundary(artists, lambda P: (P[0] * P[1] < 0).astype(float), X, Y)
    assert artists["image"].get_array().shape == (20, 20) and artists["points"].get_offsets().shape == (50, 2)
    lines = plots.layer_lines(ax2, 3, "norm")
    plots.set_layer_lines(lines, [1, 2], [[1.0, 0.0], [2.0, 3.0]])
    assert [line.get_visible() for line in lines] == [True, True, False]
    assert np.isnan(lines[0].get_ydata()[1])  # a zero is not drawn on the log axis
    plt.close(fig)


def test_a_button_that_fails_says_why_in_one_line(monkeypatch):
    monkeypatch.setenv("INITLAB_WIDGETS", "interactive")
    shown = []
    monkeypatch.setattr(widgets, "display", shown.append)

    def action(a):
        yield 0.5
        raise NameError("name 'clip_by_global_norm' is not defined")

    widgets.show(*_live_line([]), a=widgets.slider(1, 0, 5, 1, "a", integer=True), go=widgets.button("Train", action))
    controls, message, image = shown[0].children
    controls.children[1].click()
    assert message.outputs[0]["text"].startswith("Train stopped: NameError")
    assert controls.children[1].description == "Train" and not controls.children[1].disabled


MCQ_TEST_CELL = """from initlab.checks import check_choice, passed

check_choice(answer_random_bias, "answer_random_bias")
passed("answer_random_bias")
"""


def test_a_test_cell_whose_answer_cell_never_ran_says_what_to_do():
    """An MCQ test cell run before its answer cell: one line saying to run the answer cell, not a bare NameError;
    a NameError elsewhere (a typo in a student's own cell) keeps Python's message."""
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    try:
        assert checks.install_name_hint(shell) and checks.install_name_hint(shell)  # idempotent
        result = shell.run_cell(MCQ_TEST_CELL)
        assert isinstance(result.error_in_exec, NameError)  # the cell still fails (0 points when graded)
        assert str(result.error_in_exec) == checks.missing_name_message("answer_random_bias")
        assert "run that cell" in str(result.error_in_exec)
        result = shell.run_cell("lenght = 3\nprint(length)")
        assert str(result.error_in_exec) == "name 'length' is not defined"
    finally:
        shell.set_custom_exc((), None)
        InteractiveShell.clear_instance()


@pytest.mark.kernel
def test_the_trusted_kernel_says_the_same_when_the_student_never_set_the_answer(tmp_path):
    """During autograding the test cell runs in the trusted kernel, where a graded name the student's kernel
    lacks is unbound: the failure there carries the same one-line hint."""
    import os

    from jupyter_client.manager import KernelManager, start_new_kernel

    from coursetools.grade import trusted

    helpers = str(checks.__file__).rsplit("/initlab/", 1)[0]
    env = dict(os.environ, PYTHONPATH=helpers, MPLBACKEND="Agg")
    student_km = KernelManager(kernel_name="python3", transport="ipc", ip=str(tmp_path / "student"),
                               connection_file=str(tmp_path / "student.json"))  # on Unix sockets, as in grading
    student_km.start_kernel(cwd=str(tmp_path), env=env)
    student = student_km.client()
    student.start_channels()
    student.wait_for_ready(timeout=60)
    grader_km, grader = start_new_kernel(kernel_name="python3", cwd=str(tmp_path), env=env)
    try:
        student.execute_interactive("import initlab.bridge\nanswer_other = 'a'", timeout=60)
        setup = "import json\n" + trusted.CONNECT.format(info=trusted.connection_info(student_km))
        assert grader.execute_interactive(setup, timeout=60)["content"]["status"] == "ok"
        errors = []
        reply = grader.execute_interactive(
            MCQ_TEST_CELL, timeout=60,
            output_hook=lambda msg: errors.append(msg["content"]) if msg["msg_type"] == "error" else None)
        assert reply["content"]["status"] == "error"
        assert reply["content"]["evalue"] == checks.missing_name_message("answer_random_bias")
        assert [e["evalue"] for e in errors] == [checks.missing_name_message("answer_random_bias")]
    finally:
        for client, km in ((student, student_km), (grader, grader_km)):
            client.stop_channels()
            km.shutdown_kernel(now=True)


def test_a_stack_of_softmax_networks_trains_on_the_same_minibatches_as_each_alone():
    X, labels = data.load_digits()
    X, labels = X[:, :300], labels[:300]
    rng = np.random.default_rng(8)
    nets = [small_net(rng, (64, 8, 10)) for _ in range(3)]
    stack = {k: np.stack([net[k] for net in nets]) for k in nets[0]}
    together, costs = network.train_softmax(stack, X, labels, 15, 0.05, 32, rng=np.random.default_rng(1))
    assert costs.shape == (15, 3)
    for b, net in enumerate(nets):
        alone, alone_costs = network.train_softmax(net, X, labels, 15, 0.05, 32, rng=np.random.default_rng(1))
        assert np.allclose(costs[:, b], alone_costs) and np.allclose(together["W1"][b], alone["W1"])
    first, second = data.load_digits(), data.load_digits()
    first[0][0, 0] = 99.0
    assert second[0][0, 0] != 99.0  # the digits are read once, and every caller gets its own copy


def test_a_live_log_y_axis_moves_its_limits_without_redrawing_the_background():
    def setup():
        fig, (ax,) = plots.figure(1)
        line, = ax.plot([], [], label="v")
        ax.axhline(1.0, ls=":")
        ax.set_yscale("log")
        ax.set_ylabel("Var")
        ax.legend()
        return fig, {"ax": ax, "line": line, "y": plots.live_log_yaxis(ax)}

    def update(parts, gain):
        parts["line"].set_data(np.arange(1, 31), gain ** np.arange(1, 31))
        plots.rescale(parts["ax"])
        plots.set_live_log_yaxis(parts["y"])

    live = widgets.LiveFigure(setup, update)
    for gain in (1.1, 2.0, 10.0, 0.1):
        assert live.frame({"gain": gain}).startswith(b"\x89PNG")
    assert len(live._backgrounds) == 1  # one background for four sets of y limits
    labels = [t.get_text() for t in live.parts["y"]["labels"] if t.get_visible()]
    low, high = live.fig.axes[0].get_ylim()
    assert low <= 0.1 ** 30 and high >= 0.1 and np.log10(high / low) <= 100  # rescale's coarse, sticky limits
    decades = [int(t.replace("10", "", 1).translate(str.maketrans("⁻⁰¹²³⁴⁵⁶⁷⁸⁹", "-0123456789"))) for t in labels]
    steps = set(np.diff(decades))
    assert 3 <= len(labels) <= 10 and len(steps) == 1 and steps.pop() in (1, 2, 5, 10, 20)  # evenly spaced decades
    assert low <= 10.0 ** decades[0] and 10.0 ** decades[-1] <= high
    assert len(live.fig.axes[0].get_yticks()) == 0  # matplotlib's own y ticks are gone


def test_every_misconception_line_is_identified_back():
    from initlab import mistakes
    for key, found in mistakes.MISCONCEPTIONS.items():
        message = f"f: a wrong result\n{mistakes.revisit_line(key, '03')}\nmore details"
        assert mistakes.identify(message) == key
        assert key in repr(found)
    assert mistakes.identify("f: a wrong result\nno revisit line") is None
    with pytest.raises(ValueError, match="'no-such-key'"):
        mistakes.revisit_line("no-such-key")


# ------------------------------------------------------------ how a failure reads, and what the tests compare
def test_a_failure_starts_with_the_function_and_its_mistake_then_the_revisit_line():
    with pytest.raises(AssertionError) as failed:
        checks.fail("the variance was used as the std", "details", key="variance-as-std", function="lecun_normal")
    lines = str(failed.value).splitlines()
    assert lines[0] == "lecun_normal: the variance was used as the std" and lines[1] == "details"
    assert lines[2].startswith("Revisit: the variance and the standard deviation") and "(§3.4)" in lines[2]
    long = checks.failure("a mistake described in far too many words " * 3, function="count_distinct_units")
    assert all(len(line) <= 88 for line in long.splitlines()[:1]) and long.startswith("count_distinct_units: ")


def test_call_unchanged_passes_copies_and_names_an_argument_changed_or_returned():
    """The test's own objects are never handed over, so an emptied dict cannot empty what the test compares
    with (issue 24, item 6); keys and structure count, and an argument returned as the result is named."""
    grads = {"dW1": np.ones((2, 2)), "db1": np.zeros((2, 1))}

    def clip_by_global_norm(g, max_norm):
        g.clear()
        return {}

    with pytest.raises(AssertionError, match="clip_by_global_norm: modified its 1st argument in place") as failed:
        checks.call_unchanged(clip_by_global_norm, grads, 1.0)
    assert sorted(grads) == ["dW1", "db1"] and "Revisit: leaving inputs unchanged" in str(failed.value)

    def scaled(M, count):
        return M

    with pytest.raises(AssertionError, match="returned its 1st argument itself"):
        checks.call_unchanged(scaled, np.eye(2), 0)

    def appends(dims, method):
        dims.append(1)
        return dims[:-1]

    with pytest.raises(AssertionError, match="modified its 1st argument"):
        checks.call_unchanged(appends, [3, 2], "he")
    assert checks.identical({"a": [np.ones(2), 1.0]}, {"a": [np.ones(2), 1.0]})
    assert not checks.identical({"a": np.ones(2)}, {"a": np.ones(2, dtype=np.float32)})
    assert not checks.identical([np.ones(2)], (np.ones(2),))


def test_a_hidden_check_names_the_mistake_without_the_case_or_its_expected_value():
    table = {checks.Mistake("a named mistake", "in-place"): [99.0]}
    with pytest.raises(AssertionError) as shown:
        checks.check_value([99.0], [3.0], "8 rows in 3 groups", table)
    with pytest.raises(AssertionError) as hidden:
        checks.check_value([99.0], [3.0], "rows in groups", table, hidden=True)
    assert "expected 3" in str(shown.value) and "99" in str(shown.value)
    assert "a named mistake" in str(hidden.value) and not re.search(r"\d", str(hidden.value).split("Revisit")[0])
    with pytest.raises(AssertionError) as unnamed:
        checks.check_value([98.0], [3.0], "rows in groups", table, hidden=True)
    assert str(unnamed.value).endswith(": wrong result for rows in groups")


def test_explain_names_an_exception_raised_by_the_student_as_the_given_mistake_and_nothing_else():
    zero = checks.Mistake("a division by the norm 0", "finite")

    def divides(g):
        return 1.0 / float(g)

    with pytest.raises(AssertionError) as failed, checks.explain(mistake=zero):
        checks.call(divides, 0.0)
    assert str(failed.value).startswith("divides: a division by the norm 0\n") and "ZeroDivisionError" in str(
        failed.value)
    with pytest.raises(AssertionError, match="divides: wrong result"), checks.explain(mistake=zero):
        checks.check_value(checks.call(divides, 2.0), 1.0)


def test_check_distinct_finds_one_array_repeated():
    W = np.eye(2)
    checks.check_distinct([W, W.copy()])
    with pytest.raises(AssertionError, match="one array object several times"):
        checks.check_distinct([W] * 3)
