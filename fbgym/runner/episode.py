"""Play one episode of an agent in an env and record every action, outcome and feedback."""

from __future__ import annotations

import time
import traceback
from dataclasses import dataclass, field
from typing import Any

import gymnasium as gym

from fbgym.agents.base import Agent


@dataclass(frozen=True)
class EpisodeSpec:
    """Which episode to play: env id and kwargs (the channel among them) and seed."""

    env_id: str
    channel: str
    seed: int
    kwargs: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> str:
        """A unique, stable name for this episode within a run."""
        extra = ",".join(f"{k}={self.kwargs[k]!r}" for k in sorted(self.kwargs))
        return f"{self.env_id}|{self.channel}|{extra}|{self.seed}"

    def make_env(self) -> gym.Env:
        """The env this episode is played in."""
        return gym.make(self.env_id, feedback=self.channel, **self.kwargs)


def _action_record(action: object) -> dict[str, Any]:
    if isinstance(action, str):
        return {"action": action}
    return {
        "action": None,
        "action_repr": repr(action)[:1000],
        "action_type": type(action).__name__,
    }


def play_episode(agent: Agent, spec: EpisodeSpec, env: gym.Env | None = None) -> dict[str, Any]:
    """Play ``spec`` with ``agent``; an agent that raises fails the episode, with the error kept."""
    env = env or spec.make_env()
    start = time.perf_counter()
    obs, info = env.reset(seed=spec.seed)
    problem = info.get("problem", {})
    turns: list[dict[str, Any]] = []
    error = None
    terminated = truncated = False
    try:
        agent.reset(obs["instruction"], seed=spec.seed)
        while not (terminated or truncated):
            action = agent.act(obs, info)
            obs, reward, terminated, truncated, info = env.step(action)
            outcome, feedback = info["outcome"], info["feedback"]
            turns.append(
                {
                    **_action_record(action),
                    "reward": reward,
                    "outcome": outcome.to_dict(),
                    "feedback": feedback.to_dict(),
                }
            )
    except Exception as exc:  # the agent's failure is this episode's, not the run's
        error = f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=-3)}"
    graded = [t for t in turns if t["outcome"]["graded"]]
    success_turn = next((i for i, t in enumerate(turns, 1) if t["outcome"]["success"]), None)
    return {
        "key": spec.key,
        "env_id": spec.env_id,
        "family": problem.get("family", ""),
        "channel": spec.channel,
        "kwargs": spec.kwargs,
        "seed": spec.seed,
        "problem_id": problem.get("id", ""),
        "success": success_turn is not None,
        "turns": len(turns),
        "turns_to_success": success_turn,
        "score": max((t["outcome"]["score"] for t in graded), default=0.0),
        "ended_by_user": bool(turns and turns[-1]["feedback"]["end"] and success_turn is None),
        "error": error,
        "elapsed_s": round(time.perf_counter() - start, 6),
        "transcript": turns,
    }
