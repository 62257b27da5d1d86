import gzip
import json
from fractions import Fraction

import gymnasium as gym
import pytest

import fbgym  # noqa: F401
from fbgym.envs.math.loaders import gsm8k_steps, load_gsm8k, load_math
from fbgym.envs.math.program import evaluate
from fbgym.envs.math.task import MathConfig, MathTask
from fbgym.errors import DataFormatError

GSM8K = [
    {
        "question": "Natalia sold clips to 48 of her friends in April, and then she sold half as many "
        "clips in May. How many clips did Natalia sell altogether in April and May?",
        "answer": "Natalia sold 48/2 = <<48/2=24>>24 clips in May.\nNatalia sold 48+24 = <<48+24=72>>72 "
        "clips altogether in April and May.\n#### 72",
    },
    {
        "question": "Weng earns $12 an hour for babysitting. Yesterday, she just did 50 minutes of "
        "babysitting. How much did she earn?",
        "answer": "Weng earns 12/60 = $<<12/60=0.2>>0.2 per minute.\nWorking 50 minutes, she earned "
        "0.2 x 50 = $<<0.2*50=10>>10.\n#### 10",
    },
    {"question": "A shop sold 1,200 pens. How many?", "answer": "No annotations here.\n#### 1,200"},
]
MATH = [
    {
        "problem": "What is $\\frac{1}{2} + \\frac{1}{3}$?",
        "solution": "We have $\\frac{3}{6} + \\frac{2}{6} = \\boxed{\\frac{5}{6}}$.",
        "level": "Level 2",
    },
    {
        "problem": "Find $x$ if $2x = \\sqrt{12}$.",
        "solution": "So $x = \\boxed{\\sqrt{3}}$.",
        "level": "Level 3",
        "type": "Algebra",
    },
]


def write_jsonl(path, rows, gz=False):
    opener = gzip.open if gz else open
    with opener(path, "wt", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row) + "\n")
    return path


def test_gsm8k_loads_answers_and_step_programs(tmp_path):
    problems = load_gsm8k(write_jsonl(tmp_path / "gsm8k.jsonl", GSM8K))
    assert [p.answer for p in problems] == ["72", "10", "1200"]
    first = problems[0]
    assert [s.expr for s in first.steps] == ["48/2", "48+s1"]
    assert evaluate(first.steps)[-1] == 72
    assert problems[2].steps == () and problems[0].source.endswith(":1")


def test_gsm8k_gz_and_env_end_to_end(tmp_path):
    path = write_jsonl(tmp_path / "gsm8k.jsonl.gz", GSM8K, gz=True)
    env = gym.make("fbgym/Math-v0", feedback="verbal", data_path=str(path), data_format="gsm8k")
    obs, info = env.reset(seed=0)
    assert obs["observation"].startswith("Natalia")
    _, _, _, _, info = env.step("She sold 48 + 48 = 96. The answer is 96")
    assert not info["success"] and info["feedback"].meta["direction"] == "high"
    assert info["feedback"].meta["step"] == 1  # 48 + 48: the halving in step 1 was left out
    _, _, terminated, _, info = env.step("#### 72")
    assert info["success"] and terminated


def test_math_format(tmp_path):
    problems = load_math(write_jsonl(tmp_path / "math.jsonl", MATH))
    assert [p.answer for p in problems] == ["\\frac{5}{6}", "\\sqrt{3}"]
    assert problems[0].difficulty == 2
    env = gym.make(
        "fbgym/Math-v0",
        feedback="unary",
        data_path=str(tmp_path / "math.jsonl"),
        data_format="math",
    )
    env.reset(seed=1)
    assert env.step("\\boxed{\\sqrt{2}}")[4]["success"] is False
    assert env.step("So x is \\boxed{\\sqrt{3}}")[4]["success"] is True
    env.reset(seed=0)
    assert env.step("The answer is 5/6")[4]["success"] is True


def test_json_array_files(tmp_path):
    path = tmp_path / "math.json"
    path.write_text(json.dumps(MATH))
    assert len(load_math(path)) == 2


@pytest.mark.parametrize(
    "content,message",
    [
        ('{"question": "q"}\n', "missing text field"),
        ('{"question": "q", "answer": "no hashes"}\n', "####"),
        ('{"question": "q", "answer": "#### many"}\n', "not a number"),
        ("not json\n", "not valid JSON"),
        ("[1, 2]\n", "expected a JSON object"),
    ],
)
def test_bad_gsm8k_files_name_file_and_line(tmp_path, content, message):
    path = tmp_path / "bad.jsonl"
    path.write_text("\n" + content)
    with pytest.raises(DataFormatError, match=message) as err:
        load_gsm8k(path)
    assert "bad.jsonl:2" in str(err.value)


def test_missing_file_and_missing_box(tmp_path):
    with pytest.raises(DataFormatError, match="no such data file"):
        load_gsm8k(tmp_path / "nope.jsonl")
    path = write_jsonl(tmp_path / "m.jsonl", [{"problem": "p", "solution": "no box"}])
    with pytest.raises(DataFormatError, match="boxed"):
        load_math(path)


def test_annotations_become_step_references():
    steps = gsm8k_steps("a <<3*4=12>> b <<12+6=18>> c <<18/3=6>>")
    assert [s.expr for s in steps] == ["3*4", "s1+6", "s2/3"]


MATH500 = [
    {
        "problem": "Convert $(0,3)$ to polar coordinates.",
        "solution": "We have $r = 3$ and $\\theta = \\frac{\\pi}{2}$, so $\\boxed{(3,\\frac{\\pi}{2})}$.",
        "answer": "\\left( 3, \\frac{\\pi}{2} \\right)",
        "subject": "Precalculus",
        "level": 2,
        "unique_id": "test/precalculus/807.json",
    },
    {
        "problem": "What is $\\frac 43$ as a fraction?",
        "solution": "It is $\\boxed{\\frac 43}$.",
        "answer": "\\frac 43",
        "subject": "Algebra",
        "level": 1,
        "unique_id": "test/algebra/1.json",
    },
    {
        "problem": "Which day comes after Sunday?",
        "solution": "It is $\\boxed{\\text{Monday}}$.",
        "answer": "\\text{Monday}",
        "subject": "Prealgebra",
        "level": 1,
        "unique_id": "test/prealgebra/2.json",
    },
]


def test_math500_answer_field_level_and_ids(tmp_path):
    path = write_jsonl(tmp_path / "math500.jsonl", MATH500)
    problems = load_math(path)
    assert [p.answer for p in problems] == [r["answer"] for r in MATH500]
    assert [p.difficulty for p in problems] == [2, 1, 1]
    assert [p.id for p in problems] == [r["unique_id"] for r in MATH500]
    task = MathTask(MathConfig(data_path=str(path), data_format="math"))
    assert task.index_of("test/algebra/1.json") == 1
    assert task.problem("test", 1, 0).answer == "\\frac 43"  # index i is record i
    assert "test/algebra/1.json" not in str(task.problem("test", 1, 0).public)  # agents see no id
    assert task.problem("test", 1, 0).data["gold_value"] == Fraction(4, 3)


def test_math500_through_the_env(tmp_path):
    path = write_jsonl(tmp_path / "math500.jsonl", MATH500)
    env = gym.make("fbgym/Math-v0", feedback="verbal", data_path=str(path), data_format="math")
    env.reset(options={"index": 1})
    assert not env.step("\\boxed{43}")[4]["success"]  # \frac 43 is 4/3, not 43
    assert env.step("The answer is $\\frac{4}{3}$.")[4]["success"]
    env.reset(options={"index": 0})
    assert not env.step("\\boxed{(3, \\pi)}")[4]["success"]
    assert env.step("\\boxed{(3, \\pi/2)}")[4]["success"]
    env.reset(options={"index": 2})
    fb = env.step("Final Answer: The final answer is $\\text{Tuesday}$. I hope it is correct.")[4]
    assert not fb["success"] and fb["feedback"].meta == {}
    info = env.step("Final Answer: The final answer is $\\text{Monday}$. I hope it is correct.")[4]
    assert info["success"]


def test_unknown_and_missing_ids_are_clear_errors(tmp_path):
    from fbgym.errors import UnknownIdError

    path = write_jsonl(tmp_path / "math500.jsonl", MATH500)
    task = MathTask(MathConfig(data_path=str(path), data_format="math"))
    with pytest.raises(UnknownIdError, match="test/algebra/1.json"):
        task.index_of("test/algebra/11.json")
    gsm = MathTask(MathConfig(data_path=str(write_jsonl(tmp_path / "g.jsonl", GSM8K))))
    with pytest.raises(UnknownIdError, match="no id field"):
        gsm.index_of("0")
    with pytest.raises(UnknownIdError, match="generated"):
        MathTask().index_of("x")


def test_gsm8k_task_id_and_integer_ids(tmp_path):
    rows = [dict(r, task_id=f"gsm8k/{i}") for i, r in enumerate(GSM8K)]
    task = MathTask(MathConfig(data_path=str(write_jsonl(tmp_path / "g.jsonl", rows))))
    assert task.index_of("gsm8k/2") == 2
    rows = [dict(r, id=10 + i) for i, r in enumerate(GSM8K)]
    task = MathTask(MathConfig(data_path=str(write_jsonl(tmp_path / "h.jsonl", rows))))
    assert task.index_of("11") == 1


def test_a_repeated_id_names_both_records(tmp_path):
    rows = [
        dict(MATH[0], unique_id="a"),
        dict(MATH[1], unique_id="b"),
        dict(MATH[0], unique_id="a"),
    ]
    task = MathTask(
        MathConfig(data_path=str(write_jsonl(tmp_path / "m.jsonl", rows)), data_format="math")
    )
    with pytest.raises(DataFormatError, match=r"m.jsonl:3: id 'a' is already used at .*m.jsonl:1"):
        task.problem("test", 0, 0)


@pytest.mark.parametrize(
    "record,message",
    [
        ({"problem": "p", "solution": "s", "answer": ""}, "answer must be non-empty"),
        ({"problem": "p", "solution": "s", "answer": 3}, "answer must be non-empty"),
        ({"problem": "p", "solution": "$\\boxed{}$"}, "no \\\\boxed"),
        ({"problem": "p", "solution": "$\\boxed{1}$", "unique_id": ["x"]}, "unique_id must be"),
    ],
)
def test_bad_math_records_name_file_and_line(tmp_path, record, message):
    path = write_jsonl(tmp_path / "bad.jsonl", [MATH[0], record])
    with pytest.raises(DataFormatError, match=message) as err:
        load_math(path)
    assert "bad.jsonl:2" in str(err.value)


def test_gsm8k_solution_text_is_not_doubled(tmp_path):
    problems = load_gsm8k(write_jsonl(tmp_path / "gsm8k.jsonl", GSM8K))
    assert problems[1].solution == (
        "Weng earns 12/60 = $0.2 per minute.",
        "Working 50 minutes, she earned 0.2 x 50 = $10.",
    )
    assert problems[0].steps[1].text == "Natalia sold 48+24 = 72 clips altogether in April and May."


def test_math_feedback_compares_sizes_only_of_bare_numbers(tmp_path):
    rows = [
        {"problem": "p", "solution": "$\\boxed{10\\%}$"},
        {"problem": "q", "solution": "$\\boxed{\\frac 43}$"},
        {"problem": "r", "solution": "$\\boxed{5\\text{ cm}}$"},
    ]
    path = write_jsonl(tmp_path / "m.jsonl", rows)
    env = gym.make("fbgym/Math-v0", feedback="verbal", data_path=str(path), data_format="math")
    env.reset(options={"index": 0})
    assert env.step("\\boxed{0.1}")[4]["success"]  # 10% is 0.1
    env.reset(options={"index": 0})
    fb = env.step("\\boxed{0.2}")[4]["feedback"]  # 20%: not "too low" for being below 10
    assert "direction" not in fb.meta and "too" not in fb.text
    env.reset(options={"index": 1})
    fb = env.step("\\boxed{2}")[4]["feedback"]
    assert fb.meta["direction"] == "high" and "2" in fb.text
    env.reset(options={"index": 2})
    fb = env.step("\\boxed{6\\text{ cm}}")[4]["feedback"]
    assert not env.unwrapped.history[-1].outcome.success and "direction" not in fb.meta
