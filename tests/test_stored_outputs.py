"""The stored outputs of the source notebooks, read without a kernel: what nbval will compare on every machine."""

import re

import nbformat
import pytest
from initlab.printing import deviation, magnitude

from coursetools.course import Course
from coursetools.instructor import joined_streams

# A number in scientific notation with a fraction and an exponent from -12 to -17 (1.78e-15, 2.274e-13): the size of
# float64's round-off on values near 1, so its digits may be round-off, which differs on another CPU or BLAS kernel.
# A round constant (1e-12), a bound ("< 1e-12 (round-off)", initlab.printing) or a value far smaller (a variance of
# 2.6e-99, computed to full relative precision) is not one.
ROUND_OFF_DIGITS = re.compile(r"(?<![\w.<])\d+\.\d+e-1[2-7]\b")


def _code_cells():
    course = Course()
    for name in course.notebooks():
        for cell in nbformat.read(str(course.source / name), as_version=4).cells:
            if cell.cell_type == "code":
                yield name, cell


def _texts(cell):
    for out in cell.outputs:
        yield out.get("text", "") or str(out.get("data", {}).get("text/plain", ""))


def test_the_stored_source_notebooks_were_executed_by_coursetools_execute():
    """How a kernel splits its prints depends on timing; stored outputs join them (python -m coursetools execute)."""
    for name, cell in _code_cells():
        assert len(joined_streams(cell.outputs)) == len(cell.outputs), f"{name} {cell.id}: coursetools execute"


def test_no_stored_output_prints_digits_of_round_off():
    """Tiny values print as a bound or a power of ten (initlab.printing.deviation, magnitude), never their digits."""
    found = [(name, cell.id, match.group(0)) for name, cell in _code_cells() for text in _texts(cell)
             for match in ROUND_OFF_DIGITS.finditer(text)]
    assert not found, f"print these with initlab.printing (deviation or magnitude): {found}"


@pytest.mark.parametrize("text, flagged", [("rho^49 = 1.78e-15", True), ("da0 vs da10 2.1e-13", True),
                                           ("2.274e-13", True), ("< 1e-12 (round-off)", False),
                                           ("-ln(1e-12) = 27.6", False), ("1.2e-10 (theory 2.9e-10)", False),
                                           ("10^-14.8", False), ("6.38e+08", False),
                                           ("2.6e-99", False)])
def test_round_off_digits_are_recognized(text, flagged):
    assert bool(ROUND_OFF_DIGITS.search(text)) == flagged


def test_tiny_sizes_print_as_powers_of_ten():
    assert magnitude(0.5 ** 49) == "10^-14.8" and magnitude(0.5 ** 9) == "0.00195"
    assert magnitude(1.5 ** 50) == "6.38e+08"
    assert deviation(3e-16) == "< 1e-12 (round-off)" and deviation(3.4e-5) == "= 3.4e-05"
