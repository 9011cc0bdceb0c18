"""Command line of the course tools: ``python -m coursetools COMMAND``.

  release    regenerate release/ from source/ (nbgrader generate_assignment)
  execute    re-run the source notebooks and store their outputs (for nbval)
  autograde  grade every submission in submitted/ safely, with a report, then the insight page
  review     list submitted answer cells a TA should look at
  insight    what the class got wrong: an offline HTML report and a CSV in reports/
  bench      live-figure latency in JupyterLab, kernel-side update times, Run All, autograde, bridge calls
  bench-grading  time grading a synthetic class: plain nbgrader vs the batch on 1 and all cores
"""

import argparse
import threading

from .course import Course


def parser():
    top = argparse.ArgumentParser(prog="python -m coursetools", description=__doc__,
                                  formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = top.add_subparsers(dest="command", required=True)
    sub.add_parser("release", help="regenerate release/ from source/")
    execute = sub.add_parser("execute", help="re-run the source notebooks in place")
    only = "only notebooks whose name starts so, e.g. 03 (repeatable)"
    execute.add_argument("--notebook", action="append", help=only)
    grade = sub.add_parser("autograde", help="grade submitted/ with a report")
    grade.add_argument("--student", action="append", help="only this student (repeatable)")
    grade.add_argument("--workers", type=int, help="worker processes of the local cluster (default: one per core)")
    grade.add_argument("--scheduler", help="grade on this Dask cluster instead, e.g. tls://HOST:8786 (README)")
    sub.add_parser("review", help="flag suspicious submitted code for a TA")
    insight = sub.add_parser("insight", help="what the class got wrong: HTML report and CSV (reports/)")
    insight.add_argument("--names", action="store_true", help="show student ids and names in the HTML")
    insight.add_argument("--root", help="the course root (default: this checkout)")
    bench = sub.add_parser("bench", help="time live figures (browser and kernel), Run All, autograde, bridge")
    bench.add_argument("sections", nargs="*", choices=["latency", "kernel", "runall", "autograde", "bridge"],
                       help="only these parts (default: all)")
    bench.add_argument("--notebook", action="append", help=only)
    from .dev.bench_grading import arguments as bench_grading_arguments
    bench_grading_arguments(sub.add_parser("bench-grading", help="time grading a synthetic class (README)"))
    return top


def autograde(only=None, workers=None, scheduler=None):
    """The batch (``coursetools.grade.batch``), then what the class got wrong (``coursetools.report.insight``,
    which never fails the batch); 0 when every submission graded cleanly."""
    from .grade import batch
    from .report import insight
    from .report.insight.figures import load
    threading.Thread(target=load, daemon=True).start()  # the report's imports, while the batch waits
    try:
        _, clean = batch.run(only=only, workers=workers, scheduler=scheduler)
    except KeyboardInterrupt:
        return 130
    insight.after_batch()
    return 0 if clean else 1


def main(argv=None):
    args = parser().parse_args(argv)
    if getattr(args, "notebook", None):
        try:
            Course().notebooks(only=args.notebook)
        except ValueError as error:
            parser().error(str(error))
    if args.command == "release":
        from .instructor import release
        return release()
    if args.command == "execute":
        from .instructor import execute_sources
        return execute_sources(only=args.notebook)
    if args.command == "autograde":
        return autograde(args.student, args.workers, args.scheduler)
    if args.command == "review":
        from .report import review
        return review.main()
    if args.command == "insight":
        from .report import insight
        return insight.main((["--names"] if args.names else []) + (["--root", args.root] if args.root else []))
    if args.command == "bench":
        from .dev import bench
        return bench.main(args.sections, only=args.notebook)
    if args.command == "bench-grading":
        from .dev import bench_grading
        return bench_grading.main(["--students", str(args.students), "--runs", args.runs]
                                  + (["--record", args.record] if args.record else []))
    return 2
