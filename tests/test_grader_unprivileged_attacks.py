"""A hostile student against the fallback jail (grader.run.unprivileged).

Every test passes when the attack fails.

Each attack is what a submitted notebook's code cell can do as the kernel's own uid. Attacks on the
grader's cleanup run in a fresh container view (tests/grader_support.py) as root, with the attacker
started as a uid of its own, as ``Kernel`` starts a kernel; attacks on the master's kernel run the
whole command line there (tests/test_grader_unprivileged.py ``run_in_container``).
"""

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
import pytest
from grader_support import container_view
from test_grader_unprivileged import MASTER

from grader.run import unprivileged

ROOT = Path(__file__).resolve().parent.parent
BWRAP = shutil.which("bwrap")

PRELUDE = f"""\
import json, os, subprocess, sys, threading, time
sys.path.insert(0, {str(ROOT)!r})
from grader.run import unprivileged

def as_user(uid, code, **options):  # a process of the kernel's uid, as the launcher leaves it
    return subprocess.Popen([sys.executable, "-S", "-c", code], user=uid, group=uid, extra_groups=[],
                            start_new_session=True, stdin=subprocess.DEVNULL, **options)

def wait_for(path, process):
    deadline = time.monotonic() + 10
    while not os.path.exists(path):
        assert process.poll() is None and time.monotonic() < deadline, "the attacker did not start"
        time.sleep(0.01)
"""


def container(*binds):
    """bwrap's command of a fresh container view (its /tmp, as in every container, open to all: 1777)."""
    command = [BWRAP, *container_view()]
    for host, inside in binds:
        command += ["--bind", str(host), inside]
    command += ["--dev-bind", "/dev", "/dev", "--bind", "/proc", "/proc"]
    command += ["--die-with-parent", "--chdir", "/tmp"]
    for key, value in {"PATH": "/usr/bin:/bin", "HOME": "/root", "LANG": "C.UTF-8"}.items():
        command += ["--setenv", key, value]
    return command  # run with an empty environment: only these variables


def run_in_container(*args, data):
    """``python -m grader grade ARGS`` in a fresh container view, run from /tmp, ``data`` at /data."""
    command = [*container((data, "/data")), "--", sys.executable, "-m", "grader", "grade", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False, env={})


def as_root_in_container(script, timeout=60, binds=()):
    """Run ``script`` (after PRELUDE) as root in a fresh container view; the JSON it prints last."""
    command = [*container(*binds), "--", sys.executable, "-c", PRELUDE + script]
    completed = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False, env={})
    assert completed.returncode == 0, completed.stdout + completed.stderr
    return json.loads(completed.stdout.strip().splitlines()[-1])


def kill_leftovers(uid):
    """As root, kill what the test's own attacker left of ``uid`` (only ids this test handed out)."""
    assert uid >= unprivileged.FIRST_UID
    for _ in range(100):
        left = unprivileged.processes_of(uid)
        if not left:
            return
        for pid in left:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        time.sleep(0.02)


# A process of the kernel's uid that watches for new processes started with `python -c` and, the moment one
# of them becomes its own uid (as kill_user's killer does just before its kill(-1)), stops it with SIGSTOP.
STOP_THE_KILLER = """
import ctypes, os, signal, sys, time
libc = ctypes.CDLL(None, use_errno=True)
known = {int(p) for p in os.listdir("/proc") if p.isdigit()}
open("/tmp/attacker-ready", "w").close()
deadline = time.monotonic() + 12
while time.monotonic() < deadline:
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) in known:
            continue
        pid = int(entry)
        known.add(pid)
        try:
            argv = open(f"/proc/{pid}/cmdline", "rb").read().split(b"\\0")
            uid = int(open(f"/proc/{pid}/status").read().split("Uid:")[1].split()[0])
        except (OSError, IndexError, ValueError):
            continue
        if b"-c" not in argv or uid == os.getuid() or os.fork():  # not yet ours: root's, for now
            continue
        while time.monotonic() < deadline:  # a spinner per candidate: EPERM until it becomes our uid
            for _ in range(20000):
                if libc.kill(pid, signal.SIGSTOP) == 0:
                    open(f"/tmp/stopped-{pid}", "w").close()
                    os._exit(0)
            if not os.path.exists(f"/proc/{pid}"):
                break
        os._exit(0)
"""


def test_the_users_processes_cannot_stop_the_killer():
    # a race: before the killer ran with a real id of its own, the attack won about one round in 40
    report = as_root_in_container(
        f"""
rounds = []
for _ in range(30):
    for name in os.listdir("/tmp"):  # the previous round's markers (the course may live below /tmp too)
        if name.startswith(("attacker-", "stopped-")):
            os.unlink(os.path.join("/tmp", name))
    uid = unprivileged.allocate_user()
    attacker = as_user(uid, {STOP_THE_KILLER!r}, cwd="/tmp")
    wait_for("/tmp/attacker-ready", attacker)
    time.sleep(0.1)
    done = []
    killer = threading.Thread(target=lambda: done.append(unprivileged.kill_user(uid)), daemon=True)
    killer.start()
    killer.join(4)
    hung = killer.is_alive()
    stopped = sorted(name for name in os.listdir("/tmp") if name.startswith("stopped-"))
    left = unprivileged.processes_of(uid)
    while unprivileged.processes_of(uid):  # the test's own cleanup: kill by pid, as root
        for pid in unprivileged.processes_of(uid):
            try:
                os.kill(pid, 9)
            except OSError:
                pass
        time.sleep(0.02)
    killer.join(5)
    attacker.wait()
    rounds.append({{"uid": uid, "hung": hung, "killed": done, "left": left, "stopped": stopped}})
    if hung or stopped or left:
        break
print(json.dumps(rounds))
"""
    )
    for attempt in report:
        kill_leftovers(attempt["uid"])
    for attempt in report:
        assert not attempt["stopped"], f"the user's process stopped the killer: {attempt}"
        assert not attempt["hung"] and attempt["killed"] == [True] and not attempt["left"], attempt


ESCAPE_INTO_NAMESPACES = """
import os, subprocess, time
# a user namespace of its own (where the host allows them) with a PID namespace and a mount namespace: a
# process there is uid 0 of its namespace and init of its PID namespace, which kill(-1) skips in its own
child = subprocess.Popen(["unshare", "--user", "--map-root-user", "--pid", "--fork", "--mount-proc",
                          "sh", "-c", "sleep 600 & touch /tmp/attacker-inside; wait"])
deadline = time.monotonic() + 5
while not os.path.exists("/tmp/attacker-inside") and child.poll() is None and time.monotonic() < deadline:
    time.sleep(0.01)
open("/tmp/attacker-ready", "w").write(str(child.poll()))
time.sleep(30)
"""


def test_a_process_in_namespaces_of_its_own_is_killed_too():
    report = as_root_in_container(
        f"""
uid = unprivileged.allocate_user()
attacker = as_user(uid, {ESCAPE_INTO_NAMESPACES!r}, cwd="/tmp")
wait_for("/tmp/attacker-ready", attacker)
inside = os.path.exists("/tmp/attacker-inside")
before = unprivileged.processes_of(uid)
killed = unprivileged.kill_user(uid)
print(json.dumps({{"uid": uid, "inside": inside, "before": len(before), "killed": killed,
                   "left": unprivileged.processes_of(uid)}}))
"""
    )
    kill_leftovers(report["uid"])
    assert report["killed"] and report["left"] == [], report


PLANTED = "open('/tmp/planted-ran', 'w').write(str(__import__('os').getuid()))\nfrom _signal import *\n"
PLANT = f"""
for name in ("signal", "ctypes", "resource"):
    open(f"/tmp/{{name}}.py", "w").write({PLANTED!r})
open("/tmp/attacker-ready", "w").close()
import time
time.sleep(30)
"""


def test_a_module_planted_in_the_graders_folder_is_not_imported_as_root():
    # the grader runs in /tmp here (as in tests/test_grader_unprivileged.py): the kernel's uid may write there
    report = as_root_in_container(
        f"""
uid = unprivileged.allocate_user()
attacker = as_user(uid, {PLANT!r}, cwd="/tmp")
wait_for("/tmp/attacker-ready", attacker)
killed = unprivileged.kill_user(uid)
ran = open("/tmp/planted-ran").read() if os.path.exists("/tmp/planted-ran") else None
print(json.dumps({{"uid": uid, "killed": killed, "ran_as": ran}}))
"""
    )
    kill_leftovers(report["uid"])
    assert report["ran_as"] is None, f"a module the user planted ran in the killer as uid {report['ran_as']}"
    assert report["killed"]


@pytest.fixture
def shared(tmp_path):
    """A world-writable sticky folder like /tmp."""
    folder = tmp_path / "shared"
    folder.mkdir()
    folder.chmod(0o1777)
    return folder


def test_a_deep_tree_left_in_a_shared_folder_is_removed_without_breaking_the_cleanup(shared):
    # `mkdir a; cd a` 3000 times costs a kernel a second; Python's recursive shutil.rmtree gives up at 1000
    uid = unprivileged.allocate_user()
    try:
        top = shared / "deep"
        top.mkdir()
        os.chown(top, uid, uid)
        fd = os.open(top, os.O_RDONLY)
        for _ in range(3000):
            os.mkdir("a", dir_fd=fd)
            inner = os.open("a", os.O_RDONLY, dir_fd=fd)
            os.fchown(inner, uid, uid)
            os.close(fd)
            fd = inner
        os.close(fd)
        unprivileged.remove_user_files(uid, folders=[str(shared)])
        assert not top.exists()
    finally:
        subprocess.run(["rm", "-rf", str(shared / "deep")], check=False)
        unprivileged.release_user(uid)


def test_what_a_kernel_leaves_outside_tmp_is_removed(shared):
    # world-writable on Debian and Ubuntu (Gradescope's image) besides /tmp, /var/tmp and /dev/shm: /run/lock;
    # System V shared memory, semaphores and message queues outlive every process of their owner
    uid = unprivileged.allocate_user()
    lock = Path("/run/lock")
    name = f"left-{uid}"
    made = {}
    try:
        for kind, option in (("shm", "-M 65536"), ("sem", "-S 1"), ("msg", "-Q")):
            made[kind] = subprocess.run(["ipcmk", *option.split()], user=uid, group=uid, extra_groups=[],
                                        capture_output=True, text=True, check=True).stdout.split()[-1]
        if lock.is_dir() and lock.stat().st_mode & 0o002:
            subprocess.run(["touch", str(lock / name)], user=uid, group=uid, extra_groups=[], check=True)
        unprivileged.remove_user_files(uid)
        for kind, ident in made.items():
            table = Path(f"/proc/sysvipc/{kind}").read_text().splitlines()[1:]
            assert ident not in [line.split()[1] for line in table], f"the uid's {kind} {ident} is left"
        assert not (lock / name).exists(), "the uid's file in /run/lock is left"
    finally:
        for kind, ident in made.items():
            subprocess.run(["ipcrm", {"shm": "-m", "sem": "-s", "msg": "-q"}[kind], ident],
                           capture_output=True, check=False)
        (lock / name).unlink(missing_ok=True)
        unprivileged.release_user(uid)


def test_the_exposure_check_follows_a_symbolic_link(tmp_path):
    # a master reached through a link in a closed folder is as readable as the file the link points to
    top = Path(tempfile.mkdtemp(prefix="attack-", dir="/tmp"))
    try:
        top.chmod(0o755)
        (top / "open").mkdir(mode=0o755)
        (top / "closed").mkdir(mode=0o700)
        target = top / "open" / "master.ipynb"
        target.write_text("{}")
        target.chmod(0o644)
        (top / "closed" / "master.ipynb").symlink_to(target)
        assert unprivileged.exposed_to_other_users(top / "closed" / "master.ipynb") is not None
    finally:
        shutil.rmtree(top)


PROBE_THE_MASTER = r"""
import json, os, socket, time
me, seen, master = os.getuid(), {}, None
deadline = time.monotonic() + 10
while master is None and time.monotonic() < deadline:  # the master's kernel boots while this cell runs
    for entry in os.listdir("/proc"):
        try:
            argv = open(f"/proc/{entry}/cmdline", "rb").read().split(b"\0")
            uids = [int(x) for x in open(f"/proc/{entry}/status").read().split("Uid:")[1].split()[:2]]
        except (OSError, IndexError, ValueError):
            continue
        kernel = b"-f" in argv[:-1] and argv[argv.index(b"-f") + 1].endswith(b"connection.json")
        if kernel and me not in uids and min(uids) >= 1_000_000:
            master = (int(entry), argv[argv.index(b"-f") + 1].decode(), uids[0])
            break
    time.sleep(0.01)
seen["found"] = master is not None
def attempt(name, action):
    try:
        action()
        seen[name] = "done"
    except Exception as error:
        seen[name] = type(error).__name__
if master:
    pid, connection, its_uid = master
    channel = os.path.dirname(connection)
    root = os.path.dirname(channel)
    attempt("environ", lambda: open(f"/proc/{pid}/environ").read())
    attempt("fds", lambda: os.listdir(f"/proc/{pid}/fd"))
    attempt("cwd", lambda: os.listdir(f"/proc/{pid}/cwd"))
    attempt("root", lambda: os.listdir(f"/proc/{pid}/root/tmp"))
    attempt("mem", lambda: open(f"/proc/{pid}/mem", "rb").read(1))
    attempt("signal", lambda: os.kill(pid, 0))
    attempt("connection_file", lambda: open(connection).read())
    attempt("channel", lambda: os.listdir(channel))
    attempt("its_root", lambda: os.listdir(root))
    attempt("its_work", lambda: os.listdir(os.path.join(root, "work")))
    sockets = [line.split()[-1] for line in open("/proc/net/unix") if channel in line]
    seen["sockets_listed"] = len(sockets)
    def connect():
        for path in sockets:
            client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            client.connect(path)
    attempt("connect", connect)
    master_files, until = set(), time.monotonic() + 4  # what the master's kernel writes where others look
    while time.monotonic() < until:
        for shared in ("/tmp", "/var/tmp", "/dev/shm"):
            for folder, names, files in os.walk(shared):
                for name in names + files:
                    try:
                        if os.lstat(os.path.join(folder, name)).st_uid == its_uid:
                            master_files.add(os.path.join(folder, name))
                    except OSError:
                        pass
        time.sleep(0.1)
    seen["master_files"] = sorted(master_files)
    listening = []  # its TCP sockets listening on the loopback (ipykernel's IOPub pipe is one)
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in open(table).read().splitlines()[1:]:
            fields = line.split()
            if fields[3] == "0A" and fields[7] == str(its_uid):
                listening.append(int(fields[1].rsplit(":", 1)[1], 16))
    seen["tcp_listening"] = listening
    def connect_tcp():
        for port in listening:
            socket.create_connection(("127.0.0.1", port), timeout=2).close()
    attempt("connect_tcp", connect_tcp)
status = dict(line.split(":", 1) for line in open("/proc/self/status").read().splitlines() if ":" in line)
seen["privileges"] = {key: status[key].strip() for key in ("CapPrm", "CapEff", "CapAmb", "NoNewPrivs")}
seen["inherited"] = []  # descriptors naming a file of the grader's (the master, the class, /data)
for fd in os.listdir("/proc/self/fd"):
    try:
        target = os.readlink(f"/proc/self/fd/{fd}")
    except OSError:
        continue
    if target.startswith(("/data", "/autograder")) or "master" in target:
        seen["inherited"].append(target)
# links in its own folder and in /tmp to a host folder, for root to follow when it removes them
os.makedirs("inner", exist_ok=True)
os.symlink("/data/victim", "victim-link")
os.symlink("/data/victim", "inner/victim-link")
os.mkdir("/tmp/mine")
os.symlink("/data/victim", "/tmp/mine/victim-link")
os.symlink("/data/victim/keep.txt", "/dev/shm/attack-link")
open(f"/dev/shm/attack-{me}", "w").write("left behind")
open(f"/data/drop/report-{me}.json", "w").write(json.dumps(seen))
"""


MASTER_INSIDE = "/data/masters/master.ipynb"  # the master, as the container sees it

def hostile_notebook(path, source):
    notebook = nbformat.read(MASTER, as_version=4)
    notebook.cells.insert(1, nbformat.v4.new_code_cell(source))
    nbformat.write(notebook, path)


@pytest.fixture
def data():
    """The container's /data: the master's closed folder, a folder the kernel may write, a host folder."""
    folder = Path(tempfile.mkdtemp(prefix="attack-", dir="/tmp"))
    folder.chmod(0o755)
    (folder / "masters").mkdir(mode=0o700)  # the master's own folder, closed as the grader asks
    shutil.copy(MASTER, folder / "masters" / "master.ipynb")
    (folder / "drop").mkdir()
    (folder / "drop").chmod(0o1777)
    (folder / "victim").mkdir()
    (folder / "victim" / "keep.txt").write_text("keep")
    yield folder
    shutil.rmtree(folder, ignore_errors=True)
    for left in Path("/dev/shm").glob("attack-*"):  # the host's /dev/shm is the container's: a failure's
        if left.lstat().st_uid >= unprivileged.FIRST_UID:
            left.unlink()


def _reports(data):
    """The hostile cell's reports: one per kernel of the submission (the warm-up's q4, q5 and q8 forbid
    nnlib.losses, so a second kernel runs it as well). The probe aims at any other kernel's user (the
    master's, or the submission's other kernel); one at least must have seen one, or nothing was tried.
    """
    reports = sorted((data / "drop").glob("report-*.json"))
    assert reports, "the hostile cell did not run"
    found = [json.loads(report.read_text())["found"] for report in reports]
    assert any(found), "no other kernel was seen running"
    return reports


def test_a_kernel_cannot_reach_the_master_kernel_nor_make_root_follow_its_links(data):
    hostile_notebook(data / "hostile.ipynb", PROBE_THE_MASTER)
    graded = run_in_container(MASTER_INSIDE, "/data/hostile.ipynb", "--unprivileged", data=data)
    assert graded.returncode == 0 and "Total: 11/11" in graded.stdout, graded.stdout + graded.stderr
    reports = _reports(data)
    for report in reports:
        seen = json.loads(report.read_text())
        for attempt in ("environ", "fds", "cwd", "root", "mem", "signal", "connection_file", "channel",
                        "its_root", "its_work", "connect"):
            outcome = seen.get(attempt, "no kernel seen")
            assert outcome in ("PermissionError", "no kernel seen"), (attempt, seen)
        none = "0" * 16
        assert seen["privileges"] == {"CapPrm": none, "CapEff": none, "CapAmb": none, "NoNewPrivs": "1"}
        assert seen["inherited"] == []
        assert seen["master_files"] == []
        uid = int(report.stem.split("-")[1])
        assert not Path(f"/dev/shm/attack-{uid}").exists()
    assert (data / "victim" / "keep.txt").read_text() == "keep"  # root removed the links, not their targets
    assert not [p for p in Path("/dev/shm").iterdir() if p.name == "attack-link"]


PLANT_AT_THE_RESULTS = """
import os
os.symlink("/data/victim/keep.txt", "/tmp/results.json")  # where the teacher asked for the results
os.mkfifo("/tmp/grades.csv")  # opened for writing, a FIFO nobody reads blocks the grader
"""


def test_links_planted_where_the_teacher_writes_the_results_are_not_followed(data):
    hostile_notebook(data / "hostile.ipynb", PLANT_AT_THE_RESULTS)
    os.mkdir(data / "class", 0o700)
    shutil.copy(data / "hostile.ipynb", data / "class" / "ada.ipynb")
    report = as_root_in_container(
        """
one = subprocess.run([sys.executable, "-m", "grader", "grade", "/data/masters/master.ipynb",
                      "/data/hostile.ipynb", "--unprivileged", "--json", "/tmp/results.json"],
                     capture_output=True, text=True, timeout=60)
whole = subprocess.run([sys.executable, "-m", "grader", "grade", "/data/masters/master.ipynb", "/data/class",
                        "--unprivileged", "--csv", "/tmp/grades.csv"], capture_output=True, text=True,
                       timeout=60)
results = "/tmp/results.json"
print(json.dumps({"codes": [one.returncode, whole.returncode], "errors": one.stderr + whole.stderr,
                  "results_is_file": os.path.isfile(results) and not os.path.islink(results),
                  "score": json.load(open(results)).get("score") if os.path.isfile(results) else None,
                  "csv_is_file": os.path.isfile("/tmp/grades.csv")}))
""",
        binds=[(data, "/data")],
    )
    assert (data / "victim" / "keep.txt").read_text() == "keep", "root wrote the results through the link"
    assert report["codes"] == [0, 0], report["errors"]
    assert report["results_is_file"] and report["score"] == 11 and report["csv_is_file"], report


PLANT_EVERY_MODULE = r"""
import os, sys, pkgutil
names = set(sys.stdlib_module_names)
for path in sys.path:
    if "site-packages" in path:
        names |= {module.name for module in pkgutil.iter_modules([path])}
body = '''
import os as _os, sys as _sys
open(f"/data/drop/ran-{__name__}-{_os.getuid()}", "w").close()
_sys.path[:] = [_p for _p in _sys.path if _p not in ("", "/tmp", ".")]
del _sys.modules[__name__]
import importlib as _il
_sys.modules[__name__] = _il.import_module(__name__)
'''
made = 0
for name in sorted(names):
    if name.isidentifier() and name not in ("os", "sys", "importlib"):
        try:
            open(f"/tmp/{name}.py", "x").write(body)
            made += 1
        except OSError:
            pass
open(f"/data/drop/planted-{os.getuid()}", "w").write(str(made))  # each kernel of the submission plants
"""


def test_modules_planted_in_the_graders_folder_are_never_imported(data):
    # `python -m grader` from /tmp puts /tmp first on the grader's sys.path: a module imported late (by the
    # grader or a library, while the kernel lives) would be the kernel's, run as root
    hostile_notebook(data / "hostile.ipynb", PLANT_EVERY_MODULE)
    graded = run_in_container(MASTER_INSIDE, "/data/hostile.ipynb", "--unprivileged", data=data)
    assert graded.returncode == 0 and "Total: 11/11" in graded.stdout, graded.stdout + graded.stderr
    # the kernels of the submission (one per set of forbidden modules) share /tmp: the counts add up
    planted = sum(int(path.read_text()) for path in (data / "drop").glob("planted-*"))
    assert planted > 300  # the standard library's and the packages'
    assert not list((data / "drop").glob("ran-*")), sorted(p.name for p in (data / "drop").glob("ran-*"))


STUB = ROOT / "student" / "00_warmup.ipynb"
READ_A_COPY = r"""
import json
for _path in ("/data/masters/.ipynb_checkpoints/master-checkpoint.ipynb",):  # Jupyter's copy, 0644
    for _cell in json.load(open(_path))["cells"]:
        if _cell["metadata"].get("grader", {}).get("role") in ("answer", "parameters"):
            exec("".join(_cell["source"]))
"""


def test_a_copy_of_the_master_next_to_it_is_refused_like_the_master(data):
    # `chmod 600 master.ipynb`, as the grader's message allows, leaves the copy Jupyter keeps next to it
    # readable (and a git checkout's .git/objects): a stub that runs the copy's answers scored 7/11 here
    masters = data / "masters"
    (masters / ".ipynb_checkpoints").mkdir(mode=0o755)
    shutil.copy(MASTER, masters / ".ipynb_checkpoints" / "master-checkpoint.ipynb")
    (masters / ".ipynb_checkpoints" / "master-checkpoint.ipynb").chmod(0o644)
    masters.chmod(0o755)
    (masters / "master.ipynb").chmod(0o600)
    notebook = nbformat.read(STUB, as_version=4)
    notebook.cells.insert(1, nbformat.v4.new_code_cell(READ_A_COPY))
    for cell in notebook.cells:
        if "raise NotImplementedError" in cell.source:
            cell.source = "pass"
    nbformat.write(notebook, data / "copier.ipynb")
    graded = run_in_container(MASTER_INSIDE, "/data/copier.ipynb", "--unprivileged", data=data)
    assert graded.returncode == 2, graded.stdout
    assert "the master's folder /data/masters is open" in graded.stderr
    masters.chmod(0o700)  # as the message says: the copy is out of reach too
    graded = run_in_container(MASTER_INSIDE, "/data/copier.ipynb", "--unprivileged", data=data)
    assert graded.returncode == 1 and "Total: 0/11" in graded.stdout, graded.stdout[-1000:] + graded.stderr


def test_a_kernel_cannot_connect_to_the_master_kernels_loopback_port(data):
    # ipykernel's IOPub pipe (for forked subprocesses' output) listens on tcp://127.0.0.1, which a kernel of
    # another uid shares in the fallback: it can flood the master's kernel with messages the master reads and
    # repr()s before it drops them (measured: a loop of 0.24 s took 7.5 s), stalling every concurrent master
    hostile_notebook(data / "hostile.ipynb", PROBE_THE_MASTER)
    graded = run_in_container(MASTER_INSIDE, "/data/hostile.ipynb", "--unprivileged", data=data)
    assert graded.returncode == 0, graded.stdout + graded.stderr
    for report in _reports(data):
        seen = json.loads(report.read_text())
        assert seen.get("tcp_listening", []) == [] or seen["connect_tcp"] != "done", seen


def test_a_deep_tree_in_the_kernels_own_folder_does_not_stop_the_grading(data):
    deep = "import os\n_start = os.getcwd()\nfor _ in range(3000):\n    os.mkdir('a')\n    os.chdir('a')\n"
    deep += "os.chdir(_start)\n"
    hostile_notebook(data / "deep.ipynb", deep)
    graded = run_in_container(MASTER_INSIDE, "/data/deep.ipynb", "--unprivileged", data=data)
    output = graded.stdout[-2000:] + graded.stderr[-2000:]
    assert graded.returncode == 0 and "Total: 11/11" in graded.stdout, output
