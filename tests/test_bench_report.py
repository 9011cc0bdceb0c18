"""What the grading benchmark reports (``coursetools.dev.bench_grading``'s table and records) and the plot of its
records (``coursetools.dev.scaling_plot``), from rows as a run makes them."""

import json

import matplotlib.image

from coursetools.dev import bench_grading, scaling_plot


def row(run, seconds, n, floor=1.0, ceiling=1.5):
    notebooks = n * 6
    return {"run": run, "seconds": seconds, "per_student": seconds / n, "per_notebook": seconds / notebooks,
            "floor": floor, "floors": (floor, floor), "cpu_per_notebook": 1.0, "floor_cpu": 1.0, "peak_mib": 900.0,
            "same": True, "load": (0.4, 1.9), "ceiling": ceiling}


def test_the_table_gives_the_speed_up_its_ceiling_and_the_load():
    text = bench_grading.table(10, [row("coursetools autograde, 1 worker", 60, 10),
                                    row("coursetools autograde, 2 workers", 40, 10)])
    assert "| coursetools autograde, 2 workers | 40 | 4.00 | 0.67 | 1.00 | 0.67 |" in text
    assert "| 1.50 |" in text  # 60 s / 40 s
    assert "goes 1.50x as fast as one" in text
    assert "coursetools autograde, 2 workers 0.4 / 1.9" in text


def test_records_are_drawn_one_line_per_revision_and_run(tmp_path):
    records = tmp_path / "grading.jsonl"
    for n, seconds in ((10, 40), (40, 150)):
        bench_grading.record(records, n, [row("coursetools autograde, 2 workers", seconds, n)])
    found = [json.loads(line) for line in records.read_text().splitlines()]
    assert [r["students"] for r in found] == [10, 40] and all("date" in r and "revision" in r for r in found)

    lines = scaling_plot.lines(found)
    assert list(lines.values()) == [[(10, 4.0, 4.0 / 6), (40, 3.75, 3.75 / 6)]]
    out = tmp_path / "scaling.png"
    assert scaling_plot.main([str(records), str(out), f"{found[0]['revision']}=after"]) == 0
    assert matplotlib.image.imread(out).shape[:2] == (400, 1000)
