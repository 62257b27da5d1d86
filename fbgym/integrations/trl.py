"""TRL adapters: GRPO reward functions, a multi-turn tool environment and prompt datasets.

Every row of :func:`prompt_dataset` names its episode (``env_id``, ``channel``, ``seed`` and
the env ``kwargs`` as JSON), so any rollout replays through the same env. Prompts are the
episode's opening as :class:`~fbgym.wrappers.ChatEnv` renders it, the rendering the LLM
agents play with: the agent's view only, never the grader's.

>>> from trl import GRPOTrainer  # doctest: +SKIP
>>> from fbgym.integrations.trl import prompt_dataset, success_reward
>>> data = prompt_dataset(["fbgym/Math-v0"], channels=["verbal"], episodes=64)  # doctest: +SKIP
>>> GRPOTrainer(model, reward_funcs=success_reward, train_dataset=data)  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from fbgym.integrations.episodes import (
    decode_kwargs,
    encode_kwargs,
    episode_specs,
    opening,
    play_first,
)
from fbgym.runner.suites import Suite

if TYPE_CHECKING:
    from datasets import Dataset

SUBMIT_NOTE = (
    "Submit each attempt by calling the `submit` tool; it returns the user's feedback. "
    "Keep trying until the user accepts an attempt."
)
"""What :class:`FeedbackEnvironment` adds to the opening user message."""


def prompt_dataset(
    suite_or_envs: str | Suite | Sequence[str],
    *,
    channels: Sequence[str] | None = None,
    episodes: int = 20,
    seed: int = 0,
    env_kwargs: Mapping[str, Any] | None = None,
) -> Dataset:
    """A ``datasets.Dataset`` of episode openings, one row per episode.

    Columns: ``prompt`` (the system and user messages), ``env_id``, ``channel``, ``seed``,
    ``kwargs`` (the env kwargs as JSON) and ``problem_id``. The episodes are those of a suite
    (by name or object) or of env ids × ``channels`` × ``episodes`` seeds from ``seed``, as in
    :func:`fbgym.evaluate`.
    """
    from datasets import Dataset

    rows = []
    for spec in episode_specs(
        suite_or_envs, channels=channels, episodes=episodes, seed=seed, env_kwargs=env_kwargs
    ):
        kwargs = encode_kwargs(spec.kwargs)
        messages, info = opening(spec.env_id, spec.channel, spec.seed, kwargs)
        rows.append(
            {
                "prompt": messages,
                "env_id": spec.env_id,
                "channel": spec.channel,
                "seed": spec.seed,
                "kwargs": kwargs,
                "problem_id": info["problem_id"],
            }
        )
    return Dataset.from_list(rows)


def success_reward(
    completions: Sequence[Any],
    env_id: Sequence[str],
    channel: Sequence[str],
    seed: Sequence[int],
    kwargs: Sequence[str],
    **_: Any,
) -> list[float]:
    """GRPO reward: 1.0 where the row's episode accepts the completion, else 0.0.

    The completion is the first attempt of the episode the row names, graded by its env (the
    family's grader, through the family's answer extraction).
    """
    return [
        float(play_first(c, e, ch, s, k)[1])
        for c, e, ch, s, k in zip(completions, env_id, channel, seed, kwargs)
    ]


def score_reward(
    completions: Sequence[Any],
    env_id: Sequence[str],
    seed: Sequence[int],
    kwargs: Sequence[str],
    **_: Any,
) -> list[float]:
    """GRPO reward: the score in [0, 1] the row's env gives the completion in its scalar channel.

    Partial credit where the family grades partly (tests passed, documents found).
    """
    return [
        play_first(c, e, "scalar", s, k)[0] for c, e, s, k in zip(completions, env_id, seed, kwargs)
    ]


class FeedbackEnvironment:
    """A multi-turn episode for ``GRPOTrainer(environment_factory=FeedbackEnvironment)``.

    TRL resets one instance per rollout with a row of :func:`prompt_dataset`; the model then
    submits attempts through the ``submit`` tool and reads the simulated user's feedback, in
    the row's channel, as the tool's reply. :meth:`get_reward` is the episode's success.
    After the episode ends (success, the user gives up, or the turn budget), ``submit``
    says so and grades nothing.
    """

    def __init__(self) -> None:
        self._env: Any = None
        self.episode: dict[str, Any] = {}
        """The episode being played: ``env_id``, ``channel``, ``seed`` and ``kwargs``."""
        self.attempts: list[str] = []
        self.success = False
        self.done = False

    def reset(self, env_id: str, channel: str, seed: int, kwargs: str = "{}", **_: Any) -> str:
        """Start the episode a dataset row names; returns the note on the ``submit`` tool."""
        from fbgym.registration import make
        from fbgym.wrappers import ChatEnv

        self._env = ChatEnv(make(env_id, feedback=channel, **decode_kwargs(kwargs)))
        self._env.reset(seed=int(seed))
        self.episode = {"env_id": env_id, "channel": channel, "seed": int(seed), "kwargs": kwargs}
        self.attempts, self.success, self.done = [], False, False
        return "\n\n" + SUBMIT_NOTE

    def submit(self, attempt: str) -> str:
        """Submit one attempt to the user and get their feedback on it.

        Args:
            attempt: Your attempt as the instructions ask (an answer, a program, a command).

        Returns:
            The user's feedback.
        """
        if self._env is None:
            return "No episode is open."
        if self.done:
            return "The episode is over; nothing more is graded."
        messages, _, terminated, truncated, info = self._env.step(str(attempt))
        self.attempts.append(str(attempt))
        self.success = bool(info["success"])
        self.done = bool(terminated or truncated)
        return str(messages[-1]["content"])

    def get_reward(self) -> float:
        """1.0 if an attempt succeeded, else 0.0."""
        return 1.0 if self.success else 0.0
