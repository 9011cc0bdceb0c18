"""A determined student against the sealed sandbox (issue 24), graded by the real batch on a real Dask cluster.

One batch, two workers (a TLS LocalCluster started here, so that the attacks know the scheduler's port), real
bubblewrap kernels, a CANVAS_API_TOKEN exported as a TA would: each student below submits notebook 01 solved except
for one attack, and each test asserts what the attack met. Time limits are shortened (cells 8 s, a student's
notebooks 60 s) so that the sleeping student costs the batch a minute, not 30 minutes.
"""

import ast
import json
import os
import pwd
import re
import shutil
import textwrap
import time
import uuid

import dask
import psutil
import pytest
from distributed import Client, LocalCluster
from distributed.security import Security
from notebooks import ASSIGNMENT, ROOT, SOURCE
from submissions import Course, filled, solutions

from coursetools.grade import batch, sandbox

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(sandbox.unavailable_reason() is not None, reason="needs bubblewrap")]

NB = "01_symmetry_breaking.ipynb"
SOLVED = solutions(NB)
TOKEN = f"canvas-token-{uuid.uuid4().hex}"
MARKER = f"classmate_{uuid.uuid4().hex[:12]}"  # in every function body of the honest classmate
BUDGET = 60  # seconds for a student's notebooks (COURSE_STUDENT_TIME_LIMIT)


def code(text):
    return textwrap.dedent(text).strip() + "\n"


SNIFF = code("""
    import glob, os, threading, time, zmq
    heard = []
    def listening_ports():
        ports = set()
        for name in ("/proc/net/tcp", "/proc/net/tcp6"):
            for line in open(name).read().splitlines()[1:]:
                p = line.split()
                if p[3] == "0A":
                    ports.add(int(p[1].rsplit(":", 1)[1], 16))
        return ports
    ctx, poller = zmq.Context(), zmq.Poller()
    endpoints = [f"tcp://127.0.0.1:{port}" for port in listening_ports()]
    for root in ("/tmp", "/kernel", "/dev/shm"):
        endpoints += ["ipc://" + path for path in glob.glob(root + "/**", recursive=True)]
    for line in open("/proc/net/unix").read().splitlines()[1:]:  # every Unix socket of this network namespace
        if len(line.split()) > 7:
            endpoints.append("ipc://" + line.split()[7])
    for endpoint in endpoints:
        sub = ctx.socket(zmq.SUB)
        sub.setsockopt(zmq.SUBSCRIBE, b"")
        try:
            sub.connect(endpoint)
            poller.register(sub, zmq.POLLIN)
        except zmq.ZMQError:
            sub.close()
    until = time.monotonic() + 7  # while the classmate is graded on the other worker (cells may run 8 s)
    while time.monotonic() < until:
        for sub, _ in poller.poll(200):
            heard.append(b" ".join(sub.recv_multipart()).decode(errors="replace"))
    print(f"{len(endpoints)} endpoints; heard:", "\\n=====\\n".join(heard))
""")

SCHEDULER = code("""
    import os, socket
    own = set()  # what this kernel's network namespace listens on: the kernel's own sockets
    for name in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in open(name).read().splitlines()[1:]:
            p = line.split()
            if p[3] == "0A":
                own.add(int(p[1].rsplit(":", 1)[1], 16))
    print("OWN", sorted(own))
    for port in sorted(set(HOST_PORTS) - own):  # every port the grading machine listens on, the scheduler's too
        s = socket.socket()
        s.settimeout(2)
        try:
            s.connect(("127.0.0.1", port))
            print("REACHED port", port)
        except OSError as exc:
            print("refused", port, type(exc).__name__)
        s.close()
    from distributed import Client
    for address in ("tcp://127.0.0.1:SCHEDULER_PORT", "tls://127.0.0.1:SCHEDULER_PORT"):
        try:
            with Client(address, timeout=3) as client:
                client.run_on_scheduler(lambda: open("PWNED", "w").write("the scheduler ran student code"))
                print("REACHED scheduler", address)
        except Exception as exc:
            print("no scheduler at", address, type(exc).__name__)
""")

FILES = code("""
    import os
    for path in PATHS:
        try:
            print("READ", path, open(path, errors="replace").read()[:5000])
        except Exception as exc:
            print("blocked", path, type(exc).__name__)
    for path in FOLDERS:
        try:
            print("LISTED", path, sorted(os.listdir(path)))
        except Exception as exc:
            print("blocked", path, type(exc).__name__)
    for top in os.listdir("/"):  # every file of the course anywhere the kernel can see, but its own helper package
        if top not in ("proc", "sys", "dev"):
            for folder, _, names in os.walk("/" + top):
                for name in names:
                    path = os.path.join(folder, name)
                    if name.endswith((".ipynb", ".db", ".py")) and not path.startswith(os.getcwd()) \\
                            and ("symmetry" in name or name in ("checks.py", "gradebook.db", "nbgrader_config.py")):
                        try:
                            if "count_distinct_units" in open(path, errors="replace").read():
                                print("FOUND", path)
                        except OSError:
                            pass
    print("ENVIRONMENT", dict(os.environ))
    print("WORKDIR", os.getcwd())
""")

RESOURCES = code("""
    import os, threading, time
    def fill(path):
        try:
            with open(path, "wb") as f:
                for _ in range(4096):
                    f.write(b"x" * 2**20)
        except OSError as exc:
            return f"{path}: {exc.strerror} after {os.path.getsize(path) >> 20} MiB"
    print(fill("/tmp/fill"), fill("/dev/shm/fill"), fill("fill"), sep="\\n")
    os.remove("/tmp/fill")
    try:
        os.fork()
        print("FORKED")
    except OSError as exc:
        print("fork:", exc.strerror)
    threads = []
    try:
        for _ in range(500):
            threads.append(threading.Thread(target=time.sleep, args=(1,)))
            threads[-1].start()
    except RuntimeError as exc:
        print(f"threads: {exc} after {len(threads)}")
    for thread in threads:  # a kernel left without threads would fail this student's next cells
        thread.join()
""")
FILL_TMP = code("""
    def count_distinct_units(W, atol=1e-6):
        with open("/tmp/more", "wb") as f:
            for _ in range(4096):
                f.write(b"x" * 2**20)
        return len(W)
""")
FORK_BOMB = code("""
    import os
    def initialize_random(layer_dims, scale=0.01, rng=None):
        for _ in range(200):
            os.fork()
        return {}
""")
MEMORY = code("""
    def initialize_constant(layer_dims, value):
        hog = bytearray(4 * 1024**3)
        return {"W1": hog}
""")

# student -> (answer cells replaced in notebook 01, cells added at the end, test cells expected to score 0)
STUDENTS = {
    "a1_sniffer": ({"initialize_zeros": SOLVED["initialize_zeros"] + SNIFF}, [], set()),
    "a2_classmate": ({gid: (source.replace('"""', f'"""{MARKER} ', 1) if "def " in source else source)
                      for gid, source in SOLVED.items()}, [], set()),
    "a3_sleeper": ({}, ["import time\ntime.sleep(7)\n"] * 100, set()),
    "b_scheduler": ({"initialize_zeros": SOLVED["initialize_zeros"] + SCHEDULER}, [], set()),
    "b_files": ({"initialize_zeros": SOLVED["initialize_zeros"] + FILES}, [], set()),
    "b_resources": ({"initialize_zeros": SOLVED["initialize_zeros"] + RESOURCES, "count_distinct_units": FILL_TMP,
                     "initialize_random": FORK_BOMB, "initialize_constant": MEMORY}, [],
                    {"test_count_distinct_units", "test_initialize_random", "test_initialize_constant"}),
    "b_errors": ({"answer_random_bias": SOLVED["answer_random_bias"] + '\nraise ValueError("x" * 20_000_000)\n',
                  "count_distinct_units": "def count_distinct_units(W, atol=1e-6):\n"
                                          "    raise ValueError('y' * 1_000_000)\n"},
                 [], {"test_count_distinct_units"}),
    "b_shell": ({}, ["\n".join(f"!echo {'x' * 1200} {i}" for i in range(80))], set()),
    "c_honest": ({}, [], set()),
}


# What a kernel writes into its own HOME, the sandbox's private /tmp (IPython's and matplotlib's folders, Dask's
# scratch space of the attack that imports distributed).
KERNEL_OWN = {".ipython", "matplotlib", "dask-scratch-space", ".cache", ".config", ".local"}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    course = Course(tmp_path_factory.mktemp("sealed"))
    second = ROOT.parent / f".second-checkout-{uuid.uuid4().hex[:8]}"  # another checkout of the course on the machine
    shutil.copytree(SOURCE, second / "source" / ASSIGNMENT)
    paths = [str(second / "source" / ASSIGNMENT / NB), str(ROOT / "source" / ASSIGNMENT / NB), "/etc/shadow",
             "/etc/passwd", str(course.root / "gradebook.db"), "/proc/1/environ"]
    folders = [os.path.expanduser("~"), pwd.getpwuid(os.getuid()).pw_dir, "/home", str(ROOT), str(ROOT.parent)]
    saved = {k: os.environ.get(k) for k in ("CANVAS_API_TOKEN", "COURSE_CELL_TIMEOUT", "COURSE_NOTEBOOK_TIME_LIMIT",
                                            "COURSE_STUDENT_TIME_LIMIT")}
    os.environ.update(CANVAS_API_TOKEN=TOKEN, COURSE_CELL_TIMEOUT="8", COURSE_NOTEBOOK_TIME_LIMIT=str(BUDGET),
                      COURSE_STUDENT_TIME_LIMIT=str(BUDGET))  # read by the workers started below
    try:
        credentials = Security.temporary()
        with dask.config.set({"distributed.scheduler.worker-saturation": 1.0}), \
                LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                             dashboard_address=None, security=credentials) as cluster:
            course.scheduler_port = int(cluster.scheduler_address.rsplit(":", 1)[1])
            host_ports = sorted({c.laddr.port for c in psutil.net_connections("tcp") if c.status == "LISTEN"})
            assert course.scheduler_port in host_ports
            for student, (answers, added, _) in STUDENTS.items():
                answers = {k: v.replace("SCHEDULER_PORT", str(course.scheduler_port))
                           .replace("HOST_PORTS", repr(host_ports)).replace("PATHS", repr(paths))
                           .replace("FOLDERS", repr(folders)) for k, v in answers.items()}
                nb = filled(NB, {**SOLVED, **answers}, course.root / "release" / ASSIGNMENT)
                nb.cells += [__import__("nbformat").v4.new_code_cell(source) for source in added]
                course.submit(student, {NB: nb})
            started = time.time()
            course.report, _ = batch.run(course.root, scheduler=cluster.scheduler_address, credentials=credentials)
            course.seconds = time.time() - started
            with Client(cluster, security=credentials) as client:  # the scheduler is intact and answers only us
                assert client.run_on_scheduler(lambda: 1) == 1
    finally:
        shutil.rmtree(second, ignore_errors=True)
        for key, value in saved.items():
            os.environ.pop(key) if value is None else os.environ.__setitem__(key, value)
    return course


def printed(course, student, grade_id="initialize_zeros"):
    """What the answer cell ``grade_id`` of ``student`` printed (its outputs as JSON text)."""
    cells = course.autograded(student, NB)["cells"]
    return json.dumps(next(c["outputs"] for c in cells
                           if c["metadata"].get("nbgrader", {}).get("grade_id") == grade_id))


def scores(course, student):
    return {g: s for g, (s, _) in course.scores(student)[NB].items()}


def full_but(course, student, zero):
    return {g: (0 if g in zero else mx) for g, (_, mx) in course.scores(student)[NB].items()}


@pytest.mark.parametrize("student", sorted(STUDENTS))
def test_each_attack_earns_nothing_and_costs_only_its_own_cells(graded, student):
    assert scores(graded, student) == full_but(graded, student, STUDENTS[student][2])


def test_the_scheduler_is_unreachable_from_a_kernel(graded):
    out = printed(graded, "b_scheduler")
    assert "no scheduler at tcp" in out and "no scheduler at tls" in out, out
    assert f"refused {graded.scheduler_port} " in out and "REACHED" not in out, out
    assert not (ROOT / "PWNED").exists() and not (graded.root / "PWNED").exists()
    assert "Sandbox: on" in graded.report


def test_no_classmate_is_heard_on_two_workers(graded):
    out = printed(graded, "a1_sniffer")
    assert "endpoints; heard" in out, out
    assert MARKER not in out and "def initialize" not in out and "execute_request" not in out, out[:3000]


def test_nothing_outside_the_allow_list_is_readable_and_the_environment_is_cleared(graded):
    out = printed(graded, "b_files")
    assert "READ /" not in out and "FOUND /" not in out, out[:3000]
    assert out.count("blocked") >= 6, out[:3000]  # every file; the folders are missing, or show only what is allowed
    allowed = {part for path in [*sandbox.allowed_paths()[0], *sandbox.allowed_paths()[1]] for part in path.split("/")}
    workdir = set(re.search(r"WORKDIR (\S+)", out).group(1).split("/"))  # its own folder (in memory; a pool's: /tmp)
    for folder, listed in re.findall(r"LISTED (\S+) (\[.*?\])", out):
        names = set(ast.literal_eval(listed.replace("\\'", "'")))
        if folder == "/tmp":  # the sandbox's own in-memory /tmp (its HOME), e.g. the parent of a course cloned there
            names -= KERNEL_OWN
        assert names <= allowed | workdir, (folder, listed)
        assert not any(name.startswith(".second-checkout") for name in names), (folder, listed)
    assert "ENVIRONMENT" in out and "'HOME': '/tmp'" in out
    for secret in (TOKEN, "CANVAS_API_TOKEN", "COURSE_CELL_TIMEOUT", "DASK_", "JPY_"):
        assert secret not in out, secret


def test_memory_and_process_limits_refuse_and_cost_only_their_cell(graded):
    out = printed(graded, "b_resources")
    assert out.count("No space left on device after 3") == 3, out  # each in-memory folder holds 32 MiB
    assert "fork: Operation not permitted" in out and "FORKED" not in out, out
    assert "threads: can't start new thread after" in out, out


def test_a_cell_of_80_shell_escapes_grades_quickly(graded):
    section = graded.report.split("**b_shell**")[1].split("- **")[0]
    assert int(section.split("autograded in ")[1].split(" s")[0]) < 30, section


def test_a_20_mb_exception_is_capped(graded):
    size = (graded.root / "autograded" / "b_errors" / ASSIGNMENT / NB).stat().st_size
    assert size < 500_000, size
    out = printed(graded, "b_errors", "answer_random_bias")
    assert "characters cut" in out


def test_a_sleeping_student_stops_at_the_budget_and_holds_no_one(graded):
    folder = graded.root / "autograded"
    sleeper = (folder / "a3_sleeper" / ASSIGNMENT / NB).stat().st_mtime
    others = [(folder / s / ASSIGNMENT / NB).stat().st_mtime for s in STUDENTS if s != "a3_sleeper"]
    assert max(others) < sleeper, "a student's result came after the sleeper's: it waited"
    assert graded.seconds < BUDGET + 60, graded.seconds
    out = json.dumps(graded.autograded("a3_sleeper", NB)["cells"])
    assert "time budget was spent" in out
    section = graded.report.split("**a3_sleeper**")[1].split("- **")[0]
    seconds = int(section.split("autograded in ")[1].split(" s")[0])
    assert BUDGET - 5 <= seconds <= BUDGET + 20, section
