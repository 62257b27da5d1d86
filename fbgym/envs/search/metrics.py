"""Ranking metrics against graded qrels (nDCG@k, recall@k), and a search episode's metrics."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any


def dcg(grades: Sequence[int]) -> float:
    """Discounted cumulative gain of grades in rank order, with gain ``2**grade - 1``."""
    return sum((2**g - 1) / math.log2(rank + 2) for rank, g in enumerate(grades) if g > 0)


def ndcg_at_k(ranking: Sequence[str], qrels: Mapping[str, int], k: int) -> float:
    """nDCG@k of ``ranking`` (doc ids, best first) as in trec_eval's ``ndcg_cut``.

    >>> ndcg_at_k(["a", "b", "c"], {"a": 2, "b": 2, "c": 2}, 3)
    1.0
    >>> round(ndcg_at_k(["x", "a"], {"a": 2}, 3), 4)
    0.6309
    """
    ideal = dcg(sorted((g for g in qrels.values() if g > 0), reverse=True)[:k])
    if ideal == 0.0:
        return 0.0
    return min(1.0, dcg([qrels.get(d, 0) for d in ranking[:k]]) / ideal)


def recall_at_k(ranking: Sequence[str], qrels: Mapping[str, int], k: int) -> float:
    """Share of the relevant documents (grade > 0) found in the first ``k`` of ``ranking``.

    >>> recall_at_k(["a", "x"], {"a": 1, "b": 2}, 10)
    0.5
    """
    relevant = {d for d, g in qrels.items() if g > 0}
    if not relevant:
        return 0.0
    return len(relevant.intersection(ranking[:k])) / len(relevant)


ROUNDS = 4
"""Answer rounds reported one by one (later rounds keep the last answer's value)."""


def search_metrics(transcript: Sequence[dict[str, Any]], max_turns: int) -> dict[str, float | None]:
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
