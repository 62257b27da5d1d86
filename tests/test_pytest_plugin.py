"""``pytest --benchmark``: end to end, in subprocesses, as a user runs it."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "test_agents.py"

SUITE_TEST = """
import pytest
from fbgym.agents import BlindAgent, FeedbackAgent

@pytest.mark.fbgym
@pytest.mark.parametrize("agent", [FeedbackAgent(), BlindAgent()], ids=lambda a: a.name)
def test_agent(fbgym_evaluate, agent):
    fbgym_evaluate(agent, ["fbgym/Math-v0"], episodes=6, floor={FLOOR})
"""


def pytest_run(tmp_path, *args, floor="{}"):
    (tmp_path / "test_eval.py").write_text(SUITE_TEST.replace("{FLOOR}", floor))
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "no:cacheprovider",
            "-q",
            str(tmp_path / "test_eval.py"),
            "--fbgym-runs",
            str(tmp_path / "runs"),
            *args,
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=300,
    )


@pytest.fixture
def examples(tmp_path):
    shutil.copy(EXAMPLES, tmp_path / "test_agents.py")
    return tmp_path


def test_examples_print_scores_beside_timings(examples):
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "no:cacheprovider",
            "--benchmark",
            str(examples),
            "--fbgym-runs",
            str(examples / "runs"),
        ],
        capture_output=True,
        text=True,
        cwd=examples,
        timeout=300,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert "fbgym scores" in out.stdout and "Mean" in out.stdout  # scores and timings
    for agent in ("feedback-baseline", "blind-baseline"):
        assert agent in out.stdout
    assert "fbgym/RobotCorrection-v1|verbal" in out.stdout


def test_skipped_without_the_flag(tmp_path):
    out = pytest_run(tmp_path)
    assert out.returncode == 0 and "2 skipped" in out.stdout
    assert not (tmp_path / "runs").exists()


def test_json_carries_scores_and_the_leaderboard_accepts_it(tmp_path):
    out = pytest_run(tmp_path, "--benchmark", "--benchmark-json", str(tmp_path / "b.json"))
    assert out.returncode == 0, out.stdout + out.stderr
    data = json.loads((tmp_path / "b.json").read_text())
    infos = {b["extra_info"]["fbgym_agent"]: b["extra_info"] for b in data["benchmarks"]}
    assert set(infos) == {"feedback-baseline", "blind-baseline"}
    scores = infos["feedback-baseline"]["fbgym_scores"]["fbgym/Math-v0|verbal"]
    assert 0 <= scores["SR@1"] <= scores["SR@K"] <= 1 and scores["episodes"] == 6
    submitted = subprocess.run(
        [
            sys.executable,
            "-m",
            "fbgym.cli",
            "leaderboard",
            "submit",
            str(tmp_path / "b.json"),
            "--submitter",
            "tester",
            "--results",
            str(tmp_path / "results"),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert submitted.returncode == 0, submitted.stdout + submitted.stderr
    assert "accepted (verified)" in submitted.stdout


def test_a_score_below_its_floor_fails(tmp_path):
    out = pytest_run(tmp_path, "--benchmark", floor='{"SR@K": 1.01}')
    assert out.returncode == 1 and "score below its floor" in out.stdout


def test_a_regression_against_a_saved_run_fails(tmp_path):
    first = pytest_run(tmp_path, "--benchmark", "--benchmark-json", str(tmp_path / "base.json"))
    assert first.returncode == 0
    data = json.loads((tmp_path / "base.json").read_text())
    for bench in data["benchmarks"]:
        for scores in bench["extra_info"]["fbgym_scores"].values():
            scores["SR@K"] += 0.5  # pretend the saved run did much better
    (tmp_path / "better.json").write_text(json.dumps(data))
    out = pytest_run(tmp_path, "--benchmark", "--fbgym-compare", str(tmp_path / "better.json"))
    assert out.returncode == 1 and "regressed against" in out.stdout
    same = pytest_run(tmp_path, "--benchmark", "--fbgym-compare", str(tmp_path / "base.json"))
    assert same.returncode == 0, same.stdout


def test_benchmark_disable_and_xdist(tmp_path):
    out = pytest_run(tmp_path, "--benchmark", "--benchmark-disable")
    assert out.returncode == 0 and "fbgym scores" in out.stdout, out.stdout + out.stderr
    out = pytest_run(tmp_path, "--benchmark", "-n", "2")
    assert out.returncode == 0 and "2 passed" in out.stdout, out.stdout + out.stderr
    assert "fbgym scores" in out.stdout and "blind-baseline" in out.stdout


def test_autosave_keeps_the_scores(tmp_path):
    storage = tmp_path / "saved"
    out = pytest_run(
        tmp_path, "--benchmark", "--benchmark-autosave", f"--benchmark-storage=file://{storage}"
    )
    assert out.returncode == 0, out.stdout + out.stderr
    (saved,) = storage.rglob("*.json")
    infos = [b["extra_info"] for b in json.loads(saved.read_text())["benchmarks"]]
    assert {i["fbgym_agent"] for i in infos} == {"feedback-baseline", "blind-baseline"}
    assert all("fbgym/Math-v0|verbal" in i["fbgym_scores"] for i in infos)
