"""Reward functions (hand-computed values) and the unbiased pass@k estimator (against brute-force
enumeration of every k-subset of the samples)."""

from __future__ import annotations

import itertools
import math

import pytest

from codecorr_jax.execution import (ProgramResult, TestOutcome, Verdict, compute_rewards,
                                    get_reward_fn, mean_pass_at_k, pass_at_k)
from codecorr_jax.execution.rewards import GRADED_REWARDS


def result(verdict: Verdict, passed: int, total: int) -> ProgramResult:
    tests = tuple(TestOutcome(Verdict.PASS if i < passed else verdict) for i in range(total))
    return ProgramResult(verdict, passed, total, tests)


RESULTS = [
    result(Verdict.PASS, 4, 4),
    result(Verdict.FAIL, 3, 4),
    result(Verdict.RUNTIME_ERROR, 1, 4),
    result(Verdict.TIMEOUT, 2, 4),
    result(Verdict.MEMORY_EXCEEDED, 0, 4),
    result(Verdict.CRASHED, 0, 4),
    result(Verdict.SYNTAX_ERROR, 0, 4),
    result(Verdict.PASS, 0, 0),
]


@pytest.mark.parametrize("name, expected", [
    ("binary", [1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0]),
    ("fraction", [1.0, 0.75, 0.25, 0.5, 0.0, 0.0, 0.0, 1.0]),
    ("graded", [1.0, -0.3, -0.6, -0.6, -0.6, -0.6, -1.0, 1.0]),
])
def test_rewards_by_name(name: str, expected: list[float]) -> None:
    assert compute_rewards(name, RESULTS) == pytest.approx(expected)
    assert [get_reward_fn(name)(r) for r in RESULTS] == pytest.approx(expected)


def test_graded_reward_orders_the_failure_kinds() -> None:
    assert (GRADED_REWARDS[Verdict.SYNTAX_ERROR] < GRADED_REWARDS[Verdict.RUNTIME_ERROR]
            < GRADED_REWARDS[Verdict.FAIL] < GRADED_REWARDS[Verdict.PASS])
    assert set(GRADED_REWARDS) == set(Verdict)


def test_unknown_reward_names_the_allowed_ones() -> None:
    with pytest.raises(ValueError, match=r"unknown reward 'exact'; allowed: binary, fraction, "
                                         r"graded"):
        get_reward_fn("exact")


def brute_force_pass_at_k(n: int, c: int, k: int) -> float:
    """Share of the k-subsets of n samples (the first c correct) holding a correct one."""
    subsets = list(itertools.combinations(range(n), k))
    return sum(any(i < c for i in subset) for subset in subsets) / len(subsets)


@pytest.mark.parametrize("n", range(1, 11))
def test_pass_at_k_matches_brute_force(n: int) -> None:
    for c in range(n + 1):
        for k in range(1, n + 1):
            assert pass_at_k(n, c, k) == pytest.approx(brute_force_pass_at_k(n, c, k),
                                                       abs=1e-12), (n, c, k)


def test_pass_at_k_closed_forms_and_large_n() -> None:
    assert pass_at_k(10, 3, 1) == pytest.approx(0.3)
    assert pass_at_k(5, 0, 3) == 0.0
    assert pass_at_k(5, 5, 1) == 1.0
    n, c, k = 2000, 7, 100  # binomials far beyond float range; the product form is exact
    exact = 1 - math.comb(n - c, k) / math.comb(n, k)
    assert pass_at_k(n, c, k) == pytest.approx(exact, rel=1e-12)
    assert mean_pass_at_k([(10, 3), (10, 0)], 1) == pytest.approx(0.15)


@pytest.mark.parametrize("n, c, k", [(0, 0, 1), (5, 6, 1), (5, -1, 1), (5, 2, 0), (5, 2, 6),
                                     (5.5, 2, 1), (True, 1, 1)])
def test_pass_at_k_rejects_bad_arguments(n, c, k) -> None:
    with pytest.raises(ValueError, match="pass_at_k"):
        pass_at_k(n, c, k)


def test_a_constant_answer_is_flagged_whatever_it_earns():
    """`constant_output`: one value returned for every test input (what a constant function
    does); a reward earned that way is logged by PPO as a sign of gameable tests."""
    from codecorr_jax.execution import Executor, ExecutorConfig, Program
    from codecorr_jax.regimes.ppo_inputs import constant_output

    tests = [{"args": [3], "expected": 9}, {"args": [-3], "expected": 9},
             {"args": [4], "expected": 16}]
    with Executor(ExecutorConfig(num_workers=1, test_timeout_s=2.0)) as executor:
        constant, honest, wrong, crashing = executor.score([
            Program("def f(x):\n    return 9\n", "f", tests),
            Program("def f(x):\n    return x * x\n", "f", tests),
            Program("def f(x):\n    return x\n", "f", tests),
            Program("def f(x):\n    raise ValueError\n", "f", tests)])
    assert constant.passed == 2 and constant_output(constant)  # 2 of 3 under `fraction`
    assert not constant_output(honest) and not constant_output(wrong)
    assert not constant_output(crashing)  # no value at all is not a constant answer
    one_test = Program("def f(x):\n    return 9\n", "f", tests[:1])
    with Executor(ExecutorConfig(num_workers=1, test_timeout_s=2.0)) as executor:
        assert not constant_output(executor.score([one_test])[0])  # one test says nothing


def test_heldback_tests_run_with_the_tests_but_never_change_the_reward():
    """A task's held-back tests run in the same program after its tests: the reward is what
    the tests alone give (the program run without them, scored by the executor), and a
    rewarded program that fails them is flagged."""
    from codecorr_jax.execution import Executor, ExecutorConfig
    from codecorr_jax.execution.rewards import get_reward_fn
    from codecorr_jax.regimes.ppo_inputs import PendingTaskRewards
    from codecorr_jax.tasks.task import Task, program

    task = Task("t/0", "def f(x):\n", "f",
                tests=({"args": [3], "expected": 9}, {"args": [-3], "expected": 9},
                       {"args": [4], "expected": 16}),
                heldback_tests=({"args": [5], "expected": 25}, {"args": [0], "expected": 0}))
    completions = ["    return x * x\n",
                   "    return {3: 9, -3: 9, 4: 16}.get(x, -1)\n",  # learnt the tests only
                   "    return 9\n",
                   "    raise ValueError\n",
                   "    while x == 5:\n        pass\n    return x * x\n"]  # hangs on a held-back
    assert len(program(task, completions[0], heldback=True).tests) == 5
    with Executor(ExecutorConfig(num_workers=2, test_timeout_s=1.0)) as executor:
        alone = executor.score([program(task, c) for c in completions])
        got = PendingTaskRewards(
            executor.submit([program(task, c, heldback=True) for c in completions]),
            "fraction", [3] * len(completions)).result()
    fraction = get_reward_fn("fraction")
    assert got.scores.tolist() == pytest.approx([fraction(r) for r in alone])
    assert got.scores.tolist() == pytest.approx([1.0, 1.0, 2 / 3, 0.0, 1.0])
    assert got.passed.tolist() == [r.all_passed for r in alone] == [True, True, False, False,
                                                                    True]
    assert got.heldback_failed.tolist() == [False, True, True, True, True]
    assert got.constant_output.tolist() == [False, False, True, False, False]


def test_a_result_part_is_judged_as_its_tests_alone():
    from codecorr_jax.execution.verdicts import ProgramResult, TestOutcome, Verdict

    ok, bad = TestOutcome(Verdict.PASS), TestOutcome(Verdict.RUNTIME_ERROR, 0.0, "KeyError", "k")
    late = TestOutcome(Verdict.TIMEOUT, 0.0, "Timeout", "a test ran out of time")
    whole = ProgramResult(Verdict.TIMEOUT, 2, 5, (ok, ok, bad, ok, late), "Timeout", "t")
    first = whole.part(0, 2)
    assert (first.verdict, first.passed, first.total, first.error_type) == \
        (Verdict.PASS, 2, 2, None)
    middle = whole.part(1, 4)
    assert (middle.verdict, middle.passed, middle.total, middle.error_type, middle.message) \
        == (Verdict.RUNTIME_ERROR, 2, 3, "KeyError", "k")
    assert whole.part(3, 5).verdict is Verdict.TIMEOUT
