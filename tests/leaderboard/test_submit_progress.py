"""``leaderboard submit`` shows the replay's progress per family on stderr, and only when asked."""

from __future__ import annotations

from click.testing import CliRunner

from fbgym.cli import main
from fbgym.leaderboard.loading import load_run
from fbgym.leaderboard.replay import replay_all
from fbgym.leaderboard.submit import submit


def test_replay_reports_each_episode_once(math_run):
    run = load_run(math_run("two", episodes=2))
    seen = []
    report = replay_all(run.episodes, seen.append)
    assert report.replayed == 2
    assert [r["key"] for r in seen] == [r["key"] for r in run.episodes]


def test_submit_draws_a_bar_per_family_on_stderr_when_asked(math_run, tmp_path, capsys):
    submit(math_run("shown", episodes=3), submitter="ann", results=tmp_path / "r", progress=True)
    err = capsys.readouterr().err
    assert "replaying shown math" in err and "3/3" in err
    submit(math_run("quiet", episodes=2, seed=5), submitter="ann", results=tmp_path / "r")
    assert capsys.readouterr().err == ""


def test_the_command_draws_no_bar_when_stderr_is_not_a_terminal(math_run, tmp_path):
    result = CliRunner().invoke(
        main,
        ["leaderboard", "submit", str(math_run("piped")), "--submitter", "ann",
         "--results", str(tmp_path / "r")],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "replaying" not in result.output and "accepted (verified)" in result.output
