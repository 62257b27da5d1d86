"""A data file as a suite: its format recognised, its records played in order."""

import json

import pytest

import fbgym
from fbgym.agents import FeedbackAgent
from fbgym.errors import DataFormatError
from fbgym.runner.data import data_suite

GSM8K = [
    {"question": f"Ann has {n} apples and buys {n + 1} more. How many apples?",
     "answer": f"She has {n} + {n + 1} = <<{n}+{n + 1}={2 * n + 1}>>{2 * n + 1}.\n#### {2 * n + 1}"}
    for n in (3, 11, 40)
]  # fmt: skip


def write(path, records):
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return path


def test_a_gsm8k_file_is_recognised_and_played_in_its_order(tmp_path):
    suite = data_suite(write(tmp_path / "tiny.jsonl", GSM8K), channels=["verbal"])
    (entry,) = suite.entries
    assert entry.env_id == "fbgym/Math-v0" and entry.episodes == 3
    assert entry.kwargs["data_format"] == "gsm8k"
    env = fbgym.make(entry.env_id, feedback="verbal", **entry.kwargs)
    for seed, record in enumerate(GSM8K):
        obs, _ = env.reset(seed=seed)
        assert record["question"] in obs["observation"]
    df = fbgym.evaluate(FeedbackAgent(), suite, run_dir=tmp_path / "run", executor="serial")
    assert len(df) == 3 and df.error.isna().all()


def test_a_file_of_no_known_format_names_the_formats(tmp_path):
    with pytest.raises(DataFormatError, match="gsm8k: question, answer"):
        data_suite(write(tmp_path / "odd.jsonl", [{"prompt_text": "x"}]))
    with pytest.raises(DataFormatError, match="no such data file"):
        data_suite(tmp_path / "missing.jsonl")


def test_fbgym_run_data_plays_a_file_in_one_command(tmp_path):
    from click.testing import CliRunner

    from fbgym.cli import main

    data = write(tmp_path / "tiny.jsonl", GSM8K)
    args = ["run", "--data", str(data), "--agent", "feedback-baseline", "--channel", "verbal",
            "--out", str(tmp_path / "runs"), "--no-progress", "--executor", "serial"]  # fmt: skip
    done = CliRunner().invoke(main, args)
    assert done.exit_code == 0, done.output
    assert "fbgym/Math-v0" in done.output and "verbal" in done.output
    (run,) = (tmp_path / "runs").iterdir()
    assert run.name.startswith("tiny-feedback-baseline-")
    odd = write(tmp_path / "odd.jsonl", [{"prompt_text": "x"}])
    refused = CliRunner().invoke(main, ["run", "--data", str(odd), "--out", str(tmp_path)])
    assert refused.exit_code == 2 and "--data-format" in refused.output
    assert "Traceback" not in refused.output
