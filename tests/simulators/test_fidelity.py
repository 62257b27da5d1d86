"""Each fidelity knob's measured effect, over thousands of seeded turns."""

from __future__ import annotations

import math
from fractions import Fraction

import pytest

from fbgym.core.seeding import make_random
from fbgym.core.types import Channel, FeedbackKind
from fbgym.envs.math.critic import BANK
from fbgym.envs.math.program import evaluate
from fbgym.simulators.base import rank_attempts
from fbgym.simulators.fidelity import FidelityUser, UserConfig

from .conftest import TASK, turn, wrong_attempt

N = 2000


def within_3_sigma(count: int, n: int, p: float) -> bool:
    sigma = math.sqrt(n * p * (1 - p))
    return abs(count - n * p) <= 3 * sigma + 1e-9


def true_direction(problem, outcome) -> str:
    return "high" if Fraction(outcome.diagnosis["value"]) > problem.data["gold_value"] else "low"


def said_direction(text: str, answer: str) -> set[str]:
    return {
        d
        for d in ("high", "low")
        if any(t.format(answer=answer) in text for t in BANK.templates[d])
    }


@pytest.mark.parametrize("p", [0.0, 0.15, 0.4])
def test_noise_gives_wrong_hints_at_the_configured_rate(math_user, p):
    user = FidelityUser(math_user(), UserConfig(noise=p))
    wrong = 0
    for i in range(N):
        problem, outcome = wrong_attempt(i)
        fb = user.respond(problem, (), outcome, make_random("noise", i))
        truth = true_direction(problem, outcome)
        said = said_direction(fb.text, outcome.diagnosis["answer"])
        assert said == {fb.meta["direction"]}, fb.text  # text and structure agree
        if fb.notes.get("wrong_hint"):
            wrong += 1
            assert fb.meta["direction"] != truth
            if len(problem.data["steps"]) >= 2 and fb.meta["step"] is not None:
                clean = math_user().respond(problem, (), outcome, make_random("x"))
                assert fb.meta["step"] != clean.meta["step"]
                assert (
                    f"Step {fb.meta['step']} " in fb.text or f"step {fb.meta['step']}," in fb.text
                )
        else:
            assert fb.meta["direction"] == truth
    assert within_3_sigma(wrong, N, p), (wrong, N * p)


def test_ranked_label_flips_match_the_configured_rate(math_user):
    p = 0.25
    user = FidelityUser(math_user("ranked", pairwise=True), UserConfig(noise=p))
    flips = wrong_order = 0
    for i in range(N):
        problem, first = wrong_attempt(i)
        _, second = wrong_attempt(i, offset=3)
        history = (turn(1, "a", first, user.inner.respond(problem, (), first, make_random())),)
        fb = user.respond(problem, history, second, make_random("flip", i))
        truth = rank_attempts([(1, first.utility), (2, second.utility)])
        flips += bool(fb.notes.get("flipped"))
        wrong_order += fb.ranking != truth
        assert bool(fb.notes.get("flipped")) == (fb.ranking != truth)
        assert fb.text.endswith(" > ".join(f"attempt {g[0]}" for g in fb.ranking) + ".")
    assert within_3_sigma(flips, N, p), flips
    assert wrong_order == flips


def test_sycophancy_praises_failures_at_the_configured_rate(math_user):
    p = 0.3
    user = FidelityUser(math_user(), UserConfig(sycophancy=p))
    praised = 0
    for i in range(N):
        problem, outcome = wrong_attempt(i)
        fb = user.respond(problem, (), outcome, make_random("syc", i))
        if fb.notes.get("sycophantic"):
            praised += 1
            assert fb.kinds == (FeedbackKind.HINDSIGHT_POSITIVE,)
            assert "direction" not in fb.meta
    assert within_3_sigma(praised, N, p)


def test_anchoring_repeats_the_first_critique(math_user):
    p = 0.4
    user = FidelityUser(math_user(), UserConfig(anchoring=p))
    anchored = 0
    for i in range(N // 2):
        problem, first = wrong_attempt(i)
        _, second = wrong_attempt(i, offset=1)
        first_fb = user.inner.respond(problem, (), first, make_random())
        fb = user.respond(problem, (turn(1, "a", first, first_fb),), second, make_random("a", i))
        if fb.notes.get("anchored"):
            anchored += 1
            assert fb.meta["direction"] == true_direction(problem, first)
            assert first.diagnosis["answer"] in fb.text
    assert within_3_sigma(anchored, N // 2, p)


def test_dropout_silences_turns_at_the_configured_rate(math_user):
    p = 0.2
    for channel in ("verbal", "unary", "ranked"):
        user = FidelityUser(math_user(channel), UserConfig(dropout=p))
        dropped = 0
        for i in range(N):
            problem, outcome = wrong_attempt(i)
            fb = user.respond(problem, (), outcome, make_random("drop", i))
            if fb.notes.get("dropped"):
                dropped += 1
                assert fb.text == "" and fb.parts == () and fb.ranking is None
        assert within_3_sigma(dropped, N, p), (channel, dropped)


def test_delay_gives_feedback_about_an_earlier_attempt(math_user):
    user = FidelityUser(math_user(), UserConfig(delay=2))
    problem = TASK.problem("test", 11, 0)
    gold = problem.data["gold_value"]
    answers = [gold + 5, gold - 3, gold + 1, gold - 9, gold + 2]
    history: list = []
    for k, value in enumerate(answers, start=1):
        outcome = TASK.grade(problem, f"The answer is {value}", tuple(history))
        fb = user.respond(problem, tuple(history), outcome, make_random("delay", k))
        if k <= 2:
            assert fb.text == "" and fb.notes["delayed"]
        else:
            assert fb.meta["about_turn"] == k - 2
            assert fb.meta["direction"] == ("high" if answers[k - 3] > gold else "low")
            assert fb.text.startswith(f"About attempt {k - 2}:")
        history.append(turn(k, f"The answer is {value}", outcome, fb))


def test_patience_ends_episodes_at_the_configured_turn():
    import gymnasium as gym

    for patience in (1, 2, 4):
        env = gym.make("fbgym/Math-v0", max_turns=8, user={"patience": patience})
        for seed in range(20):
            env.reset(seed=seed)
            turns = 0
            terminated = truncated = False
            while not (terminated or truncated):
                _, _, terminated, truncated, info = env.step("The answer is -123456789")
                turns += 1
            assert terminated and not truncated and turns == patience
            assert (
                info["feedback"].end
                and env.unwrapped.history[-1].feedback.notes["ended"] == "patience"
            )


def test_persona_rewords_without_changing_content(math_user):
    plain = math_user()
    for persona, openers in (("blunt", ("No.", "Wrong.")), ("formal", ("Thank you", "I have"))):
        user = FidelityUser(plain, UserConfig(persona=persona))
        for i in range(50):
            problem, outcome = wrong_attempt(i)
            fb = user.respond(problem, (), outcome, make_random("p", i))
            base = plain.respond(problem, (), outcome, make_random("p", i))
            assert fb.text.startswith(openers) and fb.text.endswith(base.text)
            assert fb.meta["direction"] == base.meta["direction"] and fb.notes["persona"] == persona


def test_verbosity_bias_prefers_the_longer_of_equal_attempts(math_user):
    user = FidelityUser(math_user("ranked"), UserConfig(verbosity=0.5))
    problem, outcome = wrong_attempt(3)
    first = turn(
        1, "The answer is 1.", outcome, user.inner.respond(problem, (), outcome, make_random())
    )
    long = "Let me work through this carefully, step by step. " * 10 + "The answer is 1."
    fb = user.respond(problem, (first,), outcome, make_random("v"), action=long)
    assert fb.ranking == ((2,), (1,))
    fb = user.respond(problem, (first,), outcome, make_random("v"))  # length unknown: a tie
    assert fb.ranking == ((1, 2),)


def test_ladder_rungs_say_more_as_they_rise(math_user):
    problem = next(
        p for p in (TASK.problem("test", i, 0) for i in range(200)) if len(p.data["steps"]) >= 3
    )
    steps = problem.data["steps"]
    right = evaluate(steps)
    from fbgym.envs.math.program import mistaken_paths

    mistake, path = next(iter(mistaken_paths(steps).items()))
    outcome = TASK.grade(problem, f"The answer is {path[-1]}", ())
    said = {}
    for level in ("unary", "hindsight", "future", "ground_truth", "edit"):
        fb = FidelityUser(math_user(), UserConfig(informativeness=level)).respond(
            problem, (), outcome, make_random("ladder")
        )
        said[level] = fb
        assert fb.notes["level"] == level
    assert said["unary"].text == "Let's try again." and "direction" not in said["unary"].meta
    assert set(said["hindsight"].kinds) <= {
        FeedbackKind.HINDSIGHT_NEGATIVE,
        FeedbackKind.HINDSIGHT_POSITIVE,
    }
    assert "step" not in said["hindsight"].meta and "direction" in said["hindsight"].meta
    assert FeedbackKind.STEP in said["future"].kinds and said["future"].meta["step"]
    values = said["ground_truth"].meta["step_values"]
    assert values == {str(i + 1): str(v) for i, v in enumerate(right[:-1])}
    assert said["ground_truth"].kinds[-1] is FeedbackKind.CORRECTION
    edit = said["edit"].meta["edit"]
    assert edit["step"] == said["future"].meta["step"]
    assert Fraction(edit["value"]) == right[edit["step"] - 1]
    assert edit["value"] in said["edit"].parts[-1].text


def test_knobs_leave_success_and_unary_content_alone(math_user):
    user = FidelityUser(math_user(), UserConfig(noise=1.0, sycophancy=0.0, dropout=1.0))
    problem = TASK.problem("test", 0, 0)
    success = TASK.grade(problem, TASK.reference_action(problem), ())
    fb = user.respond(problem, (), success, make_random())
    assert fb.text.startswith(("Correct", "Yes", "That's right")) and not fb.notes.get("dropped")
    unary = FidelityUser(math_user("unary"), UserConfig(noise=1.0))
    _, outcome = wrong_attempt(0)
    assert unary.respond(problem, (), outcome, make_random()).text == "Let's try again."
    assert unary.channel is Channel.UNARY


def test_ranked_anchoring_puts_the_first_attempt_first(math_user):
    p = 0.3
    user = FidelityUser(math_user("ranked"), UserConfig(anchoring=p))
    anchored = 0
    for i in range(N // 2):
        problem, first = wrong_attempt(i)
        _, second = wrong_attempt(i, offset=2)
        history = (turn(1, "a", first, user.inner.respond(problem, (), first, make_random())),)
        fb = user.respond(problem, history, second, make_random("rank-anchor", i))
        if fb.notes.get("anchored"):
            anchored += 1
            assert fb.ranking == ((1,), (2,)) and fb.text.endswith("attempt 1 > attempt 2.")
        else:
            assert fb.ranking == rank_attempts([(1, first.utility), (2, second.utility)])
    assert within_3_sigma(anchored, N // 2, p)


def test_code_wrong_hints_name_another_tests_expected_value():
    import gymnasium as gym

    env = gym.make("fbgym/Code-v0", feedback="verbal", user={"noise": 1.0}, wall_s=1.0)
    env.reset(seed=1)
    truth = {repr(t.expected) for t in env.unwrapped.problem.data["tests"]}
    name = env.unwrapped.problem.data["entry_point"]
    env.step(f"```python\ndef {name}(*args):\n    return None\n```")
    fb = env.unwrapped.history[-1].feedback
    assert fb.notes["wrong_hint"] is True
    assert fb.meta["expected"] in truth  # a real output, of another input
    assert fb.meta["expected"] in fb.text
