"""Loaders for GSM8K-format and MATH-format problem files on local paths."""

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
_LEVEL = re.compile(r"(\d+)")


@dataclass(frozen=True)
class LoadedProblem:
    """One problem read from a data file."""

    question: str
    answer: str
    """The gold final answer as written (a number, or a LaTeX expression for MATH)."""
    steps: tuple[Step, ...] = ()
    """The step program, when the solution's arithmetic can be recovered (GSM8K)."""
    solution: tuple[str, ...] = ()
    """The reference solution, sentence by sentence."""
    source: str = ""
    """``file:line`` it came from."""
    difficulty: int | None = None


def _require(record: dict[str, Any], keys: tuple[str, ...], where: str) -> None:
    missing = [k for k in keys if not isinstance(record.get(k), str)]
    if missing:
        raise DataFormatError(f"{where}: missing text field(s) {missing}; found {sorted(record)}")


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
    slip in one step carries through to the final answer.
    """
    steps: list[Step] = []
    values: list[Fraction] = []
    for line in answer.splitlines():
        for expr, _ in _ANNOTATION.findall(line):
            expr = expr.replace(",", "").replace("x", "*").strip()
            try:
                compile_expr(expr)
            except ValueError:
                return ()

            expr = re.sub(r"(?<![\w.])\d+(?:\.\d+)?", partial(_to_ref, values), expr)
            text = _ANNOTATION.sub(lambda m: m.group(2), line).strip()
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
            steps = ()
        lines = tuple(
            _ANNOTATION.sub(lambda m: m.group(2), ln).strip()
            for ln in reasoning.splitlines()
            if ln.strip()
        )
        problems.append(
            LoadedProblem(record["question"].strip(), format_number(value), steps, lines, where)
        )
    return problems


def load_math(path: str | Path) -> list[LoadedProblem]:
    r"""Problems from a MATH-format file: ``problem``, and ``solution`` with ``\boxed{...}``."""
    problems = []
    for number, record in read_records(path):
        where = f"{path}:{number}"
        _require(record, ("problem", "solution"), where)
        boxed = find_boxed(record["solution"])
        if not boxed:
            raise DataFormatError(f"{where}: the solution has no \\boxed{{...}} answer")
        level = _LEVEL.search(str(record.get("level", "")))
        sentences = tuple(
            s.strip() for s in re.split(r"(?<=[.!?])\s+", record["solution"]) if s.strip()
        )
        problems.append(
            LoadedProblem(
                record["problem"].strip(),
                boxed[-1].strip(),
                (),
                sentences,
                where,
                int(level.group(1)) if level else None,
            )
        )
    return problems


LOADERS = {"gsm8k": load_gsm8k, "math": load_math}
