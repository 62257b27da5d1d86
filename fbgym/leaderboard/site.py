"""The static leaderboard site: per agent SR@1, SR@K and each channel's value, plots, all rows.

Plain files, no server and nothing fetched from elsewhere: ``index.html``, ``agents/*.html``,
``plots/*.svg|png`` and ``assets/`` (a small script that sorts a table when a column header is
clicked, and a style sheet). Open ``index.html`` from disk or publish the folder as it is. The
front page leads with a summary per setting (each agent's SR@1 and SR@K by channel, and each
channel's value over unary with paired intervals), then the plots, then every ranked row.
"""

from __future__ import annotations

import json
import math
from html import escape
from pathlib import Path
from typing import Any

import pandas as pd

from fbgym.leaderboard.plots import (
    agent_plot_stem,
    has_values,
    slug,
    summary_plot_stem,
    value_plot_stem,
    write_plots,
)
from fbgym.leaderboard.settings import NO_SUITE, labels
from fbgym.leaderboard.site_assets import SCRIPT, STYLE
from fbgym.leaderboard.site_data import SiteData, budgets
from fbgym.leaderboard.tables import ALL
from fbgym.runner.metrics import INTERVAL

_HEADERS = (
    "setting", "family", "channel", "rank", "agent", "submitter", "status", "n", "SR@1", "SR@K",
    "K", "gain", "turns to success",
)  # fmt: skip

_VOCABULARY = (
    "SR@k is the success rate within k attempts (graded actions), K the family's turn budget; "
    "the <em>gain</em> SR@K &minus; SR@1 is what more attempts add (even an agent that ignores "
    "feedback has one); a channel's <em>value</em> is SR@K(channel) &minus; SR@K(unary) for "
    "the same agent on the same problems, since unary feedback says only &ldquo;not "
    f"yet&rdquo;. Brackets: {escape(INTERVAL)}, paired for a channel's value."
)


def agent_page_name(row: pd.Series) -> str:
    """The file name of a submission's page."""
    return f"{slug(row['submitter'])}-{slug(row['agent'])}-{row['submission_id']}.html"


def _num(value: float, cell: str | None = None) -> str:
    if isinstance(value, float) and math.isnan(value):
        return '<td class="num" data-value="">-</td>'
    text = escape(cell) if cell is not None else f"{value:.3f}"
    return f'<td class="num" data-value="{value!r}">{text}</td>'


def _rate(row: pd.Series, name: str, signed: bool = False) -> str:
    if pd.isna(row[name]):
        return '<td class="num" data-value="">&ndash;</td>'
    fmt = "{:+.3f}" if signed else "{:.3f}"
    lo, hi = row[f"{name}_lo"], row[f"{name}_hi"]
    ci = f"[{lo:+.2f}, {hi:+.2f}]" if signed else f"[{lo:.2f}, {hi:.2f}]"
    sign = " pos" if signed and lo > 0 else " neg" if signed and hi < 0 else ""
    return (
        f'<td class="num{sign}" data-value="{float(row[name])!r}">{fmt.format(row[name])} '
        f'<span class="ci">{ci}</span></td>'
    )


def _tag(name: str) -> str:
    return f'<span class="tag {escape(name)}">{escape(name)}</span>'


def _tags(row: pd.Series) -> str:
    tags = [_tag(row["status"])]
    if row["privileged"]:
        tags.append(_tag("privileged"))
    return " ".join(tags)


def _table(table: pd.DataFrame, link_prefix: str) -> str:
    """Every ranked row, sortable: the detailed table."""
    head = "".join(f"<th>{escape(h)}</th>" for h in _HEADERS)
    body = []
    for _, row in table.iterrows():
        page = f"{link_prefix}{agent_page_name(row)}"
        cells = [
            f"<td>{escape(row['setting'])}</td>",
            f"<td>{escape(row['family'])}</td>",
            f"<td>{escape(row['channel'])}</td>",
            _num(int(row["rank"]), str(int(row["rank"]))),
            f'<td><a href="{escape(page)}">{escape(row["agent"])}</a></td>',
            f"<td>{escape(row['submitter'])}</td>",
            f'<td data-value="{escape(row["status"])}">{_tags(row)}</td>',
            _num(int(row["episodes"]), str(int(row["episodes"]))),
            _rate(row, "SR@1"),
            _rate(row, "SR@K"),
            _num(int(row["K"]), str(int(row["K"]))),
            _rate(row, "gain", signed=True),
            _num(float(row["turns_to_success"]), f"{row['turns_to_success']:.2f}"),
        ]
        body.append(f"<tr>{''.join(cells)}</tr>")
    return (
        f'<div class="scroll"><table class="sortable" id="leaderboard"><thead><tr>{head}</tr>'
        f"</thead><tbody>{''.join(body)}</tbody></table></div>"
    )


def _summary(rows: pd.DataFrame, link_prefix: str | None, table_id: str = "") -> str:
    """Per agent, a row per channel: SR@1, SR@K and the value over unary, with intervals.

    With ``link_prefix`` each agent heads its rows with a link to its page; without, the
    table is one agent's (its own page) and has no agent column.
    """
    agent_head = "<th>agent</th>" if link_prefix is not None else ""
    head = (
        f"<thead><tr>{agent_head}<th>channel</th><th>SR@1</th><th>SR@K</th>"
        "<th>value over unary</th></tr></thead>"
    )
    groups = []
    for _, group in rows.groupby("submission_id", sort=False):
        first = group.iloc[0]
        lines = []
        for i, (_, row) in enumerate(group.iterrows()):
            agent = ""
            if i == 0 and link_prefix is not None:
                page = f"{link_prefix}{agent_page_name(row)}"
                agent = (
                    f'<th scope="rowgroup" rowspan="{len(group)}">#{int(first["rank"])} '
                    f'<a href="{escape(page)}">{escape(first["agent"])}</a>'
                    f'<span class="by">by {escape(first["submitter"])} {_tags(first)}</span></th>'
                )
            lines.append(
                f"<tr>{agent}<td>{escape(row['channel'])}</td>{_rate(row, 'SR@1')}"
                f"{_rate(row, 'SR@K')}{_rate(row, 'value', signed=True)}</tr>"
            )
        groups.append(f'<tbody class="agent">{"".join(lines)}</tbody>')
    ident = f' id="{table_id}"' if table_id else ""
    return (
        f'<div class="scroll"><table class="summary"{ident}>{head}{"".join(groups)}</table></div>'
    )


def _k_note(data: SiteData, setting: str) -> str:
    ks = budgets(data.table, setting)
    if len(set(ks.values())) == 1:
        return f"K={next(iter(ks.values()))}"
    return "K per family: " + ", ".join(f"{f} {k}" for f, k in ks.items())


def _figure(stem: str, root: str, alt: str, caption: str) -> str:
    src = f"{root}plots/{escape(stem)}"
    return (
        f'<figure><img src="{src}.svg" alt="{escape(alt)}" loading="lazy">'
        f'<figcaption>{caption} (<a href="{src}.png">PNG</a>)</figcaption></figure>'
    )


def _plots(data: SiteData, setting: str) -> str:
    figures = [
        _figure(summary_plot_stem(setting), "", f"SR@1 and SR@K by channel, {setting}",
                f"SR@1 (hollow) to SR@K (filled, with its interval) per agent and channel, "
                f"{escape(setting)}")
    ]  # fmt: skip
    if has_values(data.summary, setting):
        figures.append(
            _figure(value_plot_stem(setting), "", f"each channel's value, {setting}",
                    f"Each channel's value over unary per agent, {escape(setting)}")
        )  # fmt: skip
    return "".join(figures)


def index_html(data: SiteData) -> str:
    """The front page: the summary per setting, then its plots, then every ranked row."""
    suites = data.table.drop_duplicates("setting").set_index("setting")["suite"]
    settings = sorted(suites.index, key=lambda name: (suites[name] == NO_SUITE, name))
    summaries, plots = [], []
    for i, setting in enumerate(settings):
        rows = data.summary[data.summary["setting"] == setting]
        pooled = data.table[(data.table["setting"] == setting) & (data.table["family"] == ALL)]
        summaries.append(
            f'<h3>{escape(setting)}</h3>\n<p class="note">{_k_note(data, setting)}; '
            f"{len(pooled)} submission(s), ranked by pooled SR@K.</p>\n"
            f"{_summary(rows, 'agents/', 'summary' if i == 0 else '')}"
        )
        plots.append(_plots(data, setting))
    if not settings:
        summaries.append(
            "<p>No submissions yet: add one with <code>fbgym leaderboard submit RUN_DIR "
            "--submitter NAME</code>.</p>"
        )
    pooled_first = data.table.assign(_pooled=data.table["family"].ne(ALL)).sort_values(
        ["_pooled", "setting", "family", "channel", "rank"], kind="stable"
    )
    body = (
        "<h1>fbgym leaderboard</h1>\n"
        '<p class="lead">Each agent\'s SR@1 and SR@K by feedback channel, and what each '
        "channel's feedback is worth: its value over unary on the same problems, with 95% "
        "intervals.</p>\n"
        f"<h2>Summary</h2>\n{''.join(summaries)}\n"
        f"<h2>Plots</h2>\n{''.join(plots)}\n"
        "<h2>How to read it</h2>\n"
        f"<p>{_VOCABULARY}</p>\n<p>Every run was re-played action by action before it was "
        "ranked; runs are ranked only against runs of the same setting (a suite, or an env "
        'with its kwargs), and settings are labelled <span class="tag">privileged</span> when '
        'the agent saw privileged structure, <span class="tag unverified">unverified</span> '
        "when feedback came from a model-backed critic that cannot be re-played, "
        '<span class="tag sealed">sealed</span> when the board played the agent itself on '
        'problems from a secret seed, <span class="tag">in-process</span> when the agent '
        "shared the judge's process.</p>\n"
        '<h2>All results</h2>\n<p class="note">One row per setting, family and channel; rows '
        "with family and channel <em>all</em> pool a setting's episodes. Click a column header "
        "to sort.</p>\n"
        f"{_table(pooled_first.drop(columns='_pooled'), 'agents/')}"
    )
    return _page("fbgym leaderboard", body, "")


def _card(submission: pd.Series, details: dict[str, Any]) -> str:
    manifest, card = details["manifest"], details["card"]
    agent = manifest["agent"]
    config = json.dumps(card.get("config", {}), indent=2, sort_keys=True)
    fields = [
        ("class", agent["class"]),
        ("config", f"<pre>{escape(config)}</pre>"),
        ("config hash", agent["config_hash"]), ("agent version", agent["version"]),
        ("model", agent["model"]), ("revision", agent["revision"]),
        ("declares privileged access", agent["privileged"]),
        ("agent process", manifest["agent_process"]), ("evaluation", manifest["evaluation"]),
        ("suite", submission["suite"] or "(no suite)"), ("seed", manifest["seed"]),
        ("status", manifest["status"]), ("episodes", manifest["episodes"]),
        ("submitted", manifest["submitted_at"]),
        ("played with", f"fbgym {manifest['environment']['fbgym_version']}"),
        ("verified with", manifest["environment"]["verified_with"]),
        ("stored in", f"results/{submission['path']}"),
    ]  # fmt: skip
    return "".join(
        f"<dt>{escape(k)}</dt><dd>{v if k == 'config' else escape(str(v))}</dd>"
        for k, v in fields
        if v is not None
    )


def _envs(manifest: dict[str, Any]) -> str:
    rows = "".join(
        f"<tr><td>{escape(env_id)}</td><td>{escape(env['family'])}</td>"
        f'<td class="num">{env["version"]}</td><td class="num">{env["max_turns"]}</td>'
        f"<td><code>{escape(json.dumps(env['kwargs'], sort_keys=True))}</code></td></tr>"
        for env_id, env in sorted(manifest["envs"].items())
    )
    return (
        '<div class="scroll"><table id="envs"><thead><tr><th>env</th><th>family</th>'
        f"<th>version</th><th>K</th><th>kwargs</th></tr></thead><tbody>{rows}</tbody></table>"
        "</div>"
    )


def agent_html(data: SiteData, submission: pd.Series) -> str:
    """One submission's page: its summary, SR@k plot, configuration, envs and every row."""
    rows = data.table[data.table["submission_id"] == submission["id"]]
    details = data.cards[submission["id"]]
    summaries = "".join(
        f"<h3>{escape(setting)}</h3>\n{_summary(group, None, 'summary' if i == 0 else '')}"
        for i, (setting, group) in enumerate(
            data.summary[data.summary["submission_id"] == submission["id"]].groupby("setting")
        )
    )
    stem = agent_plot_stem(rows.iloc[0])
    tags = " ".join(_tag(label) for label in labels(details["manifest"]))
    body = (
        f'<p><a href="../index.html">&larr; leaderboard</a></p>\n'
        f"<h1>{escape(submission['agent'])} <small>by {escape(submission['submitter'])}</small>"
        f'</h1>\n<p class="labels">{tags}</p>\n'
        f'<p class="note">{_VOCABULARY}</p>\n<h2>Summary</h2>\n{summaries}\n'
        + _figure(
            stem, "../", "SR@k by channel and family", "SR@k by channel, one panel per family"
        )  # fmt: skip
        + f"\n<h2>Configuration</h2>\n<dl>{_card(submission, details)}</dl>\n"
        f"<h2>Environments</h2>\n{_envs(details['manifest'])}\n"
        f"<h2>All results</h2>\n{_table(rows, '')}"
    )
    return _page(f"{submission['agent']} · fbgym leaderboard", body, "../")


def _page(title: str, body: str, root: str) -> str:
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<link rel="stylesheet" href="{root}assets/style.css"></head>\n<body>\n{body}\n'
        f'<script src="{root}assets/sortable.js"></script>\n</body></html>\n'
    )


def write_site(data: SiteData, out: str | Path) -> Path:
    """Write the whole site under ``out``; returns the path of ``index.html``."""
    out = Path(out)
    (out / "assets").mkdir(parents=True, exist_ok=True)
    (out / "agents").mkdir(exist_ok=True)
    (out / "assets" / "sortable.js").write_text(SCRIPT, encoding="utf-8")
    (out / "assets" / "style.css").write_text(STYLE, encoding="utf-8")
    if not data.table.empty:
        write_plots(data.table, data.summary, out / "plots")
    (out / "index.html").write_text(index_html(data), encoding="utf-8")
    for _, submission in data.submissions.iterrows():
        rows = data.table[data.table["submission_id"] == submission["id"]]
        if not rows.empty:
            page = out / "agents" / agent_page_name(rows.iloc[0])
            page.write_text(agent_html(data, submission), encoding="utf-8")
    return out / "index.html"
