"""Transcripts of ``fbgym/ConvSearch-v0`` episodes, to pin v0's behaviour byte for byte.

``python tests/envs/search/v0_transcripts.py`` wrote ``fixtures/search_v0.json`` from the v0
code (each episode's kwargs, seed, actions and per-step digests); ``test_v0_frozen.py``
replays the actions and compares the digests.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import gymnasium as gym

import fbgym.envs.search  # noqa: F401  (registers the search ids)

FIXTURE = Path(__file__).parent / "fixtures" / "search_v0.json"
ENV_ID = "fbgym/ConvSearch-v0"
CASES: list[dict[str, Any]] = [
    {"feedback": "verbal"},
    {"feedback": "unary"},
    {"feedback": "ranked"},
    {"feedback": "scalar"},
    {"feedback": "ranked", "pairwise": True, "seed": 3},
    {"feedback": "verbal", "patience": 2, "split": "train"},
    {"feedback": "verbal", "cooperativeness": 1.0, "patience": None, "max_turns": 12},
    {"feedback": "unary", "topics": 30, "passages": 900, "seed": 4, "results_shown": 5},
    {"feedback": "verbal", "threshold": 0.5, "cooperativeness": 0.25},
    {"feedback": "verbal", "user": {"noise": 0.3, "informativeness": "ground_truth"}},
    {"feedback": "verbal", "user": {"informativeness": "edit", "patience": 2}},
    {"feedback": "verbal", "user": {"informativeness": "hindsight", "persona": "blunt"}},
    {"feedback": "ranked", "user": {"noise": 0.3, "annotators": 3}},
    {"feedback": "unary", "user": "distracted"},
]
"""Env kwargs of the pinned episodes."""
SEEDS = (0, 1, 2, 3)


def extra_actions(env: Any) -> list[str]:
    """Questions (open, yes, no), a malformed command and a stop, for the current problem."""
    problem = env.problem
    facet, topic = problem.data["facet"], problem.data["topic"]
    other = next(f for f in topic.facets if f.id != facet.id)
    word = next(w for w in other.terms if w not in facet.terms)
    return [
        f"ask: Is it about {facet.name}?",
        f"ask: Do you mean {word}?",
        "ask: Anything else?",
        "answer: D000001 nonsense",
        "search: -D000002",
        "stop",
    ]


def replay(kwargs: dict[str, Any], seed: int, actions: list[str]) -> list[str]:
    """Digests of the transcript of ``actions`` from ``reset(seed=seed)``, one per step.

    The reset's covers the problem (statement, public fields, answer) and first observation;
    a step's, the observation, the end flags, and the judge's records of the turn: the
    feedback (text, parts, ranking, value, meta, notes) and the outcome.
    """
    env = gym.make(ENV_ID, **kwargs).unwrapped
    obs, info = env.reset(seed=seed)
    p = env.problem
    out: list[Any] = [[obs, p.id, p.instruction, p.observation, p.answer, info["problem"]]]
    for action in actions:
        obs, reward, terminated, truncated, _ = env.step(action)
        turn = env.history[-1]
        fb, o = turn.feedback, turn.outcome
        out.append([obs, reward, terminated, truncated, fb.to_dict(), o.to_dict()])
    return [
        hashlib.sha256(json.dumps(step, sort_keys=True, default=str).encode()).hexdigest()[:20]
        for step in out
    ]


def record() -> None:
    """Play the feedback and blind baselines, then extra actions, on every case; write it."""
    from fbgym.agents.baselines import BlindAgent, FeedbackAgent

    episodes = []
    for kwargs in CASES:
        for seed in SEEDS:
            agent = FeedbackAgent() if seed % 2 == 0 else BlindAgent()
            env = gym.make(ENV_ID, **kwargs).unwrapped
            obs, info = env.reset(seed=seed)
            agent.reset(obs["instruction"], seed=seed)
            extra = extra_actions(env)[seed % 3 :]
            actions, done = [], False
            while not done and len(actions) < env.max_turns - len(extra):
                actions.append(agent.act(obs, info))
                obs, _, terminated, truncated, info = env.step(actions[-1])
                done = terminated or truncated
            for action in extra:
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
