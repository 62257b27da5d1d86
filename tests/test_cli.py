from click.testing import CliRunner

from fbgym.cli import main


def test_envs_lists_math():
    result = CliRunner().invoke(main, ["envs"])
    assert result.exit_code == 0 and "fbgym/Math-v0" in result.output and "verbal" in result.output


def test_run_prints_sr_per_channel_and_writes_runs(tmp_path):
    result = CliRunner().invoke(
        main, ["run", "--suite", "smoke", "--out", str(tmp_path), "--no-progress"]
    )
    assert result.exit_code == 0, result.output
    assert "SR@1" in result.output and "SR@K" in result.output
    for channel in ("verbal", "unary", "ranked"):
        assert channel in result.output
    assert len(list(tmp_path.iterdir())) == 2


def test_run_rejects_unknown_suite_and_agent():
    assert "no suite 'nope'" in CliRunner().invoke(main, ["run", "--suite", "nope"]).output
    assert "no agent 'nobody'" in CliRunner().invoke(main, ["run", "--agent", "nobody"]).output


def test_play_reads_answers_and_shows_feedback():
    import gymnasium as gym

    env = gym.make("fbgym/Math-v0", feedback="unary")
    env.reset(seed=4)
    answer = env.unwrapped.problem.answer
    result = CliRunner().invoke(
        main,
        ["play", "fbgym/Math-v0", "--feedback", "unary", "--seed", "4"],
        input=f'99999\n"""\nmy working\nThe answer is {answer}\n"""\n',
    )
    assert result.exit_code == 0, result.output
    assert "Let's try again." in result.output and "solved" in result.output
    assert "not solved" not in result.output


def test_run_passes_agent_arguments_and_rejects_bad_ones(tmp_path):
    result = CliRunner().invoke(
        main,
        [
            "run",
            "--suite",
            "smoke",
            "--agent",
            "fbgym.agents:FeedbackAgent",
            "--agent-arg",
            "seed=3",
            "--executor",
            "serial",
            "--out",
            str(tmp_path),
            "--no-progress",
        ],
    )
    assert result.exit_code == 0, result.output
    import json

    meta = json.loads(next(tmp_path.glob("*/meta.json")).read_text())
    assert meta["agent"]["config"]["seed"] == 3
    bad = CliRunner().invoke(main, ["run", "--agent-arg", "no-equals-sign"])
    assert bad.exit_code != 0 and "KEY=VALUE" in bad.output
    unknown = CliRunner().invoke(main, ["run", "--agent-arg", "colour=1", "--out", str(tmp_path)])
    assert unknown.exit_code != 0 and "colour" in unknown.output
