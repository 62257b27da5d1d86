"""``fbgym/Math-v0`` replays byte for byte: transcripts recorded before Math-v1 existed.

``python tests/envs/math/test_v0_transcripts.py`` wrote ``fixtures/math_v0_transcripts.jsonl``;
it must never be rewritten for v0, whatever changes in later versions.
"""

import json
from pathlib import Path

import gymnasium as gym
import pytest

import fbgym  # noqa: F401
from fbgym.envs.math.program import format_number, mistaken_paths

FIXTURE = Path(__file__).parent / "fixtures" / "math_v0_transcripts.jsonl"
VARIANTS = [
    ({}, range(5)),
    ({"levels": [1, 2, 3, 4, 5]}, range(5, 11)),
    ({"levels": [4, 5], "user": {"informativeness": "edit"}}, range(2)),
    ({"levels": [4, 5], "user": {"informativeness": "ground_truth"}}, range(2)),
    ({"levels": [3, 4, 5], "user": {"noise": 0.5}}, range(2)),
]
CHANNELS = ("verbal", "unary", "ranked", "scalar")


def planned_actions(problem) -> list[str]:
    """Two slip answers the critic can place, an invalid action, a third slip, the answer."""
    slips = [format_number(v[-1]) for v in mistaken_paths(problem.data["steps"]).values()]
    slips = list(dict.fromkeys(slips)) + ["0", "1", "2"]
    return [
        f"The answer is {slips[0]}.",
        f"I get {slips[1]}",
        "",
        f"\\boxed{{{slips[2]}}}",
        f"The answer is {problem.answer}.",
    ]


def transcript(kwargs: dict, channel: str, seed: int, actions: list[str] | None) -> dict:
    """The episode as data: the problem, then per action the observation and judge's record."""
    env = gym.make("fbgym/Math-v0", feedback=channel, **kwargs)
    obs, info = env.reset(seed=seed)
    base = env.unwrapped
    if actions is None:
        actions = planned_actions(base.problem)
    turns = []
    for action in actions:
        obs, reward, terminated, truncated, _ = env.step(action)
        last = base.history[-1]
        turns.append(
            {
                "obs": obs,
                "reward": reward,
                "terminated": terminated,
                "truncated": truncated,
                "outcome": last.outcome.to_dict(),
                "feedback": last.feedback.to_dict(),
            }
        )
        if terminated or truncated:
            break
    return {
        "kwargs": kwargs,
        "channel": channel,
        "seed": seed,
        "actions": actions,
        "problem_id": base.problem.id,
        "problem": info["problem"],
        "reset_obs": env.reset(seed=seed)[0],
        "turns": turns,
    }


def record() -> list[dict]:
    """Every planned episode, played on the current code."""
    return [
        transcript(kwargs, channel, seed, None)
        for kwargs, seeds in VARIANTS
        for channel in CHANNELS
        for seed in seeds
    ]


RECORDED = (
    [json.loads(line) for line in FIXTURE.read_text().splitlines()] if FIXTURE.exists() else []
)


@pytest.mark.parametrize("i", range(len(RECORDED)))
def test_math_v0_replays_identically(i):
    old = RECORDED[i]
    new = transcript(old["kwargs"], old["channel"], old["seed"], old["actions"])
    assert json.loads(json.dumps(new)) == old


def test_fixture_covers_every_channel_and_variant():
    assert len(RECORDED) == sum(len(seeds) for _, seeds in VARIANTS) * len(CHANNELS)


if __name__ == "__main__":
    FIXTURE.parent.mkdir(exist_ok=True)
    lines = [json.dumps(t, sort_keys=True, ensure_ascii=False) for t in record()]
    FIXTURE.write_text("\n".join(lines) + "\n")
