"""The math grader: extract one final answer, normalise it, compare it exactly with the gold."""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction

_NUMBER = re.compile(
    r"(?<![\w.])[-−]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:\s*/\s*\d+)?(?![\w])"
    r"|(?<![\w.])[-−]?\.\d+(?![\w])"
)
_PLAIN = re.compile(r"\s*(the answer is\s+)?(-?\d+)\.?\s*$", re.IGNORECASE)
_MIXED = re.compile(r"^([-−]?\d+)\s+(\d+)\s*/\s*(\d+)$")
_FRAC = re.compile(r"\\[dt]?frac\s*\{\s*([^{}]*)\s*\}\s*\{\s*([^{}]*)\s*\}")
_ANSWER_IS = re.compile(
    r"(?:final answer|the answer|answer)\s*(?:is|:|=)\s*:?\s*(.+?)(?:\n|$|(?<=[^\d])\.(?:\s|$))",
    re.IGNORECASE,
)
_LATEX_NOISE = re.compile(r"\\(?:left|right|!|,|;|quad|qquad|displaystyle)|\$")
_LATEX_TEXT = re.compile(r"\\(?:text|mathrm|textbf)\{([^{}]*)\}")


@dataclass(frozen=True)
class Extraction:
    """The final answer found in a response, or why none could be found."""

    text: str | None
    """The answer span as written (``None`` if none was found)."""
    value: Fraction | None
    """Its numeric value, when it is a single number."""
    method: str
    """How it was found: boxed, hashes, answer_is, last_line, only_number, or none."""
    error: str = ""


def find_boxed(text: str) -> list[str]:
    r"""The contents of every ``\boxed{...}`` in ``text``, braces matched."""
    found = []
    for match in re.finditer(r"\\boxed\s*\{", text):
        depth, start = 1, match.end()
        for i in range(start, len(text)):
            depth += {"{": 1, "}": -1}.get(text[i], 0)
            if depth == 0:
                found.append(text[start:i])
                break
    return found


def parse_number(text: str) -> Fraction | None:
    r"""The value of ``text`` if it holds exactly one number, else ``None``.

    Accepts ``$1,200``, ``25%``, ``\frac{3}{4}``, ``1 1/2``, ``-7.50``, ``12 cm``.

    >>> parse_number("$1,234.50")
    Fraction(2469, 2)
    >>> parse_number("5 or 6") is None
    True
    """
    cleaned = _FRAC.sub(r"\1/\2", _LATEX_NOISE.sub("", _LATEX_TEXT.sub(r"\1", text)))
    cleaned = cleaned.replace("−", "-").replace("\\%", "%").strip().rstrip(".")
    numbers = _NUMBER.findall(cleaned)
    mixed = _MIXED.match(cleaned)
    if mixed:
        whole, num, den = int(mixed[1].replace("−", "-")), int(mixed[2]), int(mixed[3])
        if den == 0:
            return None
        frac = Fraction(num, den)
        return whole - frac if whole < 0 or mixed[1].startswith("-") else whole + frac
    if len(numbers) != 1:
        return None
    span = numbers[0]
    rest = cleaned.replace(span, " ", 1)
    if re.search(r"[\d=<>]", rest):  # another quantity or a relation besides the number
        return None
    try:
        if "/" in span:
            num, den = span.split("/")
            if int(den) == 0:
                return None
            return Fraction(num.replace(",", "").strip()) / int(den)
        span = span.replace(",", "")
        return Fraction(int(span)) if span.lstrip("-").isdigit() else Fraction(span)
    except (ValueError, ZeroDivisionError):
        return None


def extract_answer(response: str) -> Extraction:
    r"""Find the single final answer in ``response``.

    In order: the last ``\boxed{}``, text after ``####``, "the answer is ...", then the last
    line (after its last ``=``), then the only number in the response. A span that holds more
    than one number is no answer: hedging between candidates never earns credit.
    """
    plain = _PLAIN.match(response)
    if plain:  # the common "The answer is 42." needs none of the general machinery
        method = "only_number" if plain[1] is None else "answer_is"
        return Extraction(plain[2], Fraction(int(plain[2])), method)
    boxed = find_boxed(response)
    if boxed:
        return _span(boxed[-1], "boxed")
    if "####" in response:
        tail = response.rsplit("####", 1)[1].strip()
        return _span(tail.splitlines()[0] if tail else "", "hashes")
    said = _ANSWER_IS.findall(response)
    if said:
        return _span(said[-1], "answer_is")
    lines = [line for line in response.strip().splitlines() if line.strip()]
    if lines:
        last = lines[-1].rsplit("=", 1)[-1]
        found = _span(last, "last_line")
        if found.value is not None:
            return found
    numbers = _NUMBER.findall(response)
    if len(numbers) == 1:
        return _span(numbers[0], "only_number")
    if not numbers:
        return Extraction(None, None, "none", "no number found; end with e.g. 'The answer is 42'")
    return Extraction(
        None,
        None,
        "none",
        f"found {len(numbers)} candidate numbers and no single final answer; "
        "end with e.g. 'The answer is 42'",
    )


def _span(text: str, method: str) -> Extraction:
    text = text.strip()
    value = parse_number(text)
    if value is None and len(_NUMBER.findall(text)) > 1:
        return Extraction(text, None, method, f"the final answer {text!r} holds several numbers")
    return Extraction(text, value, method)


def normalise_expression(text: str) -> str:
    r"""A canonical form of a non-numeric answer (``\dfrac`` → ``\frac``, no spaces or ``$``)."""
    text = (
        _LATEX_NOISE.sub("", _LATEX_TEXT.sub(r"\1", text))
        .replace("\\dfrac", "\\frac")
        .replace("\\tfrac", "\\frac")
    )
    text = re.sub(r"^[a-zA-Z]\s*=\s*", "", text.strip())
    return re.sub(r"\s+", "", text).rstrip(".")


def is_correct(response_answer: Extraction, gold: str | Fraction, tolerance: float = 0.0) -> bool:
    """Whether the extracted answer equals ``gold`` (numerically when both are numbers).

    A decimal that rounds a non-terminating gold fraction is accepted when it has at least
    two decimal places and is within half a unit of its last place.
    """
    gold_value = gold if isinstance(gold, Fraction) else parse_number(str(gold))
    if gold_value is not None:
        value = response_answer.value
        if value is None:
            return False
        if value == gold_value:
            return True
        places = _decimal_places(response_answer.text or "")
        if places >= 2 and abs(value - gold_value) <= Fraction(1, 2 * 10**places):
            return _denominator_has_other_primes(gold_value.denominator)
        return tolerance > 0 and abs(value - gold_value) <= tolerance * max(1, abs(gold_value))
    if response_answer.text is None:
        return False
    return normalise_expression(response_answer.text) == normalise_expression(str(gold))


def _decimal_places(text: str) -> int:
    match = re.search(r"\.(\d+)", text)
    return len(match.group(1)) if match else 0


def _denominator_has_other_primes(den: int) -> bool:
    for p in (2, 5):
        while den % p == 0:
            den //= p
    return den != 1
