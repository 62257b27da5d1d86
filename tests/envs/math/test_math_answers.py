"""MATH-format grading: gold, equivalent and wrong answers of every answer type, from a file."""

import json

import pytest

from fbgym.envs.math.task import MathConfig, MathTask

# (gold as MATH writes it, answers equal to it, answers that are wrong)
CASES = [
    # integers, decimals, signs
    ("5", ["5.0", "x = 5", "5\\text{ units}"], ["6", "-5", "50", "5\\text{ dozen}", "5 factorial"]),
    ("-7", ["-7", "\\text{-}7", "−7"], ["7", "-7.1"]),
    ("12", ["12.00", "\\$12", "y=12"], ["1,2", "21", "12x"]),
    ("1,\\!000", ["1000", "1{,}000", "1,000"], ["100", "10000", "1001"]),
    ("0.25", ["\\frac14", "1/4", "\\dfrac{1}{4}"], ["\\frac15", "4"]),
    # fractions in every LaTeX spelling
    (
        "\\frac{4}{3}",
        ["\\frac 43", "\\dfrac{4}{3}", "4/3", "\\tfrac43"],
        ["43", "\\frac34", "1.333"],
    ),
    ("\\frac 43", ["\\frac{4}{3}", "\\dfrac43", "\\frac{8}{6}"], ["43", "\\frac{3}{4}"]),
    ("\\frac{1}{2}", ["\\frac12", "0.5", "1/2", "\\frac{2}{4}"], ["12", "\\frac21", "-\\frac12"]),
    ("-\\frac{3}{4}", ["\\frac{-3}{4}", "-0.75", "-\\dfrac34"], ["\\frac34", "-\\frac43"]),
    ("\\frac{7}{2}", ["3.5", "\\frac{14}{4}", "3\\frac12"], ["\\frac{2}{7}", "72", "7"]),
    ("\\dfrac{9}{10}", ["0.9", "\\frac{9}{10}"], ["\\frac{10}{9}", "910"]),
    # radicals
    ("\\sqrt{3}", ["\\sqrt3", "3^{1/2}", "\\frac{3}{\\sqrt{3}}"], ["3", "\\sqrt{2}", "9"]),
    ("2\\sqrt{2}", ["\\sqrt{8}", "2\\sqrt2", "\\sqrt2 \\cdot 2"], ["\\sqrt{2}", "4", "22"]),
    (
        "\\frac{\\sqrt{3}}{2}",
        ["\\frac{\\sqrt3}2", "\\dfrac{\\sqrt{3}}{2}", "\\frac{3}{2\\sqrt{3}}"],
        ["\\frac{\\sqrt{2}}{2}", "\\frac{3}{2}", "\\frac{2}{\\sqrt{3}}"],
    ),
    ("5\\sqrt{5}", ["\\sqrt{125}", "5\\sqrt5"], ["\\sqrt{5}", "55", "25"]),
    ("\\sqrt[3]{2}", ["2^{1/3}", "2^{\\frac13}"], ["\\sqrt{2}", "\\sqrt[3]{3}"]),
    ("3+2\\sqrt{2}", ["2\\sqrt{2}+3", "3 + \\sqrt{8}"], ["3-2\\sqrt{2}", "5\\sqrt{2}"]),
    # pi
    ("2\\pi", ["2 \\pi", "\\pi \\cdot 2", "\\frac{4\\pi}{2}"], ["2", "\\pi", "4\\pi"]),
    ("\\frac{\\pi}{3}", ["\\pi/3", "\\frac13\\pi"], ["\\frac{\\pi}{6}", "\\frac{1}{3}"]),
    ("36\\pi", ["36 \\pi", "\\pi 36"], ["36", "6\\pi"]),
    ("4-\\pi", ["-\\pi+4"], ["\\pi-4", "4+\\pi"]),
    # expressions with variables
    ("x^2+2x+1", ["(x+1)^2", "1+2x+x^2"], ["x^2+1", "(x-1)^2", "(y+1)^2"]),
    ("2x-3", ["-3+2x", "2(x-1.5)"], ["2x+3", "3-2x"]),
    ("y=2x+3", ["y=3+2x", "y = 2x + 3"], ["y=2x-3", "y=3x+2"]),
    ("\\frac{x+1}{2}", ["\\frac{x}{2}+\\frac{1}{2}", "(x+1)/2"], ["\\frac{x-1}{2}", "2x+2"]),
    # intervals
    ("(1,2]", ["(1, 2]", "\\left(1,2\\right]"], ["[1,2)", "[1,2]", "(1,2)"]),
    ("[-3,5)", ["[-3, 5)"], ["(-3,5]", "[-3,5]", "[3,5)"]),
    ("(-\\infty,3)", ["(-\\infty, 3)", "(-\\infty ,3)"], ["(-\\infty,3]", "(3,\\infty)"]),
    ("[2,\\infty)", ["[2, \\infty)"], ["(2,\\infty)", "[-2,\\infty)"]),
    (
        "(-\\infty,-2)\\cup(3,\\infty)",
        ["(-\\infty, -2) \\cup (3, \\infty)"],
        ["(3,\\infty)", "(-\\infty,-2]\\cup[3,\\infty)", "(-\\infty,-2)"],
    ),
    # tuples and points
    ("(1,2,3)", ["(1, 2, 3)"], ["(1,2)", "(3,2,1)", "(1,2,3,4)"]),
    ("(3,-4)", ["(3, -4)"], ["(-4,3)", "(3,4)", "(3,-4,0)"]),
    ("(2,3,6,1)", ["(2, 3, 6, 1)"], ["(2,3,6)", "(2,3,1,6)"]),
    (
        "\\left(\\frac{1}{2},-1\\right)",
        ["(0.5,-1)", "(\\frac12, -1)"],
        ["(\\frac12,1)", "(-1,\\frac12)"],
    ),
    # sets and lists of solutions
    ("\\{1,2,3\\}", ["\\{3,2,1\\}", "\\{1, 2, 3\\}"], ["\\{1,2\\}", "\\{1,2,3,4\\}"]),
    ("1,-2", ["-2, 1", "1, -2"], ["1", "1,2", "-2"]),
    ("-1,3", ["3,-1"], ["-1", "1,3", "-1,3,5"]),
    (
        "\\frac{1}{2}, -\\frac{1}{3}",
        ["-\\frac13, \\frac12", "\\frac12,-\\frac13"],
        ["\\sqrt{\\frac{1}{2}, -\\frac{1}{3}}", "-(\\frac{1}{2}, -\\frac{1}{3})", "\\frac{1}{2}"],
    ),
    # matrices and vectors
    (
        "\\begin{pmatrix} 1 & 2 \\\\ 3 & 4 \\end{pmatrix}",
        [
            "\\begin{bmatrix} 1 & 2 \\\\ 3 & 4 \\end{bmatrix}",
            "\\begin{pmatrix}1&2\\\\3&4\\end{pmatrix}",
        ],
        [
            "\\begin{pmatrix} 1 & 3 \\\\ 2 & 4 \\end{pmatrix}",
            "\\begin{pmatrix} 1 & 2 \\\\ 3 & 5 \\end{pmatrix}",
        ],
    ),
    (
        "\\begin{pmatrix} -1 \\\\ 2 \\end{pmatrix}",
        ["\\begin{pmatrix}-1\\\\2\\end{pmatrix}"],
        ["\\begin{pmatrix} 1 \\\\ 2 \\end{pmatrix}", "\\begin{pmatrix} 2 \\\\ -1 \\end{pmatrix}"],
    ),
    (
        "\\begin{pmatrix} 1/2 \\\\ 0 \\end{pmatrix}",
        ["\\begin{pmatrix} \\frac12 \\\\ 0 \\end{pmatrix}"],
        ["\\begin{pmatrix} 2 \\\\ 0 \\end{pmatrix}"],
    ),
    # units, money, degrees, percent
    ("5\\text{ cm}", ["5", "5 \\text{ cm}", "5\\text{cm}"], ["6\\text{ cm}", "25\\text{ cm}"]),
    ("\\$18.90", ["18.90", "18.9", "\\$18.9"], ["18.09", "1890"]),
    ("90^\\circ", ["90", "90^{\\circ}"], ["180^\\circ", "9"]),
    ("10\\%", ["10", "10 \\%"], ["20\\%", "100"]),
    ("42\\text{ square feet}", ["42", "42 \\text{ ft}^2"], ["24", "42\\pi"]),
    # text answers
    ("\\text{(C)}", ["C", "(C)", "\\text{C}", "\\textbf{(C)}"], ["\\text{(D)}", "A", "(B)"]),
    (
        "\\text{Monday}",
        ["Monday", "\\text{monday}", "\\mbox{Monday}"],
        ["\\text{Tuesday}", "Mondya"],
    ),
    (
        "\\text{Sunday}",
        ["\\text{Sunday}", "Sunday"],
        ["\\text{Saturday}", "\\text{Sunday or Monday}"],
    ),
    ("\\text{even}", ["even", "\\text{Even}"], ["\\text{odd}", "\\text{neither}"]),
    # complex numbers
    ("2+3i", ["3i+2", "2 + 3i"], ["2-3i", "3+2i"]),
    ("-i", ["-1 \\cdot i", "0-i"], ["i", "1"]),
]

# Wrong answers built from any scalar gold: what a single-number reading let through.
DERIVED = ("\\sqrt{{{g}}}", "{g}\\pi", "{g}+x", "-({g})", "\\frac{{1}}{{{g}}}")
SCALAR = [
    g
    for g, _, _ in CASES
    if not any(mark in g for mark in ("(", "[", "\\{", ",", "pmatrix", "text", "i", "=", "%", "^"))
]

FORMATS = (
    "We find the value. $\\boxed{{{a}}}$",
    "So the answer is ${a}$.",
    "Final Answer: The final answer is ${a}$. I hope it is correct.",
    "The answer is {a}.",
)


def triples():
    """(gold, equivalent, wrong) triples: every answer of a case appears in one."""
    out = []
    for gold, same, wrong in CASES:
        wrong = list(wrong)
        if gold in SCALAR:
            wrong += [d.format(g=gold) for d in DERIVED]
        for k in range(max(len(same), len(wrong))):
            out.append((gold, same[k % len(same)], wrong[k % len(wrong)]))
    return out


TRIPLES = triples()


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """Every distinct (gold, answer) graded through a MATH-format file and MathTask."""
    golds = [g for g, _, _ in CASES]
    path = tmp_path_factory.mktemp("math") / "math.jsonl"
    with open(path, "w", encoding="utf-8") as f:
        for i, gold in enumerate(golds):
            record = {
                "problem": f"Problem {i}.",
                "solution": f"Working. The result is $\\boxed{{{gold}}}$.",
                "level": "Level 3",
                "type": "Algebra",
                "unique_id": f"test/algebra/{i}.json",
            }
            f.write(json.dumps(record) + "\n")
    task = MathTask(MathConfig(data_path=str(path), data_format="math"))
    index = {g: i for i, g in enumerate(golds)}
    results = {}
    for n, (gold, same, wrong) in enumerate(TRIPLES):
        problem = task.problem("test", index[gold], 0)
        assert problem.answer == gold
        for answer in (same, wrong):
            if (gold, answer) not in results:
                response = FORMATS[(n + (answer == wrong)) % len(FORMATS)].format(a=answer)
                results[gold, answer] = task.grade(problem, response, ())
    return results


def test_the_reference_action_passes(tmp_path):
    path = tmp_path / "math.jsonl"
    path.write_text(
        "".join(
            json.dumps({"problem": "p", "solution": f"$\\boxed{{{g}}}$"}) + "\n"
            for g, _, _ in CASES
        )
    )
    task = MathTask(MathConfig(data_path=str(path), data_format="math"))
    for i in range(len(CASES)):
        problem = task.problem("test", i, 0)
        assert task.grade(problem, task.reference_action(problem), ()).success, problem.answer


def test_at_least_a_hundred_triples_across_the_types():
    assert len(TRIPLES) >= 100
    wrongs = {w for _, _, w in TRIPLES}
    for kind in ("\\sqrt{", "\\pi", "+x", "-(", "[1,2)", "(1,2)"):
        assert any(kind in w for w in wrongs), kind


@pytest.mark.parametrize("gold,same,wrong", TRIPLES)
def test_equivalent_passes_and_wrong_fails(graded, gold, same, wrong):
    assert graded[gold, same].success, (gold, same, graded[gold, same])
    assert not graded[gold, wrong].success, (gold, wrong, graded[gold, wrong])
