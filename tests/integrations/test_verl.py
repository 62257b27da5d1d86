"""verl adapters, checked against verl's interaction contract and its dataset format.

verl 0.9.1 ships without ``verl.interactions`` (and needs tensordict to import at all), so the
interaction is driven here as verl's multi-turn rollout drives one.
"""

import asyncio
import json

import pandas as pd
import pytest
from click.testing import CliRunner

import fbgym
from fbgym.cli import main
from fbgym.errors import ConfigError
from fbgym.integrations.verl import FeedbackInteraction, compute_score, verl_rows, write_parquet

pytest.importorskip("pyarrow")

MATH = "fbgym/Math-v0"


def answer(env_id, channel, seed, kwargs):
    env = fbgym.make(env_id, feedback=channel, **json.loads(kwargs))
    env.reset(seed=seed)
    return env.unwrapped.problem.answer


def play(interaction, row, attempts):
    """verl's loop: start with the row's interaction kwargs, one response per attempt."""

    async def episode():
        kwargs = dict(row["extra_info"]["interaction_kwargs"])
        assert kwargs.pop("name") == interaction.name
        instance = await interaction.start_interaction(None, **kwargs)
        messages, turns = list(row["prompt"]), []
        for attempt in attempts:
            messages.append({"role": "assistant", "content": attempt})
            turn = await interaction.generate_response(instance, messages)
            turns.append(turn)
            messages.append({"role": "user", "content": turn[1]})
            if turn[0]:
                break
        score = await interaction.calculate_score(instance)
        await interaction.finalize_interaction(instance)
        return turns, score

    return asyncio.run(episode())


def test_rows_are_what_verl_reads_and_carry_no_answer(tmp_path):
    rows = verl_rows([MATH], channels=["verbal", "unary"], episodes=3)
    path = write_parquet(tmp_path / "train.parquet", rows)
    frame = pd.read_parquet(path)
    assert list(frame.columns) == ["data_source", "prompt", "ability", "reward_model", "extra_info"]
    assert len(frame) == 6
    info = frame.iloc[4]["extra_info"]
    assert info["interaction_kwargs"]["channel"] == "unary" and info["seed"] == 1
    assert frame.iloc[0]["reward_model"]["ground_truth"] == ""
    right = answer(MATH, "verbal", 0, "{}")
    assert f"The answer is {right}" not in json.dumps(rows)


def test_interaction_gives_feedback_and_scores_per_turn():
    row = verl_rows([MATH], channels=["verbal"], episodes=1)[0]
    right = answer(MATH, "verbal", 0, "{}")
    interaction = FeedbackInteraction({"name": "fbgym"})
    turns, score = play(interaction, row, ["The answer is -999", f"The answer is {right}", "x"])
    assert [(done, reward) for done, _, reward, _ in turns] == [(False, 0.0), (True, 1.0)]
    assert turns[0][1].startswith("Feedback on your answer:")
    assert turns[1][3] == {"success": True, "turn": 2}
    assert score == 1.0
    with pytest.raises(ConfigError, match="no open interaction"):
        asyncio.run(interaction.calculate_score("fbgym-0"))


def test_interaction_ends_at_the_turn_budget_in_the_scalar_channel():
    row = verl_rows([MATH], channels=["scalar"], episodes=1, env_kwargs={"max_turns": 2})[0]
    turns, score = play(FeedbackInteraction(), row, ["The answer is -999"] * 3)
    assert [done for done, *_ in turns] == [False, True]
    assert score == 0.0


def test_compute_score_is_fbgyms_grading():
    rows = verl_rows([MATH], channels=["verbal"], episodes=3)
    for row in rows:
        info = row["extra_info"]
        right = answer(info["env_id"], info["channel"], info["seed"], info["kwargs"])
        assert compute_score(row["data_source"], f"So, the answer is {right}", "", info) == 1.0
        assert compute_score(row["data_source"], "The answer is -999", "", info) == 0.0


def test_cli_writes_a_split_from_a_suite(tmp_path):
    result = CliRunner().invoke(
        main, ["export-verl", "smoke", "--channel", "verbal", "--out", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    frame = pd.read_parquet(tmp_path / "train.parquet")
    assert len(frame) == 40
    assert {json.loads(i["kwargs"])["split"] for i in frame["extra_info"]} == {"train"}
    result = CliRunner().invoke(main, ["export-verl", "nosuch", "--out", str(tmp_path)])
    assert result.exit_code == 2 and "no suite 'nosuch'" in result.output
