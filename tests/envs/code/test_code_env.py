import gymnasium as gym
import pytest
from gymnasium.utils.env_checker import check_env

import fbgym.envs.code  # noqa: F401  (registers fbgym/Code-v0)
from fbgym.envs.code.grader import assemble, extract_code
from fbgym.errors import ConfigError

CHANNELS = ("verbal", "unary", "ranked", "scalar")


def make(channel="verbal", **kwargs):
    return gym.make("fbgym/Code-v0", feedback=channel, wall_s=1.0, **kwargs)


@pytest.mark.parametrize("channel", CHANNELS)
def test_env_passes_the_gymnasium_checker(channel):
    check_env(make(channel).unwrapped, skip_render_check=True)


@pytest.mark.parametrize("channel", CHANNELS)
def test_reference_action_succeeds_on_turn_one(channel):
    env = make(channel)
    for seed in range(6):
        env.reset(seed=seed)
        task = env.unwrapped.task
        _, reward, terminated, _, info = env.step(task.reference_action(env.unwrapped.problem))
        assert info["success"] and terminated and reward == 1.0


def test_episodes_are_deterministic():
    def transcript():
        env = make("verbal", informativeness=4, privileged=True)
        obs, info = env.reset(seed=3)
        out = [obs, info["problem"]]
        for action in info["problem"]["candidates"][:3] + ["def nope(:"]:
            obs, reward, term, trunc, info = env.step(f"```python\n{action}```")
            out.append(
                (
                    obs,
                    reward,
                    env.unwrapped.history[-1].outcome.to_dict(),
                    info["feedback"].to_dict(),
                )
            )
            if term or trunc:
                break
        return out

    assert transcript() == transcript()


@pytest.mark.parametrize(
    "action",
    [
        "",
        "hello world",
        "42",
        "```python\nprint(1)\n```",
        "def f(:\n  return",
        "\x00\x01",
        "x" * 30000,
    ],
)
def test_garbage_and_bad_actions_fail_without_raising(action):
    env = make("verbal")
    env.reset(seed=1)
    _, reward, _, _, info = env.step(action)
    assert not info["success"] and reward == 0.0
    assert "not accepted" in info["feedback"].text


def test_syntax_error_reports_its_line():
    env = make("verbal")
    env.reset(seed=0)
    entry = env.unwrapped.problem.data["entry_point"]
    _, _, _, _, info = env.step(f"def {entry}(x):\n    return (x\n")
    assert (
        not env.unwrapped.history[-1].outcome.valid
        and "SyntaxError on line" in env.unwrapped.history[-1].outcome.message
    )


def test_verbal_feedback_grows_with_informativeness():
    texts = {}
    for level in (1, 2, 3, 4):
        env = make("verbal", informativeness=level)
        obs, info = env.reset(seed=0)
        entry = info["problem"]["entry_point"]
        obs, *_ = env.step(f"def {entry}(*args):\n    return None\n")
        texts[level] = obs["feedback"]
    assert "fails" not in texts[1] and entry in texts[2]
    assert "None" in texts[3] and len(texts[4]) > len(texts[3])


def test_ranked_orders_by_pass_fraction_then_severity():
    env = make("ranked")
    _, info = env.reset(seed=0)
    entry = info["problem"]["entry_point"]
    env.step(f"def {entry}(*a):\n    while True:\n        pass\n")  # timeout: worst
    env.step(f"def {entry}(*a):\n    return None\n")  # wrong answers
    _, _, _, _, info = env.step(f"def {entry}(*a):\n    raise ValueError('x')\n")  # exceptions
    assert info["feedback"].ranking == ((2,), (3,), (1,))


def test_fenced_blocks_and_completions_are_accepted():
    text = "Here:\n```python\ndef g():\n    pass\n```\nand\n```python\ndef f(x):\n    return x\n```"
    assert extract_code(text, "f").startswith("def f(x)")
    program = assemble("    return 1\n", "f", preamble='def f():\n    """Doc."""\n')
    assert program.source is not None and "return 1" in program.source
    assert assemble("x = 1", "f").error.startswith("no function named `f`")


def test_config_is_validated():
    with pytest.raises(ConfigError, match="unknown code kinds"):
        make(kinds=("poetry",))
    with pytest.raises(ConfigError, match="levels must be in"):
        make(levels=(7,))
    with pytest.raises(ConfigError, match="informativeness must be one of"):
        make(informativeness=9)


def test_problems_cover_all_kinds_and_hidden_tests_include_edge_cases():
    env = make()
    kinds, notes = set(), set()
    for seed in range(40):
        env.reset(seed=seed)
        problem = env.unwrapped.problem
        kinds.add(problem.public["kind"])
        notes.update(t.note for t in problem.data["tests"] if t.note)
        assert problem.answer not in problem.observation
    assert kinds == {"string", "list", "number", "dict"}
    assert any("empty" in n for n in notes)
