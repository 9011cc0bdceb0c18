"""The insight CSV: one row per student and graded cell (score, max, outcome, the mistake and the message), with
the anonymous code the page uses."""

import csv

CSV_FIELDS = ["student_code", "student_id", "lms_id", "notebook", "cell", "kind", "score", "max_score", "outcome",
              "mistake", "message"]


def number(x):
    """A score as the page and the CSV print it: at most two decimals, no trailing zeros."""
    return f"{x:.2f}".rstrip("0").rstrip(".")


def write_csv(path, students, cells):
    with open(path, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=CSV_FIELDS)
        writer.writeheader()
        for c in sorted(cells, key=lambda c: (students[c.student].code, c.notebook)):
            s = students[c.student]
            writer.writerow({"student_code": s.code, "student_id": s.id, "lms_id": s.lms_id, "notebook": c.notebook,
                             "cell": c.name, "kind": c.kind, "score": number(c.score),
                             "max_score": number(c.max_score), "outcome": c.outcome, "mistake": c.mistake,
                             "message": c.message})
