"""Metrics over episode tables: SR@k, the gain, a channel's value, teachability, with CIs.

One vocabulary everywhere (CLI tables, the leaderboard, its plots and site): SR@k is success
within k *attempts* — graded actions (an answer, a program, a plan) — so that families whose
episodes also hold searches or questions compare with those that do not; K is the env's turn
budget; the *gain* SR@K − SR@1 is what more attempts add; a channel's *value* is
SR@K(channel) − SR@K(unary) for the same agent on the same problems, since unary feedback
says only "not yet", which a continuing episode says anyway. Every interval is the same
seeded percentile bootstrap (:func:`bootstrap_ci`), resampling problems.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial

import numpy as np
import pandas as pd

from fbgym.runner.records import EPISODE_COLUMNS

GROUP = ("agent", "env_id", "channel")
INTERVAL = "95% bootstrap CI over problems"
SR_NOTE = (
    "SR@k: success within k attempts; K: the env's turn budget; "
    f"gain: SR@K - SR@1, what more attempts add ({INTERVAL})"
)
VALUE_NOTE = (
    "Value of each channel's feedback: SR@K(channel) - SR@K(unary), same agent, same problems "
    "(paired 95% bootstrap CI)"
)
BASELINE_CHANNEL = "unary"
"""The channel a channel's value is measured against: it says only "not yet"."""
ORDER = ("env_id", "channel", "seed")
"""Episodes are put in this order before resampling, so the same data give the same interval
however they were read (a run's table or the leaderboard's index)."""
NOT_METRICS = {*EPISODE_COLUMNS, "kwargs", "key", "transcript", "metrics"}
"""Episode-table columns that are not family metrics (the last four: raw records only)."""


def success_at_k(df: pd.DataFrame, k: int) -> pd.Series:
    """Per episode: whether it succeeded within ``k`` attempts."""
    column = "attempts_to_success" if "attempts_to_success" in df else "turns_to_success"
    return df[column].astype(float).fillna(np.inf) <= k


def bootstrap_ci(
    values: np.ndarray,
    *,
    clusters: Sequence[object] | None = None,
    resamples: int = 2000,
    seed: int = 0,
    level: float = 0.95,
) -> tuple[float, float]:
    """A percentile bootstrap CI of the mean (seeded: the same data give the same CI).

    With ``clusters`` (one label per value, e.g. the problem each episode played), whole
    clusters are resampled: episodes of one problem (in several channels, or from several
    seeds) are not independent draws, and resampling them one by one makes the interval too
    narrow.
    """
    values = np.asarray(values, dtype=float)
    if len(values) == 0:
        return (float("nan"), float("nan"))
    rng = np.random.default_rng(seed)
    if clusters is None:
        idx = rng.integers(0, len(values), size=(resamples, len(values)))
        stats = values[idx].mean(axis=1)
    else:
        codes, _ = pd.factorize(pd.Series(list(clusters), dtype=object))
        sums = np.bincount(codes, weights=values)
        counts = np.bincount(codes).astype(float)
        idx = rng.integers(0, len(sums), size=(resamples, len(sums)))
        stats = sums[idx].sum(axis=1) / counts[idx].sum(axis=1)
    alpha = (1 - level) / 2
    return float(np.quantile(stats, alpha)), float(np.quantile(stats, 1 - alpha))


def _problems(group: pd.DataFrame) -> list[object]:
    """Each episode's problem (its env and problem id), or the episode itself without ids."""
    if "problem_id" not in group:
        return list(range(len(group)))
    env = group["env_id"] if "env_id" in group else pd.Series([""] * len(group), index=group.index)
    return list(zip(env, group["problem_id"]))


def _budget(group: pd.DataFrame) -> int:
    """The most attempts an episode of ``group`` could take: its env's turn budget."""
    if "max_turns" in group and group["max_turns"].notna().any():
        return int(group["max_turns"].max())
    return max(int(group["turns"].max() or 1), 1)


def _canonical(group: pd.DataFrame) -> pd.DataFrame:
    """``group`` in :data:`ORDER`, so that resampling does not depend on how it was read."""
    order = [c for c in ORDER if c in group]
    return group.sort_values(order, kind="stable") if order else group


def channel_value(
    df: pd.DataFrame, *, by: Sequence[str] = ("agent", "env_id"), baseline: str = BASELINE_CHANNEL
) -> pd.DataFrame:
    """Per group and channel: SR@K(channel) − SR@K(``baseline``) on the same problems.

    Episodes are paired by env and seed (the same problem in both channels); ``value`` is
    the mean difference over the pairs, ``value_ci`` a bootstrap interval over them
    (resampling problems), ``pairs`` their number. Per agent, a row with ``env_id ==
    "all"`` pools every env. Groups without ``baseline`` episodes have no rows.
    """
    by = [c for c in by if c in df.columns]
    if df.empty or "channel" not in df or baseline not in set(df["channel"]):
        return pd.DataFrame(columns=[*by, "channel", "pairs", "value", "value_ci"])
    hits = df.assign(_hit=df["success"].astype(float))  # SR@K: success within the budget
    ref = hits[hits["channel"] == baseline][[*by, "seed", "_hit"]]
    pairs = hits[hits["channel"] != baseline].merge(ref, on=[*by, "seed"], suffixes=("", "_ref"))
    pairs = pairs.assign(diff=pairs["_hit"] - pairs["_hit_ref"])
    pooled = pairs.assign(env_id="all") if "env_id" in by else pairs.iloc[0:0]
    rows = []
    for frame in (pairs, pooled if pairs["env_id"].nunique() > 1 else pooled.iloc[0:0]):
        for key, group in frame.groupby([*by, "channel"], sort=True):
            group = _canonical(group)
            problems = list(zip(group["env_id"], group["seed"]))
            rows.append(
                {
                    **dict(zip([*by, "channel"], key)),
                    "pairs": len(group),
                    "value": float(group["diff"].mean()),
                    "value_ci": bootstrap_ci(group["diff"].to_numpy(), clusters=problems),
                }
            )
    return pd.DataFrame(rows, columns=[*by, "channel", "pairs", "value", "value_ci"])


def format_channel_value(table: pd.DataFrame) -> str:
    """A plain-text table of each channel's value over unary, with paired intervals."""
    header = f"{'agent':<20} {'env':<26} {'channel':<8} {'pairs':>5} {'value':>22}"
    lines = [header, "-" * len(header)]
    for _, r in table.iterrows():
        lo, hi = r["value_ci"]
        lines.append(
            f"{r.get('agent', ''):<20} {r['env_id']:<26} {r['channel']:<8} {r['pairs']:>5} "
            f"{r['value']:>+8.3f} [{lo:+.2f},{hi:+.2f}]"
        )
    return "\n".join(lines)


def summarize(
    df: pd.DataFrame, *, by: Sequence[str] = GROUP, ci: bool = True, max_k: int | None = None
) -> pd.DataFrame:
    """One row per group: SR@1..SR@K, the feedback gain SR@K − SR@1, and more.

    K is the group's turn budget (``max_turns``), the most attempts an episode can take;
    ``SR@K`` and ``K`` are columns of their own so groups with other budgets line up.
    Also: episodes, the distinct problems behind them (``problems``), mean turns to success
    (over successes), mean score, agent errors, and 95% bootstrap CIs for SR@1, SR@K and the
    gain, resampling problems rather than episodes where a problem repeats. ``max_k`` bounds
    the SR@k columns (default: the largest budget of any group).
    """
    by = [c for c in by if c in df.columns]
    overall = max_k or (_budget(df) if len(df) else 1)
    rows = []
    for key, group in df.groupby(by, sort=True):
        key = key if isinstance(key, tuple) else (key,)
        group = _canonical(group)
        row = dict(zip(by, key))
        row["episodes"] = len(group)
        problems = _problems(group)
        row["problems"] = len(set(problems))
        k_max = min(_budget(group), overall)
        hits = {k: success_at_k(group, k).to_numpy(dtype=float) for k in range(1, overall + 1)}
        for k, h in hits.items():
            row[f"SR@{k}"] = h.mean()
        row["K"] = k_max
        row["SR@K"] = row[f"SR@{k_max}"]
        row["gain"] = row["SR@K"] - row["SR@1"]
        tts = group["turns_to_success"].dropna()
        row["turns_to_success"] = float(tts.mean()) if len(tts) else float("nan")
        row["score"] = float(group["score"].mean())
        row["errors"] = int(group["error"].notna().sum()) if "error" in group else 0
        if ci:
            clusters = problems if row["problems"] < len(group) else None
            row["SR@1_ci"] = bootstrap_ci(hits[1], clusters=clusters)
            row["SR@K_ci"] = bootstrap_ci(hits[k_max], clusters=clusters)
            row["gain_ci"] = bootstrap_ci(hits[k_max] - hits[1], clusters=clusters)
        rows.append(row)
    return pd.DataFrame(rows)


def teachability(
    df: pd.DataFrame, value: str = "turns", *, by: Sequence[str] = GROUP
) -> pd.DataFrame:
    """How ``value`` (turns, or a family's corrections) changes along streams of episodes.

    Per group: the mean of ``value`` over the first and the second half of each stream's
    positions, their difference (negative: the agent needs less as it goes), the slope of
    a least-squares line through the per-position means, and a bootstrap CI of the
    difference over streams.
    """
    by = [c for c in by if c in df.columns]
    rows = []
    for key, group in df.groupby(by, sort=True):
        key = key if isinstance(key, tuple) else (key,)
        length = int(group["position"].max()) + 1
        if length < 2:
            continue
        early = group[group["position"] < length / 2]
        late = group[group["position"] >= length / 2]
        per_stream = (
            late.groupby("stream")[value].mean() - early.groupby("stream")[value].mean()
        ).dropna()
        curve = group.groupby("position")[value].mean()
        slope = float(np.polyfit(curve.index.to_numpy(float), curve.to_numpy(float), 1)[0])
        rows.append(
            {
                **dict(zip(by, key)),
                "streams": int(group["stream"].nunique()),
                "early": float(early[value].mean()),
                "late": float(late[value].mean()),
                "change": float(late[value].mean() - early[value].mean()),
                "change_ci": bootstrap_ci(per_stream.to_numpy()),
                "slope": slope,
            }
        )
    return pd.DataFrame(rows)


def family_summary(df: pd.DataFrame, *, by: Sequence[str] = GROUP) -> pd.DataFrame:
    """Per group, the mean of each family metric column with a bootstrap 95% CI.

    The columns come from each family's ``Family.metrics``; a group without a metric has no
    row for it.
    """
    metric_columns = [c for c in df.columns if c not in NOT_METRICS]
    by = [c for c in by if c in df.columns]
    rows = []
    for key, group in df.groupby(by, sort=True):
        key = key if isinstance(key, tuple) else (key,)
        for column in metric_columns:
            values = group[column].dropna().to_numpy(dtype=float)
            if len(values):
                rows.append(
                    {
                        **dict(zip(by, key)),
                        "metric": column,
                        "mean": values.mean(),
                        "ci": bootstrap_ci(values),
                        "episodes": len(values),
                    }
                )
    return pd.DataFrame(rows)


def format_family(table: pd.DataFrame) -> str:
    """A plain-text table of family metrics with their CIs."""
    header = f"{'agent':<20} {'env':<26} {'channel':<8} {'metric':<18} {'mean':>24}"
    lines = [header, "-" * len(header)]
    for _, r in table.iterrows():
        lo, hi = r["ci"]
        lines.append(
            f"{r.get('agent', ''):<20} {r['env_id']:<26} {r['channel']:<8} {r['metric']:<18} "
            f"{r['mean']:>8.3f} [{lo:.2f},{hi:.2f}]"
        )
    return "\n".join(lines)


def _cell(row: pd.Series, name: str) -> str:
    lo, hi = row.get(f"{name}_ci", (np.nan, np.nan))
    return f"{row[name]:.3f} [{lo:.2f},{hi:.2f}]"


def format_teachability(table: pd.DataFrame, value: str = "turns") -> str:
    """A plain-text table of the change in ``value`` from early to late in the streams."""
    header = f"{'agent':<20} {'env':<26} {'channel':<8} {'early':>7} {'late':>7} {'change':>18}"
    lines = [header, "-" * len(header)]
    for _, r in table.iterrows():
        lo, hi = r["change_ci"]
        lines.append(
            f"{r.get('agent', ''):<20} {r['env_id']:<26} {r['channel']:<8} {r['early']:>7.2f} "
            f"{r['late']:>7.2f} {r['change']:>+7.2f} [{lo:+.2f},{hi:+.2f}]"
        )
    return "\n".join(lines)


def format_table(summary: pd.DataFrame) -> str:
    """A plain-text table of SR@1, SR@K (with CIs), K and the gain per group.

    Each row shows its episodes and the distinct problems behind them.
    """
    header = (
        f"{'agent':<20} {'env':<26} {'channel':<8} {'n':>5} {'probs':>5} "
        f"{'SR@1':>16} {'SR@K':>16} {'K':>3} {'gain':>7}"
    )
    lines = [header, "-" * len(header)]
    for _, r in summary.iterrows():
        cell = partial(_cell, r)
        lines.append(
            f"{r.get('agent', ''):<20} {r['env_id']:<26} {r['channel']:<8} {r['episodes']:>5} "
            f"{r.get('problems', r['episodes']):>5} {cell('SR@1'):>16} {cell('SR@K'):>16} "
            f"{r['K']:>3} {r['gain']:>+7.3f}"
        )
    return "\n".join(lines)
