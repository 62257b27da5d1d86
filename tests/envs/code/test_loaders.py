import gzip
import json

import gymnasium as gym
import pytest

import fbgym.envs.code  # noqa: F401
from fbgym.envs.code.loaders import load_humaneval
from fbgym.errors import DataFormatError

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
        "task_id": "HumanEval/2",
        "prompt": 'def truncate(x: float) -> float:\n    """Decimal part of x."""\n',
        "canonical_solution": "    return x % 1.0\n",
        "test": "def check(candidate):\n    assert candidate(3.5) == 0.5\n"
        "    assert abs(candidate(1.33) - 0.33) < 1e-6\n",
        "entry_point": "truncate",
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


@pytest.mark.parametrize("compress", [False, True])
def test_humaneval_canonical_passes_and_mutants_fail(tmp_path, compress):
    path = _write(tmp_path / ("he.jsonl.gz" if compress else "he.jsonl"), HUMANEVAL, compress)
    assert [len(p.tests) for p in load_humaneval(path)] == [3, 2]
    env = gym.make("fbgym/Code-v0", feedback="verbal", data_path=path, wall_s=1.0)
    for index, record in enumerate(HUMANEVAL):
        env.reset(seed=index)
        _, _, _, _, info = env.step(f"```python\n{record['canonical_solution']}```")  # body only
        assert info["success"], env.unwrapped.history[-1].outcome.diagnosis
        env.reset(seed=index)
        full = record["prompt"] + record["canonical_solution"]
        assert env.step(full)[4]["success"]
    mutated = {
        0: HUMANEVAL[0]["canonical_solution"].replace("< t", "> t"),
        1: HUMANEVAL[1]["canonical_solution"].replace("% 1.0", "// 1.0"),
    }
    for index, body in mutated.items():
        env.reset(seed=index)
        _, _, _, _, info = env.step(body)
        assert (
            not info["success"]
            and env.unwrapped.history[-1].outcome.diagnosis["status"] == "wrong_answer"
        )


def test_mbpp_reference_passes_and_mutant_fails(tmp_path):
    path = _write(tmp_path / "mbpp.jsonl", MBPP)
    env = gym.make(
        "fbgym/Code-v0", feedback="verbal", data_path=path, data_format="mbpp", wall_s=1.0
    )
    obs, info = env.reset(seed=0)
    assert info["problem"]["entry_point"] == "remove_Occ" and "remove_Occ" in obs["observation"]
    assert env.step(MBPP[0]["code"])[4]["success"]
    env.reset(seed=0)
    _, _, _, _, info = env.step(MBPP[0]["code"].replace("i < 0", "i > 0"))
    assert not info["success"] and "remove_Occ(" in info["feedback"].text


def test_bad_files_name_the_line(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps(HUMANEVAL[0]) + "\n{not json\n")
    with pytest.raises(DataFormatError, match="bad.jsonl:2"):
        load_humaneval(str(bad))
    missing = tmp_path / "missing.jsonl"
    missing.write_text(json.dumps({"prompt": "x"}) + "\n")
    with pytest.raises(DataFormatError, match="missing text field"):
        load_humaneval(str(missing))


def test_problems_without_literal_tests_are_skipped_with_a_warning(tmp_path):
    loop = dict(
        HUMANEVAL[1],
        task_id="HumanEval/9",
        test="def check(candidate):\n    for x in range(3):\n        assert candidate(x) == 0\n",
    )
    path = _write(tmp_path / "he.jsonl", [HUMANEVAL[0], loop])
    with pytest.warns(UserWarning, match="skipped 1 problem"):
        assert len(load_humaneval(path)) == 1
