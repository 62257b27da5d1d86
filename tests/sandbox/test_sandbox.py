import os
import site
import sys

import pytest

from fbgym.errors import ConfigError
from fbgym.sandbox import (
    Isolation,
    Limits,
    Sandbox,
    SandboxError,
    decode_value,
    encode_value,
    values_equal,
)


@pytest.fixture(scope="module")
def box():
    with Sandbox(Limits(wall_s=1.0)) as sandbox:
        yield sandbox


def test_calls_return_plain_values(box):
    run = box.run(
        "def f(x, y):\n    return {'s': x + y, 't': (x, [y])}", entry="f", calls=[(1, 2), (3, 4)]
    )
    assert run.loaded and run.state == "exited"
    assert [c.value for c in run.calls] == [{"s": 3, "t": (1, [2])}, {"s": 7, "t": (3, [4])}]


def test_exception_reports_type_line_and_trimmed_traceback(box):
    run = box.run("def f(xs):\n    a = 1\n    return xs[5]", entry="f", calls=[([1],)])
    error = run.calls[0].error
    assert error.type == "IndexError" and error.line == 3
    assert "return xs[5]" in error.traceback and "_server" not in error.traceback


def test_syntax_error_is_a_load_error_with_its_line(box):
    run = box.run("x = 1\ndef f(:\n    pass", entry="f", calls=[()])
    assert not run.loaded and run.load_error.type == "SyntaxError" and run.load_error.line == 2
    assert not run.calls[0].returned


def test_missing_entry_point_is_a_load_error(box):
    run = box.run("def g():\n    return 1", entry="f", calls=[()])
    assert run.load_error.type == "NameError" and "'f'" in run.load_error.message


def test_each_run_is_fresh(box):
    box.run("import builtins\nbuiltins.LEAK = 1\nopen('state.txt', 'w').write('x')")
    run = box.run(
        "import builtins, os\ndef f():\n    return hasattr(builtins, 'LEAK'), os.listdir('.')",
        entry="f",
        calls=[()],
    )
    assert run.calls[0].value == (False, [])


def test_output_is_captured_and_capped():
    with Sandbox(Limits(wall_s=1.0, output_chars=100)) as box:
        run = box.run("print('hello')\nprint('y' * 5000)")
    assert run.output.startswith("hello\n") and len(run.output) == 100


def test_isolation_is_reported_and_strict_accepts_complete_isolation(box):
    iso = box.isolation
    assert iso.to_dict()["level"] in ("full", "partial")
    if iso.missing:
        with pytest.raises(SandboxError, match="strict sandbox refused"):
            Sandbox(strict=True).run("pass")
    else:
        with Sandbox(Limits(wall_s=1.0), strict=True) as strict:
            assert strict.run("def f():\n    return 1", entry="f", calls=[()]).calls[0].value == 1


def test_isolation_missing_names_what_strict_mode_needs():
    weak = Isolation(
        network=False, filesystem=True, proc_hidden=False, pid_namespace=True, user="same"
    )
    assert weak.level == "partial"
    assert "network namespace" in weak.missing and any("uid" in m for m in weak.missing)


def test_values_roundtrip_and_refuse_other_objects():
    value = {"a": [1, 2.5, None, True], (1, "b"): {3, 4}, "c": b"\x00", "d": 1j, "e": frozenset()}
    assert decode_value(encode_value(value)) == value
    with pytest.raises(ValueError, match="object is not plain data"):
        encode_value([object()])
    assert values_equal(0.1 + 0.2, 0.3) and not values_equal([1], (1,))
    assert values_equal(float("nan"), float("nan")) and not values_equal("1", 1)


def test_limits_are_validated():
    with pytest.raises(ConfigError, match="wall_s must be"):
        Limits(wall_s=0)
    with pytest.raises(ConfigError, match="processes must be a positive integer"):
        Limits(processes=0)
    with pytest.raises(ConfigError, match="scratch_files must be a positive integer"):
        Limits(scratch_files=0)
    assert Limits(wall_s=2.5).cpu_s == 4  # headroom: a busy thread meets the wall limit first


STDLIB = "heapq, fractions, statistics, decimal, bisect, functools, itertools, collections, string"


def test_the_whole_standard_library_can_be_imported(box):
    run = box.run(
        f"import {STDLIB}, re, math, datetime, csv, xml.etree.ElementTree, sqlite3\n"
        "def f():\n    return str(fractions.Fraction(1, 3) + 1), statistics.median([3, 1, 2])\n",
        entry="f",
        calls=[()],
    )
    assert run.load_error is None and run.calls[0].value == ("4/3", 2)


@pytest.mark.parametrize("name", ["fbgym", "numpy", "pytest"])
def test_the_parents_packages_cannot_be_imported(box, name):
    run = box.run(f"import {name}")
    assert run.load_error.type == "ModuleNotFoundError" and name in run.load_error.message


def test_the_parents_packages_stay_out_of_reach_by_path(box):
    import fbgym

    if not box.isolation.stdlib_only:
        pytest.skip("this machine cannot hide the host's packages (no mount namespace)")
    places = [sys.prefix, *site.getsitepackages(), os.path.dirname(fbgym.__file__)]
    code = (
        "import os, sys\ndef f(places):\n    sys.path[:0] = places\n    try:\n"
        "        import fbgym\n        return 'imported'\n    except ImportError:\n        pass\n"
        "    return [p for p in places if os.path.exists(p) and os.listdir(p)]\n"
    )
    assert box.run(code, entry="f", calls=[(places,)]).calls[0].value == []


def test_the_hosts_home_holds_only_the_interpreter_for_runs(box):
    home = os.path.expanduser("~")
    stdlib = os.path.realpath(os.path.dirname(os.__file__))
    if not box.isolation.stdlib_only:
        pytest.skip("this machine cannot give runs a root filesystem of their own")
    code = (
        "import os\ndef f(home, stdlib):\n    seen = []\n"
        "    for top, dirs, files in os.walk(home):\n"
        "        if top == stdlib or top.startswith(stdlib + os.sep):\n            dirs[:] = []\n"
        "            continue\n        for name in files:\n            try:\n"
        "                open(os.path.join(top, name), 'rb').read(1)\n"
        "                seen.append(os.path.realpath(os.path.join(top, name)))\n"
        "            except OSError:\n                pass\n"
        "    try:\n        open(os.path.join(stdlib, 'pwned.py'), 'w')\n"
        "        seen.append('wrote the standard library')\n    except OSError:\n        pass\n"
        "    return seen\n"
    )
    seen = box.run(code, entry="f", calls=[(home, stdlib)]).calls[0].value
    interpreter = {os.path.realpath(sys.executable)}
    assert all(p in interpreter or os.path.basename(p).startswith("libpython") for p in seen)


class _Degraded(Sandbox):
    """A sandbox as it runs where the kernel or the user allows less."""

    def __init__(self, *args, lacking, **kwargs):
        super().__init__(*args, **kwargs)
        self.lacking = lacking

    def _server_config(self):
        return {**super()._server_config(), **dict.fromkeys(self.lacking, False)}


@pytest.mark.parametrize(
    "lacking",
    [
        ("network", "filesystem", "userns", "pid"),  # no namespace at all: process groups
        ("pid_per_run",),  # no PID namespace per run (Linux < 5.8): the server reaps as init
    ],
)
def test_with_less_isolation_runs_still_work_and_strict_mode_refuses(lacking):
    with _Degraded(Limits(wall_s=5.0), lacking=lacking) as box:
        assert box.isolation.level == "partial"
        for number in range(3):  # several batches: each ends what the one before left
            run = box.run("def f(x):\n    return [x, x * 2]", entry="f", calls=[(number,)])
            assert run.calls[0].value == [number, 2 * number]
        assert box.run("import time\ntime.sleep(30)", limits=Limits(wall_s=0.5)).timed_out
        assert box.run("def f():\n    return 1", entry="f", calls=[()]).calls[0].value == 1
    with pytest.raises(SandboxError, match="strict sandbox refused: this machine lacks"):
        _Degraded(strict=True, lacking=lacking).run("pass")


def test_a_runs_scratch_space_is_its_sandboxs(box):
    with pytest.raises(ConfigError, match="a run's scratch space is its sandbox's"):
        box.run("pass", limits=Limits(scratch_mb=1))
    assert box.run("pass", limits=Limits(wall_s=0.5, memory_mb=128)).state == "exited"


def test_a_process_forked_from_the_parent_holds_none_of_its_runs():
    with Sandbox(Limits(wall_s=3.0)) as box:
        box.run("pass")  # spares are handed over
        pid = os.fork()
        if pid == 0:  # a worker forked from the parent, living on
            import time

            time.sleep(30)
            os._exit(0)
        try:
            for number in range(3):
                run = box.run("def f(x):\n    return x", entry="f", calls=[(number,)])
                assert run.state == "exited" and run.calls[0].value == number
        finally:
            os.kill(pid, 9)
            os.waitpid(pid, 0)


def test_idle_spares_of_many_sandboxes_leave_a_run_its_processes():
    boxes = [Sandbox(Limits(wall_s=10.0)) for _ in range(6)]
    try:
        for other in boxes:
            other.run("pass")  # each now keeps spares waiting
        code = (
            "import multiprocessing\ndef f():\n    with multiprocessing.Pool(4) as pool:\n"
            "        return pool.map(abs, [-1, -2, -3, -4])\n"
        )
        assert boxes[0].run(code, entry="f", calls=[()]).calls[0].value == [1, 2, 3, 4]
    finally:
        for other in boxes:
            other.close()
