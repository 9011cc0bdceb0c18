"""Command line of the course tools: ``python -m coursetools COMMAND``.

  release    regenerate release/ from source/ (nbgrader generate_assignment)
  execute    re-run the source notebooks and store their outputs (for nbval)
  autograde  grade every submission in submitted/ safely, with a report
  review     list submitted answer cells a TA should look at
  bench      live-figure latency in JupyterLab, kernel-side update times, Run All, autograde
"""

import argparse
import sys

from . import course


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m coursetools", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("release", help="regenerate release/ from source/")
    sub.add_parser("execute", help="re-run the source notebooks in place")
    grade = sub.add_parser("autograde", help="grade submitted/ with a report")
    grade.add_argument("--student", action="append", help="only this student (repeatable)")
    sub.add_parser("review", help="flag suspicious submitted code for a TA")
    bench = sub.add_parser("bench", help="time live figures (browser and kernel), Run All, autograde")
    bench.add_argument("sections", nargs="*", choices=["latency", "kernel", "runall", "autograde"],
                       help="only these parts (default: all)")
    args = parser.parse_args(argv)
    if args.command == "release":
        return course.release()
    if args.command == "execute":
        return course.execute_sources()
    if args.command == "autograde":
        from . import batch
        return batch.main(args.student)
    if args.command == "review":
        from . import review
        return review.main()
    if args.command == "bench":
        from . import bench
        return bench.main(args.sections)
    return 2


if __name__ == "__main__":
    sys.exit(main())
