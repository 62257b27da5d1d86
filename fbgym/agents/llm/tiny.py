"""Tiny causal LMs from a config, with a tokenizer trained on the fly: offline checkpoints."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from fbgym.errors import ConfigError

CHAT_TEMPLATE = (
    "{{ bos_token }}{% for message in messages %}"
    "<|{{ message['role'] }}|>\n{{ message['content'] }}<|end|>\n"
    "{% endfor %}{% if add_generation_prompt %}<|assistant|>\n{% endif %}"
)
"""A minimal chat template: role headers, ``<|end|>`` (the EOS token) closing each turn."""

SPECIAL_TOKENS = ("<|pad|>", "<|bos|>", "<|end|>", "<|system|>", "<|user|>", "<|assistant|>")
ARCHITECTURES = ("llama", "gpt2")


def train_tokenizer(corpus: Iterable[str], vocab_size: int = 512):
    """A byte-level BPE tokenizer trained on ``corpus``, with the chat template set.

    Byte-level: any text encodes, with no unknown token.
    """
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    if vocab_size < 256 + len(SPECIAL_TOKENS):
        raise ConfigError(
            f"vocab_size must be at least {256 + len(SPECIAL_TOKENS)} for a byte-level BPE, "
            f"got {vocab_size}"
        )
    tokenizer = Tokenizer(models.BPE())
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=list(SPECIAL_TOKENS),
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tokenizer.train_from_iterator(list(corpus), trainer=trainer)
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tokenizer,
        pad_token="<|pad|>",
        bos_token="<|bos|>",
        eos_token="<|end|>",
        additional_special_tokens=list(SPECIAL_TOKENS[3:]),
    )
    fast.chat_template = CHAT_TEMPLATE
    return fast


def build_tiny_model(
    path: str | Path,
    corpus: Iterable[str],
    *,
    architecture: str = "llama",
    vocab_size: int = 512,
    hidden_size: int = 64,
    layers: int = 2,
    heads: int = 4,
    max_positions: int = 2048,
    init_std: float = 0.02,
    seed: int = 0,
) -> Path:
    """Save a randomly initialised causal LM and its tokenizer under ``path``; returns ``path``.

    The weights depend only on ``seed``, ``init_std`` and the sizes; the tokenizer only on
    ``corpus``. A larger ``init_std`` (e.g. 0.5) makes an untrained model's replies depend
    more on its prompt, which tests of batching want.
    """
    import torch
    from transformers import AutoConfig, AutoModelForCausalLM

    if architecture not in ARCHITECTURES:
        raise ConfigError(f"architecture must be one of {ARCHITECTURES}, got {architecture!r}")
    if hidden_size % heads:
        raise ConfigError(f"hidden_size ({hidden_size}) must be a multiple of heads ({heads})")
    tokenizer = train_tokenizer(corpus, vocab_size)
    ids = {
        "vocab_size": len(tokenizer),
        "bos_token_id": tokenizer.bos_token_id,
        "eos_token_id": tokenizer.eos_token_id,
        "pad_token_id": tokenizer.pad_token_id,
    }
    if architecture == "llama":
        config = AutoConfig.for_model(
            "llama",
            hidden_size=hidden_size,
            intermediate_size=2 * hidden_size,
            num_hidden_layers=layers,
            num_attention_heads=heads,
            num_key_value_heads=heads,
            max_position_embeddings=max_positions,
            initializer_range=init_std,
            tie_word_embeddings=False,
            **ids,
        )
    else:
        config = AutoConfig.for_model(
            "gpt2",
            n_embd=hidden_size,
            n_layer=layers,
            n_head=heads,
            n_positions=max_positions,
            initializer_range=init_std,
            tie_word_embeddings=False,
            **ids,
        )
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model = AutoModelForCausalLM.from_config(config)
    model.generation_config.pad_token_id = tokenizer.pad_token_id
    model.generation_config.eos_token_id = tokenizer.eos_token_id
    path = Path(path)
    model.save_pretrained(path)
    tokenizer.save_pretrained(path)
    return path
