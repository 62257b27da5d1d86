"""Code-v0 transcripts over channels, critic levels and user knobs, for the byte-identity test.

``python tests/envs/code/v0_transcripts.py`` rewrites the fixture; only do that for a change
that is meant to alter Code-v0 (and then bump its version instead).
"""

import json
import sys
from pathlib import Path

import gymnasium as gym

import fbgym.envs.code  # noqa: F401

FIXTURE = Path(__file__).parent / "data" / "code_v0_transcripts.json"
CASES = [
    ("verbal", {}),
    ("verbal", {"informativeness": 1}),
    ("verbal", {"informativeness": 4}),
    ("verbal", {"user": {"noise": 1.0}}),
    ("verbal", {"user": {"informativeness": "ground_truth"}}),
    ("verbal", {"user": {"informativeness": "edit"}}),
    ("verbal", {"user": {"informativeness": "hindsight"}}),
    ("unary", {}),
    ("ranked", {}),
    ("scalar", {}),
]


def transcript(channel: str, kwargs: dict, seed: int) -> list:
    """Observations, rewards, feedback and verdicts of one scripted Code-v0 episode.

    The grader's diagnosis is left out: it reports the sandbox (isolation level, output),
    which depends on the machine, not on the env version.
    """
    env = gym.make("fbgym/Code-v0", feedback=channel, wall_s=2.0, privileged=True, **kwargs)
    obs, info = env.reset(seed=seed)
    out: list = [obs, info["problem"]]
    entry = info["problem"]["entry_point"]
    actions = [f"```python\n{c}```" for c in info["problem"]["candidates"][:3]]
    actions += [f"def {entry}(*args):\n    return None\n", "def f(:"]
    actions.append(env.unwrapped.task.reference_action(env.unwrapped.problem))
    for action in actions:
        obs, reward, terminated, truncated, info = env.step(action)
        turn = env.unwrapped.history[-1]
        outcome = turn.outcome
        graded = [outcome.success, outcome.score, outcome.utility, outcome.valid]
        out.append([obs, reward, terminated, truncated, turn.feedback.to_dict(), graded])
        if terminated or truncated:
            break
    return out


def all_transcripts() -> dict[str, list]:
    """The transcripts of every case, keyed by channel, kwargs and seed."""
    return {
        f"{channel} {json.dumps(kwargs, sort_keys=True)} {seed}": transcript(channel, kwargs, seed)
        for channel, kwargs in CASES
        for seed in (0, 5, 11)
    }


def dump(value: object) -> str:
    """The canonical JSON text of a transcript (what the fixture holds)."""
    return json.dumps(value, sort_keys=True, default=repr, indent=1)


if __name__ == "__main__":
    FIXTURE.write_text(dump(all_transcripts()) + "\n")
    sys.stdout.write(f"wrote {FIXTURE}\n")
