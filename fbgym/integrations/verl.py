"""verl adapters: a multi-turn interaction with fbgym's simulated users, parquet data, a reward.

:class:`FeedbackInteraction` follows verl's multi-turn interaction contract
(``verl.interactions.base.BaseInteraction``: built with ``config``, async
``start_interaction`` / ``generate_response`` / ``calculate_score`` /
``finalize_interaction``); name it in verl's interaction config::

    interaction:
      - name: fbgym
        class_name: fbgym.integrations.verl.FeedbackInteraction
        config: {}

:func:`write_parquet` writes the rows verl's ``RLHFDataset`` reads (``prompt`` as chat
messages, ``extra_info.interaction_kwargs`` naming the episode), and :func:`compute_score`
is a ``custom_reward_function`` that grades a single-turn response through the row's env.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from fbgym.errors import ConfigError
from fbgym.integrations.episodes import (
    completion_text,
    decode_kwargs,
    encode_kwargs,
    episode_specs,
    opening,
    play_first,
)
from fbgym.runner.suites import Suite

INTERACTION = "fbgym"
"""The interaction name rows ask for, unless told otherwise."""


class FeedbackInteraction:
    """fbgym episodes as verl interactions: each turn, the simulated user's feedback and reward.

    ``start_interaction`` opens the episode a row's ``interaction_kwargs`` name (``env_id``,
    ``channel``, ``seed``, ``kwargs``); ``generate_response`` plays the latest assistant
    message as the next attempt and returns ``(done, feedback text, turn score, extra)``:
    done on success, when the user ends the conversation or at the turn budget; the score is
    the env's reward (1 on success, the score in the ``scalar`` channel); extra holds
    ``success`` and ``turn``. ``calculate_score`` is the episode's success.
    """

    def __init__(self, config: Mapping[str, Any] | None = None):
        self.config = dict(config or {})
        self.name: str = self.config.get("name", INTERACTION)
        self._episodes: dict[str, dict[str, Any]] = {}
        self._ids = itertools.count()

    async def start_interaction(
        self,
        instance_id: str | None = None,
        *,
        env_id: str,
        channel: str,
        seed: int,
        kwargs: str | Mapping[str, Any] = "{}",
        **_: Any,
    ) -> str:
        """Open the episode; returns its instance id (``instance_id``, or a new one)."""
        from fbgym.registration import make
        from fbgym.wrappers import ChatEnv

        if instance_id is None:
            instance_id = f"{self.name}-{next(self._ids)}"
        env = ChatEnv(make(env_id, feedback=channel, **decode_kwargs(kwargs)))
        env.reset(seed=int(seed))
        self._episodes[instance_id] = {"env": env, "success": False, "done": False, "turn": 0}
        return instance_id

    async def generate_response(
        self, instance_id: str, messages: Sequence[Mapping[str, Any]], **_: Any
    ) -> tuple[bool, str, float, dict[str, Any]]:
        """Play the last assistant message; the user's feedback, the turn's score and more."""
        episode = self._episode(instance_id)
        if episode["done"]:
            return True, "The episode is over.", 0.0, {"success": episode["success"]}
        replies = [m for m in messages if m.get("role") == "assistant"]
        action = completion_text(replies[-1]) if replies else ""
        shown, reward, terminated, truncated, info = episode["env"].step(action)
        episode.update(
            success=bool(info["success"]), done=bool(terminated or truncated), turn=info["turn"]
        )
        extra = {"success": episode["success"], "turn": episode["turn"]}
        return episode["done"], str(shown[-1]["content"]), float(reward), extra

    async def calculate_score(self, instance_id: str, **_: Any) -> float:
        """1.0 if an attempt of the episode succeeded, else 0.0."""
        return 1.0 if self._episode(instance_id)["success"] else 0.0

    async def finalize_interaction(self, instance_id: str, **_: Any) -> None:
        """Close the episode."""
        episode = self._episodes.pop(instance_id, None)
        if episode is not None:
            episode["env"].close()

    def _episode(self, instance_id: str) -> dict[str, Any]:
        if instance_id not in self._episodes:
            raise ConfigError(f"no open interaction {instance_id!r}; call start_interaction first")
        return self._episodes[instance_id]


def verl_rows(
    suite_or_envs: str | Suite | Sequence[str],
    *,
    channels: Sequence[str] | None = None,
    episodes: int = 20,
    seed: int = 0,
    env_kwargs: Mapping[str, Any] | None = None,
    split: str = "train",
    interaction: str = INTERACTION,
) -> list[dict[str, Any]]:
    """Rows of a verl dataset: the episodes of a suite or of env ids × channels × seeds.

    ``prompt`` is the opening as :class:`~fbgym.wrappers.ChatEnv` renders it (the agent's
    view); the answer is nowhere in a row: ``reward_model.ground_truth`` is empty and the
    episode is graded by its env, through ``extra_info``.
    """
    rows = []
    for index, spec in enumerate(
        episode_specs(
            suite_or_envs, channels=channels, episodes=episodes, seed=seed, env_kwargs=env_kwargs
        )
    ):
        kwargs = encode_kwargs(spec.kwargs)
        messages, info = opening(spec.env_id, spec.channel, spec.seed, kwargs)
        episode = {"env_id": spec.env_id, "channel": spec.channel, "seed": spec.seed}
        rows.append(
            {
                "data_source": spec.env_id,
                "prompt": messages,
                "ability": str(info["problem"].get("family", "")),
                "reward_model": {"style": "fbgym", "ground_truth": ""},
                "extra_info": {
                    "split": split,
                    "index": index,
                    **episode,
                    "kwargs": kwargs,
                    "interaction_kwargs": {"name": interaction, **episode, "kwargs": kwargs},
                },
            }
        )
    return rows


def write_parquet(path: str | Path, rows: Sequence[Mapping[str, Any]]) -> Path:
    """Write :func:`verl_rows` to a parquet file verl reads (``data.train_files``)."""
    import pandas as pd

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(list(rows)).to_parquet(path, index=False)
    return path


def compute_score(
    data_source: str,
    solution_str: str,
    ground_truth: str,
    extra_info: Mapping[str, Any] | None = None,
    **_: Any,
) -> float:
    """A verl ``custom_reward_function``: 1.0 if the row's episode accepts the response.

    The response is the first attempt of the episode ``extra_info`` names, graded by its env.
    """
    info = dict(extra_info or {})
    if "env_id" not in info:
        raise ConfigError(f"{data_source}: extra_info does not name an fbgym episode")
    return float(
        play_first(solution_str, info["env_id"], info["channel"], info["seed"], info["kwargs"])[1]
    )
