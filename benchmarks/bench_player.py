"""What playing the agent apart from the judge costs: per step, and on a whole suite.

The reference is the same agent in the judge's process (``in_process=True``), measured in
the same run.
"""

import os
import time

import fbgym
from fbgym.agents import FeedbackAgent
from fbgym.agents.base import BaseAgent
from fbgym.runner.player import LocalPlayer, Players

SUITE = os.environ.get("FBGYM_BENCH_SUITE", "default")
"""The suite whose wall time is compared (``FBGYM_BENCH_SUITE=smoke`` for a quick look)."""


class Constant(BaseAgent):
    """The cheapest agent there is, so the cost measured is the crossing alone."""

    name = "constant"

    def act(self, observation, info):
        return "The answer is 1"


def test_cost_per_step(benchmark, per_call):
    env = fbgym.make("fbgym/Math-v0", feedback="verbal")
    obs, _ = env.reset(seed=0)
    obs, *_, info = env.step("The answer is 2")  # a step's view: typed feedback included
    view = {**info, "episode": "e", "stream": 0}
    here = LocalPlayer(Constant())
    apart = Players.of(Constant()).open()
    try:
        apart.act(obs, view, None)  # start the player's process
        local = per_call(lambda: here.act(obs, view, None), number=2000)
        remote = per_call(lambda: apart.act(obs, view, None), number=2000)
        benchmark.pedantic(apart.act, args=(obs, view, None), rounds=200, iterations=1)
    finally:
        apart.close()
    extra = remote - local
    benchmark.extra_info.update(
        {"in_process_us": local * 1e6, "separate_us": remote * 1e6, "crossing_us": extra * 1e6}
    )
    print(
        f"\nact() in the judge's process {local * 1e6:.1f} us, in a player's process "
        f"{remote * 1e6:.1f} us: {extra * 1e6:.1f} us per step to cross"
    )


def _suite_seconds(tmp_path, name, **kwargs):
    start = time.perf_counter()
    fbgym.evaluate(FeedbackAgent(), SUITE, run_dir=tmp_path / name, **kwargs)
    return time.perf_counter() - start


def test_cost_on_a_suite(benchmark, tmp_path):
    """The suite with the agent in-process and apart, alternating, two rounds each."""
    rounds = [
        (
            _suite_seconds(tmp_path, f"in-{i}", in_process=True),
            _suite_seconds(tmp_path, f"apart-{i}"),
        )
        for i in range(2)
    ]
    local = min(r[0] for r in rounds)
    apart = min(r[1] for r in rounds)
    benchmark.pedantic(lambda: None, rounds=1, iterations=1)
    benchmark.extra_info.update(
        {"suite": SUITE, "in_process_s": local, "separate_s": apart, "ratio": apart / local}
    )
    print(
        f"\n{SUITE} suite: in-process {local:.1f} s, agent apart {apart:.1f} s "
        f"({apart / local:.2f}x, {apart - local:+.1f} s)"
    )
