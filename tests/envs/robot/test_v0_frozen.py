"""``fbgym/RobotCorrection-v0`` plays exactly as it did when its transcripts were recorded."""

import json

import pytest

from tests.envs.robot.v0_transcripts import FIXTURE, replay

EPISODES = json.loads(FIXTURE.read_text())


@pytest.mark.parametrize("episode", EPISODES, ids=lambda e: f"{e['kwargs']}-{e['seed']}")
def test_v0_transcript_replays_identically(episode):
    digests = replay(episode["kwargs"], episode["seed"], episode["actions"])
    first = next((i for i, (a, b) in enumerate(zip(digests, episode["digests"])) if a != b), None)
    assert first is None, f"step {first} differs from the recorded v0 transcript"
    assert len(digests) == len(episode["digests"])


def test_fixture_covers_every_channel_and_knob():
    kwargs = [e["kwargs"] for e in EPISODES]
    assert {k["feedback"] for k in kwargs} == {"verbal", "unary", "ranked", "scalar"}
    assert {"noise", "vague", "wrong", "missing", "user", "tasks"} <= {n for k in kwargs for n in k}
    assert sum(len(e["actions"]) for e in EPISODES) > 150
