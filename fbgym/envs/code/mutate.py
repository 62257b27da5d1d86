"""Bug injection: single-site mutants of a reference program (operators, bounds, constants)."""

from __future__ import annotations

import ast
import random
from collections.abc import Iterator

_COMPARE_SWAP: dict[type, type] = {
    ast.Lt: ast.LtE,
    ast.LtE: ast.Lt,
    ast.Gt: ast.GtE,
    ast.GtE: ast.Gt,
    ast.Eq: ast.NotEq,
    ast.NotEq: ast.Eq,
}
_BINOP_SWAP: dict[type, type] = {
    ast.Add: ast.Sub,
    ast.Sub: ast.Add,
    ast.Mult: ast.Add,
    ast.FloorDiv: ast.Mult,
    ast.Mod: ast.FloorDiv,
}


def _sites(tree: ast.AST) -> Iterator[tuple[int, str]]:
    """(node index in walk order, mutation) for every mutable site."""
    for i, node in enumerate(ast.walk(tree)):
        if isinstance(node, ast.Compare) and type(node.ops[0]) in _COMPARE_SWAP:
            yield i, "compare"
        elif isinstance(node, (ast.BinOp, ast.AugAssign)) and type(node.op) in _BINOP_SWAP:
            yield i, "binop"
        elif isinstance(node, ast.Constant) and type(node.value) is int:
            yield i, "plus_one"
        elif isinstance(node, ast.BoolOp):
            yield i, "boolop"
        elif isinstance(node, ast.Return) and node.value is not None:
            yield i, "return_none"


def _apply(tree: ast.AST, index: int, kind: str) -> None:
    node = list(ast.walk(tree))[index]
    if kind == "compare":
        node.ops[0] = _COMPARE_SWAP[type(node.ops[0])]()
    elif kind == "binop":
        node.op = _BINOP_SWAP[type(node.op)]()
    elif kind == "plus_one":
        node.value = node.value + 1
    elif kind == "boolop":
        node.op = ast.Or() if isinstance(node.op, ast.And) else ast.And()
    elif kind == "return_none":
        node.value = ast.Constant(None)


def mutants(source: str, rng: random.Random, count: int) -> list[str]:
    r"""Up to ``count`` distinct single-site mutants of ``source`` (never ``source`` itself).

    >>> mutants("def f(x):\n    return x + 1\n", random.Random(0), 2) != []
    True
    """
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    original = ast.unparse(tree)
    sites = list(_sites(tree))
    rng.shuffle(sites)
    found: list[str] = []
    for index, kind in sites:
        copy = ast.parse(source)
        _apply(copy, index, kind)
        text = ast.unparse(copy)
        if text != original and text + "\n" not in found:
            found.append(text + "\n")
        if len(found) >= count:
            break
    return found
