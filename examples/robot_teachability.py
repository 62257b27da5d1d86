"""Teachability on fbgym/RobotCorrection-v1: corrections per episode along streams of 20 episodes.

Each stream is 20 consecutive seeds of the test split, as the runner plays them, and has its
own robot (its grasp offsets, its drifting arm and camera) and person. Four agents play every
stream in the verbal channel: the feedback baseline that remembers corrections across the
stream's episodes, the same baseline starting afresh each episode, its blind twin that ignores
feedback, and the split memoriser, which starts every stream from what it learnt on 100
episodes of the train split (a control: other robots, so it should gain nothing).
Corrections per episode = failed attempts before success, the turn budget when the episode
fails. The curves average the streams.

    python examples/robot_teachability.py --streams 10 --out docs/robot_teachability.png
"""

from __future__ import annotations

import argparse

import gymnasium as gym
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

import fbgym.envs.robot  # noqa: F401  (registers the robot ids)
from fbgym.agents.baselines import BlindAgent, FeedbackAgent
from fbgym.agents.controls import SplitMemoriser
from fbgym.runner import EpisodeSpec, play_episode
from fbgym.runner.evaluate import STREAM_LENGTH

ENV_ID = "fbgym/RobotCorrection-v1"
KINDS = ("remembering", "afresh each episode", "blind", "split memoriser")


def make_agent(kind: str, memoriser: SplitMemoriser) -> FeedbackAgent:
    """A fresh agent of ``kind`` (the memoriser keeps its studied table)."""
    if kind == "split memoriser":
        return memoriser
    return BlindAgent() if kind == "blind" else FeedbackAgent()


def stream(env: gym.Env, index: int, kind: str, memoriser: SplitMemoriser) -> list[int]:
    """Corrections per episode of one agent kind over stream ``index``."""
    agent = make_agent(kind, memoriser)
    agent.new_stream()
    counts = []
    for position in range(STREAM_LENGTH):
        if kind == "afresh each episode":
            agent = FeedbackAgent()
        seed = index * STREAM_LENGTH + position
        record = play_episode(agent, EpisodeSpec(ENV_ID, "verbal", seed), env)
        counts.append(int(record["metrics"]["corrections"]))
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--streams", type=int, default=10)
    parser.add_argument("--out", default="robot_teachability.png")
    args = parser.parse_args()
    env = gym.make(ENV_ID, feedback="verbal").unwrapped
    memoriser = SplitMemoriser()
    memoriser.study(gym.make(ENV_ID, feedback="verbal", split="train").unwrapped, range(100))
    curves = {
        k: np.array([stream(env, i, k, memoriser) for i in range(args.streams)]) for k in KINDS
    }
    x = np.arange(1, STREAM_LENGTH + 1)
    fig, ax = plt.subplots(figsize=(7.5, 4.4))
    for kind, style in zip(KINDS, ("o-", "s--", "^:", "d-.")):
        mean = curves[kind].mean(axis=0)
        sem = curves[kind].std(axis=0, ddof=1) / np.sqrt(args.streams) if args.streams > 1 else 0
        ax.plot(x, mean, style, label=f"{kind} (mean {mean.mean():.2f})")
        ax.fill_between(x, mean - sem, mean + sem, alpha=0.15)
    ax.set(
        xlabel="episode in the stream (same robot and person)",
        ylabel="corrections per episode",
        title=f"RobotCorrection-v1, verbal: mean of {args.streams} streams (± s.e.m.)",
        xticks=x[::2],
    )
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(args.out, dpi=120)
    half = STREAM_LENGTH // 2
    for kind in KINDS:
        c = curves[kind]
        print(
            f"{kind:20s} mean {c.mean():.2f}  first half {c[:, :half].mean():.2f}  "
            f"second half {c[:, half:].mean():.2f}"
        )
    print(f"plot written to {args.out}")


if __name__ == "__main__":
    main()
