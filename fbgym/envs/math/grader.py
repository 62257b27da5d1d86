"""The math grader: find one final answer, then check it exactly, or symbolically for LaTeX."""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache

_NUMBER = re.compile(
    r"(?<![\w.])[-−]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:\s*/\s*\d+)?(?![\w])"
    r"|(?<![\w.])[-−]?\.\d+(?![\w])"
)
_PLAIN = re.compile(r"\s*(the answer is\s+)?(-?\d+)\.?\s*$", re.IGNORECASE)
_MINERVA = re.compile(r"final answer is\s*(.+?)\s*\.?\s*I hope it is correct", re.I | re.S)
_ANSWER_IS = re.compile(
    r"(?:final answer|the answer|answer)\s*(?:is|:|=)\s*:?\s*(.+?)(?:\n|$|(?<=[^\d])\.(?:\s|$))",
    re.IGNORECASE,
)
_INLINE_MATH = re.compile(r"\$([^$]+)\$|\\\((.+?)\\\)")

# A plain number as written in an answer: currency, sign, digits with thousands separators,
# a decimal, a fraction (p/q, \frac{p}{q}, \frac pq) or a mixed number, percent, units.
_DEC = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|\.\d+"
_ARG = r"(?:\{\s*(?P<NAME>[-−]?(?:" + _DEC + r"))\s*\}|(?P<NAME1>\d))"
_FRAC_RE = re.compile(
    r"\\[dt]?frac\s*" + _ARG.replace("NAME", "num") + r"\s*" + _ARG.replace("NAME", "den") + "$"
)
_QUANTITY = re.compile(
    r"(?P<sign>[-−+]?)\s*(?:\\?\$\s*)?"
    r"(?:(?P<whole>\d+)(?:\s+(?=\d+\s*/)|\s*(?=\\[dt]?frac)))?"
    r"(?P<body>\\[dt]?frac\s*(?:\{[^{}]*\}|\d)\s*(?:\{[^{}]*\}|\d)"
    r"|(?:" + _DEC + r")(?:\s*/\s*(?:" + _DEC + r"))?)"
    r"\s*(?P<unit>.*)$",
    re.S,
)
_UNIT = re.compile(  # a squared or cubed unit, never a bare power: 2^2 is not 2
    r"(?:%|\\%|percent|°|\^\s*\{?\\circ\}?"
    r"|(?:[A-Za-z]{2,}(?:/[A-Za-z]+)?|[mgshlL]\b)(?:\s*\^\s*\{?[23]\}?)?|[\s.,'’-])*"
)
_BARE = re.compile(r"(?:%|\\%|°|\^\s*\{?\\circ\}?|[\s.])*")
_NOT_UNITS = re.compile(  # words after a number that change or hedge its value
    r"\b(?:pi|sqrt|root|infty|infinity|or|and|not|nor|no|never|plus|minus|times|over|divided"
    r"|approx|approximately|about|around|roughly|nearly|almost|maybe|perhaps|probably"
    r"|either|between|except|than|squared|cubed|power|factorial|inverse|reciprocal|point"
    r"|negative|positive|isn|aren|wasn|weren|doesn|don|dozens?|score|gross|hundreds?"
    r"|thousands?|millions?|billions?|trillions?|halves|halfs?|thirds?|quarters?|fourths?"
    r"|fifths?|sixths?|sevenths?|eighths?|ninths?|tenths?|hundredths?|thousandths?"
    r"|zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty"
    r"|forty|fifty|sixty|seventy|eighty|ninety)\b",
    re.IGNORECASE,
)
_TEXT = re.compile(r"\\(?:text|textbf|textrm|mathrm|mbox|operatorname)\s*\{([^{}]*)\}")
_NOISE = re.compile(r"\\(?:left|right|displaystyle|!|;|quad|qquad)|\\,(?=\d{3})|\{,\}|\$$|^\$")
_LEADING = re.compile(r"^[a-zA-Z]\s*=\s*")
_LATEX = re.compile(r"\\(?!\$)|[\^{}]")
_ALTERNATIVES = re.compile(r"\b(?:or|either|maybe|perhaps|possibly)\b", re.IGNORECASE)
_HEDGES = re.compile(
    r"\b(?:not|no|never|or|either|maybe|perhaps|possibly|about|around|roughly|nearly|almost"
    r"|approximately)\b|n't",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Extraction:
    """The final answer found in a response, or why none could be used."""

    text: str | None
    """The answer span as written (``None`` if none was found)."""
    value: Fraction | None
    """Its value, when the span is a plain number (units, ``$``, ``%`` allowed)."""
    method: str
    """How it was found: boxed, hashes, final_answer, answer_is, last_line, only_number, none."""
    error: str = ""
    """Why the response has no usable final answer (no number, or several answers)."""


@dataclass(frozen=True)
class Check:
    """The verdict on one extracted answer."""

    correct: bool
    how: str
    """``exact`` (plain numbers), ``rounded`` (a decimal for a non-terminating fraction),
    ``symbolic`` (math-verify), or ``unchecked``."""
    problem: str = ""
    """Why the answer could not be checked (not a number, too slow); such an answer is an
    invalid attempt."""


def find_boxed(text: str) -> list[str]:
    r"""The contents of every ``\boxed{...}`` (or ``\fbox{...}``) in ``text``, braces matched."""
    return [content for _, content in _boxes(text)]


def _boxes(text: str) -> list[tuple[int, str]]:
    found = []
    for match in re.finditer(r"\\(?:boxed|fbox)\s*\{", text):
        depth, start = 1, match.end()
        for i in range(start, len(text)):
            depth += {"{": 1, "}": -1}.get(text[i], 0)
            if depth == 0:
                found.append((match.start(), text[start:i]))
                break
    return found


def parse_number(text: str, units: bool = True) -> Fraction | None:
    r"""The value of ``text`` if it is one plain number, else ``None``.

    A plain number may carry a currency sign, thousands separators, a percent or degree sign
    and, with ``units``, unit words (``$1,200``, ``25%``, ``12 cm``, ``5\text{ cm}^2``), and
    may be a fraction in any spelling (``3/4``, ``\frac{3}{4}``, ``\dfrac34``) or a mixed
    number (``1 1/2``). Anything else — a radical, pi, a variable, a second number, a
    bracket, a hedge, a word that scales the number (``6 dozen``) — is not one.

    >>> parse_number("$1,234.50"), parse_number("\\frac 43")
    (Fraction(2469, 2), Fraction(4, 3))
    >>> [parse_number(t) for t in ("5 or 6", "\\sqrt{3}", "3\\pi", "3+x")]
    [None, None, None, None]
    """
    found = _quantity(text)
    if found is None or not (_UNIT if units else _BARE).fullmatch(found[1]):
        return None
    return None if _NOT_UNITS.search(found[1]) else found[0]


def bare_number(text: str) -> Fraction | None:
    r"""The value of ``text`` if it is a number with no unit or percent, else ``None``.

    Only such values can be compared in size: ``10\%`` against ``0.2`` cannot.
    """
    return None if "%" in text else parse_number(text, units=False)


def _scaled(text: str) -> bool:
    """Whether ``text`` is a number and then words that change or hedge it (``6 dozen``)."""
    found = _quantity(text)
    return found is not None and bool(_UNIT.fullmatch(found[1]) and _NOT_UNITS.search(found[1]))


@lru_cache(maxsize=8192)
def _quantity(text: str) -> tuple[Fraction, str] | None:
    """The number ``text`` starts with (after ``x =`` or a currency sign) and what follows."""
    cleaned = _TEXT.sub(lambda m: " " + m.group(1) + " ", text)
    cleaned = _NOISE.sub("", cleaned.strip()).replace("\\%", "%").replace("−", "-")
    cleaned = _LEADING.sub("", cleaned.strip()).strip().rstrip(".").strip()
    match = _QUANTITY.fullmatch(cleaned)
    if match is None:
        return None
    body = match["body"]
    if body.startswith("\\"):
        frac = _FRAC_RE.match(body)
        if frac is None:
            return None
        num, den = frac["num"] or frac["num1"], frac["den"] or frac["den1"]
    else:
        num, _, den = body.partition("/")
    try:
        value = Fraction(num.replace(",", "").replace("−", "-").strip())
        if den:
            value /= Fraction(den.replace(",", "").strip())
    except (ValueError, ZeroDivisionError):
        return None
    if match["whole"]:
        value = int(match["whole"]) + value
    return (-value if match["sign"] in ("-", "−") else value), match["unit"]


def extract_answer(response: str) -> Extraction:
    r"""Find the single final answer in ``response``.

    In order: the last ``\boxed{}``, text after ``####``, "Final Answer: The final answer is
    $X$. I hope it is correct.", "the answer is ...", then the last line (its last ``$...$``,
    or what follows its last ``=``), then the only number in the response. Boxing different
    answers on one line is hedging and is no answer.
    """
    plain = _PLAIN.match(response)
    if plain:  # the common "The answer is 42." needs none of the general machinery
        method = "only_number" if plain[1] is None else "answer_is"
        return Extraction(plain[2], Fraction(int(plain[2])), method)
    boxes = _boxes(response)
    if boxes:
        return _last_box(response, boxes)
    if "####" in response:
        tail = response.rsplit("####", 1)[1].strip()
        return _span(tail.splitlines()[0] if tail else "", "hashes")
    minerva = _MINERVA.findall(response)
    if minerva:
        return _span(minerva[-1], "final_answer")
    said = _ANSWER_IS.findall(response)
    if said:
        return _span(said[-1], "answer_is")
    lines = [line for line in response.strip().splitlines() if line.strip()]
    if not lines:
        return Extraction(None, None, "none", "no answer found; end with e.g. 'The answer is 42'")
    found = _last_line(lines[-1])
    if found.value is not None:
        return found
    for text, method in ((lines[-1], "last_line"), (response, "only_number")):
        lone = _lone_number(text)
        if lone is not None:
            return _span(lone, method)
    if found.error or _LATEX.search(lines[-1]) or _INLINE_MATH.search(lines[-1]):
        return found  # a LaTeX answer, for the symbolic check, or why there is none
    numbers = _NUMBER.findall(response)
    if len(numbers) > 1:
        what = f"found {len(numbers)} candidate numbers and no single final answer"
    else:
        what = "no final answer stated"
    return Extraction(None, None, "none", f"{what}; end with e.g. 'The answer is 42'")


def _lone_number(text: str) -> str | None:
    """The one number in ``text`` if it is plain prose (no LaTeX, no hedge or negation)."""
    numbers = _NUMBER.findall(text)
    if len(numbers) != 1 or _LATEX.search(text) or _HEDGES.search(text):
        return None
    return numbers[0]


def _last_box(response: str, boxes: list[tuple[int, str]]) -> Extraction:
    where, last = boxes[-1]
    line_start = response.rfind("\n", 0, where) + 1
    line_end = response.find("\n", where)
    line_end = len(response) if line_end < 0 else line_end
    on_line = {_squash(c) for p, c in boxes if line_start <= p < line_end}
    if len(on_line) > 1:
        return Extraction(
            last.strip(),
            None,
            "boxed",
            f"{len(on_line)} different answers are boxed; box exactly one final answer",
        )
    return _span(last, "boxed")


def _last_line(line: str) -> Extraction:
    maths = {_squash(next(m for m in found if m)) for found in _INLINE_MATH.findall(line)}
    if len(maths) > 1:
        return Extraction(
            None, None, "none", "the last line gives several answers; end with one final answer"
        )
    if maths:
        return _span(maths.pop().rsplit("=", 1)[-1], "last_line")
    return _span(line.rsplit("=", 1)[-1], "last_line")


def _span(text: str, method: str) -> Extraction:
    text = re.sub(r"\.\s*$", "", text.strip()).strip().strip("*").strip()  # a full stop
    while len(text) > 1 and text[0] == "$" and text[-1] == "$":
        text = text[1:-1].strip()
    text = re.sub(r"^\\\((.*)\\\)$|^\\\[(.*)\\\]$", lambda m: m[1] or m[2], text, flags=re.S)
    text = re.sub(r"(?<!\\)\$", " ", text).strip()
    return Extraction(text, parse_number(text), method)


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def check_answer(found: Extraction, gold: str | int | Fraction, *, symbolic: bool = False) -> Check:
    r"""Whether the extracted answer equals ``gold``.

    Plain numbers are compared exactly first (fast). Otherwise, with ``symbolic`` (MATH-format
    problems) or a gold that is not a plain number, math-verify decides in a time-bounded
    worker (:mod:`fbgym.envs.math.symbolic`); without it the answer must be a number.
    Without ``symbolic``, a decimal that rounds a non-terminating gold fraction is accepted
    when it has at least two decimal places and is within half a unit of its last place.
    """
    if found.text is None or found.error:
        return Check(False, "unchecked", found.error or "no final answer found")
    if symbolic:  # units are math-verify's to judge, but it drops any \text after a number
        if _scaled(found.text) and not _scaled(str(gold)):
            return Check(False, "exact")
        gold_value = parse_number(str(gold), units=False)
        value = parse_number(found.text, units=False)
    else:
        gold_value = parse_number(gold) if isinstance(gold, str) else Fraction(gold)
        value = found.value
    if gold_value is not None and value is not None:
        if value == gold_value:
            return Check(True, "exact")
        if not symbolic:
            places = _decimal_places(found.text)
            close = places >= 2 and abs(value - gold_value) <= Fraction(1, 2 * 10**places)
            if close and _denominator_has_other_primes(gold_value.denominator):
                return Check(True, "rounded")
            return Check(False, "exact")
        if "." not in found.text and "%" not in found.text + str(gold):
            # two exact rationals differ; only decimals and percentages need math-verify
            return Check(False, "exact")
    if gold_value is not None and not symbolic:
        several = len(_NUMBER.findall(found.text)) > 1
        what = "holds several numbers" if several else "is not a number"
        return Check(False, "unchecked", f"the final answer {found.text!r} {what}")
    if _ALTERNATIVES.search(_TEXT.sub(r" \1 ", found.text)) and not _ALTERNATIVES.search(str(gold)):
        return Check(False, "unchecked", f"the final answer {found.text!r} names several values")
    from fbgym.envs.math.symbolic import MAX_CHARS, TIMEOUT_S, equivalent

    verdict = equivalent(found.text, str(gold))
    if verdict.status == "timeout":
        return Check(
            False,
            "symbolic",
            f"the final answer took longer than {TIMEOUT_S:g} s to check; state it more simply",
        )
    if verdict.status == "too_long":
        return Check(False, "symbolic", f"the final answer is longer than {MAX_CHARS} characters")
    return Check(verdict.equal, "symbolic")


def is_correct(found: Extraction, gold: str | int | Fraction, *, symbolic: bool = False) -> bool:
    """Whether the extracted answer equals ``gold`` (see :func:`check_answer`)."""
    return check_answer(found, gold, symbolic=symbolic).correct


def _decimal_places(text: str) -> int:
    match = re.search(r"\.(\d+)", text)
    return len(match.group(1)) if match else 0


def _denominator_has_other_primes(den: int) -> bool:
    for p in (2, 5):
        while den % p == 0:
            den //= p
    return den != 1
