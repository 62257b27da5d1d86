"""TRL adapters: rewards and the multi-turn environment drive a real GRPOTrainer on a tiny model."""

import json

import pytest

import fbgym
from fbgym.agents.llm.prompts import prompt_for
from fbgym.integrations.trl import (
    SUBMIT_NOTE,
    FeedbackEnvironment,
    prompt_dataset,
    score_reward,
    success_reward,
)

pytest.importorskip("trl")
pytest.importorskip("datasets")

MATH = "fbgym/Math-v0"


def fbgym_grade(text, env_id, channel, seed, kwargs):
    """fbgym's own grading: the completion, read by its family's template, as the first action
    of a fresh env's episode."""
    env = fbgym.make(env_id, feedback=channel, **json.loads(kwargs))
    _, first = env.reset(seed=seed)
    _, reward, _, _, info = env.step(prompt_for(first["problem_id"].split("/")[0]).extract(text))
    return float(reward), info["success"]


def answer(row):
    """The answer of a row's problem, from the judge's side (tests only)."""
    env = fbgym.make(row["env_id"], feedback=row["channel"], **json.loads(row["kwargs"]))
    env.reset(seed=row["seed"])
    return env.unwrapped.problem.answer


def grpo_config(tmp_path, **overrides):
    from trl import GRPOConfig

    options = dict(
        output_dir=str(tmp_path / "out"),
        per_device_train_batch_size=4,
        num_generations=2,
        max_completion_length=8,
        max_steps=2,
        learning_rate=1e-4,
        logging_steps=1,
        save_strategy="no",
        report_to="none",
        use_cpu=True,
        seed=0,
    )
    return GRPOConfig(**{**options, **overrides})


def scripted_rollout(replies):
    """A TRL rollout function whose completions are ``replies(prompt)``, tokenized."""

    def rollout(prompts, trainer):
        tokenizer = trainer.processing_class
        prompt_ids, completion_ids = [], []
        for prompt in prompts:
            text = tokenizer.apply_chat_template(prompt, tokenize=False, add_generation_prompt=True)
            prompt_ids.append(tokenizer(text, add_special_tokens=False)["input_ids"])
            reply = replies(prompt) + "<|im_end|>"
            completion_ids.append(tokenizer(reply, add_special_tokens=False)["input_ids"])
        return {"prompt_ids": prompt_ids, "completion_ids": completion_ids, "logprobs": None}

    return rollout


def recording(reward_fn, calls):
    """``reward_fn``, recording each call's arguments and rewards."""

    def record(completions, **kwargs):
        rewards = reward_fn(completions, **kwargs)
        calls.append((completions, kwargs, rewards))
        return rewards

    record.__name__ = reward_fn.__name__
    return record


def test_prompt_dataset_rows_replay_their_episode():
    data = prompt_dataset([MATH], channels=["verbal", "ranked"], episodes=3, seed=5)
    assert len(data) == 6
    assert set(data.column_names) >= {"prompt", "env_id", "channel", "seed", "kwargs"}
    row = data[4]
    assert (row["channel"], row["seed"]) == ("ranked", 6)
    env = fbgym.make(MATH, feedback="ranked")
    observation, info = env.reset(seed=6)
    assert row["problem_id"] == info["problem_id"]
    assert [m["role"] for m in row["prompt"]] == ["system", "user"]
    assert observation["observation"] in row["prompt"][1]["content"]
    assert answer(row) not in row["prompt"][1]["content"].split()


def test_prompt_dataset_from_a_suite_keeps_its_kwargs():
    data = prompt_dataset("smoke", channels=["unary"])
    assert len(data) == 40
    assert set(data["channel"]) == {"unary"}
    assert all(json.loads(k) == {} for k in data["kwargs"])


def test_rewards_are_fbgyms_grading():
    data = prompt_dataset([MATH], channels=["verbal"], episodes=4, env_kwargs={"split": "test"})
    right = [f"Let me think.\nThe answer is {answer(r)}" for r in data]
    wrong = ["The answer is 123456789"] * len(data)
    columns = {k: data[k] for k in ("env_id", "channel", "seed", "kwargs")}
    assert success_reward(right, **columns) == [1.0] * 4
    assert success_reward(wrong, **columns) == [0.0] * 4
    conversational = [[{"role": "assistant", "content": text}] for text in right]
    assert score_reward(conversational, **columns) == [1.0] * 4


def test_grpo_trainer_generates_and_rewards_match_fbgym(tiny_lm, tmp_path):
    from trl import GRPOTrainer

    data = prompt_dataset([MATH], channels=["verbal", "unary"], episodes=2)
    calls = []
    trainer = GRPOTrainer(
        model=str(tiny_lm),
        reward_funcs=[recording(success_reward, calls), recording(score_reward, calls)],
        args=grpo_config(tmp_path),
        train_dataset=data,
    )
    trainer.train()
    assert len(calls) == 4  # two steps, two reward functions
    for completions, kwargs, rewards in calls:
        for i, completion in enumerate(completions):
            args = (
                kwargs["env_id"][i],
                kwargs["channel"][i],
                kwargs["seed"][i],
                kwargs["kwargs"][i],
            )
            text = completion[-1]["content"]
            reward, success = fbgym_grade(text, *args)
            assert rewards[i] == float(success)


def test_grpo_trainer_rewards_right_answers(tiny_lm, tmp_path):
    from trl import GRPOTrainer

    data = prompt_dataset([MATH], channels=["verbal"], episodes=4)
    answers = {r["prompt"][1]["content"]: answer(r) for r in data}
    turn = iter(range(1000))

    def replies(prompt):  # every other completion is right
        return f"The answer is {answers[prompt[-1]['content']] if next(turn) % 2 else '-999'}"

    calls = []
    trainer = GRPOTrainer(
        model=str(tiny_lm),
        reward_funcs=recording(success_reward, calls),
        args=grpo_config(tmp_path),
        train_dataset=data,
        rollout_func=scripted_rollout(replies),
    )
    trainer.train()
    for completions, kwargs, rewards in calls:
        for i, completion in enumerate(completions):
            args = (
                kwargs["env_id"][i],
                kwargs["channel"][i],
                kwargs["seed"][i],
                kwargs["kwargs"][i],
            )
            assert rewards[i] == float(fbgym_grade(completion[-1]["content"], *args)[1])
        assert sorted(rewards) == [0.0, 0.0, 1.0, 1.0]
    logged = [h["rewards/success_reward/mean"] for h in trainer.state.log_history if "loss" in h]
    assert logged == [0.5, 0.5]


def test_environment_plays_an_episode_in_the_rows_channel():
    data = prompt_dataset([MATH], channels=["verbal"], episodes=1)
    environment = FeedbackEnvironment()
    assert SUBMIT_NOTE in environment.reset(**data[0])
    feedback = environment.submit("The answer is -999")
    assert feedback.startswith("Feedback on your answer:")
    assert environment.get_reward() == 0.0
    environment.submit(f"The answer is {answer(data[0])}")
    assert environment.get_reward() == 1.0
    assert environment.submit("The answer is 1") == "The episode is over; nothing more is graded."


def test_grpo_trainer_with_the_environment_rewards_episode_success(tiny_lm, tmp_path):
    from trl import GRPOTrainer

    data = prompt_dataset([MATH], channels=["verbal"], episodes=4)
    answers = {r["prompt"][1]["content"]: answer(r) for r in data}
    turn = iter(range(1000))
    environments = []

    def replies(prompt):  # a tool call submitting the right answer every other time
        content = prompt[-1]["content"].removesuffix("\n\n" + SUBMIT_NOTE)
        attempt = f"The answer is {answers[content] if next(turn) % 2 else '-999'}"
        call = {"name": "submit", "arguments": {"attempt": attempt}}
        return f"<tool_call>\n{json.dumps(call)}\n</tool_call>"

    def factory():
        environments.append(FeedbackEnvironment())
        return environments[-1]

    trainer = GRPOTrainer(
        model=str(tiny_lm),
        args=grpo_config(tmp_path, max_tool_calling_iterations=1),
        train_dataset=data,
        environment_factory=factory,
        rollout_func=scripted_rollout(replies),
    )
    trainer.train()
    logged = [
        h["rewards/FeedbackEnvironment/mean"] for h in trainer.state.log_history if "loss" in h
    ]
    assert logged == [0.5, 0.5]
    played = [e for e in environments if e.attempts]
    assert played
    for environment in played:
        episode = environment.episode
        args = (episode["env_id"], episode["channel"], episode["seed"], episode["kwargs"])
        success = fbgym_grade(environment.attempts[0], *args)[1]
        assert environment.get_reward() == float(success)
    assert {e.get_reward() for e in played} == {0.0, 1.0}
