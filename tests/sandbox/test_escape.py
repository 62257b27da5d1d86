"""Attacks on the jail: the host's disk, other runs' inputs, namespaces, the trusted side."""

import os
import sysconfig

import pytest

from fbgym.envs.code.grader import HiddenTest, grade_program
from fbgym.sandbox import Limits, Sandbox

MARKER = "fbgym-left-behind-5e1f"


@pytest.fixture(scope="module")
def box():
    with Sandbox(Limits(wall_s=10.0, scratch_mb=8, scratch_files=64)) as sandbox:
        yield sandbox


def _jailed(box):
    if not (box.isolation.filesystem and box.isolation.stdlib_only):
        pytest.skip("this machine cannot give runs a root filesystem of their own")


WRITE_EVERYWHERE = f"""
import os
def f():
    made = []
    for top, dirs, files in os.walk('/'):
        dirs[:] = [d for d in dirs if os.path.join(top, d) not in ('/proc', '/sys')]
        try:
            with open(os.path.join(top, '{MARKER}'), 'w') as handle:
                handle.write('x')
            made.append(os.path.realpath(os.path.join(top, '{MARKER}')))
        except OSError:
            pass
    return made
"""
FIND_MARKERS = f"""
import os
def f():
    return [top for top, dirs, files in os.walk('/') if '{MARKER}' in files]
"""


def test_nothing_a_run_writes_reaches_the_host_or_the_next_run(box):
    made = box.run(WRITE_EVERYWHERE, entry="f", calls=[()]).calls[0].value
    found = box.run(FIND_MARKERS, entry="f", calls=[()]).calls[0].value
    on_host = [p for p in made if os.path.exists(p)]
    for path in on_host:  # never leave it behind, even when failing
        os.unlink(path)
    assert made  # it could write somewhere: its scratch space
    assert found == [] and on_host == []


def test_run_lock_and_other_world_writable_host_directories_are_not_there(box):
    code = "import os\ndef f():\n    return [p for p in ('/run', '/run/lock', '/var/lock', '/home') if os.path.exists(p)]\n"
    _jailed(box)
    assert box.run(code, entry="f", calls=[()]).calls[0].value == []


def test_scratch_space_is_bounded_in_files_and_bytes(box):
    _jailed(box)
    many_files = (
        "import os\ndef f():\n    made = 0\n    try:\n        for i in range(100000):\n"
        "            open('empty-%d' % i, 'w').close()\n            made += 1\n"
        "    except OSError:\n        pass\n    return made\n"
    )
    assert box.run(many_files, entry="f", calls=[()]).calls[0].value <= 64
    many_bytes = (
        "import os\ndef f():\n    written = 0\n    for place in ('/tmp', '/var/tmp', '/dev/shm', '.'):\n"
        "        for i in range(64):\n            try:\n"
        "                with open(os.path.join(place, 'big-%d' % i), 'wb') as fh:\n"
        "                    written += fh.write(b'0' * (1 << 20))\n                    fh.flush()\n"
        "            except OSError:\n                break\n    return written\n"
    )
    assert box.run(many_bytes, entry="f", calls=[()]).calls[0].value <= 8 << 20


def test_the_hosts_files_beyond_the_standard_library_are_out_of_reach(box):
    """A run could otherwise find a checkout of fbgym and run the problem generator."""
    stdlib = os.path.realpath(sysconfig.get_paths()["stdlib"])
    code = (
        "import os\ndef f(stdlib):\n    seen = []\n"
        "    for top, dirs, files in os.walk('/'):\n"
        "        if top in ('/proc', '/sys') or top == stdlib or top.startswith(stdlib + '/'):\n"
        "            dirs[:] = []\n            continue\n"
        "        for name in files:\n"
        "            path = os.path.join(top, name)\n"
        "            if name.endswith('.py') or name in ('passwd', 'shadow', 'pyvenv.cfg'):\n"
        "                try:\n                    open(path, 'rb').read(1)\n"
        "                    seen.append(path)\n                except OSError:\n                    pass\n"
        "    return seen\n"
    )
    assert box.run(code, entry="f", calls=[(stdlib,)]).calls[0].value == []


SNOOP = """
import gc, sys
def f(x):
    if x != 'first':
        return x
    seen = []
    frame = sys._getframe()
    while frame is not None:
        seen.append(repr(frame.f_locals))
        frame = frame.f_back
    seen += [repr(o) for o in gc.get_objects() if isinstance(o, (dict, list, tuple))]
    words = [w.replace('_', '-') for w in ('SECRET_NEXT', 'SECRET_EARLIER')]  # not in this source
    return [word for word in words if any(word in s for s in seen)]
"""


def test_a_call_sees_no_later_calls_arguments_nor_an_earlier_runs(box):
    box.run("def f(x):\n    return x", entry="f", calls=[("SECRET-EARLIER",)])
    run = box.run(SNOOP, entry="f", calls=[("first",), ("SECRET-NEXT",)])
    assert run.calls[0].value == [] and run.calls[1].value == "SECRET-NEXT"


def test_a_run_cannot_make_user_namespaces_nor_use_keyrings(box):
    if not box.isolation.seccomp:
        pytest.skip("this machine cannot install the seccomp filter")
    code = (
        "import ctypes, os\nlibc = ctypes.CDLL(None, use_errno=True)\ndef f():\n"
        "    out = [libc.unshare(0x10000000), libc.syscall(0x110 if os.uname().machine == 'x86_64'"
        " else 97, 0x10000000)]\n"
        "    out.append(libc.syscall(250 if os.uname().machine == 'x86_64' else 219, 0, -3, 0))\n"
        "    return out, ctypes.get_errno()\n"
    )
    assert box.run(code, entry="f", calls=[()]).calls[0].value == ([-1, -1, -1], 1)


def test_threads_and_processes_still_work_under_the_filter(box):
    code = (
        "import threading, multiprocessing, subprocess, sys\ndef f():\n    out = []\n"
        "    t = threading.Thread(target=out.append, args=(1,))\n    t.start()\n    t.join()\n"
        "    with multiprocessing.Pool(2) as pool:\n        out += pool.map(abs, [-2, -3])\n"
        "    out.append(subprocess.run([sys.executable, '-c', 'print(4)'], capture_output=True)"
        ".stdout.strip())\n    return out\n"
    )
    assert box.run(code, entry="f", calls=[()]).calls[0].value == [1, 2, 3, b"4"]


def _forged(make_line):
    """A program whose first call writes the line ``make_line`` builds, where its answer goes."""
    return f"import os\n{make_line}\ndef f():\n    os.write(3, line.encode())\n    os._exit(0)\n"


def test_a_deeply_nested_answer_is_a_tampered_run_not_an_exception(box):
    for make_line in (
        "line = '[' * 200000 + ']' * 200000 + '\\n'",  # nested JSON
        "line = chr(9).join(['N'] + ['L1'] * 200000) + '\\n'",  # nested tokens
        "line = 'i' + 'f' * 20000 + '\\n'",  # an int no str() would show
    ):
        outcome = grade_program(box, _forged(make_line), "f", [HiddenTest((), None)])
        assert outcome.diagnosis["status"] == "tampered"


COLLIDING = 30000
"""Ints ``1 + k * (2**61 - 1)`` all hash to 1: a set of them takes quadratic time to build."""


def test_hash_colliding_keys_are_refused_before_they_cost_anything(box):
    as_json = (
        "items = ', '.join('[\"int\", \"%d\"]' % (1 + k * (2**61 - 1)) for k in range("
        f'{COLLIDING}))\nline = \'{{"i": 0, "ok": ["set", [\' + items + \']]}}\\n\''
    )
    as_tokens = (
        "items = [format(1 + k * (2**61 - 1), 'x') for k in range("
        f"{COLLIDING})]\nline = chr(9).join(['s\"ok\"', 'i0'] + ['i' + x for x in items]"
        f" + ['S{COLLIDING}', 'U3']) + '\\n'"
    )
    for make_line in (as_json, as_tokens):
        outcome = grade_program(box, _forged(make_line), "f", [HiddenTest((), {1})])
        assert outcome.diagnosis["status"] == "tampered"
    assert "share one hash" in outcome.diagnosis["tampered"]


def test_output_and_errors_reach_the_agent_without_control_sequences(box):
    esc = "\\x1b"
    code = (
        f"print('{esc}[2J{esc}]0;pwned\\x07\\x00shown\\x9b31m\\r')\n"
        f"class Odd(Exception):\n    pass\nOdd.__name__ = 'Odd{esc}[31m'\n"
        f"def f():\n    raise Odd('{esc}[1mbold\\x00\\x85')\n"
    )
    outcome = grade_program(box, code, "f", [HiddenTest((), 1)])
    texts = [outcome.diagnosis["output"], str(outcome.diagnosis["failure"]["error"])]
    assert "shown" in texts[0] and "bold" in texts[1]
    for text in texts:
        assert not any(ord(c) < 32 and c not in "\n\t" or 127 <= ord(c) < 160 for c in text)


def test_integers_of_any_size_cross_both_ways(box):
    huge = 7**20000
    run = box.run("def f(x):\n    return x + 1, -x", entry="f", calls=[(huge,)])
    assert run.calls[0].value == (huge + 1, -huge)


def test_a_float_never_passes_for_an_int_it_only_rounds_to(box):
    outcome = grade_program(box, "def f():\n    return 1e20", "f", [HiddenTest((), 10**20 + 12345)])
    assert not outcome.success and outcome.diagnosis["status"] == "wrong_answer"
    outcome = grade_program(box, "def f():\n    return 1", "f", [HiddenTest((), True)])
    assert not outcome.success


def test_a_run_can_neither_mount_nor_make_its_root_writable(box):
    _jailed(box)
    code = (
        "import ctypes, os\nlibc = ctypes.CDLL(None, use_errno=True)\ndef f():\n"
        "    out = [libc.mount(b'none', b'/', None, 32 | 4096, None)]\n"  # MS_REMOUNT | MS_BIND
        "    out.append(libc.mount(b'tmpfs', b'/tmp', b'tmpfs', 0, None))\n"
        "    out.append(libc.umount2(b'/tmp', 2))\n"
        "    try:\n        open('/pwned', 'w')\n        out.append('wrote /')\n"
        "    except OSError:\n        pass\n    return out\n"
    )
    assert box.run(code, entry="f", calls=[()]).calls[0].value == [-1, -1, -1]
