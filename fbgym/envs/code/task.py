"""CodeTask: generated or loaded Python problems, graded by hidden tests run in the sandbox."""

from __future__ import annotations

import ast
import copy
import difflib
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cached_property
from typing import Any

from fbgym.core.seeding import make_random
from fbgym.core.types import Outcome, Problem, Turn
from fbgym.envs.code import composed
from fbgym.envs.code.generators import KINDS, LEVELS, generate
from fbgym.envs.code.grader import HiddenTest, assemble, grade_program, show_call
from fbgym.envs.code.loaders import LOADERS, LoadedProblem
from fbgym.envs.code.mutate import mutants
from fbgym.envs.code.suite import FileTests
from fbgym.envs.datafiles import load_problems
from fbgym.errors import ConfigError, DataFormatError, UnknownIdError
from fbgym.sandbox import CheckResult, Limits, Sandbox, shared_sandbox

_VERIFY_S = 60
"""Seconds a data file's reference solution has to pass its own tests, once."""
GENERATION_LEVELS = {0: LEVELS, 1: composed.LEVELS}
"""The levels of each generation of generated problems."""
INSTRUCTION = (
    "Write the Python function described below. Answer with its complete definition "
    "(a ```python fenced block is fine); it is run against hidden tests."
)


@dataclass(frozen=True)
class CodeConfig:
    """Which coding problems an env poses, and how their tests run."""

    kinds: tuple[str, ...] = KINDS
    """Generators to draw from: string, list, number, dict."""
    levels: tuple[int, ...] | None = None
    """Difficulty levels; ``None`` is every level of the generation. Generation 0: 1 (one
    loop and a condition) to 3 (several cases and edge cases); generation 1: 1 (two steps,
    10 tests) to 6 (seven steps, 20 tests)."""
    data_path: str | None = None
    """A local HumanEval- or MBPP-format .jsonl(.gz) file; when set, problems come from it."""
    data_format: str = "humaneval"
    """``humaneval`` or ``mbpp``."""
    candidates: int = 6
    """Programs in ``info["problem"]["candidates"]`` (the reference and injected-bug mutants)."""
    wall_s: float = 2.0
    """Wall-clock limit of one attempt's test run."""
    strict: bool = False
    """Refuse to run code unless the sandbox's isolation is complete."""
    generation: int = 0
    """How problems are generated: 0, a dozen templates with single-site mutants as
    candidates (``fbgym/Code-v0``); 1, pipelines composed from typed primitives with draft
    programs as candidates (``fbgym/Code-v1``, see :mod:`fbgym.envs.code.composed`)."""

    def __post_init__(self) -> None:
        if self.generation not in GENERATION_LEVELS:
            raise ConfigError(
                f"code generation must be one of {sorted(GENERATION_LEVELS)}, "
                f"got {self.generation!r}"
            )
        allowed = GENERATION_LEVELS[self.generation]
        object.__setattr__(self, "kinds", tuple(self.kinds))
        levels = allowed if self.levels is None else tuple(int(x) for x in self.levels)
        object.__setattr__(self, "levels", levels)
        unknown = [k for k in self.kinds if k not in KINDS]
        if unknown or not self.kinds:
            raise ConfigError(f"unknown code kinds {unknown}; choose from {list(KINDS)}")
        bad = [lv for lv in self.levels if lv not in allowed]
        if bad or not self.levels:
            raise ConfigError(
                f"code levels must be in {allowed} for generation {self.generation}, "
                f"got {list(self.levels)}"
            )
        if self.data_format not in LOADERS:
            raise ConfigError(
                f"data_format must be one of {sorted(LOADERS)}, got {self.data_format!r}"
            )
        if not 1 <= self.candidates <= 20:
            raise ConfigError(f"candidates must be in 1..20, got {self.candidates}")
        if not 0 < self.wall_s <= 60:
            raise ConfigError(f"wall_s must be in (0, 60] seconds, got {self.wall_s}")


class CodeTask:
    """Python functions to write, with hidden tests whose verdict is made outside the sandbox."""

    family = "code"

    def __init__(self, config: CodeConfig | None = None, sandbox: Sandbox | None = None):
        self.config = config or CodeConfig()
        self._sandbox = sandbox
        self._loaded_tests: dict[int, FileTests] = {}

    @property
    def sandbox(self) -> Sandbox:
        """The sandbox the tests run in (a shared warm one unless one was given)."""
        if self._sandbox is None:
            self._sandbox = shared_sandbox(
                Limits(wall_s=self.config.wall_s), strict=self.config.strict
            )
        return self._sandbox

    @cached_property
    def dataset(self) -> list[LoadedProblem]:
        """The problems of ``config.data_path``, in the file's order (loaded on first use)."""
        if self.config.data_path is None:
            return []
        return load_problems(LOADERS[self.config.data_format], self.config.data_path)

    def index_of(self, task_id: str) -> int:
        """The index of the problem whose ``task_id`` in the data file is ``task_id``.

        >>> CodeTask().index_of("HumanEval/0")
        Traceback (most recent call last):
        ...
        fbgym.errors.ConfigError: index_of needs problems from a data file (data_path)
        """
        if self.config.data_path is None:
            raise ConfigError("index_of needs problems from a data file (data_path)")
        ids = [item.task_id for item in self.dataset]
        if str(task_id) in ids:
            return ids.index(str(task_id))
        near = difflib.get_close_matches(str(task_id), ids, n=3)
        hint = f"; did you mean {', '.join(near)}?" if near else ""
        raise UnknownIdError(f"no problem {task_id!r} in {self.config.data_path}{hint}")

    def problem(self, split: str, index: int, seed: int) -> Problem:
        """Problem ``index``: generated from (seed, split, index), or record ``index`` of a file."""
        if self.config.data_path is not None:
            return self._loaded(index)
        if self.config.generation == 1:
            return self._composed(split, index, seed)
        rng = make_random("code", seed, split, index)
        kind = self.config.kinds[rng.randrange(len(self.config.kinds))]
        level = self.config.levels[rng.randrange(len(self.config.levels))]
        item = generate(rng, kind, level)
        namespace: dict[str, Any] = {}
        exec(compile(item.reference, f"<reference {item.entry}>", "exec"), namespace)  # noqa: S102 (fbgym's own code)
        tests = tuple(
            HiddenTest(args, namespace[item.entry](*copy.deepcopy(args)), note)
            for args, note in item.inputs
        )
        pid = f"code/{kind}/L{level}/{split}/{seed}/{index}"
        return self._problem(
            pid,
            _statement(item.entry, item.signature, item.description, tests),
            item.reference,
            item.entry,
            tests,
            "",
            {"kind": kind, "level": level, "signature": item.signature},
            level,
        )

    def _composed(self, split: str, index: int, seed: int) -> Problem:
        """A generation-1 problem: a composed pipeline, its tests, and drafts as candidates."""
        rng = make_random("code-v1", seed, split, index)
        kind = self.config.kinds[rng.randrange(len(self.config.kinds))]
        level = self.config.levels[rng.randrange(len(self.config.levels))]
        item = composed.compose(rng, kind, level, split, drafts=self.config.candidates)
        pipeline = item.pipeline
        return self._problem(
            f"code-v1/{kind}/L{level}/{split}/{seed}/{index}",
            _statement(pipeline.entry, pipeline.signature, item.description, item.tests),
            item.reference,
            pipeline.entry,
            item.tests,
            "",
            {"kind": kind, "level": level, "signature": pipeline.signature},
            level,
            candidates=list(item.drafts),
            extra={"generation": 1, "skeleton": pipeline.skeleton},
        )

    def _loaded(self, index: int) -> Problem:
        position = index % len(self.dataset)
        item = self.dataset[position]
        tests = self._tests_of(position, item)
        if self.config.data_format == "humaneval":
            statement = f"Complete this function:\n\n```python\n{item.prompt}```"
        else:
            statement = item.prompt
        public = {"kind": self.config.data_format, "task_id": item.task_id}
        return self._problem(
            f"code/file/{position}",
            statement,
            item.reference,
            item.entry_point,
            tests,
            item.preamble,
            public,
            None,
        )

    def _tests_of(self, position: int, item: LoadedProblem) -> FileTests:
        """The item's own tests, checked against its reference solution (once, in the sandbox).

        The reference must pass them (given a minute, not an attempt's time: a loaded machine
        must not make a sound problem look broken); the asserts it executes are the total.
        """
        if position not in self._loaded_tests:
            program = assemble(item.reference, item.entry_point, item.preamble)
            if program.source is None:
                raise DataFormatError(
                    f"{item.source} ({item.task_id}): the reference solution {program.error}"
                )
            patient = replace(self.sandbox.limits, wall_s=_VERIFY_S, cpu_s=_VERIFY_S)
            result = self.sandbox.check(
                program.source, item.tests, entry=item.entry_point, limits=patient
            )
            if not result.success:
                raise DataFormatError(
                    f"{item.source} ({item.task_id}): the reference solution fails its own tests "
                    f"({_why(result)})"
                )
            self._loaded_tests[position] = FileTests(item.tests, result.passed)
        return self._loaded_tests[position]

    def _problem(
        self,
        pid: str,
        statement: str,
        reference: str,
        entry: str,
        tests: tuple[HiddenTest, ...] | FileTests,
        preamble: str,
        public: dict[str, Any],
        level: int | None,
        *,
        candidates: list[str] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> Problem:
        if candidates is None:
            rng = make_random("code-candidates", pid)
            canonical = ast.unparse(ast.parse(reference)) + "\n"
            candidates = mutants(reference, rng, self.config.candidates - 1) + [canonical]
            rng.shuffle(candidates)
        data = {"tests": tests, "entry_point": entry, "preamble": preamble}
        return Problem(
            id=pid,
            family=self.family,
            instruction=INSTRUCTION,
            observation=statement,
            answer=reference,
            public={**public, "entry_point": entry, "tests": len(tests)},
            privileged={"candidates": candidates},
            data={**data, **(extra or {})},
            difficulty=level,
        )

    def reference_action(self, problem: Problem) -> str:
        """The reference solution, in a fenced block."""
        return f"```python\n{problem.answer}```"

    def grade(self, problem: Problem, action: str, history: Sequence[Turn]) -> Outcome:
        """Run the hidden tests on the action's program; success iff all pass."""
        return grade_program(
            self.sandbox,
            action,
            problem.data["entry_point"],
            problem.data["tests"],
            problem.data["preamble"],
        )


def _why(result: CheckResult) -> str:
    """Why a check failed, for a data-format error."""
    if result.load_error is not None:
        return f"{result.load_error.type}: {result.load_error.message}"
    if result.tests_error is not None:
        return f"the test code raises {result.tests_error.type}: {result.tests_error.message}"
    failing = next((a for a in result.asserts if not a.held), result.aborted)
    if failing is None:
        return result.protocol_error or f"the run ended: {result.state}"
    error = f"; {failing.error.type}: {failing.error.message}" if failing.error else ""
    where = f"assert #{failing.site}" if failing.site is not None else "outside any assert"
    return f"{where} fails{error}"


def _statement(entry: str, signature: str, description: str, tests: Sequence[HiddenTest]) -> str:
    """The problem as shown: signature, description and up to two plain tests as examples."""
    examples = [t for t in tests if not t.note][:2]
    shown = "\n".join(f"    {show_call(entry, t.args)} == {t.expected!r}" for t in examples)
    return f"def {signature}\n\n{description}\n\nExamples:\n{shown}"
