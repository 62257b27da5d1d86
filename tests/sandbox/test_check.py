"""A solution checked by a test program run beside it: each sees only the other's values."""

import pytest

from fbgym.sandbox import Limits, Sandbox, TestProgram


@pytest.fixture(scope="module")
def box():
    with Sandbox(Limits(wall_s=10.0)) as sandbox:
        yield sandbox


def _check(box, solution, tests, bindings=("f",), setup=""):
    program = TestProgram.build(tests, bindings=bindings, setup=setup)
    return box.check(solution, program, entry=bindings[0]), program


def test_every_assert_reports_and_a_failed_one_hides_none_after_it(box):
    tests = "assert f(1) == 2\nassert f(2) == 5\nfor x in range(3):\n    assert f(x) == x + 1\n"
    result, program = _check(box, "def f(x):\n    return x + 1\n", tests)
    assert result.completed and not result.success
    assert [a.held for a in result.asserts] == [True, False, True, True, True]
    failed = result.asserts[1]
    assert program.site(failed.site).text == "assert f(2) == 5" and failed.call.args == (2,)
    assert failed.call.result.value == 3 and program.site(failed.site).expected == "5"
    assert program.site(2).literal is False and program.site(0).literal is True


def test_the_solution_finds_nothing_of_the_tests_in_its_process(box):
    snoop = (
        "import gc, sys\ndef f(x):\n    word = 'EXPECTED_' + 'ANSWER'\n    seen = []\n"
        "    frame = sys._getframe()\n    while frame is not None:\n"
        "        seen += [repr(frame.f_locals), repr(frame.f_code.co_consts)]\n"
        "        frame = frame.f_back\n"
        "    seen += [repr(o) for o in gc.get_objects()]\n"
        "    return any(word.replace('_', '-') in s for s in seen)\n"
    )
    result, _ = _check(box, snoop, "assert f(0) == 'EXPECTED-ANSWER'\n")
    assert result.asserts[0].call.result.value is False


def test_the_solutions_exceptions_keep_their_builtin_type_in_the_tests(box):
    tests = (
        "try:\n    f(-1)\n    raised = None\nexcept ValueError as exc:\n    raised = str(exc)\n"
        "assert raised == 'negative'\nassert f(2) == 4\n"
    )
    solution = "def f(x):\n    if x < 0:\n        raise ValueError('negative')\n    return x * x\n"
    result, _ = _check(box, solution, tests)
    assert result.success and result.calls == 2


def test_objects_cross_by_attributes_and_by_reference(box):
    setup = "class Node:\n    def __init__(self, v, kids=()):\n        self.v, self.kids = v, list(kids)\n"
    setup += "tree = Node(1, [Node(2), Node(3, [Node(4)])])\n"
    solution = (
        "class Box:\n    def __init__(self, x):\n        self.x = x\n"
        "def depth(node):\n    return 1 + max((depth(k) for k in node.kids), default=0)\n"
        "def unbox(b):\n    return b.x\n"
    )
    tests = (
        "assert depth(tree) == 3\nassert unbox(Box([1, 2])) == [1, 2]\nassert Box(1) != Box(1)\n"
    )
    result, _ = _check(box, solution, tests, bindings=("depth", "unbox", "Box"), setup=setup)
    assert result.success, result


def test_an_error_outside_any_assert_stops_the_tests(box):
    tests = "assert f(1) == 1\nvalue = f(None) + 1\nassert f(2) == 2\n"
    result, _ = _check(box, "def f(x):\n    return x\n", tests)
    assert not result.completed and not result.success
    assert result.aborted.error.type == "TypeError" and result.passed == 1


def test_a_slow_solution_is_stopped_and_reported(box):
    solution = "import time\ndef f(x):\n    if x:\n        time.sleep(60)\n    return x\n"
    program = TestProgram.build("assert f(0) == 0\nassert f(1) == 1\n", bindings=("f",))
    result = box.check(solution, program, entry="f", limits=Limits(wall_s=1.0))
    assert result.timed_out and not result.success and result.passed == 1


def test_answers_the_solution_forges_make_the_check_fail(box):
    forger = "import os\ndef f(x):\n    os.write(3, b's\"ok\"\\ti1\\tT\\tU3\\n')\n    return x\n"
    result, _ = _check(box, forger, "assert f(1) == 1\nassert f(2) == 2\n")
    assert result.protocol_error and not result.success


def test_runs_side_by_side_cannot_reach_each_others_abstract_sockets(box):
    if not box.isolation.scoped:
        pytest.skip("this kernel has no Landlock scopes (Linux 6.12)")
    setup = (
        "import socket\nlistener = socket.socket(socket.AF_UNIX)\n"
        "listener.bind('\\0fbgym-tests-listen')\nlistener.listen()\n"
    )
    solution = (
        "import socket\ndef f():\n    s = socket.socket(socket.AF_UNIX)\n    try:\n"
        "        s.connect('\\0fbgym-tests-listen')\n        return 'reached'\n"
        "    except OSError as exc:\n        return exc.errno\n"
    )
    result, _ = _check(box, solution, "assert f() == 1\n", setup=setup)
    assert result.success, result.asserts  # EPERM: refused by the scope
