"""Test programs for :meth:`Sandbox.check`: a data set's own test code, its asserts reporting.

The test code runs as written, in a sandboxed process of its own; the solution runs in
another, and every call of it crosses between them as plain data. Each ``assert`` is
rewritten to report whether it held and to carry on, so one failed assert does not hide
the rest; what an assert looked like in the source (its line, its text, whether its calls
of the solution have literal arguments) stays here, on the trusted side.
"""

from __future__ import annotations

import ast
import copy
from collections.abc import Collection, Mapping
from dataclasses import dataclass

_HOOK = "__fbgym__"
_ERROR = "__fbgym_error__"


@dataclass(frozen=True)
class AssertSite:
    """One ``assert`` statement of the test source."""

    number: int
    line: int
    """Its line in the test source as given."""
    text: str
    """The statement as written (re-printed), the solution's function under its own name."""
    literal: bool
    """Every call of the solution in it has literal arguments (so they may be shown)."""
    expected: str | None = None
    """For ``assert call == literal``: the literal, as ``repr`` prints it."""


@dataclass(frozen=True)
class TestProgram:
    """Test code ready to run beside a solution (see :meth:`Sandbox.check`).

    ``setup`` runs first; then each name of ``bindings`` becomes a function that calls the
    solution's function of that name; then ``body``, the rewritten tests.
    """

    __test__ = False  # not a class of tests for pytest to collect

    setup: str
    body: str
    bindings: tuple[str, ...]
    sites: tuple[AssertSite, ...]

    @classmethod
    def build(
        cls,
        tests: str,
        *,
        bindings: Collection[str],
        setup: str = "",
        callees: Collection[str] = (),
        rename: Mapping[str, str] | None = None,
        run: str = "",
    ) -> TestProgram:
        """Rewrite ``tests`` (raises ``SyntaxError`` if it does not parse).

        ``callees`` are the names under which the tests call the solution besides
        ``bindings`` (HumanEval's ``candidate``); ``rename`` maps them to the names shown;
        ``run`` is code to run after the tests (``check(entry)``).
        """
        tree = ast.parse(tests + ("\n" + run if run else ""))
        rewriter = _Rewriter(set(bindings) | set(callees), dict(rename or {}))
        tree = ast.fix_missing_locations(rewriter.visit(tree))
        return cls(setup, ast.unparse(tree) + "\n", tuple(bindings), tuple(rewriter.sites))

    def site(self, number: int | None) -> AssertSite | None:
        """The assert numbered ``number``, if there is one."""
        if type(number) is int and 0 <= number < len(self.sites):
            return self.sites[number]
        return None


def _hook(method: str, *args: ast.expr) -> ast.Expr:
    func = ast.Attribute(ast.Name(_HOOK, ast.Load()), method, ast.Load())
    return ast.Expr(ast.Call(func, list(args), []))


def _is_literal(node: ast.AST) -> bool:
    try:
        ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return False
    return True


class _Rewriter(ast.NodeTransformer):
    def __init__(self, callees: set[str], rename: dict[str, str]):
        self.callees, self.rename = callees, rename
        self.sites: list[AssertSite] = []

    def _calls(self, node: ast.AST) -> list[ast.Call]:
        return [
            n
            for n in ast.walk(node)
            if isinstance(n, ast.Call)
            and isinstance(n.func, ast.Name)
            and n.func.id in self.callees
        ]

    def _expected(self, test: ast.expr) -> str | None:
        if not (
            isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], ast.Eq)
        ):
            return None
        sides = (test.left, test.comparators[0])
        for call, literal in (sides, sides[::-1]):
            if call in self._calls(test) and _is_literal(literal):
                return repr(ast.literal_eval(literal))
        return None

    def _shown(self, node: ast.Assert) -> str:
        shown = copy.deepcopy(node)
        for name in ast.walk(shown):
            if isinstance(name, ast.Name) and name.id in self.rename:
                name.id = self.rename[name.id]
        shown.msg = None
        return ast.unparse(shown)

    def visit_Assert(self, node: ast.Assert) -> list[ast.stmt]:  # noqa: N802 (ast's naming)
        calls = self._calls(node.test)
        literal = bool(calls) and all(
            _is_literal(a) for c in calls for a in [*c.args, *(k.value for k in c.keywords)]
        )
        number = len(self.sites)
        site = AssertSite(
            number, node.lineno, self._shown(node), literal, self._expected(node.test)
        )
        self.sites.append(site)
        n = ast.Constant(number)
        handler = ast.ExceptHandler(
            ast.Name("Exception", ast.Load()),
            _ERROR,
            [_hook("failed", n, ast.Name(_ERROR, ast.Load()))],
        )
        body = [_hook("passed", n, node.test)]
        return [_hook("begin", n), ast.Try(body, [handler], [], [])]
