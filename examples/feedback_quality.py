"""How feedback quality moves the feedback-using baseline: SR@5 as noise rises and along the ladder.

Prints the markdown table of ``docs/feedback_quality.md``. Each cell plays the
``FeedbackAgent`` baseline for ``--episodes`` seeded episodes (problem ``s`` for seed ``s``)
of five turns and reports the success rate within five turns, ± one standard error; the
``BlindAgent`` row is the same candidate generator ignoring feedback. Families whose env is
given no episodes are left out.

    python examples/feedback_quality.py --episodes 500 --code-episodes 100
"""

from __future__ import annotations

import argparse
import math
from typing import Any

import gymnasium as gym

import fbgym  # noqa: F401  (registers the built-in ids)
from fbgym.agents.baselines import BlindAgent, FeedbackAgent
from fbgym.runner import EpisodeSpec, play_episode

ENVS = ("fbgym/Math-v0", "fbgym/Code-v0")
NOISE = (0.0, 0.1, 0.2, 0.3, 0.4)
LADDER = ("unary", "hindsight", "future", "ground_truth", "edit")


def success_rate(
    env_id: str, channel: str, user: dict[str, Any] | None, episodes: int, blind: bool = False
) -> tuple[float, float]:
    """SR@5 and its standard error for the baseline against ``user``."""
    extra = {} if user is None else {"user": user}
    env = gym.make(env_id, feedback=channel, max_turns=5, privileged=True, **extra)
    agent = BlindAgent() if blind else FeedbackAgent()
    specs = [EpisodeSpec(env_id, channel, seed) for seed in range(episodes)]
    rate = sum(play_episode(agent, spec, env)["success"] for spec in specs) / episodes
    return rate, math.sqrt(rate * (1 - rate) / episodes)


def rows(episodes: dict[str, int]) -> list[tuple[str, dict[str, str]]]:
    """The table's rows: a label and one cell per (env, channel) column; envs with no
    episodes are left out."""
    columns = [(e, c) for e in ENVS if episodes.get(e) for c in ("verbal", "ranked")]

    def cells(user: dict[str, Any] | None, channels=("verbal", "ranked"), blind=False):
        out = {}
        for env_id, channel in columns:
            if channel not in channels:
                out[f"{env_id} {channel}"] = "—"
                continue
            rate, se = success_rate(env_id, channel, user, episodes[env_id], blind)
            out[f"{env_id} {channel}"] = f"{rate:.3f} ± {se:.3f}"
        return out

    table = [("blind baseline (no feedback)", cells(None, blind=True))]
    table += [(f"noise {p:.1f}", cells({"noise": p})) for p in NOISE]
    table += [
        (f"ladder: {level}", cells({"informativeness": level}, ("verbal",))) for level in LADDER
    ]
    return table


def markdown(table: list[tuple[str, dict[str, str]]]) -> str:
    """The rows as a markdown table."""
    header = ["setting", *table[0][1]]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join([label, *cells.values()]) + " |" for label, cells in table]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--episodes", type=int, default=500, help="episodes per Math-v0 cell")
    parser.add_argument(
        "--code-episodes", type=int, default=100, help="episodes per Code-v0 cell (sandboxed)"
    )
    args = parser.parse_args()
    episodes = {"fbgym/Math-v0": args.episodes, "fbgym/Code-v0": args.code_episodes}
    print(markdown(rows(episodes)))


if __name__ == "__main__":
    main()
