from fbgym.core.text import MAX_ACTION_CHARS, WideText, action_problem, clean_text


def test_wide_text_accepts_unicode_and_rejects_controls_and_surrogates():
    space = WideText(100)
    assert space.contains("") and space.contains("héllo → 世界 🙂\n\ttab")
    assert not space.contains("a\x00b") and not space.contains("\ud800")
    assert not space.contains("x" * 101) and not space.contains(5)


def test_wide_text_samples_are_members_and_seeded():
    a, b = WideText(50, seed=3), WideText(50, seed=3)
    samples = [a.sample() for _ in range(20)]
    assert samples == [b.sample() for _ in range(20)]
    assert all(a.contains(s) for s in samples)


def test_clean_text_replaces_and_cuts():
    assert clean_text("a\x00b\ud800") == "a\ufffdb\ufffd"
    cut = clean_text("y" * 500, max_chars=100)
    assert len(cut) == 100 and "characters cut" in cut


def test_action_problem_messages():
    assert action_problem("fine") is None
    assert action_problem("") == "the action is empty"
    assert "must be a string, got bytes" in action_problem(b"x")
    assert "limit is" in action_problem("x" * (MAX_ACTION_CHARS + 1))
    assert "U+0007 at position 3" in action_problem("abc\x07")
