"""The env server under bad, oversized and abandoned requests: 4xx with a reason, and it keeps serving."""

import json
import time

import gymnasium as gym
import httpx
import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from fbgym.registration import registry
from fbgym.remote import RemoteError, make
from fbgym.remote.client import websocket_url
from fbgym.remote.server import ServeConfig, create_app
from fbgym.remote.serving import BackgroundServer
from fbgym.utils.env_checker import AGENT_INFO

LIMIT = 64 * 1024


@pytest.fixture(scope="module")
def small():
    """A server with a small request limit."""
    config = ServeConfig(max_request_bytes=LIMIT)
    with BackgroundServer(create_app(config), max_message_bytes=LIMIT) as url:
        yield url


def serving(**config):
    return BackgroundServer(create_app(ServeConfig(**config)))


def post(url, path, body=None, raw=None):
    content = raw if raw is not None else json.dumps(body)
    return httpx.post(url + path, content=content, timeout=30)


def ws(url):
    return connect(websocket_url(url))


def assert_serving(url):
    assert httpx.get(url + "/health", timeout=30).json()["status"] == "healthy"
    env = make(url, "fbgym/Math-v0")
    try:
        assert env.reset(seed=0)[1]["turn"] == 0
    finally:
        env.close()


@pytest.mark.parametrize(
    "path,raw,status,says",
    [
        ("/reset", b"{not json", 400, "not valid JSON"),
        ("/reset", b"[1, 2]", 422, "expected a JSON object"),
        ("/reset", b"\xff\xfe", 400, "not valid JSON"),
        ("/reset", b'{"env_id": "fbgym/Maths-v0"}', 404, "did you mean 'fbgym/Math-v0'"),
        ("/reset", b'{"env_id": 7}', 422, "'env_id' must be a string"),
        ("/reset", b'{"env_id": "fbgym/Math-v0", "seed": "0"}', 422, "'seed' must be an integer"),
        ("/reset", b'{"env_id": "fbgym/Math-v0", "seed": true}', 422, "'seed' must be an integer"),
        ("/reset", b'{"env_id": "fbgym/Math-v0", "options": {"index": "x"}}', 400, "cannot reset"),
        (
            "/reset",
            b'{"env_id": "fbgym/Math-v0", "kwargs": {"feedback": "loud"}}',
            400,
            "cannot make",
        ),
        (
            "/reset",
            b'{"env_id": "fbgym/Math-v0", "kwargs": [1]}',
            422,
            "'kwargs' must be an object",
        ),
        ("/reset", b'{"session_id": "nope"}', 404, "no open session"),
        ("/step", b'{"session_id": "nope", "action": "x"}', 404, "no open session"),
        ("/step", b'{"action": "x"}', 404, "no open session"),
        ("/close", b'{"session_id": 5}', 422, "'session_id' must be a string"),
    ],
)
def test_malformed_requests_get_a_4xx_that_says_why(small, path, raw, status, says):
    reply = post(small, path, raw=raw)
    assert reply.status_code == status and says in reply.json()["detail"]
    assert_serving(small)


def until(condition, limit=30.0):
    deadline = time.monotonic() + limit
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.05)
    return condition()


def test_kwargs_that_read_files_or_change_the_judge_are_refused(small):
    refused = [{"data_path": "/etc/passwd"}, {"render_mode": "human"}, {"seed": 123}]
    refused.append({"privileged": True})  # would show the judge's structure (math's steps)
    for kwargs in refused:
        reply = post(small, "/reset", {"env_id": "fbgym/Math-v0", "kwargs": kwargs})
        assert reply.status_code == 400 and "may not be set by a client" in reply.json()["detail"]
    assert_serving(small)


def test_bad_steps_in_a_live_session(small):
    session = post(small, "/reset", {"env_id": "fbgym/Math-v0", "seed": 1}).json()["session_id"]
    for action, says in [
        ({"type": "not an identifier"}, "'action' must be a string"),
        ({"text": 5}, "'action' must be a string"),
        ([1, 2], "'action' must be a string"),
    ]:
        reply = post(small, "/step", {"session_id": session, "action": action})
        assert reply.status_code == 422 and says in reply.json()["detail"]
    assert post(small, "/step", {"session_id": session}).status_code == 422
    other = {"session_id": session, "env_id": "fbgym/Code-v0"}
    assert post(small, "/reset", other).status_code == 409
    for _ in range(5):  # the turn budget: then the episode is over
        reply = post(small, "/step", {"session_id": session, "action": {"type": "int"}})
        assert reply.status_code == 200
    assert (
        reply.json()["truncated"]
        and "must be a string, got int" in reply.json()["observation"]["feedback"]
    )
    reply = post(small, "/step", {"session_id": session, "action": "The answer is 1"})
    assert reply.status_code == 409 and "reset first" in reply.json()["detail"]
    assert post(small, "/close", {"session_id": session}).status_code == 200
    assert_serving(small)


def test_oversized_requests_get_413_and_the_server_keeps_serving(small):
    big = {"env_id": "fbgym/Math-v0", "options": {"pad": "x" * (2 * LIMIT)}}
    assert post(small, "/reset", big).status_code == 413

    def chunks():  # no Content-Length: the body is counted as it arrives
        for _ in range(4):
            yield b" " * LIMIT

    reply = httpx.post(small + "/reset", content=chunks(), timeout=30)
    assert reply.status_code == 413 and "over" in reply.json()["detail"]
    with ws(small) as socket:
        socket.send(json.dumps({"type": "step", "data": {"action": "x" * (2 * LIMIT)}}))
        with pytest.raises(ConnectionClosed) as closed:
            socket.recv(timeout=30)
    assert closed.value.rcvd.code == 1009
    assert_serving(small)


def test_malformed_websocket_messages_get_errors_on_a_live_socket(small):
    with ws(small) as socket:
        for message, says in [
            ("{oops", "not valid JSON"),
            ("[]", "expected a JSON object"),
            ('{"type": "fly"}', "unknown message type 'fly'"),
            ('{"type": "step", "data": {"action": "x"}}', "reset first"),
            ('{"type": "reset", "data": {}}', "must name an 'env_id'"),
            ('{"type": "reset", "data": 3}', "expected a JSON object"),
        ]:
            socket.send(message)
            reply = json.loads(socket.recv(timeout=30))
            assert reply["type"] == "error" and says in reply["data"]["message"]
        socket.send(b'{"type": "reset", "data": {"env_id": "fbgym/Math-v0", "seed": 4}}')
        reply = json.loads(socket.recv(timeout=30))
        assert reply["type"] == "observation" and reply["data"]["info"]["turn"] == 0


def test_capacity_is_a_503_and_frees_when_sessions_close():
    with serving(max_sessions=2) as url:
        opened = [make(url, "fbgym/Math-v0") for _ in range(2)]
        try:
            for env in opened:
                env.reset(seed=0)
            assert post(url, "/reset", {"env_id": "fbgym/Math-v0"}).status_code == 503
            with ws(url) as socket:
                assert "full" in json.loads(socket.recv(timeout=30))["data"]["message"]
                with pytest.raises(ConnectionClosed) as closed:
                    socket.recv(timeout=30)
            assert closed.value.rcvd.code == 1013
        finally:
            for env in opened:
                env.close()
        assert until(lambda: httpx.get(url + "/health").json()["sessions"] == 0)
        assert_serving(url)


def test_quiet_sessions_are_closed():
    with serving(idle_timeout=0.5) as url:
        session = post(url, "/reset", {"env_id": "fbgym/Math-v0"}).json()["session_id"]
        state = lambda: httpx.get(url + "/state", params={"session_id": session})  # noqa: E731
        assert until(lambda: state().status_code == 404)
        env = make(url, "fbgym/Math-v0")
        env.reset(seed=0)
        assert until(lambda: httpx.get(url + "/health").json()["sessions"] == 0)
        with pytest.raises(RemoteError, match="without a message"):
            env.step("The answer is 1")
        env.close()


def test_a_dropped_connection_closes_its_session():
    with serving() as url, ws(url) as socket:
        socket.send(json.dumps({"type": "reset", "data": {"env_id": "fbgym/Math-v0"}}))
        socket.recv(timeout=30)
        assert httpx.get(url + "/health").json()["sessions"] == 1
        socket.socket.close()  # gone without a goodbye
        assert until(lambda: httpx.get(url + "/health").json()["sessions"] == 0)


def test_clients_see_only_the_agents_view(env_url):
    """The judge's notes (a deliberately wrong hint) and outcomes never leave the server."""
    kwargs = {"feedback": "verbal", "user": {"noise": 1.0}}
    local = gym.make("fbgym/Math-v0", **kwargs)
    env = make(env_url, "fbgym/Math-v0", **kwargs)
    try:
        _, info = env.reset(seed=5)
        local.reset(seed=5)
        assert set(info) == AGENT_INFO | {"problem"} and "answer" not in info["problem"]
        for action in ("The answer is 1", "The answer is 2"):
            local.step(action)
            _, reward, _, _, info = env.step(action)
            assert set(info) == AGENT_INFO and reward in (0.0, 1.0)
            assert info["feedback"].notes == {}
        assert any(turn.feedback.notes for turn in local.unwrapped.history)  # the judge had some
        assert set(env.state()) == {"session_id", "env_id", "kwargs", "turn", "done", "problem_id"}
        assert not hasattr(env, "history")
    finally:
        env.close()


def test_describes_what_it_serves(env_url):
    envs = httpx.get(env_url + "/envs").json()
    assert {e["id"] for e in envs} >= {"fbgym/Math-v0", "fbgym/ConvSearch-v0"}
    schema = httpx.get(env_url + "/schema", params={"env_id": "fbgym/ConvSearch-v0"}).json()
    assert [t["function"]["name"] for t in schema["tools"]] == ["search", "ask", "answer", "stop"]
    assert "feedback" in schema["kwargs"] and schema["action"]["maxLength"] == 20_000
    assert httpx.get(env_url + "/schema", params={"env_id": "x/Y-v0"}).status_code == 404
    assert httpx.get(env_url + "/schema").status_code == 422


class Boom(gym.Env):
    """An env with a bug: it raises on 'boom' (a plugin's env could)."""

    observation_space = gym.spaces.Text(10, min_length=0)
    action_space = gym.spaces.Text(10)

    def __init__(self, feedback="verbal"):
        pass

    def reset(self, *, seed=None, options=None):
        return "", {"problem_id": "boom/0", "turn": 0}

    def step(self, action):
        if action == "boom":
            raise RuntimeError("a bug in the env")
        return "", 0.0, False, False, {"turn": 1}


def test_an_env_that_raises_is_a_500_and_the_server_keeps_serving():
    registry.register("test/Boom-v0", Boom, family="boom", channels=("verbal",))
    try:
        config = ServeConfig(envs=("test/Boom-v0", "fbgym/Math-v0"))
        with BackgroundServer(create_app(config)) as url:
            env = make(url, "test/Boom-v0")
            env.reset(seed=0)
            with pytest.raises(RemoteError, match="the env failed: RuntimeError: a bug"):
                env.step("boom")
            env.close()
            session = post(url, "/reset", {"env_id": "test/Boom-v0"}).json()["session_id"]
            reply = post(url, "/step", {"session_id": session, "action": "boom"})
            assert reply.status_code == 500 and "a bug in the env" in reply.json()["detail"]
            assert_serving(url)
    finally:
        registry.unregister("test/Boom-v0")
