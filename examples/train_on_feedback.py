"""Chain of Hindsight: fine-tune a causal LM on a run's feedback transcripts, then play with it.

First the run is exported as ``fbgym export`` writes it (SFT, KTO and DPO datasets) and read
back with ``datasets.load_from_disk``: a row of each is printed, and the rows the simulated
user's noise touched are counted. Then every recorded action becomes a training example: the
conversation the agent saw, a hindsight label saying whether the action was accepted and, if
not, what the user said of it, and then the action (the loss is on the action only). At play
time the agent asks for accepted replies.

    python examples/train_on_feedback.py                          # tiny model, CPU, ~30 s
    python examples/train_on_feedback.py --run runs/my-run --model Qwen/Qwen2.5-0.5B-Instruct
    fbgym export runs/my-run --format dpo --out data/dpo
    python examples/train_on_feedback.py --show data/dpo           # print an export's rows

Without ``--run``, a run of the feedback baseline on ``fbgym/Math-v0`` is recorded first;
without ``--model``, a tiny model is built from a config with a tokenizer trained on the run's
text (no download).
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path

import torch
from datasets import load_from_disk
from transformers import AutoModelForCausalLM, AutoTokenizer

import fbgym
from fbgym.agents import FeedbackAgent
from fbgym.agents.llm.hf import HFAgent
from fbgym.agents.llm.hindsight import ACCEPTED, encode_example, hindsight_examples
from fbgym.agents.llm.tiny import build_tiny_model
from fbgym.errors import FbgymError
from fbgym.integrations.export import export_run
from fbgym.runner.records import RunDir


def record_run(path: Path, env_id: str, channel: str, episodes: int) -> Path:
    """Record the feedback baseline's transcripts: successes and failures with feedback."""
    fbgym.evaluate(
        FeedbackAgent(),
        [env_id],
        channels=[channel],
        episodes=episodes,
        run_dir=path,
        executor="serial",
    )
    return path


def show(folder: Path, rows: int = 1) -> None:
    """Print what an ``fbgym export`` folder holds: its size, noisy rows and first rows."""
    data = load_from_disk(str(folder))
    noisy = sum(bool(flags) for flags in data["noise_flags"])
    print(f"{folder}: {len(data)} rows ({noisy} with noise flags), columns {data.column_names}")
    for row in data.select(range(min(rows, len(data)))):
        asked = row["prompt"][-1]["content"] if "prompt" in row else row.get("text", "")
        print(f"  {row['env_id']} {row['channel']} seed {row['seed']} turn {row['turn']}")
        print(f"    asked: {' '.join(asked.split())[:100]}")
        for column in ("completion", "chosen", "rejected"):
            if column in row:
                print(f"    {column}: {' '.join(row[column][-1]['content'].split())[:100]}")
        if "label" in row:
            print(f"    label: {row['label']}")


def export_and_show(run: Path, work: Path) -> None:
    """Export ``run`` as SFT, KTO and DPO datasets (as ``fbgym export`` does) and show them."""
    for fmt in ("sft", "kto", "dpo"):
        try:
            export_run(run, fmt, work / "export" / fmt)
        except FbgymError as exc:  # e.g. no accepted attempt gives no SFT rows
            print(f"{fmt}: {exc}")
            continue
        show(work / "export" / fmt)


def batches(examples: list[tuple[list[int], list[int]]], size: int, pad_id: int, rng):
    """Right-padded (input_ids, attention_mask, labels) batches in a seeded order."""
    order = list(range(len(examples)))
    rng.shuffle(order)
    for start in range(0, len(order), size):
        chunk = [examples[i] for i in order[start : start + size]]
        width = max(len(ids) for ids, _ in chunk)
        ids = torch.full((len(chunk), width), pad_id)
        mask = torch.zeros((len(chunk), width), dtype=torch.long)
        labels = torch.full((len(chunk), width), -100)
        for row, (tokens, target) in enumerate(chunk):
            ids[row, : len(tokens)] = torch.tensor(tokens)
            mask[row, : len(tokens)] = 1
            labels[row, : len(target)] = torch.tensor(target)
        yield ids, mask, labels


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--run", type=Path, help="a run directory (default: record one)")
    parser.add_argument("--env", default="fbgym/Math-v0")
    parser.add_argument("--channel", default="verbal")
    parser.add_argument("--episodes", type=int, default=40, help="episodes to record")
    parser.add_argument("--model", help="a model id or path (default: a tiny model)")
    parser.add_argument("--out", type=Path, help="where to save the fine-tuned model")
    parser.add_argument("--epochs", type=int, default=6)
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--lr", type=float, default=3e-3)
    parser.add_argument("--max-tokens", type=int, default=512, help="cut longer examples")
    parser.add_argument("--eval-episodes", type=int, default=4)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--show", type=Path, help="only print the rows of an fbgym export")
    args = parser.parse_args(argv)
    if args.show:
        show(args.show, rows=3)
        return
    with tempfile.TemporaryDirectory(prefix="fbgym-coh-") as tmp:
        train(args, Path(tmp))


def train(args: argparse.Namespace, work: Path) -> None:
    """Record (or read) the run, build the examples, fine-tune, save, and play."""
    start = time.perf_counter()
    torch.manual_seed(args.seed)
    run = args.run or record_run(work / "run", args.env, args.channel, args.episodes)
    export_and_show(run, work)
    examples = list(hindsight_examples(RunDir(run).episodes()))
    accepted = sum(e.success for e in examples)
    print(f"{len(examples)} actions from {run} ({accepted} accepted), labelled in hindsight")

    model_path = args.model
    if model_path is None:
        corpus = [m["content"] for e in examples for m in e.conditioned()] + [
            e.action for e in examples
        ]
        model_path = str(build_tiny_model(work / "tiny", corpus, vocab_size=512))
    tokenizer = AutoTokenizer.from_pretrained(model_path)
    model = AutoModelForCausalLM.from_pretrained(model_path, dtype=torch.float32)
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    encoded = []
    for example in examples:
        ids, labels = encode_example(tokenizer, example.conditioned(), example.action)
        encoded.append((ids[-args.max_tokens :], labels[-args.max_tokens :]))

    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.0)
    rng = random.Random(args.seed)
    model.train()
    for epoch in range(1, args.epochs + 1):
        total, count = 0.0, 0
        for ids, mask, labels in batches(encoded, args.batch_size, tokenizer.pad_token_id, rng):
            loss = model(input_ids=ids, attention_mask=mask, labels=labels).loss
            optimizer.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            total, count = total + loss.item() * len(ids), count + len(ids)
        print(f"epoch {epoch}/{args.epochs} loss {total / count:.4f}", flush=True)

    out = args.out or work / "model"
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)
    if args.out:
        print(f"saved the fine-tuned model to {out}")

    if args.eval_episodes:
        agent = HFAgent(out, device="cpu", max_new_tokens=24, condition=ACCEPTED, name="coh")
        df = fbgym.evaluate(
            agent,
            [args.env],
            channels=[args.channel],
            episodes=args.eval_episodes,
            seed=10_000,  # problems the run did not record
            env_kwargs={"max_turns": 2},
            run_dir=work / "eval",
            executor="batched",
        )
        print(
            f"played {len(df)} new episodes: success rate {df['success'].mean():.2f}, "
            f"errors {int(df['error'].notna().sum())}"
        )
    print(f"done in {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()
