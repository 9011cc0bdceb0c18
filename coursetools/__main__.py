"""Command line of the course tools: ``python -m coursetools COMMAND``.

  release    regenerate release/ from source/ (nbgrader generate_assignment)
  execute    re-run the source notebooks and store their outputs (for nbval)
  autograde  grade every submission in submitted/ safely, with a report
  review     list submitted answer cells a TA should look at
  bench      live-figure latency in JupyterLab, kernel-side update times, Run All, autograde, bridge calls
  bench-grading  time grading a synthetic class: plain nbgrader vs the batch on 1 and all cores
  insight    what the class got wrong: an offline HTML report and a CSV in reports/
"""

import argparse
import sys

from . import course


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m coursetools", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("release", help="regenerate release/ from source/")
    execute = sub.add_parser("execute", help="re-run the source notebooks in place")
    only = "only notebooks whose name starts so, e.g. 03 (repeatable)"
    execute.add_argument("--notebook", action="append", help=only)
    grade = sub.add_parser("autograde", help="grade submitted/ with a report")
    grade.add_argument("--student", action="append", help="only this student (repeatable)")
    grade.add_argument("--workers", type=int, help="worker processes of the local cluster (default: one per core)")
    grade.add_argument("--scheduler", help="grade on this Dask cluster instead, e.g. tls://HOST:8786 (README)")
    sub.add_parser("review", help="flag suspicious submitted code for a TA")
    bench = sub.add_parser("bench", help="time live figures (browser and kernel), Run All, autograde, bridge")
    bench.add_argument("sections", nargs="*", choices=["latency", "kernel", "runall", "autograde", "bridge"],
                       help="only these parts (default: all)")
    bench.add_argument("--notebook", action="append", help=only)
    from .bench_grading import arguments as bench_grading_arguments
    bench_grading_arguments(sub.add_parser("bench-grading", help="time grading a synthetic class (README)"))
    insight = sub.add_parser("insight", help="what the class got wrong: HTML report and CSV (reports/)")
    insight.add_argument("--names", action="store_true", help="show student ids and names in the HTML")
    insight.add_argument("--root", help="the course root (default: this checkout)")
    args = parser.parse_args(argv)
    if getattr(args, "notebook", None):
        try:
            course.notebooks(only=args.notebook)
        except ValueError as error:
            parser.error(str(error))
    if args.command == "release":
        return course.release()
    if args.command == "execute":
        return course.execute_sources(only=args.notebook)
    if args.command == "autograde":
        from . import batch
        return batch.main(args.student, args.workers, args.scheduler)
    if args.command == "review":
        from . import review
        return review.main()
    if args.command == "bench":
        from . import bench
        return bench.main(args.sections, only=args.notebook)
    if args.command == "bench-grading":
        from . import bench_grading
        return bench_grading.main(["--students", str(args.students), "--runs", args.runs])
    if args.command == "insight":
        from . import insight
        return insight.main((["--names"] if args.names else []) + (["--root", args.root] if args.root else []))
    return 2


if __name__ == "__main__":
    sys.exit(main())
