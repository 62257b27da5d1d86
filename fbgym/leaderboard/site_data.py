"""What the leaderboard's site and plots show, from the index: rankings, channels, cards."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pandas as pd

from fbgym.leaderboard.index import Index
from fbgym.leaderboard.settings import NO_SUITE
from fbgym.leaderboard.store import MANIFEST
from fbgym.leaderboard.tables import ALL, leaderboard
from fbgym.runner.metrics import BASELINE_CHANNEL, channel_value, summarize
from fbgym.runner.records import META

CHANNEL_ORDER = ("verbal", "ranked", "scalar", BASELINE_CHANNEL)
"""The order channels are listed in: the feedback channels first, the reference (unary) last."""

SUMMARY_COLUMNS = (
    "setting", "submission_id", "agent", "submitter", "status", "privileged", "rank", "channel",
    "episodes", "problems", "SR@1", "SR@1_lo", "SR@1_hi", "SR@K", "SR@K_lo", "SR@K_hi", "pairs",
    "value", "value_lo", "value_hi",
)  # fmt: skip


def channel_order(channels: object) -> list[str]:
    """``channels`` (any iterable of names) in :data:`CHANNEL_ORDER`, unknown ones after."""
    present = set(channels)  # type: ignore[call-overload]
    known = [c for c in CHANNEL_ORDER if c in present]
    return known + sorted(present - set(CHANNEL_ORDER))


def _values(episodes: pd.DataFrame) -> pd.DataFrame:
    """Each channel's value over unary per setting and submission, pooled over its envs."""
    values = channel_value(episodes, by=("setting", "submission_id", "env_id"))
    if values.empty:
        return values.drop(columns="env_id")
    envs = episodes.groupby(["setting", "submission_id"])["env_id"].nunique()
    single = values.apply(lambda r: envs[(r["setting"], r["submission_id"])] == 1, axis=1)
    keep = (values["env_id"] == ALL) | single
    return (
        values[keep].drop(columns="env_id").drop_duplicates(["setting", "submission_id", "channel"])
    )


def channel_summary(episodes: pd.DataFrame, table: pd.DataFrame) -> pd.DataFrame:
    """Per setting, submission and channel (pooled over families): SR@1, SR@K and the value.

    SR@K counts each episode within its own family's K; ``value`` is SR@K(channel) −
    SR@K(unary) on the same problems with a paired interval (none for unary itself, or where
    the run played no unary episodes). Submissions come in their pooled rank, best first.
    """
    if episodes.empty:
        return pd.DataFrame(columns=list(SUMMARY_COLUMNS))
    frames = []
    for _, in_setting in episodes.groupby("setting", sort=True):
        k = int(in_setting["max_turns"].max())
        frames.append(summarize(in_setting, by=("setting", "submission_id", "channel"), max_k=k))
    rows = pd.concat(frames, ignore_index=True)
    for name in ("SR@1", "SR@K"):
        rows[f"{name}_lo"] = [ci[0] for ci in rows[f"{name}_ci"]]
        rows[f"{name}_hi"] = [ci[1] for ci in rows[f"{name}_ci"]]
    values = _values(episodes)
    values = values.assign(
        value_lo=[ci[0] for ci in values["value_ci"]], value_hi=[ci[1] for ci in values["value_ci"]]
    )
    rows = rows.merge(
        values.drop(columns="value_ci"), on=["setting", "submission_id", "channel"], how="left"
    )
    pooled = table[(table["family"] == ALL) & (table["channel"] == ALL)]
    info = pooled.set_index(["setting", "submission_id"])
    key = list(zip(rows["setting"], rows["submission_id"]))
    for column in ("agent", "submitter", "status", "privileged", "rank"):
        rows[column] = [info.at[k, column] for k in key]
    order = {c: i for i, c in enumerate(channel_order(rows["channel"]))}
    rows = rows.assign(_channel=rows["channel"].map(order)).sort_values(
        ["setting", "rank", "agent", "submission_id", "_channel"], kind="stable"
    )
    return rows.loc[:, list(SUMMARY_COLUMNS)].reset_index(drop=True)


def budgets(table: pd.DataFrame, setting: str) -> dict[str, int]:
    """Each family's K (its envs' turn budget) in ``setting``."""
    rows = table[(table["setting"] == setting) & (table["family"] != ALL)]
    return {f: int(k) for f, k in rows.groupby("family")["K"].max().sort_index().items()}


@dataclass(frozen=True)
class SiteData:
    """Everything the site shows, computed once."""

    table: pd.DataFrame
    """The ranked rows (:func:`fbgym.leaderboard.tables.leaderboard`)."""
    summary: pd.DataFrame
    """:func:`channel_summary` of the same episodes."""
    submissions: pd.DataFrame
    """One row per submission (:meth:`Index.submissions`)."""
    cards: dict[str, dict[str, Any]]
    """Per submission id: its ``manifest`` and the run's agent ``card`` (class and config)."""


def site_data(index: Index) -> SiteData:
    """Rank the index's episodes and read each submission's manifest and agent card."""
    episodes = index.episodes()
    table = leaderboard(episodes)
    submissions = index.submissions()
    cards = {}
    for _, submission in submissions.iterrows():
        folder = index.store.root / submission["path"]
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        meta = json.loads((folder / META).read_text(encoding="utf-8"))
        cards[submission["id"]] = {"manifest": manifest, "card": meta["agent"]}
    episodes = episodes.assign(suite=episodes["suite"].fillna(NO_SUITE))
    return SiteData(table, channel_summary(episodes, table), submissions, cards)
