"""Metrics over episode tables: SR@k, feedback gain, turns to success, with bootstrap CIs."""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial

import numpy as np
import pandas as pd

GROUP = ("agent", "env_id", "channel")


def success_at_k(df: pd.DataFrame, k: int) -> pd.Series:
    """Per episode: whether it succeeded within ``k`` turns."""
    return df["turns_to_success"].fillna(np.inf).astype(float) <= k


def bootstrap_ci(
    values: np.ndarray, *, resamples: int = 2000, seed: int = 0, level: float = 0.95
) -> tuple[float, float]:
    """A percentile bootstrap CI of the mean (seeded: the same data give the same CI)."""
    values = np.asarray(values, dtype=float)
    if len(values) == 0:
        return (float("nan"), float("nan"))
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, len(values), size=(resamples, len(values)))
    stats = values[idx].mean(axis=1)
    alpha = (1 - level) / 2
    return float(np.quantile(stats, alpha)), float(np.quantile(stats, 1 - alpha))


def summarize(
    df: pd.DataFrame, *, max_k: int | None = None, by: Sequence[str] = GROUP, ci: bool = True
) -> pd.DataFrame:
    """One row per group: SR@1..SR@K, the feedback gain SR@K − SR@1, and more.

    Also: episodes, mean turns to success (over successes), mean score, agent errors, and
    95% bootstrap CIs for SR@1, SR@K and the gain.
    """
    by = [c for c in by if c in df.columns]
    max_k = max_k or int(df["turns"].max() or 1)
    rows = []
    for key, group in df.groupby(by, sort=True):
        key = key if isinstance(key, tuple) else (key,)
        row = dict(zip(by, key))
        row["episodes"] = len(group)
        hits = {k: success_at_k(group, k).to_numpy(dtype=float) for k in range(1, max_k + 1)}
        for k, h in hits.items():
            row[f"SR@{k}"] = h.mean()
        row["gain"] = row[f"SR@{max_k}"] - row["SR@1"]
        tts = group["turns_to_success"].dropna()
        row["turns_to_success"] = float(tts.mean()) if len(tts) else float("nan")
        row["score"] = float(group["score"].mean())
        row["errors"] = int(group["error"].notna().sum()) if "error" in group else 0
        if ci:
            row["SR@1_ci"] = bootstrap_ci(hits[1])
            row[f"SR@{max_k}_ci"] = bootstrap_ci(hits[max_k])
            row["gain_ci"] = bootstrap_ci(hits[max_k] - hits[1])
        rows.append(row)
    return pd.DataFrame(rows)


def _cell(row: pd.Series, name: str) -> str:
    lo, hi = row.get(f"{name}_ci", (np.nan, np.nan))
    return f"{row[name]:.3f} [{lo:.2f},{hi:.2f}]"


def format_table(summary: pd.DataFrame, max_k: int) -> str:
    """A plain-text table of SR@1, SR@K (with CIs) and the gain per group."""
    lines = []
    header = (
        f"{'agent':<20} {'env':<26} {'channel':<8} {'n':>5} "
        f"{'SR@1':>16} {f'SR@{max_k}':>16} {'gain':>7}"
    )
    lines.append(header)
    lines.append("-" * len(header))
    for _, r in summary.iterrows():
        cell = partial(_cell, r)
        lines.append(
            f"{r.get('agent', ''):<20} {r['env_id']:<26} {r['channel']:<8} {r['episodes']:>5} "
            f"{cell('SR@1'):>16} {cell(f'SR@{max_k}'):>16} {r['gain']:>+7.3f}"
        )
    return "\n".join(lines)
