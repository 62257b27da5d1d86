r"""Loaders for GSM8K-format and MATH-format problem files on local paths.

GSM8K: ``question``, and ``answer``: worked steps with ``<<expr=result>>`` calculator
annotations, ending ``#### N``. MATH: ``problem`` and ``solution`` with ``\boxed{}`` (or an
``answer`` field, as in MATH-500), optional ``level`` and ``unique_id``. Either may carry an
id (``unique_id``, ``task_id`` or ``id``). Records keep the file's order; a record that cannot
be used is an error naming its file and line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction
from functools import partial
from pathlib import Path
from typing import Any

from fbgym.envs.datafiles import read_records
from fbgym.envs.math.grader import find_boxed, parse_number
from fbgym.envs.math.program import Step, compile_expr, evaluate, format_number
from fbgym.errors import DataFormatError

_ANNOTATION = re.compile(r"<<([^<>=]+)=([^<>]+)>>")
_ANY_ANNOTATION = re.compile(r"<<[^<>]*>>")
_LEVEL = re.compile(r"(\d+)")
ID_FIELDS = ("unique_id", "task_id", "id")
"""Record fields that name a problem, first found wins."""


@dataclass(frozen=True)
class LoadedProblem:
    """One problem read from a data file."""

    question: str
    answer: str
    """The gold final answer as written (a number, or a LaTeX expression for MATH)."""
    steps: tuple[Step, ...] = ()
    """The step program, when the solution's arithmetic can be recovered (GSM8K)."""
    solution: tuple[str, ...] = ()
    """The reference solution, line by line (GSM8K) or sentence by sentence (MATH)."""
    source: str = ""
    """``file:line`` it came from."""
    difficulty: int | None = None
    id: str | None = None
    """The record's own id (``unique_id``, ``task_id`` or ``id``), if it has one."""


def _require(record: dict[str, Any], keys: tuple[str, ...], where: str) -> None:
    missing = [k for k in keys if not isinstance(record.get(k), str)]
    if missing:
        raise DataFormatError(f"{where}: missing text field(s) {missing}; found {sorted(record)}")


def _record_id(record: dict[str, Any], where: str) -> str | None:
    for key in ID_FIELDS:
        value = record.get(key)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, (str, int)) or str(value) == "":
            raise DataFormatError(f"{where}: {key} must be a non-empty string or integer")
        return str(value)
    return None


def clean_gsm8k(text: str) -> str:
    """GSM8K solution text without its ``<<expr=result>>`` calculator annotations.

    >>> clean_gsm8k("She earned 0.2 x 50 = $<<0.2*50=10>>10.")
    'She earned 0.2 x 50 = $10.'
    """
    return _ANY_ANNOTATION.sub("", text)


def _to_ref(values: list[Fraction], match: re.Match[str]) -> str:
    """``sN`` for a number equal to step N's result (the latest such), else the number."""
    value = Fraction(match.group())
    for i in range(len(values) - 1, -1, -1):
        if values[i] == value:
            return f"s{i + 1}"
    return match.group()


def gsm8k_steps(answer: str) -> tuple[Step, ...]:
    """The step program in a GSM8K answer's calculator annotations (``<<48/2=24>>``).

    A number that equals an earlier step's result becomes a reference to that step, so a
    slip in one step carries through to the final answer. Each step's text is its line,
    annotations removed.
    """
    steps: list[Step] = []
    values: list[Fraction] = []
    for line in answer.splitlines():
        text = clean_gsm8k(line).strip()
        for expr, _ in _ANNOTATION.findall(line):
            expr = expr.replace(",", "").replace("x", "*").strip()
            try:
                compile_expr(expr)
            except ValueError:
                return ()
            expr = re.sub(r"(?<![\w.])\d+(?:\.\d+)?", partial(_to_ref, values), expr)
            steps.append(Step(expr, text))
            computed = evaluate(steps)
            if computed is None:
                return ()
            values = list(computed)
    return tuple(steps)


def load_gsm8k(path: str | Path) -> list[LoadedProblem]:
    """Problems from a GSM8K-format file: ``question``, and ``answer`` ending ``#### N``."""
    problems = []
    for number, record in read_records(path):
        where = f"{path}:{number}"
        _require(record, ("question", "answer"), where)
        answer = record["answer"]
        if "####" not in answer:
            raise DataFormatError(f"{where}: the answer does not end with '#### <number>'")
        reasoning, gold = answer.rsplit("####", 1)
        gold = gold.strip().replace(",", "")
        value = parse_number(gold)
        if value is None:
            raise DataFormatError(f"{where}: the final answer {gold!r} is not a number")
        steps = gsm8k_steps(reasoning)
        if steps and evaluate(steps)[-1] != value:  # type: ignore[index]
            steps = ()  # the annotations do not compute the answer: no step program
        lines = tuple(clean_gsm8k(ln).strip() for ln in reasoning.splitlines() if ln.strip())
        problems.append(
            LoadedProblem(
                record["question"].strip(),
                format_number(value),
                steps,
                lines,
                where,
                id=_record_id(record, where),
            )
        )
    return problems


def load_math(path: str | Path) -> list[LoadedProblem]:
    r"""Problems from a MATH-format file: ``problem``, ``solution`` with ``\boxed{...}``.

    An ``answer`` field (MATH-500) is the gold answer when present; otherwise the solution's
    last ``\boxed{}`` is.
    """
    problems = []
    for number, record in read_records(path):
        where = f"{path}:{number}"
        _require(record, ("problem", "solution"), where)
        answer = record.get("answer")
        if answer is not None and (not isinstance(answer, str) or not answer.strip()):
            raise DataFormatError(f"{where}: answer must be non-empty text, got {answer!r}")
        if answer is None:
            boxed = find_boxed(record["solution"])
            if not boxed or not boxed[-1].strip():
                raise DataFormatError(
                    f"{where}: the solution has no \\boxed{{...}} answer and there is no "
                    "answer field"
                )
            answer = boxed[-1]
        level = _LEVEL.search(str(record.get("level", "")))
        sentences = tuple(
            s.strip() for s in re.split(r"(?<=[.!?])\s+", record["solution"]) if s.strip()
        )
        problems.append(
            LoadedProblem(
                record["problem"].strip(),
                answer.strip(),
                (),
                sentences,
                where,
                int(level.group(1)) if level else None,
                _record_id(record, where),
            )
        )
    return problems


def positions_by_id(problems: list[LoadedProblem]) -> dict[str, int]:
    """Each problem's position by its record id; a repeated id is an error naming both."""
    positions: dict[str, int] = {}
    for i, problem in enumerate(problems):
        if problem.id is None:
            continue
        if problem.id in positions:
            first = problems[positions[problem.id]].source
            raise DataFormatError(f"{problem.source}: id {problem.id!r} is already used at {first}")
        positions[problem.id] = i
    return positions


LOADERS = {"gsm8k": load_gsm8k, "math": load_math}
