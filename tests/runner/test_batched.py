import pytest

import fbgym
from fbgym.agents import FeedbackAgent
from fbgym.agents.base import BaseAgent
from fbgym.errors import ConfigError


class Counter(BaseAgent):
    """Stateless and batched: answers the turn number plus the problem's length.

    It logs each batch's size and each ended episode to ``log`` (it plays in a process of its
    own), and cannot answer the problem ``hard`` on turn 3.
    """

    name = "counter"

    def __init__(self, log, hard=None):
        self.log = str(log)
        self.hard = hard

    def _write(self, line):
        with open(self.log, "a") as handle:
            handle.write(line + "\n")

    def act_batch(self, observations, infos):
        self._write(f"batch {len(infos)}")
        for o, i in zip(observations, infos):
            if o["observation"] == self.hard and i["turn"] == 2:
                raise RuntimeError("cannot answer the hard problem on turn 3")
        return [
            f"The answer is {i['turn'] + len(o['observation'])}"
            for o, i in zip(observations, infos)
        ]

    def act(self, observation, info):
        return self.act_batch([observation], [info])[0]

    def end_episode(self, observation, info):
        self._write(f"ended {info['episode']}")


def _log(path):
    return path.read_text().splitlines()


def test_batched_equals_serial_and_batches_across_streams(tmp_path):
    serial = fbgym.evaluate(
        Counter(tmp_path / "serial.log"),
        ["fbgym/Math-v0"],
        episodes=10,
        run_dir=tmp_path / "s",
        executor="serial",
        stream_length=5,
    )
    batched = fbgym.evaluate(
        Counter(tmp_path / "batched.log"),
        ["fbgym/Math-v0"],
        episodes=10,
        run_dir=tmp_path / "b",
        executor="batched",
        batch_size=4,
        stream_length=5,
    )
    columns = ["env_id", "channel", "seed", "success", "turns", "error"]
    key = ["channel", "seed"]
    a = serial.sort_values(key)[columns].reset_index(drop=True)
    b = batched.sort_values(key)[columns].reset_index(drop=True)
    assert a.drop(columns="error").equals(b.drop(columns="error"))
    log = _log(tmp_path / "batched.log")
    assert max(int(line.split()[1]) for line in log if line.startswith("batch")) == 4
    ended = [line for line in log if line.startswith("ended")]
    assert len(ended) == len(set(ended)) == 30  # six streams of five, each told once


def test_a_failing_batch_fails_only_the_episode_that_raised(tmp_path):
    hard = fbgym.make("fbgym/Math-v0").reset(seed=7)[0]["observation"]
    df = fbgym.evaluate(
        Counter(tmp_path / "log", hard=hard),
        ["fbgym/Math-v0"],
        channels=["unary"],
        episodes=10,
        run_dir=tmp_path / "run",
        executor="batched",
        batch_size=10,
        stream_length=1,
    )
    failed = df[df.error.notna()]
    assert failed.seed.tolist() == [7] and "the hard problem" in failed.error.iloc[0]


def test_agents_that_do_not_batch_are_refused(tmp_path):
    with pytest.raises(ConfigError, match="does not batch"):
        fbgym.evaluate(
            FeedbackAgent(), ["fbgym/Math-v0"], episodes=2, run_dir=tmp_path, executor="batched"
        )
