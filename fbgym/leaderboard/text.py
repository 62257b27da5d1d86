"""The rankings as plain text: one ranked table per setting, family and channel."""

from __future__ import annotations

import math

import pandas as pd

from fbgym.leaderboard.tables import ALL, GROUP
from fbgym.runner.metrics import INTERVAL


def _rate(row: pd.Series, name: str) -> str:
    return f"{row[name]:.3f} [{row[f'{name}_lo']:.2f},{row[f'{name}_hi']:.2f}]"


def _gain(row: pd.Series) -> str:
    return f"{row['gain']:+.3f} [{row['gain_lo']:+.2f},{row['gain_hi']:+.2f}]"


def _turns(value: float) -> str:
    return "-" if math.isnan(value) else f"{value:.2f}"


def _budgets(rows: pd.DataFrame) -> dict[str, int]:
    """Each family's K (its envs' turn budget) among ``rows``."""
    return {f: int(k) for f, k in rows.groupby("family")["K"].max().sort_index().items()}


def format_leaderboard(table: pd.DataFrame) -> str:
    """Sections headed ``setting · family · channel (K=…)``, each a ranked table.

    A pooled row's SR@K is each episode's success within its own family's K, and its
    heading lists those Ks when they differ.
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
        budgets = _budgets(table[(table["setting"] == setting) & (table["family"] != ALL)])
        if family == ALL and len(set(budgets.values())) > 1:
            k_text = "K per family: " + ", ".join(f"{f} {b}" for f, b in budgets.items())
            sr_k = "SR@K"
        else:
            k_text, sr_k = f"K={k}", f"SR@{k}"
        head = (
            f"{'#':>3} {'agent':<22} {'submitter':<14} {'n':>5} {'probs':>5} {'SR@1':>17} "
            f"{sr_k:>17} {'gain':>20} {'turns':>6}  notes"
        )
        title = f"{setting} · {family} · {channel} ({k_text}, {INTERVAL})"
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
