"""Arithmetic expressions with + − × ÷ and parentheses; integer results at every step."""

from __future__ import annotations

import random

from fbgym.envs.math.generators import MathItem, generator
from fbgym.envs.math.program import SYMBOLS, Step

_PRECEDENCE = {"+": 1, "-": 1, "*": 2, "/": 2}


def _split(rng: random.Random, value: int, ops: str, hi: int) -> tuple[str, int, int]:
    """An operation and two integer operands that combine to ``value``."""
    for _ in range(20):
        op = rng.choice(ops)
        if op == "+" and value >= 2:
            a = rng.randint(1, value - 1)
            return op, a, value - a
        if op == "-":
            b = rng.randint(1, hi)
            return op, value + b, b
        if op == "*":
            divisors = [d for d in range(2, min(abs(value) // 2, 12) + 1) if value % d == 0]
            if divisors:
                d = rng.choice(divisors)
                return op, value // d, d
        if op == "/":
            d = rng.randint(2, 9)
            return op, value * d, d
    return "-", value + 1, 1


@generator("arithmetic")
def arithmetic(rng: random.Random, level: int) -> MathItem:
    """Compute an expression of ``level + 1`` operands (× from level 2, ÷ from 3)."""
    ops = "+-" if level == 1 else "+-*" if level == 2 else "+-*/"
    hi = 10 * level
    # grow a tree from its value down, splitting a leaf into an operation per level
    root: dict = {"leaf": rng.randint(2, 12 * level)}
    frontier = [root]
    for _ in range(level):
        node = rng.choice(frontier)
        op, a, b = _split(rng, node["leaf"], ops, hi)
        left, right = {"leaf": a}, {"leaf": b}
        node.clear()
        node.update(op=op, left=left, right=right)
        frontier.remove(node)
        frontier += [left, right]
    steps: list[Step] = []

    def emit(node: dict) -> tuple[str, str, int]:
        """(expr for the step program, text as printed, precedence)."""
        if "leaf" in node:
            return str(node["leaf"]), str(node["leaf"]), 3
        lexpr, ltext, lp = emit(node["left"])
        rexpr, rtext, rp = emit(node["right"])
        p = _PRECEDENCE[node["op"]]
        ltext = f"({ltext})" if lp < p else ltext
        rtext = f"({rtext})" if rp < p or (rp == p and node["op"] in "-/") else rtext
        text = f"{ltext} {SYMBOLS[node['op']]} {rtext}"
        steps.append(Step(f"{lexpr} {node['op']} {rexpr}", text))
        return f"s{len(steps)}", text, p

    _, text, _ = emit(root)
    return MathItem(f"Compute {text}.", tuple(steps))
