"""The static leaderboard site: a sortable table and one page per agent with its plots.

Plain files, no server and nothing fetched from elsewhere: ``index.html``, ``agents/*.html``,
``plots/*.svg|png`` and ``assets/`` (a small script that sorts a table when a column header is
clicked, and a style sheet). Open ``index.html`` from disk or publish the folder as it is.
"""

from __future__ import annotations

import math
from html import escape
from pathlib import Path

import pandas as pd

from fbgym.leaderboard.plots import agent_plot_stem, gain_plot_stem, slug, write_plots
from fbgym.leaderboard.tables import ALL

_SCRIPT = """\
// Sort a table by the clicked column: numbers by value, text alphabetically; click again to flip.
document.querySelectorAll("table.sortable").forEach(function (table) {
  var headers = table.tHead.rows[0].cells;
  Array.prototype.forEach.call(headers, function (th, column) {
    th.tabIndex = 0;
    function sort() {
      var descending = th.getAttribute("aria-sort") === "ascending";
      Array.prototype.forEach.call(headers, function (h) { h.removeAttribute("aria-sort"); });
      th.setAttribute("aria-sort", descending ? "descending" : "ascending");
      var body = table.tBodies[0];
      var rows = Array.prototype.slice.call(body.rows);
      function key(row) {
        var cell = row.cells[column];
        var raw = cell.getAttribute("data-value");
        if (raw === null) { raw = cell.textContent.trim(); }
        var number = Number(raw);
        return raw !== "" && !isNaN(number) ? number : raw.toLowerCase();
      }
      rows.sort(function (a, b) {
        var x = key(a), y = key(b);
        var order = typeof x === typeof y ? (x < y ? -1 : x > y ? 1 : 0)
          : (typeof x === "number" ? -1 : 1);
        return descending ? -order : order;
      });
      rows.forEach(function (row) { body.appendChild(row); });
    }
    th.addEventListener("click", sort);
    th.addEventListener("keydown", function (e) { if (e.key === "Enter") { sort(); } });
  });
});
"""

_STYLE = """\
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 72rem; color: #222; }
table { border-collapse: collapse; width: 100%; font-size: 0.9rem; }
th, td { padding: 0.3rem 0.5rem; border-bottom: 1px solid #ddd; text-align: left; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
th { cursor: pointer; background: #f4f4f4; user-select: none; }
th[aria-sort="ascending"]::after { content: " \\25B2"; }
th[aria-sort="descending"]::after { content: " \\25BC"; }
.ci { color: #777; font-size: 0.8em; white-space: nowrap; }
td.num, .tag { white-space: nowrap; }
.tag { font-size: 0.75em; padding: 0 0.3em; border-radius: 0.3em; background: #eee; }
.tag.unverified { background: #fde2c4; }
img { max-width: 100%; }
dl { display: grid; grid-template-columns: max-content auto; gap: 0.2rem 1rem; }
"""

_HEADERS = (
    "setting", "family", "channel", "rank", "agent", "submitter", "status", "n", "SR@1", "SR@K",
    "K", "gain", "turns to success",
)  # fmt: skip


def agent_page_name(row: pd.Series) -> str:
    """The file name of a submission's page."""
    return f"{slug(row['submitter'])}-{slug(row['agent'])}-{row['submission_id']}.html"


def _num(value: float, cell: str | None = None) -> str:
    if isinstance(value, float) and math.isnan(value):
        return '<td class="num" data-value="">-</td>'
    text = escape(cell) if cell is not None else f"{value:.3f}"
    return f'<td class="num" data-value="{value!r}">{text}</td>'


def _rate(row: pd.Series, name: str, signed: bool = False) -> str:
    fmt = "{:+.3f}" if signed else "{:.3f}"
    ci = f"[{row[f'{name}_lo']:.2f}, {row[f'{name}_hi']:.2f}]"
    return (
        f'<td class="num" data-value="{float(row[name])!r}">{fmt.format(row[name])} '
        f'<span class="ci">{ci}</span></td>'
    )


def _tags(row: pd.Series) -> str:
    tags = [f'<span class="tag {escape(row["status"])}">{escape(row["status"])}</span>']
    if row["privileged"]:
        tags.append('<span class="tag">privileged</span>')
    return " ".join(tags)


def _table(table: pd.DataFrame, link_prefix: str) -> str:
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
        f'<table class="sortable" id="leaderboard"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table>"
    )


def _page(title: str, body: str, root: str) -> str:
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<link rel="stylesheet" href="{root}assets/style.css"></head>\n<body>\n{body}\n'
        f'<script src="{root}assets/sortable.js"></script>\n</body></html>\n'
    )


def index_html(table: pd.DataFrame) -> str:
    """The front page: every ranked row in one sortable table, then the gain plots."""
    plots = "".join(
        f'<figure><img src="plots/{escape(gain_plot_stem(s))}.svg" '
        f'alt="feedback gain, {escape(s)}"><figcaption>Feedback gain per agent, {escape(s)} '
        f'(<a href="plots/{escape(gain_plot_stem(s))}.png">PNG</a>)</figcaption></figure>'
        for s in sorted(set(table["setting"]))
    )
    body = (
        "<h1>fbgym leaderboard</h1>\n"
        "<p>Every submitted run was re-played action by action through the same environments "
        "before it was ranked; runs whose feedback came from a model-backed critic cannot be "
        're-played and are marked <span class="tag unverified">unverified</span>. '
        "SR@k is the success rate within k turns, K the turn budget, and the feedback gain "
        "SR@K &minus; SR@1; brackets are 95% bootstrap intervals. Runs are ranked only against "
        "runs of the same setting &mdash; a suite, or an env with its kwargs &mdash; and "
        "settings in which the agent saw privileged structure are labelled "
        "<em>[privileged]</em>. Rows with family and channel <em>all</em> pool a setting's "
        "episodes. Click a column header to sort.</p>\n"
        f"{_table(table, 'agents/')}\n{plots}"
    )
    return _page("fbgym leaderboard", body, "")


def agent_html(table: pd.DataFrame, submission: pd.Series) -> str:
    """One submission's page: who and what, its rows, its SR@k plot."""
    rows = table[table["submission_id"] == submission["id"]]
    first = rows.iloc[0]
    fields = [
        ("agent", submission["agent"]), ("submitter", submission["submitter"]),
        ("status", submission["status"]), ("suite", submission["suite"] or "(no suite)"),
        ("agent version", submission["agent_version"]), ("model", submission["model"]),
        ("revision", submission["revision"]), ("config hash", submission["config_hash"]),
        ("submitted", submission["submitted_at"]), ("episodes", submission["episodes"]),
        ("stored in", f"results/{submission['path']}"),
    ]  # fmt: skip
    card = "".join(
        f"<dt>{escape(k)}</dt><dd>{escape(str(v))}</dd>" for k, v in fields if v is not None
    )
    stem = agent_plot_stem(first)
    body = (
        f'<p><a href="../index.html">&larr; leaderboard</a></p>\n'
        f"<h1>{escape(submission['agent'])} <small>by {escape(submission['submitter'])}</small>"
        f"</h1>\n<dl>{card}</dl>\n{_table(rows, '')}\n"
        f'<figure><img src="../plots/{escape(stem)}.svg" alt="SR@k by channel">'
        f'<figcaption>SR@k by channel (<a href="../plots/{escape(stem)}.png">PNG</a>)'
        "</figcaption></figure>"
    )
    return _page(f"{submission['agent']} · fbgym leaderboard", body, "../")


def write_site(table: pd.DataFrame, submissions: pd.DataFrame, out: str | Path) -> Path:
    """Write the whole site under ``out``; returns the path of ``index.html``."""
    out = Path(out)
    (out / "assets").mkdir(parents=True, exist_ok=True)
    (out / "agents").mkdir(exist_ok=True)
    (out / "assets" / "sortable.js").write_text(_SCRIPT, encoding="utf-8")
    (out / "assets" / "style.css").write_text(_STYLE, encoding="utf-8")
    if not table.empty:
        write_plots(table, out / "plots")
    pooled_first = table.assign(_pooled=table["family"].ne(ALL)).sort_values(
        ["_pooled", "setting", "family", "channel", "rank"], kind="stable"
    )
    (out / "index.html").write_text(index_html(pooled_first.drop(columns="_pooled")), "utf-8")
    for _, submission in submissions.iterrows():
        if (table["submission_id"] == submission["id"]).any():
            page = (
                out
                / "agents"
                / agent_page_name(table[table["submission_id"] == submission["id"]].iloc[0])
            )
            page.write_text(agent_html(table, submission), encoding="utf-8")
    return out / "index.html"
