"""How the notebooks print numbers whose last digits would be round-off, so that a stored output is the same on
every CPU, BLAS kernel and thread count (nbval compares them)."""

import math

ROUND_OFF = 1e-12  # a deviation from exact below this is round-off
TINY = 1e-9  # a size below this prints as a power of ten


def deviation(x):
    """A deviation from exact: ``< 1e-12 (round-off)``, or ``= 3.4e-05``."""
    return f"< {ROUND_OFF:g} (round-off)" if x < ROUND_OFF else f"= {x:.1e}"


def magnitude(x, digits=3):
    """A size that may span many orders of magnitude: ``0.00195``, ``6.38e+08``, or below 1e-9 its power of ten,
    ``10^-14.8`` (the digits of so small a number would be round-off of a longer computation)."""
    x = float(x)
    return f"10^{math.log10(x):.1f}" if 0 < abs(x) < TINY else f"{x:.{digits}g}"
