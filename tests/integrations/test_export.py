"""fbgym export: datasets from a run's transcripts, with preferences as the user gave them."""

import json

import pytest
from click.testing import CliRunner

import fbgym
from fbgym.agents.baselines import FeedbackAgent
from fbgym.cli import main
from fbgym.integrations.export import FORMATS, export_run
from fbgym.runner.records import RunDir

datasets = pytest.importorskip("datasets")


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """A run of the feedback baseline on Math-v0 with a noisy simulated user."""
    path = tmp_path_factory.mktemp("run") / "math"
    fbgym.evaluate(
        FeedbackAgent(),
        ["fbgym/Math-v0"],
        channels=["verbal", "ranked"],
        episodes=8,
        env_kwargs={"user": {"noise": 0.5}},
        run_dir=path,
        executor="serial",
    )
    return path


@pytest.fixture(scope="module")
def records(run):
    return {(r["channel"], r["seed"]): r for r in RunDir(run).episodes()}


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_loads_from_disk_with_its_episode(run, tmp_path, fmt):
    out = tmp_path / fmt
    exported = export_run(run, fmt, out)
    loaded = datasets.load_from_disk(str(out))
    assert len(loaded) == len(exported) > 0
    assert {"env_id", "channel", "seed", "kwargs", "turn", "noise_flags"} <= set(
        loaded.column_names
    )
    lines = [json.loads(line) for line in (out / f"{fmt}.jsonl").read_text().splitlines()]
    assert lines == loaded.to_list()


def test_sft_rows_are_accepted_attempts(run, tmp_path, records):
    for row in export_run(run, "sft", tmp_path / "sft"):
        turn = records[row["channel"], row["seed"]]["transcript"][row["turn"] - 1]
        assert turn["outcome"]["success"]
        assert row["completion"] == [{"role": "assistant", "content": turn["action"]}]
        assert row["prompt"][-1]["role"] == "user"


def test_dpo_chosen_is_the_attempt_the_user_ranked_higher(run, tmp_path, records):
    rows = export_run(run, "dpo", tmp_path / "dpo").to_list()
    ranked = [r for r in rows if r["source"] == "ranked"]
    assert ranked
    for row in ranked:
        transcript = records["ranked", row["seed"]]["transcript"]
        ranking = transcript[row["turn"] - 1]["feedback"]["ranking"]
        place = {attempt: i for i, group in enumerate(ranking) for attempt in group}
        assert place[row["chosen_turn"]] < place[row["rejected_turn"]]
        assert row["chosen"][0]["content"] == transcript[row["chosen_turn"] - 1]["action"]
        assert row["rejected"][0]["content"] == transcript[row["rejected_turn"] - 1]["action"]
    accepted = [r for r in rows if r["source"] == "accepted"]
    assert accepted
    for row in accepted:
        transcript = records[row["channel"], row["seed"]]["transcript"]
        assert transcript[row["chosen_turn"] - 1]["outcome"]["success"]
        assert not transcript[row["rejected_turn"] - 1]["outcome"]["success"]


def test_rows_carry_the_users_noise_flags(run, tmp_path, records):
    rows = export_run(run, "kto", tmp_path / "kto").to_list()
    flipped = [r for r in rows if "flipped" in r["noise_flags"]]
    assert flipped
    for row in rows:
        turn = records[row["channel"], row["seed"]]["transcript"][row["turn"] - 1]
        assert ("flipped" in row["noise_flags"]) == bool(turn["feedback"]["notes"].get("flipped"))
        assert row["label"] is turn["outcome"]["success"]


def test_coh_sequences_chain_attempts_and_verbal_critiques(run, tmp_path, records):
    rows = export_run(run, "coh", tmp_path / "coh").to_list()
    assert {r["channel"] for r in rows} == {"verbal"}
    for row in rows:
        transcript = records["verbal", row["seed"]]["transcript"]
        for turn in transcript:
            assert turn["action"] in row["text"]
        roles = [m["role"] for m in row["messages"]]
        assert roles[:2] == ["system", "user"] and roles.count("assistant") == len(transcript)


def test_cli_exports_and_refuses_a_folder_that_is_no_run(run, tmp_path):
    result = CliRunner().invoke(
        main, ["export", str(run), "--format", "dpo", "--out", str(tmp_path / "d")]
    )
    assert result.exit_code == 0, result.output
    assert "dpo rows" in result.output
    assert datasets.load_from_disk(str(tmp_path / "d")).num_rows > 0
    result = CliRunner().invoke(
        main, ["export", str(tmp_path), "--format", "sft", "--out", str(tmp_path / "e")]
    )
    assert result.exit_code == 2
    assert "is not a run directory" in result.output
    assert "Traceback" not in result.output
