"""A fifth family from a package of its own: one declaration, one entry point, and every tool works."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import fbgym
from fbgym.core.env import FeedbackEnv
from fbgym.core.types import Feedback, Outcome, Problem

PACKAGE = {
    "pyproject.toml": """
        [build-system]
        requires = ["setuptools>=61"]
        build-backend = "setuptools.build_meta"
        [project]
        name = "fbgym-anagrams"
        version = "0.0.1"
        [project.entry-points."fbgym.envs"]
        anagrams = "fbgym_anagrams:FAMILY"
        bare = "fbgym_anagrams:BARE"
    """,
    "fbgym_anagrams/__init__.py": """
        from fbgym.core.family import Family, SuiteEntry

        FAMILY = Family(
            "anagrams",
            env="fbgym_anagrams.env:AnagramEnv",
            versions={"anagrams/Anagram-v0": {}},
            descriptions={"anagrams/Anagram-v0": "Unscramble a word; told how many letters sit right."},
            baseline="fbgym_anagrams.baseline:AnagramPolicy",
            suites={"anagrams": (SuiteEntry("anagrams/Anagram-v0", episodes=4),)},
        )
        BARE = Family("bare", env="fbgym_anagrams.env:AnagramEnv", versions={"bare/Bare-v0": {}})
    """,
    "fbgym_anagrams/env.py": """
        from fbgym.core.seeding import make_random
        from fbgym.core.types import FeedbackKind, FeedbackPart, Outcome, Problem
        from fbgym.envs.base import FamilyEnv
        from fbgym.simulators import Critic, Critique, SimulatedUser

        WORDS = ("planet", "garden", "silver", "market", "bridge", "candle", "forest", "winter")

        class AnagramTask:
            family = "anagrams"

            def problem(self, split, index, seed):
                rng = make_random("anagrams", split, seed, index)
                word = rng.choice(WORDS)
                letters = "".join(rng.sample(word, len(word)))
                return Problem(f"anagrams/{split}/{seed}/{index}", "anagrams",
                               "Unscramble the letters into a word; reply with the word only.",
                               letters, word, public={"letters": letters})

            def grade(self, problem, action, history):
                guess = action.strip().lower()
                placed = sum(a == b for a, b in zip(guess, problem.answer))
                success = guess == problem.answer
                return Outcome(success, placed / len(problem.answer), diagnosis={"placed": placed})

            def reference_action(self, problem):
                return problem.answer

        class LetterCritic(Critic):
            def critique(self, problem, history, outcome, rng):
                if not outcome.valid:  # a bad action: say what was wrong with it
                    return Critique((FeedbackPart(FeedbackKind.HINDSIGHT_NEGATIVE, outcome.message),))
                if outcome.success:
                    return Critique((FeedbackPart(FeedbackKind.HINDSIGHT_POSITIVE, "Solved."),))
                placed = outcome.diagnosis["placed"]
                text = f"{placed} of {len(problem.answer)} letters are in place."
                return Critique((FeedbackPart(FeedbackKind.HINDSIGHT_NEGATIVE, text),), {"placed": placed})

        class AnagramEnv(FamilyEnv):
            def __init__(self, feedback="verbal", *, max_turns=6, split="test", seed=0,
                         pairwise=False, user=None, privileged=False, render_mode=None):
                super().__init__(AnagramTask(), SimulatedUser(LetterCritic(), feedback,
                                 pairwise=pairwise), max_turns=max_turns, split=split,
                                 dataset_seed=seed, user=user, privileged=privileged,
                                 render_mode=render_mode)
    """,
    "fbgym_anagrams/baseline.py": """
        import itertools
        import re

        class AnagramPolicy:
            def __init__(self, problem, *, use_feedback, rng, memory):
                words = sorted({"".join(p) for p in itertools.permutations(problem["letters"])})
                rng.shuffle(words)
                self.candidates, self.use_feedback, self.last = words, use_feedback, None

            def act(self, observation, info):
                said = re.search(r"(\\d+) of \\d+ letters", observation.get("feedback", ""))
                if self.use_feedback and said and self.last:
                    placed = int(said[1])
                    self.candidates = [w for w in self.candidates
                                       if sum(a == b for a, b in zip(w, self.last)) == placed]
                self.last = self.candidates.pop(0) if self.candidates else "?"
                return self.last
    """,
    "fbgym_anagrams/agents.py": """
        from fbgym.agents.base import BaseAgent

        class Reader(BaseAgent):
            name = "letter-reader"

            def act(self, observation, info):
                return info.get("problem", {}).get("letters", "") if info.get("problem") else "x"
    """,
    "test_anagram_bench.py": """
        import pytest

        @pytest.mark.fbgym
        def test_baseline_on_anagrams(fbgym_evaluate):
            from fbgym.agents import FeedbackAgent
            fbgym_evaluate(FeedbackAgent(), "anagrams", executor="serial")
    """,
}


@pytest.fixture(scope="module")
def plugin(tmp_path_factory, install_package):
    """The package installed (as pip installs it) into a folder of its own; env for subprocesses."""
    root = tmp_path_factory.mktemp("anagrams")
    target = install_package(PACKAGE, root)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(target), os.getcwd()])}
    return {"env": env, "root": root, "src": root / "src"}


def fbgym_cli(plugin, *args, stdin=None, check=True):
    done = subprocess.run(
        [sys.executable, "-m", "fbgym.cli", *args],
        capture_output=True, text=True, env=plugin["env"], input=stdin, timeout=600,
    )  # fmt: skip
    if check:
        assert done.returncode == 0, done.stdout + done.stderr
    return done


def test_the_family_is_listed_and_played(plugin):
    listing = fbgym_cli(plugin, "envs").stdout
    assert "anagrams/Anagram-v0" in listing and "bare/Bare-v0" in listing
    played = fbgym_cli(plugin, "play", "anagrams/Anagram-v0", "--seed", "3", stdin="tsest\n")
    assert "letters are in place" in played.stdout


def test_run_submit_and_show(plugin):
    runs, results = plugin["root"] / "runs", plugin["root"] / "results"
    fbgym_cli(plugin, "run", "--suite", "anagrams", "--agent", "feedback-baseline",
              "--out", str(runs), "--no-progress", "--executor", "serial")  # fmt: skip
    (run,) = runs.iterdir()
    episodes = [json.loads(line) for line in (run / "episodes.jsonl").read_text().splitlines()]
    assert len(episodes) == 12 and {e["env_id"] for e in episodes} == {"anagrams/Anagram-v0"}
    assert all(e["error"] is None for e in episodes) and any(e["success"] for e in episodes)
    fbgym_cli(plugin, "leaderboard", "submit", str(run), "--submitter", "ann",
              "--results", str(results))  # fmt: skip
    shown = fbgym_cli(plugin, "leaderboard", "show", "--results", str(results)).stdout
    assert "feedback-baseline" in shown and "anagrams@1" in shown


def test_an_agent_from_the_package_plays_it(plugin):
    runs = plugin["root"] / "reader-runs"
    fbgym_cli(plugin, "run", "--suite", "anagrams", "--agent", "fbgym_anagrams.agents:Reader",
              "--out", str(runs), "--no-progress", "--executor", "serial")  # fmt: skip
    assert len(list(runs.iterdir())) == 1


def test_a_family_without_a_baseline_gets_a_clear_message_not_failed_episodes(plugin):
    script = (
        "import fbgym\n"
        "from fbgym.agents import FeedbackAgent\n"
        "try:\n"
        "    fbgym.evaluate(FeedbackAgent(), ['bare/Bare-v0'], episodes=1, run_dir='unused')\n"
        "except fbgym.FbgymError as exc:\n"
        "    print('refused:', exc)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          env=plugin["env"], cwd=plugin["root"], check=True)  # fmt: skip
    assert "refused:" in done.stdout and "'bare' declare" in done.stdout
    assert not (plugin["root"] / "unused").exists()


def test_pytest_benchmark_evaluates_on_it(plugin):
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--benchmark",
         "--benchmark-disable", str(plugin["src"] / "test_anagram_bench.py")],
        capture_output=True, text=True, env=plugin["env"], cwd=plugin["root"], timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 passed" in done.stdout and "anagrams/Anagram-v0|verbal" in done.stdout


def test_the_contract_checker_passes_on_it(plugin):
    script = (
        "from fbgym.utils import check_feedback_env\n"
        "report = check_feedback_env('anagrams/Anagram-v0')\n"
        "print(report.channels, report.episodes)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          env=plugin["env"], timeout=600)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "verbal" in done.stdout and "scalar" in done.stdout


class EchoUser:
    """A simulated user of its own, whose channel is a plain string."""

    channel = "verbal"

    def respond(self, problem, history, outcome, rng):
        return Feedback("verbal", "Right." if outcome.success else "Not that.")


class OneWord:
    family = "echo"

    def problem(self, split, index, seed):
        return Problem(f"echo/{index}", "echo", "Say 'yes'.", "", "yes")

    def grade(self, problem, action, history):
        return Outcome(action.strip() == "yes", float(action.strip() == "yes"))

    def reference_action(self, problem):
        return "yes"


def test_a_simulated_user_whose_channel_is_a_string_plays():
    env = FeedbackEnv(OneWord(), EchoUser(), max_turns=2)
    obs, info = env.reset(seed=0)
    assert info["channel"] == "verbal"
    obs, reward, terminated, _, info = env.step("no")
    assert obs["feedback"] == "Not that." and info["feedback"].channel.value == "verbal"
    assert env.step("yes")[1] == 1.0


def test_plugins_cannot_change_fbgyms_own_suites():
    bad = fbgym.Family(
        "sneaky",
        env="fbgym.envs.math.env:MathEnv",
        versions={"sneaky/Sneaky-v0": {}},
        suites={"default": (fbgym.core.SuiteEntry("sneaky/Sneaky-v0"),)},
    )
    with pytest.raises(fbgym.errors.RegistrationError, match="fbgym's own"):
        fbgym.registry.register_family(bad)
    assert "sneaky" not in fbgym.registry.families


@pytest.mark.parametrize("family", ["math", "code", "search", "robot"])
def test_a_built_in_family_is_named_only_inside_its_own_package(family):
    package = Path(fbgym.__file__).parent
    own = package / "envs" / family
    outside = [
        str(p.relative_to(package)) for p in package.rglob("*.py")
        if own not in p.parents and f"fbgym.envs.{family}" in p.read_text()
    ]  # fmt: skip
    assert outside == [], f"modules outside fbgym/envs/{family} that name it: {outside}"
