"""Transcripts of ``fbgym/RobotCorrection-v0`` episodes, to pin v0's behaviour byte for byte.

``python tests/envs/robot/v0_transcripts.py`` wrote ``fixtures/robot_v0.json`` from the v0
code (each episode's kwargs, seed, actions and per-step digests); ``test_v0_frozen.py``
replays the actions and compares the digests.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import gymnasium as gym

import fbgym.envs.robot  # noqa: F401  (registers the robot ids)

FIXTURE = Path(__file__).parent / "fixtures" / "robot_v0.json"
ENV_ID = "fbgym/RobotCorrection-v0"
CASES: list[dict[str, Any]] = [
    {"feedback": "verbal"},
    {"feedback": "unary"},
    {"feedback": "ranked"},
    {"feedback": "scalar"},
    {"feedback": "ranked", "pairwise": True, "seed": 3},
    {"feedback": "verbal", "tasks": ["drawer"], "ambiguity": 1.0, "seed": 5},
    {"feedback": "verbal", "tasks": ["stack"], "bias_rate": 1.0, "max_bias": 6.5},
    {"feedback": "verbal", "noise": 0.0, "split": "train", "seed": 2},
    {"feedback": "verbal", "vague": 0.3, "wrong": 0.2, "missing": 0.1, "seed": 7},
    {"feedback": "verbal", "user": {"noise": 0.3, "informativeness": "ground_truth"}},
    {"feedback": "verbal", "user": {"informativeness": "edit"}, "max_turns": 4},
    {"feedback": "ranked", "user": {"noise": 0.3, "annotators": 3}},
]
"""Env kwargs of the pinned episodes."""
SEEDS = (0, 1, 2, 3)
EXTRA = ["", "pick the ball; place drawer", "open drawer; move left 2cm; grasp", "release"]
"""Actions that end every episode the baseline has not finished two turns before the budget."""


def replay(kwargs: dict[str, Any], seed: int, actions: list[str]) -> list[str]:
    """Digests of the transcript of ``actions`` from ``reset(seed=seed)``, one per step.

    The reset's covers the problem (statement, public fields, reference plan) and first
    observation; a step's, the observation, the end flags, and the judge's records of the turn:
    the feedback (text, parts, ranking, value, meta, notes) and the outcome.
    """
    env = gym.make(ENV_ID, **kwargs).unwrapped
    obs, _ = env.reset(seed=seed)
    p = env.problem
    out: list[Any] = [[obs, p.id, p.instruction, p.observation, p.answer, dict(p.public)]]
    for action in actions:
        obs, _, terminated, truncated, _ = env.step(action)
        turn = env.history[-1]
        fb, o = turn.feedback, turn.outcome
        feedback = [fb.text, [(q.kind.value, q.text) for q in fb.parts], fb.ranking, fb.value]
        outcome = [o.success, o.score, o.utility, o.valid, o.message, o.observation]
        out.append(
            [
                obs,
                terminated,
                truncated,
                feedback,
                dict(fb.meta),
                dict(fb.notes),
                outcome,
                dict(o.diagnosis),
            ]
        )
    return [
        hashlib.sha256(json.dumps(step, sort_keys=True, default=str).encode()).hexdigest()[:20]
        for step in out
    ]


def record() -> None:
    """Play the feedback and blind baselines on every case and write the fixture."""
    from fbgym.agents.baselines import BlindAgent, FeedbackAgent

    episodes = []
    for kwargs in CASES:
        for seed in SEEDS:
            agent = FeedbackAgent() if seed % 2 == 0 else BlindAgent()
            env = gym.make(ENV_ID, **kwargs).unwrapped
            obs, info = env.reset(seed=seed)
            agent.reset(obs["instruction"], seed=seed)
            actions, done = [], False
            while not done and len(actions) < env.max_turns - 2:
                actions.append(agent.act(obs, info))
                obs, _, terminated, truncated, info = env.step(actions[-1])
                done = terminated or truncated
            for action in EXTRA[seed % 2 :]:
                if done:
                    break
                actions.append(action)
                *_, terminated, truncated, _ = env.step(action)
                done = terminated or truncated
            episodes.append({"kwargs": kwargs, "seed": seed, "actions": actions, "digests": None})
    for episode in episodes:
        episode["digests"] = replay(episode["kwargs"], episode["seed"], episode["actions"])
    FIXTURE.write_text(json.dumps(episodes, sort_keys=True, indent=1) + "\n")


if __name__ == "__main__":
    record()
