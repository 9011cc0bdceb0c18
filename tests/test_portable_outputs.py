"""Stored outputs do not depend on the machine: the source notebooks reproduce them under another BLAS.

A digit of round-off (1.3e-15 here, 1.6e-15 on another CPU) changes with the CPU, the BLAS kernel and
the number of BLAS threads, and then nbval fails on a user's machine. OpenBLAS lets this machine pick
another kernel (``OPENBLAS_CORETYPE``) and thread count, so nbval runs here as it would there.
"""

import json
import os
import platform
import subprocess
import sys

import pytest
from notebooks import NOTEBOOKS, ROOT, SOURCE

# A kernel every x86-64 CPU runs (SSE3) and one for 64-bit ARM, unlike the AVX2/AVX-512 default here.
OTHER_CORE = {"x86_64": "Prescott", "aarch64": "ARMV8"}.get(platform.machine())
OTHER_BLAS = {"OPENBLAS_CORETYPE": OTHER_CORE or "", "OPENBLAS_NUM_THREADS": "2"}

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(OTHER_CORE is None, reason=f"no other OpenBLAS kernel known for {platform.machine()}")]


def blas_in_use(env):
    """The OpenBLAS kernel and thread count numpy reports in a fresh process with ``env``."""
    probe = ("import json, numpy, threadpoolctl; "
             "print(json.dumps([(i['architecture'], i['num_threads']) for i in threadpoolctl.threadpool_info() "
             "if i['internal_api'] == 'openblas']))")
    out = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True)
    return [tuple(pair) for pair in json.loads(out.stdout)]


def test_the_other_blas_is_really_used():
    """Else the test below would compare the machine's own BLAS with itself (OpenBLAS names the Prescott
    kernel "Katmai")."""
    (default_core, _), = blas_in_use({**os.environ, "OPENBLAS_NUM_THREADS": "1"})
    (core, threads), = blas_in_use({**os.environ, **OTHER_BLAS})
    assert core != default_core and threads == 2


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_stored_outputs_hold_under_another_blas_kernel_and_thread_count(name):
    env = {**os.environ, **OTHER_BLAS}
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "--nbval", "-p", "no:cacheprovider",
                          str(SOURCE / name)], cwd=ROOT, env=env, capture_output=True, text=True)
    assert run.returncode == 0, (f"{name}: a stored output changes under OPENBLAS_CORETYPE={OTHER_CORE}, "
                                 f"2 threads (round-off digits? print what they mean):\n{run.stdout[-4000:]}")
