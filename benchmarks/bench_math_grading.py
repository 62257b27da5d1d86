"""MATH-style grading (exact fast path, then math-verify) as a ratio to plain numeric grading."""

import itertools
import json

import pytest

from fbgym.envs.math.task import MathConfig, MathTask

GOLDS = ["42", "\\frac{4}{3}", "2\\sqrt{2}", "(1,2]", "\\begin{pmatrix} 1 \\\\ 2 \\end{pmatrix}"]


@pytest.fixture(scope="module")
def tasks(tmp_path_factory):
    """A GSM8K-format task (numeric grading) and a MATH-format task, each from its own file."""
    folder = tmp_path_factory.mktemp("grading")
    gsm8k, math = folder / "gsm8k.jsonl", folder / "math.jsonl"
    gsm8k.write_text(
        "".join(
            json.dumps(
                {"question": f"q{i}", "answer": f"{i} + 1 = <<{i}+1={i + 1}>>{i + 1}\n#### {i + 1}"}
            )
            + "\n"
            for i in range(len(GOLDS))
        )
    )
    math.write_text(
        "".join(
            json.dumps({"problem": f"p{i}", "solution": f"So $\\boxed{{{gold}}}$."}) + "\n"
            for i, gold in enumerate(GOLDS)
        )
    )
    numeric = MathTask(MathConfig(data_path=str(gsm8k), data_format="gsm8k"))
    symbolic = MathTask(MathConfig(data_path=str(math), data_format="math"))
    return numeric, symbolic


def _grader(task, responses):
    """A call that grades the next (problem, response) of an endless cycle."""
    problems = [task.problem("test", i, 0) for i in range(len(GOLDS))]
    pairs = itertools.cycle(list(zip(problems, responses)))

    def grade():
        problem, response = next(pairs)
        return task.grade(problem, response, ())

    return grade


@pytest.fixture(scope="module")
def numeric_grading(tasks, per_call):
    """Seconds per numeric grade of 'The answer is N' on GSM8K problems, this run."""
    grade = _grader(tasks[0], [f"Working.\nThe answer is {i + 2}." for i in range(len(GOLDS))])
    return per_call(grade, number=2000, repeat=5)


def test_math_plain_numbers(benchmark, tasks, numeric_grading, per_call, report):
    """MATH problems answered with plain numbers: the exact path, no symbolic check."""
    grade = _grader(
        tasks[1], [f"So the answer is $\\boxed{{{i + 7}}}$." for i in range(len(GOLDS))]
    )
    benchmark(grade)
    seconds = per_call(grade, number=2000, repeat=5)
    report(benchmark, "math_plain_grade", seconds, numeric_grading, "numeric_grade")


def test_math_symbolic_answers(benchmark, tasks, numeric_grading, per_call, report):
    """MATH answers that only math-verify can judge, never the same twice (no memo hits)."""
    fresh = itertools.count()
    task = tasks[1]
    problems = [task.problem("test", i, 0) for i in range(len(GOLDS))]

    def grade():
        k = next(fresh)
        problem = problems[k % len(problems)]
        answer = f"\\frac{{{k}}}{{7}}\\sqrt{{2}}"
        response = f"Final Answer: The final answer is ${answer}$. I hope it is correct."
        return task.grade(problem, response, ())

    grade()  # start the worker outside the measurement
    benchmark(grade)
    seconds = per_call(grade, number=50, repeat=3)
    report(benchmark, "math_symbolic_grade", seconds, numeric_grading, "numeric_grade")
