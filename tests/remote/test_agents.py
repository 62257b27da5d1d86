"""Agents served at a URL: played by the runner and the leaderboard as a player process plays them."""

import json
import subprocess
import sys
import textwrap
import time

import pytest
from click.testing import CliRunner

import fbgym
from fbgym.agents.base import BaseAgent
from fbgym.agents.baselines import FeedbackAgent
from fbgym.cli import main
from fbgym.remote import RemoteAgent
from fbgym.remote.agent_server import create_agent_app
from fbgym.remote.serving import BackgroundServer
from fbgym.runner.player import AgentError
from fbgym.runner.suites import Suite, SuiteEntry, all_suites, register_suite

ENVS = ["fbgym/Math-v0", "fbgym/ConvSearch-v0", "fbgym/RobotCorrection-v0"]
PLAYED = ["key", "success", "turns", "attempts", "score", "error"]


@pytest.fixture(scope="module")
def baseline_url():
    with BackgroundServer(create_agent_app(FeedbackAgent())) as url:
        yield url


def records(df):
    lines = (df.attrs["run_dir"] + "/episodes.jsonl",)
    with open(lines[0]) as f:
        found = [json.loads(line) for line in f]
    return sorted(
        ([r[c] for c in PLAYED], [(t["action"], t["feedback"]) for t in r["transcript"]])
        for r in found
    )


@pytest.mark.parametrize("executor", ["serial", "process"])
def test_a_served_agent_plays_as_it_does_in_a_player_process(baseline_url, tmp_path, executor):
    kwargs = dict(channels=["verbal", "unary"], episodes=3, executor=executor, workers=2)
    local = fbgym.evaluate(FeedbackAgent(), ENVS, run_dir=tmp_path / "local", **kwargs)
    remote = fbgym.evaluate(baseline_url, ENVS, run_dir=tmp_path / "remote", **kwargs)
    assert records(remote) == records(local) and local.success.any()
    meta = json.loads((tmp_path / "remote" / "meta.json").read_text())
    assert meta["agent"]["name"] == "feedback-baseline" and meta["agent"]["privileged"]
    assert meta["agent_isolation"] == {"process": "remote"}
    assert meta["agent"]["config"]["class"].endswith("FeedbackAgent")


@pytest.fixture
def mini_suite():
    if "remote-mini" not in all_suites():
        register_suite(
            Suite(
                "remote-mini",
                1,
                (
                    SuiteEntry("fbgym/Math-v0", ("verbal", "unary"), 3),
                    SuiteEntry("fbgym/ConvSearch-v0", ("ranked",), 2),
                ),
            )
        )
    return "remote-mini"


def test_leaderboard_evaluate_takes_a_url_and_gets_the_player_process_results(
    baseline_url, mini_suite, tmp_path, monkeypatch
):
    monkeypatch.setattr("fbgym.leaderboard.sealed.draw_seed", lambda: 987654321)
    stored = {}
    for name, agent in [("local", "feedback-baseline"), ("remote", baseline_url)]:
        args = ["leaderboard", "evaluate", agent, "--suite", mini_suite, "--submitter", "host"]
        args += ["--results", str(tmp_path / name), "--executor", "serial"]
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 0, result.output
        (folder,) = (tmp_path / name).glob("host/*/")
        manifest = json.loads((folder / "submission.json").read_text())
        assert manifest["evaluation"] == "sealed" and manifest["status"] == "verified"
        with (folder / "episodes.jsonl").open() as f:
            stored[name] = sorted(
                ([r[c] for c in PLAYED], r["transcript"]) for r in map(json.loads, f)
            )
    assert stored["remote"] == stored["local"]


class Flaky(BaseAgent):
    """Raises on its second turn, and stalls through its second episode."""

    name = "flaky"
    episodes = 0

    def reset(self, instruction, *, seed=None):
        self.episodes += 1
        self.turn = 0

    def act(self, observation, info):
        self.turn += 1
        if self.episodes == 2:
            time.sleep(6)
        if self.turn == 2:
            raise RuntimeError("second thoughts")
        return "The answer is 7"


def test_raising_and_stalling_served_agents_fail_their_episodes_only(tmp_path):
    with BackgroundServer(create_agent_app(Flaky())) as url:
        df = fbgym.evaluate(
            url, "fbgym/Math-v0", channels=["unary"], episodes=4, executor="serial",
            step_timeout=3, run_dir=tmp_path / "run",
        )  # fmt: skip
    # The timed-out connection is dropped, and a fresh copy plays on: its own second
    # episode stalls again.
    assert len(df) == 4 and df.error.notna().all()
    assert ["second thoughts" in df.error[i] for i in (0, 2)] == [True, True]
    assert ["took longer than the 3 s step timeout" in df.error[i] for i in (1, 3)] == [True] * 2


def test_an_unreachable_agent_is_a_clear_error_before_the_run():
    with pytest.raises(AgentError, match="cannot reach the agent at ws://127.0.0.1:9/ws"):
        RemoteAgent("http://127.0.0.1:9", retries=1, backoff=0.01)


DYING = textwrap.dedent(
    """
    import os, time
    from fbgym.agents.base import BaseAgent

    class Dying(BaseAgent):
        name = "dying"
        calls = 0

        def act(self, observation, info):
            type(self).calls += 1
            if type(self).calls == 4:
                os._exit(3)  # the server goes with it
            if type(self).calls == 2:
                time.sleep(30)
            return "The answer is 7"

        def act_batch(self, observations, infos):
            return [self.act(o, i) for o, i in zip(observations, infos)]
    """
)


def serve_agent(tmp_path, spec):
    (tmp_path / "dying_agent.py").write_text(DYING)
    process = subprocess.Popen(
        [sys.executable, "-m", "fbgym.cli", "serve-agent", spec, "--port", "0"],
        cwd=tmp_path,
        env={"PYTHONPATH": str(tmp_path), "PATH": "/usr/bin:/bin"},
        stderr=subprocess.PIPE,
        text=True,
    )
    line = process.stderr.readline()
    assert "serving agent" in line, line
    return process, line.rsplit(" ", 1)[1].strip()


@pytest.mark.parametrize("executor", ["serial", "batched"])
def test_a_served_agent_that_dies_fails_the_rest_of_the_run_not_the_run(tmp_path, executor):
    process, url = serve_agent(tmp_path, "dying_agent:Dying")
    try:
        agent = RemoteAgent(url, retries=1, backoff=0.01)
        df = fbgym.evaluate(
            agent, "fbgym/Math-v0", channels=["verbal"], episodes=6, executor=executor,
            step_timeout=3, run_dir=tmp_path / "run",
        )  # fmt: skip
    finally:
        process.kill()
        process.wait()
    assert process.returncode == 3 or process.returncode < 0
    assert len(df) == 6 and df.error.notna().sum() >= 4
    errors = " ".join(df.error.dropna())
    assert "cannot reach the agent" in errors or "went away" in errors


class NoStart(BaseAgent):
    """An agent that cannot start a stream (a player that is gone behaves the same)."""

    name = "no-start"

    def new_stream(self):
        raise RuntimeError("no stream today")

    def act(self, observation, info):
        return "The answer is 7"

    def act_batch(self, observations, infos):
        return ["The answer is 7"] * len(observations)


def test_batched_runs_survive_an_agent_that_cannot_start(tmp_path):
    df = fbgym.evaluate(
        NoStart(), "fbgym/Math-v0", channels=["verbal"], episodes=3, executor="batched",
        run_dir=tmp_path / "run",
    )  # fmt: skip
    assert len(df) == 3 and df.error.str.contains("no stream today").all()


def test_the_agent_server_answers_bad_requests_and_plays_on(baseline_url):
    from websockets.sync.client import connect

    from fbgym.remote.client import websocket_url

    with connect(websocket_url(baseline_url)) as socket:
        for message, says in [
            ("{oops", "not valid JSON"),
            ('{"op": "fly"}', "unknown request 'fly'"),
            ('{"op": "act"}', "KeyError"),
        ]:
            socket.send(message)
            assert says in json.loads(socket.recv(timeout=30))["error"]
        socket.send('{"op": "info"}')
        assert json.loads(socket.recv(timeout=30))["ok"]["name"] == "feedback-baseline"


def test_a_served_agent_never_plays_in_process(baseline_url):
    from fbgym.errors import ConfigError

    with pytest.raises(ConfigError, match="never in-process"):
        fbgym.evaluate(RemoteAgent(baseline_url), "fbgym/Math-v0", episodes=1, in_process=True)
