"""Leaderboard plots (matplotlib, no display needed): SR@1 to SR@K, channel values, SR@k curves.

Figures are built with matplotlib's object API (``Figure``, not ``pyplot``), which renders
with the Agg canvas and touches no global state; SVGs carry no date, so re-plotting the same
results gives the same files.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Sequence
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from fbgym.leaderboard.site_data import channel_order
from fbgym.leaderboard.tables import ALL

FORMATS = ("png", "svg")
WIDTH_IN = 6.4
"""Every figure's width in inches: about a page column, and legible scaled down to a phone."""
RC = {"font.size": 11, "axes.titlesize": 11, "legend.fontsize": 10, "svg.hashsalt": "fbgym"}
CHANNEL_STYLES = {
    "verbal": ("#1b9e77", "o", "-"),
    "ranked": ("#7570b3", "s", "--"),
    "scalar": ("#666666", "D", "-."),
    "unary": ("#d95f02", "^", ":"),
}
"""Per channel: colour, marker and line style, so overlapping lines stay apart in grey too."""
_OTHER_STYLES = (("#e7298a", "v", "-"), ("#66a61e", "P", "--"), ("#a6761d", "X", ":"))


def slug(text: str) -> str:
    """``text`` made safe as a file name (``smoke@1`` → ``smoke-1``)."""
    return "".join(c if c.isalnum() or c in "._-" else "-" for c in text)


def channel_style(channel: str) -> tuple[str, str, str]:
    """The colour, marker and line style of ``channel``; unknown channels get one by name."""
    if channel in CHANNEL_STYLES:
        return CHANNEL_STYLES[channel]
    return _OTHER_STYLES[sum(map(ord, channel)) % len(_OTHER_STYLES)]


def _legend(fig: Figure, handles: list[Line2D]) -> None:
    fig.legend(handles=handles, loc="outside lower center", ncols=min(len(handles), 4))


def _channel_handle(channel: str, line: bool = True) -> Line2D:
    colour, marker, style = channel_style(channel)
    return Line2D([], [], color=colour, marker=marker, linestyle=style if line else "none",
                  label=channel)  # fmt: skip


def _agents(rows: pd.DataFrame) -> list[tuple[str, str]]:
    """(submission id, label) per submission of ``rows``, in their order; labels are unique."""
    seen = rows.drop_duplicates("submission_id")
    labels = [f"{a} ({s})" for a, s in zip(seen["agent"], seen["submitter"])]
    return [
        (sid, label if labels.count(label) == 1 else f"{label} {sid[:6]}")
        for sid, label in zip(seen["submission_id"], labels)
    ]


def _bands(ax, agents: list[tuple[str, str]], slots: int) -> float:
    """One horizontal band per agent, best at the top; returns the offset between slots."""
    ax.set_yticks(range(len(agents)), [label for _, label in agents])
    ax.set_ylim(len(agents) - 0.5, -0.5)
    for edge in range(1, len(agents)):
        ax.axhline(edge - 0.5, color="#ccc", linewidth=0.8)
    return 0.7 / max(slots, 1)


def _offset(j: int, slots: int, step: float) -> float:
    return (j - (slots - 1) / 2) * step


def _placed(
    rows: pd.DataFrame, agents: list[tuple[str, str]], channels: list[str], step: float
) -> Iterator[tuple[pd.Series, float, str]]:
    """Each agent's row per channel, with the height it is drawn at in the agent's band."""
    for i, (sid, _) in enumerate(agents):
        for j, channel in enumerate(channels):
            found = rows[(rows["submission_id"] == sid) & (rows["channel"] == channel)]
            if not found.empty:
                yield found.iloc[0], i + _offset(j, len(channels), step), channel


def summary_figure(summary: pd.DataFrame, setting: str) -> Figure:
    """Per agent and channel, SR@1 (hollow) joined to SR@K (filled, with its interval)."""
    rows = summary[summary["setting"] == setting]
    if rows.empty:
        raise ValueError(f"no leaderboard rows for setting {setting!r}")
    agents, channels = _agents(rows), channel_order(rows["channel"])
    with matplotlib.rc_context(RC):
        fig = Figure(figsize=(WIDTH_IN, 1.6 + 0.24 * len(agents) * len(channels)),
                     layout="constrained")  # fmt: skip
        ax = fig.subplots()
        step = _bands(ax, agents, len(channels))
        for r, y, channel in _placed(rows, agents, channels, step):
            colour, marker, style = channel_style(channel)
            ax.plot([r["SR@1"], r["SR@K"]], [y, y], color=colour, linestyle=style, lw=1.8)
            ax.errorbar(r["SR@K"], y, xerr=[[r["SR@K"] - r["SR@K_lo"]],
                        [r["SR@K_hi"] - r["SR@K"]]], color=colour, capsize=3, lw=1,
                        marker=marker, markersize=7)  # fmt: skip
            ax.plot(r["SR@1"], y, marker=marker, markersize=7, color=colour,
                    markerfacecolor="white", markeredgewidth=1.5)  # fmt: skip
        ax.set_xlim(-0.03, 1.03)
        ax.set_xlabel("success rate: SR@1 (hollow) to SR@K (filled)")
        ax.grid(axis="x", alpha=0.3)
        ax.set_title(f"SR@1 and SR@K by channel · {setting}")
        _legend(fig, [_channel_handle(c) for c in channels])
    return fig


def value_figure(summary: pd.DataFrame, setting: str) -> Figure:
    """Per agent, each channel's value SR@K(channel) − SR@K(unary), with paired intervals.

    Every bar is outlined and carries a marker at its value, so a value of zero is seen.
    """
    rows = summary[(summary["setting"] == setting) & summary["value"].notna()]
    if rows.empty:
        raise ValueError(f"no channel's value in setting {setting!r} (no unary episodes)")
    agents, channels = _agents(rows), channel_order(rows["channel"])
    with matplotlib.rc_context(RC):
        fig = Figure(figsize=(WIDTH_IN, 1.6 + 0.3 * len(agents) * len(channels)),
                     layout="constrained")  # fmt: skip
        ax = fig.subplots()
        step = _bands(ax, agents, len(channels))
        for r, y, channel in _placed(rows, agents, channels, step):
            colour, marker, _ = channel_style(channel)
            ax.barh(y, r["value"], height=step * 0.9, color=colour, alpha=0.55,
                    edgecolor=colour, linewidth=1.2)  # fmt: skip
            ax.errorbar(r["value"], y, xerr=[[r["value"] - r["value_lo"]],
                        [r["value_hi"] - r["value"]]], color="black", capsize=3, lw=1,
                        marker=marker, markersize=7, markerfacecolor=colour)  # fmt: skip
            ax.annotate(f"{r['value']:+.2f}", (max(r["value_hi"], r["value"]), y),
                        xytext=(5, 0), textcoords="offset points", va="center",
                        fontsize=9)  # fmt: skip
        low = min(-0.1, float(rows["value_lo"].min()) - 0.05)
        high = max(0.1, float(rows["value_hi"].max()) + 0.15)
        ax.set_xlim(max(low, -1.05), min(high, 1.15))
        ax.axvline(0, color="black", linewidth=0.9)
        ax.set_xlabel("value of the feedback: SR@K(channel) − SR@K(unary)")
        ax.grid(axis="x", alpha=0.3)
        ax.set_title(f"Each channel's value over unary · {setting}")
        _legend(fig, [_channel_handle(c, line=False) for c in channels])
    return fig


def sr_at_k_figure(table: pd.DataFrame, submission_id: str) -> Figure:
    """SR@k for k = 1..K, one line per channel, one panel per family, for one submission.

    Channels differ in colour, marker and line style and are shifted a little along k, so
    identical curves stay distinguishable.
    """
    rows = table[(table["submission_id"] == submission_id) & (table["family"] != ALL)]
    if rows.empty:
        raise ValueError(f"no leaderboard rows for submission {submission_id!r}")
    families = sorted(set(rows["family"]))
    ncols = min(2, len(families))
    nrows = math.ceil(len(families) / ncols)
    with matplotlib.rc_context(RC):
        fig = Figure(figsize=(WIDTH_IN, 1.2 + 2.5 * nrows), layout="constrained")
        axes = fig.subplots(nrows, ncols, sharey=True, squeeze=False).ravel()
        channels = channel_order(rows["channel"])
        for ax, family in zip(axes, families):
            in_family = rows[rows["family"] == family].set_index("channel", drop=False)
            for j, channel in enumerate(channels):
                if channel not in in_family.index:
                    continue
                row = in_family.loc[channel]
                shift = _offset(j, len(channels), max(0.08, 0.025 * len(row["sr_at"])))
                ks = np.arange(1, len(row["sr_at"]) + 1)
                colour, marker, style = channel_style(channel)
                ax.plot(ks + shift, row["sr_at"], marker=marker, markersize=5, color=colour,
                        linestyle=style)  # fmt: skip
                ends = [1 + shift, len(ks) + shift]
                lo = [row["SR@1"] - row["SR@1_lo"], row["SR@K"] - row["SR@K_lo"]]
                hi = [row["SR@1_hi"] - row["SR@1"], row["SR@K_hi"] - row["SR@K"]]
                ax.errorbar(ends, [row["SR@1"], row["SR@K"]], yerr=[lo, hi], fmt="none",
                            color=colour, capsize=3, lw=1)  # fmt: skip
            k = int(in_family["K"].max())
            ax.set_title(f"{family} (K={k})")
            ax.set_ylim(-0.03, 1.03)
            ax.set_xticks(range(1, k + 1) if k <= 8 else sorted({1, k, *range(2, k, 2)}))
            ax.grid(alpha=0.3)
        for ax in axes[len(families) :]:
            ax.set_visible(False)
        for ax in axes[-ncols:]:
            ax.set_xlabel("k (attempts)")
        for ax in axes[::ncols]:
            ax.set_ylabel("SR@k")
        first = rows.iloc[0]
        fig.suptitle(f"{first['agent']} ({first['submitter']}) · {first['setting']}")
        _legend(fig, [_channel_handle(c) for c in channels])
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
        with matplotlib.rc_context(RC):
            fig.savefig(path, format=fmt, dpi=110, metadata=metadata)
        if fmt == "svg":
            path.write_text(_renumber_ids(path.read_text()))
        paths.append(path)
    return paths


def summary_plot_stem(setting: str) -> str:
    """The file stem of a setting's SR@1-to-SR@K plot."""
    return f"summary-{slug(setting)}"


def value_plot_stem(setting: str) -> str:
    """The file stem of a setting's plot of each channel's value."""
    return f"value-{slug(setting)}"


def agent_plot_stem(row: pd.Series) -> str:
    """The file stem of a submission's SR@k plot."""
    return slug(f"sr-at-k-{row['submitter']}-{row['agent']}-{row['submission_id']}")


def has_values(summary: pd.DataFrame, setting: str) -> bool:
    """Whether ``setting`` has a channel's value to plot (its runs played unary)."""
    return bool(summary[summary["setting"] == setting]["value"].notna().any())


def write_plots(table: pd.DataFrame, summary: pd.DataFrame, out: str | Path) -> list[Path]:
    """Every plot under ``out``; returns the paths.

    Per setting, SR@1 to SR@K and each channel's value (where there is one); per submission,
    SR@k by channel and family.
    """
    out = Path(out)
    paths: list[Path] = []
    for setting in sorted(set(table["setting"])):
        paths += save(summary_figure(summary, setting), out / summary_plot_stem(setting))
        if has_values(summary, setting):
            paths += save(value_figure(summary, setting), out / value_plot_stem(setting))
    for _, row in table.drop_duplicates("submission_id").iterrows():
        fig = sr_at_k_figure(table, row["submission_id"])
        paths += save(fig, out / agent_plot_stem(row))
    return paths
