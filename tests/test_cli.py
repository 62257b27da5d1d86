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
