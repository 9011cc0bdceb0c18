"""Notebook 02's figure module (initlab.figures.signals): the exact rate λ and the tables the notebook prints."""

import math

import numpy as np
import pytest
from initlab.figures import signals


def sigmoid_derivative(z):
    s = 1 / (1 + np.exp(-np.asarray(z, dtype=float)))
    return s * (1 - s)


def random_matrix_product(M, count, std=1.0, rng=None):
    P = np.array(M, dtype=float)
    for _ in range(count):
        P = P @ (rng.standard_normal(P.shape) * std)
    return P


@pytest.mark.parametrize("n, psi", [(1, -signals.EULER_GAMMA - 2 * math.log(2)), (2, -signals.EULER_GAMMA),
                                    (3, 2 - signals.EULER_GAMMA - 2 * math.log(2)), (4, 1 - signals.EULER_GAMMA)])
def test_digamma_half_gives_the_known_values(n, psi):
    assert signals.digamma_half(n) == pytest.approx(psi, abs=1e-12)


@pytest.mark.parametrize("n", [2, 5, 16])
def test_the_exact_rate_is_half_the_mean_log_of_a_chi_square(n):
    chi2 = np.random.default_rng(n).chisquare(n, 400_000)
    assert signals.lyapunov_rate(n, 0.5) == pytest.approx(math.log(0.5) + 0.5 * np.log(chi2).mean(), abs=5e-3)


def test_the_sigmoid_gain_table_prints_and_returns_its_rows(capsys):
    rows = signals.sigmoid_gain_table(sigmoid_derivative, seed=3, n_var_ws=(1, 256))
    lines = capsys.readouterr().out.splitlines()
    assert len(rows) == 2 and [row[0] for row in rows] == [1, 256] and len(lines) == 3
    assert "mean-square gain" in lines[0] and lines[2].split()[0] == "256"
    _, _, saturated, e_d2, predicted, measured, _ = rows[1]
    assert saturated > 0.5 and predicted == pytest.approx(256 * e_d2, rel=0.2) and measured > 1


def test_the_orthogonal_table_shows_round_off_as_such(capsys):
    signals.orthogonal_table(random_matrix_product, seed=5)
    out = capsys.readouterr().out
    orthogonal = [line for line in out.splitlines() if "orthogonal" in line and line.startswith("n =")]
    assert len(orthogonal) == 2 and all(line.endswith("< 1e-12 (round-off)") for line in orthogonal)
    assert out.splitlines()[0].endswith("< 1e-12 (round-off)")


@pytest.mark.parametrize("table, function", [(signals.sigmoid_gain_table, "sigmoid_derivative"),
                                             (signals.lyapunov_table, "random_matrix_product"),
                                             (signals.orthogonal_table, "random_matrix_product")])
def test_a_table_whose_student_function_is_not_written_says_so_in_one_line(table, function, capsys):
    def stub(*args, **kwargs):
        raise NotImplementedError

    stub.__code__ = stub.__code__.replace(co_name=function)
    assert table(stub) is None
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and f"`{function}`" in out
