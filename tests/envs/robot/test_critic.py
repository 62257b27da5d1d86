import pytest

from fbgym.envs.robot.critic import PersonConfig, phrase, words_for
from fbgym.errors import ConfigError


@pytest.mark.parametrize(
    "offset,said",
    [
        ([-2.6, 0.3], "a bit to the left"),
        ([0.0, 1.2], "a touch further from me"),
        ([4.0, -6.0], "a lot closer to me and to the right"),
        ([0.5, -0.5], ""),
    ],
)
def test_offsets_are_quantised_to_words_in_the_persons_frame(offset, said):
    assert phrase(words_for(offset)) == said


def _first_failure(env, seed, action):
    env.reset(seed=seed)
    obs, _, _, _, info = env.step(action)
    return obs["feedback"], info


def _naive(info):
    p = info["problem"]
    return f"pick {p['object']}; place {p['target']}"


def test_skill_level_correction_names_object_and_direction(make_env):
    env = make_env(tasks=("put",), ambiguity=0.0, bias_rate=1.0)
    _, info = env.reset(seed=0)
    text, info = _first_failure(env, 0, _naive(info))
    fault = env.unwrapped.history[-1].outcome.diagnosis["failure"]
    assert fault["kind"] == "offset"
    said = phrase(words_for(fault["offset"]))
    assert said in text and fault["object"].replace("_", " ") in text
    assert env.unwrapped.history[-1].feedback.notes == {"correction": "offset", "noise": None}


def test_plan_level_corrections(make_env):
    env = make_env(tasks=("drawer",), bias_rate=0.0, ambiguity=0.0)
    _, info = env.reset(seed=1)
    text, _ = _first_failure(env, 1, _naive(info))
    assert "open the drawer first" in text.lower()
    env = make_env(tasks=("put",), bias_rate=0.0, ambiguity=1.0)
    found = 0
    for seed in range(30):
        _, info = env.reset(seed=seed)
        text, info = _first_failure(env, seed, _naive(info))
        fault = env.unwrapped.history[-1].outcome.diagnosis["failure"]
        if fault and fault["kind"] == "wrong_object":
            found += 1
            colour = fault["want"].split("_")[0]
            assert f"the {colour} " in text
    assert found >= 3


def test_noise_knobs(make_env):
    def feedback(**person):
        env = make_env(tasks=("put",), ambiguity=0.0, bias_rate=1.0, **person)
        texts = []
        for seed in range(15):
            _, info = env.reset(seed=seed)
            text, info = _first_failure(env, seed, _naive(info))
            texts.append(
                (
                    text,
                    env.unwrapped.history[-1].outcome.diagnosis["failure"],
                    env.unwrapped.history[-1].feedback.notes,
                )
            )
        return texts

    for text, _, meta in feedback(missing=1.0):
        assert text in ("No, that's not it.", "No.") and meta["noise"] == "missing"
    for text, fault, meta in feedback(wrong=1.0):
        main = words_for(fault["offset"])[0][0]
        assert main not in text and meta["noise"] == "wrong"
    for text, _, _ in feedback(vague=1.0):
        assert not any(size in text for size in ("a touch", "a bit", "a lot"))


def test_unary_and_ranked(make_env):
    env = make_env("unary", tasks=("put",), bias_rate=1.0, ambiguity=0.0)
    _, info = env.reset(seed=0)
    obs, *_ = env.step(_naive(info))
    assert obs["feedback"] == "Let's try again."
    env = make_env("ranked", tasks=("put",), bias_rate=1.0, ambiguity=0.0)
    _, info = env.reset(seed=0)
    env.step(_naive(info))
    obs, _, _, _, info2 = env.step("move left 30cm")
    assert info2["feedback"].ranking == ((1,), (2,))
    assert "Further off than the last attempt." in obs["feedback"]
    assert info2["feedback"].meta["comparison"] == "further"


def test_person_config_is_validated():
    with pytest.raises(ConfigError, match="wrong must be a probability"):
        PersonConfig(wrong=1.5)
