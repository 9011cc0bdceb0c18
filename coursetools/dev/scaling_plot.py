"""How grading cost grows with the class: ``python -m coursetools.dev.scaling_plot RECORDS PNG [REV=NAME ...]``.

Draws the rows that ``bench-grading --record RECORDS`` wrote: seconds per student against the size of the class
(left) and the same as a multiple of the floor measured in the same run (right), one line per revision and run.
``REV=NAME`` names a revision in the legend (``c75b6ff=before``); when revisions are named, only those are drawn.
"""

import collections
import json
import statistics
import sys


def lines(records):
    """{(revision, run): [(students, seconds per student, x floor)]} sorted by class size; records of the same
    revision, run and size (a run repeated) are averaged."""
    points = collections.defaultdict(lambda: collections.defaultdict(list))
    for r in records:
        points[r["revision"], r["run"]][r["students"]].append((r["per_student"], r["per_notebook"] / r["floor"]))
    return {key: [(n, statistics.mean(p for p, _ in found), statistics.mean(x for _, x in found))
                  for n, found in sorted(sizes.items())] for key, sizes in points.items()}


def draw(records, out, names=None):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = names or {}
    drawn = {key: found for key, found in lines(records).items() if not names or key[0] in names}
    runs = sorted({run for _, run in drawn})
    revisions = list(dict.fromkeys([*names, *sorted({revision for revision, _ in drawn})]))
    sizes = sorted({n for found in drawn.values() for n, _, _ in found})
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4), constrained_layout=True)
    for (revision, run), found in sorted(drawn.items(), key=lambda item: (revisions.index(item[0][0]), item[0][1])):
        label = f"{names.get(revision, revision)}: {run.removeprefix('coursetools ')}"
        style = ("-", "--", ":", "-.")[revisions.index(revision) % 4]
        color = f"C{runs.index(run)}"
        n, per_student, ratio = zip(*found, strict=True)
        left.plot(n, per_student, style, color=color, marker="o", label=label)
        right.plot(n, ratio, style, color=color, marker="o", label=label)
    for ax, ylabel in ((left, "seconds per student (6 notebooks)"), (right, "seconds per notebook / floor")):
        ax.set_xscale("log")
        ax.set_xticks(sizes, [str(n) for n in sizes])
        ax.minorticks_off()
        ax.set_xlabel("students in the class")
        ax.set_ylabel(ylabel)
        ax.set_ylim(bottom=0)
        ax.grid(True, alpha=0.3)
    right.axhline(1.0, color="grey", lw=0.8)
    left.legend(fontsize=8)
    fig.suptitle("Grading a synthetic class (python -m coursetools bench-grading)")
    fig.savefig(out, dpi=100)


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) < 2:
        print(__doc__.splitlines()[0], file=sys.stderr)
        return 2
    with open(argv[0]) as found:
        records = [json.loads(line) for line in found if line.strip()]
    draw(records, argv[1], dict(a.split("=", 1) for a in argv[2:]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
