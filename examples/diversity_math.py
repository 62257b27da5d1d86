"""Math-v1's problems in figures: levels, distinct problems, split overlap, answers, headroom.

Writes ``docs/diversity/math.md``: how long each level's problems are; how many distinct
problems 1,000 seeds give per level and kind; how many problems train and test share and
how many repeat within a split, over ``--seeds`` seeds per level and split; how widely
answers spread per kind and level (entropy, and what an agent guessing from the train
split's answers alone achieves); and how the shipped baselines score on the proposed
``default`` and ``hard`` settings. Math-v0 is measured alongside for contrast.

    python examples/diversity_math.py                      # 10,000 seeds, 200 episodes
    python examples/diversity_math.py --seeds 1000 --episodes 100 --out -
"""

from __future__ import annotations

import argparse
import math
import random
import tempfile
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import pandas as pd

import fbgym
from fbgym.agents.baselines import BlindAgent, FeedbackAgent
from fbgym.envs.math.multistep import GENERATORS, LEVELS, LINE, OPERATIONS
from fbgym.envs.math.program import compile_expr, evaluate
from fbgym.envs.math.splits import canonical_form
from fbgym.envs.math.task import MathConfig, MathTask
from fbgym.runner.metrics import bootstrap_ci, success_at_k

CHANNELS = ("verbal", "unary", "ranked")
SETTINGS = {"default": {}, "hard": {"levels": (7, 8)}}
"""The proposed suite settings: Math-v1 kwargs (the default plays every level)."""
GUESSES = 5


@dataclass(frozen=True)
class Drawn:
    """What the figures need of one generated problem."""

    kind: str
    level: int
    statement: str
    form: str
    answer: Fraction
    story: bool
    """Whether it must compute in positive whole numbers (stories and arithmetic)."""
    sound: bool
    """Whether every value its solution computes is as its kind requires."""


def _values(steps) -> list[Fraction]:
    """Every operation's value in the worked solution."""
    out: list[Fraction] = []
    known: list[Fraction] = []

    def walk(node) -> Fraction:
        if node[0] == "num":
            return Fraction(node[1])
        if node[0] == "ref":
            return Fraction(known[node[1] - 1])
        if node[0] == "neg":
            return -walk(node[1])
        a, b = walk(node[2]), walk(node[3])
        value = {"+": a + b, "-": a - b, "*": a * b, "/": a / b if b else Fraction(0)}[node[1]]
        out.append(value)
        return value

    for step in steps:
        known.append(walk(compile_expr(step.expr)))
    return out


def draw(args: tuple[int, int, str, int, int]) -> list[Drawn]:
    """Problems ``start``..``stop`` of one generation, level and split (a worker's share)."""
    generation, level, split, start, stop = args
    task = MathTask(MathConfig(levels=(level,), generation=generation))
    out = []
    for index in range(start, stop):
        p = task.problem(split, index, 0)
        steps = p.data["steps"]
        story = generation == 1 and (p.data["unit"] != "" or p.public["kind"] == "arithmetic")
        values = _values(steps)
        sound = all(v > 0 and v.denominator == 1 for v in values) if story else True
        out.append(
            Drawn(
                p.public["kind"],
                level,
                p.observation,
                canonical_form(steps),
                Fraction(evaluate(steps)[-1]),
                story,
                sound,
            )
        )
    return out


def draw_all(generation: int, levels: Iterable[int], splits: Sequence[str], seeds: int, pool):
    """Every level's problems of every split, drawn in parallel chunks."""
    chunk = max(1, seeds // 8)
    jobs = [
        (generation, level, split, start, min(seeds, start + chunk))
        for level in levels
        for split in splits
        for start in range(0, seeds, chunk)
    ]
    found: dict[tuple[int, str], list[Drawn]] = defaultdict(list)
    for job, part in zip(jobs, pool.map(draw, jobs)):
        found[job[1], job[2]] += part
    return found


def table(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """A markdown table."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def entropy(counts: Counter) -> float:
    """The plug-in entropy, in bits, of a sample's values."""
    n = sum(counts.values())
    return -sum(c / n * math.log2(c / n) for c in counts.values())


def prior_guesser(ranked: Sequence[Fraction], answer: Fraction) -> int | None:
    """The guess on which an agent that never reads the problem hits ``answer``, or None.

    It guesses the most common train answer (``ranked``: most common first) that "too
    high/too low" has not ruled out.
    """
    low, high = -math.inf, math.inf
    for guess in range(1, GUESSES + 1):
        value = next((v for v in ranked if low < v < high), None)
        if value is None:
            return None
        if value == answer:
            return guess
        low, high = (low, value) if value > answer else (value, high)
    return None


def levels_section() -> str:
    rows = [(lv, f"{OPERATIONS[lv][0]}–{OPERATIONS[lv][1]}", LINE[lv] or "all") for lv in LEVELS]
    return table(("level", "operations", "most operations in one step"), rows)


def examples_section() -> str:
    lines = []
    for kind in sorted(GENERATORS):
        for level in (1, 4):
            item = GENERATORS[kind](random.Random(level), level)
            lines.append(f"- **{kind}, level {level}** — {item.question}")
    return "\n".join(lines)


def distinct_section(v1, v0) -> str:
    rows = []
    for level in LEVELS:
        first = v1[level, "test"][:1000]
        by_kind = defaultdict(list)
        for d in first:
            by_kind[d.kind].append(d)
        kinds = ", ".join(
            f"{k} {len({d.form for d in ds})}/{len(ds)}" for k, ds in sorted(by_kind.items())
        )
        rows.append(
            (f"v1 L{level}", len({d.statement for d in first}), len({d.form for d in first}), kinds)
        )
    for level in sorted({lv for lv, _ in v0}):
        first = v0[level, "test"][:1000]
        rows.append(
            (f"v0 L{level}", len({d.statement for d in first}), len({d.form for d in first}), "")
        )
    header = ("version, level", "distinct statements", "distinct problems", "by kind")
    return table(header, rows)


def overlap_section(v1, v0, seeds: int) -> str:
    rows = []
    for name, found in (("v1", v1), ("v0", v0)):
        for level in sorted({lv for lv, _ in found}):
            train, test = found[level, "train"], found[level, "test"]
            shared = {d.form for d in train} & {d.form for d in test}
            test_in_train = sum(d.form in {t.form for t in train} for d in test)
            repeats = [len(ds) - len({d.form for d in ds}) for ds in (train, test)]
            rows.append((f"{name} L{level}", len(shared), test_in_train, repeats[0], repeats[1]))
    header = (
        "version, level",
        "problems in both splits",
        f"test problems (of {seeds}) also in train",
        "repeats within train",
        "repeats within test",
    )
    return table(header, rows)


def answers_section(v1) -> str:
    rows = []
    for level in LEVELS:
        train: dict[str, Counter] = defaultdict(Counter)
        for d in v1[level, "train"]:
            train[d.kind][d.answer] += 1
        test: dict[str, list[Drawn]] = defaultdict(list)
        for d in v1[level, "test"]:
            test[d.kind].append(d)
        for kind in sorted(test):
            counts = Counter(d.answer for d in test[kind])
            ranked = [v for v, _ in train[kind].most_common()]
            hits = [prior_guesser(ranked, d.answer) for d in test[kind]]
            n = len(test[kind])
            values = sorted(counts)
            rows.append(
                (
                    kind,
                    level,
                    n,
                    len(counts),
                    f"{entropy(counts):.1f}",
                    f"{float(values[0]):.4g} … {float(values[-1]):.4g}",
                    f"{counts.most_common(1)[0][1] / n:.3f}",
                    f"{sum(h == 1 for h in hits) / n:.3f}",
                    f"{sum(h is not None for h in hits) / n:.3f}",
                )
            )
    header = (
        "kind",
        "level",
        "test problems",
        "distinct answers",
        "entropy (bits)",
        "range",
        "top answer's share",
        "prior guesser SR@1",
        f"SR@{GUESSES}",
    )
    return table(header, rows)


def soundness_section(v1) -> str:
    stories = [d for ds in v1.values() for d in ds if d.story]
    unsound = sum(not d.sound for d in stories)
    return (
        f"Of {len(stories)} word problems, stores used up, and arithmetic expressions drawn "
        f"above, {unsound} compute a value that is negative, zero or not whole at any "
        "operation of their worked solution (a change, a count, a share, a division)."
    )


def played(kwargs: dict, episodes: int) -> dict[tuple[str, str], pd.DataFrame]:
    """Both baselines' episodes on Math-v1 with ``kwargs``, per (agent, channel), by seed."""
    out = {}
    for agent in (FeedbackAgent(), BlindAgent()):
        df = fbgym.evaluate(
            agent,
            ["fbgym/Math-v1"],
            episodes=episodes,
            env_kwargs=kwargs,
            channels=CHANNELS,
            run_dir=tempfile.mkdtemp(),
            workers=2,
        )
        for channel, group in df.sort_values("seed").groupby("channel"):
            out[agent.name, channel] = group
    return out


def rate(df: pd.DataFrame, k: int) -> str:
    """SR@k with its 95% bootstrap interval."""
    hits = success_at_k(df, k).to_numpy(dtype=float)
    low, high = bootstrap_ci(hits)
    return f"{hits.mean():.3f} [{low:.2f}, {high:.2f}]"


def headroom_section(episodes: int) -> str:
    rows = []
    for name, kwargs in SETTINGS.items():
        runs = played(kwargs, episodes)
        for channel in CHANNELS:
            fed, blind = runs["feedback-baseline", channel], runs["blind-baseline", channel]
            cells = [rate(df, k) for df in (fed, blind) for k in (1, GUESSES)]
            hits = [success_at_k(df, GUESSES).to_numpy(dtype=float) for df in (fed, blind)]
            low, high = bootstrap_ci(hits[0] - hits[1])
            gain = f"{(hits[0] - hits[1]).mean():+.3f} [{low:+.2f}, {high:+.2f}]"
            rows.append((name, channel, *cells, gain))
    header = (
        "setting",
        "channel",
        "feedback SR@1",
        f"feedback SR@{GUESSES}",
        "blind SR@1",
        f"blind SR@{GUESSES}",
        f"feedback − blind, SR@{GUESSES} (paired)",
    )
    return table(header, rows)


def levels_headroom_section(episodes: int) -> str:
    rows = []
    for level in LEVELS:
        runs = played({"levels": (level,)}, episodes)
        blind = runs["blind-baseline", "verbal"]
        fed = [rate(runs["feedback-baseline", c], GUESSES) for c in ("unary", "ranked", "verbal")]
        rows.append((level, rate(blind, 1), rate(blind, GUESSES), *fed))
    header = ("level", "SR@1", f"blind SR@{GUESSES}", "unary", "ranked", "verbal")
    return table(header, rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, default=10_000, help="problems per level and split")
    parser.add_argument("--episodes", type=int, default=200, help="baseline episodes per channel")
    parser.add_argument("--out", default="docs/diversity/math.md", help="file, or - for stdout")
    args = parser.parse_args()
    with ProcessPoolExecutor(2) as pool:
        v1 = draw_all(1, LEVELS, ("train", "test"), args.seeds, pool)
        v0 = draw_all(0, (1, 2, 3, 4, 5), ("train", "test"), min(args.seeds, 2000), pool)
    text = "\n\n".join(
        [
            "# Math-v1: how varied its problems are, and how much room they leave",
            f"Generated by `python examples/diversity_math.py --seeds {args.seeds} "
            f"--episodes {args.episodes}`; problems of dataset seed 0.",
            "## Levels\n\nA level fixes how many operations a problem's worked solution "
            "performs, and how many of them one step may gather: the verbal critic names "
            "the faulty step, so longer lines make that hint coarser.\n\n" + levels_section(),
            "## Examples\n\n" + examples_section(),
            "## Distinct problems per 1,000 seeds\n\nThe first 1,000 test problems of each "
            "level; a problem is its worked solution's arithmetic (names and wording aside)."
            "\n\n" + distinct_section(v1, v0),
            f"## Train and test\n\n{args.seeds} problems per level and split (Math-v0: "
            f"{min(args.seeds, 2000)}). Math-v1 hashes each problem's arithmetic into its "
            "split, so the splits cannot share one.\n\n" + overlap_section(v1, v0, args.seeds),
            "## Answers\n\nPer kind and level, over the test problems drawn above. The prior "
            "guesser never reads the problem: it answers the most common train answer of the "
            "problem's kind and level that *too high / too low* has not ruled out.\n\n"
            + answers_section(v1),
            "## Well-posed\n\n" + soundness_section(v1),
            f"## Baselines\n\n`fbgym.evaluate` over {args.episodes} episodes per channel on "
            "the proposed settings (`default`: every level; `hard`: levels 7 and 8), with 95% "
            "bootstrap intervals; the last column is paired by problem.\n\n"
            + headroom_section(args.episodes),
            f"Level by level, {args.episodes // 5} episodes per channel: SR@1 (the same for "
            f"both baselines and every channel), the blind baseline's SR@{GUESSES}, and the "
            f"feedback baseline's SR@{GUESSES} per channel.\n\n"
            + levels_headroom_section(args.episodes // 5),
        ]
    )
    if args.out == "-":
        print(text)
    else:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(text + "\n")


if __name__ == "__main__":
    main()
