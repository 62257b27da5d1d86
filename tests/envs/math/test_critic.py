import gymnasium as gym
import pytest

import fbgym  # noqa: F401
from fbgym.core.types import FeedbackKind


def env_for(channel, seed, **kwargs):
    env = gym.make("fbgym/Math-v0", feedback=channel, **kwargs)
    env.reset(seed=seed)
    return env, env.unwrapped.problem


def test_verbal_names_the_step_that_went_wrong():
    env, problem = env_for("verbal", 0, kinds=("word",), levels=(3,))
    from fbgym.envs.math.critic import _paths

    steps = problem.data["steps"]
    mistake, path = next((m, p) for m, p in _paths(steps).items() if m.step == len(steps) - 1)
    wrong = path[-1]
    from fbgym.envs.math.program import format_number

    fb = env.step(f"The answer is {format_number(wrong)}")[4]["feedback"]
    assert fb.meta["step"] is not None
    assert FeedbackKind.STEP in fb.kinds and FeedbackKind.FUTURE_POSITIVE in fb.kinds
    assert f"step {fb.meta['step']}" in fb.text.lower()
    assert fb.meta["direction"] == ("high" if wrong > problem.data["gold_value"] else "low")


@pytest.mark.parametrize("seed", range(20))
def test_verbal_direction_is_always_right(seed):
    env, problem = env_for("verbal", seed)
    gold = problem.data["gold_value"]
    for delta, word in ((1000, "high"), (-1000, "low")):
        fb = env.step(f"The answer is {gold + delta}")[4]["feedback"]
        assert fb.meta["direction"] == word
        assert FeedbackKind.HINDSIGHT_NEGATIVE in fb.kinds


def test_verbal_says_when_an_answer_is_repeated():
    env, _ = env_for("verbal", 2)
    env.step("The answer is 123456")
    fb = env.step("The answer is 123456")[4]["feedback"]
    assert FeedbackKind.FUTURE_NEGATIVE in fb.kinds and "123456" in fb.text


def test_paraphrases_vary_across_episodes_and_repeat_within_a_seed():
    texts = set()
    for seed in range(30):
        env, _ = env_for("verbal", seed)
        texts.add(env.step("The answer is 99999")[4]["feedback"].text.split(" ")[-1])
    assert len(texts) > 3
    a = env_for("verbal", 4)[0].step("The answer is 99999")[4]["feedback"]
    b = env_for("verbal", 4)[0].step("The answer is 99999")[4]["feedback"]
    assert a == b


def test_unary_says_only_try_again():
    env, problem = env_for("unary", 1)
    for guess in ("The answer is 99999", "The answer is -3", "nothing"):
        fb = env.step(guess)[4]["feedback"]
        assert fb.text.endswith("Let's try again.") and fb.parts == () and fb.ranking is None


def test_ranked_orders_attempts_by_closeness():
    env, problem = env_for("ranked", 3)
    gold = problem.data["gold_value"]
    for delta in (50, 5, -500):
        info = env.step(f"The answer is {gold + delta}")[4]
    assert info["feedback"].ranking == ((2,), (1,), (3,))
    assert "attempt 2 > attempt 1 > attempt 3" in info["feedback"].text


def test_ranked_ties_and_pairwise():
    env, problem = env_for("ranked", 3, pairwise=True)
    gold = problem.data["gold_value"]
    env.step(f"The answer is {gold + 7}")
    env.step(f"The answer is {gold - 7}")
    info = env.step(f"The answer is {gold + 1}")[4]
    assert info["feedback"].ranking == ((3,), (2,))  # pairwise: only the last two
    env, _ = env_for("ranked", 3)
    env.step(f"The answer is {gold + 7}")
    assert env.step(f"The answer is {gold - 7}")[4]["feedback"].ranking == ((1, 2),)


def test_scalar_channel_gives_the_score():
    env, problem = env_for("scalar", 0)
    assert env.step("The answer is 99999")[4]["feedback"].value == 0.0
    assert env.step(f"The answer is {problem.answer}")[4]["feedback"].value == 1.0


def critiques(seeds, noise=0.0):
    """(problem, wrong answer, feedback) for every located slip of generated problems."""
    from fbgym.core.seeding import make_random
    from fbgym.envs.math.critic import MathCritic, _paths
    from fbgym.envs.math.program import format_number
    from fbgym.envs.math.task import MathConfig, MathTask
    from fbgym.simulators.base import SimulatedUser
    from fbgym.simulators.fidelity import FidelityUser, UserConfig

    task = MathTask(MathConfig(levels=(1, 2, 3, 4, 5)))
    user = SimulatedUser(MathCritic(), "verbal")
    if noise:
        user = FidelityUser(user, UserConfig(noise=noise))
    for seed in seeds:
        problem = task.problem("test", seed, 0)
        gold = problem.data["gold_value"]
        wrongs = {path[-1] for path in _paths(problem.data["steps"]).values()} | {gold + 1000}
        for wrong in sorted(wrongs):
            outcome = task.grade(problem, f"The answer is {format_number(wrong)}", ())
            yield (
                problem,
                outcome,
                user.respond(problem, (), outcome, make_random("c", seed, wrong)),
            )


@pytest.mark.parametrize("noise", [0.0, 1.0])
def test_no_step_whose_result_is_the_answer_is_quoted(noise):
    from fbgym.envs.math.program import evaluate

    named = 0
    for problem, _, fb in critiques(range(60), noise):
        steps = problem.data["steps"]
        values = evaluate(steps)
        for step, value in zip(steps, values):
            if value == problem.data["gold_value"]:
                assert f"({step.text})" not in fb.text and f", {step.text}:" not in fb.text
                assert f"check {step.text}." not in fb.text and f"at {step.text}." not in fb.text
                assert f"up to {step.text} " not in fb.text and f"out {step.text} " not in fb.text
                assert f"with {step.text}." not in fb.text
        named += fb.meta.get("step") is not None
    assert named > 50


def test_every_meta_value_is_stated_by_the_text():
    from fbgym.envs.math.critic import BANK

    for _, outcome, fb in critiques(range(60)):
        assert set(fb.meta) <= {"direction", "step"}
        answer = outcome.diagnosis["answer"]
        said = {
            d
            for d in ("high", "low")
            if any(t.format(answer=answer) in fb.text for t in BANK.templates[d])
        }
        assert said == {fb.meta["direction"]}, fb.text
        if fb.meta["step"] is not None:
            assert f"step {fb.meta['step']}" in fb.text.lower(), fb.text
        else:
            assert FeedbackKind.STEP not in fb.kinds
