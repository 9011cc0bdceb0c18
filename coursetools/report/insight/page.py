"""The insight page: one HTML file that loads nothing (figures are PNG data URIs), a Content-Security-Policy that
forbids every script, and everything a student wrote escaped; students as codes unless ``names``."""

import statistics
from pathlib import Path

from ...course import ASSIGNMENT
from .table import number

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"


def render(students, summary, figs, names=False, stamp=""):
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    env = Environment(loader=FileSystemLoader(TEMPLATES),
                      autoescape=select_autoescape(default=True, default_for_string=True))
    env.filters["num"] = number

    def who(code):
        if not names:
            return code
        s = next(s for s in students.values() if s.code == code)
        return f"{code} ({s.id}{', ' + s.name if s.name else ''})"

    return env.get_template("insight.html.j2").render(
        assignment=ASSIGNMENT, stamp=stamp, s=summary, figs=figs, who=who, csp=CSP, names=names,
        slowest=summary["timed"][:5], timed=len(summary["timed"]),
        median_time=statistics.median([t.seconds for t in summary["timed"]]) if summary["timed"] else None,
        timing_sources=sorted({t.timing for t in summary["timed"]}))
