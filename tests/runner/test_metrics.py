import numpy as np
import pandas as pd
import pytest

import fbgym
from fbgym.agents import BlindAgent, FeedbackAgent
from fbgym.runner.metrics import bootstrap_ci, family_summary, success_at_k, summarize, teachability


def episodes(**columns):
    n = len(next(iter(columns.values())))
    base = {
        "agent": ["a"] * n,
        "env_id": ["e"] * n,
        "channel": ["verbal"] * n,
        "turns": [3] * n,
        "max_turns": [5] * n,
        "score": [0.0] * n,
        "error": [None] * n,
    }
    return pd.DataFrame({**base, **columns})


def test_sr_at_k_counts_attempts_and_gain():
    df = episodes(attempts_to_success=[1, 2, None, 5], turns_to_success=[2, 4, None, 9])
    assert success_at_k(df, 1).tolist() == [True, False, False, False]
    row = summarize(df).iloc[0]
    assert (row["SR@1"], row["SR@K"], row["K"], row["gain"]) == (0.25, 0.75, 5, 0.5)
    assert row["SR@1_ci"][0] <= 0.25 <= row["SR@1_ci"][1]


def test_bootstrap_ci_is_seeded_and_covers_the_mean():
    values = np.random.default_rng(1).random(200)
    lo, hi = bootstrap_ci(values)
    assert lo < values.mean() < hi and (lo, hi) == bootstrap_ci(values)


def test_teachability_sees_a_falling_curve():
    position = list(range(10)) * 3
    df = episodes(
        position=position,
        stream=[i // 10 for i in range(30)],
        turns=[5 - p // 2 for p in position],
        attempts_to_success=[1] * 30,
    )
    row = teachability(df).iloc[0]
    assert row["change"] < 0 and row["slope"] < 0 and row["change_ci"][1] < 0


@pytest.fixture(scope="module")
def family_runs(tmp_path_factory):
    out = {}
    for agent in (FeedbackAgent(), BlindAgent()):
        out[agent.name] = fbgym.evaluate(
            agent,
            ["fbgym/ConvSearch-v0", "fbgym/RobotCorrection-v0"],
            channels=["verbal"],
            episodes=20,
            run_dir=tmp_path_factory.mktemp(agent.name),
            executor="serial",
        )
    return out


def test_family_metrics_are_columns_with_cis(family_runs):
    fed = family_runs["feedback-baseline"]
    search = fed[fed.env_id == "fbgym/ConvSearch-v0"]
    assert (search["ndcg@3_r4"] >= search["ndcg@3_r1"] - 1e-9).all()  # carried or improved
    assert search["ndcg@3_r4"].mean() > search["ndcg@3_r1"].mean()
    robot = fed[fed.env_id == "fbgym/RobotCorrection-v0"]
    assert robot["corrections"].between(0, 8).all() and robot["ndcg@3_r1"].isna().all()
    table = family_summary(pd.concat(family_runs.values()))
    corrections = table[table.metric == "corrections"].set_index("agent")["mean"]
    assert corrections["feedback-baseline"] < corrections["blind-baseline"]


def test_repeated_problems_widen_the_interval_and_are_counted():
    import numpy as np
    import pandas as pd

    from fbgym.runner.metrics import bootstrap_ci, summarize

    rng = np.random.default_rng(0)
    solved = rng.random(30) < 0.5
    # the same 30 problems in three channels: 90 episodes, but only 30 independent draws
    values = np.tile(solved, 3).astype(float)
    problems = [f"p{i}" for i in range(30)] * 3
    naive = bootstrap_ci(values)
    clustered = bootstrap_ci(values, clusters=problems)
    assert (clustered[1] - clustered[0]) > 1.4 * (naive[1] - naive[0])
    df = pd.DataFrame(
        {
            "agent": "a",
            "env_id": "e",
            "channel": "all",
            "problem_id": problems,
            "success": values > 0,
            "turns": 1,
            "max_turns": 1,
            "turns_to_success": np.where(values > 0, 1.0, np.nan),
            "attempts_to_success": np.where(values > 0, 1.0, np.nan),
            "score": values,
            "error": None,
        }
    )
    row = summarize(df).iloc[0]
    assert row["episodes"] == 90 and row["problems"] == 30
    assert row["SR@1_ci"] == clustered
