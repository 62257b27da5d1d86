"""Views of the leaderboard: ranked tables, plots (PNG and SVG), and the static site."""

import re
import shutil
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from fbgym.leaderboard.index import Index
from fbgym.leaderboard.plots import save, sr_at_k_figure, value_figure, write_plots
from fbgym.leaderboard.site import write_site
from fbgym.leaderboard.site_data import channel_summary, site_data
from fbgym.leaderboard.store import ResultsStore
from fbgym.leaderboard.submit import submit
from fbgym.leaderboard.tables import leaderboard
from fbgym.leaderboard.text import format_leaderboard


@pytest.fixture(scope="module")
def board(played, tmp_path_factory):
    results = tmp_path_factory.mktemp("board") / "results"
    submit(played["feedback"], submitter="ann", results=results)
    submit(played["blind"], submitter="bob", results=results)
    index = Index(ResultsStore(results))
    return leaderboard(index.episodes()), index


def test_feedback_agent_outranks_blind_agent_on_gain(board):
    table, _ = board
    pooled = table[(table["family"] == "all") & (table["channel"] == "all")]
    assert list(pooled["agent"]) == ["feedback-baseline", "blind-baseline"]
    assert list(pooled["rank"]) == [1, 2]
    for _, row in table.iterrows():
        assert row["gain"] == pytest.approx(row["SR@K"] - row["SR@1"])
        for name in ("SR@1", "SR@K", "gain"):
            assert row[f"{name}_lo"] <= row[name] <= row[f"{name}_hi"]
        assert len(row["sr_at"]) == row["K"] and row["sr_at"][-1] == pytest.approx(row["SR@K"])
    verbal = table[(table["family"] == "math") & (table["channel"] == "verbal")]
    assert verbal.iloc[0]["agent"] == "feedback-baseline"
    assert verbal.iloc[0]["gain"] > verbal.iloc[1]["gain"]


def test_filters_and_text_table(board):
    table, index = board
    only = leaderboard(index.episodes(), family="math", channel="unary")
    assert set(only["family"]) == {"math"} and set(only["channel"]) == {"unary"}
    text = format_leaderboard(only)
    assert text.startswith("smoke@2 [privileged] · math · unary (K=5")
    assert "feedback-baseline" in text and "blind-baseline" in text and "privileged" in text
    assert "No submissions yet" in format_leaderboard(leaderboard(index.episodes().iloc[:0]))


def test_channel_summary_pairs_each_channel_with_unary(board):
    table, index = board
    episodes = index.episodes()
    summary = channel_summary(episodes, table)
    assert list(summary["channel"][:3]) == ["verbal", "ranked", "unary"]
    assert list(summary["agent"].drop_duplicates()) == ["feedback-baseline", "blind-baseline"]
    unary = summary[summary["channel"] == "unary"]
    assert unary["value"].isna().all()
    for _, row in summary[summary["channel"] != "unary"].iterrows():
        mine = episodes[episodes["submission_id"] == row["submission_id"]]
        sr_k = mine.groupby("channel")["success"].mean()
        assert row["value"] == pytest.approx(sr_k[row["channel"]] - sr_k["unary"])
        assert row["value_lo"] <= row["value"] <= row["value_hi"]
        assert row["SR@K"] == pytest.approx(sr_k[row["channel"]])


def test_a_zero_value_is_drawn(board):
    table, index = board
    summary = channel_summary(index.episodes(), table).assign(value=0.0, value_lo=0.0, value_hi=0.0)
    fig = value_figure(summary, summary["setting"].iloc[0])
    (ax,) = fig.axes
    markers = [line for line in ax.lines if line.get_marker() not in ("None", "", None)]
    assert len(markers) >= len(summary[summary["channel"] != "unary"])
    assert all(p.get_linewidth() > 0 for p in ax.patches)


def test_plots_are_png_and_svg(board, tmp_path):
    table, index = board
    paths = write_plots(table, channel_summary(index.episodes(), table), tmp_path / "a")
    pngs = [p for p in paths if p.suffix == ".png"]
    svgs = [p for p in paths if p.suffix == ".svg"]
    assert len(pngs) == len(svgs) == 2 + table["submission_id"].nunique()
    assert all(p.read_bytes().startswith(b"\x89PNG\r\n\x1a\n") for p in pngs)
    assert all(ET.parse(p).getroot().tag.endswith("svg") for p in svgs)
    fig = sr_at_k_figure(table, table["submission_id"].iloc[0])
    first, second = (save(fig, tmp_path / name, ("svg",))[0] for name in ("one", "two"))
    assert first.read_bytes() == second.read_bytes()  # no dates, no random ids


def test_site_links_resolve_and_fetch_nothing_remote(board, tmp_path):
    table, index = board
    page = write_site(site_data(index), tmp_path / "site")
    html = page.read_text()
    detailed = html[html.index('id="leaderboard"') :]
    assert detailed.count("<tr>") == len(table) + 1
    pages = sorted((tmp_path / "site" / "agents").glob("*.html"))
    assert len(pages) == 2
    for path in [page, *pages]:
        text = path.read_text()
        assert not re.search(r"(src|href)=\"(https?:)?//", text)
        for target in re.findall(r"(?:src|href)=\"([^\"#]+)\"", text):
            assert (path.parent / target).resolve().exists(), (path, target)


def _chrome():
    webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed")
    from selenium.webdriver.chrome.service import Service

    binary = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver") or (
        "/usr/bin/chromedriver" if Path("/usr/bin/chromedriver").exists() else None
    )
    if binary is None or driver is None:
        pytest.skip("chromium and chromium-driver are not installed (apt-get install chromium "
                    "chromium-driver)")  # fmt: skip
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for arg in ("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                "--disable-background-networking", "--disable-component-update",
                "--disable-sync", f"--user-data-dir={tempfile.mkdtemp(prefix='chromium-')}",
                "--window-size=1400,1000"):  # fmt: skip
        options.add_argument(arg)
    return webdriver.Chrome(service=Service(driver), options=options)


def test_site_renders_and_sorts_in_headless_chromium(board, tmp_path):
    from selenium.webdriver.common.by import By

    page = write_site(site_data(board[1]), tmp_path / "site")
    browser = _chrome()
    try:
        browser.get(page.resolve().as_uri())
        headers = browser.find_elements(By.CSS_SELECTOR, "#leaderboard thead th")
        names = [h.text.strip() for h in headers]
        column = names.index("agent")

        def agents():
            rows = browser.find_elements(By.CSS_SELECTOR, "#leaderboard tbody tr")
            return [r.find_elements(By.TAG_NAME, "td")[column].text for r in rows]

        before = agents()
        headers[column].click()
        ascending = agents()
        assert ascending != before and ascending == sorted(before)
        assert headers[column].get_attribute("aria-sort") == "ascending"
        headers[column].click()
        assert agents() == sorted(before, reverse=True)
        rank = names.index("SR@K")
        headers[rank].click()
        values = [
            float(r.find_elements(By.TAG_NAME, "td")[rank].get_attribute("data-value"))
            for r in browser.find_elements(By.CSS_SELECTOR, "#leaderboard tbody tr")
        ]
        assert values == sorted(values)
        shot = tmp_path / "leaderboard.png"
        assert browser.save_screenshot(str(shot))
        assert shot.read_bytes().startswith(b"\x89PNG")
        browser.find_element(By.LINK_TEXT, "feedback-baseline").click()
        assert "feedback-baseline" in browser.find_element(By.TAG_NAME, "h1").text
        assert (
            browser.find_element(By.CSS_SELECTOR, "figure img").get_attribute("naturalWidth") != "0"
        )
    finally:
        browser.quit()
