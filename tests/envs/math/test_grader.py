from fractions import Fraction

import pytest

from fbgym.envs.math.grader import check_answer, extract_answer, is_correct, parse_number

MUST_PASS = [
    ("The answer is 42.", "42"),
    ("42", "42"),
    ("#### 42", "42"),
    ("She has 18 left.\n#### 18", "18"),
    ("\\boxed{42}", "42"),
    ("So $x = \\boxed{-3}$.", "-3"),
    ("The answer is $1,234.", "1234"),
    ("The answer is 1,234,567", "1234567"),
    ("The answer is 12.50 dollars.", "12.5"),
    ("The answer is 12.0", "12"),
    ("The answer is 7.000", "7"),
    ("The answer is 25%", "25"),
    ("\\boxed{25\\%}", "25"),
    ("The answer is 3/4", "0.75"),
    ("\\boxed{\\frac{3}{4}}", "3/4"),
    ("\\boxed{\\dfrac{3}{2}}", "1.5"),
    ("The answer is 1 1/2", "3/2"),
    ("The answer is 0.333", "1/3"),
    ("The answer is .5", "1/2"),
    ("The answer is −7", "-7"),
    ("The answer is 15 km.", "15"),
    ("The answer is 8 apples", "8"),
    ("x = 5", "5"),
    ("12 + 30 = 42", "42"),
    ("First 3 * 4 = 12.\nThen 12 + 6 = 18", "18"),
    ("Final answer: 99", "99"),
    ("answer: 64", "64"),
    ("I computed it several ways. The answer is 10.", "10"),
    ("\\boxed{\\text{7 cm}}", "7"),
    ("The answer is \\$12", "12"),
    ("The answer is 0.33", "1/3"),
]

MUST_FAIL = [
    ("The answer is 5 or 6.", "6"),
    ("\\boxed{5, 6}", "6"),
    ("\\boxed{41}", "42"),
    ("I think 42 but maybe 41", "42"),
    ("The answer is 4.2", "42"),
    ("The answer is 420", "42"),
    ("The answer is 42 and 43", "42"),
    ("1 2 3 4 5 6 7 8 9 10 42 100", "42"),
    ("The answer is 0.34", "1/3"),  # two places, but not 1/3 rounded
    ("The answer is 0.3", "1/3"),  # one decimal place is not enough precision
    ("The answer is 0.75", "3/2"),
    ("", "0"),
    ("forty-two", "42"),
    ("The answer is 42%", "0.42"),
    ("#### 41", "42"),
    ("The answer is -42", "42"),
    ("Maybe 40, 41, 42", "42"),
    ("The answer is 1/0", "0"),
    ("\\boxed{42}\\boxed{41}", "42"),  # the last box counts
    ("42 42 42 41", "42"),
    ("The answer is 12.51", "12.5"),
    ("The answer is 4 2", "42"),
]


@pytest.mark.parametrize("response,gold", MUST_PASS)
def test_credits_correct_formats(response, gold):
    assert is_correct(extract_answer(response), gold), extract_answer(response)


@pytest.mark.parametrize("response,gold", MUST_FAIL)
def test_rejects_near_misses_and_padding(response, gold):
    assert not is_correct(extract_answer(response), gold), extract_answer(response)


def test_enough_cases():
    assert len(MUST_PASS) + len(MUST_FAIL) >= 40


def test_hedging_gets_an_explanation():
    found = extract_answer("It could be 3 or maybe 4 or 5")
    assert found.value is None and "candidate numbers" in found.error


def test_extraction_method_order():
    assert extract_answer("The answer is 3. \\boxed{4}").method == "boxed"
    assert extract_answer("The answer is 3.\n#### 4").method == "hashes"
    assert extract_answer("Working: 2 + 1.\nThe answer is 3").method == "answer_is"


def test_parse_number_normalises():
    assert parse_number("$1,200.50") == Fraction(2401, 2)
    assert parse_number("\\frac{-3}{4}") == Fraction(-3, 4)
    assert parse_number("-1 1/2") == Fraction(-3, 2)
    assert parse_number("12 cm") == 12
    assert parse_number("3 + 4") is None


def test_non_numeric_gold_compares_normalised_expressions():
    assert is_correct(extract_answer("\\boxed{\\dfrac{\\sqrt{3}}{2}}"), "\\frac{\\sqrt{3}}{2}")
    assert not is_correct(extract_answer("\\boxed{\\frac{\\sqrt{2}}{2}}"), "\\frac{\\sqrt{3}}{2}")


@pytest.mark.parametrize(
    "text,value",
    [
        ("\\frac 43", Fraction(4, 3)),
        ("\\frac12", Fraction(1, 2)),
        ("\\dfrac{4}{3}", Fraction(4, 3)),
        ("\\tfrac43", Fraction(4, 3)),
        ("4/3", Fraction(4, 3)),
        ("-\\frac34", Fraction(-3, 4)),
        ("3\\frac12", Fraction(7, 2)),
        ("1,\\!000", 1000),
        ("1{,}000", 1000),
        ("\\$18.90", Fraction(189, 10)),
        ("5\\text{ cm}^2", 5),
        ("90^\\circ", 90),
        ("60 km/h", 60),
        ("y = 7", 7),
        ("\\text{12}", 12),
    ],
)
def test_parse_number_reads_every_spelling_of_one_number(text, value):
    assert parse_number(text) == value


@pytest.mark.parametrize(
    "text",
    [
        "\\sqrt{2}",
        "\\sqrt2",
        "2\\pi",
        "2 pi",
        "2π",
        "2+x",
        "2x",
        "(2)",
        "[2]",
        "2!",
        "2^2",
        "\\frac{4}{3}x",
        "5 or 6",
        "not 5",
        "about 5",
        "5 (or 6)",
        "5, 6",
        "1,2",
        "--5",
        "5 6",
        "\\frac{1}{0}",
        "five",
    ],
)
def test_parse_number_refuses_anything_more_than_a_number(text):
    assert parse_number(text) is None


def test_minerva_final_answer_form():
    found = extract_answer(
        "So the area is 12.\nFinal Answer: The final answer is $\\frac{\\sqrt3}2$. I hope it is correct."
    )
    assert found.method == "final_answer" and found.text == "\\frac{\\sqrt3}2"
    assert is_correct(found, "\\frac{\\sqrt{3}}{2}")


def test_boxing_several_answers_on_one_line_is_hedging():
    found = extract_answer("It is $\\boxed{5}$ or $\\boxed{6}$.")
    assert "2 different answers are boxed" in found.error
    assert not is_correct(found, "6", symbolic=True) and not is_correct(found, "5", symbolic=True)
    assert extract_answer("\\boxed{6} or again \\boxed{6}").error == ""
    assert extract_answer("First \\boxed{5}.\nOn reflection, \\boxed{6}.").text == "6"


def test_a_last_line_with_several_answers_is_no_answer():
    found = extract_answer("Either $x = 6$ or $x = 5$")
    assert found.text is None and "several answers" in found.error
    assert extract_answer("Thus $x = \\sqrt{2}$.").text == "\\sqrt{2}"


def test_latex_in_the_last_line_is_not_read_as_its_only_number():
    found = extract_answer("Simplifying gives x = \\sqrt{2}")
    assert found.text == "\\sqrt{2}" and found.value is None
    assert not is_correct(found, "2", symbolic=True)
    assert not is_correct(found, "2")  # a numeric gold: not a number at all


def test_alternatives_inside_a_box_fail_even_where_the_checker_drops_text():
    found = extract_answer("\\boxed{6 \\text{ (or 5)}}")
    check = check_answer(found, "6", symbolic=True)
    assert not check.correct and "names several values" in check.problem
