"""fbgym's pytest plugin: ``pytest --benchmark`` evaluates agents, with timings and scores.

Tests marked ``@pytest.mark.fbgym`` run only under ``--benchmark``. Their ``fbgym_evaluate``
fixture plays an agent over a suite through pytest-benchmark (so the evaluation is timed),
attaches the scores to the benchmark's ``extra_info`` (and so to ``--benchmark-json`` and
``--benchmark-autosave`` files), prints a score table at the end of the session, and fails
the test when a score falls below a floor or below a saved run (``--fbgym-compare``)::

    @pytest.mark.fbgym
    def test_my_agent(fbgym_evaluate):
        result = fbgym_evaluate(MyAgent(), "smoke", floor={"SR@K": 0.8})
        assert result.sr(5) > result.sr(1)

This module is imported by every pytest session where fbgym is installed, so it imports
nothing heavy until a marked test runs.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    import pandas as pd

_RESULTS = pytest.StashKey[list]()


def pytest_addoption(parser: pytest.Parser) -> None:
    """``--benchmark`` and the ``--fbgym-*`` options."""
    group = parser.getgroup("fbgym", "fbgym agent evaluation")
    group.addoption(
        "--benchmark",
        action="store_true",
        dest="fbgym_benchmark",
        help="run the tests marked fbgym (agent evaluations); skipped without it",
    )
    group.addoption(
        "--fbgym-runs",
        default="runs",
        metavar="DIR",
        help="where the evaluations' run directories go (default: runs)",
    )
    group.addoption(
        "--fbgym-compare",
        default=None,
        metavar="PATH",
        help="a saved run directory, a folder of them, or a --benchmark-json file: "
        "fail a test whose scores fall below it",
    )
    group.addoption(
        "--fbgym-tolerance",
        type=float,
        default=0.0,
        metavar="DELTA",
        help="how far a score may fall below --fbgym-compare (default: 0)",
    )


def pytest_configure(config: pytest.Config) -> None:
    """Register the marker and the session's result list."""
    config.addinivalue_line("markers", "fbgym: an fbgym agent evaluation (runs with --benchmark)")
    config.stash[_RESULTS] = []
    compare = config.getoption("fbgym_compare")
    if compare and not Path(compare).exists():
        raise pytest.UsageError(
            f"--fbgym-compare {compare}: no such file or folder (give a run directory, a "
            "folder of them, or a --benchmark-json file)"
        )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip fbgym-marked tests unless ``--benchmark`` was given."""
    if config.getoption("fbgym_benchmark"):
        return
    skip = pytest.mark.skip(reason="fbgym agent evaluation: pass --benchmark to run it")
    for item in items:
        if item.get_closest_marker("fbgym"):
            item.add_marker(skip)


@dataclass
class Evaluation:
    """What ``fbgym_evaluate`` returns: the episode table, its summary and the run directory."""

    episodes: pd.DataFrame
    summary: pd.DataFrame
    run_dir: str

    def sr(self, k: int, channel: str | None = None) -> float:
        """Success within ``k`` attempts, over all episodes or one channel's."""
        from fbgym.runner.metrics import success_at_k

        df = self.episodes if channel is None else self.episodes[self.episodes.channel == channel]
        return float(success_at_k(df, k).mean())

    def scores(self) -> dict[str, dict[str, float]]:
        """Per env and channel: SR@1, SR@K, K, the gain and the episode count."""
        out: dict[str, dict[str, float]] = {}
        for _, row in self.summary.iterrows():
            key = f"{row['env_id']}|{row['channel']}"
            out[key] = {
                "SR@1": row["SR@1"],
                "SR@K": row["SR@K"],
                "K": int(row["K"]),
                "gain": row["gain"],
                "episodes": int(row["episodes"]),
            }
        return out


@pytest.fixture
def fbgym_evaluate(request: pytest.FixtureRequest):
    """``fbgym_evaluate(agent, suite="smoke", *, floor=None, **evaluate_kwargs)`` → Evaluation.

    ``floor`` maps a metric (``"SR@1"``, ``"SR@K"``, ``"gain"``) to the lowest acceptable
    value in every env and channel. Extra keywords go to :func:`fbgym.evaluate`.
    """
    benchmark = request.getfixturevalue("benchmark")
    config = request.config

    def run(
        agent: Any, suite: Any = "smoke", *, floor: dict[str, float] | None = None, **kwargs: Any
    ) -> Evaluation:
        import fbgym
        from fbgym.runner.metrics import summarize

        name = getattr(agent, "name", type(agent).__name__)
        label = suite if isinstance(suite, str) else getattr(suite, "label", "envs")
        test = re.sub(r"[^\w.-]+", "_", request.node.name)[:80]
        run_dir = Path(config.getoption("fbgym_runs")) / f"{test}-{time.strftime('%Y%m%d-%H%M%S')}"
        kwargs.setdefault("executor", "serial")
        frames = []
        benchmark.pedantic(
            lambda: frames.append(fbgym.evaluate(agent, suite, run_dir=run_dir, **kwargs)),
            rounds=1,
            iterations=1,
        )
        df = frames[-1]
        result = Evaluation(df, summarize(df), str(run_dir))
        scores = result.scores()
        benchmark.extra_info.update(
            {
                "fbgym_agent": name,
                "fbgym_suite": str(label),
                "fbgym_run_dir": str(run_dir),
                "fbgym_scores": scores,
            }
        )
        config.stash[_RESULTS].append(
            {
                "test": request.node.nodeid,
                "agent": name,
                "suite": str(label),
                "scores": scores,
                "seconds": float(df["elapsed_s"].sum()),
            }
        )
        _check_floor(scores, floor or {})
        compare = config.getoption("fbgym_compare")
        if compare:
            _check_against(scores, name, compare, config.getoption("fbgym_tolerance"))
        return result

    return run


def _check_floor(scores: dict[str, dict[str, float]], floor: dict[str, float]) -> None:
    low = [
        f"{where} {metric}={s[metric]:.3f} < {minimum}"
        for where, s in scores.items()
        for metric, minimum in floor.items()
        if metric in s and s[metric] < minimum
    ]
    unknown = [m for m in floor if all(m not in s for s in scores.values())]
    if unknown:
        pytest.fail(f"unknown floor metric(s) {unknown}; use SR@1, SR@K or gain")
    if low:
        pytest.fail("score below its floor: " + "; ".join(low))


def saved_scores(path: str | Path, agent: str) -> dict[str, dict[str, float]]:
    """An agent's saved scores from a run directory, a folder of runs, or a benchmark JSON."""
    path = Path(path)
    if path.is_file():
        data = json.loads(path.read_text())
        found: dict[str, dict[str, float]] = {}
        for bench in data.get("benchmarks", []):
            info = bench.get("extra_info", {})
            if info.get("fbgym_agent") == agent:
                found.update(info.get("fbgym_scores", {}))
        return found
    import pandas as pd

    from fbgym.runner.metrics import summarize
    from fbgym.runner.records import RunDir

    runs = (
        [path]
        if (path / "meta.json").exists()
        else sorted(p.parent for p in path.glob("*/meta.json"))
    )
    found = {}
    for run in runs:
        records = [r for r in RunDir(run).episodes() if r.get("agent") == agent]
        if records:
            df = pd.DataFrame(records)
            result = Evaluation(df, summarize(df, ci=False), str(run))
            found.update(result.scores())
    return found


def _check_against(
    scores: dict[str, dict[str, float]], agent: str, path: str, tolerance: float
) -> None:
    saved = saved_scores(path, agent)
    if not saved:
        pytest.fail(f"--fbgym-compare {path} holds no scores of {agent}, so nothing to compare")
    shared = [where for where in scores if where in saved]
    if not shared:
        pytest.fail(
            f"--fbgym-compare {path} has no env|channel in common with this evaluation of "
            f"{agent}: saved {sorted(saved)}, now {sorted(scores)}"
        )
    worse = [
        f"{where} {metric} {now[metric]:.3f} < saved {before[metric]:.3f}"
        for where, now in scores.items()
        if where in saved
        for before in [saved[where]]
        for metric in ("SR@1", "SR@K")
        if metric in before and now[metric] < before[metric] - tolerance
    ]
    if worse:
        pytest.fail(f"{agent} regressed against {path}: " + "; ".join(worse))


def pytest_sessionfinish(session: pytest.Session) -> None:
    """On an xdist worker, hand the results to the controller."""
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:
        workeroutput["fbgym_results"] = json.dumps(session.config.stash[_RESULTS])


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    """On the xdist controller, collect a worker's results."""
    data = getattr(node, "workeroutput", {}).get("fbgym_results")
    if data:
        node.config.stash[_RESULTS].extend(json.loads(data))


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    """Print the scores of every evaluation in this session."""
    results = config.stash.get(_RESULTS, [])
    if not results:
        return
    write = terminalreporter.write_line
    terminalreporter.section("fbgym scores")
    write(
        f"{'agent':<20} {'suite':<10} {'env|channel':<30} {'SR@1':>6} {'SR@K':>6} "
        f"{'gain':>7} {'eps':>5} {'time s':>7}"
    )
    for r in sorted(results, key=lambda r: (r["suite"], r["agent"])):
        for where, s in sorted(r["scores"].items()):
            write(
                f"{r['agent']:<20} {r['suite']:<10} {where:<30} {s['SR@1']:>6.3f} "
                f"{s['SR@K']:>6.3f} {s['gain']:>+7.3f} {s['episodes']:>5} "
                f"{r['seconds']:>7.2f}"
            )
