"""MathTask: generated or loaded math problems, graded strictly on one final answer."""

from __future__ import annotations

import difflib
import importlib.util
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

from fbgym.core.seeding import make_random
from fbgym.core.types import Outcome, Problem, Turn
from fbgym.envs.datafiles import load_problems
from fbgym.envs.math import generators, multistep
from fbgym.envs.math.grader import bare_number, check_answer, extract_answer, parse_number
from fbgym.envs.math.loaders import ID_FIELDS, LOADERS, LoadedProblem, positions_by_id
from fbgym.envs.math.program import evaluate, format_number, steps_to_json
from fbgym.envs.math.splits import check_split, problem_key, split_of
from fbgym.errors import ConfigError, UnknownIdError

INSTRUCTION = (
    "Solve the math problem. You may show your working; end with one final answer, "
    "e.g. 'The answer is 42' or \\boxed{42}."
)


GENERATIONS = {0: generators, 1: multistep}
"""Problem generators by version: 0 for ``fbgym/Math-v0``, 1 for ``fbgym/Math-v1``."""
DEFAULT_LEVELS = {0: (1, 2, 3), 1: multistep.LEVELS}
"""The levels a generation draws from when none are given: Math-v1 plays every level."""


@dataclass(frozen=True)
class MathConfig:
    """Which math problems an env poses."""

    kinds: tuple[str, ...] = ("arithmetic", "word", "fractions", "algebra")
    """Generators to draw from (see ``GENERATORS`` of the generation's module)."""
    levels: tuple[int, ...] | None = None
    """Difficulty levels to draw from (default: the generation's ``DEFAULT_LEVELS``).
    Generation 0: 1 (one step) to 5 (five or more steps); generation 1: 1 to 8, by the
    operations a solution performs (``fbgym.envs.math.multistep.OPERATIONS``)."""
    data_path: str | None = None
    """A local GSM8K- or MATH-format file; when set, problems come from it, not generators."""
    data_format: str = "gsm8k"
    """``gsm8k`` (``question``, ``answer`` ending ``#### N``) or ``math`` (``problem``,
    ``solution`` with ``\\boxed{}``)."""
    generation: int = 0
    """Which generators: 0 (``fbgym/Math-v0``) or 1 (``fbgym/Math-v1``: longer problems,
    train and test disjoint by construction)."""

    def __post_init__(self) -> None:
        if self.generation not in GENERATIONS:
            raise ConfigError(
                f"math generation must be one of {sorted(GENERATIONS)}, got {self.generation!r}"
            )
        module = GENERATIONS[self.generation]
        levels = DEFAULT_LEVELS[self.generation] if self.levels is None else self.levels
        object.__setattr__(self, "kinds", tuple(self.kinds))
        object.__setattr__(self, "levels", tuple(int(x) for x in levels))
        unknown = [k for k in self.kinds if k not in module.GENERATORS]
        if unknown or not self.kinds:
            raise ConfigError(
                f"unknown math kinds {unknown}; choose from {sorted(module.GENERATORS)}"
            )
        bad = [lv for lv in self.levels if lv not in module.LEVELS]
        if bad or not self.levels:
            raise ConfigError(
                f"math levels must be in {module.LEVELS} (generation {self.generation}), "
                f"got {list(self.levels)}"
            )
        if self.data_format not in LOADERS:
            raise ConfigError(
                f"data_format must be one of {sorted(LOADERS)}, got {self.data_format!r}"
            )


class MathTask:
    """Math problems with worked solutions, and a strict final-answer grader."""

    family = "math"

    def __init__(self, config: MathConfig | None = None):
        self.config = config or MathConfig()

    @cached_property
    def dataset(self) -> list[LoadedProblem]:
        """The problems of ``config.data_path``, in the file's order (loaded on first use)."""
        if self.config.data_path is None:
            return []
        if self.config.data_format == "math" and importlib.util.find_spec("math_verify") is None:
            raise ConfigError(
                "data_format='math' grades answers with math-verify; pip install math-verify"
            )
        problems = load_problems(LOADERS[self.config.data_format], self.config.data_path)
        positions_by_id(problems)  # a repeated id is an error now, not at the first lookup
        return problems

    @cached_property
    def _positions(self) -> dict[str, int]:
        return positions_by_id(self.dataset)

    def index_of(self, id: str) -> int:
        """The index of the loaded problem whose record id is ``id``.

        Ids are a record's ``unique_id`` (MATH), ``task_id`` or ``id``; the index is the
        record's position in the file, so ``problem(split, index_of(id), seed)`` is that record.
        """
        if self.config.data_path is None:
            raise UnknownIdError(
                f"generated math problems have no record ids, got {id!r}; choose one by index"
            )
        path = self.config.data_path
        if not self._positions:
            raise UnknownIdError(
                f"the records of {path} have no id field ({', '.join(ID_FIELDS)}); "
                "choose a problem by index"
            )
        if id not in self._positions:
            near = difflib.get_close_matches(str(id), list(self._positions), n=3)
            hint = f"; did you mean {', '.join(map(repr, near))}?" if near else ""
            raise UnknownIdError(f"no problem with id {id!r} in {path}{hint}")
        return self._positions[id]

    def problem(self, split: str, index: int, seed: int) -> Problem:
        """Problem ``index``: generated from (seed, split, index), or line ``index`` of the file.

        Generation 1 draws until the problem's content hashes into ``split`` (see
        ``fbgym.envs.math.splits``), and names it by that content alone.
        """
        if self.config.data_path is not None:
            return self._loaded(index)
        rng = make_random("math", seed, split, index)
        kind = self.config.kinds[rng.randrange(len(self.config.kinds))]
        level = self.config.levels[rng.randrange(len(self.config.levels))]
        make = GENERATIONS[self.config.generation].GENERATORS[kind]
        item = make(rng, level)
        if self.config.generation == 0:
            pid = f"math/{kind}/L{level}/{split}/{seed}/{index}"
        else:
            check_split(split)
            while split_of(item.steps) != split:
                item = make(rng, level)
            pid = f"math/v1/{problem_key(item.steps)}"
        gold = evaluate(item.steps)[-1]  # type: ignore[index]
        return Problem(
            id=pid,
            family=self.family,
            instruction=INSTRUCTION,
            observation=item.question,
            answer=format_number(gold),
            solution=tuple(s.text for s in item.steps),
            public={"kind": kind, "level": level},
            privileged={"steps": steps_to_json(item.steps)},
            data={"steps": item.steps, "gold_value": gold, "unit": item.unit},
            difficulty=level,
        )

    def _loaded(self, index: int) -> Problem:
        position = index % len(self.dataset)
        symbolic = self.config.data_format == "math"
        read_value = bare_number if symbolic else parse_number  # sizes only of bare numbers
        item = self.dataset[position]
        return Problem(
            id=f"math/file/{position}",
            family=self.family,
            instruction=INSTRUCTION,
            observation=item.question,
            answer=item.answer,
            solution=item.solution,
            public={"kind": self.config.data_format},
            data={
                "steps": item.steps,
                "gold_value": read_value(item.answer),
                "symbolic": symbolic,
            },
            difficulty=item.difficulty,
        )

    def reference_action(self, problem: Problem) -> str:
        """The gold answer, stated."""
        return f"The answer is {problem.answer}."

    def grade(self, problem: Problem, action: str, history: Sequence[Turn]) -> Outcome:
        """Success iff the single final answer equals the gold; utility is closeness.

        Plain numbers are compared exactly; MATH-format problems compare anything else with
        math-verify (see :func:`fbgym.envs.math.grader.check_answer`).
        """
        found = extract_answer(action)
        gold = problem.data.get("gold_value")
        symbolic = bool(problem.data.get("symbolic"))
        check = check_answer(
            found, str(problem.answer) if symbolic or gold is None else gold, symbolic=symbolic
        )
        diagnosis = {"answer": found.text, "method": found.method}
        if check.problem:
            return Outcome.invalid(check.problem, **diagnosis)
        diagnosis["check"] = check.how
        value = bare_number(found.text or "") if symbolic else found.value
        if value is not None:
            diagnosis["answer"] = format_number(value)
            diagnosis["value"] = str(value)
        if check.correct:
            return Outcome(True, 1.0, utility=1.0, diagnosis=diagnosis)
        utility = 0.0
        if gold is not None and value is not None:
            distance = abs(float(value) - float(gold))
            utility = 0.99 / (1.0 + distance / max(abs(float(gold)), 1.0))
        return Outcome(False, 0.0, utility=utility, diagnosis=diagnosis)
