"""The instructor's two steps: regenerate release/ from source/ (with ``StripRunMetadata`` after nbgrader's
steps: no widget state and no timings in release/), and re-run the source notebooks in place."""

from nbgrader.preprocessors import NbGraderPreprocessor

from .course import Course, tool_env


def release(course=None):
    """Regenerate release/ from source/ (``nbgrader generate_assignment --force``)."""
    course = course or Course()
    course.nbgrader("generate_assignment", course.assignment, "--force")
    return 0


def execute_sources(course=None, only=None):
    """Execute every source notebook in place, so that its stored outputs are current.

    Runs as nbval does (static figures, a fresh kernel in the notebook's folder) and
    keeps no execution timings; consecutive prints to one stream are stored as one output
    (how the kernel flushed them depends on timing), so re-running changes only what the code prints.
    """
    import nbformat
    from nbclient import NotebookClient

    course = course or Course()
    for name in course.notebooks(only):
        path = course.source / name
        nb = nbformat.read(str(path), as_version=4)
        NotebookClient(nb, timeout=600, record_timing=False, resources={"metadata": {"path": str(course.source)}}
                       ).execute(env=tool_env(INITLAB_WIDGETS="static"))
        for cell in nb.cells:
            cell.metadata.pop("execution", None)
            if cell.cell_type == "code":
                cell.outputs = joined_streams(cell.outputs)
        nbformat.write(nb, str(path))
        print(f"executed {name}")
    return 0


def joined_streams(outputs):
    """``outputs`` with each run of consecutive stream outputs of one name (stdout, stderr) joined into one."""
    joined = []
    for out in outputs:
        if joined and out.output_type == "stream" == joined[-1].output_type and out.name == joined[-1].name:
            joined[-1].text += out.text
        else:
            joined.append(out)
    return joined


class StripRunMetadata(NbGraderPreprocessor):
    """Remove what running a notebook leaves behind: widget state and views, execution timings."""

    def preprocess(self, nb, resources):
        nb.metadata.pop("widgets", None)
        for cell in nb.cells:
            cell.metadata.pop("widgets", None)
            cell.metadata.pop("execution", None)
            if cell.cell_type == "code":
                cell.outputs = [o for o in cell.outputs
                                if "application/vnd.jupyter.widget-view+json" not in o.get("data", {})]
        return nb, resources
