"""Control agents: ways to score without learning from the feedback, for tests of the benchmark."""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import Any

from fbgym.agents.baselines import FeedbackAgent


class SplitMemoriser(FeedbackAgent):
    """What the feedback baseline learns on one split, replayed on another.

    :meth:`study` plays episodes of an env (of the train split, say) as one long stream and
    keeps what the family's policy remembered (a robot's grasp offsets, say); every stream
    this agent then plays starts from it instead of afresh. Where what there is to learn is
    the same in every split, it needs little feedback from the first attempt on; where it
    changes from stream to stream, it must do no better than :class:`FeedbackAgent`.
    """

    name = "split-memoriser"

    def __init__(self, seed: int = 0):
        super().__init__(seed)
        self.table: dict[str, dict[str, Any]] = {}
        self.studied = 0

    def config(self) -> dict[str, Any]:
        """The baseline's settings and how many episodes were studied."""
        return {**super().config(), "studied": self.studied}

    def study(self, env: Any, seeds: Iterable[int]) -> None:
        """Play ``env`` on ``seeds`` in one stream and keep what was learnt as the table."""
        self.memory = {}
        for seed in seeds:
            obs, info = env.reset(seed=seed)
            self.reset(obs["instruction"], seed=seed)
            done = False
            while not done:
                obs, _, terminated, truncated, info = env.step(self.act(obs, info))
                done = terminated or truncated
            self.studied += 1
        self.table = copy.deepcopy(self.memory)

    def new_stream(self) -> None:
        """Start from the studied table."""
        self.memory = copy.deepcopy(self.table)
