"""Fixtures for the trainer adapters: a tiny causal LM built from a config, with a tokenizer."""

import pytest


@pytest.fixture(scope="session")
def tiny_lm(tmp_path_factory):
    """The path of a tiny random Llama whose chat template renders tool calls (Qwen's)."""
    pytest.importorskip("trl")
    from transformers import AutoModelForCausalLM, AutoTokenizer
    from trl.chat_template_utils import qwen2_5_chat_template

    from fbgym.agents.llm.tiny import build_tiny_model

    corpus = [
        "Solve the math problem. What is 1/4 of 12? The answer is 3.",
        '<tool_call>\n{"name": "submit", "arguments": {"attempt": "The answer is 3"}}\n</tool_call>',
        "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\n",
    ]
    path = build_tiny_model(tmp_path_factory.mktemp("tiny-lm"), corpus, hidden_size=32, layers=1)
    tokenizer = AutoTokenizer.from_pretrained(path)
    tokenizer.add_special_tokens({"additional_special_tokens": ["<|im_start|>", "<|im_end|>"]})
    tokenizer.eos_token = "<|im_end|>"
    tokenizer.chat_template = qwen2_5_chat_template
    model = AutoModelForCausalLM.from_pretrained(path)
    model.resize_token_embeddings(len(tokenizer))
    model.generation_config.eos_token_id = tokenizer.eos_token_id
    model.save_pretrained(path)
    tokenizer.save_pretrained(path)
    return path
