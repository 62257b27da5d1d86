"""The site in headless Chromium at desktop and phone widths: summary first, plots, agent pages.

With ``FBGYM_SAVE_SCREENSHOTS=1`` the front page's screenshots are saved as
``docs/leaderboard-desktop.png`` and ``docs/leaderboard-phone.png``; otherwise they go to the
test's temporary folder.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

from fbgym.leaderboard.index import Index
from fbgym.leaderboard.site import write_site
from fbgym.leaderboard.site_data import site_data
from fbgym.leaderboard.store import ResultsStore
from fbgym.leaderboard.submit import submit

DOCS = Path(__file__).resolve().parents[2] / "docs"
WIDTHS = {"desktop": (1280, 900), "phone": (390, 844)}
FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--hide-scrollbars",
)  # fmt: skip


@pytest.fixture(scope="module")
def site(played, tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("site-pages")
    submit(played["feedback"], submitter="ann", results=root / "results")
    submit(played["blind"], submitter="bob", results=root / "results")
    submit(played["plain"], submitter="cy", results=root / "results")
    return write_site(site_data(Index(ResultsStore(root / "results"))), root / "site")


@pytest.fixture(scope="module")
def browser():
    webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed")
    from selenium.webdriver.chrome.service import Service

    binary = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    if binary is None or driver is None:
        pytest.skip("chromium and chromedriver are not installed")
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    profile = tempfile.mkdtemp(prefix="chromium-")
    for flag in (*FLAGS, f"--user-data-dir={profile}"):
        options.add_argument(flag)
    chrome = webdriver.Chrome(service=Service(driver), options=options)
    try:
        yield chrome
    finally:
        chrome.quit()
        shutil.rmtree(profile, ignore_errors=True)


def _open(browser, url: str, width: int, height: int) -> None:
    browser.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600},
    )
    browser.get(url)
    browser.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "Promise.all(Array.from(document.images, i => i.decode().catch(() => null)))"
        ".then(() => done(true));"
    )


def _images_loaded(browser) -> list[str]:
    """The sources of the page's images that did not load."""
    return browser.execute_script(
        "return Array.from(document.images).filter(i => !(i.complete && i.naturalWidth > 0))"
        ".map(i => i.getAttribute('src'));"
    )


def _no_overflow(browser) -> None:
    width, inner = browser.execute_script(
        "return [document.documentElement.scrollWidth, window.innerWidth];"
    )
    assert width <= inner + 1, f"the page is {width}px wide in a {inner}px window"


@pytest.mark.parametrize("width", list(WIDTHS))
def test_front_page_leads_with_the_summary_and_fits(site, browser, width, tmp_path):
    from selenium.webdriver.common.by import By

    _open(browser, site.resolve().as_uri(), *WIDTHS[width])
    summary = browser.find_element(By.ID, "summary")
    first_plot = browser.find_element(By.CSS_SELECTOR, "figure img")
    assert summary.rect["y"] + summary.rect["height"] <= first_plot.rect["y"]
    leaderboard = browser.find_element(By.ID, "leaderboard")
    assert first_plot.rect["y"] < leaderboard.rect["y"]
    headers = [th.text for th in summary.find_elements(By.CSS_SELECTOR, "thead th")]
    assert headers == ["agent", "channel", "SR@1", "SR@K", "value over unary"]
    agents = summary.find_elements(By.CSS_SELECTOR, "tbody th a")
    assert [a.text for a in agents] == ["feedback-baseline", "blind-baseline"]
    first = summary.find_element(By.CSS_SELECTOR, "tbody tr").find_elements(By.TAG_NAME, "td")
    assert first[0].text == "verbal" and "[" in first[3].text and first[3].text.startswith("+")
    assert _images_loaded(browser) == []
    assert len(browser.find_elements(By.CSS_SELECTOR, "figure img")) >= 2
    _no_overflow(browser)
    for img in browser.find_elements(By.CSS_SELECTOR, "img"):
        assert img.rect["width"] <= browser.execute_script("return window.innerWidth;")
    folder = DOCS if os.environ.get("FBGYM_SAVE_SCREENSHOTS") == "1" else tmp_path
    shot = folder / f"leaderboard-{width}.png"
    assert browser.save_screenshot(str(shot))
    assert shot.read_bytes().startswith(b"\x89PNG")


@pytest.mark.parametrize("width", list(WIDTHS))
def test_each_agent_page_is_reachable_by_its_link_and_fits(site, browser, width):
    from selenium.webdriver.common.by import By

    _open(browser, site.resolve().as_uri(), *WIDTHS[width])
    links = {
        a.text: a.get_attribute("href")
        for a in browser.find_elements(By.CSS_SELECTOR, "#leaderboard tbody a")
    }
    assert set(links) == {"feedback-baseline", "blind-baseline"}
    pages = {Path(p).name for p in (site.parent / "agents").glob("*.html")}
    assert {Path(href).name for href in links.values()} <= pages and len(pages) == 3
    for agent in links:
        _open(browser, site.resolve().as_uri(), *WIDTHS[width])
        browser.find_element(By.CSS_SELECTOR, "#summary").find_element(By.LINK_TEXT, agent).click()
        assert agent in browser.find_element(By.TAG_NAME, "h1").text
        labels = [t.text for t in browser.find_elements(By.CSS_SELECTOR, "p.labels .tag")]
        assert "privileged" in labels
        card = browser.find_element(By.TAG_NAME, "dl").text
        assert "fbgym.agents.baselines" in card and "config hash" in card
        envs = browser.find_element(By.ID, "envs").text
        assert "fbgym/Math-v1" in envs and '"privileged": true' in envs
        rows = browser.find_elements(By.CSS_SELECTOR, "#summary tbody tr")
        assert [r.find_element(By.TAG_NAME, "td").text for r in rows] == [
            "verbal", "ranked", "unary"
        ]  # fmt: skip
        assert _images_loaded(browser) == []
        assert browser.find_elements(By.CSS_SELECTOR, "figure img")
        _no_overflow(browser)


def test_a_run_without_unary_has_no_value_plot_and_no_value(site, browser):
    from selenium.webdriver.common.by import By

    (page,) = (site.parent / "agents").glob("cy-*.html")
    _open(browser, page.resolve().as_uri(), *WIDTHS["phone"])
    cells = browser.find_elements(By.CSS_SELECTOR, "#summary tbody td")
    assert [c.text for c in cells][0] == "verbal" and cells[-1].text == "–"
    assert _images_loaded(browser) == []
    _no_overflow(browser)
