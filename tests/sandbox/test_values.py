from collections import Counter, OrderedDict, defaultdict, deque, namedtuple

import pytest

from fbgym.sandbox import UnencodableValue, decode_value, encode_value, show_value, values_equal
from fbgym.sandbox.values import MAX_COLLISIONS, MAX_DEPTH, ObjectValue, Opaque


def _roundtrip(value):
    return decode_value(encode_value(value))


@pytest.mark.parametrize(
    "value",
    [
        Counter("abracadabra"),
        OrderedDict([("b", 1), ("a", (2, [3]))]),
        deque([1, (2, 3)], maxlen=5),
        frozenset({(1, 2), (3, frozenset({4}))}),
        {"k": {1, 2}, (1, ("nested", (2,))): None},
        [10**5000, -(7**9000), 2**63, -1, 0],
        [0.1, float("inf"), -0.0, 1e300, 3 + 4j, b"\x00\xff", "\ud800 \t\n\x1b"],
    ],
)
def test_the_standard_containers_and_scalars_cross_unchanged(value):
    back = _roundtrip(value)
    assert back == value and type(back) is type(value)


def test_a_defaultdict_keeps_its_builtin_factory():
    grouped = defaultdict(list, {1: [1, 4]})
    back = _roundtrip(grouped)
    assert type(back) is defaultdict and back == grouped and back.default_factory is list
    odd = defaultdict(lambda: 0, {"a": 1})
    assert _roundtrip(odd).default_factory is None  # a lambda cannot cross; the items do


def test_subclasses_cross_as_their_base_types_data():
    class Yes(int):
        def __eq__(self, other):
            return True

        __hash__ = int.__hash__

    class Lying(str):
        def __str__(self):
            return "something else"

    point = namedtuple("Point", "x y")(1, 2)
    back = _roundtrip([Yes(3), Lying("no"), point])
    assert back == [3, "no", (1, 2)] and [type(v) for v in back] == [int, str, tuple]


def test_other_objects_are_refused_unless_a_hook_takes_them():
    with pytest.raises(UnencodableValue, match="object is not plain data"):
        encode_value([object()])
    text = encode_value([object()], other=lambda v: ("ref", 7, type(v).__name__))
    ref = decode_value(text)[0]
    assert type(ref) is Opaque and ref.number == 7 and repr(ref) == "<object object>"
    text = encode_value(object(), other=lambda v: ("obj", "Node", {"left": None, "v": 1}))
    node = decode_value(text)
    assert type(node) is ObjectValue and node.attributes == {"left": None, "v": 1}


def _hostile(tokens):
    with pytest.raises(UnencodableValue) as caught:
        decode_value("\t".join(tokens))
    return str(caught.value)


def test_decoding_refuses_what_the_encoder_never_writes():
    assert "nested more than" in _hostile(["N"] + ["L1"] * (MAX_DEPTH + 1))
    assert "more than" in _hostile(["N"] * 200_000)
    assert "needs 5 values" in _hostile(["N", "L5"])
    assert "not one" in _hostile(["N", "N"])
    assert "JSON string" in _hostile(["s[[[[[[[[[["])  # never handed to json.loads
    assert "malformed" in _hostile(["ixyz"])
    assert "malformed" in _hostile(["d" + "1" * 100])
    assert "unknown defaultdict factory" in _hostile(["N", "N", "Y1,os.system"])
    assert "unknown token" in _hostile(["N", "X1"])
    with pytest.raises(UnencodableValue, match="must be a str"):
        decode_value(b"N")


def test_keys_sharing_one_hash_are_refused():
    modulus = 2**61 - 1  # ints k * modulus + 1 all hash to 1
    colliding = [f"i{1 + k * modulus:x}" for k in range(MAX_COLLISIONS + 1)]
    assert "share one hash" in _hostile([*colliding, f"S{len(colliding)}"])
    pairs = [t for token in colliding for t in (token, "N")]
    assert "share one hash" in _hostile([*pairs, f"D{len(colliding)}"])
    few = colliding[:MAX_COLLISIONS]
    assert len(decode_value("\t".join([*few, f"S{len(few)}"]))) == MAX_COLLISIONS


def test_numbers_compare_exactly_but_floats_within_a_stated_tolerance():
    assert not values_equal(1e20, 10**20 + 12345) and not values_equal(10**20 + 12345, 1e20)
    assert values_equal(2, 2.0) and values_equal(0.1 + 0.2, 0.3)
    assert values_equal(float("nan"), float("nan")) and not values_equal(1.0, 1.001)
    assert values_equal(10**5000 + 1, 10**5000 + 1) and not values_equal(10**5000, 10**5000 + 1)
    assert not values_equal(True, 1) and not values_equal(1, True) and values_equal(False, False)
    assert values_equal(1 + 1e-12j, 1 + 0j)


def test_containers_compare_as_python_compares_them():
    assert values_equal(Counter("aab"), {"a": 2, "b": 1}) and values_equal({"a": 2}, Counter(a=2))
    assert values_equal(Counter(a=1, b=0), Counter(a=1))  # a missing count is a zero
    assert values_equal(defaultdict(list, {1: [2]}), {1: [2]})
    assert not values_equal(OrderedDict(a=1, b=2), OrderedDict(b=2, a=1))
    assert values_equal(OrderedDict(a=1, b=2), {"b": 2, "a": 1})
    assert values_equal({1, 2}, frozenset({2, 1})) and not values_equal([1, 2], (1, 2))
    assert not values_equal(deque([1]), [1]) and values_equal(deque([0.1 + 0.2]), deque([0.3]))
    assert not values_equal({"a": True}, {"a": 1})
    assert not values_equal(Opaque(1), Opaque(1))


def test_shown_values_are_bounded_deterministic_and_never_raise():
    assert show_value({"b", "a", "c"}) == "{'a', 'b', 'c'}"
    assert show_value(10**5000) == "<an int of 5,000 digits>"
    assert show_value([10**5000]) == "[<an int of 5,000 digits>]"
    assert len(show_value(list(range(10**5)))) <= 300
    assert show_value(Counter("aab")) == "Counter({'a': 2, 'b': 1})"
    assert show_value(defaultdict(list)) == "defaultdict(list, {})"
    assert show_value(ObjectValue("Node", {"v": 1})) == "Node(v=1)"
