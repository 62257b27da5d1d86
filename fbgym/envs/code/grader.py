"""The code grader: find the program in an action, run hidden tests in the sandbox, judge here."""

from __future__ import annotations

import ast
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from fbgym.core.types import Outcome
from fbgym.sandbox import CallError, CheckResult, RunResult, Sandbox, show_value, values_equal

_FENCE = re.compile(r"```[ \t]*(?:python3?|py)?[ \t]*\r?\n(.*?)```", re.DOTALL | re.IGNORECASE)
SEVERITY = {
    "wrong_answer": 0,
    "exception": 1,
    "timeout": 2,
    "crashed": 3,
    "load_error": 4,
    "tampered": 4,
}
"""How bad a failure is; ranked feedback breaks ties in pass fraction by it."""


@dataclass(frozen=True)
class HiddenTest:
    """One hidden test: arguments, the expected value, and what edge case it covers."""

    args: tuple[Any, ...]
    expected: Any
    note: str = ""


@runtime_checkable
class SelfGradingTests(Protocol):
    """Tests that run and judge a program themselves; ``len`` is how many they are."""

    def __len__(self) -> int: ...

    def grade(self, sandbox: Sandbox, source: str, entry: str) -> Outcome:
        """The verdict on ``source`` (which defines ``entry``)."""
        ...


@dataclass(frozen=True)
class Program:
    """The program assembled from an action, or why there is none."""

    source: str | None
    error: str = ""
    syntax_line: int | None = None


def extract_code(action: str, entry: str) -> str:
    """The code in ``action``.

    The fenced block that defines ``entry`` (else the longest fenced block), or the whole
    action when it has no fences.
    """
    blocks = _FENCE.findall(action)
    if not blocks:
        return action
    defining = [
        b for b in blocks if re.search(rf"^\s*(?:async\s+)?def\s+{re.escape(entry)}\b", b, re.M)
    ]
    return (defining or sorted(blocks, key=len, reverse=True))[:1][0]


def _defines(tree: ast.Module, entry: str) -> bool:
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == entry:
            return True
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == entry for t in node.targets
        ):
            return True
    return False


def assemble(action: str, entry: str, preamble: str = "") -> Program:
    """A complete program from an action.

    Either a full definition of ``entry`` (after ``preamble``) or a body that completes
    ``preamble`` (HumanEval style).
    """
    code = extract_code(action, entry).strip("\n")
    try:
        tree = ast.parse(code)
    except SyntaxError as exc:
        if preamble:
            completed = preamble + code + "\n"
            try:
                if _defines(ast.parse(completed), entry):
                    return Program(completed)
            except SyntaxError:
                pass
        where = f"line {exc.lineno}" if exc.lineno else "the code"
        return Program(None, f"SyntaxError on {where}: {exc.msg}", exc.lineno)
    except (ValueError, MemoryError, RecursionError) as exc:
        return Program(None, f"the code cannot be parsed ({type(exc).__name__})")
    if _defines(tree, entry):
        return Program((preamble + "\n\n" if preamble else "") + code + "\n")
    if preamble and code.startswith((" ", "\t")):
        completed = preamble + code + "\n"
        try:
            if _defines(ast.parse(completed), entry):
                return Program(completed)
        except SyntaxError as exc:
            return Program(None, f"SyntaxError on line {exc.lineno}: {exc.msg}", exc.lineno)
    return Program(None, f"no function named `{entry}` is defined; write `def {entry}(...):`")


def show_call(entry: str, args: Sequence[Any], kwargs: dict[str, Any] | None = None) -> str:
    """``entry(1, 'a')``, cut to a readable length (see :func:`fbgym.sandbox.show_value`)."""
    shown = [show_value(a) for a in args] + [
        f"{k}={show_value(v)}" for k, v in (kwargs or {}).items()
    ]
    return _cut(f"{entry}({', '.join(shown)})")


def _cut(text: str, limit: int = 300) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def utility_of(success: bool, passed: int, total: int, status: str) -> float:
    """The attempt's utility for ranking: pass fraction, ties broken by how bad the failure is."""
    if success:
        return 1.0
    return (passed + (4 - SEVERITY.get(status, 0)) / 5 * 0.9) / max(total, 1)


def judge(run: RunResult, tests: Sequence[HiddenTest], entry: str) -> Outcome:
    """The verdict on a sandbox run, made here from the returned plain values."""
    total = len(tests)
    passed, first, first_status = 0, None, "passed"
    for test, call in zip(tests, run.calls):
        status = run_status(run, call.returned, call.error)
        if status == "passed" and not values_equal(call.value, test.expected):
            status = "wrong_answer"
        if status == "passed":
            passed += 1
            continue
        if first is None:
            first_status = status
            error = run.load_error if status == "load_error" else call.error
            first = {
                "call": show_call(entry, test.args),
                "args": [show_value(a) for a in test.args],
                "expected": show_value(test.expected),
                "got": show_value(call.value) if status == "wrong_answer" else None,
                "note": test.note,
                "error": error.to_dict() if isinstance(error, CallError) else None,
            }
    success = total > 0 and passed == total
    score = passed / total if total else 0.0
    utility = utility_of(success, passed, total, first_status)
    diagnosis: dict[str, Any] = {
        "passed": passed,
        "total": total,
        "status": first_status,
        "failure": first,
        "timeout": run.timed_out,
        "output": run.output[:2000],
        "isolation": run.isolation.get("level", "unknown"),
    }
    if run.protocol_error:
        diagnosis["tampered"] = run.protocol_error
    return Outcome(success, 1.0 if success else score, utility=utility, diagnosis=diagnosis)


def run_status(run: RunResult | CheckResult, returned: bool = True, error: Any = None) -> str:
    """What went wrong with a run, or with a call in it (``passed`` if nothing did)."""
    if run.protocol_error:
        return "tampered"
    if not run.loaded:
        if run.load_error is not None:
            return "load_error"
        return "timeout" if run.timed_out else "crashed"
    if not returned:
        return "timeout" if run.timed_out else "crashed"
    if error is not None:
        return "exception"
    return "passed"


def grade_program(
    sandbox: Sandbox,
    action: str,
    entry: str,
    tests: Sequence[HiddenTest] | SelfGradingTests,
    preamble: str = "",
) -> Outcome:
    """Assemble, run and judge ``action``; unusable code is an invalid attempt that says why.

    ``tests`` are hidden tests with expected values (judged here), or a suite that runs and
    judges itself (a data file's own tests: :class:`fbgym.envs.code.suite.FileTests`).
    """
    program = assemble(action, entry, preamble)
    if program.source is None:
        return Outcome.invalid(
            program.error,
            status="invalid",
            syntax_line=program.syntax_line,
            passed=0,
            total=len(tests),
        )
    if isinstance(tests, SelfGradingTests):
        return tests.grade(sandbox, program.source, entry)
    run = sandbox.run(program.source, entry=entry, calls=[t.args for t in tests])
    return judge(run, tests, entry)
