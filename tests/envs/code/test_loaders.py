import gzip
import json

import gymnasium as gym
import pytest

import fbgym.envs.code  # noqa: F401
from fbgym.envs.code.loaders import load_humaneval, load_mbpp
from fbgym.envs.code.task import CodeConfig, CodeTask
from fbgym.errors import DataFormatError, UnknownIdError

HUMANEVAL = [
    {
        "task_id": "HumanEval/0",
        "prompt": "from typing import List\n\n\ndef has_close(numbers: List[float], t: float) -> bool:\n"
        '    """Whether two numbers are closer than t."""\n',
        "canonical_solution": "    for i, a in enumerate(numbers):\n        for j, b in enumerate(numbers):\n"
        "            if i != j and abs(a - b) < t:\n                return True\n"
        "    return False\n",
        "test": "def check(candidate):\n    assert candidate([1.0, 2.0, 3.9], 0.3) == False\n"
        "    assert candidate([1.0, 2.8, 3.0], 0.3) == True\n"
        "    assert not candidate([], 1.0)\n",
        "entry_point": "has_close",
    },
    {
        "task_id": "HumanEval/1",
        "prompt": 'def truncate(x: float) -> float:\n    """Decimal part of x."""\n',
        "canonical_solution": "    return x % 1.0\n",
        "test": "def check(candidate):\n    assert candidate(3.5) == 0.5\n"
        "    assert abs(candidate(1.33) - 0.33) < 1e-6\n",
        "entry_point": "truncate",
    },
    {  # no literal-argument assert at all: its inputs are computed, as in HumanEval/32
        "task_id": "HumanEval/2",
        "prompt": "def shift(s: str) -> str:\n"
        '    """Each letter one on in the alphabet: the inverse of unshift."""\n',
        "canonical_solution": "    return ''.join(chr((ord(c) - 97 + 1) % 26 + 97) for c in s)\n",
        "test": "import random\n\ndef unshift(s):\n"
        "    return ''.join(chr((ord(c) - 97 - 1) % 26 + 97) for c in s)\n\n"
        "def check(candidate):\n    rng = random.Random(7)\n    for _ in range(20):\n"
        "        word = ''.join(rng.choice('abcdefghijklmnopqrstuvwxyz') for _ in range(8))\n"
        "        assert unshift(candidate(word)) == word\n",
        "entry_point": "shift",
    },
]
MBPP = [
    {
        "task_id": 11,
        "text": "Remove the first and last occurrence of a character from a string.",
        "code": "def remove_Occ(s, ch):\n    s = s.replace(ch, '', 1)\n    i = s.rfind(ch)\n"
        "    return s if i < 0 else s[:i] + s[i + 1:]\n",
        "test_list": [
            'assert remove_Occ("hello","l") == "heo"',
            'assert remove_Occ("abcda","a") == "bcd"',
            'assert remove_Occ("PHP","P") == "H"',
        ],
        "test_setup_code": "",
        "challenge_test_list": [],
    },
    {
        "task_id": 12,
        "text": "Count the letters of a word.",
        "code": "from collections import Counter\ndef letters(word):\n    return Counter(word)\n",
        "test_list": [
            "assert letters('abca') == {'a': 2, 'b': 1, 'c': 1}",
            "assert letters('') == {}",
        ],
        "test_setup_code": "",
        "challenge_test_list": [],
    },
    {
        "task_id": 13,
        "text": "Group numbers by their remainder modulo 3.",
        "code": "from collections import defaultdict\ndef by_rest(xs):\n    out = defaultdict(list)\n"
        "    for x in xs:\n        out[x % 3].append(x)\n    return out\n",
        "test_list": ["assert by_rest([1, 2, 4]) == {1: [1, 4], 2: [2]}"],
        "test_setup_code": "",
        "challenge_test_list": [],
    },
    {  # inputs built by test_setup_code: objects, not literals
        "task_id": 14,
        "text": "The height of a binary tree.",
        "code": "def height(node):\n    if node is None:\n        return 0\n"
        "    return 1 + max(height(node.left), height(node.right))\n",
        "test_list": ["assert height(root) == 3", "assert height(leaf) == 1"],
        "test_setup_code": "class Node:\n    def __init__(self, v, left=None, right=None):\n"
        "        self.v, self.left, self.right = v, left, right\n"
        "root = Node(1, Node(2, Node(3)), Node(4))\nleaf = Node(5)\n",
        "challenge_test_list": [],
    },
    {  # the tests construct the solution's own class
        "task_id": 15,
        "text": "The widest pair.",
        "code": "class Pair:\n    def __init__(self, a, b):\n        self.a, self.b = a, b\n"
        "def widest(pairs):\n    return max(p.b - p.a for p in pairs)\n",
        "test_list": ["assert widest([Pair(1, 5), Pair(2, 3)]) == 4"],
        "test_setup_code": "",
        "challenge_test_list": [],
    },
]


def _write(path, records, compress=False):
    text = "\n".join(json.dumps(r) for r in records) + "\n"
    if compress:
        with gzip.open(path, "wt") as fh:
            fh.write(text)
    else:
        path.write_text(text)
    return str(path)


def _play(env, index, action):
    """The step's info, with the grader's outcome from the judge's side."""
    env.reset(seed=index)
    info = env.step(action)[4]
    return {**info, "outcome": env.unwrapped.history[-1].outcome}


@pytest.fixture(scope="module")
def humaneval(tmp_path_factory):
    path = _write(tmp_path_factory.mktemp("he") / "he.jsonl", HUMANEVAL)
    return gym.make("fbgym/Code-v0", feedback="verbal", data_path=path, wall_s=5.0)


@pytest.fixture(scope="module")
def mbpp(tmp_path_factory):
    path = _write(tmp_path_factory.mktemp("mbpp") / "mbpp.jsonl", MBPP)
    return gym.make(
        "fbgym/Code-v0", feedback="verbal", data_path=path, data_format="mbpp", wall_s=5.0
    )


def test_humaneval_canonical_solutions_pass_as_bodies_or_whole(humaneval):
    for index, record in enumerate(HUMANEVAL):
        info = _play(humaneval, index, f"```python\n{record['canonical_solution']}```")
        assert info["success"], info["outcome"].diagnosis
        assert _play(humaneval, index, record["prompt"] + record["canonical_solution"])["success"]


def test_humaneval_mutants_fail(humaneval):
    mutated = {
        0: HUMANEVAL[0]["canonical_solution"].replace("< t", "> t"),
        1: HUMANEVAL[1]["canonical_solution"].replace("% 1.0", "// 1.0"),
        2: HUMANEVAL[2]["canonical_solution"].replace("+ 1)", "+ 2)"),
    }
    for index, body in mutated.items():
        info = _play(humaneval, index, body)
        assert not info["success"] and info["outcome"].diagnosis["status"] == "wrong_answer"


def test_computed_argument_asserts_catch_what_literal_ones_miss(humaneval):
    """Right on the literal inputs, wrong elsewhere: only computed-input asserts see it."""
    cheat = "    return {'abc': 'bcd'}.get(s, s)\n"
    info = _play(humaneval, 2, cheat)
    assert not info["success"] and info["outcome"].diagnosis["status"] == "wrong_answer"
    special = (
        "    if numbers == [1.0, 2.0, 3.9]:\n        return False\n"
        "    if numbers == [1.0, 2.8, 3.0]:\n        return True\n    return True\n"
    )
    info = _play(humaneval, 0, special)
    assert not info["success"] and info["outcome"].diagnosis["passed"] == 2


def test_feedback_shows_literal_calls_but_never_computed_inputs(humaneval):
    info = _play(humaneval, 1, "    return x // 1.0\n")
    failure = info["outcome"].diagnosis["failure"]
    assert failure["call"] == "truncate(3.5)" and failure["expected"] == "0.5"
    assert "truncate(3.5)" in info["feedback"].text
    info = _play(humaneval, 2, "    return s\n")
    failure = info["outcome"].diagnosis["failure"]
    assert failure["call"] is None and failure["expected"] is None
    assert "shift(" not in info["feedback"].text and "unshift" not in info["feedback"].text
    assert info["outcome"].diagnosis["assertion"]["source"].startswith("assert unshift(")


def test_a_literal_assert_without_a_literal_expected_value_shows_the_assert(humaneval):
    info = _play(humaneval, 1, "    return 0.5 if x == 3.5 else x\n")
    failure = info["outcome"].diagnosis["failure"]
    assert failure["call"] == "truncate(1.33)"
    assert (
        failure["expected"] == "a value for which `assert abs(truncate(1.33) - 0.33) < 1e-06` holds"
    )


def test_problems_keep_their_file_order_and_ids(tmp_path):
    records = [HUMANEVAL[2], HUMANEVAL[0], HUMANEVAL[1]]
    path = _write(tmp_path / "he.jsonl", records)
    assert [p.task_id for p in load_humaneval(path)] == [
        "HumanEval/2",
        "HumanEval/0",
        "HumanEval/1",
    ]
    task = CodeTask(CodeConfig(data_path=path))
    assert [task.index_of(r["task_id"]) for r in records] == [0, 1, 2]
    assert task.problem("test", 1, 0).public["task_id"] == "HumanEval/0"
    with pytest.raises(UnknownIdError, match="did you mean HumanEval/1"):
        task.index_of("HumanEval/11")


def test_a_problem_that_cannot_be_graded_is_an_error_naming_it(tmp_path):
    broken = dict(HUMANEVAL[1], task_id="HumanEval/9", canonical_solution="    return x\n")
    path = _write(tmp_path / "he.jsonl", [HUMANEVAL[0], broken])
    task = CodeTask(CodeConfig(data_path=path))
    assert task.problem("test", 0, 0).public["tests"] == 3
    with pytest.raises(DataFormatError, match=r"he.jsonl:2 \(HumanEval/9\).*fails its own tests"):
        task.problem("test", 1, 0)
    unparsable = dict(HUMANEVAL[0], test="def check(candidate):\n    assert (\n")
    with pytest.raises(DataFormatError, match=r"bad.jsonl:1 \(HumanEval/0\).*does not parse"):
        load_humaneval(_write(tmp_path / "bad.jsonl", [unparsable]))


@pytest.mark.parametrize("compress", [False, True])
def test_files_load_plain_or_gzipped(tmp_path, compress):
    path = _write(tmp_path / ("he.jsonl.gz" if compress else "he.jsonl"), HUMANEVAL, compress)
    assert [p.entry_point for p in load_humaneval(path)] == ["has_close", "truncate", "shift"]


def test_mbpp_references_pass_and_mutants_fail(mbpp):
    for index, record in enumerate(MBPP):
        info = _play(mbpp, index, record["code"])
        assert info["success"], (record["task_id"], info["outcome"].diagnosis)
    info = _play(mbpp, 0, MBPP[0]["code"].replace("i < 0", "i > 0"))
    assert not info["success"] and "remove_Occ(" in info["feedback"].text
    info = _play(mbpp, 3, MBPP[3]["code"].replace("1 + max", "max"))
    assert not info["success"] and info["outcome"].diagnosis["failure"]["call"] is None


def test_counter_and_defaultdict_answers_pass_and_wrong_counts_fail(mbpp):
    counted = "def letters(word):\n    return {c: word.count(c) for c in word}\n"
    assert _play(mbpp, 1, counted)["success"]
    info = _play(
        mbpp, 1, "from collections import Counter\ndef letters(w):\n    return Counter(w + 'a')\n"
    )
    assert not info["success"] and info["outcome"].diagnosis["status"] == "wrong_answer"
    assert "UnencodableValue" not in info["feedback"].text
    grouped = "def by_rest(xs):\n    return {1: [x for x in xs if x % 3 == 1], 2: [x for x in xs if x % 3 == 2]}\n"
    assert _play(mbpp, 2, grouped)["success"]


def test_bad_files_name_the_line(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps(HUMANEVAL[0]) + "\n{not json\n")
    with pytest.raises(DataFormatError, match="bad.jsonl:2"):
        load_humaneval(str(bad))
    missing = tmp_path / "missing.jsonl"
    missing.write_text(json.dumps({"prompt": "x"}) + "\n")
    with pytest.raises(DataFormatError, match="missing text field"):
        load_humaneval(str(missing))
    nothing_called = dict(MBPP[0], test_list=["assert 1 == 1"])
    with pytest.raises(DataFormatError, match=r"\(11\): the tests call no function"):
        load_mbpp(_write(tmp_path / "m.jsonl", [nothing_called]))
