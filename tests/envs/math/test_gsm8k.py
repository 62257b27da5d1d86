"""GSM8K-format files: clean worked steps, every common answer format, a critic that never tells."""

import json
import re
from fractions import Fraction

import gymnasium as gym
import pytest

import fbgym  # noqa: F401
from fbgym.envs.math.critic import MathCritic
from fbgym.envs.math.loaders import clean_gsm8k, load_gsm8k
from fbgym.envs.math.program import evaluate, format_number, mistaken_paths
from fbgym.envs.math.task import MathConfig, MathTask
from fbgym.simulators.base import SimulatedUser
from fbgym.simulators.fidelity import FidelityUser, UserConfig

# Clean solutions with every computation marked {expr=result}; the file gets GSM8K's own
# form "<<expr=result>>result", and loading must give back exactly the clean text.
CLEAN = [
    (
        "Natalia sold clips to 48 friends in April and half as many in May. How many in all?",
        "Natalia sold 48/2 = {48/2=24} clips in May.\n"
        "Natalia sold 48+24 = {48+24=72} clips altogether in April and May.",
        "72",
    ),
    (
        "Weng earns $12 an hour. She babysat for 50 minutes. How much did she earn?",
        "Weng earns 12/60 = ${12/60=0.2} per minute.\n"
        "Working 50 minutes, she earned 0.2 x 50 = ${0.2*50=10}.",
        "10",
    ),
    (
        "Betty has half of the $100 she needs. Her parents give $15 and her grandparents twice "
        "that. How much more does she need?",
        "Betty has 100 / 2 = ${100/2=50}.\n"
        "Her grandparents give 15 * 2 = ${15*2=30}.\n"
        "She needs 100 - 50 - 30 - 15 = ${100-50-30-15=5} more.",
        "5",
    ),
    (
        "A shop sells 1,200 pens a day at $3 each and pays $1,150 in costs. What is its profit?",
        "Sales are 1,200 * 3 = ${1200*3=3600} and the profit is 3600 - 1150 = ${3600-1150=2450}.",
        "2,450",
    ),
    (
        "James writes a 3-page letter to 2 friends twice a week. How many pages a year?",
        "He writes 3*2 = {3*2=6} pages each time.\n"
        "So he writes 6*2 = {6*2=12} pages a week.\n"
        "That means he writes 12*52 = {12*52=624} pages a year.",
        "624",
    ),
    (
        "Albert buys 2 large pizzas of 16 slices and 2 small of 8. How many slices?",
        "Large: 2 * 16 = {2*16=32}; small: 2 * 8 = {2*8=16}; in all 32 + 16 = {32+16=48}.",
        "48",
    ),
    (
        "A tank loses 1.5 litres an hour for 14 hours from 40 litres. How much is left?",
        "It loses 1.5 * 14 = {1.5*14=21} litres, leaving 40 - 21 = {40-21=19} litres.",
        "19",
    ),
    (
        "A sweater costs $62.50 and is marked down 20%. What does it cost now?",
        "The discount is 62.50 * 0.2 = ${62.5*0.2=12.5}.\n"
        "It costs 62.50 - 12.50 = ${62.5-12.5=50} now.",
        "50",
    ),
]
MARK = re.compile(r"\{([^{}=]+)=([^{}]+)\}")


def annotated(clean: str) -> str:
    return MARK.sub(lambda m: f"<<{m[1]}={m[2]}>>{m[2]}", clean)


def unmarked(clean: str) -> str:
    return MARK.sub(lambda m: m[2], clean)


@pytest.fixture
def gsm8k_file(tmp_path):
    path = tmp_path / "gsm8k.jsonl"
    with open(path, "w", encoding="utf-8") as f:
        for question, solution, gold in CLEAN:
            answer = f"{annotated(solution)}\n#### {gold}"
            f.write(json.dumps({"question": question, "answer": answer}) + "\n")
    return path


def test_annotations_are_stripped_as_gsm8k_defines_them(gsm8k_file):
    problems = load_gsm8k(gsm8k_file)
    for problem, (question, solution, gold) in zip(problems, CLEAN):
        assert "\n".join(problem.solution) == unmarked(solution)
        assert problem.question == question
        assert problem.answer == gold.replace(",", "")
        for line in problem.solution:
            assert "<<" not in line and ">>" not in line
        assert all(s.text in problem.solution for s in problem.steps)
    assert problems[1].solution == (
        "Weng earns 12/60 = $0.2 per minute.",
        "Working 50 minutes, she earned 0.2 x 50 = $10.",
    )


def test_no_result_is_doubled(gsm8k_file):
    for problem in load_gsm8k(gsm8k_file):
        for text in problem.solution + tuple(s.text for s in problem.steps):
            for value in re.findall(r"= \$?(\d+(?:\.\d+)?)", text):
                assert not re.search(rf"= \$?{re.escape(value * 2)}\b", text), text


def test_clean_gsm8k_handles_odd_annotations():
    assert clean_gsm8k("a <<3*4=12>>12 b <<12/0=?>>? c") == "a 12 b ? c"
    assert clean_gsm8k("no annotations") == "no annotations"


def test_step_programs_compute_the_gold(gsm8k_file):
    for problem in load_gsm8k(gsm8k_file):
        assert problem.steps, problem.source
        assert evaluate(problem.steps)[-1] == Fraction(problem.answer)


GOLD_FORMATS = [
    "#### {g}",
    "The answer is {g}.",
    "The answer is {g}",
    "\\boxed{{{g}}}",
    "So the total is $\\boxed{{{g}}}$.",
    "Final Answer: The final answer is ${g}$. I hope it is correct.",
    "The final answer is {g}",
    "Answer: {g}",
    "**Answer:** {g}",
    "She has {g} left.\n#### {g}",
    "The answer is ${g}.",
    "The answer is \\${g}",
    "The answer is {g}.00",
    "The answer is {g} dollars.",
    "{g}",
    "x = {g}",
    "Working: 1 + 2 = 3.\nSo the answer is {g}.",
]
WRONG_FORMATS = [
    "The answer is {g1}.",
    "#### {g10}",
    "The answer is -{g}.",
    "The answer is {g} or {g1}.",
    "\\boxed{{{g}}} or \\boxed{{{g1}}}",
    "\\boxed{{{g}, {g1}}}",
    "The answer is \\sqrt{{{g}}}.",
    "The answer is {g}\\pi.",
    "The answer is {g}+x.",
    "The answer is not {g}.",
    "Maybe {g1}, {g}, {g2}",
    "The answer is {g}{g}.",
    "The answer is {g}.{g}",
    "The answer is {g}%" + " of {g1}",
    "The answer is {g} dozen.",
    "The answer is {g} thousand dollars.",
    "The answer is {g} squared.",
    "\\boxed{{{g}^2}}",
    "Final Answer: The final answer is ${g}$ or ${g1}$. I hope it is correct.",
]


@pytest.mark.parametrize("index", range(len(CLEAN)))
def test_gold_in_every_common_format_passes_and_wrong_never(gsm8k_file, index):
    task = MathTask(MathConfig(data_path=str(gsm8k_file), data_format="gsm8k"))
    problem = task.problem("test", index, 0)
    gold = CLEAN[index][2]
    plain = gold.replace(",", "")
    for fmt in GOLD_FORMATS:
        for g in {gold, plain}:
            response = fmt.format(g=g)
            assert task.grade(problem, response, ()).success, response
    value = int(plain)
    for fmt in WRONG_FORMATS:
        response = fmt.format(g=plain, g1=value + 1, g2=value + 2, g10=value * 10)
        assert not task.grade(problem, response, ()).success, response


def stated_numbers(text: str) -> set[Fraction]:
    return {Fraction(n.replace(",", "")) for n in re.findall(r"\d+(?:,\d{3})*(?:\.\d+)?", text)}


@pytest.mark.parametrize("noise", [0.0, 1.0])
def test_the_critic_never_quotes_the_final_step(gsm8k_file, noise):
    task = MathTask(MathConfig(data_path=str(gsm8k_file), data_format="gsm8k"))
    user = SimulatedUser(MathCritic(), "verbal")
    if noise:  # wrong hints blame another step: that must not leak the answer either
        user = FidelityUser(user, UserConfig(noise=noise))
    from fbgym.core.seeding import make_random

    checked = 0
    for index in range(len(CLEAN)):
        problem = task.problem("test", index, 0)
        gold = problem.data["gold_value"]
        steps = problem.data["steps"]
        wrongs = {path[-1] for path in mistaken_paths(steps).values()}
        wrongs |= {gold + d for d in (-3, 1, 7, 100)}
        for wrong in sorted(wrongs):
            outcome = task.grade(problem, f"The answer is {format_number(wrong)}", ())
            assert not outcome.success
            for seed in range(4):
                fb = user.respond(problem, (), outcome, make_random("quote", index, wrong, seed))
                assert steps[-1].text not in fb.text, fb.text
                assert problem.solution[-1] not in fb.text, fb.text
                said = stated_numbers(fb.text) - stated_numbers(outcome.diagnosis["answer"])
                said -= set(range(1, len(steps) + 1))  # step numbers
                assert gold not in said, (fb.text, gold)
                checked += 1
    assert checked > 100


def test_env_feedback_on_a_slip_in_the_last_step_names_it_without_the_answer(gsm8k_file):
    env = gym.make("fbgym/Math-v0", feedback="verbal", data_path=str(gsm8k_file))
    env.reset(options={"index": 0})
    info = env.step("She sold 48 + 48 = 96. The answer is 96")[4]
    assert info["feedback"].meta["step"] == 1  # the halving in step 1 was left out
    env.reset(options={"index": 0})
    info = env.step("The answer is 24")[4]  # 48 - 24: the last step subtracts
    fb = info["feedback"]
    assert fb.meta["step"] == 2 and "step 2" in fb.text.lower()
    assert "72" not in fb.text and "altogether" not in fb.text
