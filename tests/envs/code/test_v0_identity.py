"""Code-v0 replays byte for byte as recorded: new generations never change old runs."""

import json

from tests.envs.code.v0_transcripts import FIXTURE, all_transcripts, dump


def test_code_v0_transcripts_are_unchanged():
    recorded = json.loads(FIXTURE.read_text())
    replayed = json.loads(dump(all_transcripts()))
    assert replayed.keys() == recorded.keys()
    for key in recorded:
        assert dump(replayed[key]) == dump(recorded[key]), key
