"""nbgrader preprocessors of the course.

``StripRunMetadata`` keeps widget state (which can hold figures drawn by the
solutions) and execution timings out of release/. ``SafeExecute`` replaces nbgrader's ``Execute`` during
autograding so that one bad cell costs only the cells that depend on it:

- a cell in which the kernel dies or hangs past the time limit (even ignoring
  SIGINT) is skipped: the kernel is restarted, the notebook is run again
  without that cell, and the cell gets an error output (so a test cell scores 0);
  after ``max_faults`` such cells the rest of the notebook is not run;
- each cell's output is capped (``max_output_chars``);
- in test cells, stderr (a numpy warning of a correct answer) is shown as
  stdout instead of zeroing the cell, ``execute_result`` outputs cannot claim
  partial credit, tracebacks are cut to their message (they would quote the
  hidden tests in the feedback), test cells run without history (``In`` would
  hold their source), and a test cell in which ``initlab.checks.guard()`` had to
  undo tampering with IPython or the kernel scores 0;
- kernels run in the bubblewrap sandbox of ``coursetools.sandbox`` where available.
"""

import copy

from nbclient.exceptions import DeadKernelError
from nbformat.v4 import new_output
from nbgrader.preprocessors import Execute, NbGraderPreprocessor
from traitlets import Bool, Integer

from . import sandbox

TAMPER_MARK = "[initlab.guard] tampering undone:"  # what initlab.checks.guard() prints (tested equal)


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


class CellFault(Exception):
    """The kernel died in, or could not be brought back from, one cell."""

    def __init__(self, index, reason):
        super().__init__(reason)
        self.index, self.reason = index, reason


def is_test_cell(cell):
    meta = cell.metadata.get("nbgrader", {})
    return cell.cell_type == "code" and meta.get("grade", False) and not meta.get("solution", False)


def error_output(ename, message):
    return new_output("error", ename=ename, evalue=message, traceback=[f"{ename}: {message}"])


class SafeExecute(Execute):
    """nbgrader's Execute, made to survive dead kernels, hangs, floods and tampering."""

    max_faults = Integer(4, help="Cells that may kill or hang the kernel before the rest is abandoned").tag(config=True)
    max_output_chars = Integer(100_000, help="Characters of output kept per cell").tag(config=True)
    use_sandbox = Bool(True, help="Run the kernel inside bubblewrap when the machine allows it").tag(config=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        reason = sandbox.unavailable_reason() if self.use_sandbox else "disabled by configuration"
        if reason is None:
            self.kernel_manager_class = sandbox.SandboxKernelManager
        else:
            self.log.warning("Autograding WITHOUT a sandbox: %s. Student code can read and write "
                             "anything this user can (see README, 'Threat model').", reason)

    # -- whole notebook: rerun without the cells that killed or hung the kernel
    def preprocess(self, nb, resources, km=None):
        original = copy.deepcopy(nb)
        faults = {}
        while True:
            work = copy.deepcopy(original)
            for index in faults:
                work.cells[index].source = ""
            try:
                result, resources = super().preprocess(work, resources, km)
                break
            except CellFault as fault:
                faults[fault.index] = fault.reason
                self.log.warning("Cell %d: %s; restarting the kernel without it", fault.index, fault.reason)
                if len(faults) >= self.max_faults:
                    result = self._abandon(work, faults, fault.index)
                    break
        for index, reason in faults.items():
            cell = result.cells[index]
            cell.source = original.cells[index].source
            cell.outputs = [error_output("KernelFault", reason)]
        nb.cells = result.cells
        nb.metadata = result.metadata
        return nb, resources

    @staticmethod
    def _abandon(partial, faults, last):
        """Keep the cells run before the last fault (``partial`` was executed in place up to it);
        every code cell after it gets an error, so no test cell is left without output (full marks)."""
        reason = (f"not run: the kernel died or hung in {len(faults)} cells of this notebook, "
                  "so the rest of it was abandoned")
        for index in range(last + 1, len(partial.cells)):
            if partial.cells[index].cell_type == "code":
                faults[index] = reason
        return partial

    # -- one cell
    def preprocess_cell(self, cell, resources, index):
        self._index = index
        self._output_chars = 0
        self._truncated = False
        try:
            if is_test_cell(cell):  # not in In/_ih, where a later answer cell could print the hidden tests
                self._check_assign_resources(resources)
                cell = self.execute_cell(cell, index, store_history=False)
            else:
                cell, resources = super().preprocess_cell(cell, resources, index)
        except DeadKernelError:
            raise CellFault(index, "the kernel died while running this cell "
                                   "(os._exit, a crash, or a memory limit)") from None
        if is_test_cell(cell):
            self._clean_test_outputs(cell)
        return cell, resources

    async def _async_handle_timeout(self, timeout, cell=None):
        raise CellFault(self._index, f"this cell ran for more than {timeout} s and was stopped "
                                     "(an infinite loop?)")

    def output(self, outs, msg, display_id, cell_index):
        content = msg.get("content", {})
        size = len(content.get("text", "")) + sum(len(str(v)) for v in content.get("data", {}).values())
        self._output_chars = getattr(self, "_output_chars", 0) + size
        if self._output_chars > self.max_output_chars and msg["msg_type"] in ("stream", "display_data",
                                                                               "execute_result"):
            if not self._truncated:
                self._truncated = True
                outs.append(new_output("stream", name="stdout",
                                       text=f"\n... output truncated after {self.max_output_chars} characters ...\n"))
            return None
        return super().output(outs, msg, display_id, cell_index)

    @staticmethod
    def _clean_test_outputs(cell):
        cleaned = []
        for out in cell.outputs:
            if out.output_type == "stream" and out.name == "stderr":
                out = new_output("stream", name="stdout", text="[stderr] " + out.text)
            elif out.output_type == "execute_result":
                out = new_output("display_data", data=out.data, metadata=out.get("metadata", {}))
            elif out.output_type == "error":
                # the message says what went wrong; the traceback would quote hidden test code
                out = error_output(out.ename, out.evalue)
            if out.output_type == "stream" and TAMPER_MARK in out.text:
                cleaned.append(out)
                cleaned.append(error_output("Tampering", "this test ran after code that patched IPython, the "
                                                         "kernel or sys hooks; the patch was undone and the "
                                                         "test scores 0 (see the line above)"))
                continue
            cleaned.append(out)
        cell.outputs = cleaned

