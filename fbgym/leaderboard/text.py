"""The rankings as plain text: one ranked table per setting, family and channel."""

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
    """Sections headed ``setting · family · channel (K=…)``, each a ranked table.

    Each row has its episodes (``n``) and the distinct problems behind them (``probs``); the
    intervals resample problems where a problem repeats (as across a pooled row's channels).
    A setting's labels are in its name (``smoke@1 [privileged]``) and in each row's notes,
    with ``unverified`` for submissions whose feedback came from a model-backed critic, and
    the number of episodes the agent's errors ended.
    """
    if table.empty:
        return (
            "No submissions yet: add one with `fbgym leaderboard submit RUN_DIR --submitter NAME`."
        )
    sections = []
    for (setting, family, channel), group in table.groupby(list(GROUP), sort=False):
        k = int(group["K"].iloc[0])
        head = (
            f"{'#':>3} {'agent':<22} {'submitter':<14} {'n':>5} {'probs':>5} {'SR@1':>17} "
            f"{f'SR@{k}':>17} {'gain':>20} {'turns':>6}  notes"
        )
        title = f"{setting} · {family} · {channel} (K={k}, 95% bootstrap CI)"
        lines = [title, head, "-" * len(head)]
        for _, row in group.iterrows():
            notes = [
                note
                for note, on in (
                    ("unverified", row["status"] == "unverified"),
                    ("privileged", bool(row["privileged"])),
                    (f"{row['errors']} agent errors", row["errors"] > 0),
                )
                if on
            ]
            lines.append(
                f"{row['rank']:>3} {row['agent'][:22]:<22} {row['submitter'][:14]:<14} "
                f"{row['episodes']:>5} {row['problems']:>5} {_rate(row, 'SR@1'):>17} "
                f"{_rate(row, 'SR@K'):>17} "
                f"{_gain(row):>20} {_turns(row['turns_to_success']):>6}  {', '.join(notes)}"
            )
        sections.append("\n".join(lines))
    return "\n\n".join(sections)
