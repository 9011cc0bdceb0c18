"""The course tools' structure, read from their imports (no code run): a package per stage, imported in the
order a submission goes (collect, grade, report), no import cycle, no product module reaching into tests/, and
the README's layout naming every module."""

import ast
import functools
import re

from notebooks import ROOT

PACKAGE = ROOT / "coursetools"
# What each part may import of the others: the stages in the order a submission goes through them, the
# facts of the course below them all, the developer tools and the command line above.
ALLOWED = {
    "course": set(),
    "outcomes": {"course"},
    "collect": {"course", "outcomes"},
    "grade": {"course", "outcomes", "collect"},
    "report": {"course", "outcomes", "collect", "grade"},
    "instructor": {"course"},
    "pipeline": {"course", "outcomes", "instructor", "grade", "report"},
    "dev": {"course", "outcomes", "collect", "grade", "report", "instructor"},
    "cli": {"course", "grade", "report", "instructor", "dev"},
    "__main__": {"cli"},
    "__init__": set(),
}


@functools.cache
def modules():
    """{dotted name: path} of every module of the package."""
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def imports(name, path):
    """The modules of the package that ``name`` imports (at any level of the file)."""
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parents = package.split(".")[:len(package.split(".")) - node.level + 1]
                base = ".".join(parents + ([base] if base else []))
            submodules = {f"{base}.{alias.name}" for alias in node.names}
            found |= submodules if submodules & set(modules()) else {base}
    return {module for module in found if module in modules() and module != name}


def graph():
    return {name: imports(name, path) for name, path in modules().items()}


def part(module):
    """The stage (or top-level module) a module belongs to: coursetools.grade.batch -> grade."""
    return module.split(".")[1] if "." in module else "__init__"


def test_no_import_cycle():
    edges, state, cycles = graph(), {}, []

    def visit(node, path):
        state[node] = "open"
        for nxt in sorted(edges[node]):
            if state.get(nxt) == "open":
                cycles.append(path[path.index(nxt):] + [nxt])
            elif nxt not in state:
                visit(nxt, path + [nxt])
        state[node] = "done"
    for node in sorted(edges):
        if node not in state:
            visit(node, [node])
    assert not cycles, cycles


def test_each_stage_imports_only_the_ones_before_it():
    wrong = [(module, other) for module, found in graph().items() for other in found
             if part(other) != part(module) and part(other) not in ALLOWED[part(module)]]
    assert not wrong, wrong


def test_no_product_module_reaches_into_tests():
    for name, path in modules().items():
        text = path.read_text()
        assert not re.search(r"""(sys\.path.*["'/]tests\b|\bimport (notebooks|submissions|conftest)\b|"""
                             r"""ROOT / "tests"|\bfrom tests\b)""", text), name


def test_the_readme_layout_names_every_module_with_its_job():
    readme = (ROOT / "README.md").read_text()
    layout = readme.split("## Layout", 1)[1].split("\n## ", 1)[0]
    listed = dict(re.findall(r"^\s*(coursetools/\S+\.py)\s+(\S.*)$", layout, re.M))
    on_disk = {str(path.relative_to(ROOT)) for path in PACKAGE.rglob("*.py")}
    assert set(listed) == on_disk, (sorted(on_disk - set(listed)), sorted(set(listed) - on_disk))
