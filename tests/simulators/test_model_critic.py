"""Model-backed critics end to end: a tiny transformers model and a local OpenAI-style server."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import gymnasium as gym
import pytest

import fbgym  # noqa: F401
from fbgym.core.types import FeedbackKind
from fbgym.simulators import SimulatedUser, register_user
from fbgym.simulators.model_critic import ModelCritic, ModelError, OpenAIChat, TransformersChat

ACTIONS = ["The answer is 3", "The answer is 1000", "The answer is 7"]
_MODELS: dict[str, object] = {}


def use_model(name: str, model) -> str:
    """Register (once) a user named ``name`` whose critic is the model in ``_MODELS[name]``."""
    if name not in _MODELS:
        register_user(name, lambda sim: SimulatedUser(_MODELS[name], sim.channel))
    _MODELS[name] = model
    return name


def transcript(user: str, seed: int = 5) -> list[tuple[str, dict]]:
    env = gym.make("fbgym/Math-v0", user=user, max_turns=len(ACTIONS))
    env.reset(seed=seed)
    out = []
    for action in ACTIONS:
        obs, _, terminated, truncated, info = env.step(action)
        out.append((obs["feedback"], dict(env.unwrapped.history[-1].feedback.notes)))
        if terminated or truncated:
            break
    return out


class Exploding:
    """A chat model that must not be called (the cache has to answer)."""

    name = "transformers:tiny"

    def chat(self, messages, **kwargs):
        raise AssertionError("the model was called although the reply is cached")


@pytest.fixture(scope="module")
def tiny_model_dir(tmp_path_factory):
    pytest.importorskip("torch")
    transformers = pytest.importorskip("transformers")
    tokenizers = pytest.importorskip("tokenizers")
    from tokenizers import models, pre_tokenizers, trainers

    corpus = [
        "Your answer is too high. Check step two again.",
        "The answer is too low; look at how you added the numbers.",
        "Problem: compute the total. Worked solution: add then multiply.",
        "system user assistant teacher feedback student reference",
    ] * 4
    tok = tokenizers.Tokenizer(models.WordLevel(unk_token="[UNK]"))
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    specials = ["[UNK]", "[PAD]", "<s>", "</s>"]
    tok.train_from_iterator(corpus, trainers.WordLevelTrainer(special_tokens=specials))
    tokenizer = transformers.PreTrainedTokenizerFast(
        tokenizer_object=tok,
        unk_token="[UNK]",
        pad_token="[PAD]",
        bos_token="<s>",
        eos_token="</s>",
    )
    tokenizer.chat_template = (
        "{% for m in messages %}{{ m['role'] }}: {{ m['content'] }}\n{% endfor %}"
        "{% if add_generation_prompt %}assistant:{% endif %}"
    )
    config = transformers.LlamaConfig(
        vocab_size=len(tokenizer),
        hidden_size=16,
        intermediate_size=32,
        num_hidden_layers=1,
        num_attention_heads=2,
        num_key_value_heads=2,
        max_position_embeddings=1024,
        pad_token_id=tokenizer.pad_token_id,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
    )
    model = transformers.AutoModelForCausalLM.from_config(config)
    path = tmp_path_factory.mktemp("tiny-llm")
    model.save_pretrained(path)
    tokenizer.save_pretrained(path)
    return path


def test_transformers_critic_plays_seeded_cached_and_non_replayable(tiny_model_dir, tmp_path):
    chat = TransformersChat.from_pretrained(tiny_model_dir)
    chat.name = "transformers:tiny"
    critic = ModelCritic(chat, cache_dir=tmp_path / "cache", max_tokens=12, temperature=1.0)
    first = transcript(use_model("tiny-critic", critic))
    assert first and all(meta["replayable"] is False for _, meta in first)
    assert all(text and meta["model"] == "transformers:tiny" for text, meta in first)
    assert len(list((tmp_path / "cache").rglob("*.json"))) == len(first)
    # Seeded sampling: a fresh cache gives the same words for the same episode.
    fresh = ModelCritic(chat, cache_dir=tmp_path / "other", max_tokens=12, temperature=1.0)
    assert transcript(use_model("tiny-critic", fresh)) == first
    # Replay reads the cache and never calls the model.
    cached = ModelCritic(Exploding(), cache_dir=tmp_path / "cache", max_tokens=12, temperature=1.0)
    assert transcript(use_model("tiny-critic", cached)) == first
    # Another episode seed samples with other seeds.
    other = transcript(use_model("tiny-critic", fresh), seed=6)
    assert [m["seed"] for _, m in other] != [m["seed"] for _, m in first]


def test_transformers_chat_leaves_torch_global_rng_alone(tiny_model_dir):
    torch = pytest.importorskip("torch")
    chat = TransformersChat.from_pretrained(tiny_model_dir)
    messages = [{"role": "user", "content": "too high"}]
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    a = chat.chat(messages, seed=1, temperature=1.0, max_tokens=8)
    assert torch.equal(torch.rand(3), expected)
    assert a == chat.chat(messages, seed=1, temperature=1.0, max_tokens=8)


class _Handler(BaseHTTPRequestHandler):
    requests: list[dict] = []

    def do_POST(self):  # noqa: N802 (http.server's name)
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).requests.append(
            {"path": self.path, "auth": self.headers.get("Authorization"), **body}
        )
        if body["model"] == "broken":
            self.send_response(500)
            self.end_headers()
            self.wfile.write(b"model crashed")
            return
        last = body["messages"][-1]["content"]
        reply = f"Seed {body['seed']}: check your working ({len(last)} characters read)."
        payload = {"choices": [{"index": 0, "message": {"role": "assistant", "content": reply}}]}
        data = json.dumps(payload).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    _Handler.requests = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/v1"
    httpd.shutdown()
    httpd.server_close()


def test_openai_endpoint_critic_end_to_end(server, tmp_path):
    chat = OpenAIChat(server, "tiny-remote", api_key="local-test")
    first = transcript(
        use_model("http-critic", ModelCritic(chat, cache_dir=tmp_path, temperature=0.3))
    )
    sent = _Handler.requests
    assert len(sent) == len(first)
    for (text, meta), request in zip(first, sent):
        assert request["path"] == "/v1/chat/completions" and request["model"] == "tiny-remote"
        assert request["auth"] == "Bearer local-test" and request["temperature"] == 0.3
        assert [m["role"] for m in request["messages"]] == ["system", "user"]
        assert "Worked solution" in request["messages"][1]["content"]
        assert text.startswith(f"Seed {meta['seed']}: check your working")
        assert meta["replayable"] is False and meta["seed"] == request["seed"]
    env = gym.make("fbgym/Math-v0", user="http-critic")
    env.reset(seed=5)
    *_, info = env.step("The answer is 3")
    assert info["feedback"].kinds == (FeedbackKind.HINDSIGHT_NEGATIVE,)
    assert len(_Handler.requests) == len(first)  # the same turn again is answered by the cache


def test_endpoint_errors_say_what_went_wrong(server):
    critic = ModelCritic(OpenAIChat(server, "broken"))
    with pytest.raises(ModelError, match="answered HTTP 500: model crashed"):
        transcript(use_model("broken-critic", critic))
    with pytest.raises(ModelError, match="could not get a reply"):
        OpenAIChat("http://127.0.0.1:9/v1", "x", timeout=2).chat(
            [{"role": "user", "content": "hi"}], seed=0, temperature=0.0, max_tokens=4
        )
