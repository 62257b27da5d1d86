"""Loaders for HumanEval-format and MBPP-format problem files (.jsonl, .jsonl.gz) on local paths.

Tests are turned into calls the trusted side can judge: every ``candidate(...)`` (HumanEval)
or ``entry_point(...)`` (MBPP) call in an assert whose arguments are literals becomes one
test. When the assert is ``call == literal`` the literal is the expected value; otherwise
(``abs(call - x) < 1e-6``, ``assert not call``, ...) the expected value is what the
reference solution returns, computed in the sandbox.
"""

from __future__ import annotations

import ast
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fbgym.envs.datafiles import read_records
from fbgym.errors import DataFormatError

_MISSING = object()


@dataclass(frozen=True)
class LoadedTest:
    """One test: literal arguments, and the expected value if the file states it."""

    args: tuple[Any, ...]
    expected: Any = _MISSING
    source: str = ""
    """The assert it came from, as written."""

    @property
    def has_expected(self) -> bool:
        """Whether the file states the expected value (else the reference gives it)."""
        return self.expected is not _MISSING


@dataclass(frozen=True)
class LoadedProblem:
    """A coding problem read from a data file."""

    task_id: str
    prompt: str
    """What the solver sees: for HumanEval the signature and docstring it must complete."""
    entry_point: str
    reference: str
    """A complete program defining ``entry_point`` (prompt + canonical solution)."""
    tests: tuple[LoadedTest, ...]
    preamble: str = ""
    """Code prepended to a solution (HumanEval: the prompt, with its imports and helpers)."""
    source: str = ""


def extract_tests(test_source: str, callee: str, where: str) -> tuple[LoadedTest, ...]:
    """The literal-argument calls of ``callee`` inside the asserts of ``test_source``."""
    try:
        tree = ast.parse(test_source)
    except SyntaxError as exc:
        raise DataFormatError(
            f"{where}: the tests do not parse ({exc.msg}, line {exc.lineno})"
        ) from None
    tests: list[LoadedTest] = []
    seen: set[str] = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.Assert):
            continue
        text = ast.unparse(node)
        for call in ast.walk(node.test):
            if not (
                isinstance(call, ast.Call)
                and isinstance(call.func, ast.Name)
                and call.func.id == callee
                and not call.keywords
            ):
                continue
            try:
                args = tuple(ast.literal_eval(a) for a in call.args)
            except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
                continue
            expected: Any = _MISSING
            test = node.test
            if (
                isinstance(test, ast.Compare)
                and test.left is call
                and len(test.ops) == 1
                and isinstance(test.ops[0], ast.Eq)
            ):
                try:
                    expected = ast.literal_eval(test.comparators[0])
                except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
                    expected = _MISSING
            key = repr(args)
            if key not in seen:
                seen.add(key)
                tests.append(LoadedTest(args, expected, text))
    return tuple(tests)


def _text(record: dict[str, Any], keys: tuple[str, ...], where: str) -> None:
    missing = [k for k in keys if not isinstance(record.get(k), str)]
    if missing:
        raise DataFormatError(f"{where}: missing text field(s) {missing}; found {sorted(record)}")


def load_humaneval(path: str | Path) -> list[LoadedProblem]:
    """HumanEval format: ``prompt``, ``canonical_solution``, ``test``, ``entry_point``."""
    problems, skipped = [], []
    for number, record in read_records(path):
        where = f"{path}:{number}"
        _text(record, ("prompt", "canonical_solution", "test", "entry_point"), where)
        tests = extract_tests(record["test"], "candidate", where)
        task_id = str(record.get("task_id", f"line{number}"))
        if not tests:
            skipped.append(task_id)
            continue
        problems.append(
            LoadedProblem(
                task_id=task_id,
                prompt=record["prompt"],
                entry_point=record["entry_point"],
                reference=record["prompt"] + record["canonical_solution"],
                tests=tests,
                preamble=record["prompt"],
                source=where,
            )
        )
    _warn_skipped(path, skipped)
    return problems


def load_mbpp(path: str | Path) -> list[LoadedProblem]:
    """MBPP format: ``task_id``, ``text``, ``code``, ``test_list`` (asserts), optional setup."""
    problems, skipped = [], []
    for number, record in read_records(path):
        where = f"{path}:{number}"
        _text(record, ("text", "code"), where)
        test_list = record.get("test_list")
        if not isinstance(test_list, list) or not all(isinstance(t, str) for t in test_list):
            raise DataFormatError(f"{where}: test_list must be a list of assert strings")
        entry = _called_name(test_list, record["code"])
        task_id = str(record.get("task_id", f"line{number}"))
        tests = extract_tests("\n".join(test_list), entry, where) if entry else ()
        if not tests:
            skipped.append(task_id)
            continue
        setup = record.get("test_setup_code") or ""
        prompt = (
            f"{record['text']}\nYour function `{entry}` should pass tests like:\n{test_list[0]}\n"
        )
        problems.append(
            LoadedProblem(
                task_id=task_id,
                prompt=prompt,
                entry_point=entry,
                reference=setup + ("\n" if setup else "") + record["code"],
                tests=tests,
                preamble=setup,
                source=where,
            )
        )
    _warn_skipped(path, skipped)
    return problems


def _called_name(test_list: list[str], code: str) -> str | None:
    """The function the asserts call that the reference code defines."""
    try:
        defined = {n.name for n in ast.walk(ast.parse(code)) if isinstance(n, ast.FunctionDef)}
        for test in test_list:
            for node in ast.walk(ast.parse(test)):
                if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                    if node.func.id in defined:
                        return node.func.id
    except SyntaxError:
        return None
    return None


def _warn_skipped(path: str | Path, skipped: list[str]) -> None:
    if skipped:
        warnings.warn(
            f"{path}: skipped {len(skipped)} problem(s) with no literal-argument test "
            f"({', '.join(skipped[:5])}{', ...' if len(skipped) > 5 else ''})",
            stacklevel=3,
        )


LOADERS = {"humaneval": load_humaneval, "mbpp": load_mbpp}
