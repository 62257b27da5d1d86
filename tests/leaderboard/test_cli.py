"""``fbgym leaderboard``: the documented path end to end, and each command."""

import subprocess
import sys

from click.testing import CliRunner

from fbgym.cli import main


def _fbgym(*args, cwd):
    return subprocess.run(
        [sys.executable, "-m", "fbgym.cli", *args],
        cwd=cwd, capture_output=True, text=True, timeout=300,
    )  # fmt: skip


def test_run_then_submit_then_show(tmp_path):
    """As the README says: ``fbgym run``, ``fbgym leaderboard submit``, ``fbgym leaderboard show``."""
    ran = _fbgym("run", "--suite", "smoke", "--agent", "feedback-baseline", "--out", "runs",
                 "--no-progress", cwd=tmp_path)  # fmt: skip
    assert ran.returncode == 0, ran.stderr
    (run,) = (tmp_path / "runs").iterdir()
    submitted = _fbgym("leaderboard", "submit", str(run), "--submitter", "ann",
                       "--results", "lb", cwd=tmp_path)  # fmt: skip
    assert submitted.returncode == 0, submitted.stderr
    assert "accepted (verified): feedback-baseline by ann" in submitted.stdout
    shown = _fbgym("leaderboard", "show", "--results", "lb", cwd=tmp_path)
    assert shown.returncode == 0, shown.stderr
    assert "smoke@2 [privileged] · all · all" in shown.stdout
    assert "  1 feedback-baseline      ann" in shown.stdout


def test_commands_on_a_results_dir(played, tmp_path):
    runner = CliRunner()
    results = str(tmp_path / "results")
    ok = runner.invoke(main, ["leaderboard", "submit", str(played["plain"]), "--submitter", "ann",
                              "--results", results, "--model", "none/none"])  # fmt: skip
    assert ok.exit_code == 0, ok.output
    again = runner.invoke(main, ["leaderboard", "submit", str(played["plain"]),
                                 "--submitter", "ann", "--results", results])  # fmt: skip
    assert again.exit_code == 1 and "rejected: duplicate: this run is already" in again.output
    csv = runner.invoke(main, ["leaderboard", "show", "--results", results, "--format", "csv",
                               "--channel", "verbal"])  # fmt: skip
    assert csv.exit_code == 0 and csv.output.startswith("setting,suite,family,channel,rank,agent")
    assert len(csv.output.strip().splitlines()) == 2
    plots = runner.invoke(main, ["leaderboard", "plot", "--results", results,
                                 "--out", str(tmp_path / "plots")])  # fmt: skip
    assert plots.exit_code == 0 and ".svg" in plots.output and ".png" in plots.output
    site = runner.invoke(main, ["leaderboard", "site", "--results", results,
                                "--out", str(tmp_path / "site")])  # fmt: skip
    assert site.exit_code == 0 and (tmp_path / "site" / "index.html").exists()
    rebuilt = runner.invoke(main, ["leaderboard", "rebuild-index", "--results", results,
                                   "--verify"])  # fmt: skip
    assert rebuilt.exit_code == 0 and "indexed 1 submission(s)" in rebuilt.output
    assert "3 episodes re-played" in rebuilt.output


def test_results_dir_from_environment(played, tmp_path):
    result = CliRunner().invoke(
        main, ["leaderboard", "show"], env={"FBGYM_RESULTS": str(tmp_path / "empty")}
    )
    assert result.exit_code == 0 and "No submissions yet" in result.output


def test_cli_import_stays_light():
    code = (
        "import sys, fbgym.cli; heavy = [m for m in ('matplotlib', 'sqlite3', 'jsonschema', "
        "'filelock', 'fbgym.leaderboard.submit') if m in sys.modules]; print(heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_show_on_an_edited_store_says_what_is_wrong_without_a_traceback(played, tmp_path):
    runner = CliRunner()
    results = tmp_path / "results"
    ok = runner.invoke(main, ["leaderboard", "submit", str(played["plain"]), "--submitter", "ann",
                              "--results", str(results)])  # fmt: skip
    assert ok.exit_code == 0, ok.output
    (episodes,) = results.glob("ann/*/episodes.jsonl")
    episodes.write_text(episodes.read_text().replace('"success": false', '"success": true', 1))
    (results / "index.sqlite").unlink()
    for command in (["show"], ["site", "--out", str(tmp_path / "site")], ["rebuild-index"]):
        result = runner.invoke(main, ["leaderboard", *command, "--results", str(results)])
        assert result.exit_code == 1, (command, result.output)
        assert isinstance(result.exception, SystemExit), (command, result.exception)
        assert "does not match the SHA-256" in result.output


def test_submit_into_an_unwritable_results_dir_exits_2(played, tmp_path):
    blocker = tmp_path / "blocker"
    blocker.write_text("a file, not a folder\n")
    results = blocker / "results"
    result = CliRunner().invoke(main, ["leaderboard", "submit", str(played["plain"]),
                                       "--submitter", "ann", "--results", str(results)])  # fmt: skip
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit) and str(results) in result.output
    assert "Not a directory" in result.output
