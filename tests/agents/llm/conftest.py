"""Fixtures for the LLM agent tests: every family imported, tiny models, a scripted agent."""

import importlib
import pkgutil
from collections.abc import Callable, Sequence

import gymnasium as gym
import pytest

import fbgym
import fbgym.envs
from fbgym.agents.llm.base import LLMAgent


def import_families() -> list:
    """Import every family package under ``fbgym.envs`` so its ids are registered."""
    for module in pkgutil.iter_modules(fbgym.envs.__path__):
        if module.ispkg:
            importlib.import_module(f"fbgym.envs.{module.name}")
    return fbgym.list_envs()


class ScriptedAgent(LLMAgent):
    """An LLMAgent whose 'model' is a function of the conversation; records every request."""

    name = "scripted"

    def __init__(self, reply: Callable[[list[dict]], str], **kwargs):
        super().__init__(**kwargs)
        self.reply = reply
        self.requests: list[list[dict]] = []
        self.batches: list[int] = []

    def generate(self, conversations: Sequence[list[dict]], seeds: Sequence[int]) -> list[str]:
        self.requests.extend(conversations)
        self.batches.append(len(conversations))
        return [self.reply(m) for m in conversations]


def corpus() -> list[str]:
    """Text of every registered env's first turns, to train the tiny tokenizer on."""
    texts = []
    for info in import_families():
        env = gym.make(info.id, feedback="verbal")
        for seed in range(3):
            obs, _ = env.reset(seed=seed)
            texts += [obs["instruction"], obs["observation"]]
            obs, *_ = env.step("The answer is 3")
            texts.append(obs["feedback"])
    return texts + ["The answer is 42.", "search: rivers", "pick red_block; place green_bowl"]


@pytest.fixture(scope="session")
def tiny_models(tmp_path_factory):
    """Paths of a tiny Llama and a tiny GPT-2, saved like any checkpoint."""
    pytest.importorskip("torch")
    pytest.importorskip("transformers")
    from fbgym.agents.llm.tiny import build_tiny_model

    text = corpus()
    root = tmp_path_factory.mktemp("tiny")
    return {
        arch: build_tiny_model(root / arch, text, architecture=arch, init_std=0.5)
        for arch in ("llama", "gpt2")
    }


@pytest.fixture(scope="session")
def tiny_llama(tiny_models):
    return tiny_models["llama"]


@pytest.fixture
def scripted():
    """The :class:`ScriptedAgent` class."""
    return ScriptedAgent


@pytest.fixture(scope="session")
def families():
    """Every registered env (all family packages imported)."""
    return import_families()
