"""Expression trees shared by the arithmetic and fraction generators, and their worked steps."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from fbgym.envs.math.multistep.draft import Draft
from fbgym.envs.math.program import SYMBOLS

PRECEDENCE = {"+": 1, "-": 1, "*": 2, "/": 2}


@dataclass
class Node:
    """An operation on two subtrees, or a leaf: a whole number or a fraction ``p/q``."""

    value: Fraction
    op: str = ""
    left: Node | None = None
    right: Node | None = None
    fraction: tuple[int, int] | None = None
    """A leaf written as a fraction: (numerator, denominator)."""


def apply(op: str, a: Fraction, b: Fraction) -> Fraction:
    """``a op b``, exactly."""
    if op == "+":
        return a + b
    if op == "-":
        return a - b
    if op == "*":
        return a * b
    return Fraction(a) / b


def left_deep(node: Node) -> Node:
    """The same value with a + (b − c) as (a + b) − c and a × (b ÷ c) as (a × b) ÷ c.

    Printed without brackets, such chains read left to right; the tree must read the same,
    or a slip in the worked solution would not be a slip in the printed expression.
    """
    if node.left is None or node.right is None:
        return node
    node.left, node.right = left_deep(node.left), left_deep(node.right)
    return _rotate(node)


def _rotate(node: Node) -> Node:
    """:func:`left_deep` at ``node``, whose subtrees already read left to right."""
    inner = node.right
    while (
        node.left is not None
        and inner is not None
        and inner.left is not None
        and inner.right is not None
        and node.op in "+*"
        and PRECEDENCE[inner.op] == PRECEDENCE[node.op]
    ):
        value = apply(node.op, node.left.value, inner.left.value)
        left = _rotate(Node(value, node.op, node.left, inner.left))
        node = Node(node.value, inner.op, left, inner.right)
        inner = node.right
    return node


def write(node: Node, draft: Draft) -> tuple[str, str]:
    """A step per operation, innermost first; returns the node's reference and printed text.

    A fraction leaf is written into the step that uses it, as ``(p / q)``.
    """
    if node.fraction is not None:
        p, q = node.fraction
        return f"({p} / {q})", f"{p}/{q}"
    if node.left is None or node.right is None:
        return str(node.value), str(node.value)
    p = PRECEDENCE[node.op]
    sides = []
    for child, is_right in ((node.left, False), (node.right, True)):
        ref, text = write(child, draft)
        q = PRECEDENCE.get(child.op, 3)
        if q < p or (is_right and q == p and node.op in "-/"):
            text = f"({text})"
        sides.append((ref, text))
    (lref, ltext), (rref, rtext) = sides
    text = f"{ltext} {SYMBOLS[node.op]} {rtext}"
    return draft.step(f"{lref} {node.op} {rref}", text), text


def operations(node: Node) -> int:
    """Operations the tree performs, a fraction leaf's division included."""
    if node.left is None or node.right is None:
        return int(node.fraction is not None)
    return 1 + operations(node.left) + operations(node.right)
