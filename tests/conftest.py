import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "source" / "initialization"))
sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(ROOT))


def pytest_collection_modifyitems(items):
    """nbval items (a kernel per source notebook) are slow: `make fast` leaves them out."""
    for item in items:
        if item.path.suffix == ".ipynb":
            item.add_marker("slow")
