"""Hostile code: every case is contained, bounded, graded as failed, and leaks nothing."""

import os
import random
import socket
import subprocess
from pathlib import Path

import pytest

from fbgym.core.types import Problem
from fbgym.envs.code.critic import CodeCritic
from fbgym.envs.code.grader import HiddenTest, grade_program
from fbgym.sandbox import Limits, Sandbox
from fbgym.simulators.base import SimulatedUser

SECRET = "fbgym-secret-7f1c9a"
MARKER = "31.4159"  # a daemon's `sleep` argument, to find it on the host afterwards
HOST_FILE = Path(__file__).parent / "pwned-by-sandbox.txt"


@pytest.fixture(scope="module")
def box():
    os.environ["FBGYM_TEST_SECRET"] = SECRET  # set before the server starts
    sandbox = Sandbox(Limits(wall_s=1.0, cpu_s=1, memory_mb=256, processes=16, file_size_mb=4))
    sandbox.run("pass")
    yield sandbox
    sandbox.close()
    os.environ.pop("FBGYM_TEST_SECRET", None)


def _observations(outcome):
    problem = Problem(id="hostile", family="code", instruction="", observation="", answer="")
    texts = []
    for level in (1, 4):
        user = SimulatedUser(CodeCritic(level), "verbal")
        texts.append(user.respond(problem, (), outcome, random.Random(0)).text)
    return texts + [str(outcome.to_dict())]


def _attack(box, code, expected="ok"):
    outcome = grade_program(box, code, "f", [HiddenTest((), expected)])
    assert not outcome.success and outcome.score == 0.0
    for text in _observations(outcome):
        assert SECRET not in text
    assert box.run("def f():\n    return 1", entry="f", calls=[()]).calls[0].value == 1
    return outcome


def _host_processes_with(marker):
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if marker in (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode():
                    found.append(int(entry.name))
            except OSError:
                pass
    return found


HOSTILE = {
    "fork_bomb": "import os\ndef f():\n    while True:\n        try:\n            os.fork()\n"
    "        except OSError:\n            pass\n",
    "memory_bomb": "def f():\n    hog = []\n    while True:\n        hog.append(bytearray(10**7))\n",
    "huge_allocation": "def f():\n    return len(bytearray(10**10))\n",
    "infinite_loop": "def f():\n    while True:\n        pass\n",
    "sleep_past_timeout": "import time\ndef f():\n    time.sleep(60)\n    return 'ok'\n",
    "flood_stdout": "def f():\n    while True:\n        try:\n            print('x' * 10000)\n"
    "        except OSError:\n            pass\n",
    "ten_gb_file": "def f():\n    with open('big', 'wb') as fh:\n        for _ in range(10240):\n"
    "            fh.write(b'0' * 2**20)\n    return 'ok'\n",
    "ten_gb_sparse_file": "def f():\n    with open('big', 'wb') as fh:\n"
    "        fh.truncate(10 * 2**30)\n    return 'ok'\n",
    "exhaust_fds": "def f():\n    return str([open('/dev/null') for _ in range(10**6)])\n",
    "network_socket": "import socket\ndef f():\n    socket.create_connection(('1.1.1.1', 53), timeout=1)\n"
    "    return 'ok'\n",
    "exit_at_import": "import os\nos._exit(0)\ndef f():\n    return 'ok'\n",
    "sys_exit_at_import": "import sys\nsys.exit(0)\ndef f():\n    return 'ok'\n",
    "exit_in_call": "import os\ndef f():\n    os._exit(0)\n",
    "eq_always_true": "class Yes:\n    def __eq__(self, other):\n        return True\n"
    "def f():\n    return Yes()\n",
    "int_subclass": "class Yes(str):\n    def __eq__(self, other):\n        return True\n"
    "def f():\n    return Yes('no')\n",
    "patch_builtins": "import builtins\nbuiltins.isinstance = lambda *a: True\n"
    "builtins.type = lambda *a: str\nbuiltins.repr = lambda *a: \"'ok'\"\n"
    "def f():\n    return 'no'\n",
    "patch_harness": "import __main__, json\n__main__.encode_value = lambda v: ['str', 'ok']\n"
    'json.dumps = lambda *a, **k: \'{"i": 0, "ok": ["str", "ok"]}\'\n'
    "def f():\n    return 'no'\n",
    "fake_results_then_exit": "import os\nfor fd in range(64):\n    try:\n"
    '        os.write(fd, b\'PASSED\\n{"phase": "done"}\\n\')\n'
    "    except OSError:\n        pass\nos._exit(0)\ndef f():\n    return 'no'\n",
    "fake_results_then_run": "import os\nfor fd in range(3, 64):\n    try:\n"
    '        os.write(fd, b\'{"phase": "load", "ok": true}\\n\')\n'
    "    except OSError:\n        pass\ndef f():\n    return 'no'\n",
    "recursion": "def f():\n    return f()\n",
    "self_containing_value": "def f():\n    x = []\n    x.append(x)\n    return x\n",
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_code_is_contained_and_fails(box, name):
    _attack(box, HOSTILE[name])


def test_environment_of_the_parent_is_not_visible(box):
    code = (
        "import os, glob\ndef f():\n    seen = [repr(dict(os.environ))]\n"
        "    for path in ['/proc/self/environ', '/proc/1/environ', '/proc/%d/environ' % "
        f"{os.getpid()}] + glob.glob('/proc/*/environ'):\n"
        "        try:\n            seen.append(open(path, 'rb').read().decode('latin-1'))\n"
        "        except OSError as exc:\n            seen.append(str(exc))\n"
        "    return ' '.join(seen)\n"
    )
    outcome = _attack(box, code, expected="unguessable")
    assert outcome.diagnosis["status"] == "wrong_answer"


def test_a_service_on_the_hosts_loopback_is_unreachable(box):
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        port = server.getsockname()[1]
        code = (
            "import socket\ndef f():\n"
            f"    socket.create_connection(('127.0.0.1', {port}), timeout=0.5).sendall(b'hi')\n"
            "    return 'ok'\n"
        )
        outcome = _attack(box, code)
        server.setblocking(False)
        with pytest.raises(BlockingIOError):
            server.accept()
    assert outcome.diagnosis["status"] == "exception"


def test_writing_outside_the_temp_dir_leaves_the_host_untouched(box, tmp_path):
    tmp_path.chmod(0o777)
    targets = [HOST_FILE, tmp_path / "pwned.txt", Path.home() / "pwned-by-sandbox.txt"]
    code = (
        "def f():\n"
        + "".join(
            f"    try:\n        open({str(t)!r}, 'w').write('x')\n    except OSError:\n        pass\n"
            for t in targets
        )
        + "    return 'written'\n"
    )
    _attack(box, code, expected="never")
    assert not any(t.exists() for t in targets)


def test_killing_the_parent_and_server_fails_and_both_survive(box):
    code = (
        "import os, signal\ndef f():\n"
        f"    for pid in ({os.getpid()}, {box.server_pid}, os.getppid(), 1, -1):\n"
        "        try:\n            os.kill(pid, signal.SIGKILL)\n        except OSError:\n"
        "            pass\n    return 'killed'\n"
    )
    _attack(box, code, expected="survived")
    assert box.server_pid is not None and box.run("pass").state == "exited"


def test_a_daemon_does_not_outlive_its_run(box):
    code = (
        "import os, sys\ndef f():\n    if os.fork() == 0:\n        os.setsid()\n"
        "        if os.fork() == 0:\n"
        f"            os.execv(sys.executable, ['python', '-c', 'import time; time.sleep({MARKER})'])\n"
        "        os._exit(0)\n    return 'daemonised'\n"
    )
    _attack(box, code, expected="no")
    # A run's processes die with it, but the server reaps them while the next run goes on:
    # once it has stopped, every run is reaped, so whatever is left got out of its run.
    box.close()
    leftovers = _host_processes_with(f"time.sleep({MARKER})")
    for pid in leftovers:  # clean up before failing, never leave it running
        os.kill(pid, 9)
    assert leftovers == []


def test_a_fork_bomb_leaves_no_process_behind(box):
    _attack(box, HOSTILE["fork_bomb"])
    assert all(_uid(p) != 65534 for p in _children_of(box.server_pid))


def _children_of(pid):
    kids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                kids.append(int(entry.name))
    return kids


def _uid(pid):
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("Uid:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


SHM_KEY = 0x5EED1234


def test_nothing_a_run_leaves_in_tmp_or_ipc_reaches_the_next_or_the_host(box):
    leave = (
        "import ctypes, os\nlibc = ctypes.CDLL(None, use_errno=True)\ndef f():\n"
        "    for d in ('/tmp', '/var/tmp', '/dev/shm', '.'):\n"
        "        open(os.path.join(d, 'left-behind'), 'w').write('x')\n"
        f"    return libc.shmget({SHM_KEY}, 1 << 20, 0o1666) >= 0\n"
    )
    made = box.run(leave, entry="f", calls=[()]).calls[0].value
    assert made is (not box.isolation.ipc)  # with the seccomp filter: refused outright
    find = (
        "import ctypes, glob\nlibc = ctypes.CDLL(None, use_errno=True)\ndef f():\n"
        "    found = glob.glob('/tmp/**/left-behind', recursive=True)\n"
        "    found += glob.glob('/var/tmp/left-behind') + glob.glob('/dev/shm/left-behind')\n"
        f"    return found, libc.shmget({SHM_KEY}, 0, 0o666)\n"
    )
    assert box.run(find, entry="f", calls=[()]).calls[0].value == ([], -1)
    on_host = [
        line
        for line in Path("/proc/sysvipc/shm").read_text().splitlines()[1:]
        if int(line.split()[0]) == SHM_KEY
    ]
    for line in on_host:  # never leave it behind on the host, even when failing
        subprocess.run(["ipcrm", "-m", line.split()[1]], check=False)
    assert on_host == []


def test_the_cpu_limit_holds_before_the_wall_limit():
    with Sandbox(Limits(wall_s=120.0, cpu_s=1)) as box:
        run = box.run("while True:\n    pass\n")
    assert run.timed_out and run.stopped_by == "cpu" and run.signal == 9  # RLIMIT_CPU's kill


def test_out_of_cpu_and_out_of_wall_time_are_one_verdict():
    code = "def f():\n    while True:\n        pass\n"
    outcomes = []
    for limits in (Limits(wall_s=60.0, cpu_s=1), Limits(wall_s=0.5, cpu_s=60)):
        with Sandbox(limits) as box:
            run = box.run(code, entry="f", calls=[()])
            outcomes.append(grade_program(box, code, "f", [HiddenTest((), 1)]).to_dict())
        assert run.timed_out and not run.calls[0].returned
        assert run.stopped_by == ("cpu" if limits.cpu_s == 1 else "wall")
    by_cpu, by_wall = outcomes
    assert by_cpu["diagnosis"]["status"] == "timeout" and by_cpu["diagnosis"]["timeout"]
    assert by_cpu == by_wall


def test_a_busy_thread_meets_the_wall_limit_first():
    with Sandbox(Limits(wall_s=1.0)) as box:
        run = box.run("def f():\n    while True:\n        pass\n", entry="f", calls=[()])
    assert run.timed_out and run.stopped_by == "wall"
