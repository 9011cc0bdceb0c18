"""What the class got wrong: ``python -m coursetools insight [--names]``.

Reads what grading left behind, from the batch (``python -m coursetools autograde``) or from plain
``nbgrader autograde`` (``gather``: the gradebook, the autograded notebooks, the batches' outcomes, the review
list), and writes two files to reports/:

- ``insight-<date>.html``: one self-contained page (figures are PNG data URIs, nothing is
  loaded from the network, a Content-Security-Policy forbids every script, everything a
  student wrote is escaped text); students appear as anonymous codes (S01, S02...) unless
  ``--names``; examples of mistakes name no one;
- ``insight-<date>.csv``: one row per student and graded cell (score, max, mistake).

The grades for Canvas are ``nbgrader export``'s (``coursetools/report/canvas.py``).

The page opens with what to re-teach: the course's misconceptions (``initlab/mistakes.py``) ranked by the
students they affect across every cell they showed in, read from the ``Revisit:`` line of each failure message
(``coursetools/report/failures.py``). Work left blank or not implemented counts apart, as "did not attempt",
never as a mistake. Other failures group, per function, by the mistake their message names (``failures.mistake_key``).

The work is split by job: ``gather`` (the class's data), ``summary`` (what it says), ``figures``, ``page`` (the
HTML) and ``table`` (the CSV).
"""

import argparse
import time
from datetime import datetime
from pathlib import Path

from ...course import ROOT
from .figures import figures
from .gather import NOT_SUBMITTED, collect
from .page import render
from .summary import headline, summarize
from .table import write_csv

__all__ = ["NOT_SUBMITTED", "after_batch", "build", "headline", "main"]


def build(root=ROOT, names=False, out=None):
    """Write the HTML report and the CSV; return ({kind: path}, summary)."""
    root = Path(root)
    students, cells, layout = collect(root)
    summary = summarize(students, cells, layout, root)
    figs = figures(students, summary, layout)
    now = datetime.now()
    folder = Path(out) if out else root / "reports"
    folder.mkdir(parents=True, exist_ok=True)
    tag = f"{now:%Y%m%d-%H%M%S}"
    paths = {"html": folder / f"insight-{tag}.html", "csv": folder / f"insight-{tag}.csv"}
    paths["html"].write_text(render(students, summary, figs, names, f"{now:%Y-%m-%d %H:%M}"))
    write_csv(paths["csv"], students, cells)
    return paths, summary


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m coursetools insight", description=__doc__.split("\n\n")[0])
    parser.add_argument("--names", action="store_true", help="show student ids and names in the HTML")
    parser.add_argument("--root", default=str(ROOT), help="the course root (default: this checkout)")
    parser.add_argument("--out", help="folder of the files (default: reports/ in the course root)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    paths, summary = build(args.root, args.names, args.out)
    print(headline(summary))
    for kind, path in paths.items():
        print(f"{kind}: {path}")
    print(f"built in {time.perf_counter() - started:.1f} s")
    return 0


def after_batch(root=ROOT):
    """Build the report at the end of a batch; a failure here is printed, never the batch's."""
    try:
        paths, summary = build(root)
    except Exception as exc:  # a report never stops the batch
        print(f"insight report not built: {type(exc).__name__}: {exc}")
        return None
    print(headline(summary))
    print(f"What the class got wrong: {paths['html']} (CSV: {paths['csv']})")
    return paths
