"""Leaderboard plots (matplotlib, no display needed): SR@k per agent, feedback gain per agent.

Figures are built with matplotlib's object API (``Figure``, not ``pyplot``), which renders
with the Agg canvas and touches no global state; SVGs carry no date, so re-plotting the same
results gives the same files.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from fbgym.leaderboard.tables import ALL

FORMATS = ("png", "svg")
CHANNEL_COLOURS = {"verbal": "#1b9e77", "unary": "#d95f02", "ranked": "#7570b3", "scalar": "#666"}


def slug(text: str) -> str:
    """``text`` made safe as a file name (``smoke@1`` → ``smoke-1``)."""
    return "".join(c if c.isalnum() or c in "._-" else "-" for c in text)


def _families(rows: pd.DataFrame) -> list[str]:
    return sorted(set(rows["family"]) - {ALL})


def _channels(rows: pd.DataFrame) -> list[str]:
    present = set(rows["channel"])
    return [c for c in CHANNEL_COLOURS if c in present] + sorted(present - set(CHANNEL_COLOURS))


def sr_at_k_figure(table: pd.DataFrame, submission_id: str) -> Figure:
    """SR@k for k = 1..K, one line per channel, one panel per family, for one submission."""
    rows = table[(table["submission_id"] == submission_id) & (table["family"] != ALL)]
    if rows.empty:
        raise ValueError(f"no leaderboard rows for submission {submission_id!r}")
    families = _families(rows)
    fig = Figure(figsize=(4.2 * len(families), 3.4), layout="constrained")
    axes = np.atleast_1d(fig.subplots(1, len(families), sharey=True, squeeze=False)[0])
    for ax, family in zip(axes, families):
        in_family = rows[rows["family"] == family].set_index("channel", drop=False)
        for channel in _channels(in_family):
            row = in_family.loc[channel]
            ks = np.arange(1, len(row["sr_at"]) + 1)
            colour = CHANNEL_COLOURS.get(row["channel"])
            ax.plot(ks, row["sr_at"], marker="o", color=colour, label=row["channel"])
            ends = [1, len(ks)]
            lo = [row["SR@1"] - row["SR@1_lo"], row["SR@K"] - row["SR@K_lo"]]
            hi = [row["SR@1_hi"] - row["SR@1"], row["SR@K_hi"] - row["SR@K"]]
            values = [row["SR@1"], row["SR@K"]]
            ax.errorbar(ends, values, yerr=[lo, hi], fmt="none", color=colour, capsize=3)
        ax.set_title(family)
        ax.set_xlabel("k (turns)")
        ax.set_ylim(-0.02, 1.02)
        ax.set_xticks(ks)
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("SR@k")
    axes[-1].legend(title="channel", loc="lower right")
    first = rows.iloc[0]
    fig.suptitle(f"{first['agent']} ({first['submitter']}) · {first['suite']}")
    return fig


def gain_figure(table: pd.DataFrame, setting: str) -> Figure:
    """Feedback gain SR@K − SR@1 with its CI, one bar per agent and channel, per family."""
    rows = table[(table["setting"] == setting) & (table["family"] != ALL)]
    if rows.empty:
        raise ValueError(f"no leaderboard rows for setting {setting!r}")
    families = _families(rows)
    labels = sorted({f"{a} ({s})" for a, s in zip(rows["agent"], rows["submitter"])})
    fig = Figure(
        figsize=(max(4.5, 1.2 * len(labels) + 2) * len(families), 3.8), layout="constrained"
    )
    axes = np.atleast_1d(fig.subplots(1, len(families), sharey=True, squeeze=False)[0])
    for ax, family in zip(axes, families):
        in_family = rows[rows["family"] == family]
        channels = _channels(in_family)
        width = 0.8 / max(len(channels), 1)
        for i, channel in enumerate(channels):
            part = in_family[in_family["channel"] == channel]
            by_label = {f"{r.agent} ({r.submitter})": r for r in part.itertuples()}
            xs, ys, err_lo, err_hi = [], [], [], []
            for j, label in enumerate(labels):
                if label in by_label:
                    r = by_label[label]
                    xs.append(j + (i - (len(channels) - 1) / 2) * width)
                    ys.append(r.gain)
                    err_lo.append(r.gain - r.gain_lo)
                    err_hi.append(r.gain_hi - r.gain)
            ax.bar(xs, ys, width, yerr=[err_lo, err_hi], capsize=3, label=channel,
                   color=CHANNEL_COLOURS.get(channel))  # fmt: skip
        ax.axhline(0, color="black", linewidth=0.8)
        ax.set_xticks(range(len(labels)), labels, rotation=20, ha="right")
        ax.set_title(family)
        ax.grid(axis="y", alpha=0.3)
    axes[0].set_ylabel("feedback gain (SR@K − SR@1)")
    axes[-1].legend(title="channel")
    fig.suptitle(f"Feedback gain · {setting}")
    return fig


def _renumber_ids(svg: str) -> str:
    """Number matplotlib's hashed SVG ids in order of appearance.

    The hashes cover clip boxes at full float precision, which a layout engine may settle
    differently from one draw to the next; renumbering makes the file reproducible.
    """
    names: dict[str, str] = {}
    return re.sub(
        r"\b([a-z])([0-9a-f]{10})\b",
        lambda m: names.setdefault(m.group(0), f"{m.group(1)}{len(names):010d}"),
        svg,
    )


def save(fig: Figure, stem: Path, formats: Sequence[str] = FORMATS) -> list[Path]:
    """Write ``fig`` as ``stem.png``, ``stem.svg``, ...; returns the paths."""
    stem.parent.mkdir(parents=True, exist_ok=True)
    paths = []
    for fmt in formats:
        path = stem.with_suffix(f".{fmt}")
        metadata = {"Date": None} if fmt == "svg" else {}
        with matplotlib.rc_context({"svg.hashsalt": "fbgym-leaderboard"}):
            fig.savefig(path, format=fmt, dpi=110, metadata=metadata)
        if fmt == "svg":
            path.write_text(_renumber_ids(path.read_text()))
        paths.append(path)
    return paths


def gain_plot_stem(setting: str) -> str:
    """The file stem of a setting's gain plot."""
    return f"gain-{slug(setting)}"


def agent_plot_stem(row: pd.Series) -> str:
    """The file stem of a submission's SR@k plot."""
    return f"sr-at-k-{row['submitter']}-{row['agent']}-{row['submission_id']}"


def write_plots(table: pd.DataFrame, out: str | Path) -> list[Path]:
    """Every plot of ``table`` under ``out``: a gain plot per setting, an SR@k per submission."""
    out = Path(out)
    paths: list[Path] = []
    for setting in sorted(set(table["setting"])):
        paths += save(gain_figure(table, setting), out / gain_plot_stem(setting))
    for _, row in table.drop_duplicates("submission_id").iterrows():
        fig = sr_at_k_figure(table, row["submission_id"])
        paths += save(fig, out / agent_plot_stem(row))
    return paths
