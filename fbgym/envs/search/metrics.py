"""Ranking metrics against graded qrels: nDCG@k (exponential gain) and recall@k."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence


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
