"""The course's JupyterLab defaults (jupyter/overrides.json), installed by `make venv` where this environment's
JupyterLab reads them: `make start` and the TA's `jupyter lab` show no news pop-up and fetch nothing from the
network (no news feed, no update check)."""

import json
import os
import sys

from notebooks import ROOT


def test_jupyterlab_reads_the_course_defaults_no_news_and_no_update_check():
    from jupyterlab_server.settings_utils import _get_overrides

    shipped = json.loads((ROOT / "jupyter" / "overrides.json").read_text())
    assert shipped["@jupyterlab/apputils-extension:notification"] == {"fetchNews": "false", "checkForUpdates": False}
    overrides, error = _get_overrides(os.path.join(sys.prefix, "share", "jupyter", "lab", "settings"))
    assert not error and overrides == shipped, "run `make venv` (it installs jupyter/overrides.json)"
