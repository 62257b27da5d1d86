"""What a submission may cost and how broken it may be: checked before anything is replayed.

Replay re-plays every recorded turn, and a turn of an env that runs code may take as long as
its time limit. So before replay, each episode must fit its env's turn budget, and the worst
case — every turn at its time limit — must fit :attr:`SubmissionLimits.max_replay_s`; the
number of episodes and turns is capped too. A run whose agent raised in most of its episodes
measures the agent's crash, not what it does with feedback, and is rejected so that its author
fixes the agent rather than have it ranked.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from fbgym.errors import ConfigError, SubmissionRejected
from fbgym.leaderboard.loading import DEFAULT_MAX_BYTES, RunFiles
from fbgym.leaderboard.replay import EnvCheck


@dataclass(frozen=True)
class SubmissionLimits:
    """The most one submission may hold, cost to replay, and fail."""

    max_bytes: int = DEFAULT_MAX_BYTES
    """The largest file accepted (each of ``meta.json``, ``episodes.jsonl``, a benchmark JSON)."""
    max_episodes: int = 10_000
    """Episodes in one run (the default suite has 2,100)."""
    max_turns: int = 100_000
    """Recorded turns in one run, all episodes together."""
    max_replay_s: float = 7_200.0
    """Worst-case replay time in seconds; the default suite's worst case is about 3,900 s."""
    max_error_share: float = 0.5
    """The largest share of episodes that may have ended because the agent raised."""

    def __post_init__(self) -> None:
        for name in ("max_bytes", "max_episodes", "max_turns"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ConfigError(f"{name} must be a positive integer, got {value!r}")
        if not self.max_replay_s > 0:
            raise ConfigError(f"max_replay_s must be positive, got {self.max_replay_s!r}")
        if not 0 <= self.max_error_share <= 1:
            raise ConfigError(f"max_error_share must be in [0, 1], got {self.max_error_share!r}")


DEFAULT_LIMITS = SubmissionLimits()


@dataclass(frozen=True)
class ReplayBound:
    """How much replaying a run could cost at worst."""

    episodes: int
    turns: int
    seconds: float


def replay_bound(records: Iterable[dict[str, Any]], envs: Mapping[str, EnvCheck]) -> ReplayBound:
    """The worst-case cost of replaying ``records``; an episode longer than its budget is refused.

    Each episode costs a reset and each turn its env's :attr:`EnvCheck.turn_limit_s`.
    """
    episodes = turns = 0
    seconds = 0.0
    for record in records:
        env = envs[record["env_id"]]
        played = len(record["transcript"])
        if played > env.max_turns:
            raise SubmissionRejected(
                "inconsistent",
                f"episode {record['key']!r} records {played} turns, but {env.env_id} "
                f"allows {env.max_turns}",
            )
        episodes += 1
        turns += played
        seconds += env.reset_s + played * env.turn_limit_s
    return ReplayBound(episodes, turns, seconds)


def check_budget(run: RunFiles, envs: Mapping[str, EnvCheck], limits: SubmissionLimits) -> None:
    """That replaying ``run`` is bounded by ``limits``, a ``too-costly`` rejection if not."""
    bound = replay_bound(run.episodes, envs)
    if bound.episodes > limits.max_episodes:
        raise SubmissionRejected(
            "too-costly",
            f"the run has {bound.episodes:,} episodes; the limit is {limits.max_episodes:,}",
        )
    if bound.turns > limits.max_turns:
        raise SubmissionRejected(
            "too-costly",
            f"the run records {bound.turns:,} turns; the limit is {limits.max_turns:,}",
        )
    if bound.seconds > limits.max_replay_s:
        raise SubmissionRejected(
            "too-costly",
            f"its {bound.turns:,} turns could take up to {bound.seconds:,.0f} s to replay (each "
            f"at its env's time limit); the limit is {limits.max_replay_s:,.0f} s",
        )


def check_agent_errors(run: RunFiles, limits: SubmissionLimits) -> None:
    """That no more than ``limits.max_error_share`` of the episodes ended in an agent error."""
    failed = [r for r in run.episodes if r["error"] is not None]
    if failed and len(failed) > limits.max_error_share * len(run.episodes):
        first = failed[0]
        error = first["error"].strip().splitlines()[0] if first["error"].strip() else "(empty)"
        raise SubmissionRejected(
            "agent-errors",
            f"{len(failed)} of {len(run.episodes)} episodes ended because the agent raised "
            f"(first, {first['key']!r}: {error}); fix the agent and play the run again",
        )
