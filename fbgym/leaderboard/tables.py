"""The rankings as data: SR@1, SR@K and the feedback gain with CIs, by setting, family, channel.

A *setting* (:mod:`fbgym.leaderboard.settings`) is a suite, or for runs without one an env id
and its kwargs, with its labels; runs are ranked only against runs of the same setting. SR@k is
success within k attempts (graded actions), as :mod:`fbgym.runner.metrics` counts it; K is the
turn budget of the envs in the group (their ``max_turns``), so SR@K is the success rate of
whole episodes and the gain SR@K − SR@1 is what feedback added. Rows with
``family == channel == "all"`` pool every episode of a setting.
"""

from __future__ import annotations

import pandas as pd

from fbgym.leaderboard.settings import NO_SUITE
from fbgym.runner.metrics import summarize

ALL = "all"
GROUP = ("setting", "family", "channel")
SUBMISSION_COLUMNS = ("agent", "submitter", "status", "privileged", "agent_version", "model")
COLUMNS = (
    "setting", "suite", "family", "channel", "rank", "agent", "submitter", "status",
    "submission_id", "episodes", "problems", "K", "SR@1", "SR@1_lo", "SR@1_hi", "SR@K", "SR@K_lo",
    "SR@K_hi", "gain", "gain_lo", "gain_hi", "turns_to_success", "score", "errors", "sr_at",
    "privileged", "agent_version", "model",
)  # fmt: skip


def _summaries(episodes: pd.DataFrame, by: list[str], k: int) -> pd.DataFrame:
    table = summarize(episodes, max_k=k, by=(*by, "submission_id"))
    table["sr_at"] = [[row[f"SR@{i}"] for i in range(1, k + 1)] for _, row in table.iterrows()]
    for name in ("SR@1", "SR@K", "gain"):
        table[f"{name}_lo"] = [ci[0] for ci in table[f"{name}_ci"]]
        table[f"{name}_hi"] = [ci[1] for ci in table[f"{name}_ci"]]
    return table


def matches(column: pd.Series, value: str) -> pd.Series:
    """Which entries of ``column`` a filter ``value`` selects: equal, or a suite's versions.

    ``default`` selects ``default@1``, ``default@2``, ...; ``default@1`` only itself.
    """
    return (column == value) | column.astype(str).str.startswith(f"{value}@")


def leaderboard(
    episodes: pd.DataFrame,
    *,
    suite: str | None = None,
    family: str | None = None,
    channel: str | None = None,
) -> pd.DataFrame:
    """One row per submission and (setting, family, channel), ranked by SR@K, then SR@1.

    ``episodes`` is :meth:`fbgym.leaderboard.index.Index.episodes`; the filters keep one
    suite (a name without ``@version`` keeps every version), family or channel (``"all"``
    selects the pooled rows).
    """
    if episodes.empty:
        return pd.DataFrame(columns=list(COLUMNS))
    episodes = episodes.assign(suite=episodes["suite"].fillna(NO_SUITE))
    frames = []
    for _, in_setting in episodes.groupby("setting", sort=True):
        pooled = _summaries(in_setting, ["setting", "suite"], int(in_setting["max_turns"].max()))
        frames.append(pooled.assign(family=ALL, channel=ALL))
        for _, in_family in in_setting.groupby("family", sort=True):
            k = int(in_family["max_turns"].max())
            frames.append(_summaries(in_family, ["setting", "suite", "family", "channel"], k))
    table = pd.concat(frames, ignore_index=True)
    info = episodes.drop_duplicates("submission_id").set_index("submission_id")
    for column in SUBMISSION_COLUMNS:
        table[column] = table["submission_id"].map(info[column])
    for name, value in (("suite", suite), ("family", family), ("channel", channel)):
        if value is not None:
            table = table[matches(table[name], value)]
    table = table.sort_values(
        [*GROUP, "SR@K", "SR@1", "agent"], ascending=[True, True, True, False, False, True]
    )
    table["rank"] = (
        table.groupby(list(GROUP))["SR@K"].rank(method="min", ascending=False).astype(int)
    )
    return table.loc[:, list(COLUMNS)].reset_index(drop=True)


def agent_view(table: pd.DataFrame, submission_id: str) -> pd.DataFrame:
    """The rows of one submission, per family and channel (the pooled row first)."""
    rows = table[table["submission_id"] == submission_id]
    order = rows["family"].ne(ALL).astype(int)
    return (
        rows.assign(_order=order)
        .sort_values(["setting", "_order", "family", "channel"])
        .drop(columns="_order")
    )
