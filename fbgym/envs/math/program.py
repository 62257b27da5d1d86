"""Worked solutions as step programs, and the typical mistakes a solver makes in them.

A step is an arithmetic expression over numbers and earlier steps (``s1``, ``s2``, ...);
the last step is the answer. Critics use the mistakes to say which step went wrong, and
baseline agents use them to propose plausible wrong answers.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache

Node = tuple  # ("num", Fraction) | ("ref", int) | ("neg", Node) | ("bin", op, Node, Node)

SYMBOLS = {"+": "+", "-": "−", "*": "×", "/": "÷"}
VERBS = {"+": "add", "-": "subtract", "*": "multiply", "/": "divide"}
_SWAP = {"+": "-", "-": "+", "*": "/", "/": "*"}

MISTAKES = ("swap_op", "reverse", "skip", "plus_one", "minus_one")
"""Typical slips: the wrong operation, operands the wrong way round, a step left out,
and off-by-one counting."""


@dataclass(frozen=True)
class Step:
    """One step of a worked solution."""

    expr: str
    """Arithmetic over numbers and earlier steps, e.g. ``"s1 * 3 + 2"``."""
    text: str
    """What the step computes, in words (``"the cost of the apples"``)."""


@dataclass(frozen=True)
class Mistake:
    """A slip at one binary operation of one step (``node`` counts operations in pre-order)."""

    step: int
    """0-based step index."""
    kind: str
    node: int = 0


_TOKEN = re.compile(r"\s*(?:(\d+(?:\.\d+)?)|s(\d+)|([-+*/()]))")
_PRECEDENCE = {"+": 1, "-": 1, "*": 2, "/": 2}


@lru_cache(maxsize=4096)
def compile_expr(expr: str) -> Node:
    """Parse ``expr`` into a small tree; only numbers, ``sN``, + − × ÷ and parentheses.

    >>> compile_expr("2 * (s1 - 3)")
    ('bin', '*', ('num', 2), ('bin', '-', ('ref', 1), ('num', 3)))
    """
    text = expr.replace("×", "*").replace("÷", "/").replace("−", "-").strip()
    tokens: list[tuple[str, str]] = []
    position = 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            raise ValueError(f"unsupported element in step expression {expr!r}")
        number, ref, op = match.groups()
        tokens.append(("num", number) if number else ("ref", ref) if ref else ("op", op))
        position = match.end()
        while position < len(text) and text[position].isspace():
            position += 1
    parser = _Parser(tokens, expr)
    node = parser.expression(1)
    if parser.index != len(tokens):
        raise ValueError(f"invalid step expression {expr!r}")
    return node


class _Parser:
    """Precedence climbing over the tokens of one step expression."""

    def __init__(self, tokens: list[tuple[str, str]], expr: str):
        self.tokens, self.expr, self.index = tokens, expr, 0

    def _fail(self) -> ValueError:
        return ValueError(f"invalid step expression {self.expr!r}")

    def primary(self) -> Node:
        if self.index >= len(self.tokens):
            raise self._fail()
        kind, value = self.tokens[self.index]
        self.index += 1
        if kind == "num":
            number = Fraction(value)
            return ("num", int(number) if number.denominator == 1 else number)
        if kind == "ref":
            return ("ref", int(value))
        if value == "-":
            return ("neg", self.primary())
        if value == "(":
            node = self.expression(1)
            if self.index >= len(self.tokens) or self.tokens[self.index] != ("op", ")"):
                raise self._fail()
            self.index += 1
            return node
        raise self._fail()

    def expression(self, min_precedence: int) -> Node:
        left = self.primary()
        while self.index < len(self.tokens):
            kind, op = self.tokens[self.index]
            precedence = _PRECEDENCE.get(op, 0) if kind == "op" else 0
            if precedence < min_precedence:
                break
            self.index += 1
            left = ("bin", op, left, self.expression(precedence + 1))
        return left


def _eval(node: Node, refs: Sequence[Fraction], slip: tuple[int, str] | None, counter: list[int]):
    kind = node[0]
    if kind == "num":
        return node[1]
    if kind == "ref":
        return refs[node[1] - 1]
    if kind == "neg":
        return -_eval(node[1], refs, slip, counter)
    op, index = node[1], counter[0]
    counter[0] += 1
    left = _eval(node[2], refs, slip, counter)
    right = _eval(node[3], refs, slip, counter)
    if slip is not None and slip[0] == index:
        if slip[1] == "swap_op":
            op = _SWAP[op]
        elif slip[1] == "reverse":
            left, right = right, left
        elif slip[1] == "skip":
            return left
    if op == "+":
        return left + right
    if op == "-":
        return left - right
    if op == "*":
        return left * right
    if right == 0:
        raise ZeroDivisionError
    if type(left) is int and type(right) is int and left % right == 0:
        return left // right  # exact integer division keeps the fast int path
    return Fraction(left) / right


def evaluate(
    steps: Sequence[Step], mistake: Mistake | None = None, prefix: Sequence[Fraction] = ()
) -> tuple[Fraction, ...] | None:
    """The value of every step, with ``mistake`` applied; ``None`` if it divides by zero.

    Values are exact: ``int`` while they are whole, ``Fraction`` otherwise. ``prefix`` holds
    already known values of the first steps, which are then not recomputed.
    """
    values: list[Fraction] = list(prefix)
    for i, step in enumerate(steps[len(values) :], start=len(values)):
        node = compile_expr(step.expr)
        slip = None
        if (
            mistake is not None
            and mistake.step == i
            and mistake.kind in ("swap_op", "reverse", "skip")
        ):
            slip = (mistake.node, mistake.kind)
        try:
            value = _eval(node, values, slip, [0])
        except ZeroDivisionError:
            return None
        if mistake is not None and mistake.step == i:
            value += {"plus_one": 1, "minus_one": -1}.get(mistake.kind, 0)
        values.append(value)
    return tuple(values)


def mistakes(steps: Sequence[Step]) -> Iterator[Mistake]:
    """Every single slip that changes some operation of some step."""
    for i, step in enumerate(steps):
        node = compile_expr(step.expr)
        ops = _ops(node)
        for n, op in enumerate(ops):
            yield Mistake(i, "swap_op", n)
            if op in "-/":
                yield Mistake(i, "reverse", n)
            yield Mistake(i, "skip", n)
        if ops and ops[-1] in "+-":
            yield Mistake(i, "plus_one")
            yield Mistake(i, "minus_one")


def operations(steps: Sequence[Step]) -> int:
    """How many binary operations a worked solution performs: the length of the problem.

    >>> operations((Step("3 * 4 + 2", "a"), Step("s1 / 2", "b")))
    3
    """
    return sum(len(_ops(compile_expr(s.expr))) for s in steps)


def _ops(node: Node) -> list[str]:
    if node[0] == "bin":
        return [node[1], *_ops(node[2]), *_ops(node[3])]
    if node[0] == "neg":
        return _ops(node[1])
    return []


def mistaken_paths(steps: Sequence[Step]) -> dict[Mistake, tuple[Fraction, ...]]:
    """Each single slip's step values, for the slips that change the final answer."""
    correct = evaluate(steps)
    paths = {}
    for m in mistakes(steps):
        values = evaluate(steps, m, correct[: m.step] if correct else ())
        if values is not None and correct is not None and values[-1] != correct[-1]:
            paths[m] = values
    return paths


def describe(steps: Sequence[Step], mistake: Mistake) -> str:
    """The slip in words, e.g. "you added where this step subtracts"."""
    ops = _ops(compile_expr(steps[mistake.step].expr))
    op = ops[mistake.node] if ops else "+"
    if mistake.kind == "swap_op":
        return f"it looks as if you chose to {VERBS[_SWAP[op]]} where this step should {VERBS[op]}"
    if mistake.kind == "reverse":
        return "it looks as if you took the two quantities the wrong way round"
    if mistake.kind == "skip":
        return "it looks as if this step was left out"
    return "the count is off by one"


def steps_to_json(steps: Sequence[Step]) -> list[dict[str, str]]:
    """Steps as plain dicts, for JSON."""
    return [{"expr": s.expr, "text": s.text} for s in steps]


def steps_from_json(data: Sequence[Mapping[str, str]]) -> tuple[Step, ...]:
    """The inverse of :func:`steps_to_json`."""
    return tuple(Step(d["expr"], d.get("text", "")) for d in data)


def format_number(value: Fraction) -> str:
    """``value`` as an integer, a terminating decimal, or a fraction ``p/q``.

    >>> format_number(Fraction(5, 2)), format_number(Fraction(1, 3)), format_number(Fraction(4))
    ('2.5', '1/3', '4')
    """
    if value.denominator == 1:
        return str(value.numerator)
    den = value.denominator
    for p in (2, 5):
        while den % p == 0:
            den //= p
    if den == 1:
        return f"{float(value):.10f}".rstrip("0").rstrip(".")
    return f"{value.numerator}/{value.denominator}"
