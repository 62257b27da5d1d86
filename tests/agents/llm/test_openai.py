import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import gymnasium as gym
import pytest

import fbgym
from fbgym.agents.llm.openai import ChatCompletionError, ChatCompletionsClient, OpenAIAgent
from fbgym.errors import ConfigError


class ChatServer:
    """A chat-completions server on 127.0.0.1: replies ``The answer is <user turns>``.

    ``faults`` is a list consumed one per request: ``None`` answers, an int answers with that
    HTTP status, a float sleeps that many seconds before answering.
    """

    def __init__(self):
        self.requests: list[dict] = []
        self.headers: list[dict] = []
        self.faults: list = []
        self.lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                with server.lock:
                    server.requests.append(body)
                    server.headers.append(dict(self.headers))
                    fault = server.faults.pop(0) if server.faults else None
                if self.path != "/v1/chat/completions":
                    return self._send(404, {"error": "not found"})
                if isinstance(fault, int):
                    return self._send(fault, {"error": {"message": f"status {fault}"}})
                if isinstance(fault, float):
                    time.sleep(fault)
                turns = sum(m["role"] == "user" for m in body["messages"])
                reply = {
                    "id": "cmpl-1",
                    "object": "chat.completion",
                    "model": body["model"],
                    "choices": [
                        {
                            "index": 0,
                            "message": {"role": "assistant", "content": f"The answer is {turns}"},
                            "finish_reason": "stop",
                        }
                    ],
                }
                self._send(200, reply)

            def _send(self, status, payload):
                data = json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a timeout test)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server():
    srv = ChatServer()
    yield srv
    srv.close()


def agent_for(server, **kwargs):
    kwargs.setdefault("backoff", 0.0)
    return OpenAIAgent(server.url, "tiny-chat", **kwargs)


def test_plays_an_episode_with_the_conversation_and_feedback(server):
    agent = agent_for(server, api_key="sk-test", max_tokens=32, temperature=0.0)
    env = gym.make("fbgym/Math-v0", feedback="verbal", max_turns=3)
    obs, info = env.reset(seed=3)
    actions = []
    done = False
    while not done:
        action = agent.act(obs, info)
        actions.append(action)
        obs, _, term, trunc, info = env.step(action)
        done = term or trunc
    assert actions == ["The answer is 1", "The answer is 2", "The answer is 3"][: len(actions)]
    body = server.requests[-1]
    assert body["model"] == "tiny-chat" and body["max_tokens"] == 32
    assert body["temperature"] == 0.0 and isinstance(body["seed"], int)
    assert body["messages"][0]["role"] == "system"
    assert body["messages"][2] == {"role": "assistant", "content": "The answer is 1"}
    assert "Feedback on your answer:" in body["messages"][3]["content"]
    assert server.headers[-1]["Authorization"] == "Bearer sk-test"


def test_act_batch_sends_concurrent_requests_in_order(server):
    agent = agent_for(server, concurrency=4)
    envs = [gym.make("fbgym/Math-v0", feedback=c) for c in ("verbal", "unary", "ranked")]
    steps = [env.reset(seed=1) for env in envs]
    first = agent.act_batch([o for o, _ in steps], [i for _, i in steps])
    assert first == ["The answer is 1"] * 3
    steps = [env.step(a)[::4] for env, a in zip(envs, first)]
    assert agent.act_batch([o for o, _ in steps], [i for _, i in steps]) == ["The answer is 2"] * 3
    assert len(server.requests) == 6


def test_runs_through_the_runner(server, tmp_path):
    df = fbgym.evaluate(
        agent_for(server),
        ["fbgym/Math-v0"],
        channels=["unary"],
        episodes=2,
        run_dir=tmp_path,
        executor="batched",
    )
    assert len(df) == 2 and df["error"].isna().all()


def test_retries_a_server_error(server):
    server.faults = [500, 503]
    client = ChatCompletionsClient(server.url, max_retries=2, backoff=0.0)
    reply = client.complete({"model": "m", "messages": [{"role": "user", "content": "hi"}]})
    assert reply["choices"][0]["message"]["content"] == "The answer is 1"
    assert len(server.requests) == 3


def test_retries_after_a_timeout(server):
    server.faults = [1.5]
    client = ChatCompletionsClient(server.url, timeout=0.3, max_retries=1, backoff=0.0)
    reply = client.complete({"model": "m", "messages": [{"role": "user", "content": "hi"}]})
    assert reply["choices"][0]["message"]["content"] == "The answer is 1"
    assert len(server.requests) == 2


def test_gives_up_with_a_clear_error(server):
    server.faults = [500, 500, 500]
    client = ChatCompletionsClient(server.url, max_retries=2, backoff=0.0)
    with pytest.raises(ChatCompletionError, match=r"HTTP 500 .* \(after 3 tries\)"):
        client.complete({"model": "m", "messages": []})
    server.faults = [400]
    with pytest.raises(ChatCompletionError, match="HTTP 400"):
        client.complete({"model": "m", "messages": []})
    assert len(server.requests) == 4  # a 400 is not retried


def test_unreachable_server_and_bad_settings():
    client = ChatCompletionsClient("http://127.0.0.1:9/v1", max_retries=0, timeout=1.0)
    with pytest.raises(ChatCompletionError, match="cannot reach"):
        client.complete({"model": "m", "messages": []})
    with pytest.raises(ConfigError, match="http://"):
        OpenAIAgent("localhost:8000", "m")
    with pytest.raises(ConfigError, match="model must name"):
        OpenAIAgent("http://localhost:8000/v1", "")


def test_config_never_holds_the_key(server):
    agent = agent_for(server, api_key="sk-secret")
    assert "sk-secret" not in json.dumps(agent.config())
    assert agent.name == "openai-tiny-chat"
