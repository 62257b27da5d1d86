"""Teachability on fbgym/RobotCorrection-v0: corrections per episode over a stream of 20 episodes.

One person (and one robot, with its fixed per-object perception errors) per stream. Three
agents play every stream: the feedback baseline that remembers corrections across episodes,
the same baseline starting afresh each episode, and the blind twin that ignores feedback.
Corrections per episode = failed attempts before success, capped at the turn budget when the
episode fails. The curves average several streams (different robots and people).

    python examples/robot_teachability.py --streams 10 --out robot_teachability.png
"""

from __future__ import annotations

import argparse

import gymnasium as gym
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

import fbgym.envs.robot  # noqa: F401  (registers fbgym/RobotCorrection-v0)
from fbgym.agents.baselines import BlindAgent, FeedbackAgent
from fbgym.runner import EpisodeSpec, play_episode

ENV_ID = "fbgym/RobotCorrection-v0"


def corrections(env: gym.Env, agent: FeedbackAgent, seed: int) -> int:
    """Play episode ``seed``; its corrections to success (the turn budget if it failed)."""
    record = play_episode(agent, EpisodeSpec(ENV_ID, "verbal", seed), env)
    return int(record["metrics"]["corrections"])


def stream(person: int, episodes: int, kind: str, **env_kwargs: float) -> list[int]:
    """Corrections per episode for one agent kind over a stream with person ``person``."""
    env = gym.make(ENV_ID, feedback="verbal", seed=person, **env_kwargs)
    agent = BlindAgent() if kind == "blind" else FeedbackAgent()
    counts = []
    for episode in range(episodes):
        if kind == "forgetting":
            agent = FeedbackAgent()
        counts.append(corrections(env, agent, episode))
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--streams", type=int, default=10)
    parser.add_argument("--episodes", type=int, default=20)
    parser.add_argument("--out", default="robot_teachability.png")
    args = parser.parse_args()
    kinds = ("remembering", "forgetting", "blind")
    curves = {
        k: np.array([stream(p, args.episodes, k) for p in range(args.streams)]) for k in kinds
    }
    x = np.arange(1, args.episodes + 1)
    fig, ax = plt.subplots(figsize=(7, 4.2))
    for kind, style in zip(kinds, ("o-", "s--", "^:")):
        mean = curves[kind].mean(axis=0)
        sem = curves[kind].std(axis=0, ddof=1) / np.sqrt(args.streams) if args.streams > 1 else 0
        ax.plot(x, mean, style, label=f"{kind} (mean {mean.mean():.2f})")
        ax.fill_between(x, mean - sem, mean + sem, alpha=0.15)
    ax.set(
        xlabel="episode in the stream (same person and robot)",
        ylabel="corrections per episode",
        title=f"RobotCorrection-v0, verbal: mean of {args.streams} streams (± s.e.m.)",
        xticks=x[::2],
    )
    ax.legend()
    fig.tight_layout()
    fig.savefig(args.out, dpi=120)
    half = args.episodes // 2
    for kind in kinds:
        c = curves[kind]
        print(
            f"{kind:12s} mean {c.mean():.2f}  first half {c[:, :half].mean():.2f}  "
            f"second half {c[:, half:].mean():.2f}  "
            f"per episode {np.round(c.mean(axis=0), 2).tolist()}"
        )
    print(f"plot written to {args.out}")


if __name__ == "__main__":
    main()
