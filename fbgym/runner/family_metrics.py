"""Family metrics computed from an episode's transcript: nDCG@3 per round, corrections, ..."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

Turns = Sequence[dict[str, Any]]
FamilyMetric = Callable[[Turns, int], dict[str, float | None]]
"""``metric(transcript, max_turns) -> {name: value}`` for one episode; ``None``: undefined."""

ROUNDS = 4
"""Search rounds reported one by one (later rounds keep the last answer's value)."""

_METRICS: dict[str, FamilyMetric] = {}


def family_metric(family: str) -> Callable[[FamilyMetric], FamilyMetric]:
    """Register the per-episode metrics of ``family`` (one function per family)."""

    def add(fn: FamilyMetric) -> FamilyMetric:
        if family in _METRICS:
            raise ValueError(f"family metrics for {family!r} are already registered")
        _METRICS[family] = fn
        return fn

    return add


def episode_metrics(family: str, transcript: Turns, max_turns: int) -> dict[str, float | None]:
    """The family's metrics for one episode (none for families without any)."""
    metric = _METRICS.get(family)
    return metric(transcript, max_turns) if metric else {}


@family_metric("search")
def search_metrics(transcript: Turns, max_turns: int) -> dict[str, float | None]:
    """nDCG@3 after each answer round (ConvSim's measure), its gain, and recall@10."""
    answers = [
        t["outcome"] for t in transcript if t["outcome"]["diagnosis"].get("action") == "answer"
    ]
    if not answers:
        rounds = {f"ndcg@3_r{r}": 0.0 for r in range(1, ROUNDS + 1)}
        return {**rounds, "ndcg@3_gain": 0.0, "recall@10": 0.0, "rounds_to_success": None}
    ndcg = [a["diagnosis"]["ndcg@3"] for a in answers]
    rounds = {f"ndcg@3_r{r}": ndcg[min(r, len(ndcg)) - 1] for r in range(1, ROUNDS + 1)}
    success = next((i for i, a in enumerate(answers, 1) if a["success"]), None)
    return {
        **rounds,
        "ndcg@3_gain": max(ndcg) - ndcg[0],
        "recall@10": answers[-1]["diagnosis"]["recall@10"],
        "rounds_to_success": float(success) if success else None,
    }


@family_metric("robot")
def robot_metrics(transcript: Turns, max_turns: int) -> dict[str, float | None]:
    """Corrections to success (capped at the turn budget) and responsiveness.

    Responsiveness is the share of corrections after which the robot got closer to its
    subgoal (LMPC's measure).
    """
    success = next((i for i, t in enumerate(transcript, 1) if t["outcome"]["success"]), None)
    responded = [t["outcome"]["diagnosis"].get("responded") for t in transcript]
    responded = [r for r in responded if r is not None]
    return {
        "corrections": float(success - 1) if success else float(max_turns),
        "responsiveness": sum(responded) / len(responded) if responded else None,
    }
