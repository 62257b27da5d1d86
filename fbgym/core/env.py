"""FeedbackEnv: the gymnasium environment that plays a Task against a Simulator."""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import gymnasium as gym
import numpy as np
from gymnasium import spaces
from gymnasium.utils import seeding

from fbgym.core.protocols import Simulator, Task
from fbgym.core.seeding import make_random
from fbgym.core.text import (
    MAX_ACTION_CHARS,
    MAX_OBSERVATION_CHARS,
    WideText,
    action_problem,
    clean_text,
)
from fbgym.core.types import Channel, Outcome, Problem, Turn
from fbgym.core.view import agent_feedback, channel_reward, public_problem_id
from fbgym.errors import FbgymError

Observation = dict[str, str]


class FeedbackEnv(gym.Env[Observation, str]):
    """An episode of attempts at one problem, each answered by a simulated user.

    **Observation** — ``Dict(instruction, observation, feedback)`` of text: what to do, the
    problem as it stands (search results, the scene, ...), and the latest feedback rendered
    as text (empty after ``reset``).

    **Action** — one string: an answer, a program, a query or a command.

    **Reward** — never more than the channel says: 1 on success and 0 otherwise in the
    ``verbal``, ``unary`` and ``ranked`` channels; the attempt's score in ``scalar`` (actions
    that are not attempts, a search or a question, earn 0).

    **Termination** — ``terminated`` on success or when the simulated user ends the
    conversation; ``truncated`` when ``max_turns`` actions have been taken.

    **Info** — the agent's view, and nothing more: ``success``, ``turn``, ``channel``, an
    opaque ``problem_id`` (it reveals neither the index nor the seed of the problem) and
    ``feedback`` (a typed :class:`Feedback` as its channel gives it, ``None`` after reset);
    ``reset`` adds ``problem``: the problem's public, machine-readable statement (never its
    answer), and with ``privileged=True`` the structure a family exposes for programmatic
    baselines. The grader's :class:`Outcome` and the judge's notes stay on the judge's side:
    :attr:`history` holds every turn in full.

    **Bad actions** — empty, oversized, non-string or with control characters: a failed
    attempt whose feedback says what was wrong; never an exception.

    Determinism: an episode is a pure function of (constructor arguments, seed, actions).
    ``reset(seed=s)`` plays problem ``s`` of the split unless ``options`` names one by
    ``index`` or, for a data file with ids, by ``task_id``.

    Families build on :class:`fbgym.envs.base.FamilyEnv`, which adds the ``user`` argument
    (the simulated user's fidelity by knobs or a named preset).
    """

    metadata = {"render_modes": ["ansi", "human"], "render_fps": 4}

    def __init__(
        self,
        task: Task,
        simulator: Simulator,
        *,
        max_turns: int = 5,
        split: str = "test",
        dataset_seed: int = 0,
        privileged: bool = False,
        render_mode: str | None = None,
    ):
        if max_turns < 1:
            raise ValueError(f"max_turns must be at least 1, got {max_turns}")
        if render_mode is not None and render_mode not in self.metadata["render_modes"]:
            raise ValueError(
                f"render_mode must be one of {self.metadata['render_modes']}, got {render_mode!r}"
            )
        self.task = task
        self.simulator = simulator
        self._user_sees_action = "action" in inspect.signature(simulator.respond).parameters
        self.max_turns = int(max_turns)
        self.split = split
        self.dataset_seed = int(dataset_seed)
        self.privileged = bool(privileged)
        self.render_mode = render_mode
        self.observation_space = spaces.Dict(
            {
                "instruction": WideText(MAX_OBSERVATION_CHARS),
                "observation": WideText(MAX_OBSERVATION_CHARS),
                "feedback": WideText(MAX_OBSERVATION_CHARS),
            }
        )
        self.action_space = WideText(MAX_ACTION_CHARS)
        self._problem: Problem | None = None
        self._history: list[Turn] = []
        self._observation = ""
        self._instruction = ""
        self._public_id = ""
        self._done = False
        self._user_rng = make_random()

    _pending_seed: int | None = None
    _np_random_value: np.random.Generator | None = None

    @property
    def _np_random(self) -> np.random.Generator | None:  # type: ignore[override]
        """Gymnasium's per-episode generator, built from the reset seed on first use."""
        if self._np_random_value is None and self._pending_seed is not None:
            self._np_random_value, _ = seeding.np_random(self._pending_seed)
            self._pending_seed = None
        return self._np_random_value

    @_np_random.setter
    def _np_random(self, value: np.random.Generator | None) -> None:
        self._np_random_value, self._pending_seed = value, None

    @property
    def channel(self) -> str:
        """The feedback channel of this env's simulated user."""
        return Channel.parse(self.simulator.channel).value

    @property
    def problem(self) -> Problem:
        """The current episode's problem (after ``reset``)."""
        if self._problem is None:
            raise FbgymError("call reset() before using the environment")
        return self._problem

    @property
    def history(self) -> tuple[Turn, ...]:
        """The turns of the current episode so far, in full: the judge's side."""
        return tuple(self._history)

    @property
    def problem_id(self) -> str:
        """The current problem's public id (see :func:`fbgym.core.view.public_problem_id`)."""
        self.problem  # noqa: B018 (raises before reset)
        return self._public_id

    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[Observation, dict[str, Any]]:
        """Start an episode on the problem ``options`` names, else ``seed``, else a random one."""
        if seed is not None:
            # Gymnasium's reset would build the generator now; it is built only if used.
            self._pending_seed, self._np_random_value, self._np_random_seed = seed, None, seed
        index = self._index(options or {})
        if index is None:
            index = seed if seed is not None else int(self.np_random.integers(2**31))
        problem = self.task.problem(self.split, int(index), self.dataset_seed)
        self._problem = problem
        self._public_id = public_problem_id(problem, self.split, self.dataset_seed)
        self._history = []
        self._observation = clean_text(problem.observation)
        self._instruction = clean_text(problem.instruction)
        self._done = False
        self._user_rng = make_random("user", problem.id, self.channel, seed)
        info = self._info(None)
        info["problem"] = {"id": self._public_id, "family": problem.family, **problem.public}
        if self.privileged:
            info["problem"].update(problem.privileged)
        return self._obs(""), info

    def _index(self, options: Mapping[str, Any]) -> int | None:
        if "task_id" in options:
            index_of = getattr(self.task, "index_of", None)
            if index_of is None:
                raise FbgymError(
                    f"{type(self.task).__name__} has no problem ids; use options={{'index': i}}"
                )
            return int(index_of(str(options["task_id"])))
        index = options.get("index")
        return None if index is None else int(index)

    def step(self, action: str) -> tuple[Observation, float, bool, bool, dict[str, Any]]:
        """Grade ``action``, ask the simulated user for feedback, and return the result."""
        problem = self.problem
        if self._done:
            raise FbgymError("this episode is over; call reset() to start another")
        history = tuple(self._history)
        recorded = _recordable(action)
        reason = action_problem(action)
        if reason is None:
            outcome = self.task.grade(problem, action, history)
        else:
            outcome = Outcome.invalid(reason)
        if self._user_sees_action:
            feedback = self.simulator.respond(
                problem, history, outcome, self._user_rng, action=recorded
            )
        else:
            feedback = self.simulator.respond(problem, history, outcome, self._user_rng)
        if not outcome.valid:
            text = f"Your action was not accepted: {outcome.message}. {feedback.text}".strip()
            feedback = replace(
                feedback, text=text, meta={**feedback.meta, "invalid": outcome.message}
            )
        turn = Turn(len(history) + 1, recorded, outcome, feedback)
        self._history.append(turn)
        if outcome.observation is not None:
            self._observation = clean_text(outcome.observation)
        terminated = outcome.success or feedback.end
        truncated = not terminated and turn.index >= self.max_turns
        self._done = terminated or truncated
        return (
            self._obs(feedback.text),
            channel_reward(feedback.channel, outcome),
            terminated,
            truncated,
            self._info(turn),
        )

    def render(self) -> str | None:
        """The transcript so far as text (``ansi``), or printed (``human``)."""
        if self.render_mode is None:
            gym.logger.warn("render() called without a render_mode; pass render_mode='ansi'")
            return None
        lines = [f"[{self.spec.id if self.spec else type(self).__name__} · {self.channel}]"]
        if self._problem is not None:
            lines += [self._problem.instruction, self._problem.observation]
        for turn in self._history:
            lines += [f"> {turn.action}", f"< {turn.feedback.text}"]
        text = "\n".join(lines)
        if self.render_mode == "human":
            print(text)
            return None
        return text

    def _obs(self, feedback_text: str) -> Observation:
        return {
            "instruction": self._instruction,
            "observation": self._observation,
            "feedback": clean_text(feedback_text),
        }

    def _info(self, turn: Turn | None) -> dict[str, Any]:
        return {
            "success": bool(turn is not None and turn.outcome.success),
            "turn": len(self._history),
            "channel": self.channel,
            "problem_id": self._public_id,
            "feedback": None if turn is None else agent_feedback(turn.feedback),
        }


def _recordable(action: object) -> str:
    """The action as it is recorded: a string, cut just past the action limit."""
    text = action if isinstance(action, str) else repr(action)
    return text[: MAX_ACTION_CHARS + 1]
