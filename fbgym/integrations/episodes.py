"""Episodes as trainers replay them: one env per (id, channel, kwargs), reset by seed, as chat."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from typing import Any

from fbgym.errors import ConfigError
from fbgym.runner.episode import EpisodeSpec
from fbgym.runner.suites import CHANNELS, Suite, get_suite
from fbgym.wrappers import ChatEnv


def episode_specs(
    suite_or_envs: str | Suite | Sequence[str],
    *,
    channels: Sequence[str] | None = None,
    episodes: int = 20,
    seed: int = 0,
    env_kwargs: Mapping[str, Any] | None = None,
) -> list[EpisodeSpec]:
    """The episodes of a suite (by name or object), or of env ids × ``channels`` × seeds.

    A string without a ``/`` names a suite (``"smoke"``); one with names an env id.

    A suite plays its own channels, seeds and kwargs (``channels`` then picks among them,
    ``env_kwargs`` add to them); env ids play ``episodes`` seeds from ``seed`` in
    ``channels`` (verbal, unary and ranked by default) with ``env_kwargs``.
    """
    if isinstance(suite_or_envs, Suite) or (
        isinstance(suite_or_envs, str) and "/" not in suite_or_envs
    ):
        suite = suite_or_envs if isinstance(suite_or_envs, Suite) else get_suite(suite_or_envs)
        extra = dict(env_kwargs or {})
        return [
            EpisodeSpec(s.env_id, s.channel, s.seed, {**s.kwargs, **extra})
            for s in suite.specs(seed)
            if channels is None or s.channel in channels
        ]
    ids = [suite_or_envs] if isinstance(suite_or_envs, str) else list(suite_or_envs)
    if episodes < 1:
        raise ConfigError(f"episodes must be at least 1, got {episodes}")
    return [
        EpisodeSpec(env_id, channel, seed + i, dict(env_kwargs or {}))
        for env_id in ids
        for channel in channels or CHANNELS
        for i in range(episodes)
    ]


def encode_kwargs(kwargs: Mapping[str, Any]) -> str:
    """Env kwargs as the JSON text a dataset row carries (one column type for every row)."""
    return json.dumps(dict(kwargs), sort_keys=True, default=str)


def decode_kwargs(text: str | Mapping[str, Any] | None) -> dict[str, Any]:
    """The env kwargs of a row: its JSON text, or a mapping as it is."""
    if text is None or isinstance(text, Mapping):
        return dict(text or {})
    return dict(json.loads(text))


@lru_cache(maxsize=64)
def chat_env(env_id: str, channel: str, kwargs: str) -> ChatEnv:
    """A chat-wrapped env for ``env_id`` in ``channel`` with the JSON ``kwargs``, reused."""
    from fbgym.registration import make

    return ChatEnv(make(env_id, feedback=channel, **decode_kwargs(kwargs)))


def opening(env_id: str, channel: str, seed: int, kwargs: str) -> tuple[list[dict], dict]:
    """The conversation that opens episode ``seed`` (system and user messages) and its info."""
    return chat_env(env_id, channel, kwargs).reset(seed=int(seed))


def completion_text(completion: Any) -> str:
    """A completion as text: a string, or the content of its last assistant message."""
    if isinstance(completion, str):
        return completion
    if isinstance(completion, Mapping):
        return str(completion.get("content") or "")
    if isinstance(completion, Iterable):
        messages = [m for m in completion if isinstance(m, Mapping)]
        replies = [m for m in messages if m.get("role") == "assistant"] or messages
        return str(replies[-1].get("content") or "") if replies else ""
    return str(completion)


def play_first(
    completion: Any, env_id: str, channel: str, seed: int, kwargs: str | Mapping[str, Any]
) -> tuple[float, bool]:
    """The env's reward and success for ``completion`` as the first attempt of its episode."""
    env = chat_env(env_id, channel, encode_kwargs(decode_kwargs(kwargs)))
    env.reset(seed=int(seed))
    _, reward, _, _, info = env.step(completion_text(completion))
    return float(reward), bool(info["success"])
