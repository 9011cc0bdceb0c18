"""``SafeExecute``: nbgrader's Execute made safe, in place of it during autograding.

- the student's cells run in the student's kernel, in the bubblewrap sandbox of
  ``coursetools.grade.sandbox`` where available; the test cells run in a second,
  trusted kernel (``coursetools.grade.trusted``) that calls the student's functions
  across the boundary with plain data, so no student code can reach a test,
  its expected values or its source;
- a cell in which the student's kernel (or the test kernel) dies or hangs past the
  time limit (even ignoring SIGINT) is skipped: the kernels are restarted, the
  notebook is run again without that cell, and the cell gets an error output (so a
  test cell scores 0); after ``max_faults`` such cells the rest of the notebook is
  not run;
- time budgets: a notebook may take ``notebook_time_limit`` seconds, reruns
  included, and a student's notebooks together ``student_time_limit``; when one is
  spent the cell running is stopped and no further cell of that student runs
  (each scores 0), so a student whose cells sleep just under the cell limit
  stops at the budget and no other student waits for them;
- each cell's output is capped (``max_output_chars``), errors and tracebacks
  included;
- unchanged demonstration cells that no grade depends on are left out
  (``coursetools.grade.demo_cells``; ``skip_demonstrations``).

What it stopped (a fault, a time-out, a spent budget) is recorded in the notebook as ``Outcome`` records
(``coursetools.outcomes.record``), which the batch and the insight page read. Both kernels of a notebook start
in one place, ``SafeExecute.async_start_new_kernel``: the student's is taken from this process's pool of sandboxed
kernels started ahead (``coursetools.grade.pool``: one notebook run each, then killed) when the sandbox is on.
"""

import copy
import functools
import os
import time
from pathlib import Path

from jupyter_core.utils import run_sync
from nbclient import NotebookClient
from nbclient.exceptions import DeadKernelError
from nbformat import read as read_notebook
from nbformat.v4 import new_notebook, new_output
from nbgrader.coursedir import CourseDirectory
from nbgrader.preprocessors import Execute
from traitlets import Bool, Integer
from traitlets.config import Configurable

from .. import course, outcomes
from ..course import grade_id, is_test_cell
from ..outcomes import Kind, Outcome
from . import demo_cells, pool, sandbox, trusted


class CellFault(Exception):
    """The kernel died in, or could not be brought back from, one cell (``kind``: a fault or a time-out)."""

    def __init__(self, index, reason, kind=Kind.FAULT):
        super().__init__(reason)
        self.index, self.reason, self.kind = index, reason, kind


class BudgetSpent(CellFault):
    """A time budget ran out in (or before) one cell: it and the cells after it are not run."""

    def __init__(self, index, reason):
        super().__init__(index, reason, Kind.BUDGET_SPENT)


SKIPPED = "[a demonstration of the notebook: not run during autograding, no grade depends on it]\n"


@functools.lru_cache(maxsize=32)
def _read_release(path, mtime):
    """A released notebook, parsed once per version of the file."""
    return new_notebook() if mtime is None else read_notebook(path, as_version=4)


def error_output(ename, message):
    return new_output("error", ename=ename, evalue=message, traceback=[f"{ename}: {message}"])


def _cut_error(content, room):
    """Cut an error's name, message and traceback to about ``room`` characters each (at least 2,000: the error stays,
    it is what zeroes a test cell); return the characters kept."""
    room = max(room, 2_000)
    content["ename"] = str(content.get("ename", ""))[:200]
    evalue = str(content.get("evalue", ""))
    if len(evalue) > room:
        content["evalue"] = evalue[:room] + f" ... [{len(evalue) - room} characters cut]"
    lines, left = [], room
    for line in content.get("traceback", []) or []:
        line = str(line)
        if len(line) > left:
            lines.append(line[:left] + " ... [traceback cut]")
            break
        lines.append(line)
        left -= len(line)
    content["traceback"] = lines
    return len(content["ename"]) + len(content["evalue"]) + sum(len(line) for line in lines)


class OutputCap(Configurable):
    """Keep at most ``max_output_chars`` characters of a cell's output (an error is cut, never left out); a timeout
    is a fault of the cell."""

    max_output_chars = Integer(course.MAX_OUTPUT_CHARS, help="Characters of output kept per cell").tag(config=True)

    def output(self, outs, msg, display_id, cell_index):
        content = msg.get("content", {})
        before = getattr(self, "_output_chars", 0)
        if msg["msg_type"] == "error":
            size = _cut_error(content, self.max_output_chars - before)
        else:
            size = len(content.get("text", "")) + sum(len(str(v)) for v in content.get("data", {}).values())
        self._output_chars = before + size
        if self._output_chars > self.max_output_chars and msg["msg_type"] in ("stream", "display_data",
                                                                               "execute_result"):
            if not getattr(self, "_truncated", False):
                self._truncated = True
                outs.append(new_output("stream", name="stdout",
                                       text=f"\n... output truncated after {self.max_output_chars} characters ...\n"))
            return None
        return super().output(outs, msg, display_id, cell_index)

    def start_cell(self, index):
        self._index, self._output_chars, self._truncated = index, 0, False

    async def _async_handle_timeout(self, timeout, cell=None):
        raise CellFault(self._index, f"this cell ran for more than {timeout} s and was stopped "
                                     "(an infinite loop?)", Kind.CELL_TIMEOUT)


class TestCellClient(OutputCap, NotebookClient):
    """The client of the trusted kernel that runs the test cells."""


class SafeExecute(OutputCap, Execute):
    """nbgrader's Execute, with test cells in a trusted kernel, made to survive dead kernels, hangs and floods."""

    max_faults = Integer(course.MAX_FAULTS,
                         help="Cells that may kill or hang the kernel before the rest is abandoned").tag(config=True)
    notebook_time_limit = Integer(course.NOTEBOOK_TIME_LIMIT,
                                  help="Seconds one notebook may take, reruns included").tag(config=True)
    student_time_limit = Integer(course.STUDENT_TIME_LIMIT,
                                 help="Seconds one student's notebooks may take together").tag(config=True)
    use_sandbox = Bool(True, help="Run the kernel inside bubblewrap when the machine allows it").tag(config=True)
    skip_demonstrations = Bool(True, help="Leave out the unchanged demonstration cells no grade depends on "
                                          "(coursetools.grade.demo_cells)").tag(config=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        reason = sandbox.unavailable_reason() if self.use_sandbox else "disabled by configuration"
        self.kernel_manager_class = sandbox.kernel_manager_class(reason)
        if reason is not None:
            self.log.warning("Autograding WITHOUT a sandbox: %s. Student code can read and write "
                             "anything this user can (see README, 'Threat model').", reason)
        self._tests = self._kernels = self._pooled = None
        self._release_folder = Path()
        self._student_started = {}  # student -> when the first of their notebooks started (monotonic)
        self._deadline, self._budget = float("inf"), ""

    # -- whole notebook: rerun without the cells that killed or hung the kernel
    def preprocess(self, nb, resources, km=None):
        self._helper_path = self._trusted_helper_path(resources)
        self._release_folder = self._release_path(resources).parent
        self._start_budget(resources)
        self._skip = demo_cells.skippable(nb, self._release(resources)) if self.skip_demonstrations else set()
        outcomes.record(nb, [])  # only this run's records: none that came with the submission
        original = copy.deepcopy(nb)
        faults, kinds = {}, {}  # cell index -> the reason it shows, what stopped it
        while True:
            work = copy.deepcopy(original)
            for index in faults:
                work.cells[index].source = ""
            try:
                if self._remaining() <= 0:  # the student's budget went on earlier notebooks: start no kernel
                    raise BudgetSpent(0, "")
                result, resources = super().preprocess(work, resources, km)
                break
            except BudgetSpent as spent:
                self.log.warning("Cell %d: %s time budget is spent; the rest of the notebook is not run",
                                 spent.index, self._budget)
                result = self._abandon(work, faults, spent.index, f"not run: {self._budget} time budget "
                                       "was spent")
                kinds.update(dict.fromkeys(set(faults) - set(kinds), Kind.BUDGET_SPENT))
                break
            except CellFault as fault:
                faults[fault.index], kinds[fault.index] = fault.reason, fault.kind
                self.log.warning("Cell %d: %s; restarting the kernels without it", fault.index, fault.reason)
                if len(faults) >= self.max_faults:
                    result = self._abandon(work, faults, fault.index + 1, (
                        f"not run: the kernel died or hung in {len(faults)} cells of this notebook, "
                        "so the rest of it was abandoned"))
                    kinds.update(dict.fromkeys(set(faults) - set(kinds), Kind.ABANDONED))
                    break
        for index, reason in faults.items():
            cell = result.cells[index]
            cell.source = original.cells[index].source
            cell.outputs = [error_output("KernelFault", reason)]
        nb.cells = result.cells
        nb.metadata = result.metadata
        outcomes.record(nb, self._stopped(nb, faults, kinds, resources))
        return nb, resources

    @staticmethod
    def _stopped(nb, faults, kinds, resources):
        """The outcomes of the cells stopped: one per fault or time-out, one for the cells not run."""
        notebook = resources.get("nbgrader", {}).get("notebook", "") + ".ipynb"
        found = []
        for index in sorted(faults):
            kind = kinds[index]
            if kind in outcomes.NOT_RUN:
                if not any(o.kind is kind for o in found):
                    found.append(Outcome(kind, notebook=notebook, detail=faults[index]))
            else:
                found.append(Outcome(kind, notebook=notebook, cell=grade_id(nb.cells[index]) or "",
                                     detail=faults[index]))
        return found

    def _trusted_helper_path(self, resources):
        """The assignment's folder in source/: the trusted kernel imports the helper package from there."""
        assignment = resources.get("nbgrader", {}).get("assignment", "")
        return CourseDirectory(config=self.config).format_path(CourseDirectory(config=self.config)
                                                                .source_directory, ".", assignment)

    def _release_path(self, resources):
        """Where the released version of the notebook being graded is."""
        info = resources.get("nbgrader", {})
        coursedir = CourseDirectory(config=self.config)
        return Path(coursedir.format_path(coursedir.release_directory, ".", info.get("assignment", ""))) / (
            info.get("notebook", "") + ".ipynb")

    def _release(self, resources):
        """The released version of the notebook being graded (an empty notebook if there is none)."""
        path = self._release_path(resources)
        return _read_release(str(path), path.stat().st_mtime_ns if path.is_file() else None)

    @staticmethod
    def _abandon(partial, faults, first, reason):
        """Keep the cells run before ``first`` (``partial`` was executed in place up to it); every code cell from
        ``first`` on gets an error saying ``reason``, so no test cell is left without output (full marks)."""
        for index in range(first, len(partial.cells)):
            if partial.cells[index].cell_type == "code" and index not in faults:
                faults[index] = reason
        return partial

    # -- time budgets: of this notebook, and of the student's notebooks together
    def _start_budget(self, resources):
        now = time.monotonic()
        student = resources.get("nbgrader", {}).get("student")
        started = self._student_started.setdefault(student, now)
        self._deadline, self._budget = min(
            (now + self.notebook_time_limit, f"this notebook's {self.notebook_time_limit} s"),
            (started + self.student_time_limit, f"the student's {self.student_time_limit} s"))

    def _remaining(self):
        return self._deadline - time.monotonic()

    def _get_timeout(self, cell):
        """The cell limit, or less: what is left of the budget."""
        timeout = super()._get_timeout(cell)
        left = max(1, int(self._remaining() + 0.999))
        return left if timeout is None else min(timeout, left)

    def _budget_fault(self, fault):
        """``fault`` as a BudgetSpent when the budget, not the cell limit, stopped the cell."""
        return BudgetSpent(fault.index, fault.reason) if self._remaining() <= 0.5 else fault

    # -- the two kernels start together and stop together: the one place a notebook's kernels start
    async def async_start_new_kernel(self, **kwargs):
        """The student's kernel (one of the pool's, started ahead, where there is a pool) and the test kernel."""
        self._kernels, self._pooled = self._kernel_pool(), None
        if self._kernels is not None:
            try:
                self.km = self._pooled = await self._kernels.take()
            except Exception as exc:  # the notebook still gets a kernel: one started for it
                self.log.warning("A pooled kernel did not start (%s); starting one for this notebook", exc)
        if self._pooled is None:
            await super().async_start_new_kernel(**kwargs)
        self._tests = await trusted.acquire(self._helper_path, self.timeout, TestCellClient, self.log)

    async def prestart(self, resources):
        """Start, before any notebook of the assignment in ``resources`` arrives, the kernels its first notebook
        takes in autograding: this process's pool of student kernels (for the environment ``Autograde`` sets)
        and a test kernel (``coursetools.grade.worker.warm``)."""
        self._helper_path = self._trusted_helper_path(resources)
        self._release_folder = self._release_path(resources).parent
        self._kernel_pool({**os.environ, "NBGRADER_EXECUTION": "autograde"})
        await trusted.prestart(self._helper_path, self.timeout, TestCellClient, self.log)

    def _kernel_pool(self, env=None):
        """This process's pool of sandboxed student kernels for this notebook (``coursetools.grade.pool``) in the
        environment ``env`` (by default, of now), or None: kernels are pooled only in the sandbox."""
        if self.kernel_manager_class is not sandbox.SandboxKernelManager or not self._release_folder.is_dir():
            return None
        arguments = list(self.extra_arguments)
        if self.ipython_hist_file and not any(a.startswith("--HistoryManager.hist_file") for a in arguments):
            arguments.append(f"--HistoryManager.hist_file={self.ipython_hist_file}")  # as nbclient starts one
        return pool.pool(self._release_folder, CourseDirectory(config=self.config).ignore, self.kernel_name,
                         arguments, self.config, env)

    async def async_start_new_kernel_client(self):
        kc = await super().async_start_new_kernel_client()
        await self._tests.connect(trusted.connection_info(self.km))
        return kc

    async def _async_cleanup_kernel(self):
        """The student's kernel is shut down, a pooled one killed by its pool (no kernel runs two notebooks)."""
        if self._pooled is not None and self.km is self._pooled:
            if self.kc is not None:
                self.kc.stop_channels()
                self.kc = None
            self._kernels.discard(self.km)
            self.km = self._pooled = None
        else:
            await super()._async_cleanup_kernel()
        self._tests = None  # kept, for the next notebook (coursetools.grade.trusted.acquire)

    # nbclient's synchronous names are bound to its own coroutines: point them at these
    start_new_kernel = run_sync(async_start_new_kernel)
    start_new_kernel_client = run_sync(async_start_new_kernel_client)
    _cleanup_kernel = run_sync(_async_cleanup_kernel)

    # -- one cell
    def preprocess_cell(self, cell, resources, index):
        if index in self._skip:
            cell.outputs = [new_output("stream", name="stdout", text=SKIPPED)]
            return cell, resources
        if self._remaining() <= 0:
            raise BudgetSpent(index, "")
        self.start_cell(index)
        try:
            if is_test_cell(cell):
                self._check_assign_resources(resources)
                self._tests.client.start_cell(index)
                self._tests.client.timeout = self._get_timeout(cell)
                cell = self._tests.execute(self.nb, index)
                if not self._student_kernel_alive():
                    raise DeadKernelError("the student's kernel died during a test")
            else:
                cell, resources = super().preprocess_cell(cell, resources, index)
        except DeadKernelError:
            raise CellFault(index, "the kernel died while running this cell "
                                   "(os._exit, a crash, or a memory limit)") from None
        except trusted.TestKernelDied:
            raise CellFault(index, "the test kernel died while running this cell's tests (a reply over its "
                                   "memory limit)") from None
        except CellFault as fault:
            raise self._budget_fault(fault) from None
        return cell, resources

    def _student_kernel_alive(self):
        return run_sync(self.km.is_alive)()
