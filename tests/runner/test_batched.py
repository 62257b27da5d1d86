import pytest

import fbgym
from fbgym.agents import FeedbackAgent
from fbgym.agents.base import BaseAgent
from fbgym.errors import ConfigError


class Counter(BaseAgent):
    """Stateless and batched: answers the turn number plus the seed's last digit."""

    name = "counter"

    def __init__(self):
        self.batches = []
        self.ended = []

    def act_batch(self, observations, infos):
        self.batches.append(len(infos))
        if any(i["episode_key"].endswith("|7") and i["turn"] == 2 for i in infos):
            raise RuntimeError("cannot answer episode 7 on turn 3")
        return [f"The answer is {i['turn'] + int(i['episode_key'][-1])}" for i in infos]

    def act(self, observation, info):
        return self.act_batch([observation], [info])[0]

    def end_episode(self, observation, info):
        self.ended.append(info["episode_key"])


def test_batched_equals_serial_and_batches_across_streams(tmp_path):
    serial = fbgym.evaluate(
        Counter(),
        ["fbgym/Math-v0"],
        episodes=10,
        run_dir=tmp_path / "s",
        executor="serial",
        stream_length=5,
    )
    agent = Counter()
    batched = fbgym.evaluate(
        agent,
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
    assert max(agent.batches) == 4  # six streams, four at a time
    assert len(agent.ended) == 30


def test_a_failing_batch_fails_only_the_episode_that_raised(tmp_path):
    df = fbgym.evaluate(
        Counter(),
        ["fbgym/Math-v0"],
        channels=["unary"],
        episodes=10,
        run_dir=tmp_path,
        executor="batched",
        batch_size=10,
        stream_length=1,
    )
    failed = df[df.error.notna()]
    assert failed.seed.tolist() == [7] and "episode 7" in failed.error.iloc[0]


def test_agents_that_do_not_batch_are_refused(tmp_path):
    with pytest.raises(ConfigError, match="does not batch"):
        fbgym.evaluate(
            FeedbackAgent(), ["fbgym/Math-v0"], episodes=2, run_dir=tmp_path, executor="batched"
        )
