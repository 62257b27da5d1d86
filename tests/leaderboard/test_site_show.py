"""``leaderboard show``: a suite named without its version matches; an empty filter says so."""

from __future__ import annotations

import pandas as pd
import pytest
from click.testing import CliRunner

from fbgym.cli import main
from fbgym.leaderboard.tables import matches


@pytest.fixture(scope="module")
def results(played, tmp_path_factory):
    folder = tmp_path_factory.mktemp("show") / "results"
    submitted = CliRunner().invoke(
        main,
        ["leaderboard", "submit", str(played["plain"]), "--submitter", "ann",
         "--results", str(folder)],
    )  # fmt: skip
    assert submitted.exit_code == 0, submitted.output[-600:]
    return folder


def _show(results, *args: str):
    return CliRunner().invoke(main, ["leaderboard", "show", "--results", str(results), *args])


def test_a_suite_name_matches_each_of_its_versions():
    suites = pd.Series(["default@1", "default@2", "defaults@1", "smoke@1"])
    assert list(matches(suites, "default")) == [True, True, False, False]
    assert list(matches(suites, "default@2")) == [False, True, False, False]


def test_a_filter_that_matches_nothing_fails_with_what_the_board_holds(results):
    assert _show(results, "--channel", "verbal").exit_code == 0
    for args, asked in (
        (["--suite", "default"], "--suite default"),
        (["--family", "nosuch"], "--family nosuch"),
        (["--channel", "loud"], "--channel loud"),
    ):
        result = _show(results, *args)
        assert result.exit_code == 2, result.output
        assert f"no results match {asked}" in result.output and "math" in result.output
        assert "No submissions yet" not in result.output
