import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

import fbgym
from fbgym.agents import FeedbackAgent
from fbgym.agents.llm.hindsight import ACCEPTED, encode_example, hindsight_examples
from fbgym.errors import DataFormatError
from fbgym.runner.records import RunDir

EXAMPLE = Path(__file__).parents[3] / "examples" / "train_on_feedback.py"


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    path = tmp_path_factory.mktemp("run")
    fbgym.evaluate(
        FeedbackAgent(),
        ["fbgym/Math-v0"],
        channels=["verbal"],
        episodes=6,
        run_dir=path,
        executor="serial",
    )
    return RunDir(path)


def test_every_recorded_action_becomes_an_example_in_context(run):
    records = list(run.episodes())
    examples = list(hindsight_examples(records))
    assert len(examples) == sum(r["turns"] for r in records)
    assert sum(e.success for e in examples) == sum(r["success"] for r in records)
    first = records[0]["transcript"]
    assert [e.action for e in examples[: len(first)]] == [t["action"] for t in first]
    for example in examples:
        turn = sum(m["role"] == "assistant" for m in example.messages)
        conditioned = example.conditioned()[-1]["content"]
        if example.success:
            assert example.label == ACCEPTED and conditioned.endswith(ACCEPTED)
        else:
            assert "not accepted" in example.label and example.feedback in example.label
        if turn:  # later turns carry the feedback of the previous attempt
            assert "Feedback on your answer:" in example.messages[-1]["content"]
    assert any(not e.success for e in examples) and any(e.success for e in examples)


def test_a_record_that_does_not_replay_is_rejected(run):
    record = json.loads(json.dumps(next(run.episodes())))
    record["transcript"][0]["outcome"]["success"] = not record["transcript"][0]["outcome"][
        "success"
    ]
    with pytest.raises(DataFormatError, match="turn 1: replay gave"):
        list(hindsight_examples([record]))


def test_encoded_labels_score_only_the_reply(tiny_llama, run):
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(tiny_llama)
    example = next(hindsight_examples(run.episodes()))
    ids, labels = encode_example(tokenizer, example.conditioned(), example.action)
    scored = [t for t in labels if t != -100]
    assert len(ids) == len(labels) and scored[-1] == tokenizer.eos_token_id
    assert tokenizer.decode(scored[:-1]) == example.action
    assert ids[-len(scored) :] == scored


def test_training_example_runs_and_its_loss_falls(tmp_path):
    pytest.importorskip("torch")
    pytest.importorskip("transformers")
    pytest.importorskip("datasets")
    out = tmp_path / "model"
    proc = subprocess.run(
        [
            sys.executable,
            str(EXAMPLE),
            "--episodes",
            "12",
            "--epochs",
            "4",
            "--out",
            str(out),
            "--eval-episodes",
            "2",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    losses = [float(x) for x in re.findall(r"epoch \d+/4 loss ([\d.]+)", proc.stdout)]
    assert len(losses) == 4
    assert all(b < a for a, b in zip(losses, losses[1:])), losses
    assert losses[-1] < 0.6 * losses[0], losses
    assert (out / "config.json").exists()
    for fmt in ("sft", "kto", "dpo"):  # the run's exports, read back with load_from_disk
        assert re.search(rf"export/{fmt}: \d+ rows \(0 with noise flags\)", proc.stdout)
    assert "chosen: The answer is" in proc.stdout and "label: " in proc.stdout
    assert "played 2 new episodes" in proc.stdout and "errors 0" in proc.stdout
