"""Malformed atoms are rejected, each with a message naming the atom and the reason."""

from __future__ import annotations

import random
import time

import pytest

import codecorr_jax.atoms as registry
from codecorr_jax.atoms import spec
from codecorr_jax.atoms.spec import AtomError, atom
from codecorr_jax.atoms.validate import check_atom, validate_atom, validate_atoms, value_has_type


@pytest.fixture(autouse=True)
def restore_declared():
    """Atoms declared by these tests are removed from spec.DECLARED afterwards."""
    saved = list(spec.DECLARED)
    yield
    spec.DECLARED[:] = saved


def _lists(rng: random.Random) -> tuple:
    return ([rng.randint(-5, 9) for _ in range(rng.randint(0, 6))],)


LENGTHS = [(([],), 0), (([1],), 1), (([1, 2],), 2), (([3, 3, 3],), 3), (([5, 6, 7, 8],), 4)]
DECLARE = dict(topic="test", description="Return the length of xs.", generate=_lists,
               examples=LENGTHS)


def _only(problems: list[str], name: str, *fragments: str) -> None:
    """Every problem names the atom; some problem contains every fragment."""
    assert problems, f"atom {name} was accepted"
    assert all(p.startswith(f"atom {name!r}: ") for p in problems), problems
    assert any(all(f in p for f in fragments) for p in problems), problems


def test_a_good_atom_passes_and_stays_out_of_the_registry():
    @atom(**DECLARE)
    def length_of(xs: list[int]) -> int:
        return len(xs)

    assert validate_atom(length_of) == []
    check_atom(length_of)
    assert length_of not in registry.all_atoms()
    with pytest.raises(KeyError):
        registry.get("length_of")


def test_raising_atom():
    @atom(**DECLARE)
    def first_over_zero(xs: list[int]) -> int:
        return xs[0] // 0

    problems = validate_atom(first_over_zero)
    _only(problems, "first_over_zero", "raised ZeroDivisionError", "generated input")
    _only(problems, "first_over_zero", "example ([],)", "raised IndexError")
    with pytest.raises(AtomError, match="atom 'first_over_zero': .*ZeroDivisionError"):
        check_atom(first_over_zero)


def test_atom_returning_none():
    @atom(**DECLARE)
    def short_length(xs: list[int]) -> int:
        if len(xs) > 4:
            return None
        return len(xs)

    _only(validate_atom(short_length), "short_length", "returns None on input")


def test_nondeterministic_atoms():
    @atom(**DECLARE, imports=("random",))
    def noisy_length(xs: list[int]) -> int:
        return len(xs) + random.randint(0, 10**9)

    @atom(**DECLARE)
    def address_length(xs: list[int]) -> int:
        return len(xs) + id(xs) % 1000

    _only(validate_atom(noisy_length), "noisy_length", "is not deterministic")
    problems = validate_atom(address_length)
    _only(problems, "address_length", "uses builtin 'id'")
    _only(problems, "address_length", "is not deterministic")


def test_output_that_depends_on_string_hash_order():
    def words(rng: random.Random) -> tuple:
        return ([rng.choice(["ox", "elk", "gnu", "yak", "emu", "bat"]) for _ in range(6)],)

    @atom(topic="test", description="Return the distinct words.", generate=words,
          examples=[(([w],), [w]) for w in ("a", "b", "c", "d", "e")])
    def distinct_words(ws: list[str]) -> list[str]:
        return list(set(ws))

    _only(validate_atom(distinct_words), "distinct_words", "depends on the process",
          "PYTHONHASHSEED")


def test_wrong_return_types():
    @atom(**DECLARE)
    def length_text(xs: list[int]) -> int:
        return str(len(xs))

    @atom(**DECLARE)
    def nonempty(xs: list[int]) -> int:
        return len(xs) > 0

    @atom(**DECLARE)
    def pairs(xs: list[int]) -> list[int]:
        return [(x, x) for x in xs]

    _only(validate_atom(length_text), "length_text", "(str), declared int")
    _only(validate_atom(nonempty), "nonempty", "(bool), declared int")
    _only(validate_atom(pairs), "pairs", "declared list[int]")


def test_atom_that_modifies_its_argument():
    @atom(**DECLARE)
    def pop_length(xs: list[int]) -> int:
        xs.append(0)
        return len(xs) - 1

    _only(validate_atom(pop_length), "pop_length", "modifies its arguments")


def test_constant_atom_and_wrong_example():
    @atom(**DECLARE)
    def always_seven(xs: list[int]) -> int:
        return 7

    problems = validate_atom(always_seven)
    _only(problems, "always_seven", "only 1 distinct output(s)")
    _only(problems, "always_seven", "example ([1, 2],): expected 2, got 7")


def test_slow_and_hanging_atoms():
    @atom(**DECLARE, imports=("time",))
    def slow_length(xs: list[int]) -> int:
        time.sleep(0.002)
        return len(xs)

    @atom(**DECLARE)
    def forever(xs: list[int]) -> int:
        while True:
            xs = xs + []

    _only(validate_atom(slow_length, cross_process=False), "slow_length", "median call takes")
    start = time.perf_counter()
    _only(validate_atom(forever), "forever", "did not return within 1 s")
    assert time.perf_counter() - start < 5  # the first hang stops further calls


def test_bad_generators():
    def wrong_types(rng: random.Random) -> tuple:
        return ((1, 2),)

    def unseeded(rng: random.Random) -> tuple:
        return ([random.randint(0, 9) for _ in range(5)],)

    @atom(**{**DECLARE, "generate": wrong_types})
    def length_a(xs: list[int]) -> int:
        return len(xs)

    @atom(**{**DECLARE, "generate": unseeded})
    def length_b(xs: list[int]) -> int:
        return len(xs)

    _only(validate_atom(length_a), "length_a", "argument 'xs' = (1, 2) is not a list[int]")
    _only(validate_atom(length_b), "length_b", "generator is not deterministic")


def test_static_rules():
    @atom(topic="test", description="Return the length of xs", generate=_lists,
          examples=LENGTHS[:3])
    def Bad_Length(xs: list[int]) -> int:
        """Length."""
        # a comment
        import os
        return len(xs) + len(os.sep) - 1

    @atom(**DECLARE)
    def root_length(xs: list[int]) -> int:
        return math.isqrt(len(xs))

    @atom(**DECLARE)
    def printed_length(xs: list[int])->int:
        print(xs)
        return len(xs)

    @atom(**DECLARE, imports=("pytest",))
    def outside_length(xs: list[int]) -> int:
        return len(xs) + 0 * len(pytest.__name__)

    problems = validate_atom(Bad_Length)
    for fragment in ("snake_case", "must end with a period", "3 distinct hand-written examples",
                     "remove the docstring", "remove comments", "move the import"):
        _only(problems, "Bad_Length", fragment)
    _only(validate_atom(root_length), "root_length", "uses 'math'", "declared import")
    problems = validate_atom(printed_length)
    _only(problems, "printed_length", "uses builtin 'print'")
    _only(problems, "printed_length", "the def line must be exactly")
    _only(validate_atom(outside_length), "outside_length", "'pytest' is not a standard-library")


def test_duplicates_are_rejected_naming_both_topics():
    @atom(**{**DECLARE, "topic": "lists"})
    def twin(xs: list[int]) -> int:
        return len(xs)

    first = twin

    doubled = [(args, 2 * n) for args, n in LENGTHS]

    @atom(**{**DECLARE, "topic": "words", "description": "Return twice the length of xs.",
             "examples": doubled})
    def twin(xs: list[int]) -> int:
        return 2 * len(xs)

    with pytest.raises(AtomError, match="atom 'twin': duplicate name, .*'lists' and 'words'"):
        registry.index_by_name({"lists": [first], "words": [twin]})
    with pytest.raises(AtomError, match="atom 'twin': .* topic 'lists'; the topic must be"):
        registry.index_by_name({"bits": [first]})
    problems = validate_atoms([first, twin], cross_process=False)
    assert problems == ["atom 'twin': duplicate name, declared in topics 'lists' and 'words'"]


def test_semantic_duplicates_are_reported():
    @atom(**DECLARE)
    def size_a(xs: list[int]) -> int:
        return len(xs)

    @atom(**DECLARE)
    def size_b(xs: list[int]) -> int:
        return sum(1 for _ in xs)

    assert validate_atoms([size_a, size_b], cross_process=False) == [
        "atom 'size_b': computes the same outputs as 'size_a' on their shared probe inputs; "
        "make it a different function"
    ]


@pytest.mark.parametrize(("value", "type_str", "ok"), [
    (3, "int", True), (True, "int", False), (False, "bool", True), (1, "bool", False),
    ("a", "str", True), ([], "list[int]", True), ([1, -2], "list[int]", True),
    ([1, True], "list[int]", False), ((1, 2), "list[int]", False), (["a"], "list[str]", True),
    ([[1], []], "list[list[int]]", True), ([[1], [2.0]], "list[list[int]]", False),
    ([1], "list[list[int]]", False), (None, "int", False), (2.0, "int", False),
])
def test_value_has_type(value, type_str, ok):
    assert value_has_type(value, type_str) is ok


def test_value_has_type_rejects_unknown_types():
    with pytest.raises(ValueError, match="unknown atom type 'float'"):
        value_has_type(1.0, "float")
