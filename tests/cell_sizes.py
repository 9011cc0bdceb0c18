"""How long the test cells are: lines of each cell's source, of its visible part, per notebook.

``python tests/cell_sizes.py`` prints a table; test_visible_tests.py holds every cell to ``MAX_LINES`` and its
visible part (what the Validate dialog and the feedback show a student) to ``MAX_VISIBLE``.
"""

MAX_LINES, MAX_VISIBLE = 40, 15
HIDDEN_MARK = "### BEGIN HIDDEN TESTS"


def sizes(source):
    """(lines of the cell, lines of its visible part) of a test cell's source."""
    lines = source.splitlines()
    return len(lines), next((i for i, line in enumerate(lines) if line.startswith(HIDDEN_MARK)), len(lines))


def main():
    import sys
    from pathlib import Path

    sys.path[:0] = [str(Path(__file__).resolve().parents[1]), str(Path(__file__).parent)]
    from notebooks import NOTEBOOKS, SOURCE, grade_cells, read

    print(f"{'notebook':28s} {'test lines':>10s} {'longest cell':>34s} {'longest visible':>34s}")
    for name in NOTEBOOKS:
        cells = {gid: sizes(cell.source) for gid, cell in grade_cells(read(SOURCE / name)).items()}
        total = sum(n for n, _ in cells.values())
        longest = max(cells, key=lambda gid: cells[gid][0])
        visible = max(cells, key=lambda gid: cells[gid][1])
        print(f"{name[:-6]:28s} {total:10d} {longest:>28s} {cells[longest][0]:5d} "
              f"{visible:>28s} {cells[visible][1]:5d}")


if __name__ == "__main__":
    main()
