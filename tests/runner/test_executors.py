import threading

import pytest

import fbgym
from fbgym.agents import BlindAgent, FeedbackAgent
from fbgym.errors import ConfigError
from fbgym.runner.executors import get_executor, make_streams
from fbgym.runner.suites import get_suite


def results(df):
    return (
        df.drop(columns=["elapsed_s"])
        .sort_values(["env_id", "channel", "seed"])
        .reset_index(drop=True)
    )


@pytest.mark.parametrize("agent", [FeedbackAgent(), BlindAgent()])
def test_serial_and_process_executors_agree(tmp_path, agent):
    serial = fbgym.evaluate(agent, "smoke", run_dir=tmp_path / "s", executor="serial")
    process = fbgym.evaluate(agent, "smoke", run_dir=tmp_path / "p", executor="process", workers=2)
    assert results(serial).equals(results(process))


def test_ray_executor_agrees_with_serial(tmp_path):
    pytest.importorskip("ray")
    serial = fbgym.evaluate(FeedbackAgent(), "smoke", run_dir=tmp_path / "s", executor="serial")
    on_ray = fbgym.evaluate(
        FeedbackAgent(), "smoke", run_dir=tmp_path / "r", executor="ray", workers=2
    )
    assert results(serial).equals(results(on_ray))


def test_streams_split_by_env_and_length():
    specs = get_suite("smoke").specs()
    streams = make_streams(specs, 4)
    assert [len(s.specs) for s in streams] == [4, 4, 2] * 12
    assert all(len({e.env_key for e in s.specs}) == 1 for s in streams)
    with pytest.raises(ConfigError, match="at least 1"):
        make_streams(specs, 0)


def test_unknown_executor_and_unpicklable_agents(tmp_path):
    with pytest.raises(ConfigError, match="choose serial, process, ray or batched"):
        get_executor("threads")

    class Local(FeedbackAgent):  # defined in a function: travels by value
        pass

    df = fbgym.evaluate(Local(), ["fbgym/Math-v0"], episodes=1, run_dir=tmp_path / "local")
    assert df.error.isna().all()
    agent = FeedbackAgent()
    agent.lock = threading.Lock()  # cannot be pickled
    with pytest.raises(ConfigError, match="cannot be sent to a player process"):
        fbgym.evaluate(agent, ["fbgym/Math-v0"], episodes=1, run_dir=tmp_path / "lock")


def test_ids_registered_at_runtime_reach_fresh_worker_processes(tmp_path, monkeypatch):
    import multiprocessing

    from fbgym.runner import executors

    monkeypatch.setattr(executors, "_context", lambda: multiprocessing.get_context("forkserver"))
    fbgym.register(
        "tests/Runtime-v0", "fbgym.envs.math.env:MathEnv", family="math", kwargs={"levels": (1,)}
    )
    try:
        df = fbgym.evaluate(
            FeedbackAgent(),
            ["tests/Runtime-v0"],
            channels=["unary"],
            episodes=4,
            run_dir=tmp_path,
            executor="process",
            workers=2,
        )
        local = fbgym.make("tests/Runtime-v0", feedback="unary")
        level_one = [local.reset(seed=seed)[1]["problem_id"] for seed in range(4)]
        assert df.error.isna().all() and df.problem_id.tolist() == level_one
    finally:
        fbgym.registry.unregister("tests/Runtime-v0")
