"""Test tiers and import paths.

Every test belongs to one tier, by its marker (``pytest.ini``; ``--strict-markers``):

- ``fast``: kernel-free, seconds in all (``make fast``); a test with no tier marker is ``fast``, and a ``fast``
  test that starts a kernel fails, saying so;
- ``kernel``: one kernel, one notebook or one nbgrader run at a time, a minute or two in all (``make check`` runs
  it with the first tier); nbval's items (one source notebook each) are here;
- ``slow``: a whole class graded, a Dask cluster, JupyterLab or Chromium: the rest (``make test`` runs all).
"""

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "source" / "initialization"))
sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(ROOT))

TIERS = ("fast", "kernel", "slow")


@pytest.hookimpl(tryfirst=True)  # before ``-m`` selects by marker
def pytest_collection_modifyitems(items):
    """nbval's items are ``kernel``; an item without a tier is ``fast``; an item in two tiers is an error."""
    doubled = []
    for item in items:
        if item.path.suffix == ".ipynb":
            item.add_marker("kernel")
        tiers = {mark.name for mark in item.iter_markers() if mark.name in TIERS}
        if not tiers:
            item.add_marker("fast")
        elif len(tiers) > 1:
            doubled.append(f"{item.nodeid}: {', '.join(sorted(tiers))}")
    if doubled:
        raise pytest.UsageError("a test belongs to one tier (fast, kernel or slow):\n" + "\n".join(doubled))


@pytest.fixture(autouse=True)
def _kernel_free(request, monkeypatch):
    """A test of the ``fast`` tier starts no kernel (it would belong to ``kernel`` or ``slow``)."""
    if request.node.get_closest_marker("fast") is None:
        return
    from jupyter_client.provisioning.local_provisioner import LocalProvisioner

    async def refuse(*args, **kwargs):
        raise RuntimeError(f"{request.node.nodeid} starts a kernel: mark it kernel or slow (tests/conftest.py)")
    monkeypatch.setattr(LocalProvisioner, "launch_kernel", refuse)
