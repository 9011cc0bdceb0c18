"""What the class got wrong, summarized for the page and the headline: misconceptions ranked by the students they
affect, counts and mistakes per graded cell, work not attempted, answers waiting for a TA, problems."""

import statistics
from collections import Counter, defaultdict

from ...course import ROOT, function_name
from .. import failures

OUTCOMES = ("full", "partial", "zero", "not attempted", "waiting")


def rank_misconceptions(cells, students, root=ROOT):
    """The misconceptions the failures name, ranked by the students they affect across all cells.

    One entry per misconception: its key and title, the students affected (and their codes), the failing cells
    it showed in, the functions where it showed (with how many students each) and the sections to revisit.
    """
    words = failures.vocabulary(root)
    found = {}
    for c in cells:
        if not c.misconception or c.outcome not in ("partial", "zero"):
            continue
        entry = found.setdefault(c.misconception, {"students": set(), "cells": 0, "functions": Counter(),
                                                   "sections": Counter()})
        entry["students"].add(c.student)
        entry["cells"] += 1
        entry["functions"][(c.notebook, function_name(c.name))] += 1
        section = c.section or (words.MISCONCEPTIONS[c.misconception].sections.get(c.notebook[:2], "")
                                if words and c.misconception in words.MISCONCEPTIONS else "")
        if section:
            entry["sections"][(c.notebook[:2], section)] += 1
    def by_count(counter):
        return sorted(counter.items(), key=lambda item: (-item[1], item[0]))

    ranked = []
    for key, entry in found.items():
        title = words.MISCONCEPTIONS[key].title if words and key in words.MISCONCEPTIONS else key
        ranked.append({
            "key": key, "title": title, "students": len(entry["students"]), "of": len(students),
            "codes": sorted(students[s].code for s in entry["students"]), "cells": entry["cells"],
            "functions": [(nb, fn, n) for (nb, fn), n in by_count(entry["functions"])],
            "sections": [f"{nb}: {section}" for (nb, section), _ in by_count(entry["sections"])],
        })
    return sorted(ranked, key=lambda m: (-m["students"], -m["cells"], m["key"]))


def summarize(students, cells, layout, root=ROOT):
    """Everything the report and the tests read: what to re-teach, counts per cell, mistakes, work not attempted,
    waiting answers, problems."""
    by_cell = defaultdict(list)
    for c in cells:
        by_cell[(c.notebook, c.name)].append(c)
    functions, not_attempted = [], []
    for notebook, graded in layout.items():
        for name, kind in graded:
            group = by_cell.get((notebook, name))
            if not group:
                continue
            outcomes = Counter(c.outcome for c in group)
            wrong = [c for c in group if c.outcome in ("partial", "zero") and c.mistake and c.kind == "autograded"]
            mistakes = Counter(c.mistake for c in wrong)
            examples, titled = {}, {}
            for c in sorted(wrong, key=lambda c: c.student):
                examples.setdefault(c.mistake, c.message)
                titled.setdefault(c.mistake, c.misconception)
            functions.append({
                "notebook": notebook, "name": name, "function": function_name(name), "kind": kind,
                "max_score": max(c.max_score for c in group), "students": len(group),
                **{outcome.replace(" ", "_"): outcomes[outcome] for outcome in OUTCOMES},
                "mistakes": [{"mistake": m, "count": n, "example": examples[m], "misconception": titled[m]}
                             for m, n in mistakes.most_common()],
            })
            blank = sorted(students[c.student].code for c in group if not c.attempted)
            missing = sorted(students[c.student].code for c in group if not c.submitted)
            if blank or missing:
                not_attempted.append({"notebook": notebook, "name": function_name(name), "kind": kind,
                                      "blank": blank, "missing": missing})
    waiting = []
    for notebook, graded in layout.items():
        for name, kind in graded:
            group = by_cell.get((notebook, name), [])
            if kind == "manual" and group:
                pending = sorted(students[c.student].code for c in group if c.outcome == "waiting")
                waiting.append({"notebook": notebook, "name": name, "waiting": len(pending), "of": len(group),
                                "students": pending})
    problems = [(s.code, s.id, cat, nb, detail) for s in students.values() for cat, nb, detail in s.problems]
    totals = [s.total for s in students.values()]
    top = max((s.max_score for s in students.values()), default=0)
    timed = sorted((s for s in students.values() if s.seconds is not None), key=lambda s: -s.seconds)
    return {
        "students": len(students), "max_score": top, "totals": totals,
        "mean": statistics.mean(totals) if totals else 0.0, "median": statistics.median(totals) if totals else 0.0,
        "full_marks": sum(t >= top for t in totals) if top else 0, "functions": functions, "waiting": waiting,
        "problems": problems, "unclean": len({p[0] for p in problems}), "timed": timed,
        "misconceptions": rank_misconceptions(cells, students, root), "not_attempted": not_attempted,
        "blank_students": len({c.student for c in cells if not c.attempted}),
    }


def headline(summary, top=3):
    """What to re-teach (the misconceptions affecting the most students), then the class in one line."""
    lines = []
    if summary["misconceptions"]:
        lines.append("What to re-teach:")
        for m in summary["misconceptions"][:top]:
            where = ", ".join(fn for _, fn, _ in m["functions"])
            revisit = f"; revisit {m['sections'][0]}" if m["sections"] else ""
            lines.append(f"  {m['students']} of {m['of']} students: {m['title']} (in {where}){revisit}")
    lines.append(f"{summary['students']} students, mean {summary['mean']:.1f} / median {summary['median']:.1f} "
                 f"of {summary['max_score']:g}, {summary['full_marks']} with full marks; "
                 f"{summary['blank_students']} left work blank or not implemented; "
                 f"{summary['unclean']} did not grade cleanly; "
                 f"{sum(w['waiting'] for w in summary['waiting'])} written answers wait for a TA.")
    return "\n".join(lines)
