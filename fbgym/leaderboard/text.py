"""The rankings as plain text: one ranked table per suite, family and channel."""

from __future__ import annotations

import math

import pandas as pd

from fbgym.leaderboard.tables import GROUP


def _rate(row: pd.Series, name: str) -> str:
    return f"{row[name]:.3f} [{row[f'{name}_lo']:.2f},{row[f'{name}_hi']:.2f}]"


def _gain(row: pd.Series) -> str:
    return f"{row['gain']:+.3f} [{row['gain_lo']:+.2f},{row['gain_hi']:+.2f}]"


def _turns(value: float) -> str:
    return "-" if math.isnan(value) else f"{value:.2f}"


def format_leaderboard(table: pd.DataFrame) -> str:
    """Sections headed ``suite · family · channel (K=…)``, each a ranked table.

    Unverified submissions (model-backed critics) are marked ``unverified``; agents that
    read privileged env structure are marked ``privileged``.
    """
    if table.empty:
        return (
            "No submissions yet: add one with `fbgym leaderboard submit RUN_DIR --submitter NAME`."
        )
    sections = []
    for (suite, family, channel), group in table.groupby(list(GROUP), sort=False):
        k = int(group["K"].iloc[0])
        head = (
            f"{'#':>3} {'agent':<22} {'submitter':<14} {'n':>5} {'SR@1':>17} "
            f"{f'SR@{k}':>17} {'gain':>20} {'turns':>6}  notes"
        )
        lines = [f"{suite} · {family} · {channel} (K={k}, 95% bootstrap CI)", head, "-" * len(head)]
        for _, row in group.iterrows():
            notes = [n for n, on in (("unverified", row["status"] == "unverified"),
                                     ("privileged", bool(row["privileged"]))) if on]  # fmt: skip
            lines.append(
                f"{row['rank']:>3} {row['agent'][:22]:<22} {row['submitter'][:14]:<14} "
                f"{row['episodes']:>5} {_rate(row, 'SR@1'):>17} {_rate(row, 'SR@K'):>17} "
                f"{_gain(row):>20} {_turns(row['turns_to_success']):>6}  {', '.join(notes)}"
            )
        sections.append("\n".join(lines))
    return "\n\n".join(sections)
